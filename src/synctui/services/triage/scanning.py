"""Scanning accounts for syncs that need a person, account by account, in parallel.

Each account is listed once; run history is fetched only where it changes the answer (a
long-running run, a failing sync whose list entry carries no run, a sync being watched
after a remedy). An account that cannot be read is reported and the others carry on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from synctui.domain import errors
from synctui.domain.models import Capability, Run, RunState, Sync
from synctui.services.triage.assess import (
    HISTORY_RUNS,
    assess,
    might_be_stuck,
    typical_duration,
)
from synctui.services.triage.model import REASON_ORDER, Attention, Reason, age_key


@dataclass
class Scan:
    items: list[Attention] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)  # account → error sentence
    scanned: int = 0
    accounts_read: list[str] = field(default_factory=list)

    def by_reason(self) -> dict[Reason, list[Attention]]:
        groups: dict[Reason, list[Attention]] = {r: [] for r in REASON_ORDER}
        for item in self.items:
            groups[item.reason].append(item)
        return {r: sorted(v, key=age_key) for r, v in groups.items() if v}

    def counts_by_account(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.sync.account] = counts.get(item.sync.account, 0) + 1
        return counts


@dataclass(frozen=True)
class AccountScan:
    """One account's part of a scan: what the view shows as soon as that account answers."""

    account: str
    items: list[Attention]
    scanned: int
    error: str | None = None
    # Every sync listed, healthy ones included: a sync being watched after a remedy is
    # judged from its fresh state even when it no longer needs attention.
    syncs: tuple[Sync, ...] = ()


# --- scanning ---------------------------------------------------------------------------------
def scannable(session: Any, name: str) -> bool:
    """Accounts with syncs to list (LetsBuild has feeds, not syncs). Raises ImportError when
    this synctui has no adapter for the vendor, so the caller can report it."""
    return Capability.LIST in session.capabilities(name)


async def scan_account(
    session: Any,
    name: str,
    now: datetime | None = None,
    watch: Collection[tuple[str, str]] = (),
) -> AccountScan:
    """One account: list its syncs, fetch run history only for long runs, assess each.

    Syncs in `watch` (recovering after a remedy) are read in full (`get_sync`): some list
    endpoints carry no latest run (Signalsmith), and the run is what decides a recovery.
    """
    now = now or datetime.now(UTC)
    try:
        syncs = await session.guard(session.adapter(name).list_syncs())
        syncs = await _reread(session, name, syncs, [k for k in watch if k[0] == name])
        typical: dict[tuple[str, str], timedelta | None] = {}
        if Capability.RUNS in session.capabilities(name):
            suspects = [s for s in syncs if might_be_stuck(s, now)]
            histories = await asyncio.gather(
                *(session.list_runs(name, s.id, HISTORY_RUNS) for s in suspects),
                return_exceptions=True,
            )
            for sync, runs in zip(suspects, histories, strict=True):
                if isinstance(runs, list):
                    latest = sync.latest_run.id if sync.latest_run is not None else None
                    typical[sync.key] = typical_duration(r for r in runs if r.id != latest)
    except ImportError as exc:
        return AccountScan(name, [], 0, f"this synctui has no adapter for it yet ({exc})")
    except errors.SyncTuiError as exc:
        return AccountScan(name, [], 0, str(exc))
    found = [a for a in (assess(s, now, typical=typical.get(s.key)) for s in syncs) if a]
    if Capability.RUNS in session.capabilities(name):
        found = await _failing_since(session, name, found)
    return AccountScan(name, found, len(syncs), syncs=tuple(syncs))


async def _reread(
    session: Any, name: str, syncs: list[Sync], keys: list[tuple[str, str]]
) -> list[Sync]:
    """The listed syncs with the watched ones replaced by a full read (when it works)."""
    if not keys:
        return syncs
    fresh = await asyncio.gather(
        *(session.get_sync(name, sid) for _, sid in keys), return_exceptions=True
    )
    full = {s.key: s for s in fresh if isinstance(s, Sync)}
    return [full.get(s.key, s) for s in syncs]


async def _failing_since(session: Any, name: str, items: list[Attention]) -> list[Attention]:
    """For failing syncs whose list entry carries no run (Signalsmith), the time the
    current streak of failed runs began: the vendor's `updated_at` can be far older than
    the runs that succeeded since, and the list is sorted by how long the trouble lasts."""
    blind = [
        i for i in items
        if i.reason in (Reason.ERROR, Reason.FAILED_RUN) and i.sync.latest_run is None
    ]  # fmt: skip
    if not blind:
        return items
    histories = await asyncio.gather(
        *(session.list_runs(name, i.sync.id, 5) for i in blind), return_exceptions=True
    )
    better: dict[tuple[str, str], Attention] = {}
    for item, runs in zip(blind, histories, strict=True):
        start = streak_start(runs) if isinstance(runs, list) else None
        if start is not None:
            better[item.key] = replace(item, since=start)
    return [better.get(i.key, i) for i in items]


def streak_start(runs: Sequence[Run]) -> str | None:
    """When the leading run of failures (newest first) began; None if the latest is fine."""
    start: str | None = None
    for run in runs:
        if run.state is not RunState.FAILED:
            break
        start = run.finished_at or run.started_at or run.created_at or start
    return start


def plan_scan(session: Any, names: Sequence[str]) -> tuple[list[str], list[AccountScan]]:
    """Split accounts into those to list and those that fail at once (no adapter, unknown).

    Accounts without syncs (LetsBuild: feeds only) are in neither: there is nothing to check.
    """
    wanted: list[str] = []
    failed: list[AccountScan] = []
    for name in names:
        try:
            if scannable(session, name):
                wanted.append(name)
        except ImportError as exc:
            failed.append(
                AccountScan(name, [], 0, f"this synctui has no adapter for it yet ({exc})")
            )
        except errors.SyncTuiError as exc:
            failed.append(AccountScan(name, [], 0, str(exc)))
    return wanted, failed


async def scan(
    session: Any,
    accounts: Sequence[str] | None = None,
    now: datetime | None = None,
    *,
    progress: Callable[[AccountScan], None] | None = None,
    watch: Collection[tuple[str, str]] = (),
) -> Scan:
    """Every sync of the accounts (in parallel), keeping those needing attention.

    `progress` is called once per account as soon as it is done, so a view can fill in
    account by account; an account that fails is reported and the others carry on.
    `watch`: syncs to read in full (see `scan_account`).
    """
    names = list(accounts) if accounts else [a.name for a in session.accounts]
    result = Scan()
    wanted, failed = plan_scan(session, names)
    for done in failed:
        _collect(result, done, progress)

    async def one(name: str) -> None:
        _collect(result, await scan_account(session, name, now, watch), progress)

    await asyncio.gather(*(one(n) for n in wanted))
    return result


def _collect(
    result: Scan, done: AccountScan, progress: Callable[[AccountScan], None] | None
) -> None:
    if done.error is not None:
        result.failures[done.account] = done.error
    else:
        result.accounts_read.append(done.account)
        result.scanned += done.scanned
        result.items.extend(done.items)
    if progress is not None:
        progress(done)
