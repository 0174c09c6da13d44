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

The file itself (schema, 0600, damage) is `feed_file`; what readers get and filter by is
`feed_records`; how a page is written is `feed_write`. Every name they hold that callers use
is importable from here.

Memory stays bounded: everything lives on disk and readers page through it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from synctui.store.change_search import register as register_search
from synctui.store.feed_file import (
    SCHEMA,
    FeedStoreDamaged,
    companions,
    is_damage,
    make_private,
    move_aside,
    utc_now,
)
from synctui.store.feed_records import (
    LIGHT_COLUMNS,
    NULL_GUID,
    ChangeFilter,
    StoredChange,
    has_null_guid,
    stored_change,
    subject_of,
)
from synctui.store.feed_write import insert_page, repeats
from synctui.store.thread_connections import CLOSE_WAIT_SECONDS, ThreadConnections, using

WAL_CHECKPOINT_PAGES = 4000  # pages of 4 KB

__all__ = [
    "NULL_GUID",
    "SCHEMA",
    "ChangeFilter",
    "FeedStore",
    "FeedStoreDamaged",
    "StoredChange",
    "companions",
    "has_null_guid",
    "is_damage",
    "make_private",
    "move_aside",
    "subject_of",
]


class FeedStore:
    """One SQLite file shared by the TUI viewer and `synctui feed tail`."""

    def __init__(
        self, path: Path | str | None = None, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        """`clock` gives the `received_at` stamp of stored changes (UTC, aware): the wall
        clock unless pinned, as screenshots do so that list times are the same every run."""
        self.clock = clock or utc_now
        if path is None:
            from synctui.store.paths import ensure_dir, feed_db

            path = feed_db()
            ensure_dir(Path(path).parent)
        self.path = Path(path)
        # One connection per thread (the feed engine writes while the viewer's workers
        # read), every one of them closed by `close_all`.
        self.connections = ThreadConnections(self._open_connection)
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

    def _open_connection(self) -> sqlite3.Connection:
        # Used by one thread only; another thread may close it (`close_all`).
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            # A page of changes dirties a few hundred scattered index and entity pages,
            # and every commit writes them to the WAL again; a checkpoint copies each
            # page only once, so checkpointing every 16 MB instead of SQLite's 4 MB
            # writes and reads a third less for a catch-up (the WAL file grows to ~16 MB).
            db.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
        except BaseException:
            db.close()
            raise
        db.row_factory = sqlite3.Row
        register_search(db)
        return db

    def _connect(self) -> sqlite3.Connection:
        """This thread's connection (a store call holds its use lock: `using`)."""
        return self.connections.get()

    def close(self) -> None:
        """Close this thread's connection."""
        self.connections.close_mine()

    def close_all(self, wait: float = CLOSE_WAIT_SECONDS) -> None:
        """Close every connection this store opened, on any thread, when its user is done
        with it (a command's end, the app's exit); a call still running is waited for
        (`ThreadConnections.close_all`)."""
        self.connections.close_all(wait)

    # --- cursors ----------------------------------------------------------------------------
    @using
    def cursor(self, account: str, feed: str) -> str | None:
        row = (
            self._connect()
            .execute("SELECT cursor FROM cursors WHERE account = ? AND feed = ?", (account, feed))
            .fetchone()
        )
        return row["cursor"] if row else None

    @using
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

    @using
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
    @using
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

    @using
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
        return [stored_change(r) for r in rows]

    @using
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

    @using
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
    @using
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
        db.execute("BEGIN IMMEDIATE")
        try:
            if fetched_from is not ...:
                row = db.execute(
                    "SELECT cursor FROM cursors WHERE account = ? AND feed = ?", (account, feed)
                ).fetchone()
                if (row["cursor"] if row else None) != fetched_from:
                    db.execute("ROLLBACK")
                    return None
            ids = insert_page(db, account, feed, changes, now)
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

    # --- reads ------------------------------------------------------------------------------
    @using
    def count(self, account: str | None = None, flt: ChangeFilter | None = None) -> int:
        where, params = (flt or ChangeFilter()).where(account)
        row = self._connect().execute(f"SELECT COUNT(*) FROM changes{where}", params).fetchone()
        return int(row[0])

    @using
    def counts_by_feed(self, account: str | None = None) -> dict[str, int]:
        where, params = ChangeFilter().where(account)
        rows = (
            self._connect()
            .execute(f"SELECT feed, COUNT(*) AS n FROM changes{where} GROUP BY feed", params)
            .fetchall()
        )
        return {r["feed"]: int(r["n"]) for r in rows}

    @using
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
        columns = "*" if with_data else LIGHT_COLUMNS
        rows = (
            self._connect()
            .execute(
                f"SELECT {columns} FROM changes{where} ORDER BY id {order} LIMIT ? OFFSET ?",
                [*params, limit, offset],
            )
            .fetchall()
        )
        return [stored_change(r) for r in rows]

    @using
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
        return [stored_change(r) for r in rows]

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
            with self.connections.use_lock():  # a batch at a time: not across the yields
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
                yield stored_change(r)
            last = rows[-1]["id"]

    @using
    def get(self, change_id: int) -> StoredChange | None:
        row = self._connect().execute("SELECT * FROM changes WHERE id = ?", (change_id,)).fetchone()
        return stored_change(row) if row else None

    @using
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
        return [stored_change(r) for r in rows]

    @using
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

    @using
    def repeats(self, account: str, changes: Sequence[Any]) -> list[bool]:
        """For each change, whether it is exactly its entity's last stored change again (see
        `feed_write.repeats`): a vendor that sends a change twice must not get it stored twice."""
        return repeats(self._connect(), account, changes)

    # --- keyset reads for viewers (never OFFSET) --------------------------------------------
    @using
    def ids(
        self,
        account: str | None = None,
        flt: ChangeFilter | None = None,
        *,
        after_id: int = 0,
        limit: int = 100_000,
        upto: int | None = None,
    ) -> list[int]:
        """Ids of matching changes after a local id (and none above `upto`), ascending, at
        most `limit` of them.

        A viewer reads these to turn a row position into a change without OFFSET, which
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
        bound, bounds = ("", []) if upto is None else (" AND id <= ?", [upto])
        cur.execute(
            f"SELECT id FROM changes{hint}{where}{glue}id > ?{bound} ORDER BY id LIMIT ?",
            [*params, after_id, *bounds, limit],
        )
        return [row[0] for row in cur.fetchall()]

    @using
    def get_many(self, ids: Sequence[int], *, with_data: bool = False) -> list[StoredChange]:
        """The changes with these local ids, ascending (unknown ids are skipped)."""
        columns = "*" if with_data else LIGHT_COLUMNS
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
            out.extend(stored_change(r) for r in rows)
        return out

    @using
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

    @using
    def max_id(self, account: str | None = None) -> int:
        where, params = ChangeFilter().where(account)
        row = self._connect().execute(f"SELECT MAX(id) FROM changes{where}", params).fetchone()
        return int(row[0] or 0)

    @using
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
