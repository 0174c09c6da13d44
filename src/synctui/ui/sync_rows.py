"""How the main table's syncs become rows: lazily, and once per sync object.

Why its own piece: a load of 100,000 syncs arrives as pages, and everything done here is done
100,000 times before the first paint. So a row is a `LazyRow` (its cells are made when shown,
sorted by or filtered), a listed page reuses the keys and positions the catalog computed while
storing it (no sync is read twice), and a page of fresh sync objects is turned into rows in
one pass with no per-row lookup.

Rows are reused while `row.subject` is the very same sync object: the rows a view held are
kept (per layout) when the table moves to another view, so switching back is instant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import repeat
from typing import TYPE_CHECKING

from synctui.ui.catalog import Catalog, SyncKey
from synctui.ui.columns import Layout, layout_signature
from synctui.ui.table_model import LazyRow, Row

if TYPE_CHECKING:
    from synctui.domain.models import Sync
    from synctui.ui.editing.drafts import DraftStore

DRAFT_MARK = "* "  # before the status of a sync with an unsaved edit (e reopens it)


def with_draft_marker(row: Row) -> Row:
    """The same row with the unsaved-draft marker in its first (status) cell."""
    cells = (DRAFT_MARK + row.cells[0], *row.cells[1:]) if row.cells else row.cells
    return Row(
        row.key, cells, row.tone, row.rank, row.order, row.hay, tip=row.tip, subject=row.subject
    )


class SyncRows:
    """Makes the rows of one layout from syncs, and keeps the rows views left behind."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        # Per layout signature, the rows a view held when the table left it (by key).
        self._kept: dict[tuple[str, ...], dict[SyncKey, Row]] = {}

    def keep(self, layout: Layout, rows: dict[SyncKey, Row]) -> None:
        """The table leaves `layout` (or resets it): its rows may serve the next view."""
        self._kept[layout_signature(layout)] = rows

    def forget(self, keys: Iterable[SyncKey]) -> None:
        """These syncs changed their marker or left: no kept row of theirs is reused."""
        keys = list(keys)
        for rows in self._kept.values():
            for key in keys:
                rows.pop(key, None)

    def clear(self) -> None:
        """Accounts changed (and so every row's position): nothing kept is reused."""
        self._kept.clear()

    def rows(
        self,
        layout: Layout,
        syncs: Iterable[Sync],
        drafts: DraftStore | None,
    ) -> list[Row]:
        """Rows for syncs under `layout`, reusing a kept row built for the same object."""
        kept = self._kept.get(layout_signature(layout), {})
        rows: list[Row] = []
        append = rows.append
        make = layout.row  # called when the row is shown, sorted or filtered
        of_account = self.catalog.positions()
        account: str | None = None
        base, order = 0, {}  # where this account's positions start, its positions by key
        marked = drafts if drafts is not None and len(drafts) else None
        for sync in syncs:
            key = (sync.account, sync.id)  # Sync.key, inlined: run 100,000 times on a view
            row = kept.get(key)
            if row is None or row.subject is not sync:
                if key[0] != account:  # syncs come account by account: looked up once
                    account = key[0]
                    base, order = of_account(account)
                row = LazyRow(key, base + order.get(key, 0), sync, make)
                if marked is not None and marked.has_changes(key):
                    row = with_draft_marker(row)
            append(row)
        return rows

    def page(
        self,
        layout: Layout,
        account: str,
        syncs: Sequence[Sync],
        keys: Sequence[SyncKey],
        positions: Sequence[int],
        drafts: DraftStore | None,
    ) -> list[Row]:
        """Rows for a listed page of one account's syncs, given the keys and first-seen
        positions the catalog noted as it stored them. A listed page holds sync objects
        just read, so no kept row can be theirs: no lookup per row."""
        base, _order = self.catalog.positions()(account)
        make = layout.row
        orders = [base + position for position in positions]
        rows: list[Row] = list(map(LazyRow, keys, orders, syncs, repeat(make, len(keys))))
        if drafts is not None and len(drafts):
            rows = [with_draft_marker(r) if drafts.has_changes(r.key) else r for r in rows]
        return rows
