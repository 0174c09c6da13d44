"""A keyed table that paints only the rows on screen (Textual's line API).

Why not `DataTable`: it builds every row up front (100,000 rows take seconds to first paint,
and removing a row is O(n)). Here the rows live in a `TableModel` (plain lists), sorting and
filtering happen there, and `render_line` builds a `Strip` for a visible line only — so the
cost of a repaint depends on the terminal height, not on the number of syncs.

Rows are addressed by key, so updates are diffs (`upsert_rows`, `remove_rows`), and marks
(`marked`, toggled with space) survive sorting, filtering and refreshes.

A repaint does only what the screen needs: the filter pass stops once the visible rows are
found, and only the rows on screen are made and measured. The rest (the pass, so the count,
and the column widths) catches up in small steps between frames and keystrokes; `settled`
says when nothing is left to do.

The cursor is always on a shown row and always on screen. Until a person moves it, it stays
on the first shown row, whatever order pages arrive in (rows of a slow account landing above
it must not carry it away); once moved, it follows its row through sorts and refreshes and
the view scrolls with it. Its keys, clicks and tips are in `table_cursor.CursorTable`, which
this table is built on; how a line is painted is in `table_paint`, what finishes after a
paint in `table_catch_up`.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterable, Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip

from synctui.ui.table_model import CELLS, Column, Row, RowFiltering, TableModel
from synctui.ui.widgets.table_catch_up import CatchUp
from synctui.ui.widgets.table_cursor import CursorTable
from synctui.ui.widgets.table_paint import GAP, GUTTER, TONES, RowPainter, fit, fit_middle

__all__ = ["GAP", "GUTTER", "VirtualTable", "fit", "fit_middle"]

Key = Hashable
MARGIN = 1  # blank after the last column: its text never runs into the scrollbar's thumb


class VirtualTable(CursorTable, can_focus=True):
    """Rows by key with a cursor, marks, sorting, filtering; only visible lines rendered."""

    BINDINGS: list[BindingType] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("pageup,ctrl+b", "page_up_rows", "Page up", show=False, id="table.page-up"),
        Binding("pagedown,ctrl+f", "page_down_rows", "Page down", show=False, id="table.page-down"),
        Binding("home,g", "first_row", "First row", show=False, id="table.first"),
        Binding("end,G", "last_row", "Last row", show=False, id="table.last"),
        Binding("left,h", "scroll_columns(-1)", "Scroll left", show=False, id="table.left"),
        Binding("right,l", "scroll_columns(1)", "Scroll right", show=False, id="table.right"),
        Binding("enter", "select_row", "Open", id="table.open"),
    ]

    COMPONENT_CLASSES = {
        "virtual-table--header",
        "virtual-table--sorted",
        "virtual-table--cursor",
        "virtual-table--cursor-blurred",
        "virtual-table--mark",
        "virtual-table--empty",
        "virtual-table--skeleton",
        *(f"virtual-table--status-{tone}" for tone in TONES),
    }

    DEFAULT_CSS = """
    VirtualTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        scrollbar-gutter: stable;
    }
    VirtualTable > .virtual-table--header { text-style: bold; color: $text-accent; }
    VirtualTable > .virtual-table--sorted { text-style: bold underline; color: $text-accent; }
    VirtualTable > .virtual-table--cursor { background: $primary 45%; text-style: bold; }
    VirtualTable > .virtual-table--cursor-blurred { background: $primary 20%; }
    VirtualTable > .virtual-table--mark { color: $accent; text-style: bold; }
    VirtualTable > .virtual-table--empty { color: $text-muted; text-style: italic; }
    VirtualTable > .virtual-table--skeleton { color: $text-muted; }
    VirtualTable > .virtual-table--status-active { color: $status-active; }
    VirtualTable > .virtual-table--status-paused { color: $status-paused; }
    VirtualTable > .virtual-table--status-error { color: $status-error; text-style: bold; }
    VirtualTable > .virtual-table--status-draft { color: $status-draft; }
    VirtualTable > .virtual-table--status-initializing { color: $status-initializing; }
    VirtualTable > .virtual-table--status-idle { color: $status-idle; }
    VirtualTable > .virtual-table--status-legacy { color: $status-legacy; }
    VirtualTable > .virtual-table--status-unknown { color: $status-unknown; }
    """

    class Selected(Message):
        """Enter (or a double click) on a row."""

        def __init__(self, table: VirtualTable, key: Key) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> VirtualTable:
            return self.table

    class ViewUpdated(Message):
        """The visible set changed (rows, filter or sort): headers update their counts."""

        def __init__(self, table: VirtualTable, total: int, shown: int) -> None:
            super().__init__()
            self.table = table
            self.total = total
            self.shown = shown

        @property
        def control(self) -> VirtualTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column] = (),
        *,
        empty_text: str = "No rows",
        no_match_text: str = "No rows match the filter {filter} — Esc clears it",
        filtering: RowFiltering = CELLS,
        follow_tail: bool = False,
        selectable: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.model = TableModel(columns, filtering)
        self.marked: set[Key] = set()
        self.empty_text = empty_text  # there are no rows at all (yet)
        self.no_match_text = no_match_text  # there are, but the filter hides every one
        self.follow_tail = follow_tail
        self.selectable = selectable
        self._rebuild_pending = False
        self._changed_at = 0.0  # when rows, filter or sort last changed (time.monotonic)
        self._catcher = CatchUp(self)
        self._widths_cache: tuple[tuple[int, tuple[int, ...]], list[int]] | None = None
        # Placeholder rows painted (muted) while the table holds no row at all: what is
        # being loaded. Never part of the model: no cursor, mark, count, filter or sort.
        self.skeleton: tuple[Row, ...] = ()
        self._painter = RowPainter()
        self._styles: dict[str, Style] = {}  # this frame's styles ("" is the widget's own)

    # --- data API -------------------------------------------------------------------------
    def set_columns(self, columns: Sequence[Column], rows: Iterable[Row] = ()) -> None:
        """A different layout: rows are reset (keys, cursor key and marks are kept)."""
        self.model.set_columns(columns)
        self.model.upsert(rows)
        self._changed()

    def replace_rows(self, rows: Iterable[Row]) -> None:
        self.model.replace(rows)
        self._changed()

    def upsert_rows(self, rows: Iterable[Row], compare: bool = True) -> None:
        """Add or replace rows by key (`compare=False`: rows just made from a listed page,
        see `TableModel.upsert`)."""
        if self.model.upsert(rows, compare):
            self._changed()

    def remove_rows(self, keys: Iterable[Key]) -> None:
        keys = list(keys)
        if self.model.remove(keys):
            self.marked.difference_update(keys)
            self._changed()

    def set_skeleton(self, rows: Sequence[Sequence[str]]) -> None:
        """Placeholder rows (cell texts) to paint while there are no rows; () for none."""
        skeleton = tuple(Row(("", f"skeleton {i}"), tuple(cells)) for i, cells in enumerate(rows))
        if [r.cells for r in skeleton] != [r.cells for r in self.skeleton]:
            self.skeleton = skeleton
            self.refresh()

    def set_filter(self, text: str) -> None:
        self.model.set_filter(text)
        self._changed()

    def set_tones(self, tones: frozenset[str] | None) -> None:
        """Keep only rows of these tones (e.g. errors only); None keeps all."""
        self.model.set_tones(tones)
        self._changed()

    @property
    def tones(self) -> frozenset[str] | None:
        return self.model.tones

    @property
    def filter_text(self) -> str:
        return self.model.filter_text

    def cycle_sort(self) -> None:
        self.model.cycle_sort()
        self._changed()

    def reverse_sort(self) -> None:
        self.model.reverse_sort()
        self._changed()

    def sort_by(self, column: int | None, reverse: bool | None = None) -> None:
        self.model.sort_by(column, reverse)
        self._changed()

    @property
    def sort_label(self) -> str:
        column = self.model.sort_column
        arrow = "▼" if self.model.sort_reverse else "▲"
        if column is None:
            return "as listed" + (" (reversed)" if self.model.sort_reverse else "")
        return f"{self.model.columns[column].title} {arrow}"

    # --- reading --------------------------------------------------------------------------
    @property
    def empty_message(self) -> str:
        """Why no row shows: a malformed filter, a filter hiding every row, or no rows yet."""
        model = self.model
        if model.filter_error is not None:
            return f"Filter error: {model.filter_error} — Esc clears it"
        if model.total and model.filter_text:
            return self.no_match_text.format(filter=repr(model.filter_text))
        return self.empty_text

    @property
    def row_count(self) -> int:
        self.ensure_view()
        return len(self.model.view)

    @property
    def total_count(self) -> int:
        return self.model.total

    @property
    def visible_keys(self) -> list[Key]:
        self.ensure_view()
        return list(self.model.view)

    def _selected(self, key: Key) -> None:
        self.post_message(self.Selected(self, key))

    def row_for(self, key: Key) -> Row | None:
        return self.model.rows.get(key)

    @property
    def settled(self) -> bool:
        """The view reflects every row, filter and sort given so far, and the column widths
        every row (nothing is pending or catching up)."""
        model = self.model
        return model.complete and not model.unmeasured and not self._rebuild_pending

    @property
    def shown_count(self) -> int:
        """Rows in the view as last built, without building it (a status line's count: a
        fresh one follows with `ViewUpdated`)."""
        return len(self.model.view)

    def toggle_mark(self) -> Key | None:
        key = self.cursor_key
        if key is None:
            return None
        if key in self.marked:
            self.marked.discard(key)
        else:
            self.marked.add(key)
        self.refresh()
        return key

    def clear_marks(self) -> None:
        self.marked.clear()
        self.refresh()

    # --- view maintenance -----------------------------------------------------------------
    def _changed(self) -> None:
        """Coalesce: many pages arriving between two frames cost one sort."""
        self._changed_at = time.monotonic()
        self.refresh()
        if not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._after_change)

    def _after_change(self) -> None:
        self._rebuild_pending = False
        self.ensure_view(enough=self._window_end())
        self._catch_up()

    def _window_end(self) -> int:
        """How many view rows the screen shows, from the top of the view."""
        return int(self.scroll_y) + max(1, self.size.height)

    def ensure_view(self, enough: int | None = None, reads: int | None = None) -> None:
        """Bring the view up to date: all of it, or (`enough`, `reads`) as much as the
        screen needs, while the cursor has not been moved (a moved cursor needs the whole
        view to find its row again)."""
        model = self.model
        if self._cursor_placed or self.follow_tail:
            enough = reads = None
        began = model.dirty
        shown_before = len(model.view)
        if not model.rebuild(enough, reads):
            return
        view = model.view
        if began:
            at_tail = self.follow_tail and (
                self._cursor_key is None or self._cursor >= self._last_view_length - 1
            )
            if at_tail and view:
                self._cursor = len(view) - 1
            elif self._cursor_placed and self._cursor_key is not None:
                try:
                    self._cursor = view.index(self._cursor_key)
                except ValueError:
                    self._cursor = min(self._cursor, max(0, len(view) - 1))
            else:
                self._cursor = 0
        self._cursor_key = view[self._cursor] if view else None
        if model.complete:
            self._update_virtual_size()
            self.post_message(self.ViewUpdated(self, model.total, len(view)))
        else:
            # The scroll range follows once the pass is done (one layout, not one per step)
            if len(view) >= self.virtual_size.height:
                self._update_virtual_size()
            self._catch_up()
        self._scroll_cursor_into_view()
        if began or shown_before < self._window_end():  # rows on screen changed
            self.refresh()

    @property
    def change_pending(self) -> bool:
        """A change of rows, filter or sort waits for the next frame."""
        return self._rebuild_pending

    @property
    def changed_at(self) -> float:
        """When rows, filter or sort last changed (`time.monotonic`)."""
        return self._changed_at

    def widths_grew(self) -> None:
        self._update_virtual_size()
        self.refresh()

    def _catch_up(self) -> None:
        """Finish the filter pass and the column widths in steps, between frames."""
        self._catcher.start()

    _last_view_length = 0

    def _update_virtual_size(self) -> None:
        model = self.model
        if model.unmeasured:  # the rows on screen are measured before they are painted
            model.measure_keys(self._window_keys())
        widths = self._widths()
        width = GUTTER + sum(widths) + GAP * max(0, len(widths) - 1) + MARGIN
        self._last_view_length = len(self.model.view)
        self.virtual_size = Size(width, len(self.model.view) + 1)

    def _window_keys(self) -> list[Key]:
        top = int(self.scroll_y)
        return self.model.view[top : top + max(1, self.size.height)]

    def _widths(self) -> list[int]:
        available = max(10, self.scrollable_content_region.width - GUTTER - MARGIN)
        naturals = self.model.widths
        if self.skeleton and not self.model.total:  # placeholders painted: fit them instead
            naturals = [
                max([width, *(cell_len(r.cells[i]) for r in self.skeleton if i < len(r.cells))])
                for i, width in enumerate(naturals)
            ]
        signature = (available, tuple(naturals))
        cached = self._widths_cache
        if cached is not None and cached[0] == signature:
            return cached[1]
        widths = self.model.fitted_widths(available, GAP, naturals)
        self._widths_cache = (signature, widths)
        return widths

    def on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()
        self._scroll_cursor_into_view()

    # --- painting -------------------------------------------------------------------------
    def render_lines(self, crop: Region) -> list[Strip]:
        self._styles.clear()  # read once per frame, not once per line
        return super().render_lines(crop)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._painter.forget()

    def _style_of(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(name, partial=True)
        return style

    def render_line(self, y: int) -> Strip:
        self.ensure_view(enough=self._window_end())
        if y == 0 and self.model.unmeasured:  # the rows about to be painted size the columns
            self.model.measure_keys(self._window_keys())
        width = self.scrollable_content_region.width
        base = self._styles.get("")
        if base is None:
            base = self._styles[""] = self.rich_style
        scroll_x = int(self.scroll_x)
        model = self.model
        if y == 0:
            strip = self._painter.header(
                model.columns,
                self._widths(),
                model.sort_column,
                model.sort_reverse,
                base,
                self._style_of,
            )
        else:
            index = int(self.scroll_y) + y - 1
            view = model.view
            if not view and self.skeleton and not model.total and not model.filter_error:
                if index >= len(self.skeleton):
                    return Strip.blank(width, base)
                strip = self._painter.row(
                    self.skeleton[index],
                    model.columns,
                    self._widths(),
                    base + self._style_of("virtual-table--skeleton"),
                    self._style_of,
                    is_cursor=False,
                    marked=False,
                )
                return strip.crop_extend(scroll_x, scroll_x + width, base)
            if not view and y == 2:
                style = base + self._style_of("virtual-table--empty")
                return Strip([Segment(fit("  " + self.empty_message, width), style)], width)
            row = model.shown(index)
            if row is None:
                return Strip.blank(width, base)
            is_cursor = index == self._cursor
            if is_cursor:  # the cursor bar spans the whole width
                name = (
                    "virtual-table--cursor" if self.has_focus else "virtual-table--cursor-blurred"
                )
                base = base + self._style_of(name)
            strip = self._painter.row(
                row,
                model.columns,
                self._widths(),
                base,
                self._style_of,
                is_cursor=is_cursor,
                marked=row.key in self.marked,
            )
        return strip.crop_extend(scroll_x, scroll_x + width, base)
