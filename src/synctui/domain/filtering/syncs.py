"""The filter language over syncs: their fields (normalized, table columns, paths into the
raw JSON) and their haystack — what `--where`, the sync table, triage and batches read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from synctui.domain.filtering.matching import FieldSet, Filter, _walk
from synctui.domain.filtering.terms import Term, parse_filter
from synctui.domain.filtering.text import SEPARATOR

if TYPE_CHECKING:
    from synctui.domain.models import Sync

BUILTIN_FIELDS: dict[str, Callable[[Sync], Any]] = {
    "account": lambda s: s.account,
    "vendor": lambda s: s.vendor,
    "id": lambda s: s.id,
    "name": lambda s: s.name,
    "status": lambda s: s.status.value,
    "vendor_status": lambda s: s.vendor_status,
    "reason": lambda s: s.status_reason,
    "latest_run": lambda s: s.latest_run.state.value if s.latest_run else None,
    "updated_at": lambda s: s.updated_at,
    "updated": lambda s: s.updated_at,
}


def sync_haystack(sync: Sync) -> str:
    """What a bare word searches on a sync, name first, lower-cased, joined by SEPARATOR.

    Exposed so a table holding many rows can compute it once per row and call
    :meth:`Filter.matches` with it, instead of rebuilding it on every keystroke. A column
    often repeats the name or the status: once is enough to find it, and a shorter text is
    a faster keystroke over 100,000 rows.
    """
    parts: list[str] = [sync.name, sync.id, sync.account, sync.vendor, sync.status]
    if sync.vendor_status != sync.status:
        parts.append(sync.vendor_status)
    run = sync.latest_run
    if run is not None:
        parts.append(run.state)  # StrEnum: joins as its value
    if sync.updated_at:
        parts.append(sync.updated_at)
    for value in sync.columns.values():
        if value not in parts:
            parts.append(value)
    return SEPARATOR.join(parts).casefold()


def loose_name(key: str) -> str:
    """'latestIngestion', 'Latest ingestion' and 'latest_ingestion' name the same column."""
    return re.sub(r"[^0-9a-z]+", "", key.casefold())


class SyncFields(FieldSet["Sync"]):
    """Fields of a sync: the normalized ones, its table columns, and paths into its JSON."""

    singular = "sync"
    plural = "syncs"

    def haystack(self, subject: Sync) -> str:
        return sync_haystack(subject)

    def reader(self, field: str) -> Callable[[Sync], list[Any]]:
        getter = BUILTIN_FIELDS.get(field.lower())
        if getter is not None:

            def builtin(sync: Sync) -> list[Any]:
                value = getter(sync)
                return [] if value is None else [value]

            return builtin
        path = field.split(".")
        loose = loose_name(field)

        def other(sync: Sync) -> list[Any]:
            # A column and a raw key may share a name and differ in spelling (Speckle's
            # "active" column says "yes", its JSON says true): either one matching is a match.
            columns = sync.columns
            if field in columns:
                found: list[Any] = [columns[field]]
            else:
                found = [v for k, v in columns.items() if loose_name(k) == loose]
            _walk(sync.raw, path, found)
            return found

        return other


SYNC_FIELDS = SyncFields()


class SyncFilter(Filter["Sync"]):
    """A compiled filter over syncs (what ``--where`` and the sync table use)."""

    def __init__(self, text: str, terms: Sequence[Term], fields: FieldSet[Sync] = SYNC_FIELDS):
        super().__init__(text, terms, fields)


def compile_filter(text: str, *, partial: bool = False) -> SyncFilter:
    """Compile ``text`` into a predicate over syncs.

    Raises:
        UsageError: malformed input, with the column, e.g. "unclosed quote at column 12".
    """
    return SyncFilter(text, parse_filter(text, partial=partial))


def describe_filter(text: str) -> str:
    """The filter in words, for a status bar or a "3 syncs match ..." line.

    Raises:
        UsageError: as :func:`compile_filter`.
    """
    return compile_filter(text).describe()
