"""A sync shown in full: its own record, then the secondary reads that complete it.

The record (the sync as the vendor keeps it) must be read, or there is nothing to show. A
secondary read only adds to it — Polytomic's `/status`, Signalsmith's latest run, Paragon's
status answer, and the run history of every vendor that keeps one. When a secondary read
fails, the sync is still shown, with that part marked unavailable and why; it never turns
the whole read into a failure. This is decided here, once for every vendor, so `syncs show`,
the detail pane and anything else that shows a sync degrade the same way.

Writes do not use this: they read with the adapter's all-or-nothing `get_sync`, because a
write checked against a half-read sync could be wrong.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from synctui.domain import errors
from synctui.domain.capabilities import Capability

if TYPE_CHECKING:
    from synctui.domain.models import Run, Sync
    from synctui.vendors.base import Adapter

T = TypeVar("T")
Guard = Callable[[Awaitable[Any]], Awaitable[Any]]

RUNS_PART = "runs"


@dataclass
class SyncDetail:
    """What a detail view shows: the sync, its recent runs, and what could not be read."""

    sync: Sync
    runs: list[Run] | None = None  # None: not asked for, not kept by the vendor, or unavailable
    unavailable: dict[str, str] = field(default_factory=dict)  # part → why (sync's and runs)


async def _attempt(guard: Guard, read: Callable[[], Awaitable[T]]) -> tuple[bool, Any]:
    """(True, value), or (False, why) when the read failed in a way a person can read."""
    try:
        return True, await guard(read())
    except errors.SyncTuiError as exc:
        return False, str(exc)


async def read_sync(adapter: Adapter, sync_id: str, guard: Guard) -> Sync:
    """The sync's record (its failure is the read's failure), completed by its secondary
    reads, run together; each one that fails is named in `Sync.unavailable`."""
    sync: Sync = await guard(adapter.read_sync(sync_id))
    reads = adapter.side_reads(sync)
    if not reads:
        return sync
    outcomes = await asyncio.gather(*(_attempt(guard, read) for read in reads.values()))
    parts: dict[str, Any] = {}
    missing: dict[str, str] = {}
    for name, (ok, value) in zip(reads, outcomes, strict=True):
        if ok:
            parts[name] = value
        else:
            missing[name] = value
    whole = adapter.with_parts(sync, parts)
    if missing:
        whole = whole.model_copy(update={"unavailable": {**whole.unavailable, **missing}})
    return whole


async def read_detail(adapter: Adapter, sync_id: str, guard: Guard, *, runs: int = 0) -> SyncDetail:
    """The sync (as `read_sync`) and, for a vendor that keeps runs, up to `runs` of them,
    read at the same time. Runs that cannot be read are one more unavailable part."""
    wants_runs = runs > 0 and Capability.RUNS in adapter.capabilities
    if not wants_runs:
        sync = await read_sync(adapter, sync_id, guard)
        return SyncDetail(sync, None, dict(sync.unavailable))
    sync_outcome, runs_outcome = await asyncio.gather(
        read_sync(adapter, sync_id, guard),
        _attempt(guard, lambda: adapter.list_runs(sync_id, runs)),
        return_exceptions=True,
    )
    if isinstance(sync_outcome, BaseException):
        raise sync_outcome  # no record, nothing to show: the runs alone say too little
    if isinstance(runs_outcome, BaseException):
        raise runs_outcome  # cancelled, or a bug: never hidden as "unavailable"
    unavailable = dict(sync_outcome.unavailable)
    ok, value = runs_outcome
    if not ok:
        unavailable[RUNS_PART] = value
    return SyncDetail(sync_outcome, value if ok else None, unavailable)
