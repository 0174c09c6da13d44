"""Batch updates: one merge patch applied to many syncs, the way the vendors document it.

No vendor has a bulk update, so a batch is client-side (Speckle's guide: list, filter on the
client, one `update` per sync, `triggerNow` only where chosen, in controlled chunks). This
module is that loop, written once for the CLI and the TUI:

- Every sync is planned by its adapter (`plan_update`, which validates) and sent through
  `Session.apply_plan`, the one write path: read-only mode, the journal (each entry tagged
  with the batch id) and typed errors come from there, never from here.
- One sync's failure is that sync's result, never the batch's crash: a validation failure, a
  conflict or a vendor error is recorded and the batch goes on.
- How many syncs are in flight adapts per account (`services.pacing`: start at a few, add
  one while answers stay fast and free of 429/503, halve on a 429, a 503 or a latency jump,
  never above the adapter's ceiling nor its documented rate limits), so a batch of
  thousands is fast on a quiet vendor and never floods a busy one. `concurrency=N` pins it
  at N per account instead (the documented rate limits still apply).
- `cancel()` stops new sends at once; the writes already on the wire finish and are
  journaled with their real outcome, and everything not started is `skipped: cancelled`.
- A write whose answer was lost is `unknown`, not `failed`: it may have been applied (a
  trigger may have started a run), so nothing here ever sends it again. `retry_failed()`
  takes only the `failed` syncs — refused or not applied — and re-reads each before
  planning it again; an `unknown` one is for a person to check (`synctui journal --outcome
  unknown`; a new batch without a trigger finds nothing to change where it landed).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from synctui.domain import errors
from synctui.domain.merge_patch import MergePatchError, require_object_patch
from synctui.domain.models import Capability, Sync, SyncStatus, WritePlan
from synctui.services.pacing import Pacer, pacer_for
from synctui.services.session import CancelledBeforeSending, Session, new_batch_id

__all__ = [
    "BatchCounts",
    "BatchUpdate",
    "Outcome",
    "Progress",
    "SyncResult",
]

SyncKey = tuple[str, str]

# Why a sync was skipped, in the words the CLI prints and the TUI shows.
NOTHING_TO_CHANGE = "nothing to change"
LEGACY = "legacy: migrate first"
PAUSED = "paused: cannot trigger"
CANCELLED = "cancelled"


class Outcome(StrEnum):
    OK = "ok"  # sent and applied (or accepted, for vendors that apply later: see `pending`)
    FAILED = "failed"  # refused or invalid: not applied
    UNKNOWN = "unknown"  # sent, but whether it was applied is unknown: never resent here
    SKIPPED = "skipped"  # deliberately not sent; `message` says why
    PLANNED = "planned"  # dry run: planned, nothing sent


@dataclass(frozen=True)
class SyncResult:
    """What happened to one sync of the batch."""

    sync: Sync
    outcome: Outcome
    message: str
    triggered: bool = False  # a run was requested with the update
    uncertain: bool = False  # sent, but whether it was applied is unknown (outcome UNKNOWN)
    pending: bool = False  # accepted by the vendor, applied later (Paragon)
    plan: WritePlan | None = None  # what was sent (or, in a dry run, would be)

    @property
    def key(self) -> SyncKey:
        return self.sync.key

    def as_json(self) -> dict[str, Any]:
        """The CLI's one-line record per sync (stable field names: scripts read them)."""
        return {
            "sync": self.sync.id,
            "name": self.sync.name,
            "account": self.sync.account,
            "outcome": self.outcome.value,
            "message": self.message,
            "triggered": self.triggered,
            "pending": self.pending,
        }


_COUNTED = ("ok", "failed", "unknown", "skipped", "planned")


@dataclass(frozen=True)
class BatchCounts:
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    planned: int = 0
    unknown: int = 0

    @property
    def done(self) -> int:
        return sum(getattr(self, name) for name in _COUNTED)

    def add(self, outcome: Outcome) -> BatchCounts:
        values = {name: getattr(self, name) for name in _COUNTED}
        values[outcome.value] += 1
        return BatchCounts(**values)

    def describe(self) -> str:
        parts = [f"{self.ok} ok", f"{self.failed} failed", f"{self.skipped} skipped"]
        if self.unknown:
            parts.insert(2, f"{self.unknown} unknown")
        if self.planned:
            parts.insert(0, f"{self.planned} planned")
        return ", ".join(parts)


# (done, total, counts, latest result): enough for a progress bar and a live log line.
Progress = Callable[[int, int, BatchCounts, SyncResult], None]


@dataclass
class _State:
    results: dict[int, SyncResult] = field(default_factory=dict)
    counts: BatchCounts = field(default_factory=BatchCounts)
    sending: set[int] = field(default_factory=set)


class BatchUpdate:
    """One patch over many syncs. Run it once; `retry_failed()` builds the next attempt.

    `trigger_now` is True/False for every sync, or the set of `Sync.key`s to trigger.
    """

    def __init__(
        self,
        session: Session,
        targets: Iterable[Sync],
        patch: dict[str, Any],
        *,
        trigger_now: bool | Collection[SyncKey] = False,
        concurrency: int | None = None,
        dry_run: bool = False,
        batch_id: str | None = None,
        refresh: bool = False,
    ) -> None:
        try:
            self.patch = require_object_patch(patch)
        except MergePatchError as exc:
            raise errors.UsageError(str(exc)) from None
        if concurrency is not None and (
            isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1
        ):
            raise errors.UsageError("concurrency must be a whole number of at least 1")
        self.session = session
        self.targets = _unique(targets)
        self.trigger_now = trigger_now if isinstance(trigger_now, bool) else set(trigger_now)
        self.concurrency = concurrency  # None: adapts per account (see services.pacing)
        self.dry_run = dry_run
        self.batch_id = batch_id or new_batch_id()
        # Re-read every sync before planning (retries: the list may be stale by now).
        self.refresh = refresh
        self._state = _State()
        self._cancelled = False
        self._started = False
        self._pacers: dict[str, Pacer] = {}

    # --- reading the outcome ----------------------------------------------------------------
    @property
    def total(self) -> int:
        return len(self.targets)

    @property
    def counts(self) -> BatchCounts:
        return self._state.counts

    @property
    def results(self) -> list[SyncResult]:
        """Results so far, in target order."""
        return [self._state.results[i] for i in sorted(self._state.results)]

    @property
    def failed(self) -> list[SyncResult]:
        """Refused or not applied: safe to try again. Never the `unknown` ones."""
        return [r for r in self.results if r.outcome is Outcome.FAILED]

    @property
    def unknown(self) -> list[SyncResult]:
        return [r for r in self.results if r.outcome is Outcome.UNKNOWN]

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @property
    def adaptive(self) -> bool:
        return self.concurrency is None

    @property
    def live_concurrency(self) -> int | None:
        """Syncs allowed in flight right now over the batch's accounts (None: not started)."""
        if not self._pacers:
            return self.concurrency
        return sum(pacer.limit for pacer in self._pacers.values())

    def describe_concurrency(self) -> str:
        """'6 at a time (adaptive)' or '4 at a time': what the progress line shows."""
        now = self.live_concurrency
        if now is None:
            return "adaptive concurrency"
        return f"{now} at a time" + (" (adaptive)" if self.adaptive else "")

    def wants_trigger(self, sync: Sync) -> bool:
        if isinstance(self.trigger_now, bool):
            return self.trigger_now
        return sync.key in self.trigger_now

    # --- control ----------------------------------------------------------------------------
    def cancel(self) -> None:
        """Send nothing new; writes already sent finish and keep their real outcome."""
        self._cancelled = True

    def retry_failed(self) -> BatchUpdate:
        """A new batch over the failed syncs, re-read first, under the same batch id.

        Same id because a retry is the same intent: the journal then shows a sync's failed
        attempt and its retry together. Syncs whose outcome is unknown are not in it: their
        write may have been applied, and sending it again could apply it (or start a run)
        twice.
        """
        return BatchUpdate(
            self.session,
            [r.sync for r in self.failed],
            self.patch,
            trigger_now=self.trigger_now,
            concurrency=self.concurrency,
            dry_run=self.dry_run,
            batch_id=self.batch_id,
            refresh=True,
        )

    async def run(self, progress: Progress | None = None) -> list[SyncResult]:
        """Plan and send every target; returns the results in target order.

        Raises:
            ReadOnlyError: read-only mode (checked before anything is read or sent).
            UsageError: the batch was already run.
        """
        if self._started:
            raise errors.UsageError("a batch runs once: use retry_failed() for another attempt")
        self._started = True
        if not self.dry_run:
            self.session.refuse_if_readonly(f"batch update of {self.total} syncs")
        queues: dict[str, deque[tuple[int, Sync]]] = {}
        for index, sync in enumerate(self.targets):
            queues.setdefault(sync.account, deque()).append((index, sync))
        with contextlib.ExitStack() as hooks:
            workers: list[asyncio.Task[None]] = []
            for account, queue in queues.items():
                pacer = self._pace(account, hooks)
                for _ in range(min(self._most(pacer), len(queue))):
                    workers.append(asyncio.create_task(self._worker(queue, pacer, progress)))
            try:
                await asyncio.gather(*workers)
            finally:
                for task in workers:
                    task.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
                self._finish_unrecorded()
        return self.results

    async def _worker(
        self, queue: deque[tuple[int, Sync]], pacer: Pacer | None, progress: Progress | None
    ) -> None:
        """Take the account's syncs in order, each once its pacer has a slot free."""
        while queue:
            async with pacer.slot() if pacer else contextlib.nullcontext():
                if not queue:
                    return
                index, sync = queue.popleft()
                result = await self._one(index, sync)
            self._record(index, result, progress)

    def _pace(self, account: str, hooks: contextlib.ExitStack) -> Pacer | None:
        """The account's pacer, hooked into its HTTP policy until the batch ends."""
        try:
            adapter = self.session.adapter(account)
        except errors.SyncTuiError:
            return None  # no token: each of its syncs fails with the reason, unpaced
        pacer = pacer_for(adapter)
        pacer.set_fixed(self.concurrency)
        hooks.enter_context(pacer.attached(getattr(adapter, "transport", None)))
        self._pacers[account] = pacer
        return pacer

    def _most(self, pacer: Pacer | None) -> int:
        """Workers to start for one account: as many as its limit may ever allow."""
        if self.concurrency is not None or pacer is None:
            return self.concurrency or 1
        return max(pacer.controller.pacing.ceiling, pacer.limit)

    # --- one sync -----------------------------------------------------------------------------
    async def _one(self, index: int, sync: Sync) -> SyncResult:
        if self._cancelled:
            return SyncResult(sync, Outcome.SKIPPED, CANCELLED)
        if sync.status is SyncStatus.LEGACY:
            return SyncResult(sync, Outcome.SKIPPED, LEGACY)
        try:
            if Capability.EDIT not in self.session.capabilities(sync.account):
                return SyncResult(sync, Outcome.SKIPPED, f"{sync.vendor} syncs cannot be edited")
            plan_or_skip = await self._plan(sync)
        except errors.SyncTuiError as exc:
            return SyncResult(sync, Outcome.FAILED, str(exc))
        if isinstance(plan_or_skip, SyncResult):
            return plan_or_skip
        plan = plan_or_skip
        if self.dry_run:
            return SyncResult(sync, Outcome.PLANNED, plan.summary, plan.trigger_now, plan=plan)
        if self._cancelled:  # cancelled while this one was being planned: do not send it
            return SyncResult(sync, Outcome.SKIPPED, CANCELLED)
        self._state.sending.add(index)  # stays set if this task is cancelled mid-send
        try:
            result = await self.session.apply_plan(plan, batch_id=self.batch_id)
        except CancelledBeforeSending:
            self._state.sending.discard(index)  # stopped before a byte went out
            raise
        except errors.SyncTuiError as exc:
            self._state.sending.discard(index)
            if isinstance(exc, errors.OutcomeUnknown):
                return SyncResult(sync, Outcome.UNKNOWN, str(exc), uncertain=True, plan=plan)
            return SyncResult(sync, Outcome.FAILED, str(exc), plan=plan)
        self._state.sending.discard(index)
        if not result.ok:
            return SyncResult(sync, Outcome.FAILED, result.message, plan=plan)
        return SyncResult(
            result.sync or sync,
            Outcome.OK,
            result.message,
            triggered=plan.trigger_now,
            pending=result.pending,
            plan=plan,
        )

    async def _plan(self, sync: Sync) -> WritePlan | SyncResult:
        """The adapter's plan for this sync, or the reason it is skipped."""
        if self.refresh or not sync.complete:
            sync = await self.session.get_sync(sync.account, sync.id)
            if sync.status is SyncStatus.LEGACY:
                return SyncResult(sync, Outcome.SKIPPED, LEGACY)
        trigger = self.wants_trigger(sync)
        try:
            plan = await self.session.plan_update(
                sync.account, sync, self.patch, trigger_now=trigger
            )
        except errors.NeedsMigration:
            return SyncResult(sync, Outcome.SKIPPED, LEGACY)
        except errors.SyncPaused:
            return SyncResult(sync, Outcome.SKIPPED, PAUSED)
        if plan.empty:
            return SyncResult(sync, Outcome.SKIPPED, NOTHING_TO_CHANGE)
        return plan

    # --- bookkeeping --------------------------------------------------------------------------
    def _record(self, index: int, result: SyncResult, progress: Progress | None) -> None:
        state = self._state
        state.results[index] = result
        state.counts = state.counts.add(result.outcome)
        if progress is not None:
            progress(len(state.results), self.total, state.counts, result)

    def _finish_unrecorded(self) -> None:
        """After an abrupt stop (the task was cancelled), give every sync a result.

        The progress callback is not called here: the caller is being torn down.
        """
        for index, sync in enumerate(self.targets):
            if index in self._state.results:
                continue
            if index in self._state.sending:
                result = SyncResult(
                    sync,
                    Outcome.UNKNOWN,
                    "stopped while sending: it may or may not have been applied",
                    uncertain=True,
                )
            else:
                result = SyncResult(sync, Outcome.SKIPPED, CANCELLED)
            self._record(index, result, None)


def _unique(targets: Iterable[Sync]) -> list[Sync]:
    """Targets in order, each sync once (a selection can name a sync twice)."""
    seen: set[SyncKey] = set()
    out: list[Sync] = []
    for sync in targets:
        if sync.key not in seen:
            seen.add(sync.key)
            out.append(sync)
    return out
