"""A batch's journal writes, committed by the journal's writer thread in groups, keep the
journal's promises: every write is `pending` on disk before it is sent, and its outcome is
recorded even when the batch is stopped while outcomes wait to be committed.

What is on disk is read through another connection, as a crash would leave it; what was
sent is seen in the adapter's own send (`apply`), and what was applied in the simulator's
state.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from synctui.domain.models import Sync, WritePlan, WriteResult
from synctui.sandbox.server import Sandbox
from synctui.services.batch import BatchUpdate, Outcome, SyncResult
from synctui.services.session import Session
from synctui.store.journal import Journal
from tests.conftest import admin_state
from tests.services.conftest import SPECKLE, SessionFactory

TO_SURVEY = {"context": {"referencePoint": "surveyPoint"}}


async def editable(session: Session, n: int) -> list[Sync]:
    syncs = await session.adapter(SPECKLE).list_syncs()
    return [
        s
        for s in syncs
        if s.status.value == "active" and s.raw["context"].get("referencePoint") != "surveyPoint"
    ][:n]


def key(sync_id: str) -> str:
    """The simulator's key of a Speckle sync id (`project/sync`)."""
    return sync_id.split("/", 1)[1]


def on_disk(path: Path, sync_id: str) -> list[tuple[str, str | None]]:
    """(outcome, batch id) of the sync's entries, read by a connection of its own."""
    if not path.exists():
        return []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        try:
            return conn.execute(
                "SELECT outcome, batch_id FROM entries WHERE sync_id = ?", (sync_id,)
            ).fetchall()
        except sqlite3.OperationalError:  # no table yet: nothing was ever committed
            return []


async def test_every_write_of_a_batch_is_pending_on_disk_before_it_is_sent(
    big_sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(big_sandbox)
    chosen = await editable(session, 80)
    adapter = session.adapter(SPECKLE)
    send = adapter.apply
    seen: dict[str, list[tuple[str, str | None]]] = {}

    async def apply(plan: WritePlan) -> WriteResult:
        assert session.journal is not None
        seen[plan.sync_id] = on_disk(session.journal.path, plan.sync_id)
        return await send(plan)

    adapter.apply = apply  # type: ignore[method-assign]
    batch = BatchUpdate(session, chosen, TO_SURVEY)
    results = await batch.run()
    assert [r.outcome for r in results] == [Outcome.OK] * len(chosen)
    assert seen == {s.id: [("pending", batch.batch_id)] for s in chosen}
    assert {e.outcome for e in session.journal.list(batch_id=batch.batch_id)} == {"ok"}


async def test_outcomes_waiting_to_be_committed_survive_the_batch_being_stopped(
    big_sandbox: Sandbox, make_session: SessionFactory, tmp_path: Path
) -> None:
    """The journal is locked by another process as the fifth answer arrives; the batch task
    is cancelled (a second Ctrl-C) while the outcomes wait for the lock. Every outcome is
    still recorded: nothing pending, each applied write `ok` or `unknown`, never lost."""
    path = tmp_path / "journal.sqlite3"
    Journal(path).count()
    locker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    loop = asyncio.get_running_loop()
    task: asyncio.Task[list[SyncResult]] | None = None

    def on_busy(attempt: int, message: str) -> None:
        assert task is not None
        loop.call_soon_threadsafe(task.cancel)
        if locker.in_transaction:
            locker.execute("COMMIT")

    session = make_session(big_sandbox)
    session._journal = Journal(path, busy_timeout=0.05, on_busy=on_busy)
    chosen = await editable(session, 60)
    adapter = session.adapter(SPECKLE)
    send = adapter.apply
    answered: list[str] = []

    async def apply(plan: WritePlan) -> Any:
        result = await send(plan)
        answered.append(plan.sync_id)
        if len(answered) == 5:
            locker.execute("BEGIN EXCLUSIVE")  # applied; now the journal is locked
        return result

    adapter.apply = apply  # type: ignore[method-assign]
    batch = BatchUpdate(session, chosen, TO_SURVEY)
    task = asyncio.ensure_future(batch.run())
    with pytest.raises(asyncio.CancelledError):
        await task
    locker.close()
    entries = session.journal.list(batch_id=batch.batch_id, limit=1000)
    assert entries and not [e for e in entries if e.pending]
    by_sync = {e.sync_id: e.outcome for e in entries}
    ok = {r.sync.id for r in batch.results if r.outcome is Outcome.OK}
    assert ok and {s for s, outcome in by_sync.items() if outcome == "ok"} == ok
    assert set(answered) <= {s for s, outcome in by_sync.items() if outcome in ("ok", "unknown")}
    unknown = {s for s, outcome in by_sync.items() if outcome == "unknown"}
    applied = admin_state(big_sandbox, "speckle")["syncs"]
    updated = {key for key, state in applied.items() if state["updates"]}
    assert {key(s) for s in answered} <= updated <= {key(s) for s in {*answered, *unknown}}
