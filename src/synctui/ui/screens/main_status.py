"""The main screen's header line: what the view shows and what is in force on it.

Built from the view, the table and the catalog alone, so it reads as one function apart
from the screen that calls it whenever any of the three changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from synctui.ui.catalog import LoadState

if TYPE_CHECKING:
    from synctui.ui.catalog import Catalog, View
    from synctui.ui.widgets.virtual_table import VirtualTable


def status_content(view: View, table: VirtualTable, catalog: Catalog) -> Content:
    """The header: the view, how many syncs it shows, what is loading or failed, and the
    sort, filter and marks in force."""
    shown, total = table.shown_count, table.total_count  # fresh ones follow: ViewUpdated
    parts: list[Content | str | tuple[str, str]] = [
        (" synctui", "bold $text-accent"),
        " │ ",
        (view.title, "bold"),
        " │ ",
    ]
    names = catalog.accounts_in(view)
    loading = [n for n in names if catalog.entries[n].state == LoadState.LOADING]
    if shown != total:
        parts += [(f"{shown:,}", "bold"), f" of {total:,} syncs"]
    elif total or not loading:  # before anything arrives, "0 syncs" says nothing
        parts += [(f"{total:,}", "bold"), " syncs"]
    broken = [
        n for n in names if catalog.entries[n].state in (LoadState.FAILED, LoadState.UNAVAILABLE)
    ]
    if loading:
        loaded = sum(len(catalog.entries[n].syncs) for n in loading)
        words = f"loading {len(loading)} account{'' if len(loading) == 1 else 's'}"
        if loaded:
            words += f", {loaded:,} so far"
        counted = len(parts) > 4  # the view's title ends the first four parts
        parts += [" │ " if counted else "", (words + "…", "$text-accent")]
    if broken:
        parts += [" │ ", (f"{len(broken)} unavailable/failed", "$status-error")]
    if table.model.sort_column is not None or table.model.sort_reverse:
        parts += [" │ sort: ", table.sort_label]
    if table.filter_text:
        parts += [" │ filter: ", (table.filter_text, "bold $text-accent")]
    if table.marked:
        parts += [" │ ", (f"{len(table.marked)} marked", "$accent")]
    return Content.assemble(*parts)
