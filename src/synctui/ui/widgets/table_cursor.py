"""The cursor of a virtual table: where it is, the keys and clicks that move it, the column
scrolling, and what the pointer shows — apart from the rows, filtering and painting
(`virtual_table.VirtualTable`, built on this).

The cursor is always on a shown row and always on screen. Until a person moves it, it stays
on the first shown row, whatever order pages arrive in; once moved (`_cursor_placed`), it
follows its row through sorts and refreshes and the view scrolls with it. Moving it repaints
two lines, never the table.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual import events
from textual.scroll_view import ScrollView

from synctui.ui.table_model import TableModel
from synctui.ui.widgets.table_paint import GAP, GUTTER

Key = Hashable


class CursorTable(ScrollView):
    """A scrolling table's cursor, keys and pointer. The table built on it holds the rows
    (`model`), keeps the view current (`ensure_view`), sizes the columns (`_widths`) and
    answers a click on a header (`sort_by`) or a chosen row (`_selected`)."""

    model: TableModel
    selectable: bool  # enter (or a double click) chooses the cursor's row
    marked: set[Key]

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._cursor = 0
        self._cursor_key: Key | None = None
        self._cursor_placed = False  # moved by a person: follow its row, not the top

    # --- what the table provides ------------------------------------------------------------
    def ensure_view(self, enough: int | None = None, reads: int | None = None) -> None:
        raise NotImplementedError

    def _widths(self) -> list[int]:
        raise NotImplementedError

    def sort_by(self, column: int | None, reverse: bool | None = None) -> None:
        raise NotImplementedError

    def _selected(self, key: Key) -> None:
        """A row was chosen (enter, or a double click on the cursor's row)."""
        raise NotImplementedError

    # --- where the cursor is ----------------------------------------------------------------
    @property
    def cursor_key(self) -> Key | None:
        self.ensure_view(enough=self._cursor + 1)  # the whole view only if the row moved
        view = self.model.view
        return view[self._cursor] if 0 <= self._cursor < len(view) else None

    @property
    def cursor_row(self) -> int:
        self.ensure_view(enough=self._cursor + 1)
        return self._cursor

    def reset_cursor(self) -> None:
        """Back to the first shown row, as on a fresh view (another account, say)."""
        self._cursor_placed = False
        view = self.model.view
        self._cursor, self._cursor_key = 0, (view[0] if view else None)
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def move_cursor_to_key(self, key: Key) -> bool:
        self.ensure_view()
        try:
            index = self.model.view.index(key)
        except ValueError:
            return False
        self._move_cursor(index)
        return True

    # --- moving it -------------------------------------------------------------------------
    @property
    def _page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _move_cursor(self, index: int) -> None:
        view = self.model.view
        if not view:
            self._cursor, self._cursor_key = 0, None
            return
        index = max(0, min(index, len(view) - 1))
        old = self._cursor
        self._cursor_placed = True
        self._cursor = index
        self._cursor_key = view[index]
        self._scroll_cursor_into_view()
        self._refresh_row(old)
        self._refresh_row(index)

    def _refresh_row(self, index: int) -> None:
        y = index - int(self.scroll_y) + 1
        if 0 < y < self.size.height:
            self.refresh_line(y + int(self.scroll_y))

    def _scroll_cursor_into_view(self, retry: bool = True) -> None:
        top = int(self.scroll_y)
        page = self._page_rows
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor >= top + page:
            self.scroll_to(y=self._cursor - page + 1, animate=False, immediate=True)
        else:
            return
        if retry and not (int(self.scroll_y) <= self._cursor < int(self.scroll_y) + page):
            # The scroll was clamped to the size before this rebuild: again after layout.
            self.call_after_refresh(self._scroll_cursor_into_view, False)

    def action_cursor_up(self) -> None:
        self.ensure_view()
        self._move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.ensure_view()
        self._move_cursor(self._cursor + 1)

    def action_page_up_rows(self) -> None:
        self.ensure_view()
        self._move_cursor(self._cursor - self._page_rows)

    def action_page_down_rows(self) -> None:
        self.ensure_view()
        self._move_cursor(self._cursor + self._page_rows)

    def action_first_row(self) -> None:
        self.ensure_view()
        self._move_cursor(0)

    def action_last_row(self) -> None:
        self.ensure_view()
        self._move_cursor(len(self.model.view) - 1)

    # --- columns, choosing, the pointer ----------------------------------------------------
    def action_scroll_columns(self, direction: int) -> None:
        """One column sideways (when the columns are wider than the screen): the view
        starts at a column's left edge, so no column is shown cut at the left."""
        starts = self._column_starts()
        x = int(self.scroll_x)
        if direction > 0:
            target = next((s for s in starts if s > x), x)
        else:
            target = next((s for s in reversed(starts) if s < x), 0)
        target = min(target, int(self.max_scroll_x))
        self.scroll_to(x=target, animate=False, immediate=True)

    def _column_starts(self) -> list[int]:
        """Where each column begins (the first at 0, so the mark gutter shows with it)."""
        starts, position = [0], GUTTER
        for width in self._widths()[:-1]:
            position += width + GAP
            starts.append(position)
        return starts

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "select_row":
            return self.selectable
        return True

    def action_select_row(self) -> None:
        key = self.cursor_key
        if key is not None:
            self._cursor_placed = True  # back from what it opened, the cursor is on this row
            self._selected(key)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        self.ensure_view()
        if offset.y == 0:
            column = self._column_at(offset.x + int(self.scroll_x))
            if column is not None:
                same = self.model.sort_column == column
                self.sort_by(column, reverse=not self.model.sort_reverse if same else False)
            return
        index = int(self.scroll_y) + offset.y - 1
        if 0 <= index < len(self.model.view):
            was_cursor = index == self._cursor
            self._move_cursor(index)
            if was_cursor and event.chain >= 2 and self.selectable:
                self.action_select_row()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """Resting on a status cell shows that row's reason (the vendor's own words)."""
        offset = event.get_content_offset(self)
        tip = None
        if offset is not None and offset.y > 0:
            tip = self.tip_at(offset.x + int(self.scroll_x), int(self.scroll_y) + offset.y - 1)
        if tip != self.tooltip:
            self.tooltip = tip

    def tip_at(self, x: int, index: int) -> str | None:
        """The tip of the cell at content column `x` of view row `index`: only status cells
        have one, and only when the row says why."""
        self.ensure_view()
        if not 0 <= index < len(self.model.view):
            return None
        column = self._column_at(x)
        if column is None or self.model.columns[column].kind != "status":
            return None
        row = self.model.rows.get(self.model.view[index])
        return (row.tip or None) if row is not None else None

    def _column_at(self, x: int) -> int | None:
        position = GUTTER
        for i, width in enumerate(self._widths()):
            if position <= x < position + width + GAP:
                return i
            position += width + GAP
        return None

    def watch_has_focus(self, _focused: bool) -> None:
        self.refresh()
