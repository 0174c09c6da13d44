"""How a line of the virtual table is painted: cell texts fitted to the column widths, the
status tones, the cursor bar, the marks — and the painted rows kept for the next frame.

Why keep them: Textual derives several strips from every line it paints (cropped, styled,
filtered), each cached on the `Strip` it came from. Painting a row again as the very same
`Strip` turns all of that into cache hits, and a filter keystroke or a cursor move mostly
repaints rows that were already on screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from synctui.ui.table_model import Column, Row

GAP = 2
GUTTER = 2  # the mark column: "▌ " on marked rows
TONES = ("active", "paused", "error", "draft", "initializing", "idle", "legacy", "unknown")
KEPT_ROWS = 512  # painted rows kept (a few screens' worth)

StyleOf = Callable[[str], Style]  # a component class name → its (partial) style


def fit(text: str, width: int) -> str:
    """Exactly `width` cells: padded, or clipped with an ellipsis."""
    if text.isascii():
        if len(text) <= width:
            return text.ljust(width)
        return text[: max(0, width - 1)] + "…" if width > 0 else ""
    length = cell_len(text)
    if length <= width:
        return text + " " * (width - length)
    return set_cell_size(text, max(0, width - 1)) + "…" if width > 0 else ""


def fit_middle(text: str, width: int) -> str:
    """Exactly `width` cells, a too-long text cut in the middle: `/api/v1/wo…/syncs/42/runs`."""
    if cell_len(text) <= width or width < 5:
        return fit(text, width)
    tail = (width - 1) * 2 // 3
    head = width - 1 - tail
    start = set_cell_size(text, head)
    end = text[len(text) - tail :]
    while cell_len(end) > tail:  # wide characters at the end
        end = end[1:]
    return fit(start + "…" + end, width)


class RowPainter:
    """Paints header and rows for one table, keeping the rows it painted until the columns,
    their widths or the styles change (`forget`)."""

    def __init__(self) -> None:
        self._rows: dict[tuple[int, bool, bool, Style], tuple[Row, Strip]] = {}
        self._layout: tuple[object, ...] | None = None

    def forget(self) -> None:
        self._rows.clear()

    def _check_layout(self, columns: Sequence[Column], widths: Sequence[int]) -> None:
        layout = (tuple(columns), tuple(widths))
        if layout != self._layout:
            self._layout = layout
            self._rows.clear()

    def header(
        self,
        columns: Sequence[Column],
        widths: Sequence[int],
        sort_column: int | None,
        reverse: bool,
        base: Style,
        style_of: StyleOf,
    ) -> Strip:
        header = base + style_of("virtual-table--header")
        sorted_style = base + style_of("virtual-table--sorted")
        segments = [Segment(" " * GUTTER, header)]
        arrow = "▼" if reverse else "▲"
        for i, (column, width) in enumerate(zip(columns, widths, strict=False)):
            if i == sort_column:
                segments.append(Segment(fit(f"{column.title} {arrow}", width), sorted_style))
            else:
                segments.append(Segment(fit(column.title, width), header))
            if i < len(widths) - 1:
                segments.append(Segment(" " * GAP, header))
        return Strip(segments)

    def row(
        self,
        row: Row,
        columns: Sequence[Column],
        widths: Sequence[int],
        base: Style,
        style_of: StyleOf,
        *,
        is_cursor: bool,
        marked: bool,
    ) -> Strip:
        """One row; `base` already carries the cursor's colours when `is_cursor`."""
        self._check_layout(columns, widths)
        key = (id(row), is_cursor, marked, base)
        kept = self._rows.get(key)
        if kept is not None and kept[0] is row:
            return kept[1]
        strip = self._paint(row, columns, widths, base, style_of, is_cursor, marked)
        if len(self._rows) >= KEPT_ROWS:
            del self._rows[next(iter(self._rows))]  # the oldest
        self._rows[key] = (row, strip)
        return strip

    @staticmethod
    def _paint(
        row: Row,
        columns: Sequence[Column],
        widths: Sequence[int],
        base: Style,
        style_of: StyleOf,
        is_cursor: bool,
        marked: bool,
    ) -> Strip:
        if marked:
            segments = [Segment("▌ ", base + style_of("virtual-table--mark"))]
        else:
            segments = [Segment(" " * GUTTER, base)]
        last = len(widths) - 1
        cells = row.cells
        for i, width in enumerate(widths):
            text = cells[i] if i < len(cells) else ""
            style = base
            # On the cursor row every cell takes the cursor's colours: a status tone over the
            # cursor's background would drop below readable contrast in some themes.
            if columns[i].kind == "status" and row.tone in TONES and not is_cursor:
                style = base + style_of(f"virtual-table--status-{row.tone}")
            clip = fit_middle if columns[i].clip == "middle" else fit
            segments.append(Segment(clip(text, width), style))
            if i < last:
                segments.append(Segment(" " * GAP, base))
        return Strip(segments)
