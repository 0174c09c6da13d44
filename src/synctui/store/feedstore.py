"""The durable local store of LetsBuild changes: exactly once, even across kill -9.

A page of changes and the cursor that follows it are written in one SQLite transaction.
The vendor guarantees that resuming from a cursor yields exactly the changes after it, so
after a crash the store is either before the page (cursor and changes both old) or after it
(both new) — never in between. That is the whole exactly-once argument; everything else here
(entity snapshots, partial resolution) is derived inside the same transaction.

What has been *fetched* (the cursor) and what a reader has *been shown* are different
things: a `feed tail` may be killed with stored changes it has not printed yet, and two
tails would otherwise split the stream between them. So each consumer (a name, per account
and feed) has its own position — the local id of the last change it delivered — kept in the
same file and moved forward only by that consumer, after delivering (`advance_consumer`).

The file holds contact names, phones and addresses: it and its -wal/-shm files are private
(0600), like the journal. A damaged file is reported as `FeedStoreDamaged`, naming the file
and the way out (`move_aside`, which `synctui feed reset` does).

Memory stays bounded: everything lives on disk and readers page through it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from synctui.domain.errors import SyncTuiError, UsageError
from synctui.store.change_search import register as register_search
from synctui.store.change_search import search_sql

NULL_GUID = "00000000-0000-0000-0000-000000000000"

# SQLITE_CORRUPT, SQLITE_NOTADB: the file is not (or no longer) a readable database.
_DAMAGED_CODES = frozenset({11, 26})

SCHEMA = """
CREATE TABLE IF NOT EXISTS cursors (
    account TEXT NOT NULL,
    feed TEXT NOT NULL,
    cursor TEXT,
    has_more INTEGER NOT NULL DEFAULT 0,
    last_success TEXT,
    PRIMARY KEY (account, feed)
);
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    feed TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    operation TEXT NOT NULL,
    sequence_version INTEGER,
    partial INTEGER NOT NULL DEFAULT 0,
    resolved_by INTEGER,
    subject TEXT,
    project_id TEXT,
    data TEXT,
    received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_feed ON changes (account, feed, id);
CREATE INDEX IF NOT EXISTS changes_entity ON changes (account, entity_id, id);
CREATE TABLE IF NOT EXISTS consumers (
    account TEXT NOT NULL,
    consumer TEXT NOT NULL,
    feed TEXT NOT NULL,
    last_id INTEGER NOT NULL,
    updated_at TEXT,
    PRIMARY KEY (account, consumer, feed)
);
CREATE TABLE IF NOT EXISTS entities (
    account TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    feed TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    last_change INTEGER NOT NULL,
    sequence_version INTEGER,
    deleted INTEGER NOT NULL DEFAULT 0,
    partial INTEGER NOT NULL DEFAULT 0,
    snapshot TEXT,
    PRIMARY KEY (account, entity_id)
);
"""


class FeedStoreDamaged(SyncTuiError):
    """The feed store file is not a readable SQLite database."""

    def __init__(self, path: Path, detail: object) -> None:
        super().__init__(
            f"the feed store {path} is damaged ({detail}): run `synctui feed reset ACCOUNT` "
            "to move it aside and start the feeds over (or move the file away yourself)"
        )
        self.path = path


def is_damage(exc: BaseException) -> bool:
    """Whether an SQLite error means the file itself is unreadable (not merely busy)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _DAMAGED_CODES
    text = str(exc)
    return "not a database" in text or "malformed" in text


def companions(path: Path) -> list[Path]:
    """The database file and the WAL files SQLite keeps next to it."""
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm")]


def make_private(path: Path) -> None:
    """Create the database file 0600 (SQLite gives its -wal and -shm files the same mode),
    and take group/other access away from files an older synctui created 0644."""
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    for file in companions(path):
        with contextlib.suppress(OSError):
            if file.stat().st_mode & 0o077:
                os.chmod(file, 0o600)


def move_aside(path: Path, clock: Callable[[], datetime] | None = None) -> Path:
    """Rename a damaged store (and its WAL files) out of the way; returns the new name.

    Nothing is deleted: the file may still matter to whoever investigates it.
    """
    stamp = (clock or _utc_now)().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    for file, moved in zip(companions(path), companions(target), strict=True):
        if file.exists():
            os.replace(file, moved)
    return target


@dataclass(frozen=True)
class StoredChange:
    id: int
    account: str
    feed: str
    entity_id: str
    entity_type: str
    operation: str
    sequence_version: int | None
    partial: bool
    resolved_by: int | None
    subject: str
    project_id: str | None
    received_at: str
    data: dict[str, Any] | None

    @property
    def resolved(self) -> bool:
        return self.partial and self.resolved_by is not None


@dataclass(frozen=True)
class ChangeFilter:
    """What the viewer and exports narrow by; every field optional."""

    feeds: tuple[str, ...] = ()
    operations: tuple[str, ...] = ()
    project_id: str | None = None
    text: str | None = None  # a search in the filter language (store/change_search.py)
    partial_only: bool = False

    def where(self, account: str | None) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if account is not None:
            clauses.append("account = ?")
            params.append(account)
        if self.feeds:
            clauses.append(f"feed IN ({','.join('?' * len(self.feeds))})")
            params.extend(self.feeds)
        if self.operations:
            clauses.append(f"operation IN ({','.join('?' * len(self.operations))})")
            params.extend(self.operations)
        if self.project_id:
            clauses.append("project_id = ?")
            params.append(self.project_id)
        if self.text:
            search, values = self._search()
            if search:
                clauses.append(search)
                params.extend(values)
        if self.partial_only:
            clauses.append("partial = 1")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def _search(self) -> tuple[str, list[Any]]:
        """The search text in the filter language; a malformed one keeps no change."""
        try:
            return search_sql(self.text or "")
        except UsageError:
            return "0", []

    @property
    def search_error(self) -> str | None:
        """Why the search text is malformed (the viewer shows it), or None."""
        try:
            search_sql(self.text or "")
        except UsageError as exc:
            return str(exc)
        return None


# A vendor's JSON may carry a lone surrogate ("\\ud83d", a name cut in the middle of an emoji);
# Python reads it into a str that SQLite, which stores UTF-8, refuses to bind.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(value: Any) -> str | None:
    """A value for a TEXT column: numbers as text, containers as nothing, lone surrogates as
    U+FFFD (these columns are for showing and searching; `data` keeps the original)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return _LONE_SURROGATE.sub("\ufffd", value)


def _json_text(data: Any) -> str:
    """The change's JSON as stored: readable text, with any lone surrogate written as its JSON
    escape, which reads back as exactly the same string."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _sequence(value: Any) -> int | None:
    """A sequence number SQLite can hold (64-bit), else none."""
    if isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63:
        return value
    return None


def has_null_guid(value: object) -> bool:
    if isinstance(value, str):
        return value == NULL_GUID
    if isinstance(value, dict):
        return any(has_null_guid(v) for v in value.values())
    if isinstance(value, list):
        return any(has_null_guid(v) for v in value)
    return False


def subject_of(data: dict[str, Any] | None) -> str:
    if not data:
        return ""
    for key in ("subject", "name", "displayName", "code"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class FeedStore:
    """One SQLite file shared by the TUI viewer and `synctui feed tail`."""

    def __init__(
        self, path: Path | str | None = None, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        """`clock` gives the `received_at` stamp of stored changes (UTC, aware): the wall
        clock unless pinned, as screenshots do so that list times are the same every run."""
        self.clock = clock or _utc_now
        if path is None:
            from synctui.store.paths import ensure_dir, feed_db

            path = feed_db()
            ensure_dir(Path(path).parent)
        self.path = Path(path)
        self._local = threading.local()
        on_disk = str(path) != ":memory:"
        if on_disk:
            make_private(self.path)
        try:
            self._connect().executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            self.close()
            if is_damage(exc):
                raise FeedStoreDamaged(self.path, exc) from None
            raise
        if on_disk:
            make_private(self.path)  # the -wal and -shm files now exist

    def _connect(self) -> sqlite3.Connection:
        """One connection per thread: the feed engine writes while the viewer reads."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
            except BaseException:
                db.close()
                raise
            db.row_factory = sqlite3.Row
            register_search(db)
            self._local.db = db
        return db

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # --- cursors ----------------------------------------------------------------------------
    def cursor(self, account: str, feed: str) -> str | None:
        row = (
            self._connect()
            .execute("SELECT cursor FROM cursors WHERE account = ? AND feed = ?", (account, feed))
            .fetchone()
        )
        return row["cursor"] if row else None

    def positions(self, account: str) -> dict[str, dict[str, Any]]:
        rows = (
            self._connect()
            .execute(
                "SELECT feed, cursor, has_more, last_success FROM cursors WHERE account = ?",
                (account,),
            )
            .fetchall()
        )
        return {
            r["feed"]: {
                "cursor": r["cursor"],
                "has_more": bool(r["has_more"]),
                "last_success": r["last_success"],
            }
            for r in rows
        }

    def reset(self, account: str, feed: str | None = None) -> int:
        """Forget the cursor, the stored changes and every consumer's position, so the feed
        starts over."""
        db = self._connect()
        feed_clause, params = (
            ("", [account]) if feed is None else (" AND feed = ?", [account, feed])
        )
        db.execute("BEGIN IMMEDIATE")
        try:
            removed = db.execute(
                f"DELETE FROM changes WHERE account = ?{feed_clause}", params
            ).rowcount
            db.execute(f"DELETE FROM entities WHERE account = ?{feed_clause}", params)
            db.execute(f"DELETE FROM cursors WHERE account = ?{feed_clause}", params)
            db.execute(f"DELETE FROM consumers WHERE account = ?{feed_clause}", params)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return removed

    # --- consumers: what each reader has been shown -------------------------------------------
    def start_consumer(
        self, account: str, consumer: str, feeds: Sequence[str], *, from_start: bool = False
    ) -> dict[str, int]:
        """The consumer's position per feed (the last local change id it delivered).

        A consumer seen for the first time starts at the end of what is stored now (it is
        shown what arrives from now on); `from_start` puts it before every stored change.
        The positions are written before anything is delivered, so a consumer killed before
        its first line resumes from where it started, not from wherever the store is then.
        """
        now = self.clock().astimezone(UTC).isoformat(timespec="milliseconds")
        db = self._connect()
        db.execute("BEGIN IMMEDIATE")
        try:
            for feed in feeds:
                if from_start:
                    start = 0
                else:
                    (start,) = db.execute(
                        "SELECT COALESCE(MAX(id), 0) FROM changes WHERE account = ? AND feed = ?",
                        (account, feed),
                    ).fetchone()
                conflict = "last_id = excluded.last_id, updated_at = excluded.updated_at"
                db.execute(
                    "INSERT INTO consumers (account, consumer, feed, last_id, updated_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, consumer, feed) DO "
                    + (f"UPDATE SET {conflict}" if from_start else "NOTHING"),
                    (account, consumer, feed, start, now),
                )
            rows = db.execute(
                f"SELECT feed, last_id FROM consumers WHERE account = ? AND consumer = ? "
                f"AND feed IN ({','.join('?' * len(feeds))})",
                (account, consumer, *feeds),
            ).fetchall()
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return {r["feed"]: int(r["last_id"]) for r in rows}

    def unread(
        self,
        account: str,
        positions: dict[str, int],
        *,
        upto: int | None = None,
        limit: int = 500,
    ) -> list[StoredChange]:
        """The next changes after each feed's position, oldest first (at most `limit`, and
        none above `upto` when given)."""
        if not positions:
            return []
        clauses = " OR ".join("(feed = ? AND id > ?)" for _ in positions)
        params: list[Any] = [account]
        for feed, last in positions.items():
            params += [feed, last]
        bound = ""
        if upto is not None:
            bound = " AND id <= ?"
            params.append(upto)
        rows = (
            self._connect()
            .execute(
                f"SELECT * FROM changes WHERE account = ? AND ({clauses}){bound} "
                "ORDER BY id LIMIT ?",
                [*params, limit],
            )
            .fetchall()
        )
        return [_row(r) for r in rows]

    def advance_consumer(self, account: str, consumer: str, feed: str, change_id: int) -> None:
        """Record that the consumer delivered everything of `feed` up to `change_id`.

        Only ever forward: a late or repeated call cannot move a position back.
        """
        now = self.clock().astimezone(UTC).isoformat(timespec="milliseconds")
        self._connect().execute(
            "UPDATE consumers SET last_id = MAX(last_id, ?), updated_at = ? "
            "WHERE account = ? AND consumer = ? AND feed = ?",
            (change_id, now, account, consumer, feed),
        )

    def consumer_positions(self, account: str) -> dict[str, dict[str, int]]:
        """Every consumer of the account: {consumer: {feed: last delivered id}}."""
        rows = (
            self._connect()
            .execute(
                "SELECT consumer, feed, last_id FROM consumers WHERE account = ? "
                "ORDER BY consumer, feed",
                (account,),
            )
            .fetchall()
        )
        out: dict[str, dict[str, int]] = {}
        for r in rows:
            out.setdefault(r["consumer"], {})[r["feed"]] = int(r["last_id"])
        return out

    # --- the one write ----------------------------------------------------------------------
    def store_page(
        self,
        account: str,
        feed: str,
        changes: Sequence[Any],
        cursor: str,
        has_more: bool,
        *,
        fetched_from: str | object | None = ...,
    ) -> list[int] | None:
        """Store a page and its cursor atomically; returns the new local change ids.

        `changes` are `synctui.domain.models.Change` objects (or anything with the same
        attributes); kept duck-typed so the store does not depend on the domain layer.

        With `fetched_from` (the cursor the page was requested with), the write happens only
        if that is still the stored cursor — a compare-and-set, so two engines on one account
        (the TUI viewer and `synctui feed tail`) can never store the same page twice. A lost
        race returns None and stores nothing; the loser simply fetches again.
        """
        now = self.clock().astimezone(UTC).isoformat(timespec="milliseconds")
        db = self._connect()
        ids: list[int] = []
        db.execute("BEGIN IMMEDIATE")
        try:
            if fetched_from is not ...:
                row = db.execute(
                    "SELECT cursor FROM cursors WHERE account = ? AND feed = ?", (account, feed)
                ).fetchone()
                if (row["cursor"] if row else None) != fetched_from:
                    db.execute("ROLLBACK")
                    return None
            for change in changes:
                ids.append(self._insert(db, account, feed, change, now))
            db.execute(
                "INSERT INTO cursors (account, feed, cursor, has_more, last_success) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, feed) DO UPDATE SET "
                "cursor = excluded.cursor, has_more = excluded.has_more, "
                "last_success = excluded.last_success",
                (account, feed, cursor, int(has_more), now),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return ids

    def _insert(
        self, db: sqlite3.Connection, account: str, feed: str, change: Any, now: str
    ) -> int:
        data = change.data
        partial = bool(getattr(change, "partial", False) or has_null_guid(data))
        project_id = None
        if data:
            project_id = _text(
                data.get("projectId") or (data.get("id") if feed == "project" else None)
            )
        payload = _json_text(data) if data is not None else None
        entity_id = _text(change.entity_id) or ""
        entity_type = _text(change.entity_type) or ""
        operation = _text(change.operation) or ""
        sequence = _sequence(change.sequence_version)
        cur = db.execute(
            "INSERT INTO changes (account, feed, entity_id, entity_type, operation, "
            "sequence_version, partial, subject, project_id, data, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                account,
                feed,
                entity_id,
                entity_type,
                operation,
                sequence,
                int(partial),
                _text(subject_of(data)),
                project_id,
                payload,
                now,
            ),
        )
        change_id = int(cur.lastrowid or 0)
        previous = db.execute(
            "SELECT partial FROM entities WHERE account = ? AND entity_id = ?",
            (account, entity_id),
        ).fetchone()
        deleted = operation == "deleted" or data is None
        if previous is not None and previous["partial"] and not partial and not deleted:
            # The update that completes a partial entity: mark the earlier partial changes.
            db.execute(
                "UPDATE changes SET resolved_by = ? WHERE account = ? AND entity_id = ? "
                "AND partial = 1 AND resolved_by IS NULL AND id < ?",
                (change_id, account, entity_id, change_id),
            )
        db.execute(
            "INSERT INTO entities (account, entity_id, feed, entity_type, last_change, "
            "sequence_version, deleted, partial, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (account, entity_id) DO UPDATE SET last_change = excluded.last_change, "
            "sequence_version = COALESCE(excluded.sequence_version, entities.sequence_version), "
            "deleted = excluded.deleted, partial = excluded.partial, "
            "snapshot = COALESCE(excluded.snapshot, entities.snapshot)",
            (
                account,
                entity_id,
                feed,
                entity_type,
                change_id,
                sequence,
                int(deleted),
                int(partial and not deleted),
                payload,
            ),
        )
        return change_id

    # --- reads ------------------------------------------------------------------------------
    def count(self, account: str | None = None, flt: ChangeFilter | None = None) -> int:
        where, params = (flt or ChangeFilter()).where(account)
        row = self._connect().execute(f"SELECT COUNT(*) FROM changes{where}", params).fetchone()
        return int(row[0])

    def counts_by_feed(self, account: str | None = None) -> dict[str, int]:
        where, params = ChangeFilter().where(account)
        rows = (
            self._connect()
            .execute(f"SELECT feed, COUNT(*) AS n FROM changes{where} GROUP BY feed", params)
            .fetchall()
        )
        return {r["feed"]: int(r["n"]) for r in rows}

    def page(
        self,
        account: str | None = None,
        flt: ChangeFilter | None = None,
        *,
        offset: int = 0,
        limit: int = 100,
        newest_first: bool = True,
        with_data: bool = False,
    ) -> list[StoredChange]:
        """One screenful of changes; the viewer never loads more than it shows."""
        where, params = (flt or ChangeFilter()).where(account)
        order = "DESC" if newest_first else "ASC"
        columns = "*" if with_data else _LIGHT_COLUMNS
        rows = (
            self._connect()
            .execute(
                f"SELECT {columns} FROM changes{where} ORDER BY id {order} LIMIT ? OFFSET ?",
                [*params, limit, offset],
            )
            .fetchall()
        )
        return [_row(r) for r in rows]

    def after(
        self, change_id: int, account: str | None = None, limit: int = 1000
    ) -> list[StoredChange]:
        """Changes stored after a local id, oldest first: what `feed tail` prints next."""
        where, params = ChangeFilter().where(account)
        glue = " AND " if where else " WHERE "
        rows = (
            self._connect()
            .execute(
                f"SELECT * FROM changes{where}{glue}id > ? ORDER BY id ASC LIMIT ?",
                [*params, change_id, limit],
            )
            .fetchall()
        )
        return [_row(r) for r in rows]

    def iter_all(
        self, account: str | None = None, flt: ChangeFilter | None = None, batch: int = 2000
    ) -> Iterator[StoredChange]:
        """Every matching change, oldest first, in batches (exports, --from-start)."""
        flt = flt or ChangeFilter()
        where, params = flt.where(account)
        glue = " AND " if where else " WHERE "
        hint = "" if flt.feeds else " NOT INDEXED"  # walk rowids in order (see `ids`)
        last = 0
        while True:
            rows = (
                self._connect()
                .execute(
                    f"SELECT * FROM changes{hint}{where}{glue}id > ? ORDER BY id ASC LIMIT ?",
                    [*params, last, batch],
                )
                .fetchall()
            )
            if not rows:
                return
            for r in rows:
                yield _row(r)
            last = rows[-1]["id"]

    def get(self, change_id: int) -> StoredChange | None:
        row = self._connect().execute("SELECT * FROM changes WHERE id = ?", (change_id,)).fetchone()
        return _row(row) if row else None

    def history(self, account: str, entity_id: str) -> list[StoredChange]:
        """An entity's changes in order (sequence version where present, then arrival)."""
        rows = (
            self._connect()
            .execute(
                "SELECT * FROM changes WHERE account = ? AND entity_id = ? "
                "ORDER BY COALESCE(sequence_version, 9223372036854775807), id",
                (account, entity_id),
            )
            .fetchall()
        )
        return [_row(r) for r in rows]

    def entity(self, account: str, entity_id: str) -> dict[str, Any] | None:
        row = (
            self._connect()
            .execute(
                "SELECT * FROM entities WHERE account = ? AND entity_id = ?", (account, entity_id)
            )
            .fetchone()
        )
        if row is None:
            return None
        return {
            "entity_id": row["entity_id"],
            "feed": row["feed"],
            "entity_type": row["entity_type"],
            "deleted": bool(row["deleted"]),
            "partial": bool(row["partial"]),
            "sequence_version": row["sequence_version"],
            "snapshot": json.loads(row["snapshot"]) if row["snapshot"] else None,
        }

    def repeats(self, account: str, changes: Sequence[Any]) -> list[bool]:
        """For each change, whether it is exactly its entity's last stored change again: the
        same deletion, or the same sequence version with the same snapshot. A vendor that
        sends a change twice (the same page again, a cursor that did not move) must not get
        it stored twice; one read per page, however many changes it holds."""
        keys = {_text(c.entity_id) or "" for c in changes}
        last: dict[str, tuple[int | None, bool, str | None]] = {}
        ordered = sorted(keys)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            rows = (
                self._connect()
                .execute(
                    "SELECT entity_id, sequence_version, deleted, snapshot FROM entities "
                    f"WHERE account = ? AND entity_id IN ({','.join('?' * len(chunk))})",
                    (account, *chunk),
                )
                .fetchall()
            )
            for row in rows:
                last[row["entity_id"]] = (row[1], bool(row[2]), row[3])
        out: list[bool] = []
        for change in changes:
            known = last.get(_text(change.entity_id) or "")
            if known is None:
                out.append(False)
                continue
            sequence, deleted, snapshot = known
            if change.operation == "deleted" or change.data is None:
                out.append(deleted)
                continue
            out.append(
                not deleted
                and change.sequence_version is not None
                and sequence == _sequence(change.sequence_version)
                and snapshot == _json_text(change.data)
            )
        return out

    # --- keyset reads for viewers (never OFFSET) --------------------------------------------
    def ids(
        self,
        account: str | None = None,
        flt: ChangeFilter | None = None,
        *,
        after_id: int = 0,
        limit: int = 100_000,
    ) -> list[int]:
        """Ids of matching changes after a local id, ascending, at most `limit` of them.

        A viewer keeps these to turn a row position into a change without OFFSET, which
        walks every skipped row (2.5 s to reach the end of 1,000,000). Without a feed filter
        the planner would pick the (account, entity) index and sort on every call (3 s for
        1,000,000 ids); NOT INDEXED walks the rowid range in order instead (0.3 s).
        """
        flt = flt or ChangeFilter()
        where, params = flt.where(account)
        glue = " AND " if where else " WHERE "
        hint = "" if flt.feeds else " NOT INDEXED"
        cur = self._connect().cursor()
        cur.row_factory = None
        cur.execute(
            f"SELECT id FROM changes{hint}{where}{glue}id > ? ORDER BY id LIMIT ?",
            [*params, after_id, limit],
        )
        return [row[0] for row in cur.fetchall()]

    def get_many(self, ids: Sequence[int], *, with_data: bool = False) -> list[StoredChange]:
        """The changes with these local ids, ascending (unknown ids are skipped)."""
        columns = "*" if with_data else _LIGHT_COLUMNS
        db = self._connect()
        out: list[StoredChange] = []
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), 500):  # well under SQLite's variable limit
            chunk = wanted[start : start + 500]
            rows = db.execute(
                f"SELECT {columns} FROM changes WHERE id IN ({','.join('?' * len(chunk))}) "
                "ORDER BY id",
                chunk,
            ).fetchall()
            out.extend(_row(r) for r in rows)
        return out

    def growth(self, account: str | None, after_id: int) -> tuple[int, dict[str, int]]:
        """(highest id, new changes per feed) after a local id, in one rowid-range query.

        Lets a viewer keep per-feed totals and a rate current on a timer without counting the
        whole table each time; it also sees changes stored by another process (`feed tail`).
        """
        where, params = ChangeFilter().where(account)
        glue = " AND " if where else " WHERE "
        # From the start the (account, feed, id) index counts fastest (0.36 s at 1,000,000);
        # for the tail a rowid range is ~2,000 times faster than that index (0.07 ms).
        hint = " NOT INDEXED" if after_id > 0 else ""
        rows = (
            self._connect()
            .execute(
                f"SELECT feed, COUNT(*) AS n, MAX(id) AS top FROM changes{hint}{where}"
                f"{glue}id > ? GROUP BY feed",
                [*params, after_id],
            )
            .fetchall()
        )
        top = max((int(r["top"]) for r in rows), default=after_id)
        return top, {r["feed"]: int(r["n"]) for r in rows}

    def max_id(self, account: str | None = None) -> int:
        where, params = ChangeFilter().where(account)
        row = self._connect().execute(f"SELECT MAX(id) FROM changes{where}", params).fetchone()
        return int(row[0] or 0)

    def projects(self, account: str | None = None) -> list[tuple[str, str]]:
        """(project id, name) pairs known from the project feed, for the project filter."""
        sql = "SELECT entity_id, snapshot FROM entities WHERE feed = 'project' AND deleted = 0"
        params: list[Any] = []
        if account is not None:
            sql += " AND account = ?"
            params.append(account)
        rows = self._connect().execute(sql, params).fetchall()
        out = []
        for r in rows:
            snap = json.loads(r["snapshot"]) if r["snapshot"] else {}
            out.append((r["entity_id"], str(snap.get("name") or r["entity_id"])))
        return sorted(out, key=lambda p: p[1].lower())


_LIGHT_COLUMNS = (
    "id, account, feed, entity_id, entity_type, operation, sequence_version, partial, "
    "resolved_by, subject, project_id, received_at, NULL AS data"
)


def _row(row: sqlite3.Row) -> StoredChange:
    data = row["data"]
    return StoredChange(
        id=row["id"],
        account=row["account"],
        feed=row["feed"],
        entity_id=row["entity_id"],
        entity_type=row["entity_type"],
        operation=row["operation"],
        sequence_version=row["sequence_version"],
        partial=bool(row["partial"]),
        resolved_by=row["resolved_by"],
        subject=row["subject"] or "",
        project_id=row["project_id"],
        received_at=row["received_at"],
        data=json.loads(data) if data else None,
    )
