"""Remedies: what each sends (shown before a person confirms), running them, and judging
the recovery afterwards.

A remedy is a short list of ordinary service actions (resume, trigger, migrate), so it goes
through the session's one write path: read-only refusal, journal, typed errors. After it
the sync is *recovering* until its next run (or its status) confirms it; `recovery_verdict`
decides from vendor data alone, never from our clock, because the vendor's clock and ours
need not agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from synctui.domain import errors
from synctui.domain.models import Capability, RunState, Sync, SyncStatus, WriteResult
from synctui.services.triage.assess import assess, explain
from synctui.services.triage.model import STEP_CAPABILITY, Attention, Reason, Remedy
from synctui.services.vendor_rules import rules_for


def _short(ident: str, compact: bool) -> str:
    return f"{ident[:8]}…" if compact and len(ident) > 12 else ident


def describe_step(
    sync: Sync, step: str, workspace: str | None = None, *, compact: bool = False
) -> str:
    """What one step sends, in the vendor's own terms (shown before a person confirms).

    `compact` shortens long ids for a narrow pane; the confirmation always shows them whole.
    """
    sid = _short(sync.id, compact)
    workspace = _short(workspace, compact) if workspace else workspace
    words = rules_for(sync.vendor).describe_step(sync, step, sid, workspace)
    return words or f"{step} {sid}"


def describe_remedy(item: Attention, *, trigger: bool = True, workspace: str | None = None) -> str:
    """The confirmation text: which sync, and exactly which requests, in order."""
    remedy = item.remedy
    if remedy is None:
        return "No automatic remedy: look at this sync in the vendor's app."
    sync = item.sync
    steps = remedy.steps_for(trigger)
    lines = [f"{remedy.label}: {sync.name!r} on {sync.account} ({sync.vendor})", ""]
    lines += [f"{n}. {describe_step(sync, s, workspace)}" for n, s in enumerate(steps, 1)]
    if remedy.trigger_optional and not trigger:
        lines.append("(no run is triggered: it runs on its own schedule)")
    lines += ["", "Each step is journaled; the first failure stops the rest."]
    return "\n".join(lines)


def missing_capabilities(capabilities: frozenset[Capability], remedy: Remedy) -> list[str]:
    """Steps this adapter cannot run (the view offers no fix while any is missing)."""
    return [s for s in remedy.steps if STEP_CAPABILITY.get(s) not in capabilities]


# --- remedies: running them and watching the recovery -----------------------------------------
@dataclass(frozen=True)
class Recovery:
    """A remedy that succeeded: the sync is watched until vendor data confirms it."""

    item: Attention  # as it was when fixed
    previous_run: str | None  # latest run id before the remedy
    run_id: str | None  # the run the remedy started, when the vendor said
    expects_run: bool  # a trigger was sent
    applies_later: bool  # accepted, applied asynchronously (the vendor said pending)
    message: str  # what was done, in words

    @property
    def key(self) -> tuple[str, str]:
        return self.item.key


@dataclass(frozen=True)
class RemedyOutcome:
    results: list[WriteResult]
    skipped: list[str]  # sentences: steps left out and why
    recovery: Recovery


class Verdict(StrEnum):
    WAITING = "waiting"
    RECOVERED = "recovered"
    FAILED = "failed"


async def run_remedy(session: Any, item: Attention, *, trigger: bool = True) -> RemedyOutcome:
    """Run the remedy's steps in order through the session (journaled, read-only refused).

    The first failure propagates and stops the rest. A trigger right after a migration that
    left the sync paused is skipped (the vendor would refuse it) and said so.
    """
    remedy = item.remedy
    if remedy is None:
        raise errors.InvalidState(
            "no automatic remedy for this sync: look at it in the vendor's app"
        )
    session.refuse_if_readonly(remedy.label.lower())
    results: list[WriteResult] = []
    skipped: list[str] = []
    account, sync_id = item.sync.account, item.sync.id
    latest: Sync | None = None
    sent: list[str] = []
    for step in remedy.steps_for(trigger):
        if step == "trigger" and latest is not None and latest.status is SyncStatus.PAUSED:
            skipped.append("no run triggered: the sync is paused after the migration")
            continue
        if step in ("resume", "pause"):
            result = await session.set_active(account, sync_id, step == "resume")
        elif step == "trigger":
            result = await session.trigger(account, sync_id)
        elif step == "migrate":
            result = await session.migrate(account, sync_id)
        else:
            raise errors.Unsupported(f"unknown remedy step {step!r}")
        results.append(result)
        sent.append(step)
        latest = result.sync or latest
    return RemedyOutcome(results, skipped, _recovery(item, results, sent, skipped))


async def apply_remedy(session: Any, item: Attention, *, trigger: bool = True) -> list[WriteResult]:
    """Run the remedy's steps in order; stop at the first failure (it propagates)."""
    return (await run_remedy(session, item, trigger=trigger)).results


def _recovery(
    item: Attention, results: list[WriteResult], sent: list[str], skipped: list[str]
) -> Recovery:
    previous = item.sync.latest_run.id if item.sync.latest_run is not None else None
    started = (r.run.id for r in reversed(results) if r.run is not None)
    run_id = next((rid for rid in started if rid != previous), None)
    words = [r.message for r in results if r.message]
    if run_id:
        words.append(f"run {run_id} started")
    return Recovery(
        item=item,
        previous_run=previous,
        run_id=run_id,
        expects_run="trigger" in sent,
        applies_later=any(r.pending for r in results),
        message="; ".join(words + skipped) or "sent",
    )


def recovery_verdict(
    recovery: Recovery, sync: Sync | None, now: datetime | None = None
) -> tuple[Verdict, Attention | None]:
    """Has the remedy worked? Judged from the vendor's data only.

    - a run newer than the remedy (or the one it started) finished: success → RECOVERED,
      failure → FAILED with that run's error; still running → WAITING;
    - no new run yet: WAITING if a run was asked for or the vendor applies changes later
      and the sync still looks unchanged; otherwise the sync's state decides (healthy →
      RECOVERED, still needing attention → FAILED, back in its group).
    A sync that disappeared is RECOVERED: there is nothing left to fix.
    """
    if sync is None:
        return Verdict.RECOVERED, None
    now = now or datetime.now(UTC)
    run = sync.latest_run
    new_run = run is not None and (
        run.id == recovery.run_id or (run.id != recovery.previous_run and recovery.expects_run)
    )
    if new_run and run is not None:
        if run.state is RunState.SUCCESS:
            return Verdict.RECOVERED, None
        if run.state in (RunState.FAILED, RunState.CANCELLED):
            again = assess(sync, now)
            if again is None:
                reason = Reason.FAILED_RUN
                again = Attention(sync, reason, explain(sync, reason), run.finished_at, None)
            return Verdict.FAILED, again
        return Verdict.WAITING, None
    current = assess(sync, now)
    if current is None:
        return (Verdict.WAITING, None) if recovery.expects_run else (Verdict.RECOVERED, None)
    if recovery.expects_run or (recovery.applies_later and current.reason is recovery.item.reason):
        if current.reason in (Reason.PAUSED, Reason.DISABLED, Reason.LEGACY):
            # A run was asked for but the sync is (again) paused: nothing will run.
            return Verdict.FAILED, current
        return Verdict.WAITING, None
    return Verdict.FAILED, current
