"""The Polytomic adapter against the sandbox, over real loopback HTTP (see `helpers`).

Where a test needs a fault on one particular request (a dropped answer on the PUT, not on the
reads around it), `Loopback` arms the sandbox's own fault for just that request.
"""

from __future__ import annotations

import base64
import json

import pytest

from synctui.domain import errors
from synctui.domain.models import RunState, Sync, SyncStatus
from synctui.vendors import polytomic
from synctui.vendors.http import CallLog
from synctui.vendors.polytomic import (
    PAUSED_MESSAGE,
    describe_schedule,
    parse_run,
    parse_sync,
    same_document,
)
from tests.conftest import advance_clock
from tests.vendors.helpers import (
    FAULT_STORM,
    assert_token_kept_out,
    check_failing_reads,
    faults,
)
from tests.vendors.polytomic_support import (
    VERSION,
    Loopback,
    editable_of,
    ids,
    info,
    make_adapter,
    named,
    raw_get,
    raw_put,
    state,
    sync_state,
    writable,
)


# --- reads ---------------------------------------------------------------------------------
async def test_lists_every_sync_page_by_page_with_status_and_columns(reader, monkeypatch) -> None:
    monkeypatch.setattr(polytomic, "PAGE_SIZE", 10)
    log = CallLog()
    adapter = make_adapter(reader, call_log=log)
    pages = [page async for page in adapter.iter_syncs()]
    await adapter.aclose()
    truth = state(reader)["syncs"]
    syncs = [s for page in pages for s in page]
    assert [len(p) for p in pages] == [10, 10, len(truth) - 20]
    assert [s.id for s in syncs] == list(dict.fromkeys(s.id for s in syncs))  # no repeats
    assert {s.id for s in syncs} == set(truth)
    # Each page after the first asked for exactly the token the previous page gave.
    lists = [r for r in log.records() if r.target == "/api/syncs"]
    assert len(lists) == 3
    keys = [key for key, _ in adapter.table_columns]
    assert keys == ["name", "mode", "schedule", "target", "active", "last_execution"]
    for sync in syncs:
        assert list(sync.columns) == keys and not sync.complete
        assert "fields" not in sync.raw  # a list item is a summary, kept as sent
        assert sync.columns["active"] == ("yes" if truth[sync.id]["active"] else "no")
        assert sync.updated_at == truth[sync.id]["updated_at"]
        assert sync.columns["last_execution"] != "?"  # every row's status was read
    by_id = {s.id: s for s in syncs}
    failing = by_id[ids(reader)["failing_sync_id"]]
    assert failing.status is SyncStatus.ERROR
    assert failing.vendor_status == "active, last execution failed"
    assert failing.status_reason and "Region__c" in failing.status_reason
    assert "failed" in failing.status_reason and failing.columns["last_execution"].startswith(
        "failed · "
    )
    paused = by_id[ids(reader)["inactive_sync_id"]]
    assert paused.status is SyncStatus.PAUSED and paused.vendor_status.startswith("inactive")
    running = by_id[ids(reader)["running_sync_id"]]
    assert running.latest_run is not None and running.latest_run.state is RunState.RUNNING
    hourly = by_id[ids(reader)["hourly_sync_id"]]
    assert hourly.columns["schedule"] == "hourly at :45"
    assert hourly.columns["target"] == f"{ids(reader)['connection_id'][:8]}/Account"
    assert {s.status for s in syncs} == {SyncStatus.ACTIVE, SyncStatus.PAUSED, SyncStatus.ERROR}


async def test_get_sync_is_the_full_object_with_its_latest_execution(reader) -> None:
    adapter = make_adapter(reader)
    sync = await adapter.get_sync(ids(reader)["sync_id"])
    raw = raw_get(reader, ids(reader)["sync_id"])
    assert sync.complete and sync.raw == raw  # untouched vendor JSON, unmodelled fields too
    assert "labels" in sync.raw and "fields" in sync.raw
    assert sync.status is SyncStatus.ACTIVE and sync.latest_run is not None
    assert sync.latest_run.state is RunState.SUCCESS and sync.latest_run.summary
    assert sync.columns["schedule"] == "hourly at :15"
    failing = await adapter.get_sync(ids(reader)["failing_sync_id"])
    assert failing.status is SyncStatus.ERROR and failing.latest_run is not None
    assert failing.latest_run.error and failing.latest_run.error in (failing.status_reason or "")
    assert "Polytomic API 2025-09-18" in await adapter.check()
    await adapter.aclose()


async def test_runs_follow_the_page_token_newest_first(reader) -> None:
    adapter = make_adapter(reader)
    runs = await adapter.list_runs(ids(reader)["sync_id"], limit=25)  # vendor pages hold 20
    assert len(runs) == 25 and len({r.id for r in runs}) == 25
    created = [r.created_at or "" for r in runs]
    assert created == sorted(created, reverse=True)
    assert all(r.state is RunState.SUCCESS or r.vendor_status != "completed" for r in runs)
    assert await adapter.list_runs(ids(reader)["sync_id"], limit=0) == []
    await adapter.aclose()


async def test_deployment_key_is_sent_as_basic_and_can_write(sandbox) -> None:
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, deployment=True, inner=inner)
    key = info(sandbox)["tokens"]["deployment"]
    assert "deployment key" in await adapter.check()
    sent = inner.sent[-1][2]["authorization"]
    assert sent == "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    sync = await adapter.get_sync(ids(sandbox)["sync_id"])
    plan = await adapter.plan_update(sync, {"name": "Renamed on prem"})
    assert plan.requests[0].headers["Authorization"] == "Basic ****"
    result = await adapter.apply(plan)
    assert result.sync is not None and result.sync.name == "Renamed on prem"
    assert raw_get(sandbox, sync.id)["updated_by"]["type"] == "deployment"
    await adapter.aclose()
    # A wrong deployment key is a clear auth error that shows neither key nor its encoding.
    bad = make_adapter(sandbox, deployment=True, token="not-the-deployment-key")
    with pytest.raises(errors.AuthError) as caught:
        await bad.check()
    encoded = base64.b64encode(b"not-the-deployment-key:").decode()
    assert "deployment key" in str(caught.value)
    assert "not-the-deployment-key" not in str(caught.value) and encoded not in str(caught.value)
    await bad.aclose()


async def test_read_errors_are_typed_and_never_show_the_token(reader) -> None:
    log = CallLog()
    bad = make_adapter(reader, token="secret-bad-token-123", call_log=log)
    with pytest.raises(errors.AuthError) as caught:
        await bad.get_sync(ids(reader)["sync_id"])
    assert "secret-bad-token-123" not in str(caught.value)
    with pytest.raises(errors.AuthError):
        _ = [p async for p in bad.iter_syncs()]
    await bad.aclose()
    assert_token_kept_out("secret-bad-token-123", log)

    adapter = make_adapter(reader)
    with pytest.raises(errors.NotFound, match="not found"):
        await adapter.get_sync("00000000-0000-4000-8000-000000000000")
    with pytest.raises(errors.NotFound):
        await adapter.list_runs("00000000-0000-4000-8000-000000000000")
    with pytest.raises(errors.UsageError):
        await adapter.get_sync(" ")
    await adapter.aclose()

    old = make_adapter(reader, api_version="1999-01-01")
    with pytest.raises(errors.ConfigError) as version:
        await old.check()
    assert "1999-01-01" in str(version.value) and VERSION in str(version.value)
    await old.aclose()


# --- editing -------------------------------------------------------------------------------
async def test_dry_run_plan_is_the_whole_object_with_masked_headers_and_sends_nothing(
    sandbox,
) -> None:
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    sid = ids(sandbox)["sync_id"]
    sync = await adapter.get_sync(sid)
    token = info(sandbox)["tokens"]["rw"]
    patch = {"schedule": {"frequency": "daily", "hour": "9", "minute": "30"}}
    plan = await adapter.plan_update(sync, patch, trigger_now=True)
    assert plan.summary == "PUT whole object (3 fields changed) + trigger now"
    put, post = plan.requests
    assert (put.method, post.method) == ("PUT", "POST")
    assert put.url.endswith(f"/api/syncs/{sid}") and post.url.endswith(
        f"/api/syncs/{sid}/executions"
    )
    assert put.headers["Authorization"] == "Bearer ****"
    assert put.headers["X-Polytomic-Version"] == VERSION
    key = post.headers["Idempotency-Key"]
    assert key.startswith("synctui-") and 8 <= len(key) <= 255
    # The body is every field we received (minus response-only ones and the deprecated forms
    # Polytomic derives from identities and model_filters/target_filters), patch applied.
    received = {
        k: v
        for k, v in editable_of(sync.raw).items()
        if k not in ("identity", "filters", "filter_logic")
    }
    assert "identities" in received and "model_filters" in received
    expected = {**received, "schedule": {"frequency": "daily", "minute": "30", "hour": "9"}}
    assert put.body == expected == plan.after
    assert plan.before == received
    assert token not in json.dumps([r.model_dump() for r in plan.requests])
    assert inner.requests("PUT") == [] and inner.requests("POST") == []
    assert sync_state(sandbox, sid)["puts"] == 0
    assert sync_state(sandbox, sid)["executions_started"] == 0
    # An edit that changes nothing plans nothing.
    same = await adapter.plan_update(sync, {"name": sync.name})
    assert same.empty and same.requests == [] and same.summary == "no changes"
    await adapter.aclose()


async def test_update_sends_exactly_the_plan_and_unknown_fields_survive(sandbox) -> None:
    sid = ids(sandbox)["sync_id"]
    # The workspace holds fields synctui has never modelled, nested ones included.
    raw_put(
        sandbox,
        sid,
        target={
            **raw_get(sandbox, sid)["target"],
            "x_vendor_future": {"deep": [1, {"keep": None, "and": "me"}]},
        },
        fields=[{**f, "x_row_meta": {"owner": "ops"}} for f in raw_get(sandbox, sid)["fields"]],
        x_top_level={"a": [1, 2, 3]},
    )
    before = raw_get(sandbox, sid)
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    sync = await adapter.get_sync(sid)
    plan = await adapter.plan_update(
        sync, {"name": "Contacts (hourly)", "target": {"configuration": {"bulk_batch_size": 200}}}
    )
    result = await adapter.apply(plan)
    assert result.message == "updated" and result.run is None
    puts = inner.requests("PUT")
    assert len(puts) == 1 and json.loads(puts[0][3]) == plan.requests[0].body
    assert puts[0][2]["x-polytomic-version"] == VERSION
    after = raw_get(sandbox, sid)
    assert after["name"] == "Contacts (hourly)"
    assert after["target"]["configuration"]["bulk_batch_size"] == 200
    assert after["target"]["x_vendor_future"] == before["target"]["x_vendor_future"]
    assert all(f["x_row_meta"] == {"owner": "ops"} for f in after["fields"])
    assert after["x_top_level"] == {"a": [1, 2, 3]}
    for key in ("labels", "notifications", "bulk_settings", "identity", "overrides", "policies"):
        assert after.get(key) == before.get(key)
    # The result carries the new updated_at, so the next edit is not a false conflict.
    assert result.sync is not None and result.sync.updated_at == after["updated_at"]
    again = await adapter.plan_update(result.sync, {"name": "Contacts"})
    await adapter.apply(again)
    assert sync_state(sandbox, sid)["puts"] == 3  # the setup PUT and our two
    await adapter.aclose()


async def test_removing_a_field_with_null_and_triggering_in_one_plan(sandbox) -> None:
    sid = ids(sandbox)["sync_id"]
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    sync = await adapter.get_sync(sid)
    assert sync.raw["override_fields"]
    plan = await adapter.plan_update(sync, {"override_fields": None}, trigger_now=True)
    assert "override_fields" not in plan.requests[0].body
    result = await adapter.apply(plan)
    assert result.message == "updated and triggered"
    assert result.run is not None and result.run.state is RunState.QUEUED
    assert raw_get(sandbox, sid)["override_fields"] == []
    executions = inner.requests("POST", "/executions")
    assert len(executions) == 1
    assert executions[0][2]["idempotency-key"] == plan.requests[1].headers["Idempotency-Key"]
    assert sync_state(sandbox, sid)["executions_started"] == 1
    # The run moves on with the sandbox clock.
    advance_clock(sandbox, 15)
    later = await adapter.get_sync(sid)
    assert later.latest_run is not None and later.latest_run.id == result.run.id
    assert later.latest_run.state.finished
    await adapter.aclose()


async def test_invalid_edits_are_refused_before_anything_is_sent(sandbox) -> None:
    sid = ids(sandbox)["sync_id"]
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    sync = await adapter.get_sync(sid)
    with pytest.raises(errors.ValidationFailed) as caught:
        await adapter.plan_update(sync, {"schedule": {"hour": 9}, "mode": "merge"})
    assert {i.path for i in caught.value.issues} == {"schedule.hour", "mode"}
    assert "schedule.hour" in str(caught.value)
    with pytest.raises(errors.ValidationFailed, match="cannot be edited"):
        await adapter.plan_update(sync, {"updated_at": "2020-01-01T00:00:00Z"})
    with pytest.raises(errors.ValidationFailed):
        await adapter.plan_update(sync, ["not", "an", "object"])  # type: ignore[arg-type]
    assert inner.requests("PUT") == [] and sync_state(sandbox, sid)["puts"] == 0
    # Values the validator does not understand but the vendor holds are not the edit's fault.
    custom = next(
        s for s in await adapter.list_syncs() if s.raw["schedule"]["frequency"] == "custom"
    )
    plan = await adapter.plan_update(custom, {"name": "Trial users (renamed)"})
    assert plan.requests and plan.after["schedule"] == custom.raw["schedule"]
    await adapter.aclose()


async def test_vendor_validation_errors_name_the_field(sandbox) -> None:
    adapter = make_adapter(sandbox)
    sid = ids(sandbox)["sync_id"]  # mode updateOrCreate: the vendor requires an identity
    sync = await adapter.get_sync(sid)
    plan = await adapter.plan_update(sync, {"identity": None})
    with pytest.raises(errors.ValidationFailed) as caught:
        await adapter.apply(plan)
    # Removing the one identity mapping is sent as `identities` without mappings.
    assert [i.path for i in caught.value.issues] == ["identities"]
    assert "identities is required for mode updateOrCreate" in str(caught.value.issues[0])
    assert sync_state(sandbox, sid)["puts"] == 0
    await adapter.aclose()


async def test_conflicts_when_the_sync_changed_after_loading(sandbox) -> None:
    sid = ids(sandbox)["sync_id"]
    adapter = make_adapter(sandbox)
    loaded = await adapter.get_sync(sid)
    raw_put(sandbox, sid, name="Edited by a colleague")
    with pytest.raises(errors.Conflict, match="changed on the server since you loaded it"):
        await adapter.plan_update(loaded, {"active": False})
    # A list summary is a fine starting point too; then someone edits between plan and apply.
    summary = next(s for s in await adapter.list_syncs() if s.id == sid)
    plan = await adapter.plan_update(summary, {"name": "Mine"})
    raw_put(sandbox, sid, name="Edited again")
    with pytest.raises(errors.Conflict):
        await adapter.apply(plan)
    assert raw_get(sandbox, sid)["name"] == "Edited again"
    assert sync_state(sandbox, sid)["puts"] == 2  # only the colleague's
    await adapter.aclose()


async def test_read_only_key_is_permission_denied_and_writes_nothing(sandbox) -> None:
    sid = ids(sandbox)["sync_id"]
    adapter = make_adapter(sandbox, readonly=True)
    sync = await adapter.get_sync(sid)  # reading is allowed
    plan = await adapter.plan_update(sync, {"name": "Nope"})
    with pytest.raises(errors.PermissionDenied):
        await adapter.apply(plan)
    with pytest.raises(errors.PermissionDenied):
        await adapter.set_active(sid, False)
    with pytest.raises(errors.PermissionDenied):
        await adapter.trigger(sid)
    truth = sync_state(sandbox, sid)
    assert (truth["puts"], truth["activations"], truth["executions_started"]) == (0, 0, 0)
    await adapter.aclose()


# --- pause, resume, trigger, create, delete ------------------------------------------------
async def test_pause_resume_and_trigger(sandbox) -> None:
    sid = ids(sandbox)["hourly_sync_id"]
    adapter = make_adapter(sandbox)
    paused = await adapter.set_active(sid, False)
    assert paused.message == "paused" and paused.sync is not None
    assert paused.sync.status is SyncStatus.PAUSED
    assert paused.sync.updated_at == sync_state(sandbox, sid)["updated_at"]
    assert (await adapter.set_active(sid, False)).message == "already paused"
    with pytest.raises(errors.SyncPaused) as caught:
        await adapter.trigger(sid)
    assert str(caught.value) == PAUSED_MESSAGE
    loaded = await adapter.get_sync(sid)
    with pytest.raises(errors.SyncPaused):
        await adapter.plan_update(loaded, {"name": "x"}, trigger_now=True)
    # Resuming in the same edit makes the trigger legitimate.
    plan = await adapter.plan_update(loaded, {"active": True}, trigger_now=True)
    assert plan.summary == "PUT whole object (1 field changed) + trigger now"
    resumed = await adapter.set_active(sid, True)
    assert (
        resumed.message == "resumed" and resumed.sync and resumed.sync.status is SyncStatus.ACTIVE
    )
    triggered = await adapter.trigger(sid)
    assert triggered.run is not None and triggered.run.state is RunState.QUEUED
    with pytest.raises(errors.InvalidState, match="already in progress"):
        await adapter.trigger(sid)
    truth = sync_state(sandbox, sid)
    assert (truth["activations"], truth["executions_started"]) == (2, 1)
    await adapter.aclose()


async def test_a_409_is_explained_by_its_key(sandbox) -> None:
    """Only the vendor's key says what a 409 is about (`types/api_error.py`): a sync whose
    configuration has problems is not "a run in progress"."""
    sid = named(sandbox, "Legacy: Postgres subscriptions → HubSpot")
    adapter = make_adapter(sandbox)
    await adapter.set_active(sid, True)
    with pytest.raises(errors.InvalidState) as caught:
        await adapter.trigger(sid)
    text = str(caught.value)
    assert "configuration has problems" in text and "sync_has_problems" in text
    assert "in progress" not in text
    running = ids(sandbox)["running_sync_id"]
    with pytest.raises(errors.InvalidState, match="already in progress"):
        await adapter.trigger(running)
    await adapter.aclose()


async def test_create_and_delete(sandbox) -> None:
    adapter = make_adapter(sandbox)
    template = await adapter.get_sync(ids(sandbox)["sync_id"])
    with pytest.raises(errors.ValidationFailed):
        await adapter.create({"name": "incomplete"})
    assert state(sandbox)["created"] == []
    created = await adapter.create({**template.raw, "name": "A copy", "labels": ["new"]})
    assert created.name == "A copy" and created.raw["labels"] == ["new"]
    assert state(sandbox)["created"] == [created.id]
    assert (await adapter.delete(created.id)).message == "deleted"
    assert state(sandbox)["deleted"] == [created.id]
    with pytest.raises(errors.NotFound):
        await adapter.delete(created.id)
    await adapter.aclose()


# --- faults --------------------------------------------------------------------------------
@pytest.mark.parametrize("spec", ["500=1", "502=1", "503=1", "429=1,retry-after=0", "malformed=1"])
async def test_a_failed_read_is_retried(reader, spec) -> None:
    log = CallLog()
    inner = Loopback(reader)
    adapter = make_adapter(reader, inner=inner, call_log=log)
    inner.fault_on("GET", "/executions", spec)
    runs = await adapter.list_runs(ids(reader)["sync_id"], limit=3)
    assert len(runs) == 3
    attempts = [r.attempt for r in log.records()]
    assert attempts == [1, 2]
    await adapter.aclose()


async def test_reads_that_keep_failing_end_in_typed_errors(reader) -> None:
    adapter = make_adapter(reader, attempts=2)
    sid = ids(reader)["sync_id"]
    try:
        await check_failing_reads(
            reader,
            "polytomic",
            rate_limited=lambda: adapter.list_runs(sid),
            server=lambda: adapter.list_runs(sid),
            unreadable=lambda: adapter.list_runs(sid),
            unreachable=adapter.check,
        )
    finally:
        await adapter.aclose()


async def test_a_put_whose_answer_is_lost_is_applied_exactly_once(sandbox) -> None:
    """Each fault on its own sync: resent only when the re-read shows it did not land."""
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    cases = {"drop-after=1": 1, "malformed=1": 1, "drop-before=1": 2, "500=1": 2}
    for (spec, expected_sends), sid in zip(
        cases.items(), writable(sandbox, len(cases)), strict=True
    ):
        sync = await adapter.get_sync(sid)
        plan = await adapter.plan_update(sync, {"name": f"Renamed through {spec}"})
        inner.fault_on("PUT", f"/api/syncs/{sid}", spec)
        result = await adapter.apply(plan)
        assert result.message == "updated", spec
        assert result.sync is not None and result.sync.name == f"Renamed through {spec}", spec
        assert raw_get(sandbox, sid)["name"] == f"Renamed through {spec}", spec
        assert sync_state(sandbox, sid)["puts"] == 1, spec
        assert len(inner.requests("PUT", sid)) == expected_sends, spec
    await adapter.aclose()


async def test_a_lost_answer_on_a_put_that_only_removes_a_field(sandbox) -> None:
    sid = ids(sandbox)["sync_id"]
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    sync = await adapter.get_sync(sid)
    plan = await adapter.plan_update(sync, {"override_fields": None})
    inner.fault_on("PUT", f"/api/syncs/{sid}", "drop-before=1")  # not applied: must be resent
    result = await adapter.apply(plan)
    assert result.sync is not None and result.sync.raw["override_fields"] == []
    assert sync_state(sandbox, sid)["puts"] == 1 and len(inner.requests("PUT")) == 2
    await adapter.aclose()


async def test_a_lost_put_answer_and_a_concurrent_edit_is_a_conflict(sandbox) -> None:
    sid = ids(sandbox)["sync_id"]
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    sync = await adapter.get_sync(sid)
    plan = await adapter.plan_update(sync, {"name": "Mine"})
    inner.fault_on(
        "PUT",
        f"/api/syncs/{sid}",
        "drop-after=1",
        after=lambda: raw_put(sandbox, sid, name="Theirs"),
    )
    with pytest.raises(errors.Conflict):
        await adapter.apply(plan)
    assert raw_get(sandbox, sid)["name"] == "Theirs"  # nothing was overwritten afterwards
    assert len(inner.requests("PUT")) == 1
    await adapter.aclose()


async def test_a_trigger_whose_answer_is_lost_starts_one_run(sandbox) -> None:
    """Settled by the executions list (the record of runs) before anything is resent; a
    resend carries the same Idempotency-Key."""
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    cases = {"drop-after=1": 1, "malformed=1": 1, "drop-before=1": 2, "500=1": 2}  # → sends
    for (spec, sends), sid in zip(cases.items(), writable(sandbox, len(cases)), strict=True):
        replayed = state(sandbox)["idempotent_replays"]
        inner.fault_on("POST", f"/api/syncs/{sid}/executions", spec)
        result = await adapter.trigger(sid)
        assert result.message == "triggered" and result.run is not None, spec
        truth = state(sandbox)
        assert truth["syncs"][sid]["executions_started"] == 1, spec
        posts = inner.requests("POST", f"/api/syncs/{sid}/executions")
        assert len(posts) == sends and len({p[2]["idempotency-key"] for p in posts}) == 1, spec
        assert truth["idempotent_replays"] == replayed, spec  # never needed here
        assert (await adapter.list_runs(sid, limit=1))[0].id == result.run.id, spec
    await adapter.aclose()


async def test_lost_answers_on_activate_and_delete_are_settled_by_reading(sandbox) -> None:
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    specs = ("drop-after=1", "drop-before=1")
    chosen = writable(sandbox, len(specs))
    for spec, sid in zip(specs, chosen, strict=True):
        inner.fault_on("POST", f"/api/syncs/{sid}/activate", spec)
        assert (await adapter.set_active(sid, False)).message == "paused", spec
        assert sync_state(sandbox, sid)["activations"] == 1, spec
        assert sync_state(sandbox, sid)["active"] is False, spec
        inner.fault_on("DELETE", f"/api/syncs/{sid}", spec)
        assert (await adapter.delete(sid)).message == "deleted", spec
    assert state(sandbox)["deleted"] == chosen
    await adapter.aclose()


async def test_a_fault_storm_never_leaks_the_token_or_breaks_the_list(reader) -> None:
    log = CallLog()
    token = info(reader)["tokens"]["rw"]
    adapter = make_adapter(reader, call_log=log, attempts=8)
    with faults(reader, "polytomic", FAULT_STORM):
        syncs = await adapter.list_syncs()
    assert {s.id for s in syncs} == set(state(reader)["syncs"])
    assert any(r.attempt > 1 for r in log.records())
    assert_token_kept_out(token, log)
    await adapter.aclose()


# --- pure parsing --------------------------------------------------------------------------
def test_a_malformed_item_shows_as_unknown_and_one_without_id_is_left_out() -> None:
    broken = parse_sync("acct", {"id": "s1", "name": "Odd", "active": "yes"}, None, complete=False)
    assert broken is not None and broken.status is SyncStatus.UNKNOWN
    assert "active" in (broken.status_reason or "") and broken.raw["active"] == "yes"
    assert parse_sync("acct", {"name": "no id"}, None, complete=False) is None
    assert parse_sync("acct", "junk", None, complete=False) is None
    odd = parse_sync(
        "acct",
        {"id": "s2", "name": "New mode", "active": True, "mode": "teleport"},
        {"last_execution": {"id": "e", "status": "evaporated"}, "current_execution": "junk"},
        complete=False,
    )
    assert isinstance(odd, Sync) and odd.columns["mode"] == "teleport"
    assert odd.latest_run is not None and odd.latest_run.state is RunState.UNKNOWN
    assert odd.latest_run.vendor_status == "evaporated"
    assert parse_run({"status": "completed"}) is None


def test_schedules_in_words() -> None:
    assert describe_schedule({"frequency": "hourly", "minute": "15"}) == "hourly at :15"
    assert (
        describe_schedule({"frequency": "daily", "hour": "9", "minute": "30"}) == "daily at 09:30"
    )
    assert (
        describe_schedule(
            {"frequency": "weekly", "day_of_week": "monday", "hour": "7", "minute": "30"}
        )
        == "weekly on Monday at 07:30"
    )
    assert describe_schedule({"frequency": "manual"}) == "manual"
    assert describe_schedule({"frequency": "runafter", "run_after": {"sync_ids": ["a"]}}) == (
        "after 1 other sync"
    )
    assert describe_schedule({"frequency": "dbtcloud", "job_id": 4}) == "after dbt Cloud job 4"
    assert describe_schedule(
        {"frequency": "custom", "minute": "*/30", "hour": "8-18", "day_of_week": "1-5"}
    ).startswith("custom: every 30 minutes")
    assert (
        describe_schedule(
            {"frequency": "builder", "day_of_week": "monday,friday", "hour": "9", "minute": "0"}
        )
        == "builder: at 09:00 on Monday and Friday"
    )
    multi = {
        "frequency": "multi",
        "multi": {"schedules": [{"frequency": "daily", "hour": "6", "minute": "0"}]},
    }
    assert describe_schedule(multi) == "daily at 06:00"
    assert describe_schedule({"frequency": "lunar"}) == "lunar"
    assert describe_schedule(None) == "-"


def test_a_document_reads_back_equal_when_the_server_fills_defaults() -> None:
    sent = {"name": "a", "filter_logic": None, "target": {"x": None, "y": 1}}
    assert same_document(sent, {"name": "a", "target": {"y": 1}, "updated_at": "t", "filters": []})
    assert not same_document(sent, {"name": "b", "target": {"y": 1}})
    # A field the PUT left out must read back cleared, or the PUT did not land.
    assert not same_document(sent, {"name": "a", "target": {"y": 1}, "filters": [{"f": 1}]})
