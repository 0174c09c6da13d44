"""The filter line under the header: which feeds, operations, project, partials and text.

Wide terminals get key chips (`1 project  2 form …`) so the keys teach themselves; narrow ones
a one-line summary of what is narrowed. The right end says how many changes match, or that a
filter is still being applied (free text over a million snapshots takes a moment).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget

from synctui.services.feed import FEEDS
from synctui.ui.feed.filters import OPERATIONS, FeedFilter
from synctui.ui.feed.palette import FeedPalette, PaletteCache

FEED_KEYS = {feed: str(i) for i, feed in enumerate(FEEDS, start=1)}
OPERATION_KEYS = {"created": "c", "updated": "u", "deleted": "d"}
PROJECT_CHIP = 22  # cells for the chosen project's name, so the chips still fit at 120


@dataclass(frozen=True)
class FilterView:
    flt: FeedFilter
    shown: int
    total: int
    busy: bool  # a new filter is being applied in the background


def _chip(text: Text, key: str, label: str, on: bool, chosen: bool, p: FeedPalette) -> None:
    """`1 project`: the key in the accent colour; a chosen value highlighted and bracketed
    (`[2 point]`, so it reads without colour too: the unbracketed ones of its group are
    then excluded), an excluded one dimmed (when nothing is chosen everything is on)."""
    if chosen:
        text.append(f"[{key} {label}]", style=p.selected)
    else:
        text.append(key, style=p.accent if on else p.muted)
        text.append(f" {label}", style="" if on else p.muted)
    text.append(" ")


def _chips(flt: FeedFilter, palette: FeedPalette) -> Text:
    text = Text(" ")
    for feed in FEEDS:
        _chip(text, FEED_KEYS[feed], feed, flt.shows_feed(feed), feed in flt.feeds, palette)
    text.append("│ ", style=palette.muted)
    for op in OPERATIONS:
        on = flt.shows_operation(op)
        _chip(text, OPERATION_KEYS[op], op, on, op in flt.operations, palette)
    text.append("│ ", style=palette.muted)
    project = flt.project_name or "all projects"
    if len(project) > PROJECT_CHIP:
        project = project[: PROJECT_CHIP - 1] + "…"
    _chip(text, "P", project, True, flt.project_id is not None, palette)
    _chip(text, "!", "partial", not flt.partial_only, flt.partial_only, palette)
    return text


def _summary(flt: FeedFilter) -> Text:
    feeds = ",".join(f for f in FEEDS if f in flt.feeds) or "all feeds"
    ops = ",".join(o for o in OPERATIONS if o in flt.operations) or "all ops"
    text = Text(f" {feeds} · {ops}", style="bold" if flt.feeds or flt.operations else "")
    if flt.project_id:
        text.append(f" · {flt.project_name or flt.project_id}", style="bold")
    if flt.partial_only:
        text.append(" · partial only", style="bold")
    return text


def filter_text(view: FilterView, palette: FeedPalette, width: int) -> Text:
    """Chips (or a summary when narrow) on the left; search text and counts on the right,
    which are never cut — the chips give way first."""
    flt = view.flt
    right = Text()
    if flt.text:
        right.append(" /", style=palette.accent)
        right.append(flt.text[:30] + ("…" if len(flt.text) > 30 else ""), style="bold")
        right.append("  ")
    if view.busy:
        right.append("filtering… ", style=palette.warning)
    elif flt.is_narrowed:
        right.append(f"{view.shown:,}", style="bold")
        right.append(f" of {view.total:,} ", style=palette.muted)
    else:
        right.append(f"{view.shown:,}", style="bold")
        right.append(" changes ", style=palette.muted)
    left = _chips(flt, palette) if width >= 110 else _summary(flt)
    room = max(0, width - right.cell_len)
    if left.cell_len > room:
        left.truncate(max(0, room - 1), overflow="ellipsis")
    left.pad_right(max(0, room - left.cell_len))
    return left + right


class FilterBar(Widget):
    """Repaints only when the filter, the counts or the width changed."""

    DEFAULT_CSS = """
    FilterBar { height: 1; background: $boost; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._palettes = PaletteCache()
        self.view: FilterView = FilterView(FeedFilter(), 0, 0, False)

    def show(self, view: FilterView) -> None:
        if view != self.view:
            self.view = view
            self.refresh()

    def render(self) -> Text:
        return filter_text(self.view, self._palettes.get(self.app), self.size.width)
