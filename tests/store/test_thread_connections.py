"""Every connection of the feed store is closed by `close_all`, never under a running call.

Closing a connection while its thread runs a query crashes SQLite (a segfault, not an
exception), and the viewer's threads are pooled, so they outlive their work: `close_all`
closes each connection while holding the lock its calls hold, and once closed the store
opens no new connection for a late call.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from synctui.store.feedstore import FeedStore


def _wal(store: FeedStore) -> Path:
    return store.path.with_name(store.path.name + "-wal")


def test_close_all_closes_an_idle_threads_connection(tmp_path: Path) -> None:
    store = FeedStore(tmp_path / "feeds.sqlite3")
    worker = threading.Thread(target=store.max_id)
    worker.start()
    worker.join()
    assert _wal(store).exists()
    store.close_all()
    assert not _wal(store).exists()


def test_close_all_waits_for_a_call_in_progress(tmp_path: Path) -> None:
    store = FeedStore(tmp_path / "feeds.sqlite3")
    inside, release = threading.Event(), threading.Event()
    seen: list[int] = []

    def slow_call() -> None:
        with store.connections.use_lock():  # as a store call holds it
            seen.append(store._connect().execute("SELECT 1").fetchone()[0])
            inside.set()
            release.wait()
            seen.append(store._connect().execute("SELECT 2").fetchone()[0])

    worker = threading.Thread(target=slow_call)
    worker.start()
    inside.wait()
    closer = threading.Thread(target=store.close_all)
    closer.start()
    # `close_all` is now waiting for the lock; the call finishes on an open connection.
    release.set()
    worker.join()
    closer.join()
    assert seen == [1, 2]
    assert not _wal(store).exists()


def test_a_call_after_close_all_opens_nothing(tmp_path: Path) -> None:
    store = FeedStore(tmp_path / "feeds.sqlite3")
    store.close_all()
    failures: list[BaseException] = []

    def late_call() -> None:
        try:
            store.max_id()
        except sqlite3.ProgrammingError as exc:
            failures.append(exc)

    worker = threading.Thread(target=late_call)
    worker.start()
    worker.join()
    assert [str(f) for f in failures] == ["the store is closed"]
    assert not _wal(store).exists()
    with pytest.raises(sqlite3.ProgrammingError):
        store.count()
