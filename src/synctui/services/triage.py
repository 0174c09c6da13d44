"""Support triage: which syncs need a person, why, and the one documented remedy for each.

Reasons are derived only from what the vendors already tell us (normalized status, the
vendor's own status text, the latest run), so `synctui doctor` and the attention view agree.
A remedy is a short list of ordinary service actions (resume, trigger, migrate), so it goes
through the same write path as everything else: read-only refusal, journal, typed errors.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from synctui.domain import errors
from synctui.domain.models import RunState, Sync, SyncStatus, WriteResult

STUCK_AFTER = timedelta(hours=2)


class Reason(StrEnum):
    ERROR = "in error"
    FAILED_RUN = "latest run failed"
    PAUSED = "paused"
    DISABLED = "disabled"
    LEGACY = "legacy, needs migration"
    STUCK = "stuck"


# Order of the groups in the view and in `doctor`: the most urgent first.
REASON_ORDER = (
    Reason.ERROR,
    Reason.FAILED_RUN,
    Reason.STUCK,
    Reason.DISABLED,
    Reason.PAUSED,
    Reason.LEGACY,
)


@dataclass(frozen=True)
class Remedy:
    """The vendor's documented way back, as steps the service layer knows how to run."""

    label: str  # "Resume, then trigger a run"
    steps: tuple[str, ...]  # of "resume", "trigger", "migrate"
    note: str = ""


@dataclass(frozen=True)
class Attention:
    sync: Sync
    reason: Reason
    why: str  # plain words, from the vendor's own data
    since: str | None  # ISO time the sync entered this state, as best we know
    remedy: Remedy | None

    @property
    def key(self) -> tuple[str, str]:
        return self.sync.key


@dataclass
class Scan:
    items: list[Attention] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)  # account → error sentence
    scanned: int = 0

    def by_reason(self) -> dict[Reason, list[Attention]]:
        groups: dict[Reason, list[Attention]] = {r: [] for r in REASON_ORDER}
        for item in self.items:
            groups[item.reason].append(item)
        return {r: sorted(v, key=_age_key) for r, v in groups.items() if v}

    def counts_by_account(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.sync.account] = counts.get(item.sync.account, 0) + 1
        return counts


def _age_key(item: Attention) -> str:
    # Oldest first: the longest-standing trouble leads its group.
    return item.since or "9999"


def _parse(ts: str | None) -> datetime | None:
    if not ts:
        return None
    try:
        value = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def remedy_for(sync: Sync, reason: Reason) -> Remedy | None:
    vendor = sync.vendor
    if reason is Reason.LEGACY:
        return Remedy("Migrate the legacy sync", ("migrate",), "then retry the edit you wanted")
    if reason in (Reason.PAUSED, Reason.DISABLED):
        if vendor == "paragon":
            return Remedy("Re-enable the sync", ("resume",), "it resumes where it left off")
        if vendor == "speckle":
            return Remedy(
                "Resume, then trigger a run",
                ("resume", "trigger"),
                "setActive, then update with triggerNow",
            )
        if vendor == "polytomic":
            return Remedy("Activate, then start an execution", ("resume", "trigger"))
        if vendor == "signalsmith":
            return Remedy("Set status active, then trigger", ("resume", "trigger"))
        return Remedy("Resume", ("resume",))
    if reason in (Reason.ERROR, Reason.FAILED_RUN):
        if vendor == "paragon":
            return Remedy("Re-enable the sync", ("resume",), "Paragon retries on re-enable")
        if vendor == "signalsmith" and sync.status is SyncStatus.ERROR:
            return Remedy("Set status active, then trigger", ("resume", "trigger"))
        if sync.status is SyncStatus.PAUSED:
            return Remedy("Resume, then trigger a run", ("resume", "trigger"))
        return Remedy("Trigger a new run", ("trigger",), "after fixing the cause shown")
    if reason is Reason.STUCK:
        return None  # nothing safe to do automatically: a person should look at the vendor
    return None


def assess(sync: Sync, now: datetime | None = None) -> Attention | None:
    """Does this sync need a person? If so: why, since when, and how to fix it."""
    now = now or datetime.now(UTC)
    run = sync.latest_run
    status = sync.status
    reason: Reason | None = None
    why = sync.status_reason or ""
    since = sync.updated_at
    if status is SyncStatus.LEGACY:
        reason = Reason.LEGACY
        why = why or "legacy sync: it must be migrated before it can be edited"
    elif status is SyncStatus.ERROR:
        reason = (
            Reason.FAILED_RUN if run is not None and run.state is RunState.FAILED else Reason.ERROR
        )
        if run is not None and run.state is RunState.FAILED:
            why = why or run.error or run.summary or "the latest run failed"
            since = run.finished_at or run.created_at or since
        else:
            why = why or f"{sync.vendor} reports {sync.vendor_status}"
    elif run is not None and run.state is RunState.FAILED:
        reason = Reason.FAILED_RUN
        why = run.error or why or "the latest run failed"
        since = run.finished_at or run.created_at or since
    elif status is SyncStatus.PAUSED:
        disabled = (
            sync.vendor in ("paragon", "polytomic") or "disabled" in sync.vendor_status.lower()
        )
        reason = Reason.DISABLED if disabled else Reason.PAUSED
        why = why or f"{sync.vendor_status}: no runs happen until it is resumed"
    elif run is not None and run.state in (RunState.RUNNING, RunState.QUEUED):
        started = _parse(run.started_at or run.created_at)
        if started is not None and now - started > STUCK_AFTER:
            reason = Reason.STUCK
            hours = (now - started).total_seconds() / 3600
            why = f"run {run.id} {run.state.value} for {hours:.1f} h"
            since = run.started_at or run.created_at
    if reason is None:
        return None
    return Attention(
        sync=sync, reason=reason, why=why, since=since, remedy=remedy_for(sync, reason)
    )


def triage(syncs: Iterable[Sync], now: datetime | None = None) -> list[Attention]:
    found = (assess(s, now) for s in syncs)
    return [a for a in found if a is not None]


async def scan(session, accounts: Sequence[str] | None = None, now: datetime | None = None) -> Scan:  # type: ignore[no-untyped-def]
    """List every sync of the accounts (in parallel) and keep those needing attention."""
    names = list(accounts) if accounts else [a.name for a in session.accounts]
    names = [n for n in names if session.account(n).vendor != "letsbuild"]
    result = Scan()

    async def one(name: str) -> None:
        try:
            syncs = await session.guard(session.adapter(name).list_syncs())
        except errors.SyncTuiError as exc:
            result.failures[name] = str(exc)
            return
        result.scanned += len(syncs)
        result.items.extend(triage(syncs, now))

    await asyncio.gather(*(one(n) for n in names))
    return result


async def apply_remedy(session, item: Attention, *, trigger: bool = True) -> list[WriteResult]:  # type: ignore[no-untyped-def]
    """Run the remedy's steps in order; stop at the first failure (it propagates)."""
    if item.remedy is None:
        raise errors.InvalidState(
            "no automatic remedy for this sync: look at it in the vendor's app"
        )
    results: list[WriteResult] = []
    account, sync_id = item.sync.account, item.sync.id
    for step in item.remedy.steps:
        if step == "trigger" and not trigger:
            continue
        if step == "resume":
            results.append(await session.set_active(account, sync_id, True))
        elif step == "trigger":
            results.append(await session.trigger(account, sync_id))
        elif step == "migrate":
            results.append(await session.migrate(account, sync_id))
    return results
