"""The journal's writer: one thread with one connection, committing writes in groups.

Every `begin` and `finish` is a commit with `synchronous=FULL`, a sync to disk. Done one at
a time on whatever thread asked, a batch of a thousand writes paid two syncs each, one after
the other, and its event loop waited for them. Here every write of a Journal is handed to a
single thread, which takes all the writes waiting when it is free and commits them in one
transaction: one sync to disk for as many writes as were in flight. Nothing is promised
sooner: each write's future is resolved only once its transaction has committed, so a
`pending` entry is still on disk before the request it announces is sent.

- A write that refuses (an entry already finished, a revert of an entry that does not
  exist) changes nothing and fails alone; the rest of its group commits.
- A lock held by another process (the CLI while the TUI runs) rolls the whole group back
  and tries it again, `lock_attempts` times at most, telling `on_busy` before each retry;
  after the last, each write of the group fails with JournalBusy.
- Any other failure of the database rolls the group back and runs each write alone, so one
  write's trouble is never another's.
- The thread leaves after a while without work (its connection closes) and starts again
  with the next write. It is a daemon, and at exit the writes already handed over are
  committed before the interpreter goes.
"""

from __future__ import annotations

import atexit
import contextlib
import queue
import sqlite3
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synctui.store.journal.entry import JournalBusy, JournalError, is_busy

# One write: run inside the group's transaction on the writer's connection. It raises
# JournalError only having changed nothing (it is then that write's failure alone).
Apply = Callable[[sqlite3.Connection], Any]

IDLE_SECONDS = 30.0  # the thread and its connection go after this long without a write


@dataclass(frozen=True)
class _Write:
    apply: Apply
    future: Future[Any]


class _Stop:
    """Handed to the thread to make it leave once the writes before it are done."""


class Writer:
    """Runs a Journal's writes on its own thread, each group in one transaction."""

    def __init__(
        self,
        path: Path,
        connect: Callable[[], sqlite3.Connection],
        *,
        lock_attempts: int,
        on_busy: Callable[[int, str], None] | None,
    ) -> None:
        """`connect` opens the connection, ready to write to (schema checked): it raises
        sqlite3.Error to be tried again while locked, JournalError for a journal unusable
        as it is."""
        self.path = path
        self._connect = connect
        self._lock_attempts = max(1, lock_attempts)
        self._on_busy = on_busy
        self._queue: queue.SimpleQueue[_Write | _Stop] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._waiting = 0  # writes handed to the thread and not yet taken
        self._closed = False
        self.commits = 0  # transactions committed: fewer than writes when they were grouped
        _live.add(self)

    def submit(self, apply: Apply) -> Future[Any]:
        """Hand one write over; its future resolves once committed (or failed).

        The future cannot be cancelled: a write once asked for is done, so that whoever
        waits for it can always learn how it ended.
        """
        future: Future[Any] = Future()
        future.set_running_or_notify_cancel()
        write = _Write(apply, future)
        with self._lock:
            if not self._closed and self._running():
                self._waiting += 1
                self._queue.put(write)
                return future
        # Closed, or no thread can be started (the interpreter is exiting): right here.
        _discard(self._guarded([write], None))
        return future

    def close(self, *, wait: bool = False) -> None:
        """No more writes through the thread; the ones already handed over are committed."""
        with self._lock:
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._queue.put(_Stop())
        if wait and thread is not None and thread is not threading.current_thread():
            thread.join()

    # --- the thread --------------------------------------------------------------------

    def _running(self) -> bool:
        """Start the thread if it is not running (called with the lock held)."""
        if self._thread is not None:
            return True
        thread = threading.Thread(target=self._loop, name="synctui-journal", daemon=True)
        try:
            thread.start()
        except RuntimeError:  # can't create new thread at interpreter shutdown
            return False
        self._thread = thread
        return True

    def _loop(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            while True:
                try:
                    first = self._queue.get(timeout=IDLE_SECONDS)
                except queue.Empty:
                    with self._lock:
                        if self._waiting == 0:
                            self._thread = None
                            return
                    continue
                group: list[_Write] = []
                stop = False
                item: _Write | _Stop = first
                while True:
                    if isinstance(item, _Stop):
                        stop = True
                    else:
                        group.append(item)
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                with self._lock:
                    self._waiting -= len(group)
                if group:
                    conn = self._guarded(group, conn)
                if stop:
                    return
        finally:
            if conn is not None:
                conn.close()

    # --- one group ---------------------------------------------------------------------

    def _commit(
        self, group: list[_Write], conn: sqlite3.Connection | None = None
    ) -> sqlite3.Connection | None:
        """Commit the group (trying again while locked); resolve every future. Returns the
        connection to keep for the next group (None once it failed: a fresh one then)."""
        for attempt in range(1, self._lock_attempts + 1):
            try:
                if conn is None:
                    conn = self._connect()
                outcomes = _transaction(conn, group)
            except JournalError as unusable:  # from `connect`: no write can be made
                for write in group:
                    write.future.set_exception(JournalError(unusable.message))
                return None
            except sqlite3.Error as exc:
                _discard(conn)
                conn = None
                if not is_busy(exc):
                    self._alone(group, f"The journal {self.path} failed: {exc}.")
                    return None
                message = f"The journal {self.path} is busy: another synctui held it ({exc})."
                if attempt == self._lock_attempts:
                    for write in group:
                        write.future.set_exception(
                            JournalBusy(f"{message} Gave up after {attempt} attempts.")
                        )
                    return None
                if self._on_busy is not None:
                    self._on_busy(attempt, message)
                continue
            self.commits += 1
            for write, (ok, value) in zip(group, outcomes, strict=True):
                if ok:
                    write.future.set_result(value)
                else:
                    write.future.set_exception(value)
            return conn
        raise AssertionError("unreachable")

    def _guarded(
        self, group: list[_Write], conn: sqlite3.Connection | None
    ) -> sqlite3.Connection | None:
        """`_commit`, and should anything unforeseen escape it (an `on_busy` that raised),
        every write still learns that it failed: nobody waits forever."""
        try:
            return self._commit(group, conn)
        except BaseException as exc:
            for write in group:
                if not write.future.done():
                    write.future.set_exception(
                        JournalError(f"The journal {self.path} failed: {exc}.")
                    )
            _discard(conn)
            return None

    def _alone(self, group: list[_Write], message: str) -> None:
        """After a failure that was not a lock: each write in a transaction of its own."""
        if len(group) == 1:
            group[0].future.set_exception(JournalError(message))
            return
        for write in group:
            _discard(self._guarded([write], None))


def _transaction(conn: sqlite3.Connection, group: list[_Write]) -> list[tuple[bool, Any]]:
    """Run the group in one transaction: (True, result) or (False, its JournalError) each."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        outcomes: list[tuple[bool, Any]] = []
        for write in group:
            try:
                outcomes.append((True, write.apply(conn)))
            except JournalError as refused:
                outcomes.append((False, refused))
            except sqlite3.Error:
                raise
            except Exception as exc:  # a single statement: it changed nothing either
                outcomes.append((False, JournalError(f"Cannot journal this write: {exc}.")))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes


def _discard(conn: sqlite3.Connection | None) -> None:
    if conn is not None:
        with contextlib.suppress(sqlite3.Error):
            conn.close()


_live: weakref.WeakSet[Writer] = weakref.WeakSet()


@atexit.register
def _drain() -> None:
    """At exit: commit every write already handed over before the interpreter goes."""
    for writer in list(_live):
        writer.close(wait=True)
