"""The Signalsmith adapter against the sandbox, over real loopback HTTP (see `helpers`).

Where a test needs a fault on one particular request (a dropped answer on the PUT, not on the
reads around it), `Loopback` arms the sandbox's own fault for just that request.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import httpx
import pytest

from synctui.domain import errors
from synctui.domain.models import RunState, Sync, SyncStatus
from synctui.sandbox.server import Sandbox
from synctui.services.demo import demo_accounts
from synctui.store.accounts import Account
from synctui.vendors import signalsmith
from synctui.vendors.http import CallLog, RetrySettings
from synctui.vendors.signalsmith import (
    PAUSED_MESSAGE,
    SignalsmithAdapter,
    describe_schedule,
    parse_run,
    parse_sync,
)
from tests.conftest import admin_state, advance_clock
from tests.vendors import helpers
from tests.vendors.helpers import (
    FAULT_STORM,
    assert_token_kept_out,
    check_failing_reads,
    demo_adapter,
    faults,
)
from tests.waits import Waits

NEW_SYNC = {
    "name": "Orders to Snowflake mirror",
    "model_id": "770e8400-e29b-41d4-a716-446655440000",
    "destination_id": "880e8400-e29b-41d4-a716-446655440000",
    "field_mapping": [{"source_column": "email", "destination_field": "Email"}],
    "sync_mode": "upsert",
    "primary_key": "customer_id",
    "schedule": "0 */6 * * *",
}


# --- helpers -------------------------------------------------------------------------------
class Loopback(helpers.Loopback):
    vendor = "signalsmith"


def info(sandbox: Sandbox) -> dict:
    return sandbox.info()["signalsmith"]


def workspace(sandbox: Sandbox) -> str:
    return info(sandbox)["ids"]["workspaces"][0]  # signalsmith-acme


def make_adapter(sandbox: Sandbox, **kw: Any) -> SignalsmithAdapter:
    return demo_adapter(SignalsmithAdapter, sandbox, "signalsmith-acme", **kw)


def url(sandbox: Sandbox, *parts: str) -> str:
    base = f"{info(sandbox)['base_url']}/api/v1/workspaces/{workspace(sandbox)}/syncs"
    return "/".join([base, *parts])


def raw_client(sandbox: Sandbox) -> httpx.Client:
    """Someone else, working in the same workspace with the plain API."""
    headers = {
        "Authorization": f"Bearer {info(sandbox)['tokens']['rw']}",
        "X-Workspace-ID": workspace(sandbox),
    }
    return httpx.Client(headers=headers, timeout=10)


def raw_list(sandbox: Sandbox) -> list[dict]:
    with raw_client(sandbox) as client:
        return client.get(url(sandbox)).raise_for_status().json()


def raw_get(sandbox: Sandbox, sync_id: str, *parts: str) -> Any:
    with raw_client(sandbox) as client:
        return client.get(url(sandbox, sync_id, *parts)).raise_for_status().json()


def raw_put(sandbox: Sandbox, sync_id: str, **changes: Any) -> dict:
    with raw_client(sandbox) as client:
        return client.put(url(sandbox, sync_id), json=changes).raise_for_status().json()


def counts(sandbox: Sandbox, sync_id: str) -> tuple[int, int]:
    """(PUTs applied, runs triggered) on that sync, as the sandbox counted them."""
    truth = admin_state(sandbox, "signalsmith")["syncs"][sync_id]
    return truth["puts"], truth["triggers"]


def find_all(sandbox: Sandbox, status: str, *, idle: bool = True) -> list[str]:
    """Seeded acme syncs in `status`, in list order; idle: their latest run has finished."""
    found = []
    for sync in raw_list(sandbox):
        if sync["status"] != status:
            continue
        latest = sync["last_run_id"]
        if idle and latest and raw_get(sandbox, sync["id"], "runs", latest)["completed_at"] is None:
            continue
        found.append(sync["id"])
    return found


def find(sandbox: Sandbox, status: str, *, idle: bool = True) -> str:
    """The first seeded acme sync in `status`."""
    found = find_all(sandbox, status, idle=idle)
    assert found, f"the seed has no {status} sync"
    return found[0]


def without_query(request: httpx.Request) -> httpx.Request:
    """A server that knows nothing of paging: the documented, bare-array list."""
    return httpx.Request(
        request.method,
        request.url.copy_with(query=None),
        headers=request.headers,
        content=request.content,
        extensions=request.extensions,
    )


# --- reads ---------------------------------------------------------------------------------
async def test_lists_page_by_page_with_columns_and_statuses(reader) -> None:
    log = CallLog()
    adapter = make_adapter(reader, call_log=log)
    adapter.page_size = 5
    pages = [page async for page in adapter.iter_syncs()]
    await adapter.aclose()
    truth = {s["id"]: s for s in raw_list(reader)}
    syncs = [s for page in pages for s in page]
    assert [len(p) for p in pages] == [5, 5, 5, len(truth) - 15]
    assert [s.id for s in syncs] == list(truth)  # every sync once, in the vendor's order
    lists = [r for r in log.records() if r.method == "GET"]
    assert len(lists) == len(pages)
    keys = [key for key, _ in adapter.table_columns]
    assert keys == ["name", "model_destination", "sync_mode", "schedule", "vendor_status"]
    for sync in syncs:
        raw = truth[sync.id]
        assert sync.raw == raw and sync.complete and list(sync.columns) == keys
        assert sync.vendor_status == raw["status"] == sync.columns["vendor_status"]
        assert sync.columns["model_destination"] == (
            f"{raw['model_id'][:8]} → {raw['destination_id'][:8]}"
        )
        assert sync.columns["schedule"].startswith(raw["schedule"])
        assert sync.updated_at == raw["updated_at"]
    by_status = {s.vendor_status: s for s in syncs}
    assert {s.status for s in syncs} == {
        SyncStatus.ACTIVE,
        SyncStatus.PAUSED,
        SyncStatus.DRAFT,
        SyncStatus.ERROR,
    }
    errored = by_status["error"]
    assert errored.status is SyncStatus.ERROR
    assert errored.status_reason == truth[errored.id]["status_error"] != ""
    assert by_status["paused"].status is SyncStatus.PAUSED and by_status["paused"].status_reason
    assert by_status["draft"].status is SyncStatus.DRAFT
    assert by_status["active"].status_reason is None
    first = next(s for s in syncs if s.raw["schedule"] == "0 */6 * * *")
    assert first.columns["schedule"] == "0 */6 * * * (every 6 hours, at minute 0)"


async def test_the_documented_bare_array_is_read_too(reader) -> None:
    inner = Loopback(reader)
    inner.rewrite = without_query
    adapter = make_adapter(reader, inner=inner)
    adapter.page_size = 5
    pages = [page async for page in adapter.iter_syncs()]
    assert len(pages) == 1 and [s.id for s in pages[0]] == [s["id"] for s in raw_list(reader)]
    sid = find(reader, "active")
    runs = await adapter.list_runs(sid, limit=2)
    assert len(runs) == 2 and runs[0].id == raw_get(reader, sid)["last_run_id"]
    assert "16 syncs" in await adapter.check()
    await adapter.aclose()


async def test_get_sync_check_and_runs(reader) -> None:
    adapter = make_adapter(reader)
    assert await adapter.check() == f"workspace {workspace(reader)} readable: 16 syncs"
    sid = find(reader, "error")
    sync = await adapter.get_sync(sid)
    raw = raw_get(reader, sid)
    assert sync.complete and sync.raw == raw
    assert sync.latest_run is not None and sync.latest_run.id == raw["last_run_id"]
    assert sync.latest_run.state is RunState.FAILED and sync.latest_run.error
    all_runs = raw_get(reader, sid, "runs")
    runs = await adapter.list_runs(sid, limit=50)
    assert [r.id for r in runs] == [r["id"] for r in all_runs]  # newest first
    assert [r.created_at for r in runs] == sorted((r.created_at for r in runs), reverse=True)
    two = await adapter.list_runs(sid, limit=2)
    assert [r.id for r in two] == [r["id"] for r in all_runs[:2]]
    assert await adapter.list_runs(sid, limit=0) == []
    done = next(r for r in runs if r.state is RunState.SUCCESS)
    raw_run = done.raw
    assert done.summary.startswith(f"{raw_run['rows_synced']:,} rows synced")
    assert done.finished_at == raw_run["completed_at"]
    await adapter.aclose()


def test_runs_and_schedules_in_words() -> None:
    run = parse_run(
        {
            "id": "r",
            "status": "completed",
            "rows_synced": 5420,
            "rows_failed": 3,
            "error_message": "",
        }
    )
    assert run is not None and run.summary == "5,420 rows synced, 3 failed" and run.error is None
    assert run.state is RunState.SUCCESS
    failed = parse_run({"id": "f", "status": "failed", "rows_synced": 1, "error_message": "boom"})
    assert failed is not None and failed.state is RunState.FAILED
    assert (failed.summary, failed.error) == ("1 row synced", "boom")
    pending = parse_run({"id": "p", "status": "pending", "rows_synced": 0, "rows_failed": 0})
    assert pending is not None and pending.state is RunState.QUEUED and pending.summary == ""
    queued = parse_run({"id": "w", "status": "queued", "rows_synced": 0})  # product overview
    assert (
        queued is not None and queued.state is RunState.QUEUED and queued.vendor_status == "queued"
    )
    running = parse_run({"id": "q", "status": "running", "rows_synced": 1200})
    assert running is not None and running.summary == "1,200 rows synced so far"
    odd = parse_run({"id": "x", "status": "evaporated"})
    assert odd is not None and odd.state is RunState.UNKNOWN and odd.vendor_status == "evaporated"
    assert parse_run({"status": "completed"}) is None
    assert parse_run({"id": "c", "status": "cancelled"}).state is RunState.CANCELLED  # type: ignore[union-attr]
    assert describe_schedule("") == describe_schedule(None) == "manual only"
    assert describe_schedule("not cron") == "not cron"
    assert describe_schedule("0 */12 * * *") == "0 */12 * * * (every 12 hours, at minute 0)"


async def test_read_errors_are_typed_and_never_show_the_token(reader) -> None:
    log = CallLog()
    bad = make_adapter(reader, token="ss_secret-bad-token-123", call_log=log)
    with pytest.raises(errors.AuthError) as caught:
        await bad.get_sync(find(reader, "active"))
    assert "ss_secret-bad-token-123" not in str(caught.value)
    with pytest.raises(errors.AuthError):
        _ = [p async for p in bad.iter_syncs()]
    await bad.aclose()
    assert_token_kept_out("ss_secret-bad-token-123", log)

    adapter = make_adapter(reader)
    with pytest.raises(errors.NotFound, match="sync not found"):
        await adapter.get_sync("00000000-0000-4000-8000-000000000000")
    with pytest.raises(errors.NotFound):
        await adapter.list_runs("00000000-0000-4000-8000-000000000000")
    with pytest.raises(errors.UsageError):
        await adapter.get_sync(" ")
    await adapter.aclose()

    accounts, tokens = demo_accounts(reader.info())
    account = next(a for a in accounts if a.name == "signalsmith-acme")
    other = dataclasses.replace(account, workspace="00000000-0000-4000-8000-0000000000aa")
    elsewhere = SignalsmithAdapter(other, tokens[account.name])
    with pytest.raises(errors.NotFound, match="workspace") as missing:
        await elsewhere.check()
    assert missing.value.hint and "workspace id" in missing.value.hint
    await elsewhere.aclose()
    none = SignalsmithAdapter(dataclasses.replace(account, workspace=None), tokens[account.name])
    with pytest.raises(errors.ConfigError, match="workspace"):
        await none.check()
    await none.aclose()


# --- editing -------------------------------------------------------------------------------
async def test_dry_run_is_exact_masked_and_sends_nothing(reader) -> None:
    inner = Loopback(reader)
    adapter = make_adapter(reader, inner=inner)
    sid = find(reader, "active")
    sync = await adapter.get_sync(sid)
    token = info(reader)["tokens"]["rw"]
    mapping = [*sync.raw["field_mapping"], {"source_column": "plan", "destination_field": "Plan"}]
    patch = {"schedule": "0 */12 * * *", "field_mapping": mapping, "name": sync.name}
    plan = await adapter.plan_update(sync, patch, trigger_now=True)
    assert plan.summary == "PUT 2 fields (schedule, field_mapping) + trigger now"
    put, post = plan.requests
    base = f"{info(reader)['base_url']}/api/v1/workspaces/{workspace(reader)}/syncs/{sid}"
    assert (put.method, put.url) == ("PUT", base)
    assert (post.method, post.url, post.body) == ("POST", f"{base}/trigger", None)
    assert put.headers == {
        "Authorization": "Bearer ****",
        "X-Workspace-ID": workspace(reader),
        "Content-Type": "application/json",
    }
    assert post.headers["Authorization"] == "Bearer ****"
    assert put.body == {"schedule": "0 */12 * * *", "field_mapping": mapping}  # the whole array
    assert plan.before == {k: v for k, v in sync.raw.items() if k in plan.before}
    assert set(plan.before) == set(sync.raw) - signalsmith.SERVER_OWNED
    assert plan.after == {**plan.before, "schedule": "0 */12 * * *", "field_mapping": mapping}
    assert token not in json.dumps([r.model_dump() for r in plan.requests])
    assert inner.requests("PUT") == [] and inner.requests("POST") == []
    assert counts(reader, sid) == (0, 0)
    same = await adapter.plan_update(sync, {"name": sync.name})
    assert same.empty and same.requests == [] and same.summary == "no changes"
    one = await adapter.plan_update(sync, {"schedule": "0 */12 * * *"})
    assert one.summary == "PUT 1 field (schedule)"
    await adapter.aclose()


async def test_update_sends_only_the_changed_fields_and_unknown_fields_survive(sandbox) -> None:
    sid = find(sandbox, "active")
    raw_put(sandbox, sid, x_team={"owner": "growth", "tags": ["a", None]}, x_tier=3)
    before = raw_get(sandbox, sid)
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    sync = await adapter.get_sync(sid)
    assert sync.raw["x_team"] == {"owner": "growth", "tags": ["a", None]}
    plan = await adapter.plan_update(
        sync, {"config": {"batch_size": 50, "new_key": True}, "x_tier": 4, "description": None}
    )
    assert plan.requests[0].body == {
        "config": {**before["config"], "batch_size": 50, "new_key": True},  # sent whole
        "x_tier": 4,
        "description": "",  # null clears an optional field: a partial PUT cannot remove one
    }
    result = await adapter.apply(plan)
    assert result.message == "updated" and result.run is None
    puts = inner.requests("PUT")
    assert len(puts) == 1 and json.loads(puts[0][3]) == plan.requests[0].body
    assert puts[0][2]["content-type"] == "application/json"
    assert puts[0][2]["x-workspace-id"] == workspace(sandbox)
    after = raw_get(sandbox, sid)
    assert after["config"] == plan.after["config"] and after["x_tier"] == 4
    assert after["description"] == ""
    for key in ("x_team", "name", "field_mapping", "schedule", "primary_key", "model_id"):
        assert after[key] == before[key]
    assert result.sync is not None and result.sync.raw == after
    # A merge patch round trip: the document as edited is the document as read back.
    assert adapter.editable(result.sync) == plan.after
    # Clearing the schedule leaves manual runs only.
    cleared = await adapter.plan_update(result.sync, {"schedule": None})
    assert cleared.requests[0].body == {"schedule": ""}
    done = await adapter.apply(cleared)
    assert done.sync is not None and done.sync.columns["schedule"] == "manual only"
    assert counts(sandbox, sid)[0] == 3  # the setup PUT and our two
    await adapter.aclose()


async def test_invalid_edits_are_refused_before_anything_is_sent(reader) -> None:
    sid = find(reader, "active")
    inner = Loopback(reader)
    adapter = make_adapter(reader, inner=inner)
    sync = await adapter.get_sync(sid)
    with pytest.raises(errors.ValidationFailed) as cron:
        await adapter.plan_update(sync, {"schedule": "0 */12 * *"})
    assert [i.path for i in cron.value.issues] == ["schedule"]
    assert "cron" in str(cron.value)
    bad = [{"source_column": "a"}, {"source_column": "b", "destination_field": "Email"}]
    with pytest.raises(errors.ValidationFailed) as many:
        await adapter.plan_update(sync, {"sync_mode": "merge", "field_mapping": bad})
    assert {i.path for i in many.value.issues} == {
        "sync_mode",
        "field_mapping[0].destination_field",
    }
    # Not documented, so planned and left to Signalsmith: a cron that never fires, two rows
    # writing one field, an empty mapping, an `append` sync.
    dup = [
        {"source_column": "a", "destination_field": "Email"},
        {"source_column": "b", "destination_field": "Email"},
    ]
    for allowed in (
        {"schedule": "0 0 30 2 *"},
        {"field_mapping": dup},
        {"field_mapping": []},
        {"sync_mode": "append"},
    ):
        assert (await adapter.plan_update(sync, allowed)).requests, allowed
    with pytest.raises(errors.ValidationFailed, match="set by Signalsmith"):
        await adapter.plan_update(sync, {"last_run_id": "x"})
    with pytest.raises(errors.ValidationFailed, match="name cannot be removed"):
        await adapter.plan_update(sync, {"name": None})
    with pytest.raises(errors.ValidationFailed, match="status must be one of"):
        await adapter.plan_update(sync, {"status": "running"})
    with pytest.raises(errors.ValidationFailed):
        await adapter.plan_update(sync, ["not", "an", "object"])  # type: ignore[arg-type]
    assert inner.requests("PUT") == [] and counts(reader, sid) == (0, 0)
    await adapter.aclose()


async def test_the_vendors_own_refusal_names_the_field(reader) -> None:
    sid = find(reader, "active")
    adapter = make_adapter(reader)
    sync = await adapter.get_sync(sid)
    # Our validator lets a null type_cast through; Signalsmith wants a string.
    rows = [{"source_column": "email", "destination_field": "Email", "type_cast": None}]
    plan = await adapter.plan_update(sync, {"field_mapping": rows})
    with pytest.raises(errors.ValidationFailed) as caught:
        await adapter.apply(plan)
    assert "type_cast must be a string" in str(caught.value)
    assert [i.path for i in caught.value.issues] == ["field_mapping"]
    assert counts(reader, sid) == (0, 0)
    await adapter.aclose()


async def test_only_a_concurrent_change_to_the_same_field_is_a_conflict(sandbox) -> None:
    sid = find(sandbox, "active")
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    loaded = await adapter.get_sync(sid)
    plan = await adapter.plan_update(loaded, {"schedule": "0 */12 * * *"})
    raw_put(sandbox, sid, schedule="0 1 * * *")
    with pytest.raises(errors.Conflict, match="schedule"):
        await adapter.apply(plan)
    assert inner.requests("PUT") == [] and raw_get(sandbox, sid)["schedule"] == "0 1 * * *"
    # A colleague renaming it meanwhile is no conflict: the PUT leaves the name alone.
    fresh = await adapter.get_sync(sid)
    plan = await adapter.plan_update(fresh, {"schedule": "0 */12 * * *"})
    raw_put(sandbox, sid, name="Renamed by a colleague")
    assert (await adapter.apply(plan)).message == "updated"
    after = raw_get(sandbox, sid)
    assert (after["name"], after["schedule"]) == ("Renamed by a colleague", "0 */12 * * *")
    await adapter.aclose()


async def test_read_only_token_is_refused_and_writes_nothing(reader) -> None:
    sid = find(reader, "active")
    adapter = make_adapter(reader, readonly=True)
    sync = await adapter.get_sync(sid)  # reading is allowed
    plan = await adapter.plan_update(sync, {"name": "Nope"})
    for attempt in (
        adapter.apply(plan),
        adapter.set_active(sid, False),
        adapter.trigger(sid),
        adapter.delete(sid),
        adapter.create(NEW_SYNC),
    ):
        with pytest.raises(errors.PermissionDenied) as caught:
            await attempt
        assert "token is read-only" in str(caught.value)
    assert counts(reader, sid) == (0, 0)
    assert admin_state(reader, "signalsmith")["deleted"] == []
    assert len(raw_list(reader)) == 16
    await adapter.aclose()


# --- pause, resume, trigger, create, delete ------------------------------------------------
async def test_pause_resume_and_trigger(sandbox) -> None:
    sid = find(sandbox, "active")
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    paused = await adapter.set_active(sid, False)
    assert paused.message == "paused" and paused.sync is not None
    assert paused.sync.status is SyncStatus.PAUSED
    assert (await adapter.set_active(sid, False)).message == "already paused"
    # Signalsmith documents no refusal of a run for a paused sync: the trigger is sent, and
    # the vendor's answer (here a 409) is what the user sees.
    with pytest.raises(errors.SyncPaused) as caught:
        await adapter.trigger(sid)
    assert PAUSED_MESSAGE in str(caught.value) and "(Signalsmith: sync is paused)" in str(
        caught.value
    )
    assert len(inner.requests("POST", f"/syncs/{sid}/trigger")) == 1
    loaded = await adapter.get_sync(sid)
    still_paused = await adapter.plan_update(loaded, {"name": "x"}, trigger_now=True)
    assert [r.method for r in still_paused.requests] == ["PUT", "POST"]
    # Resuming in the same edit: the trigger goes after the PUT.
    plan = await adapter.plan_update(loaded, {"status": "active"}, trigger_now=True)
    assert plan.summary == "PUT 1 field (status) + trigger now"
    assert [r.method for r in plan.requests] == ["PUT", "POST"]
    result = await adapter.apply(plan)
    assert result.message == "updated and triggered"
    assert result.run is not None and result.run.state is RunState.QUEUED
    assert result.sync is not None and result.sync.latest_run is not None
    assert result.sync.latest_run.id == result.run.id == raw_get(sandbox, sid)["last_run_id"]
    with pytest.raises(errors.InvalidState, match="already in progress"):
        await adapter.trigger(sid)
    # The run moves on with the sandbox clock.
    advance_clock(sandbox, 300)
    runs = await adapter.list_runs(sid, limit=1)
    assert runs[0].id == result.run.id and runs[0].state.finished
    assert runs[0].finished_at is not None and "rows synced" in runs[0].summary
    again = await adapter.trigger(sid)
    assert again.message == "triggered" and again.run is not None
    # Pausing in the edit that asks for a run: the PUT lands, the vendor refuses the run, and
    # the error says what was already applied.
    advance_clock(sandbox, 300)
    pausing = await adapter.plan_update(
        await adapter.get_sync(sid), {"status": "paused"}, trigger_now=True
    )
    with pytest.raises(errors.SyncPaused) as refused:
        await adapter.apply(pausing)
    assert refused.value.hint == "already applied: updated"
    assert counts(sandbox, sid) == (3, 2)  # pause, resume, pause; two runs
    await adapter.aclose()


async def test_a_draft_is_triggered_as_asked_and_the_vendors_refusal_shown(sandbox) -> None:
    sid = find(sandbox, "draft")
    adapter = make_adapter(sandbox)
    with pytest.raises(errors.InvalidState, match=r"draft.*\(Signalsmith: .*draft"):
        await adapter.trigger(sid)
    plan = await adapter.plan_update(await adapter.get_sync(sid), {}, trigger_now=True)
    assert plan.summary == "trigger now"  # planned: whether a draft runs is Signalsmith's call
    resumed = await adapter.set_active(sid, True)
    assert resumed.sync is not None and resumed.sync.status is SyncStatus.ACTIVE
    assert (await adapter.trigger(sid)).run is not None
    assert counts(sandbox, sid) == (1, 1)
    await adapter.aclose()


async def test_create_and_delete(sandbox) -> None:
    adapter = make_adapter(sandbox)
    with pytest.raises(errors.ValidationFailed) as caught:
        await adapter.create({"name": "incomplete", "schedule": "every day"})
    paths = {i.path for i in caught.value.issues}
    assert {"model_id", "field_mapping", "schedule"} <= paths
    assert len(raw_list(sandbox)) == 16
    template = await adapter.get_sync(find(sandbox, "active"))
    # Another sync's JSON is a usable template: server-owned fields are dropped.
    created = await adapter.create({**template.raw, **NEW_SYNC, "x_extra": {"a": 1}})
    assert created.name == NEW_SYNC["name"] and created.raw["x_extra"] == {"a": 1}
    assert created.id != template.id and created.status is SyncStatus.ACTIVE
    assert raw_get(sandbox, created.id)["field_mapping"] == NEW_SYNC["field_mapping"]
    assert (await adapter.delete(created.id)).message == "deleted"
    assert admin_state(sandbox, "signalsmith")["deleted"] == [created.id]
    with pytest.raises(errors.NotFound):
        await adapter.delete(created.id)
    await adapter.aclose()


# --- faults --------------------------------------------------------------------------------
@pytest.mark.parametrize("spec", ["500=1", "502=1", "503=1", "429=1,retry-after=0", "malformed=1"])
async def test_a_failed_read_is_retried(reader, spec) -> None:
    log = CallLog()
    inner = Loopback(reader)
    adapter = make_adapter(reader, inner=inner, call_log=log)
    sid = find(reader, "active")
    log_start = len(log.records())
    inner.fault_on("GET", "/runs", spec)
    runs = await adapter.list_runs(sid, limit=3)
    assert len(runs) == 3
    assert [r.attempt for r in log.records()[log_start:]] == [1, 2]
    await adapter.aclose()


async def test_reads_that_keep_failing_end_in_typed_errors(reader) -> None:
    adapter = make_adapter(reader, attempts=2)
    sid = find(reader, "active")
    try:
        await check_failing_reads(
            reader,
            "signalsmith",
            rate_limited=lambda: adapter.list_runs(sid),
            server=lambda: adapter.get_sync(sid),
            unreadable=lambda: adapter.list_runs(sid),
            unreachable=adapter.check,
        )
    finally:
        await adapter.aclose()


# Each fault kind on its own sync of one sandbox: the sandbox counts writes per sync.
PUT_FAULTS = {"drop-after=1": 1, "malformed=1": 1, "drop-before=1": 2, "500=1": 2}
TRIGGER_FAULTS = {"drop-after=1": 1, "malformed=1": 1, "500=1": 2, "drop-before=1": 2}


async def test_a_put_whose_answer_is_lost_is_applied_exactly_once(sandbox) -> None:
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    targets = find_all(sandbox, "active")[: len(PUT_FAULTS)]
    for (spec, sends), sid in zip(PUT_FAULTS.items(), targets, strict=True):
        sync = await adapter.get_sync(sid)
        plan = await adapter.plan_update(sync, {"schedule": "0 */12 * * *"})
        inner.fault_on("PUT", f"/syncs/{sid}", spec)
        result = await adapter.apply(plan)
        assert result.message == "updated", spec
        assert result.sync is not None and result.sync.raw["schedule"] == "0 */12 * * *"
        assert counts(sandbox, sid)[0] == 1, spec
        # Resent only when the re-read showed it had not been applied.
        assert len(inner.requests("PUT", f"/syncs/{sid}")) == sends, spec
    await adapter.aclose()


async def test_a_trigger_whose_answer_is_lost_starts_one_run(sandbox) -> None:
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    targets = find_all(sandbox, "active")[: len(TRIGGER_FAULTS)]
    for (spec, posts), sid in zip(TRIGGER_FAULTS.items(), targets, strict=True):
        before = raw_get(sandbox, sid)["last_run_id"]
        inner.fault_on("POST", f"/syncs/{sid}/trigger", spec)
        result = await adapter.trigger(sid)
        assert result.run is not None and result.run.id != before, spec
        assert result.run.id == raw_get(sandbox, sid)["last_run_id"]
        assert counts(sandbox, sid) == (0, 1), spec
        assert len(inner.requests("POST", f"/syncs/{sid}/trigger")) == posts, spec
    await adapter.aclose()


@pytest.mark.parametrize("moves", ["trigger", "completion"])
async def test_a_lost_trigger_is_verified_in_the_runs_list_not_by_last_run_id(
    sandbox, moves: str
) -> None:
    """Nothing documents when `last_run_id` moves; the runs list is the record of runs. A
    trigger whose answer is lost is found there (and not sent again), whichever way the
    vendor moves `last_run_id`; one that visibly did not land is sent again, once."""
    sandbox.sim("signalsmith").last_run_id_moves = moves  # type: ignore[attr-defined]
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    targets = find_all(sandbox, "active")[:2]
    for (spec, posts), sid in zip((("drop-after=1", 1), ("500=1", 2)), targets, strict=True):
        runs_before = [r["id"] for r in raw_get(sandbox, sid, "runs")]
        inner.fault_on("POST", f"/syncs/{sid}/trigger", spec)
        result = await adapter.trigger(sid)
        assert result.message == "triggered" and result.run is not None, spec
        runs_after = [r["id"] for r in raw_get(sandbox, sid, "runs")]
        assert runs_after == [result.run.id, *runs_before], spec  # exactly one new run
        assert result.run.state is RunState.QUEUED, spec
        assert counts(sandbox, sid) == (0, 1), spec
        assert len(inner.requests("POST", f"/syncs/{sid}/trigger")) == posts, spec
    await adapter.aclose()


async def test_an_update_and_trigger_through_lost_answers_apply_once(sandbox) -> None:
    sid = find(sandbox, "active")
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    sync = await adapter.get_sync(sid)
    plan = await adapter.plan_update(sync, {"sync_mode": "mirror"}, trigger_now=True)
    inner.fault_on("PUT", f"/syncs/{sid}", "drop-after=1")
    # The trigger's answer is lost too: armed once the PUT has been settled.
    real = inner.handle_async_request

    async def arm_trigger(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/trigger"):
            inner.fault_on("POST", "/trigger", "drop-after=1")
        return await real(request)

    inner.handle_async_request = arm_trigger  # type: ignore[method-assign]
    result = await adapter.apply(plan)
    assert result.message == "updated and triggered" and result.run is not None
    assert counts(sandbox, sid) == (1, 1)
    await adapter.aclose()


async def test_lost_answers_on_pause_create_and_delete_are_settled_by_reading(sandbox) -> None:
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    ws = workspace(sandbox)
    targets = find_all(sandbox, "active")[:2]
    deleted: list[str] = []
    for round_, (spec, sid) in enumerate(
        zip(("drop-after=1", "drop-before=1"), targets, strict=True), 1
    ):
        inner.fault_on("PUT", f"/syncs/{sid}", spec)
        assert (await adapter.set_active(sid, False)).message == "paused"
        assert counts(sandbox, sid)[0] == 1 and raw_get(sandbox, sid)["status"] == "paused"
        posts = len(inner.requests("POST", f"/workspaces/{ws}/syncs"))
        inner.fault_on("POST", f"/workspaces/{ws}/syncs", spec)
        created = await adapter.create({**NEW_SYNC, "name": f"Copy {round_}"})
        assert len(raw_list(sandbox)) == 17 and created.name == f"Copy {round_}"
        sent = len(inner.requests("POST", f"/workspaces/{ws}/syncs")) - posts
        assert sent == (1 if spec == "drop-after=1" else 2), spec
        inner.fault_on("DELETE", f"/syncs/{created.id}", spec)
        assert (await adapter.delete(created.id)).message == "deleted"
        deleted.append(created.id)
        assert admin_state(sandbox, "signalsmith")["deleted"] == deleted
    await adapter.aclose()


async def test_rate_limit_waits_as_long_as_retry_after_says(sandbox) -> None:
    sid = find(sandbox, "active")
    advance_clock(sandbox, 2)  # the reads above fall out of the one-second window
    sim = sandbox.sim("signalsmith")
    sim.burst_per_second = 3  # type: ignore[attr-defined]
    waits: list[str] = []
    inner = Loopback(sandbox)

    def time_passes(response: httpx.Response) -> None:
        if response.status_code == 429:  # while we wait, the sandbox clock moves on too
            advance_clock(sandbox, float(response.headers["retry-after"]))

    inner.on_response = time_passes
    slept = Waits()
    retry = RetrySettings(base_delay=0.001, max_delay=0.01, max_retry_after=2.0, sleep=slept)
    adapter = make_adapter(sandbox, inner=inner, retry=retry, on_retry=waits.append)
    for _ in range(4):  # the fourth read within a second is refused once, then passes
        assert (await adapter.list_runs(sid, limit=1))[0].id
    assert admin_state(sandbox, "signalsmith")["rate_limited"] == 1
    assert waits == ["rate limited, retrying in 1 s"]  # Retry-After, not the 10 ms backoff
    assert slept.asked == [1.0]
    await adapter.aclose()
    # When the limit outlasts the retries, the error says so (and when to come back).
    sim.burst_per_second = 1  # type: ignore[attr-defined]
    stubborn = make_adapter(sandbox, attempts=2)
    with pytest.raises(errors.RateLimited) as caught:
        for _ in range(3):
            await stubborn.check()
    assert caught.value.retry_after == 1.0
    assert info(sandbox)["tokens"]["rw"] not in str(caught.value)
    await stubborn.aclose()


async def test_the_token_never_reaches_errors_or_the_call_log(sandbox) -> None:
    log = CallLog()
    token = info(sandbox)["tokens"]["rw"]
    adapter = make_adapter(sandbox, call_log=log, attempts=8)
    sid = find(sandbox, "active")
    with faults(sandbox, "signalsmith", FAULT_STORM):
        syncs = await adapter.list_syncs()
        seen: list[str] = []
        for _ in range(5):
            try:
                await adapter.set_active(sid, False)
                await adapter.set_active(sid, True)
            except errors.SyncTuiError as exc:
                seen.append(str(exc) + str(exc.hint))
    assert len(syncs) == 16
    assert any(r.attempt > 1 for r in log.records())
    assert_token_kept_out(token, log, seen)
    await adapter.aclose()


# --- pure parsing --------------------------------------------------------------------------
def test_a_malformed_item_shows_as_unknown_and_never_becomes_a_write() -> None:
    broken = parse_sync("acct", {"id": "s1", "name": "Odd", "field_mapping": "email:Email"})
    assert broken is not None and broken.status is SyncStatus.UNKNOWN
    assert "field_mapping" in (broken.status_reason or "")
    assert parse_sync("acct", {"name": "no id"}) is None
    assert parse_sync("acct", "junk") is None
    odd = parse_sync("acct", {"id": "s2", "status": "archived", "schedule": "@daily"})
    assert isinstance(odd, Sync) and odd.status is SyncStatus.UNKNOWN
    assert odd.vendor_status == "archived" and odd.columns["schedule"] == "@daily"
    account = Account(
        name="acct", vendor="signalsmith", base_url="https://x.example", workspace="w"
    )
    adapter = SignalsmithAdapter(account, "token")
    with pytest.raises(errors.VendorError, match="not readable"):
        adapter.editable(broken)
