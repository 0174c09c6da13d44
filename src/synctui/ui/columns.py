"""Which columns each vendor's table shows, and how a `Sync` becomes a table row.

Adapters fill `Sync.columns` with vendor-specific values. The keys are matched loosely
(`latestIngestion`, `latest ingestion` and `latest_ingestion` are the same column) against
the preferred layout below; keys an adapter adds that are not listed here still appear, after
the known ones, and a listed column an adapter does not fill shows "-". So a new or changed
adapter never breaks a table, it only changes what is in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from synctui.domain.filtering import SYNC_FIELDS, sync_haystack
from synctui.domain.status import SyncStatus
from synctui.ui.formatting import one_line, short_time
from synctui.ui.table_model import Column, Row, RowFiltering

if TYPE_CHECKING:
    from synctui.domain.models import Sync

STATUS_SYMBOLS: dict[str, str] = {
    SyncStatus.ACTIVE: "●",
    SyncStatus.PAUSED: "‖",
    SyncStatus.ERROR: "✗",
    SyncStatus.DRAFT: "✎",
    SyncStatus.INITIALIZING: "…",
    SyncStatus.IDLE: "○",
    SyncStatus.LEGACY: "◆",
    SyncStatus.UNKNOWN: "?",
}

# Sorting the status column puts what needs attention first.
STATUS_RANK: dict[str, int] = {
    SyncStatus.ERROR: 0,
    SyncStatus.UNKNOWN: 1,
    SyncStatus.LEGACY: 2,
    SyncStatus.PAUSED: 3,
    SyncStatus.INITIALIZING: 4,
    SyncStatus.DRAFT: 5,
    SyncStatus.IDLE: 6,
    SyncStatus.ACTIVE: 7,
}


@dataclass(frozen=True)
class VendorColumn:
    """A preferred column: the title, the `Sync.columns` keys that may hold it, limits."""

    title: str
    keys: tuple[str, ...]
    max_width: int = 30
    fallback: str = ""  # a Sync attribute used when no key is present ("name")


# Without columns declared by the vendor's adapter (`table_columns`): the name, then whatever
# keys the adapter filled.
FALLBACK_COLUMNS: tuple[VendorColumn, ...] = (VendorColumn("Name", ("name",), 36, fallback="name"),)

# The sync table's `/` reads each row's sync exactly as `--where` does, whatever the columns:
# a filter tried in the table selects the same syncs in a batch command.
SYNC_ROWS = RowFiltering(lambda columns: SYNC_FIELDS, lambda row: row.subject)

STATUS_COLUMN = Column("status", "Status", max_width=16, min_width=8, kind="status", fixed=True)
UPDATED_COLUMN = Column("updated", "Updated", max_width=16, min_width=10, fixed=True)
NAME_GIVE = 0.5  # the name gives way least: it is what a person reads a row by


def is_time_key(key: str) -> bool:
    """A column holding a time (often after a state: "failed · 2026-11-13 17:23"): shown
    whole, as a cut time says nothing."""
    return bool(re.search(r"(^|_)(last|latest|updated|synced|created|started|finished)(_|$)", key))


def normalize_key(key: str) -> str:
    """'latestIngestion' / 'Latest ingestion' / 'latest-ingestion' → 'latest_ingestion'."""
    key = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key)
    return re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_")


def _title(key: str) -> str:
    text = normalize_key(key).replace("_", " ")
    return text[:1].upper() + text[1:]


def status_cell(sync: Sync) -> str:
    status = sync.status
    return f"{STATUS_SYMBOLS.get(status, '?')} {status.value}"


@dataclass(frozen=True)
class Layout:
    """The columns of one table and how to fill a row of it from a `Sync`."""

    columns: tuple[Column, ...]
    sources: tuple[tuple[str, tuple[str, ...], str], ...]  # (kind, keys, fallback) per column

    def row(self, sync: Sync, order: tuple[int, ...] = ()) -> Row:
        normalized = (
            {normalize_key(k): v for k, v in sync.columns.items()} if self.reads_columns else {}
        )
        cells: list[str] = []
        for kind, keys, fallback in self.sources:
            if kind == "status":
                cells.append(status_cell(sync))
            elif kind == "attr":
                cells.append(_attribute(sync, keys[0]))
            else:
                value = next((normalized[k] for k in keys if k in normalized), None)
                if value is None or value == "":
                    cells.append(_attribute(sync, fallback) if fallback else "-")
                else:
                    cells.append(one_line(value))
        status = sync.status.value
        return Row(
            sync.key,
            tuple(cells),
            tone=status,
            rank=STATUS_RANK.get(status, 9),
            order=order,
            hay=sync_haystack(sync),
            tip=sync.status_reason or "",
            subject=sync,
        )

    @cached_property
    def reads_columns(self) -> bool:
        return any(kind == "column" for kind, _, _ in self.sources)

    def rows(self, syncs: Iterable[Sync]) -> list[Row]:
        return [self.row(s) for s in syncs]


def _attribute(sync: Sync, name: str) -> str:
    if name == "latest_run":
        run = sync.latest_run
        if run is None:
            return "-"
        when = run.finished_at or run.started_at or run.created_at
        # The year is noise in a table cell; the state is what the eye looks for first.
        stamp = short_time(when)[5:] if when and len(short_time(when)) == 16 else short_time(when)
        return f"{run.state.value} {stamp}" if when else run.state.value
    if name == "updated_at":
        return short_time(sync.updated_at)
    return one_line(getattr(sync, name, None))


def vendor_layout(
    vendor: str,
    syncs: Sequence[Sync],
    *,
    with_account: bool = False,
    declared: Sequence[tuple[str, str]] = (),
) -> Layout:
    """One vendor's table.

    `declared` is the adapter's own `table_columns` ((key, title) pairs): when it has any,
    the table shows exactly those. Otherwise the name, then any extra keys the adapter
    filled, then the update time.
    """
    columns: list[Column] = [STATUS_COLUMN]
    sources: list[tuple[str, tuple[str, ...], str]] = [("status", (), "")]
    if with_account:
        columns.append(Column("account", "Account", max_width=22, min_width=12))
        sources.append(("attr", ("account",), ""))
    if declared:
        for key, title in declared:
            norm = normalize_key(key)
            wide = norm in ("name", "file", "integration", "model_destination")
            named = norm in ("name", "file")
            columns.append(
                Column(
                    norm,
                    title,
                    max_width=_declared_width(norm),
                    min_width=16 if wide else 4,
                    give=NAME_GIVE if named else 1.0,
                    fixed=is_time_key(norm),
                    flex=named,
                )
            )
            sources.append(("column", (norm,), "name" if norm in ("name", "file") else ""))
        return Layout(tuple(columns), tuple(sources))
    claimed: set[str] = set()
    for spec in FALLBACK_COLUMNS:
        keys = tuple(normalize_key(k) for k in spec.keys)
        claimed.update(keys)
        norm = normalize_key(spec.title)
        columns.append(
            Column(
                norm,
                spec.title,
                max_width=spec.max_width,
                min_width=16 if spec.fallback else 4,
                give=NAME_GIVE if spec.fallback else 1.0,
                fixed=is_time_key(norm),
                flex=bool(spec.fallback),
            )
        )
        sources.append(("column", keys, spec.fallback))
    extra: dict[str, str] = {}
    for sync in syncs:
        for key in sync.columns:
            norm = normalize_key(key)
            if norm not in claimed and norm not in extra:
                extra[norm] = key
    for norm in extra:
        columns.append(Column(norm, _title(norm), max_width=28, fixed=is_time_key(norm)))
        sources.append(("column", (norm,), ""))
    if not any(c.key == "updated" for c in columns):
        columns.append(UPDATED_COLUMN)
        sources.append(("attr", ("updated_at",), ""))
    return Layout(tuple(columns), tuple(sources))


def _declared_width(key: str) -> int:
    if key in ("active", "enabled"):
        return 8
    if key in ("name", "file", "model_destination"):
        return 36
    return 28


def merged_layout() -> Layout:
    """The All-accounts table: the same few columns for every vendor."""
    spec = (
        (STATUS_COLUMN, ("status", (), "")),
        (Column("account", "Account", max_width=22, min_width=12), ("attr", ("account",), "")),
        (Column("vendor", "Vendor", max_width=11, min_width=7), ("attr", ("vendor",), "")),
        (
            Column("name", "Name", max_width=40, min_width=16, give=NAME_GIVE, flex=True),
            ("attr", ("name",), ""),
        ),
        (
            Column("latest_run", "Latest run", max_width=28, min_width=10, fixed=True),
            ("attr", ("latest_run",), ""),
        ),
        (UPDATED_COLUMN, ("attr", ("updated_at",), "")),
    )
    return Layout(tuple(c for c, _ in spec), tuple(s for _, s in spec))


def layout_signature(layout: Layout) -> tuple[str, ...]:
    """Two layouts with the same signature can share a table without a reset."""
    return tuple(c.key for c in layout.columns)
