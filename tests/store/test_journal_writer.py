"""The journal's writer thread: writes waiting together share one commit, each is reported
only once committed, and one write's refusal is never another's.

To put writes in one group deterministically the test holds the journal's lock from
another connection: the writer, stuck on its first write, tells `on_busy`, and the test
hands over more writes before letting it go (states it can name, never a sleep).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest

from synctui.store.journal import Journal, JournalError


class Locker:
    """Another connection holding the journal's write lock (BEGIN EXCLUSIVE) until released."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    def hold(self) -> None:
        self.conn.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")


ARGS = ("prod", "speckle", "s1", "update", {"name": "a"}, {"name": "b"}, {"method": "PUT"})


def stored(path: Path) -> dict[int, str]:
    """Entry id → outcome, as another connection (another process) sees them."""
    with sqlite3.connect(path) as conn:
        return dict(conn.execute("SELECT id, outcome FROM entries").fetchall())


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "journal.sqlite3"
    Journal(path).count()  # the database exists
    return path


class Held:
    """A journal whose writer is stuck on a lock until the test has queued more writes."""

    def __init__(self, path: Path) -> None:
        self.locker = Locker(path)
        self.waiting = threading.Event()  # the writer is stuck on its first group
        self.queued = threading.Event()  # the test has handed over the rest
        self.journal = Journal(path, busy_timeout=0.01, on_busy=self._on_busy)

    def _on_busy(self, attempt: int, message: str) -> None:
        self.waiting.set()
        assert self.queued.wait(30), "the test never queued its writes"
        self.locker.release()

    def stuck(self, first: Future[object]) -> None:
        assert self.waiting.wait(30), "the writer never met the lock"
        assert not first.done()


@pytest.fixture
def held(path: Path) -> Iterator[Held]:
    held = Held(path)
    held.locker.hold()
    yield held
    held.queued.set()
    held.locker.release()


def test_writes_waiting_together_are_committed_in_one_transaction(held: Held, path: Path) -> None:
    first = held.journal.begin_soon(*ARGS)
    held.stuck(first)
    rest = [held.journal.begin_soon(*ARGS) for _ in range(5)]
    commits = held.journal.commits
    held.queued.set()
    ids = [first.result(30), *(f.result(30) for f in rest)]
    assert sorted(stored(path)) == sorted(ids)
    assert held.journal.commits - commits == 2  # the first alone, then the five together


def test_a_write_is_reported_only_once_committed(held: Held, path: Path) -> None:
    """What another process sees at the very moment the write is reported done (the
    future's callback runs then, on the writer's thread): the entry, committed."""
    first = held.journal.begin_soon(*ARGS)
    held.stuck(first)
    assert stored(path) == {}  # not done, and not on disk: nothing claimed early
    seen: list[dict[int, str]] = []
    called = threading.Event()

    def when_done(done: Future[object]) -> None:
        seen.append(stored(path))
        called.set()

    first.add_done_callback(when_done)
    held.queued.set()
    entry_id = first.result(30)
    assert called.wait(30)  # callbacks run just after the waiters are woken
    assert seen == [{entry_id: "pending"}]


def test_one_refused_write_does_not_fail_the_others_of_its_group(path: Path) -> None:
    journal = Journal(path)
    done = journal.begin(*ARGS)
    journal.finish(done, "ok")
    held = Held(path)
    held.locker.hold()
    try:
        first = held.journal.begin_soon(*ARGS)
        held.stuck(first)
        again = held.journal.finish_soon(done, "failed", error="late")  # refused
        other = held.journal.begin_soon(*ARGS)
        held.queued.set()
        new_ids = [first.result(30), other.result(30)]
        with pytest.raises(JournalError, match="already finished"):
            again.result(30)
    finally:
        held.queued.set()
        held.locker.release()
    assert stored(path) == {done: "ok", **dict.fromkeys(new_ids, "pending")}
    assert journal.get(done).error is None  # the refused finish changed nothing


def test_a_closed_journal_still_writes_on_the_callers_thread(path: Path) -> None:
    journal = Journal(path)
    journal._writer.close(wait=True)
    entry_id = journal.begin(*ARGS)
    journal.finish(entry_id, "ok")
    assert stored(path) == {entry_id: "ok"}
