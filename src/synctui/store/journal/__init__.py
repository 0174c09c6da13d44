"""The write journal: every change synctui makes to a vendor, recorded in SQLite.

Lifecycle: `begin()` commits a `pending` entry *before* the request is sent and `finish()`
records how it ended. If synctui crashes, is killed or loses the network in between, the
pending entry remains as evidence that a write may have reached the vendor and should be
checked — the one case where a missing record would hurt most. Entries keep `before` and
`after`, so any change can be inspected and reverted later; a revert is itself an entry whose
`reverts` column points at the entry it undid.

Writes go through one thread per Journal (`writer`), which commits all the writes waiting
for it in one transaction: a batch's many writes in flight share their syncs to disk instead
of queueing for one each, and an event loop hands a write over (`begin_soon`,
`finish_soon`) without waiting on the disk. Each write is still committed before it is
reported done. Reads open a short-lived connection on the caller's thread. WAL mode lets
readers (the journal screen) proceed while a write commits; `busy_timeout` makes a write
wait for another process's lock (the CLI while the TUI runs) instead of failing, and a group
that still finds the database locked is tried again, a bounded number of times
(`lock_attempts`), before its writes give up with JournalBusy. `synchronous=FULL` makes each
commit durable even across a power cut, which matters for the pending entry.

One connection stays open for the Journal's life and does nothing (`_keeper`): when the last
connection to a WAL database closes, SQLite checkpoints the log into the database and
deletes it, which made every short-lived connection's close cost two more syncs to disk.

A pending entry whose process is gone reads as `unknown` (`reading`); text SQLite cannot
store is written as its escape (`encoding`).

Tokens never belong here. Callers pass token-free data, but `request`, `result` and `error`
are scrubbed anyway: credential-bearing header values become "****" and `Bearer …`/`Basic …`
strings are masked. `before`/`after` are stored as given: they are the sync's own settings
and the source of truth for a revert, so masking them would corrupt what a revert writes back.
"""

from synctui.store.journal.database import ACTIONS, BUSY_TIMEOUT, LOCK_ATTEMPTS, Journal
from synctui.store.journal.encoding import MASK, scrub
from synctui.store.journal.entry import (
    FINAL_OUTCOMES,
    MAX_ID,
    OUTCOMES,
    STALE_NOTE,
    FinalOutcome,
    JournalBusy,
    JournalEntry,
    JournalError,
    Outcome,
)
from synctui.store.journal.schema import SCHEMA_VERSION

__all__ = [
    "ACTIONS",
    "BUSY_TIMEOUT",
    "FINAL_OUTCOMES",
    "LOCK_ATTEMPTS",
    "MASK",
    "MAX_ID",
    "OUTCOMES",
    "SCHEMA_VERSION",
    "STALE_NOTE",
    "FinalOutcome",
    "Journal",
    "JournalBusy",
    "JournalEntry",
    "JournalError",
    "Outcome",
    "scrub",
]
