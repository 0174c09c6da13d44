"""Placeholder rows for the accounts of a view that are still loading.

The first frame shows the table's columns and one muted row per account (its name, its
vendor, "… loading") before any vendor has answered — in a demo, before the sandbox has
even started — and the real rows replace them as pages arrive. They are painted by the
table but never part of its rows: nothing can select, mark, count or filter them.
"""

from __future__ import annotations

from collections.abc import Sequence

from synctui.ui.catalog import Catalog, LoadState, View
from synctui.ui.table_model import Column

LOADING_CELL = "… loading"
_UNFINISHED = (LoadState.IDLE, LoadState.LOADING)


def skeleton_cells(
    columns: Sequence[Column], catalog: Catalog, view: View, *, idle: bool = False
) -> list[tuple[str, ...]]:
    """Cell texts of one placeholder row per account of `view` loading with no sync yet
    (`idle`: also those not asked for yet — before the first view is shown, all of them);
    in a table without an Account column the account's name goes in the Name column."""
    keys = [column.key for column in columns]
    name_key = "account" if "account" in keys else "name"
    states = _UNFINISHED if idle else (LoadState.LOADING,)
    rows: list[tuple[str, ...]] = []
    for name in catalog.accounts_in(view):
        entry = catalog.entry(name)
        if entry.state not in states or entry.syncs:
            continue
        known = {"status": LOADING_CELL, name_key: name, "vendor": entry.account.vendor}
        rows.append(tuple(known.get(key, "") for key in keys))
    return rows
