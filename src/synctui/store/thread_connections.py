"""One SQLite connection per thread, each closed only while no call is using it.

The feed store is read by the viewer's workers (each a thread) while the feed engine writes
on its own thread, so every thread gets its own connection. When the store's user is done
(a command's end, the app's exit) every one of them must be closed: left to the garbage
collector, a connection closes, and checkpoints the WAL, at a moment nobody chose. But the
threads are pooled and outlive their work, and closing a connection while its thread runs
a query crashes SQLite; so each connection has a use lock that every store call holds
(`using`), and `close_all` closes a connection only while holding that lock.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar

# How long `close_all` waits for the calls still running to finish (a query, a page write):
# only a bound against a call that never ends, whose connection is then left open.
CLOSE_WAIT_SECONDS = 10.0

P = ParamSpec("P")
R = TypeVar("R")


class _Held:
    """A thread's connection and its use lock; `db` is None once `close_all` closed it."""

    __slots__ = ("db", "lock")

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock) -> None:
        self.db: sqlite3.Connection | None = db
        self.lock = lock


class ThreadConnections:
    """This thread's connection, opened on first use by `open_connection`; and all of them."""

    def __init__(self, open_connection: Callable[[], sqlite3.Connection]) -> None:
        self._open = open_connection
        self._local = threading.local()
        self._opened: list[_Held] = []
        self._opened_lock = threading.Lock()
        self._closed = False

    def use_lock(self) -> threading.RLock:
        """Held by this thread for the length of each store call (see `using`)."""
        lock: threading.RLock | None = getattr(self._local, "lock", None)
        if lock is None:
            lock = self._local.lock = threading.RLock()
        return lock

    def get(self) -> sqlite3.Connection:
        held: _Held | None = getattr(self._local, "held", None)
        if held is not None and held.db is not None:
            return held.db
        with self._opened_lock:
            if self._closed:
                # A call that comes after `close_all` (a worker's last write, still on its
                # way when its user ended) fails rather than open a connection no one
                # would close; a page not stored is fetched again next time.
                raise sqlite3.ProgrammingError("the store is closed")
        db = self._open()
        held = self._local.held = _Held(db, self.use_lock())
        with self._opened_lock:
            self._opened.append(held)
        return db

    def close_mine(self) -> None:
        """Close this thread's connection."""
        held: _Held | None = getattr(self._local, "held", None)
        if held is None:
            return
        with held.lock:  # not while `close_all` closes it too
            if held.db is not None:
                held.db.close()
                held.db = None
            with self._opened_lock:
                self._opened = [h for h in self._opened if h is not held]

    def close_all(self, wait: float = CLOSE_WAIT_SECONDS) -> None:
        """Close every connection, on any thread, each once no call is using it, for good:
        the user is done with the store. Calls still running are waited for, up to `wait`
        seconds in all; a connection still in use after that is left open rather than
        closed under its thread."""
        with self._opened_lock:
            opened, self._opened = self._opened, []
            self._closed = True  # from here no call opens a new connection
        deadline = time.monotonic() + wait
        kept: list[_Held] = []
        for held in opened:
            if held.lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
                try:
                    if held.db is not None:
                        held.db.close()
                        held.db = None
                finally:
                    held.lock.release()
            else:
                kept.append(held)
        with self._opened_lock:
            self._opened.extend(kept)


class HasConnections(Protocol):
    connections: ThreadConnections


S = TypeVar("S", bound=HasConnections)


def using(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """A store call that holds its thread's use lock while it runs (see the module)."""

    @functools.wraps(method)
    def call(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.connections.use_lock():
            return method(self, *args, **kwargs)

    return call


__all__ = ["CLOSE_WAIT_SECONDS", "ThreadConnections", "using"]
