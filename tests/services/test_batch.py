"""Batch updates against the Speckle simulator over real HTTP.

The assertions read the simulator's own state (`/_admin/state/speckle`: per-sync update and
trigger counts and contexts), not only what the batch reports, so a batch that *says* it
updated a sync once but sent it twice fails here.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from synctui.domain import errors
from synctui.domain.filtering import compile_filter
from synctui.domain.models import Sync, SyncStatus
from synctui.sandbox.server import Sandbox
from synctui.services.batch import (
    CANCELLED,
    LEGACY,
    NOTHING_TO_CHANGE,
    PAUSED,
    BatchCounts,
    BatchUpdate,
    Outcome,
    SyncResult,
)
from synctui.services.session import Session
from synctui.vendors.speckle import SpeckleAdapter
from tests.conftest import admin_state, set_faults
from tests.services.conftest import SPECKLE, SessionFactory

TO_SURVEY = {"context": {"referencePoint": "surveyPoint"}}
TO_BASE = {"context": {"referencePoint": "projectBasePoint"}}


async def targets(session: Session, where: str) -> list[Sync]:
    predicate = compile_filter(where)
    return [s for s in await session.adapter(SPECKLE).list_syncs() if predicate(s)]


def sid(sync: Sync) -> str:
    return sync.id.split("/", 1)[1]


def batch_entries(session: Session, batch: BatchUpdate) -> list[Any]:
    return session.journal.list(batch_id=batch.batch_id, limit=100_000)


def by_outcome(results: list[SyncResult], outcome: Outcome) -> list[SyncResult]:
    return [r for r in results if r.outcome is outcome]


async def test_a_large_batch_under_faults_updates_each_sync_once_or_says_it_failed(
    big_sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(big_sandbox)
    chosen = await targets(
        session, "context.referencePoint!=projectBasePoint integration.slug!=projectwise"
    )
    assert len(chosen) >= 200
    legacy = [s for s in chosen if s.status is SyncStatus.LEGACY]
    paused = [s for s in chosen if s.status is SyncStatus.PAUSED]
    active = [s for s in chosen if s.status is SyncStatus.ACTIVE]
    assert legacy and paused and active
    # Trigger every third active sync and every paused one (which must be skipped).
    trigger = {s.key for s in active[::3]} | {s.key for s in paused}

    set_faults(big_sandbox, "500=0.1,429=0.05,retry-after=0,drop-after=0.05,only=speckle")
    calls: list[tuple[int, int, BatchCounts, SyncResult]] = []
    batch = BatchUpdate(session, chosen, TO_BASE, trigger_now=trigger, concurrency=8)
    results = await batch.run(progress=lambda *args: calls.append(args))
    set_faults(big_sandbox, "")

    # Progress: once per sync, counting up to the total; counts add up.
    assert [c[0] for c in calls] == list(range(1, len(chosen) + 1))
    assert {c[1] for c in calls} == {len(chosen)}
    final = calls[-1][2]
    assert final == batch.counts and final.done == len(chosen)
    assert [r.sync.id for r in results] == [s.id for s in chosen]  # target order

    state = admin_state(big_sandbox, "speckle")
    syncs = state["syncs"]
    for result in results:
        key = sid(result.sync)
        if result.outcome is Outcome.SKIPPED:
            assert result.message in (LEGACY, PAUSED), result
            if result.message == LEGACY:
                assert key in state["legacy"]
            else:
                assert syncs[key]["updates"] == 0 and not syncs[key]["active"]
            continue
        server = syncs[key]
        if result.outcome is Outcome.OK:
            assert server["updates"] == 1, result
            assert server["context"]["referencePoint"] == "projectBasePoint"
            assert server["triggers"] == (1 if result.sync.key in trigger else 0)
            assert result.triggered == (result.sync.key in trigger)
        else:
            assert result.outcome in (Outcome.FAILED, Outcome.UNKNOWN) and result.message
            assert result.uncertain == (result.outcome is Outcome.UNKNOWN)
            assert server["updates"] <= (1 if result.uncertain else 0), result
    # Nothing updated or triggered twice anywhere, and nothing outside the batch touched.
    assert max(s["updates"] for s in syncs.values()) <= 1
    assert max(s["triggers"] for s in syncs.values()) <= 1
    targeted = {sid(s) for s in chosen}
    assert all(s["updates"] == 0 for k, s in syncs.items() if k not in targeted)
    assert {r.sync.id for r in results if r.message == LEGACY} == {s.id for s in legacy}
    assert {r.sync.id for r in results if r.message == PAUSED} == {s.id for s in paused}

    # The journal: one finished entry per sync that was sent, all tagged with the batch id.
    entries = batch_entries(session, batch)
    sent = [r for r in results if r.outcome is not Outcome.SKIPPED]
    assert len(entries) == len(sent)
    assert {e.sync_id for e in entries} == {r.sync.id for r in sent}
    assert not [e for e in entries if e.pending]
    assert {e.sync_id for e in entries if e.outcome == "ok"} == {
        r.sync.id for r in by_outcome(results, Outcome.OK)
    }

    # A retry with the faults gone finishes the job, still never twice. It leaves out the
    # unknown ones: their write may have landed.
    retry = batch.retry_failed()
    assert retry.batch_id == batch.batch_id
    assert retry.total == len(batch.failed)
    assert not {r.key for r in batch.unknown} & {s.key for s in retry.targets}
    await retry.run()
    assert not retry.failed
    syncs = admin_state(big_sandbox, "speckle")["syncs"]
    unknown = {r.key for r in batch.unknown}
    for sync in active:
        if sync.key in unknown:
            assert syncs[sid(sync)]["updates"] <= 1
            continue
        assert syncs[sid(sync)]["updates"] == 1
        assert syncs[sid(sync)]["context"]["referencePoint"] == "projectBasePoint"
        assert syncs[sid(sync)]["triggers"] == (1 if sync.key in trigger else 0)


async def test_cancel_stops_new_sends_and_leaves_nothing_pending(
    big_sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(big_sandbox)
    chosen = await targets(session, "status=active context.referencePoint!=surveyPoint")
    batch = BatchUpdate(session, chosen, TO_SURVEY, concurrency=3)
    dones: list[int] = []

    def progress(done: int, total: int, counts: BatchCounts, latest: SyncResult) -> None:
        dones.append(done)
        if done == 20:
            batch.cancel()

    results = await batch.run(progress)
    assert batch.cancelled
    assert dones[-1] == len(chosen)  # every sync got a result, cancelled ones too
    ok = by_outcome(results, Outcome.OK)
    # At most the syncs already in flight (concurrency - 1) finish after the cancel.
    assert 20 <= len(ok) <= 22
    assert not by_outcome(results, Outcome.FAILED)
    cancelled = by_outcome(results, Outcome.SKIPPED)
    assert len(cancelled) == len(chosen) - len(ok)
    assert {r.message for r in cancelled} == {CANCELLED}

    syncs = admin_state(big_sandbox, "speckle")["syncs"]
    assert sum(s["updates"] for s in syncs.values()) == len(ok)
    assert {sid(r.sync) for r in ok} == {k for k, s in syncs.items() if s["updates"]}
    entries = batch_entries(session, batch)
    assert len(entries) == len(ok) and all(e.outcome == "ok" for e in entries)


async def test_retry_failed_sends_again_only_what_failed(
    big_sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(big_sandbox)
    chosen = (await targets(session, "status=active integration.slug=acc"))[:30]
    already = [s for s in chosen if s.raw["context"].get("referencePoint") == "surveyPoint"]
    set_faults(big_sandbox, "500=1,only=speckle")  # every call fails: nothing is sent
    batch = BatchUpdate(session, chosen, TO_SURVEY, concurrency=4)
    await batch.run()
    set_faults(big_sandbox, "")
    changing = [s for s in chosen if s not in already]
    assert len(batch.failed) == len(changing)
    assert {r.message for r in by_outcome(batch.results, Outcome.SKIPPED)} <= {NOTHING_TO_CHANGE}
    assert all("500" in r.message for r in batch.failed)
    assert sum(s["updates"] for s in admin_state(big_sandbox, "speckle")["syncs"].values()) == 0

    retry = batch.retry_failed()
    results = await retry.run()
    assert [r.outcome for r in results] == [Outcome.OK] * len(changing)
    syncs = admin_state(big_sandbox, "speckle")["syncs"]
    assert all(syncs[sid(s)]["updates"] == 1 for s in changing)
    entries = batch_entries(session, batch)  # both attempts, one batch id
    assert sorted(e.outcome for e in entries) == ["failed"] * len(changing) + ["ok"] * len(changing)


class LoseAnswers(httpx.AsyncBaseTransport):
    """Real HTTP, except that for chosen syncs the first update's answer is lost after the
    simulator applied it, and the reads that would confirm it cannot connect: the adapter
    cannot tell whether the write landed."""

    def __init__(self, sync_ids: set[str], blackout_reads: int) -> None:
        self.inner = httpx.AsyncHTTPTransport(retries=0)
        self.lose = set(sync_ids)
        self.blackout: dict[str, int] = {}
        self.blackout_reads = blackout_reads

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        payload = json.loads(request.content or b"{}")
        variables = payload.get("variables") or {}
        target = (variables.get("input") or {}).get("id") or variables.get("syncId")
        if self.blackout.get(target):
            self.blackout[target] -= 1
            raise httpx.ConnectError("unreachable (test)")
        response = await self.inner.handle_async_request(request)
        if "mutation UpdateSync" in payload.get("query", "") and target in self.lose:
            await response.aread()
            self.lose.discard(target)
            self.blackout[target] = self.blackout_reads
            raise httpx.RemoteProtocolError("answer lost (test)")
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_unknown_outcomes_are_never_sent_twice(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(sandbox)
    chosen = (await targets(session, "status=active context.referencePoint!=surveyPoint"))[:6]
    assert len(chosen) == 6
    lost = {sid(s) for s in chosen[:4]}
    trigger = {chosen[0].key, chosen[1].key, chosen[4].key}
    # Swap in an adapter whose transport loses answers (the session caches one per account).
    account = session.account(SPECKLE)
    lossy = LoseAnswers(lost, blackout_reads=session.options.retry.attempts)
    session._adapters[SPECKLE] = SpeckleAdapter(
        account,
        session.token_for(account),
        call_log=session.call_log,
        retry=session.options.retry,
        inner_transport=lossy,
    )

    batch = BatchUpdate(session, chosen, TO_SURVEY, trigger_now=trigger)
    results = await batch.run()
    unsure = [r for r in results if r.uncertain]
    assert {sid(r.sync) for r in unsure} == lost
    assert all(r.outcome is Outcome.UNKNOWN for r in unsure)
    assert all("may or may not have been applied" in r.message for r in unsure)
    assert [r.outcome for r in results[4:]] == [Outcome.OK, Outcome.OK]
    assert batch.counts.unknown == 4 and "4 unknown" in batch.counts.describe()
    entries = {e.sync_id: e.outcome for e in batch_entries(session, batch)}
    assert {entries[r.sync.id] for r in unsure} == {"unknown"}  # finished, not pending

    # "Retry failed" never takes an unknown one: it may have landed (and started a run).
    assert batch.failed == [] and batch.retry_failed().total == 0
    # Checking them is a read: where the change landed, a new batch (without a trigger,
    # which can never be checked this way) has nothing left to send.
    again = await BatchUpdate(session, chosen[:4], TO_SURVEY, refresh=True).run()
    assert {r.sync.id: r.message for r in again} == {s.id: NOTHING_TO_CHANGE for s in chosen[:4]}
    syncs = admin_state(sandbox, "speckle")["syncs"]
    for sync in chosen:
        assert syncs[sid(sync)]["updates"] == 1
        assert syncs[sid(sync)]["triggers"] == (1 if sync.key in trigger else 0)


async def test_read_only_mode_refuses_the_batch_before_anything_is_sent(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(sandbox, readonly=True)
    chosen = await targets(session, "status=active")
    batch = BatchUpdate(session, chosen, TO_SURVEY, trigger_now=True)
    with pytest.raises(errors.ReadOnlyError, match="read-only"):
        await batch.run()
    assert batch.results == []
    syncs = admin_state(sandbox, "speckle")["syncs"]
    assert sum(s["updates"] for s in syncs.values()) == 0
    assert session.journal.count() == 0

    # A dry run is a read: allowed, and it plans every sync without sending any.
    dry = BatchUpdate(session, chosen, TO_SURVEY, dry_run=True)
    planned = await dry.run()
    assert {r.outcome for r in planned} <= {Outcome.PLANNED, Outcome.SKIPPED}
    assert all(r.plan is not None and r.plan.requests for r in by_outcome(planned, Outcome.PLANNED))
    assert sum(s["updates"] for s in admin_state(sandbox, "speckle")["syncs"].values()) == 0


async def test_a_validation_failure_fails_that_sync_not_the_batch(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(sandbox)
    chosen = await targets(session, "status=active")
    batch = BatchUpdate(session, chosen, {"context": {"referencePoint": "moon"}})
    results = await batch.run()
    assert len(results) == len(chosen)
    assert {r.outcome for r in results} == {Outcome.FAILED}
    assert all("referencePoint must be one of" in r.message for r in results)
    assert session.journal.count() == 0  # refused before the write path: nothing journaled


def test_bad_arguments_are_usage_errors(sandbox: Sandbox, make_session: SessionFactory) -> None:
    session = make_session(sandbox)
    with pytest.raises(errors.UsageError, match="JSON object"):
        BatchUpdate(session, [], ["not", "a", "patch"])  # type: ignore[arg-type]
    with pytest.raises(errors.UsageError, match="at least 1"):
        BatchUpdate(session, [], {}, concurrency=0)


async def test_a_batch_stopped_abruptly_still_accounts_for_every_sync(
    big_sandbox: Sandbox, make_session: SessionFactory
) -> None:
    """The task itself is cancelled (a second Ctrl-C, the TUI closing): writes on the wire
    are journaled as unknown, never left pending, and every sync still gets a result."""
    import asyncio

    session = make_session(big_sandbox)
    chosen = await targets(session, "status=active context.referencePoint!=surveyPoint")
    batch = BatchUpdate(session, chosen, TO_SURVEY, concurrency=4)
    task: asyncio.Task[list[SyncResult]] | None = None

    def progress(done: int, total: int, counts: BatchCounts, latest: SyncResult) -> None:
        if done == 10 and task is not None:
            task.cancel()

    task = asyncio.ensure_future(batch.run(progress))
    with pytest.raises(asyncio.CancelledError):
        await task
    results = batch.results
    assert len(results) == len(chosen)
    ok = by_outcome(results, Outcome.OK)
    stopped = [r for r in results if r.uncertain]
    assert len(ok) >= 10 and len(ok) + len(stopped) <= 14
    assert all(r.outcome is Outcome.UNKNOWN for r in stopped)
    assert {r.message for r in by_outcome(results, Outcome.SKIPPED)} == {CANCELLED}
    entries = batch_entries(session, batch)
    assert not [e for e in entries if e.pending]
    assert {e.sync_id for e in entries if e.outcome == "unknown"} == {r.sync.id for r in stopped}
    syncs = admin_state(big_sandbox, "speckle")["syncs"]
    assert sum(s["updates"] for s in syncs.values()) <= len(ok) + len(stopped)
