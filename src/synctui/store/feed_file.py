"""The feed store's file: its schema, its privacy (0600), and what happens when it is damaged.

The file holds contact names, phones and addresses: it and its -wal/-shm files are private
(0600), like the journal. A damaged file is reported as `FeedStoreDamaged`, naming the file
and the way out (`move_aside`, which `synctui feed reset` does): nothing is ever deleted.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from synctui.domain.errors import SyncTuiError

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
    stamp = (clock or utc_now)().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    for file, moved in zip(companions(path), companions(target), strict=True):
        if file.exists():
            os.replace(file, moved)
    return target


def utc_now() -> datetime:
    return datetime.now(UTC)
