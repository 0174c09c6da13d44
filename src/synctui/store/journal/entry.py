"""What the journal holds and says: an entry, its outcomes, its errors."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Literal, get_args

from synctui.domain.errors import SyncTuiError

STALE_NOTE = (
    "the synctui process that sent this ended before its outcome was recorded: "
    "it may or may not have been applied, check the sync"
)

Outcome = Literal["pending", "ok", "failed", "unknown", "skipped"]
FinalOutcome = Literal["ok", "failed", "unknown", "skipped"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)
FINAL_OUTCOMES: tuple[str, ...] = get_args(FinalOutcome)

# SQLite integers are signed 64-bit: an id outside this range cannot exist.
MAX_ID = 2**63 - 1


class JournalError(SyncTuiError):
    """The journal cannot be read or written, or was asked something impossible."""


class JournalBusy(JournalError):
    """Another writer held the journal's lock for longer than we waited."""


# SQLITE_BUSY and SQLITE_LOCKED, with or without an extended code.
_BUSY_CODES = frozenset({5, 6})


def is_busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _BUSY_CODES
    return "locked" in str(exc) or "busy" in str(exc)


def valid_id(entry_id: object) -> bool:
    return isinstance(entry_id, int) and not isinstance(entry_id, bool) and 0 < entry_id <= MAX_ID


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
