"""Reading entries: the filters `list`/`count` take, and a row made an entry.

A pending entry whose process is gone will never be finished. Each entry records its owner
(host, boot, pid, process start: `process_identity`), and reading turns the pending entry of
a process that no longer runs into `unknown` (with `stale` set) — shown that way, and found by
`outcome="unknown"`; the stored row is left as it is.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from synctui.store.journal.encoding import from_json, like_pattern, safe_text
from synctui.store.journal.entry import OUTCOMES, STALE_NOTE, JournalEntry, JournalError
from synctui.store.process_identity import Owner, owner_alive


class Liveness:
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


def filters(
    account: str | None,
    sync_id: str | None,
    outcome: str | None,
    text: str | None,
    batch_id: str | None,
    live: Liveness,
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
            params.append(safe_text(value))
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
        pattern = like_pattern(safe_text(text) or "")
        clauses.append(
            "(" + " OR ".join(f"{col} LIKE ? ESCAPE '\\'" for col in _TEXT_COLUMNS) + ")"
        )
        params.extend([pattern] * len(_TEXT_COLUMNS))
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return where, tuple(params)


def entry(row: tuple[Any, ...], live: Liveness) -> JournalEntry:
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
        before=from_json(before),
        after=from_json(after),
        request=from_json(request),
        outcome=outcome,
        error=error,
        result=from_json(result),
        batch_id=batch_id,
        reverts=reverts,
        finished_at=finished_at,
        stale=stale,
    )
