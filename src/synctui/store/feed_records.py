"""What the feed store hands out and narrows by, and how a change's values become columns.

`StoredChange` is one stored change as readers see it (`data` only when asked for: a list
of a million changes never holds their JSON); `ChangeFilter` is the viewer's and the exports'
filter, turned into one WHERE clause. The value helpers decide what a vendor's value becomes
in a TEXT or INTEGER column without ever failing on an odd one.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from synctui.domain.errors import UsageError
from synctui.domain.null_guid import NULL_GUID, has_null_guid  # noqa: F401  (re-exported)
from synctui.store.change_search import search_sql


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


def column_text(value: object) -> str | None:
    """A value for a TEXT column: numbers as text, containers as nothing, lone surrogates as
    U+FFFD (these columns are for showing and searching; `data` keeps the original)."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        text = str(value)
    else:
        return None
    if text.isascii():  # the common case, checked in C: no surrogate can be there
        return text
    return _LONE_SURROGATE.sub("\ufffd", text)


# One encoder for every change (json.dumps with options builds a new one per call).
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def json_text(data: object) -> str:
    """The change's JSON as stored: readable text, with any lone surrogate written as its JSON
    escape, which reads back as exactly the same string."""
    text = _ENCODE(data)
    if text.isascii():
        return text
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def sequence_value(value: object) -> int | None:
    """A sequence number SQLite can hold (64-bit), else none."""
    if isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63:
        return value
    return None


def subject_of(data: dict[str, Any] | None) -> str:
    if not data:
        return ""
    for key in ("subject", "name", "displayName", "code"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


# What a list shows: every column but the JSON, which only the detail pane reads.
LIGHT_COLUMNS = (
    "id, account, feed, entity_id, entity_type, operation, sequence_version, partial, "
    "resolved_by, subject, project_id, received_at, NULL AS data"
)


def stored_change(row: sqlite3.Row) -> StoredChange:
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
