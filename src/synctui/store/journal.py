"""The write journal: every change synctui makes to a vendor, recorded in SQLite.

Lifecycle: `begin()` commits a `pending` entry *before* the request is sent and `finish()`
records how it ended. If synctui crashes, is killed or loses the network in between, the
pending entry remains as evidence that a write may have reached the vendor and should be
checked — the one case where a missing record would hurt most. Entries keep `before` and
`after`, so any change can be inspected and reverted later; a revert is itself an entry whose
`reverts` column points at the entry it undid.

Concurrency: each call opens its own short-lived connection. SQLite connections are cheap to
open (well under a millisecond), and per-call connections need no lock, behave the same
whether the other writer is a thread of this process (Textual workers) or another process
(the CLI while the TUI runs), and leave nothing open to leak. WAL mode lets readers (the
journal screen) proceed while a write commits; `busy_timeout` makes concurrent writers wait
instead of failing, and a write that still finds the database locked (another process held
it longer) is tried again, a bounded number of times (`lock_attempts`), before it gives up
with a JournalError. `synchronous=FULL` makes each commit durable even across a power cut,
which matters for the pending entry and costs nothing at a few writes per minute.

One connection stays open for the Journal's life and does nothing (`_keeper`): when the last
connection to a WAL database closes, SQLite checkpoints the log into the database and
deletes it, which made every short-lived connection's close cost two more syncs to disk —
three quarters of a journaled write's time, and a batch of a thousand writes waits for them.

A pending entry whose process is gone will never be finished. Each entry records its owner
(host, boot, pid, process start: `process_identity`), and reading turns the pending entry of
a process that no longer runs into `unknown` (with `stale` set) — shown that way, and found by
`outcome="unknown"`; the stored row is left as it is.

Text SQLite cannot store (a lone surrogate from a vendor's JSON or a shell argument: UTF-8
has no encoding for it) is written as its escape: in JSON columns as the JSON escape, which
reads back as the very same string; in plain text columns as a backslash escape.

Tokens never belong here. Callers pass token-free data, but `request`, `result` and `error`
are scrubbed anyway: credential-bearing header values become "****" and `Bearer …`/`Basic …`
strings are masked. `before`/`after` are stored as given: they are the sync's own settings
and the source of truth for a revert, so masking them would corrupt what a revert writes back.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

from synctui.domain.errors import SyncTuiError
from synctui.store.paths import ensure_dir, journal_db
from synctui.store.process_identity import Owner, current_owner, owner_alive

SCHEMA_VERSION = 2

T = TypeVar("T")

# SQLite integers are signed 64-bit: an id outside this range cannot exist.
MAX_ID = 2**63 - 1

# How long one attempt waits for another writer's lock, and how many attempts a write makes.
BUSY_TIMEOUT = 10.0
LOCK_ATTEMPTS = 6

STALE_NOTE = (
    "the synctui process that sent this ended before its outcome was recorded: "
    "it may or may not have been applied, check the sync"
)

Outcome = Literal["pending", "ok", "failed", "unknown", "skipped"]
FinalOutcome = Literal["ok", "failed", "unknown", "skipped"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)
FINAL_OUTCOMES: tuple[str, ...] = get_args(FinalOutcome)

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

MASK = "****"
_SENSITIVE_KEYS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)
_CREDENTIAL_RE = re.compile(r"\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]+=*", re.IGNORECASE)

_COLUMNS = (
    "id, time, account, vendor, sync_id, action, before, after, request, outcome, error, "
    "result, batch_id, reverts, finished_at, owner"
)

_SCHEMA = """
CREATE TABLE entries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    time        TEXT NOT NULL,
    account     TEXT NOT NULL,
    vendor      TEXT NOT NULL,
    sync_id     TEXT NOT NULL,
    action      TEXT NOT NULL,
    before      TEXT,
    after       TEXT,
    request     TEXT,
    outcome     TEXT NOT NULL DEFAULT 'pending'
                CHECK (outcome IN ('pending', 'ok', 'failed', 'unknown', 'skipped')),
    error       TEXT,
    result      TEXT,
    batch_id    TEXT,
    reverts     INTEGER REFERENCES entries(id),
    finished_at TEXT,
    owner       TEXT
);
CREATE INDEX ix_entries_account_time ON entries(account, time);
CREATE INDEX ix_entries_sync_id ON entries(sync_id);
CREATE INDEX ix_entries_time ON entries(time);
CREATE INDEX ix_entries_batch_id ON entries(batch_id) WHERE batch_id IS NOT NULL;
"""


class JournalError(SyncTuiError):
    """The journal cannot be read or written, or was asked something impossible."""


class JournalBusy(JournalError):
    """Another writer held the journal's lock for longer than we waited."""


# SQLITE_BUSY and SQLITE_LOCKED, with or without an extended code.
_BUSY_CODES = frozenset({5, 6})


def _is_busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _BUSY_CODES
    return "locked" in str(exc) or "busy" in str(exc)


@dataclass(frozen=True)
class JournalEntry:
    """One journaled write. JSON columns come back decoded (dicts, lists, scalars, None)."""

    id: int
    time: str  # UTC, ISO 8601 with microseconds: sorts as text in time order
    account: str
    vendor: str
    sync_id: str
    action: str
    before: object
    after: object
    request: object
    outcome: Outcome
    error: str | None
    result: object
    batch_id: str | None
    reverts: int | None
    finished_at: str | None = None
    # A pending entry whose process is gone: shown as outcome "unknown".
    stale: bool = False

    @property
    def pending(self) -> bool:
        return self.outcome == "pending"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def scrub(value: object) -> object:
    """A copy of `value` with credentials masked: header-like keys and Bearer/Basic values."""
    if isinstance(value, dict):
        return {
            key: MASK if str(key).lower() in _SENSITIVE_KEYS else scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return _CREDENTIAL_RE.sub(lambda m: f"{m.group(1)} {MASK}", value)
    return value


def _json_default(value: Any) -> Any:
    """Encode the non-JSON values callers naturally have at hand (datetimes, models)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "model_dump"):  # pydantic models (the domain layer's)
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} cannot be written to the journal")


# UTF-8 cannot encode a surrogate code point, so SQLite refuses a str holding one. In a str
# from Python's JSON reader (or an argv decoded with surrogateescape) each one stands alone.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _to_json(value: Any) -> str | None:
    if value is None:
        return None
    try:
        text = json.dumps(value, ensure_ascii=False, default=_json_default)
    except (TypeError, ValueError) as exc:
        raise JournalError(f"Cannot journal this write: {exc}.") from None
    # Only ever inside a JSON string here, where its escape reads back as the same string.
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _safe_text(value: str | None) -> str | None:
    """A text column's value SQLite can store: a surrogate becomes its backslash escape."""
    if value is None or not _SURROGATE.search(value):
        return value
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _from_json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _keep_open(path: Path) -> sqlite3.Connection | None:
    """A connection that holds the WAL open: it must have read once to count as a user of it.
    Optional: without it the journal is as correct, only slower."""
    try:
        keeper = sqlite3.connect(path, timeout=10.0, check_same_thread=False)
        keeper.execute("SELECT COUNT(*) FROM schema_version").fetchone()
    except sqlite3.Error:
        return None
    return keeper


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


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
        of each failed attempt before the next (to say "waiting for the journal")."""
        self.path = Path(path) if path is not None else journal_db()
        self._clock = clock
        self._busy_timeout = busy_timeout
        self._lock_attempts = max(1, lock_attempts)
        self._on_busy = on_busy
        self._init_lock = threading.Lock()
        self._ready = False
        self._keeper: sqlite3.Connection | None = None  # see the module docstring

    # --- connections and schema ---------------------------------------------------------

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self._ensure_schema()
        with self._open() as conn:
            yield conn

    @contextlib.contextmanager
    def _open(self) -> Iterator[sqlite3.Connection]:
        try:
            conn = sqlite3.connect(self.path, timeout=self._busy_timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise JournalError(f"Cannot open the journal {self.path}: {exc}.") from None
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = FULL")
            yield conn
        except sqlite3.Error as exc:
            if _is_busy(exc):
                raise JournalBusy(
                    f"The journal {self.path} is busy: another synctui held it ({exc})."
                ) from None
            raise JournalError(f"The journal {self.path} failed: {exc}.") from None
        finally:
            conn.close()

    def _retrying(self, write: Callable[[], T]) -> T:
        """Run one write (its own connection and transaction), again while the database is
        locked by another writer, at most `lock_attempts` times.

        Each attempt is a whole transaction that either committed or rolled back (closing
        the connection rolls back), so trying again can never apply half of one twice.
        """
        for attempt in range(1, self._lock_attempts + 1):
            try:
                return write()
            except JournalBusy as exc:
                if attempt == self._lock_attempts:
                    raise JournalBusy(f"{exc.message} Gave up after {attempt} attempts.") from None
                if self._on_busy is not None:
                    self._on_busy(attempt, exc.message)
        raise AssertionError("unreachable")

    def _ensure_schema(self) -> None:
        """Create or check the schema once per Journal; safe if several processes race."""
        with self._init_lock:
            if self._ready:
                return
            ensure_dir(self.path.parent)
            if not self.path.exists():
                # Pre-create private: the journal holds sync settings. SQLite gives its -wal
                # and -shm files the same permissions as the database file.
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))

            def create() -> None:
                with self._open() as conn:
                    conn.execute("PRAGMA journal_mode = WAL")
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        self._create_or_check(conn)
                    except BaseException:
                        conn.execute("ROLLBACK")
                        raise
                    conn.execute("COMMIT")

            self._retrying(create)
            self._keeper = _keep_open(self.path)
            if self._keeper is not None:
                weakref.finalize(self, self._keeper.close)
            self._ready = True

    def _create_or_check(self, conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
        version = row[0] if row else None
        if version is None:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
        elif version > SCHEMA_VERSION:
            raise JournalError(
                f"The journal {self.path} was written by a newer synctui (schema {version}); "
                "upgrade synctui to read it."
            )
        elif version < 2:
            # Version 2 records the process that wrote each entry. Older entries have none:
            # nothing can show their process alive, so a pending one of them reads as unknown.
            conn.execute("ALTER TABLE entries ADD COLUMN owner TEXT")
            conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))

    # --- writing ------------------------------------------------------------------------

    def begin(
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
    ) -> int:
        """Record a write about to be sent, as `pending`; returns the entry id for finish().

        Committed before returning, so it survives a crash during the request. `sync_id`
        may be empty only for "create" (the id does not exist yet; pass it to finish()).
        """
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
            _safe_text(account),
            _safe_text(vendor),
            _safe_text(sync_id),
            action,
            _to_json(before),
            _to_json(after),
            _to_json(scrub(request)),
            _safe_text(batch_id),
            reverts,
            current_owner().dump(),
        )

        def insert() -> int | None:
            with self._connect() as conn:
                if reverts is not None and not _exists(conn, reverts):
                    raise JournalError(f"Journal entry {reverts} (to be reverted) does not exist.")
                cursor = conn.execute(
                    "INSERT INTO entries (time, account, vendor, sync_id, action, before, "
                    "after, request, batch_id, reverts, owner) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
                return cursor.lastrowid

        entry_id = self._retrying(insert)
        assert entry_id is not None
        return entry_id

    def finish(
        self,
        entry_id: int,
        outcome: FinalOutcome,
        error: str | None = None,
        result: object = None,
        *,
        sync_id: str | None = None,
    ) -> None:
        """Record how a pending write ended. Each entry is finished exactly once: a second
        call is a bug in the caller and would rewrite history, so it raises.

        `sync_id` fills in the id of a created sync; an entry that already has one keeps it.
        """
        if outcome not in FINAL_OUTCOMES:
            raise JournalError(
                f"{outcome!r} is not a final outcome; use one of {', '.join(FINAL_OUTCOMES)}."
            )
        if sync_id is not None:
            _require_text("sync_id", sync_id)
        safe_error = _safe_text(str(scrub(error))) if error is not None else None
        values = (
            outcome,
            safe_error,
            _to_json(scrub(result)),
            self._now(),
            _safe_text(sync_id),
            _safe_text(sync_id),
            entry_id,
        )
        if not _valid_id(entry_id):
            raise JournalError(f"There is no journal entry {entry_id}.")

        def update() -> tuple[Any, ...] | None:
            """None once finished; else a 1-tuple of the entry's outcome row (None: no such
            entry), read in the same transaction."""
            with self._connect() as conn:
                conn.execute("BEGIN IMMEDIATE")
                cursor = conn.execute(
                    "UPDATE entries SET outcome = ?, error = ?, result = ?, finished_at = ?, "
                    "sync_id = CASE WHEN sync_id = '' AND ? IS NOT NULL THEN ? "
                    "ELSE sync_id END WHERE id = ? AND outcome = 'pending'",
                    values,
                )
                if cursor.rowcount == 1:
                    conn.execute("COMMIT")
                    return None
                conn.execute("ROLLBACK")
                current = conn.execute(
                    "SELECT outcome FROM entries WHERE id = ?", (entry_id,)
                ).fetchone()
                return (current,)

        missing = self._retrying(update)
        if missing is None:
            return
        (current,) = missing
        if current is None:
            raise JournalError(f"There is no journal entry {entry_id}.")
        raise JournalError(f"Journal entry {entry_id} is already finished ({current[0]}).")

    # --- reading ------------------------------------------------------------------------

    def get(self, entry_id: int) -> JournalEntry:
        if not _valid_id(entry_id):
            raise JournalError(f"There is no journal entry {entry_id}.")
        with self._connect() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM entries WHERE id = ?", (entry_id,)
            ).fetchone()
        if row is None:
            raise JournalError(f"There is no journal entry {entry_id}.")
        return _entry(row, _Liveness())

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
        live = _Liveness()
        with self._connect() as conn:
            where, params = _filters(account, sync_id, outcome, text, batch_id, live, conn)
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM entries{where} "
                "ORDER BY time DESC, id DESC LIMIT ? OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
        return [_entry(row, live) for row in rows]

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
        with self._connect() as conn:
            where, params = _filters(account, sync_id, outcome, text, batch_id, _Liveness(), conn)
            (total,) = conn.execute(f"SELECT COUNT(*) FROM entries{where}", params).fetchone()
        return int(total)

    def _now(self) -> str:
        now = self._clock()
        if now.tzinfo is None:
            raise JournalError("The journal clock must return timezone-aware datetimes.")
        return now.astimezone(UTC).isoformat(timespec="microseconds")


def _valid_id(entry_id: object) -> bool:
    return isinstance(entry_id, int) and not isinstance(entry_id, bool) and 0 < entry_id <= MAX_ID


def _exists(conn: sqlite3.Connection, entry_id: int) -> bool:
    if not _valid_id(entry_id):
        return False
    return conn.execute("SELECT 1 FROM entries WHERE id = ?", (entry_id,)).fetchone() is not None


class _Liveness:
    """Whether the writers of pending entries still run, asked once per owner per read."""

    def __init__(self) -> None:
        self._known: dict[str | None, bool] = {}

    def alive(self, owner: str | None) -> bool:
        if owner not in self._known:
            # None (another host: cannot tell) counts as alive: never "unknown" too early.
            self._known[owner] = owner_alive(Owner.parse(owner)) is not False
        return self._known[owner]

    def live_owners(self, conn: sqlite3.Connection) -> list[str]:
        """The owners of pending entries whose process still runs."""
        rows = conn.execute(
            "SELECT DISTINCT owner FROM entries WHERE outcome = 'pending' AND owner IS NOT NULL"
        ).fetchall()
        return [owner for (owner,) in rows if self.alive(owner)]


_TEXT_COLUMNS = (
    "account",
    "vendor",
    "sync_id",
    "action",
    "error",
    "batch_id",
    "before",
    "after",
    "request",
    "result",
)


def _filters(
    account: str | None,
    sync_id: str | None,
    outcome: str | None,
    text: str | None,
    batch_id: str | None,
    live: _Liveness,
    conn: sqlite3.Connection,
) -> tuple[str, tuple[Any, ...]]:
    """A WHERE clause (with leading space, or empty) and its parameters.

    `outcome` is the outcome as shown: "unknown" includes pending entries whose process is
    gone, and "pending" only those whose process still runs.
    """
    if outcome is not None and outcome not in OUTCOMES:
        raise JournalError(f"{outcome!r} is not an outcome; use one of {', '.join(OUTCOMES)}.")
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("account", account),
        ("sync_id", sync_id),
        ("batch_id", batch_id),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(_safe_text(value))
    if outcome in ("pending", "unknown"):
        owners = live.live_owners(conn)
        marks = ", ".join("?" * len(owners))
        # COALESCE: an entry without an owner (older synctui) is never shown alive.
        alive = f"COALESCE(owner IN ({marks}), 0)" if owners else "0"
        if outcome == "pending":
            clauses.append(f"(outcome = 'pending' AND {alive})")
        else:
            clauses.append(f"(outcome = 'unknown' OR (outcome = 'pending' AND NOT {alive}))")
        params.extend(owners)
    elif outcome is not None:
        clauses.append("outcome = ?")
        params.append(outcome)
    if text:
        pattern = _like_pattern(_safe_text(text) or "")
        clauses.append(
            "(" + " OR ".join(f"{col} LIKE ? ESCAPE '\\'" for col in _TEXT_COLUMNS) + ")"
        )
        params.extend([pattern] * len(_TEXT_COLUMNS))
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return where, tuple(params)


def _entry(row: tuple[Any, ...], live: _Liveness) -> JournalEntry:
    (
        entry_id,
        time,
        account,
        vendor,
        sync_id,
        action,
        before,
        after,
        request,
        outcome,
        error,
        result,
        batch_id,
        reverts,
        finished_at,
        owner,
    ) = row
    stale = outcome == "pending" and not live.alive(owner)
    if stale:
        outcome, error = "unknown", error or STALE_NOTE
    return JournalEntry(
        id=entry_id,
        time=time,
        account=account,
        vendor=vendor,
        sync_id=sync_id,
        action=action,
        before=_from_json(before),
        after=_from_json(after),
        request=_from_json(request),
        outcome=outcome,
        error=error,
        result=_from_json(result),
        batch_id=batch_id,
        reverts=reverts,
        finished_at=finished_at,
        stale=stale,
    )
