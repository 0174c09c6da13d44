"""A write the vendor applied stays a success when its journal completion meets a lock.

Another connection holds the journal's write lock (BEGIN EXCLUSIVE) from the moment the
vendor answered until the journal reports that it is waiting for it: the completion must
wait and record `ok`, never turn into a failure a "retry failed" would send again. If the
lock is never released, the write is still reported as the success it was, saying that the
journal could not record it (the entry stays pending, and reads as unknown once this
process is gone).
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from synctui.domain.models import WriteResult
from synctui.sandbox.server import Sandbox
from synctui.services.session import Session
from synctui.store.journal import Journal
from tests.conftest import admin_state
from tests.services.conftest import SPECKLE, SessionFactory


class Locker:
    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.held = False

    def hold(self) -> None:
        self.conn.execute("BEGIN EXCLUSIVE")
        self.held = True

    def release(self) -> None:
        if self.held:
            self.conn.execute("COMMIT")
            self.held = False


async def active_speckle_syncs(session: Session, n: int) -> list:
    syncs = await session.adapter(SPECKLE).list_syncs()
    return [
        s
        for s in syncs
        if s.status.value == "active" and s.raw["context"].get("referencePoint") != "surveyPoint"
    ][:n]


def triggers(sb: Sandbox, sync_id: str) -> int:
    return admin_state(sb, "speckle")["syncs"][sync_id.split("/")[1]]["triggers"]


async def test_a_trigger_is_recorded_ok_after_waiting_for_the_lock(
    sandbox: Sandbox, make_session: SessionFactory, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite3"
    Journal(path).count()
    locker = Locker(path)
    waits: list[int] = []

    def on_busy(attempt: int, message: str) -> None:
        waits.append(attempt)
        locker.release()

    session = make_session(sandbox)
    session._journal = Journal(path, busy_timeout=0.05, on_busy=on_busy)
    (sync,) = await active_speckle_syncs(session, 1)
    adapter = session.adapter(SPECKLE)

    async def send() -> WriteResult:
        result = await adapter.trigger(sync.id)
        locker.hold()  # the vendor has applied it; now the journal is locked
        return result

    result = await session.write(SPECKLE, sync.id, "trigger", send)
    assert result.ok and waits == [1]
    (entry,) = session.journal.list()
    assert entry.outcome == "ok"
    assert triggers(sandbox, sync.id) == 1


async def test_a_success_stays_a_success_when_the_journal_stays_locked(
    sandbox: Sandbox, make_session: SessionFactory, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite3"
    Journal(path).count()
    locker = Locker(path)
    session = make_session(sandbox)
    session._journal = Journal(path, busy_timeout=0.01, lock_attempts=2)
    (sync,) = await active_speckle_syncs(session, 1)
    adapter = session.adapter(SPECKLE)

    async def send() -> WriteResult:
        result = await adapter.trigger(sync.id)
        locker.hold()  # and never released while the write completes
        return result

    result = await session.write(SPECKLE, sync.id, "trigger", send)
    assert result.ok
    assert "not recorded in the journal" in result.message and "busy" in result.message
    assert triggers(sandbox, sync.id) == 1
    locker.release()
    (entry,) = session.journal.list()
    assert entry.outcome == "pending"  # this process still runs; once gone it reads unknown


async def test_a_cancel_while_the_intent_waits_for_the_lock_sends_nothing(
    sandbox: Sandbox, make_session: SessionFactory, tmp_path: Path
) -> None:
    """Cancelled (Ctrl-C twice) while `begin` waits for another writer: the intent is still
    recorded whole, then finished as skipped, and the request is never sent."""
    import asyncio

    from synctui.services.session import CancelledBeforeSending

    path = tmp_path / "journal.sqlite3"
    Journal(path).count()
    locker = Locker(path)
    loop = asyncio.get_running_loop()
    task: asyncio.Task[WriteResult] | None = None

    def on_busy(attempt: int, message: str) -> None:
        assert task is not None
        loop.call_soon_threadsafe(task.cancel)  # the cancellation lands while we wait...
        locker.release()  # ...and only then does the other writer let go

    session = make_session(sandbox)
    session._journal = Journal(path, busy_timeout=0.05, on_busy=on_busy)
    sent: list[str] = []

    async def send() -> WriteResult:
        sent.append("sent")
        return WriteResult(message="triggered")

    locker.hold()
    task = asyncio.ensure_future(session.write(SPECKLE, "p/s", "trigger", send))
    try:
        await task
    except CancelledBeforeSending:
        pass
    else:
        raise AssertionError("the write was not cancelled")
    assert sent == []
    (entry,) = session.journal.list()
    assert (entry.outcome, entry.error) == ("skipped", "cancelled before it was sent")


async def test_a_cancel_while_the_outcome_waits_for_the_lock_keeps_the_outcome(
    sandbox: Sandbox, make_session: SessionFactory, tmp_path: Path
) -> None:
    """Cancelled while `finish` waits: the outcome is recorded and returned first, and the
    cancellation takes effect at the caller's next await."""
    import asyncio

    path = tmp_path / "journal.sqlite3"
    Journal(path).count()
    locker = Locker(path)
    loop = asyncio.get_running_loop()
    task: asyncio.Task[list[str]] | None = None

    def on_busy(attempt: int, message: str) -> None:
        assert task is not None
        loop.call_soon_threadsafe(task.cancel)
        locker.release()

    session = make_session(sandbox)
    session._journal = Journal(path, busy_timeout=0.05, on_busy=on_busy)
    seen: list[str] = []

    async def send() -> WriteResult:
        locker.hold()  # applied; the journal is now locked
        return WriteResult(message="triggered")

    async def caller() -> list[str]:
        result = await session.write(SPECKLE, "p/s", "trigger", send)
        seen.append(result.message)  # the outcome reaches the caller...
        await asyncio.sleep(0)  # ...and the cancellation its next await
        seen.append("not reached")
        return seen

    task = asyncio.ensure_future(caller())
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert seen == ["triggered"]
    (entry,) = session.journal.list()
    assert entry.outcome == "ok"
