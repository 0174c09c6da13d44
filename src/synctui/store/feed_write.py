"""Writing a page of changes into the feed store, inside the caller's transaction.

A page is written with a fixed number of statements, not three per change: the changes go
in with one `executemany`, the entities they touch are read once, the partial-entity
bookkeeping is worked out in Python in page order, and the entity snapshots go in with one
`executemany` (in page order, so two changes of one entity in a page end as they would one
by one). Each change's JSON is serialized once and that text serves the `data` column, the
entity snapshot and the null-GUID test.

The caller holds the write lock (`BEGIN IMMEDIATE`) for the whole page, so the ids SQLite
gives the page's rows are consecutive: the last one and the count give them all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from synctui.store.feed_records import (
    NULL_GUID,
    column_text,
    has_null_guid,
    json_text,
    sequence_value,
    subject_of,
)

_INSERT_CHANGE = (
    "INSERT INTO changes (account, feed, entity_id, entity_type, operation, "
    "sequence_version, partial, subject, project_id, data, received_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# The update that completes a partial entity marks the earlier partial changes resolved.
_RESOLVE = (
    "UPDATE changes SET resolved_by = ? WHERE account = ? AND entity_id = ? "
    "AND partial = 1 AND resolved_by IS NULL AND id < ?"
)
_UPSERT_ENTITY = (
    "INSERT INTO entities (account, entity_id, feed, entity_type, last_change, "
    "sequence_version, deleted, partial, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (account, entity_id) DO UPDATE SET last_change = excluded.last_change, "
    "sequence_version = COALESCE(excluded.sequence_version, entities.sequence_version), "
    "deleted = excluded.deleted, partial = excluded.partial, "
    "snapshot = COALESCE(excluded.snapshot, entities.snapshot)"
)
_CHUNK = 500  # entity ids per IN (...) read, well under SQLite's variable limit


def insert_page(
    db: sqlite3.Connection, account: str, feed: str, changes: Sequence[Any], now: str
) -> list[int]:
    """Insert the changes (duck-typed `Change`s) and their entity snapshots; returns the new
    local ids in page order. Must run inside a write transaction the caller commits."""
    if not changes:
        return []
    rows: list[tuple[Any, ...]] = []
    facts: list[tuple[str, str, str, int | None, bool, bool, str | None]] = []
    for change in changes:
        data = change.data
        payload = json_text(data) if data is not None else None
        # The adapter's flag, else the text: no null GUID in the JSON text, none in the data.
        partial = bool(getattr(change, "partial", False)) or (
            payload is not None and NULL_GUID in payload and has_null_guid(data)
        )
        project_id = None
        if data:
            project_id = column_text(
                data.get("projectId") or (data.get("id") if feed == "project" else None)
            )
        entity_id = column_text(change.entity_id) or ""
        entity_type = column_text(change.entity_type) or ""
        operation = column_text(change.operation) or ""
        sequence = sequence_value(change.sequence_version)
        rows.append(
            (
                account,
                feed,
                entity_id,
                entity_type,
                operation,
                sequence,
                int(partial),
                column_text(subject_of(data)),
                project_id,
                payload,
                now,
            )
        )
        deleted = operation == "deleted" or data is None
        facts.append((entity_id, entity_type, operation, sequence, partial, deleted, payload))
    db.executemany(_INSERT_CHANGE, rows)
    (last,) = db.execute("SELECT last_insert_rowid()").fetchone()
    ids = list(range(int(last) - len(rows) + 1, int(last) + 1))

    partial_now = _partial_entities(db, account, (f[0] for f in facts))
    resolutions: list[tuple[Any, ...]] = []
    entities: list[tuple[Any, ...]] = []
    for change_id, (entity_id, entity_type, _, sequence, partial, deleted, payload) in zip(
        ids, facts, strict=True
    ):
        if partial_now.get(entity_id) and not partial and not deleted:
            resolutions.append((change_id, account, entity_id, change_id))
        partial_now[entity_id] = partial and not deleted
        entities.append(
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
            )
        )
    if resolutions:
        db.executemany(_RESOLVE, resolutions)
    db.executemany(_UPSERT_ENTITY, entities)
    return ids


def _partial_entities(db: sqlite3.Connection, account: str, keys: Iterable[str]) -> dict[str, bool]:
    """Whether each already known entity is partial now (unknown ones are absent)."""
    return {
        entity_id: bool(partial)
        for entity_id, partial in _entity_rows(db, account, keys, "partial")
    }


def repeats(db: sqlite3.Connection, account: str, changes: Sequence[Any]) -> list[bool]:
    """For each change, whether it is exactly its entity's last stored change again: the
    same deletion, or the same sequence version with the same snapshot. One read per page,
    however many changes it holds."""
    keys = [column_text(c.entity_id) or "" for c in changes]
    last: dict[str, tuple[int | None, bool, str | None]] = {
        entity_id: (sequence, bool(deleted), snapshot)
        for entity_id, sequence, deleted, snapshot in _entity_rows(
            db, account, keys, "sequence_version, deleted, snapshot"
        )
    }
    out: list[bool] = []
    for change, key in zip(changes, keys, strict=True):
        known = last.get(key)
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
            and sequence == sequence_value(change.sequence_version)
            and snapshot == json_text(change.data)
        )
    return out


def _entity_rows(
    db: sqlite3.Connection, account: str, keys: Iterable[str], columns: str
) -> Iterator[Any]:
    """(entity_id, *columns) of the known entities among `keys`, a chunk of ids a query
    (SQLite limits the variables of one statement)."""
    for chunk in _chunks(keys):
        yield from db.execute(
            f"SELECT entity_id, {columns} FROM entities "
            f"WHERE account = ? AND entity_id IN ({','.join('?' * len(chunk))})",
            (account, *chunk),
        ).fetchall()


def _chunks(keys: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(set(keys))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]
