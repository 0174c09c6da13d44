"""Reverting journal entries against the Speckle simulator: the inverse patch, the conflict
check, pause/resume, and what cannot be reverted."""

from __future__ import annotations

import pytest

from synctui.domain import errors
from synctui.domain.models import Sync
from synctui.sandbox.server import Sandbox
from synctui.services.revert import plan_revert, revert
from synctui.services.session import Session
from tests.conftest import admin_state
from tests.services.conftest import SPECKLE, SessionFactory


async def an_active_sync(session: Session) -> Sync:
    syncs = await session.adapter(SPECKLE).list_syncs()
    return next(
        s
        for s in syncs
        if s.status.value == "active" and s.raw["context"].get("referencePoint") != "surveyPoint"
    )


def server_context(sb: Sandbox, sync: Sync) -> dict:
    return admin_state(sb, "speckle")["syncs"][sync.id.split("/")[1]]["context"]


def latest_entry_id(session: Session) -> int:
    return session.journal.list(limit=1)[0].id


async def test_revert_puts_the_settings_back_and_is_journaled(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(sandbox)
    sync = await an_active_sync(session)
    original = server_context(sandbox, sync)
    await session.update(SPECKLE, sync.id, {"context": {"referencePoint": "surveyPoint"}})
    edit = latest_entry_id(session)
    assert server_context(sandbox, sync)["referencePoint"] == "surveyPoint"

    plan = await plan_revert(session, edit)
    assert plan.action == "update"
    assert plan.summary == f'context.referencePoint back to "{original["referencePoint"]}"'
    result = await revert(session, edit)
    assert result.ok
    assert server_context(sandbox, sync) == original

    entry = session.journal.get(latest_entry_id(session))
    assert (entry.action, entry.reverts, entry.outcome) == ("revert", edit, "ok")
    assert entry.sync_id == sync.id

    # Reverting twice is refused; reverting the revert redoes the edit.
    with pytest.raises(errors.Conflict, match=f"already reverted by entry {entry.id}"):
        await plan_revert(session, edit)
    await revert(session, entry.id)
    assert server_context(sandbox, sync)["referencePoint"] == "surveyPoint"


async def test_revert_refuses_when_the_sync_changed_since_unless_forced(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(sandbox)
    sync = await an_active_sync(session)
    original = server_context(sandbox, sync)
    await session.update(SPECKLE, sync.id, {"context": {"referencePoint": "surveyPoint"}})
    edit = latest_entry_id(session)
    await session.update(SPECKLE, sync.id, {"context": {"viewName": "Someone else's view"}})
    updates = admin_state(sandbox, "speckle")["syncs"][sync.id.split("/")[1]]["updates"]
    entries = session.journal.count()

    with pytest.raises(errors.Conflict) as caught:
        await revert(session, edit)
    assert 'changed since that edit: context.viewName is now "Someone else\'s view"' in str(
        caught.value
    )
    assert caught.value.exit_code == 3
    syncs = admin_state(sandbox, "speckle")["syncs"]
    assert syncs[sync.id.split("/")[1]]["updates"] == updates  # nothing sent
    assert session.journal.count() == entries  # nothing journaled

    # Forced: only what the edit changed goes back; the later change survives.
    await revert(session, edit, force=True)
    context = server_context(sandbox, sync)
    assert context["referencePoint"] == original["referencePoint"]
    assert context["viewName"] == "Someone else's view"


async def test_pause_reverts_to_resume(sandbox: Sandbox, make_session: SessionFactory) -> None:
    session = make_session(sandbox)
    sync = await an_active_sync(session)
    await session.set_active(SPECKLE, sync.id, False)
    pause = latest_entry_id(session)
    plan = await plan_revert(session, pause)
    assert plan.action == "resume"
    await revert(session, pause)
    assert admin_state(sandbox, "speckle")["syncs"][sync.id.split("/")[1]]["active"] is True
    entry = session.journal.get(latest_entry_id(session))
    assert (entry.action, entry.reverts, entry.request) == ("revert", pause, {"active": True})
    # The revert of that resume is a pause again.
    assert (await plan_revert(session, entry.id)).action == "pause"


async def test_what_cannot_be_reverted_says_why(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(sandbox)
    sync = await an_active_sync(session)
    await session.trigger(SPECKLE, sync.id)
    with pytest.raises(errors.Unsupported, match="a run that was started cannot be taken back"):
        await plan_revert(session, latest_entry_id(session))

    with pytest.raises(errors.ValidationFailed):
        await session.update(SPECKLE, sync.id, {"context": {"referencePoint": "moon"}})
    # Refused before sending, so not even journaled: make a failed entry the way a vendor
    # refusal would leave it.
    failed = session.journal.begin(SPECKLE, "speckle", sync.id, "update", {"a": 1}, {"a": 2}, [])
    session.journal.finish(failed, "failed", error="HTTP 500")
    with pytest.raises(errors.UsageError, match="it changed nothing"):
        await plan_revert(session, failed)


async def test_revert_in_read_only_mode_is_refused(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    writer = make_session(sandbox)
    sync = await an_active_sync(writer)
    await writer.update(SPECKLE, sync.id, {"context": {"referencePoint": "surveyPoint"}})
    edit = latest_entry_id(writer)
    reader = make_session(sandbox, readonly=True)
    with pytest.raises(errors.ReadOnlyError):
        await revert(reader, edit)
    assert server_context(sandbox, sync)["referencePoint"] == "surveyPoint"


async def test_a_polytomic_filter_and_identity_edit_reverts(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    """An edit of a deprecated form (`filter_logic`, `identity`) is journaled as the live
    form it was written as, so the sync reads back unchanged since and the revert is clean."""
    account = "polytomic-demo"
    session = make_session(sandbox)
    syncs = await session.adapter(account).list_syncs()
    trial = next(s for s in syncs if s.name == "Trial users → Intercom (onboarding)")
    before = (await session.get_sync(account, trial.id)).raw
    await session.update(account, trial.id, {"filter_logic": "f2 or f1"})
    edit = latest_entry_id(session)
    entry = session.journal.get(edit)
    assert "filter_logic" not in entry.after and entry.after["model_filters"]["logic"] == "f2 or f1"
    result = await revert(session, edit)
    assert result.ok
    after = (await session.get_sync(account, trial.id)).raw
    assert after["model_filters"] == before["model_filters"]
    assert after["filters"] == before["filters"] and after["filter_logic"] == "f1 AND f2"

    first = next(s for s in syncs if s.name == "Snowflake users → Salesforce Contacts")
    original = (await session.get_sync(account, first.id)).raw["identities"]
    await session.update(account, first.id, {"identity": {"target": "Other_Email__c"}})
    result = await revert(session, latest_entry_id(session))
    assert result.ok
    assert (await session.get_sync(account, first.id)).raw["identities"] == original
