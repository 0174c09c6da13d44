"""The attention view driven like a person would, on the real sandbox (frozen clock, seed 7)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from textual.widgets import Button, Static

from synctui.sandbox.server import Sandbox
from synctui.services.triage import Reason, parse_time, scan
from synctui.store.journal import Journal
from synctui.ui.catalog import LoadState
from synctui.ui.dialogs.confirm import ConfirmScreen
from synctui.ui.screens.help_screen import HelpScreen
from synctui.ui.triage import AttentionScreen
from tests.conftest import admin_state, advance_clock, set_faults
from tests.ui.conftest import until
from tests.ui_triage.conftest import (
    SIZE,
    attention,
    frozen_now,
    lines,
    make_app,
    pane_text,
    select,
    settle,
    triage_session,
)

PLAN_CHANGES = "Plan changes → Intercom companies"  # Polytomic, inactive: fixable
REGION = "Marketing leads → Salesforce Leads (EMEA)"  # Polytomic, fails on every execution


async def polytomic_id(sandbox: Sandbox, name: str) -> str:
    session = triage_session(sandbox)
    try:
        syncs = await session.adapter("polytomic-demo").list_syncs()
    finally:
        await session.aclose()
    return next(s.id for s in syncs if s.name == name)


def status_text(app: Any) -> str:
    return "\n".join(
        str(attention(app).query_one(f"#{w}", Static).content) for w in ("counts", "accounts")
    )


async def confirm_fix(pilot: Any) -> None:
    """f, then move from Cancel to Fix and press it."""
    await pilot.press("f")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ConfirmScreen)
    await pilot.press("tab", "enter")
    await settle(pilot)


async def test_groups_counts_and_why_from_the_vendor(sandbox: Sandbox) -> None:
    session = triage_session(sandbox)
    expected = await scan(triage_session(sandbox), None, frozen_now())
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = lines(app)
        for reason, items in expected.by_reason().items():
            assert f"▾ {reason.value.upper()} · {len(items)}" in shown
        header = status_text(app)
        for reason, items in expected.by_reason().items():
            assert f"{reason.value} {len(items)}" in header
        for account, count in expected.counts_by_account().items():
            assert f"{account} {count}" in header
        status = attention(app).query_one("#status").text  # type: ignore[attr-defined]
        assert f"{len(expected.items)} need a person of {expected.scanned} syncs" in status

        # The cursor starts on the first sync, the oldest trouble of the most urgent group.
        first = expected.by_reason()[Reason.ERROR][0]
        assert attention(app).list.current_key == first.key

        await select(pilot, "Region")
        assert [t for t in lines(app) if "Marketing leads" in t]
        text = pane_text(app)
        assert "latest execution failed: Salesforce API: INVALID_FIELD" in text
        assert "661 failed" in text  # the execution's own counts
        assert "POST /api/syncs/" in text and "/executions" in text
        assert "Timeline" in text and "execution failed" in text


async def test_timeline_relates_the_state_to_a_journaled_change(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    found = await scan(triage_session(sandbox), ["speckle-demo"], frozen_now())
    item = found.by_reason()[Reason.PAUSED][0]
    since = parse_time(item.since)
    assert since is not None
    journal = Journal(tmp_path / "journal.sqlite3", clock=lambda: since - timedelta(hours=3))
    entry = journal.begin(
        "speckle-demo", "speckle", item.sync.id, "update",
        {"context": {"viewName": "3D Model"}}, {"context": {"viewName": "Speckle Export"}}, {},
    )  # fmt: skip
    journal.finish(entry, "ok")

    app = make_app(triage_session(sandbox, journal=journal))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, item.sync.name)
        assert attention(app).list.current_key == item.key
        text = pane_text(app)
        assert "paused 3 h after viewName was changed" in text
        assert "✎ synctui update: viewName" in text
        assert "⚑ paused since here" in text
        timeline = text[text.index("Timeline") :]
        assert timeline.index("synctui update") < timeline.index("paused since here")


async def test_fix_with_confirmation_then_recovering_then_gone(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    session = triage_session(sandbox, journal_path=tmp_path / "journal.sqlite3")
    sync_id = await polytomic_id(sandbox, PLAN_CHANGES)
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, "Intercom")
        assert attention(app).list.current_key == ("polytomic-demo", sync_id)

        # The dialog says exactly what will be sent, and opens on Cancel.
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert f'POST /api/syncs/{sync_id}/activate {{"active": true}}' in dialog.question
        assert f"POST /api/syncs/{sync_id}/executions" in dialog.question
        assert isinstance(app.focused, Button) and app.focused.id == "cancel"
        await pilot.press("enter")
        await settle(pilot)
        assert admin_state(sandbox, "polytomic")["syncs"][sync_id]["activations"] == 0

        await confirm_fix(pilot)
        server = admin_state(sandbox, "polytomic")["syncs"][sync_id]
        assert (server["active"], server["activations"], server["executions_started"]) == (
            True,
            1,
            1,
        )
        actions = [(e.action, e.outcome) for e in session.journal.list(sync_id=sync_id)]
        assert actions == [("trigger", "ok"), ("resume", "ok")]
        shown = lines(app)
        assert "▾ RECOVERING · 1" in shown
        assert not any(t.startswith("▾ DISABLED") and "· 3" in t for t in shown)
        recovering = shown[shown.index("▾ RECOVERING · 1") + 1]
        assert PLAN_CHANGES[:20] in recovering and "resumed" in recovering

        # Still running: it stays recovering. Once the run succeeds, it leaves the view.
        await pilot.press("escape", "r")  # clear the filter, refresh
        await settle(pilot)
        assert "▾ RECOVERING · 1" in lines(app)
        advance_clock(sandbox, 3600)
        await pilot.press("r")
        await settle(pilot)
        assert not any("RECOVERING" in t or PLAN_CHANGES[:20] in t for t in lines(app))


async def test_a_fix_that_does_not_hold_goes_back_with_the_new_error(sandbox: Sandbox) -> None:
    app = make_app(triage_session(sandbox))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, "Region")
        before = pane_text(app)
        await confirm_fix(pilot)
        assert any(t.startswith("▾ RECOVERING") for t in lines(app))
        advance_clock(sandbox, 3600)
        await pilot.press("r")
        await settle(pilot)
        shown = lines(app)
        assert not any(t.startswith("▾ RECOVERING") for t in shown)
        assert any("Marketing leads" in t for t in shown)  # back in "latest run failed"
        after = pane_text(app)
        assert "Region__c" in after and "(1 record synced, 661 failed)" in before
        assert "(1 record synced, 661 failed)" not in after.split("Timeline")[0]


async def test_a_failing_fix_keeps_the_row_with_its_error(sandbox: Sandbox) -> None:
    sync_id = await polytomic_id(sandbox, PLAN_CHANGES)
    app = make_app(triage_session(sandbox))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, "Intercom")
        set_faults(sandbox, "500=1,only=polytomic")
        await confirm_fix(pilot)
        set_faults(sandbox, "none")
        shown = lines(app)
        assert not any(t.startswith("▾ RECOVERING") for t in shown)
        row = next(t for t in shown if PLAN_CHANGES[:20] in t)
        assert "fix failed:" in row
        assert "✖ fix failed:" in pane_text(app)
        assert admin_state(sandbox, "polytomic")["syncs"][sync_id]["active"] is False
        assert attention(app).list.current_key == ("polytomic-demo", sync_id)


async def test_read_only_offers_no_fix(sandbox: Sandbox) -> None:
    sync_id = await polytomic_id(sandbox, PLAN_CHANGES)
    app = make_app(triage_session(sandbox, readonly=True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, "Intercom")
        screen = attention(app)
        assert screen.check_action("fix", ()) is False
        assert "triage.fix" not in {
            b.binding.id for b in screen.active_bindings.values() if b.enabled
        }
        assert "read-only mode: not offered" in pane_text(app)
        await pilot.press("f", "enter")
        await settle(pilot)
        assert app.screen is screen and not isinstance(app.screen, ConfirmScreen)
        assert admin_state(sandbox, "polytomic")["syncs"][sync_id]["activations"] == 0
        assert screen.query_one("#status").locked  # type: ignore[attr-defined]


async def test_an_account_that_cannot_be_read_shows_its_error_and_the_rest_show(
    sandbox: Sandbox,
) -> None:
    set_faults(sandbox, "500=1,only=paragon")
    app = make_app(triage_session(sandbox))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = lines(app)
        assert shown[0] == "▾ COULD NOT BE READ · 1"
        assert "paragon-demo" in shown[1]
        assert "▾ LEGACY, NEEDS MIGRATION · 5" in shown
        assert "✖ paragon-demo" in status_text(app)
        assert not any("paragon-demo" in t for t in shown[2:])


async def test_keys_help_and_back(sandbox: Sandbox) -> None:
    app = make_app(triage_session(sandbox))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = attention(app)
        ids = {b.binding.id: b.binding.description for b in screen.active_bindings.values()}
        assert {k: ids.get(k) for k in ("triage.fix", "triage.refresh", "triage.investigate",
                "triage.filter", "triage.back")} == {"triage.fix": "Fix", "triage.refresh": "Refresh",
                "triage.investigate": "Investigate", "triage.filter": "Filter", "triage.back": "Back"}  # fmt: skip
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        described = dict((text, keys) for keys, text in app.screen.keys)
        assert {"Fix", "Refresh", "Investigate", "Filter", "Back"} <= set(described)
        await pilot.press("escape")
        assert screen.has_class("-no-pane") is False
        await pilot.press("i")
        assert screen.has_class("-no-pane") is True

    # Opened on the view (`--attention`): Esc goes to the sync table, which loads only now.
    app = make_app(triage_session(sandbox))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, AttentionScreen)
        states = {app.catalog.entry(name).state for name in app.catalog.names()}
        assert states == {LoadState.IDLE}
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.main, "back on the sync table")
        await until(pilot, lambda: app.catalog.entry("polytomic-demo").state is LoadState.READY,
                    "the sync table's accounts loaded")  # fmt: skip
