"""The journal against the processes around it: a lock held by another writer, a writer that
died between `begin` and `finish`, and text SQLite cannot store as UTF-8.

Other processes are real ones (a child Python started by the test) and the lock is a real
SQLite lock taken by another connection; every wait is on a state the test can name (the
child printed its entry id, the journal reported that it is waiting for the lock).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from synctui.store.journal import Journal, JournalError
from synctui.store.process_identity import Owner, current_owner, owner_alive
from tests.store.journal_child import child


def begin(journal: Journal, **kw: object) -> int:
    args: dict[str, object] = {
        "account": "prod",
        "vendor": "speckle",
        "sync_id": "s1",
        "action": "update",
        "before": {"name": "a"},
        "after": {"name": "b"},
        "request": {"method": "PUT"},
    }
    args.update(kw)
    return journal.begin(**args)  # type: ignore[arg-type]


class Locker:
    """Another connection holding the journal's write lock (BEGIN EXCLUSIVE) until released."""

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

    def close(self) -> None:
        self.release()
        self.conn.close()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "journal.sqlite3"


@pytest.fixture
def locker(path: Path) -> Iterator[Locker]:
    Journal(path).count()  # create the database first
    held = Locker(path)
    yield held
    held.close()


# --- a lock held by someone else -----------------------------------------------------------


def test_finish_waits_for_a_held_lock_instead_of_failing(path: Path, locker: Locker) -> None:
    waits: list[int] = []

    def on_busy(attempt: int, message: str) -> None:
        waits.append(attempt)
        locker.release()  # the other writer is done once we have waited for it

    journal = Journal(path, busy_timeout=0.05, on_busy=on_busy)
    entry_id = begin(journal)
    locker.hold()
    journal.finish(entry_id, "ok", result={"message": "updated"})
    assert waits == [1]
    assert journal.get(entry_id).outcome == "ok"


def test_begin_waits_for_a_held_lock_too(path: Path, locker: Locker) -> None:
    journal = Journal(path, busy_timeout=0.05, on_busy=lambda attempt, message: locker.release())
    locker.hold()
    entry_id = begin(journal)
    assert journal.get(entry_id).outcome == "pending"


def test_the_wait_is_bounded(path: Path, locker: Locker) -> None:
    waits: list[int] = []
    journal = Journal(
        path, busy_timeout=0.01, lock_attempts=3, on_busy=lambda a, m: waits.append(a)
    )
    entry_id = begin(journal)
    locker.hold()
    with pytest.raises(JournalError, match="busy") as info:
        journal.finish(entry_id, "ok")
    assert waits == [1, 2]  # three attempts, two waits between them
    assert str(path) in str(info.value)
    locker.release()
    assert journal.get(entry_id).outcome == "pending"  # nothing half-written


# --- pending entries of processes that are gone ---------------------------------------------


def test_a_pending_entry_of_a_dead_process_reads_as_unknown(path: Path) -> None:
    process, entry_id = child(path, "exit")
    process.wait(timeout=60)
    journal = Journal(path)
    own = begin(journal)  # this process is alive: its entry stays pending

    entry = journal.get(entry_id)
    assert entry.outcome == "unknown" and entry.stale
    assert "ended before" in (entry.error or "")
    assert not entry.pending
    assert journal.get(own).outcome == "pending" and not journal.get(own).stale

    assert [e.id for e in journal.list(outcome="unknown")] == [entry_id]
    assert [e.id for e in journal.list(outcome="pending")] == [own]
    assert journal.count(outcome="unknown") == 1 and journal.count(outcome="pending") == 1
    assert {e.id: e.outcome for e in journal.list()} == {entry_id: "unknown", own: "pending"}
    # Shown, not rewritten: the stored row still says pending.
    with sqlite3.connect(path) as conn:
        stored = conn.execute("SELECT outcome FROM entries WHERE id = ?", (entry_id,)).fetchone()
    assert stored == ("pending",)


def test_a_pending_entry_of_a_live_process_stays_pending_until_it_dies(path: Path) -> None:
    process, entry_id = child(path, "wait")
    journal = Journal(path)
    try:
        assert journal.get(entry_id).outcome == "pending"
        assert journal.count(outcome="unknown") == 0
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=60)
    assert journal.get(entry_id).outcome == "unknown"
    assert journal.count(outcome="unknown") == 1


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_reused_pid_is_not_taken_for_the_writer() -> None:
    me = current_owner()
    assert owner_alive(me) is True
    assert owner_alive(Owner(me.host, me.boot, me.pid, me.start + 1)) is False  # pid reused
    assert owner_alive(Owner(me.host, "another-boot", me.pid, me.start)) is False  # rebooted
    assert owner_alive(Owner("other-host", "b", 1, 1)) is None  # cannot tell: not stale
    assert Owner.parse(me.dump()) == me
    assert Owner.parse("not json") is None


# --- text SQLite cannot store ---------------------------------------------------------------


def test_lone_surrogates_are_stored_and_read_back(path: Path) -> None:
    journal = Journal(path)
    odd = "cut \ud83d emoji"
    entry_id = begin(
        journal,
        sync_id="s-\udcff",
        before={"name": "ok"},
        after={"name": odd, odd: [odd]},
        request={"body": {"name": odd}},
    )
    journal.finish(entry_id, "failed", error=f"vendor said {odd}", result={"echo": odd})
    entry = journal.get(entry_id)
    assert entry.after == {"name": odd, odd: [odd]}
    assert entry.request == {"body": {"name": odd}}
    assert entry.result == {"echo": odd}
    assert entry.error is not None and entry.error.startswith("vendor said cut ")
    assert [e.id for e in journal.list(sync_id="s-\udcff")] == [entry_id]
    assert json.dumps(journal.get(entry_id).after)  # still valid JSON for --json output


def test_ids_beyond_sqlite_integers_are_simply_not_there(path: Path) -> None:
    journal = Journal(path)
    with pytest.raises(JournalError, match="no journal entry"):
        journal.get(10**30)
    assert journal.list(limit=10**30) == []
    with pytest.raises(JournalError, match="to be reverted"):
        begin(journal, reverts=10**30)


def test_owner_survives_an_old_journal_without_it(path: Path) -> None:
    """A journal written before entries carried their process: its pending entries have no
    owner and nothing can prove their process alive, so they read as unknown."""
    with sqlite3.connect(path) as conn:
        conn.executescript(
            """
            CREATE TABLE schema_version (version INTEGER NOT NULL);
            INSERT INTO schema_version VALUES (1);
            CREATE TABLE entries (
                id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL,
                account TEXT NOT NULL, vendor TEXT NOT NULL, sync_id TEXT NOT NULL,
                action TEXT NOT NULL, before TEXT, after TEXT, request TEXT,
                outcome TEXT NOT NULL DEFAULT 'pending'
                    CHECK (outcome IN ('pending', 'ok', 'failed', 'unknown', 'skipped')),
                error TEXT, result TEXT, batch_id TEXT,
                reverts INTEGER REFERENCES entries(id), finished_at TEXT);
            INSERT INTO entries (time, account, vendor, sync_id, action)
                VALUES ('2026-01-01T00:00:00.000000+00:00', 'prod', 'speckle', 's0', 'update');
            """
        )
    journal = Journal(path)
    assert [e.outcome for e in journal.list()] == ["unknown"]
    fresh = begin(journal)
    assert journal.get(fresh).outcome == "pending"


def test_threads_of_one_process_share_its_identity(path: Path) -> None:
    journal = Journal(path)
    ids: list[int] = []
    thread = threading.Thread(target=lambda: ids.append(begin(journal)))
    thread.start()
    thread.join()
    assert journal.get(ids[0]).outcome == "pending"
