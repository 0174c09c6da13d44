"""The Journal: one SQLite database, written through its writer thread, read anywhere."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import ParamSpec, TypeVar

from synctui.store.journal import reading
from synctui.store.journal.encoding import safe_text, scrub, to_json
from synctui.store.journal.entry import (
    FINAL_OUTCOMES,
    MAX_ID,
    FinalOutcome,
    JournalBusy,
    JournalEntry,
    JournalError,
    Outcome,
    is_busy,
    valid_id,
)
from synctui.store.journal.schema import COLUMNS, create_or_check
from synctui.store.journal.writer import Writer
from synctui.store.paths import ensure_dir, journal_db
from synctui.store.process_identity import current_owner

T = TypeVar("T")
P = ParamSpec("P")


def _waited(soon: Callable[P, Future[T]], doc: str) -> Callable[P, T]:
    """The waiting form of a `*_soon` method: the same arguments, and its future's result
    (what went wrong with the arguments raises at once, as with the `*_soon` one)."""

    def waited(*args: P.args, **kwargs: P.kwargs) -> T:
        return soon(*args, **kwargs).result()

    waited.__doc__ = doc
    waited.__name__ = soon.__name__.removesuffix("_soon")
    return waited


# How long one attempt waits for another writer's lock, and how many attempts a write makes.
BUSY_TIMEOUT = 10.0
LOCK_ATTEMPTS = 6

# The actions synctui itself records. Not enforced as a closed set: a new kind of write must
# not be blocked by the journal, only shaped like a name.
ACTIONS: tuple[str, ...] = (
    "update",
    "pause",
    "resume",
    "trigger",
    "migrate",
    "delete",
    "create",
    "revert",
)
_ACTION_RE = re.compile(r"[a-z][a-z0-9_-]{0,31}")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _keep_open(path: Path) -> sqlite3.Connection | None:
    """A connection that holds the WAL open: it must have read once to count as a user of it.
    Optional: without it the journal is as correct, only slower."""
    try:
        keeper = sqlite3.connect(path, timeout=10.0, check_same_thread=False)
        keeper.execute("SELECT COUNT(*) FROM schema_version").fetchone()
    except sqlite3.Error:
        return None
    return keeper


def _writing_connection(path: Path, busy_timeout: float) -> sqlite3.Connection:
    """The writer thread's connection: the file created private, WAL, the schema
    created or checked (sqlite3.Error while another process holds the lock: the writer
    tries again)."""
    try:
        ensure_dir(path.parent)
        if not path.exists():
            # Pre-create private: the journal holds sync settings. SQLite gives its -wal
            # and -shm files the same permissions as the database file.
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError as exc:
        raise JournalError(f"Cannot open the journal {path}: {exc}.") from None
    conn = sqlite3.connect(
        path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
    )
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            create_or_check(conn, path)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    except BaseException:
        conn.close()
        raise
    return conn


def _require_text(name: str, value: object, *, allow_empty: bool = False) -> None:
    if not isinstance(value, str) or (not value and not allow_empty):
        raise JournalError(f"Cannot journal this write: {name} must be a non-empty string.")


class Journal:
    """The journal database (`journal_db()` unless a path is given). Thread-safe."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        clock: Callable[[], datetime] = _utc_now,
        busy_timeout: float = BUSY_TIMEOUT,
        lock_attempts: int = LOCK_ATTEMPTS,
        on_busy: Callable[[int, str], None] | None = None,
    ):
        """`busy_timeout` is how long one attempt waits for another writer's lock and
        `lock_attempts` how many attempts a write makes; `on_busy(attempt, message)` is told
        of each failed attempt before the next (to say "waiting for the journal"), from the
        journal's writer thread."""
        self.path = Path(path) if path is not None else journal_db()
        self._clock = clock
        self._busy_timeout = busy_timeout
        self._lock_attempts = max(1, lock_attempts)
        self._init_lock = threading.Lock()
        self._ready = False
        self._keeper: sqlite3.Connection | None = None  # see the package docstring
        self._writer = Writer(
            self.path,
            partial(_writing_connection, self.path, busy_timeout),
            lock_attempts=lock_attempts,
            on_busy=on_busy,
        )
        # Gone with the Journal, its connection closed before the next one opens: the last
        # connection's close checkpoints the log, and a write meanwhile would meet the lock.
        weakref.finalize(self, partial(self._writer.close, wait=True))

    # --- connections and schema ---------------------------------------------------------

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A reading connection of the caller's own (the schema made sure of first)."""
        self._ensure_schema()
        try:
            conn = sqlite3.connect(self.path, timeout=self._busy_timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise JournalError(f"Cannot open the journal {self.path}: {exc}.") from None
        try:
            yield conn
        except sqlite3.Error as exc:
            if is_busy(exc):
                raise JournalBusy(
                    f"The journal {self.path} is busy: another synctui held it ({exc})."
                ) from None
            raise JournalError(f"The journal {self.path} failed: {exc}.") from None
        finally:
            conn.close()

    def close(self) -> None:
        """Commit what was handed to the writer thread, stop it and close the connection
        kept open: when its user is done (a command's end, the app's exit). Left to the
        collector, their closing checkpoints the WAL at a moment nobody chose. A write after
        this still works, on the caller's thread."""
        self._writer.close(wait=True)
        keeper, self._keeper = self._keeper, None
        if keeper is not None:
            keeper.close()

    def _ensure_schema(self) -> None:
        """Before the first read: the writer has made or checked the schema (once)."""
        with self._init_lock:
            if self._ready:
                return
            self._writer.submit(lambda conn: None).result()
            self._keeper = _keep_open(self.path)
            if self._keeper is not None:
                weakref.finalize(self, self._keeper.close)
            self._ready = True

    # --- writing ------------------------------------------------------------------------

    @property
    def commits(self) -> int:
        """Transactions the writer has committed (writes waiting together share one)."""
        return self._writer.commits

    def begin_soon(
        self,
        account: str,
        vendor: str,
        sync_id: str,
        action: str,
        before: object,
        after: object,
        request: object,
        batch_id: str | None = None,
        *,
        reverts: int | None = None,
    ) -> Future[int]:
        """`begin` without waiting: the future gives the entry id once it is committed.
        What is wrong with the arguments raises here, before anything is handed over."""
        _require_text("account", account)
        _require_text("vendor", vendor)
        _require_text("sync_id", sync_id, allow_empty=action == "create")
        if not isinstance(action, str) or not _ACTION_RE.fullmatch(action):
            raise JournalError(f"Cannot journal this write: {action!r} is not an action name.")
        if batch_id is not None:
            _require_text("batch_id", batch_id)
        if reverts is not None and (not isinstance(reverts, int) or isinstance(reverts, bool)):
            raise JournalError("Cannot journal this write: reverts must be an entry id.")
        row = (
            self._now(),
            safe_text(account),
            safe_text(vendor),
            safe_text(sync_id),
            action,
            to_json(before),
            to_json(after),
            to_json(scrub(request)),
            safe_text(batch_id),
            reverts,
            current_owner().dump(),
        )

        def insert(conn: sqlite3.Connection) -> int:
            if reverts is not None and not _exists(conn, reverts):
                raise JournalError(f"Journal entry {reverts} (to be reverted) does not exist.")
            cursor = conn.execute(
                "INSERT INTO entries (time, account, vendor, sync_id, action, before, "
                "after, request, batch_id, reverts, owner) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

        return self._writer.submit(insert)

    begin = _waited(
        begin_soon,
        """Record a write about to be sent, as `pending`; returns the entry id for finish().

        Committed before returning, so it survives a crash during the request. `sync_id`
        may be empty only for "create" (the id does not exist yet; pass it to finish()).
        """,
    )

    def finish_soon(
        self,
        entry_id: int,
        outcome: FinalOutcome,
        error: str | None = None,
        result: object = None,
        *,
        sync_id: str | None = None,
    ) -> Future[None]:
        """`finish` without waiting: the future resolves once the outcome is committed."""
        if outcome not in FINAL_OUTCOMES:
            raise JournalError(
                f"{outcome!r} is not a final outcome; use one of {', '.join(FINAL_OUTCOMES)}."
            )
        if sync_id is not None:
            _require_text("sync_id", sync_id)
        safe_error = safe_text(str(scrub(error))) if error is not None else None
        values = (
            outcome,
            safe_error,
            to_json(scrub(result)),
            self._now(),
            safe_text(sync_id),
            safe_text(sync_id),
            entry_id,
        )
        if not valid_id(entry_id):
            raise JournalError(f"There is no journal entry {entry_id}.")

        def update(conn: sqlite3.Connection) -> None:
            cursor = conn.execute(
                "UPDATE entries SET outcome = ?, error = ?, result = ?, finished_at = ?, "
                "sync_id = CASE WHEN sync_id = '' AND ? IS NOT NULL THEN ? "
                "ELSE sync_id END WHERE id = ? AND outcome = 'pending'",
                values,
            )
            if cursor.rowcount == 1:
                return
            current = conn.execute(
                "SELECT outcome FROM entries WHERE id = ?", (entry_id,)
            ).fetchone()
            if current is None:
                raise JournalError(f"There is no journal entry {entry_id}.")
            raise JournalError(f"Journal entry {entry_id} is already finished ({current[0]}).")

        return self._writer.submit(update)

    finish = _waited(
        finish_soon,
        """Record how a pending write ended. Each entry is finished exactly once: a second
        call is a bug in the caller and would rewrite history, so it raises.

        `sync_id` fills in the id of a created sync; an entry that already has one keeps it.
        """,
    )

    # --- reading ------------------------------------------------------------------------

    def get(self, entry_id: int) -> JournalEntry:
        if not valid_id(entry_id):
            raise JournalError(f"There is no journal entry {entry_id}.")
        with self._connect() as conn:
            row = conn.execute(
                f"SELECT {COLUMNS} FROM entries WHERE id = ?", (entry_id,)
            ).fetchone()
        if row is None:
            raise JournalError(f"There is no journal entry {entry_id}.")
        return reading.entry(row, reading.Liveness())

    def list(
        self,
        account: str | None = None,
        sync_id: str | None = None,
        outcome: Outcome | None = None,
        limit: int = 200,
        offset: int = 0,
        text: str | None = None,
        *,
        batch_id: str | None = None,
    ) -> list[JournalEntry]:
        """Entries matching every given filter, newest first.

        `text` is a case-insensitive (ASCII) substring search over the names, ids, error and
        the JSON of before/after/request/result.
        """
        if limit < 0 or offset < 0:
            raise JournalError("limit and offset must not be negative.")
        limit, offset = min(limit, MAX_ID), min(offset, MAX_ID)  # more than can ever exist
        live = reading.Liveness()
        with self._connect() as conn:
            where, params = reading.filters(account, sync_id, outcome, text, batch_id, live, conn)
            rows = conn.execute(
                f"SELECT {COLUMNS} FROM entries{where} "
                "ORDER BY time DESC, id DESC LIMIT ? OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
        return [reading.entry(row, live) for row in rows]

    def count(
        self,
        account: str | None = None,
        sync_id: str | None = None,
        outcome: Outcome | None = None,
        text: str | None = None,
        *,
        batch_id: str | None = None,
    ) -> int:
        """How many entries `list` would return without a limit (for paging)."""
        live = reading.Liveness()
        with self._connect() as conn:
            where, params = reading.filters(account, sync_id, outcome, text, batch_id, live, conn)
            (total,) = conn.execute(f"SELECT COUNT(*) FROM entries{where}", params).fetchone()
        return int(total)

    def _now(self) -> str:
        now = self._clock()
        if now.tzinfo is None:
            raise JournalError("The journal clock must return timezone-aware datetimes.")
        return now.astimezone(UTC).isoformat(timespec="microseconds")


def _exists(conn: sqlite3.Connection, entry_id: int) -> bool:
    if not valid_id(entry_id):
        return False
    return conn.execute("SELECT 1 FROM entries WHERE id = ?", (entry_id,)).fetchone() is not None
