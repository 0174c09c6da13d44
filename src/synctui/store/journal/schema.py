"""The journal's table, and bringing an existing database up to it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from synctui.store.journal.entry import JournalError

SCHEMA_VERSION = 2

COLUMNS = (
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


def create_or_check(conn: sqlite3.Connection, path: Path) -> None:
    """Create the schema, or check (and upgrade) the one found; inside the caller's
    transaction."""
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
            f"The journal {path} was written by a newer synctui (schema {version}); "
            "upgrade synctui to read it."
        )
    elif version < 2:
        # Version 2 records the process that wrote each entry. Older entries have none:
        # nothing can show their process alive, so a pending one of them reads as unknown.
        conn.execute("ALTER TABLE entries ADD COLUMN owner TEXT")
        conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))
