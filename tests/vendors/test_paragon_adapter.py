"""The Paragon adapter against the sandbox, over real loopback HTTP (see `helpers`).

Where a test needs a fault on one particular request (a dropped answer on the PATCH, not on
the reads around it), `Loopback` arms the sandbox's own fault for just that request.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from synctui.domain import errors
from synctui.domain.models import SyncStatus
from synctui.sandbox.server import Sandbox
from synctui.store.accounts import Account
from synctui.vendors import paragon
from synctui.vendors.http import CallLog
from synctui.vendors.paragon import ParagonAdapter, parse_sync, synced_column
from tests.conftest import admin_state, advance_clock, set_faults
from tests.vendors import helpers
from tests.vendors.helpers import (
    FAULT_STORM,
    assert_token_kept_out,
    check_failing_reads,
    demo_adapter,
    faults,
)

NEW_CREDENTIAL = "11111111-2222-4333-8444-555555555555"


# --- helpers -------------------------------------------------------------------------------
class Loopback(helpers.Loopback):
    vendor = "paragon"


def info(sandbox: Sandbox) -> dict:
    return sandbox.info()["paragon"]


def make_adapter(sandbox: Sandbox, **kw: Any) -> ParagonAdapter:
    return demo_adapter(ParagonAdapter, sandbox, "paragon-demo", **kw)


def raw(sandbox: Sandbox, method: str, path: str = "", **kw: Any) -> Any:
    """Someone else, with the plain API."""
    headers = {"Authorization": f"Bearer {info(sandbox)['tokens']['rw']}"}
    url = f"{info(sandbox)['base_url']}/api/syncs{path}"
    response = httpx.request(method, url, headers=headers, timeout=10, **kw).raise_for_status()
    return response.json() if response.content else None


def state(sandbox: Sandbox, sync_id: str | None = None) -> dict:
    truth = admin_state(sandbox, "paragon")
    return truth if sync_id is None else truth["syncs"][sync_id]


def find(sandbox: Sandbox, status: str, index: int = 0) -> str:
    """A seeded sync in `status` (list order, so deterministic)."""
    found = [row["id"] for row in raw(sandbox, "GET")["data"] if row["status"] == status]
    assert len(found) > index, f"the seed has too few {status} syncs"
    return found[index]


def other_frequency(current: str) -> str:
    return "5m" if current != "5m" else "10m"


def frequency(sandbox: Sandbox, sync_id: str) -> str:
    """The frequency Paragon holds: no documented answer reports it, only the simulator's
    admin state does."""
    return state(sandbox, sync_id)["incrementalAccumulatorFrequency"]


def whole(sandbox: Sandbox, sync_id: str) -> dict:
    """What synctui shows as the sync's JSON: its list row with its status answer over it."""
    row = next(r for r in raw(sandbox, "GET")["data"] if r["id"] == sync_id)
    return {**row, **raw(sandbox, "GET", f"/{sync_id}")}


# --- reads ---------------------------------------------------------------------------------
async def test_lists_with_details_columns_and_statuses(reader, monkeypatch) -> None:
    monkeypatch.setattr(paragon, "DETAIL_CHUNK", 5)
    log = CallLog()
    adapter = make_adapter(reader, call_log=log)
    pages = [page async for page in adapter.iter_syncs()]
    await adapter.aclose()
    rows = raw(reader, "GET")["data"]
    syncs = [s for page in pages for s in page]
    assert [len(p) for p in pages] == [5, 5, 5, len(rows) - 15]
    assert [s.id for s in syncs] == [r["id"] for r in rows]
    assert [r.target for r in log.records()].count("/api/syncs") == 1
    assert len(log.records()) == 1 + len(rows)  # the list, then each row's status
    keys = [key for key, _ in adapter.table_columns]
    assert keys == ["integration", "pipeline", "vendor_status", "configuration", "synced"]
    detail_only = ["credential", "last_synced", "frequency", "created"]
    expected = {
        "ACTIVE": SyncStatus.ACTIVE,
        "IDLE": SyncStatus.IDLE,
        "INITIALIZING": SyncStatus.INITIALIZING,
        "DISABLED": SyncStatus.PAUSED,
        "ERRORED": SyncStatus.ERROR,
    }
    for sync, row in zip(syncs, rows, strict=True):
        detail = raw(reader, "GET", f"/{sync.id}")
        assert sync.complete and sync.raw == {**row, **detail}
        assert list(sync.columns) == keys + detail_only and not sync.unavailable
        assert sync.status is expected[detail["status"]] and sync.vendor_status == detail["status"]
        summary = detail["summary"]
        assert sync.columns["synced"] == (
            f"{summary['syncedRecordsCount']:,} / {summary['totalRecords']:,} records"
        )
        assert sync.columns["configuration"] == sync.name == row["configurationName"]
        assert sync.columns["credential"] == detail["credentialId"]
        assert sync.columns["frequency"] == "not reported by Paragon"
        assert sync.updated_at == row["dateUpdated"]
        if detail["status"] == "ERRORED":
            assert sync.status_reason == detail["reason"] != ""
        if detail["status"] == "INITIALIZING":
            assert sync.status_reason == f"full sync in progress: {sync.columns['synced']}"
        if detail["status"] == "DISABLED":
            assert "re-enabled" in (sync.status_reason or "")
        assert sync.latest_run is None  # Paragon keeps no run history
    assert {s.status for s in syncs} == set(expected.values())


async def test_list_rows_alone_when_details_are_off_or_unreadable(reader) -> None:
    adapter = make_adapter(reader)
    adapter.details_in_lists = False
    syncs = await adapter.list_syncs()
    assert syncs and not any(s.complete for s in syncs)
    assert all(s.columns["synced"] == "" and not s.unavailable for s in syncs)
    errored = next(s for s in syncs if s.status is SyncStatus.ERROR)
    assert errored.status_reason == "Paragon reports ERRORED (its status was not read)"
    await adapter.aclose()
    # A status that keeps failing leaves its row shown from the list, marked unavailable.
    flaky = make_adapter(reader, attempts=1)
    victim = find(reader, "ERRORED")
    set_faults(reader, f"500=1,only=/paragon/api/syncs/{victim}")
    try:
        listed = {s.id: s for s in await flaky.list_syncs()}
    finally:
        set_faults(reader, "")
    shown = listed[victim]
    assert not shown.complete and shown.status is SyncStatus.ERROR
    assert list(shown.unavailable) == ["status"] and "500" in shown.unavailable["status"]
    assert shown.columns["synced"] == shown.columns["credential"] == "unavailable"
    assert "unavailable" in (shown.status_reason or "")
    assert sum(s.complete for s in listed.values()) == len(listed) - 1
    await flaky.aclose()


async def test_get_sync_check_and_what_paragon_does_not_offer(reader) -> None:
    adapter = make_adapter(reader)
    assert await adapter.check() == "Paragon syncs readable with this user token: 16 syncs"
    sid = find(reader, "INITIALIZING")
    sync = await adapter.get_sync(sid)
    assert sync.complete and sync.raw == whole(reader, sid)
    # The frequency is not readable: shown as such, and not part of the edited document.
    assert adapter.editable(sync) == {"credentialId": sync.raw["credentialId"]}
    assert sync.columns["frequency"] == "not reported by Paragon"
    with pytest.raises(errors.NotFound, match="lists no sync"):
        await adapter.read_sync("00000000-0000-4000-8000-000000000000")
    with pytest.raises(errors.Unsupported):
        await adapter.list_runs(sid)
    with pytest.raises(errors.Unsupported):
        await adapter.trigger(sid)
    with pytest.raises(errors.Unsupported, match="cannot be triggered"):
        await adapter.plan_update(sync, {}, trigger_now=True)
    await adapter.aclose()


async def test_read_errors_are_typed_and_never_show_the_token(reader) -> None:
    log = CallLog()
    secret = "eyJhbGciOiJSUzI1NiJ9.secret-bad-token.sig"
    bad = make_adapter(reader, token=secret, call_log=log)
    with pytest.raises(errors.AuthError) as caught:
        await bad.check()
    assert secret not in str(caught.value) and caught.value.hint
    with pytest.raises(errors.AuthError):
        await bad.get_sync(find(reader, "ACTIVE"))
    await bad.aclose()
    assert_token_kept_out(secret, log)
    adapter = make_adapter(reader)
    with pytest.raises(errors.NotFound, match="Sync not found"):
        await adapter.get_sync("00000000-0000-4000-8000-000000000000")
    with pytest.raises(errors.UsageError):
        await adapter.get_sync("")
    await adapter.aclose()


# --- editing -------------------------------------------------------------------------------
async def test_dry_run_is_exact_masked_and_sends_nothing(sandbox) -> None:
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    sid = find(sandbox, "ACTIVE")
    sync = await adapter.get_sync(sid)
    new = other_frequency(frequency(sandbox, sid))
    plan = await adapter.plan_update(sync, {"incrementalAccumulatorFrequency": new})
    assert plan.summary == "PATCH 1 field (incrementalAccumulatorFrequency)"
    (patch,) = plan.requests
    assert (patch.method, patch.url) == ("PATCH", f"{info(sandbox)['base_url']}/api/syncs/{sid}")
    assert patch.headers == {"Authorization": "Bearer ****", "Content-Type": "application/json"}
    assert patch.body == {"incrementalAccumulatorFrequency": new}
    assert plan.after == {**plan.before, "incrementalAccumulatorFrequency": new}
    both = await adapter.plan_update(
        sync, {"credentialId": NEW_CREDENTIAL, "incrementalAccumulatorFrequency": new}
    )
    assert both.summary == (
        "PATCH 2 fields (credentialId, incrementalAccumulatorFrequency) — starts a full re-sync"
    )
    credential = await adapter.plan_update(sync, {"credentialId": NEW_CREDENTIAL})
    assert credential.summary == "PATCH 1 field (credentialId) — starts a full re-sync"
    same = await adapter.plan_update(sync, {"credentialId": sync.raw["credentialId"]})
    assert same.empty and same.requests == [] and same.summary == "no changes"
    token = info(sandbox)["tokens"]["rw"]
    assert token not in json.dumps([r.model_dump() for r in both.requests])
    assert inner.requests("PATCH") == []
    assert state(sandbox, sid)["patches"] == 0 and state(sandbox, sid)["pending"] == []
    await adapter.aclose()


async def test_an_update_is_accepted_then_applied_a_moment_later(sandbox) -> None:
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    sid = find(sandbox, "ACTIVE")
    sync = await adapter.get_sync(sid)
    old = frequency(sandbox, sid)
    plan = await adapter.plan_update(
        sync, {"incrementalAccumulatorFrequency": other_frequency(old)}
    )
    result = await adapter.apply(plan)
    assert (result.message, result.pending, result.sync) == ("accepted, applying", True, None)
    (sent,) = inner.requests("PATCH")
    assert json.loads(sent[3]) == plan.requests[0].body
    assert sent[2]["content-type"] == "application/json"
    # Accepted, not applied: the vendor still holds the old value a moment later.
    assert frequency(sandbox, sid) == old
    advance_clock(sandbox, 2)
    applied = await adapter.get_sync(sid)
    assert frequency(sandbox, sid) == other_frequency(old)
    assert applied.columns["frequency"] == "not reported by Paragon"  # still not readable
    assert adapter.editable(applied) == plan.before
    assert state(sandbox, sid)["patches"] == 1
    # A new credential starts a full re-sync: the synced count starts again from zero.
    plan = await adapter.plan_update(applied, {"credentialId": NEW_CREDENTIAL})
    assert (await adapter.apply(plan)).pending
    advance_clock(sandbox, 2)
    resync = await adapter.get_sync(sid)
    assert resync.raw["credentialId"] == NEW_CREDENTIAL
    assert resync.status is SyncStatus.INITIALIZING
    assert resync.raw["summary"]["syncedRecordsCount"] < resync.raw["summary"]["totalRecords"]
    assert state(sandbox, sid)["patches"] == 2
    await adapter.aclose()


async def test_invalid_edits_are_refused_before_anything_is_sent(sandbox) -> None:
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    sid = find(sandbox, "ACTIVE")
    sync = await adapter.get_sync(sid)
    with pytest.raises(errors.ValidationFailed) as other:
        await adapter.plan_update(sync, {"status": "DISABLED", "configurationName": "x"})
    assert str(other.value).startswith(
        "paragon-demo: Paragon can only change credentialId and incrementalAccumulatorFrequency"
    )
    assert {i.path for i in other.value.issues} == {"status", "configurationName"}
    with pytest.raises(errors.ValidationFailed) as enum:
        await adapter.plan_update(sync, {"incrementalAccumulatorFrequency": "2m"})
    assert [i.path for i in enum.value.issues] == ["incrementalAccumulatorFrequency"]
    assert "1m, 5m, 10m, 30m, 1h, 3h, 6h, 24h" in str(enum.value)
    with pytest.raises(errors.ValidationFailed, match="UUID"):
        await adapter.plan_update(sync, {"credentialId": "not-a-uuid"})
    with pytest.raises(errors.ValidationFailed, match="cannot be removed"):
        await adapter.plan_update(sync, {"credentialId": None})
    with pytest.raises(errors.ValidationFailed, match="does not report the current one"):
        await adapter.plan_update(sync, {"incrementalAccumulatorFrequency": None})
    with pytest.raises(errors.ValidationFailed):
        await adapter.plan_update(sync, "junk")  # type: ignore[arg-type]
    assert inner.requests("PATCH") == []
    assert state(sandbox, sid)["pending"] == [] and state(sandbox, sid)["patches"] == 0
    await adapter.aclose()


async def test_a_list_row_is_read_in_full_before_planning(sandbox) -> None:
    adapter = make_adapter(sandbox)
    adapter.details_in_lists = False
    row = next(s for s in await adapter.list_syncs() if s.id == find(sandbox, "IDLE"))
    assert not row.complete and adapter.editable(row) == {}
    plan = await adapter.plan_update(row, {"incrementalAccumulatorFrequency": "24h"})
    detail = raw(sandbox, "GET", f"/{row.id}")
    assert plan.before["credentialId"] == detail["credentialId"]
    assert plan.requests[0].body == {"incrementalAccumulatorFrequency": "24h"}
    await adapter.aclose()


async def test_a_change_to_the_same_field_since_loading_is_a_conflict(sandbox) -> None:
    adapter = make_adapter(sandbox)
    sid = find(sandbox, "ACTIVE")
    loaded = await adapter.get_sync(sid)
    plan = await adapter.plan_update(loaded, {"credentialId": NEW_CREDENTIAL})
    other = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    raw(sandbox, "PATCH", f"/{sid}", json={"credentialId": other})
    advance_clock(sandbox, 2)
    with pytest.raises(errors.Conflict, match="credentialId"):
        await adapter.apply(plan)
    advance_clock(sandbox, 2)
    truth = state(sandbox, sid)
    assert truth["credentialId"] == other and truth["patches"] == 1
    await adapter.aclose()


async def test_a_frequency_change_since_loading_cannot_be_seen_and_is_overwritten(
    sandbox,
) -> None:
    """Paragon reports no frequency, so someone else's change to it cannot be detected: the
    PATCH is sent (this is said in the README, not hidden)."""
    adapter = make_adapter(sandbox)
    sid = find(sandbox, "ACTIVE")
    plan = await adapter.plan_update(
        await adapter.get_sync(sid), {"incrementalAccumulatorFrequency": "24h"}
    )
    raw(sandbox, "PATCH", f"/{sid}", json={"incrementalAccumulatorFrequency": "3h"})
    advance_clock(sandbox, 2)
    assert (await adapter.apply(plan)).pending
    advance_clock(sandbox, 2)
    assert frequency(sandbox, sid) == "24h" and state(sandbox, sid)["patches"] == 2
    await adapter.aclose()


async def test_read_only_token_is_refused_and_writes_nothing(sandbox) -> None:
    adapter = make_adapter(sandbox, readonly=True)
    sid = find(sandbox, "ACTIVE")
    sync = await adapter.get_sync(sid)  # reading is allowed
    plan = await adapter.plan_update(sync, {"incrementalAccumulatorFrequency": "24h"})
    for attempt in (adapter.apply(plan), adapter.set_active(sid, False), adapter.delete(sid)):
        with pytest.raises(errors.PermissionDenied) as caught:
            await attempt
        assert "token is read-only" in str(caught.value)
    advance_clock(sandbox, 2)
    truth = state(sandbox)
    assert truth["syncs"][sid]["patches"] == 0 and truth["syncs"][sid]["status"] == "ACTIVE"
    assert truth["deleted"] == []
    await adapter.aclose()


# --- pause, resume, delete -----------------------------------------------------------------
async def test_disable_reenable_and_delete(sandbox) -> None:
    adapter = make_adapter(sandbox)
    sid = find(sandbox, "ACTIVE")
    paused = await adapter.set_active(sid, False)
    assert paused.message == "paused" and paused.sync is not None
    assert paused.sync.status is SyncStatus.PAUSED and paused.sync.vendor_status == "DISABLED"
    assert (await adapter.set_active(sid, False)).message == "already paused"
    resumed = await adapter.set_active(sid, True)
    assert resumed.message == "resumed" and resumed.sync is not None
    assert resumed.sync.status is not SyncStatus.PAUSED
    assert (await adapter.set_active(sid, True)).message == "already active"
    # Paragon re-enables only disabled syncs; an ERRORED one says how to restart it.
    errored = find(sandbox, "ERRORED")
    with pytest.raises(errors.InvalidState) as caught:
        await adapter.set_active(errored, True)
    assert "ERRORED" in str(caught.value) and "pause it, then resume it" in str(caught.value)
    assert (await adapter.set_active(errored, False)).message == "paused"
    assert (await adapter.set_active(errored, True)).message == "resumed"
    assert state(sandbox, errored)["status"] != "ERRORED"
    assert (await adapter.delete(sid)).message == "deleted"
    assert state(sandbox)["deleted"] == [sid]
    with pytest.raises(errors.NotFound):
        await adapter.delete(sid)
    await adapter.aclose()


# --- faults --------------------------------------------------------------------------------
@pytest.mark.parametrize("spec", ["500=1", "502=1", "503=1", "429=1,retry-after=0", "malformed=1"])
async def test_a_failed_read_is_retried(reader, spec) -> None:
    log = CallLog()
    inner = Loopback(reader)
    adapter = make_adapter(reader, inner=inner, call_log=log)
    sid = find(reader, "ACTIVE")
    inner.fault_on("GET", f"/api/syncs/{sid}", spec)
    assert (await adapter.get_sync(sid)).complete
    assert [r.attempt for r in log.records() if r.target.endswith(sid)] == [1, 2]
    await adapter.aclose()


async def test_reads_that_keep_failing_end_in_typed_errors(reader) -> None:
    adapter = make_adapter(reader, attempts=2)
    sid = find(reader, "ACTIVE")
    try:
        await check_failing_reads(
            reader,
            "paragon",
            rate_limited=lambda: adapter.get_sync(sid),
            server=adapter.check,
            server_status=502,
            unreadable=lambda: adapter.get_sync(sid),
            unreachable=adapter.check,
        )
    finally:
        await adapter.aclose()


# (fault, applied once the clock moves on): a lost PATCH answer is never resent.
PATCH_FAULTS = {"drop-after=1": 1, "malformed=1": 1, "drop-before=1": 0, "500=1": 0}


async def test_a_lost_patch_answer_is_reported_unknown_and_never_resent(sandbox) -> None:
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    for index, (spec, applied) in enumerate(PATCH_FAULTS.items()):
        sid = find(sandbox, "ACTIVE", index)
        sync = await adapter.get_sync(sid)
        new = other_frequency(frequency(sandbox, sid))
        plan = await adapter.plan_update(sync, {"incrementalAccumulatorFrequency": new})
        inner.fault_on("PATCH", f"/api/syncs/{sid}", spec)
        with pytest.raises(errors.OutcomeUnknown) as caught:
            await adapter.apply(plan)
        assert "not sent again" in str(caught.value) and caught.value.hint, spec
        assert len(inner.requests("PATCH", f"/api/syncs/{sid}")) == 1, spec
        advance_clock(sandbox, 2)
        assert state(sandbox, sid)["patches"] == applied, spec
    await adapter.aclose()


async def test_a_lost_patch_answer_is_confirmed_when_the_change_already_shows(sandbox) -> None:
    sandbox.sim("paragon").apply_delay_s = 0  # type: ignore[attr-defined]
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    sid = find(sandbox, "ACTIVE")
    plan = await adapter.plan_update(await adapter.get_sync(sid), {"credentialId": NEW_CREDENTIAL})
    inner.fault_on("PATCH", f"/api/syncs/{sid}", "drop-after=1")
    result = await adapter.apply(plan)
    assert result.message == "updated" and not result.pending
    assert result.sync is not None and result.sync.raw["credentialId"] == NEW_CREDENTIAL
    assert len(inner.requests("PATCH")) == 1 and state(sandbox, sid)["patches"] == 1
    await adapter.aclose()


async def test_lost_answers_on_disable_reenable_and_delete_are_settled_by_reading(
    sandbox,
) -> None:
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    for index, (spec, sends) in enumerate((("drop-after=1", 1), ("drop-before=1", 2))):
        sid = find(sandbox, "ACTIVE", index)
        inner.fault_on("POST", f"/{sid}/disable", spec)
        assert (await adapter.set_active(sid, False)).message == "paused"
        assert state(sandbox, sid)["status"] == "DISABLED"
        assert len(inner.requests("POST", f"/{sid}/disable")) == sends, spec
        inner.fault_on("POST", f"/{sid}/reenable", spec)
        assert (await adapter.set_active(sid, True)).message == "resumed"
        assert state(sandbox, sid)["status"] != "DISABLED"
        assert len(inner.requests("POST", f"/{sid}/reenable")) == sends, spec
        inner.fault_on("DELETE", f"/api/syncs/{sid}", spec)
        assert (await adapter.delete(sid)).message == "deleted"
        assert sid in state(sandbox)["deleted"]
        assert len(inner.requests("DELETE", f"/api/syncs/{sid}")) == sends, spec
    await adapter.aclose()


async def test_the_token_never_reaches_errors_or_the_call_log(sandbox) -> None:
    log = CallLog()
    token = info(sandbox)["tokens"]["rw"]
    adapter = make_adapter(sandbox, call_log=log, attempts=8)
    sid = find(sandbox, "ACTIVE")
    seen: list[str] = []
    with faults(sandbox, "paragon", FAULT_STORM):
        syncs = await adapter.list_syncs()
        for frequency in ("5m", "10m", "30m"):
            try:
                sync = await adapter.get_sync(sid)
                plan = await adapter.plan_update(
                    sync, {"incrementalAccumulatorFrequency": frequency}
                )
                await adapter.apply(plan)
            except errors.SyncTuiError as exc:
                seen.append(f"{exc} {exc.hint}")
            advance_clock(sandbox, 2)
    assert len(syncs) == 16
    assert any(r.attempt > 1 for r in log.records())
    assert_token_kept_out(token, log, seen)
    await adapter.aclose()


# --- pure parsing --------------------------------------------------------------------------
def test_a_malformed_item_shows_as_unknown_and_never_becomes_a_write() -> None:
    broken = parse_sync("acct", {"id": "p1"}, {"credentialId": 42})
    assert broken is not None and broken.status is SyncStatus.UNKNOWN
    assert "credentialId" in (broken.status_reason or "")
    assert parse_sync("acct", {"status": "ACTIVE"}) is None
    assert parse_sync("acct", ["junk"]) is None
    odd = parse_sync("acct", {"id": "p2"}, {"status": "PAUSED_BY_ADMIN", "summary": "junk"})
    assert odd is not None and odd.status is SyncStatus.UNKNOWN and odd.complete
    assert odd.vendor_status == "PAUSED_BY_ADMIN" and odd.columns["synced"] == ""
    # The status answer's word is the fresher one; `reason` (absent or null) is tolerated.
    newer = parse_sync("acct", {"id": "p3", "status": "ACTIVE"}, {"status": "ERRORED"})
    assert newer is not None and newer.status is SyncStatus.ERROR
    assert newer.status_reason == "Paragon reports ERRORED without a reason"
    assert synced_column(None) == ""
    adapter = ParagonAdapter(Account(name="acct", vendor="paragon", base_url="https://x"), "t")
    with pytest.raises(errors.VendorError, match="not readable"):
        adapter.editable(broken)
