"""A write the vendor applied stays a success when its journal completion meets a lock.

Another connection holds the journal's write lock (BEGIN EXCLUSIVE) from the moment the
vendor answered until the journal reports that it is waiting for it: the completion must
wait and record `ok`, never turn into a failure a "retry failed" would send again. If the
lock is never released, the write is still reported as the success it was, saying that the
journal could not record it (the entry stays pending, and reads as unknown once this
process is gone).
"""

from __future__ import annotations

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
