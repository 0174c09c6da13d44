"""The live list of changes: a line-API view that reads only what is on screen.

`ChangeList` holds a `ChangeIndex` (block bounds: a few bytes per thousand ids) and a small
cache of formatted rows keyed by change id. Painting line `y` looks the row up in the cache; a miss
reads one window around the viewport by primary key (≈0.5 ms for 120 rows at 1,000,000
stored), so opening, scrolling to the end or jumping anywhere costs the same at any size.
The cache is keyed by id, not position, so it survives filter changes and growth.

Rows are oldest-first: new changes append at the bottom and never shift existing positions.
In follow mode the cursor rides the last row; the user moving away posts `Browsed` so the
screen can stop following instead of yanking the view back on the next refresh.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from synctui.ui.feed.change_index import ChangeIndex
from synctui.ui.feed.palette import FeedPalette, PaletteCache
from synctui.ui.feed.rows import (
    GAP,
    PARTIAL_MARK,
    RESOLVED_MARK,
    ChangeRow,
    Columns,
    columns_for,
    fit,
)

RowFetcher = Callable[[Sequence[int]], list[ChangeRow]]


class ChangeList(ScrollView, can_focus=True, inherit_bindings=False):
    """Changes of the current filter, oldest first, with a cursor and follow mode.

    Scroll bindings are not inherited: `end`/`G` must reach the screen, where they mean
    "jump to the newest and follow", not merely "scroll to the bottom".
    """

    BINDINGS: list[BindingType] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="feed.list.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="feed.list.down"),
        Binding("pageup,ctrl+b", "page_up_rows", "Page up", show=False, id="feed.list.page-up"),
        Binding(
            "pagedown,ctrl+f", "page_down_rows", "Page down", show=False, id="feed.list.page-down"
        ),
        Binding("home,g", "first_row", "Oldest", show=False, id="feed.list.first"),
    ]

    COMPONENT_CLASSES = {
        "change-list--header",
        "change-list--cursor",
        "change-list--cursor-blurred",
        "change-list--empty",
    }

    DEFAULT_CSS = """
    ChangeList {
        background: $surface;
        color: $foreground;
        height: 1fr;
        overflow-x: hidden;
        scrollbar-gutter: stable;
    }
    ChangeList > .change-list--header { text-style: bold; color: $text-accent; }
    ChangeList > .change-list--cursor { background: $primary 45%; }
    ChangeList > .change-list--cursor-blurred { background: $primary 20%; }
    ChangeList > .change-list--empty { color: $text-muted; text-style: italic; }
    """

    class CursorMoved(Message):
        """The selected change changed (by the user, by follow mode or by a new filter)."""

        def __init__(self, change_list: ChangeList, change_id: int | None, by_user: bool) -> None:
            super().__init__()
            self.change_list = change_list
            self.change_id = change_id
            self.by_user = by_user

        @property
        def control(self) -> ChangeList:
            return self.change_list

    class Browsed(Message):
        """The user moved the view away from the newest change while following."""

        def __init__(self, change_list: ChangeList) -> None:
            super().__init__()
            self.change_list = change_list

        @property
        def control(self) -> ChangeList:
            return self.change_list

    def __init__(
        self,
        fetch: RowFetcher,
        *,
        empty_text: str = "Waiting for the first changes…",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._fetch = fetch
        self.index = ChangeIndex()
        self.follow = True
        self.empty_text = empty_text
        self._cursor = 0
        self._cache: dict[int, ChangeRow] = {}
        self._palettes = PaletteCache()
        self._columns: tuple[int, Columns] | None = None

    # --- data ---------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self.index)

    @property
    def cursor_position(self) -> int:
        return self._cursor

    @property
    def cursor_id(self) -> int | None:
        return self.index.id_at(self._cursor)

    def row_at(self, position: int) -> ChangeRow | None:
        """The formatted row at a position, reading its window from the store if needed."""
        change_id = self.index.id_at(position)
        if change_id is None:
            return None
        row = self._cache.get(change_id)
        if row is None:
            self._load_around(position)
            row = self._cache.get(change_id)
        return row

    def set_index(self, index: ChangeIndex, keep_id: int | None = None) -> None:
        """Show a new filter's rows; the cursor stays on `keep_id` (or the nearest after it)
        unless following, when it goes to the newest."""
        self.index = index
        n = len(index)
        if self.follow or keep_id is None:
            position = n - 1 if self.follow else 0
        else:
            position = min(index.position_of(keep_id), n - 1)
        self._update_virtual_size()
        self.move_cursor(max(0, position), by_user=False, force=True)
        self.refresh()

    def grew(self) -> None:
        """Ids were appended to the index: follow the newest, or just let the scrollbar grow."""
        self._update_virtual_size()
        if self.follow:
            self.move_cursor(len(self.index) - 1, by_user=False)
        self.refresh()

    def forget_rows(self, *, unresolved_only: bool = False) -> None:
        """Drop cached rows so they are read again (a partial may have been resolved)."""
        if unresolved_only:
            for key in [k for k, r in self._cache.items() if r.partial and not r.resolved]:
                del self._cache[key]
        else:
            self._cache.clear()
        self.refresh()

    def _load_around(self, position: int) -> None:
        top = int(self.scroll_y)
        height = max(1, self.size.height)
        start = max(0, min(position, top) - height)
        stop = max(position + 1, top + height) + height
        wanted = [i for i in self.index.window(start, stop) if i not in self._cache]
        if not wanted:
            return
        try:
            rows = self._fetch(wanted)
        except Exception as exc:  # a locked or vanished database: show placeholders, not a crash
            self.log.error(f"reading changes failed: {exc!r}")
            return
        if len(self._cache) > 8 * (stop - start) + 2000:
            keep = set(self.index.window(start, stop))
            self._cache = {k: v for k, v in self._cache.items() if k in keep}
        for row in rows:
            self._cache[row.id] = row

    # --- cursor ---------------------------------------------------------------------------
    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def move_cursor(self, position: int, *, by_user: bool, force: bool = False) -> None:
        n = len(self.index)
        position = max(0, min(position, n - 1)) if n else 0
        moved = position != self._cursor
        self._cursor = position
        self._scroll_into_view()
        if moved or force:
            self.refresh()
            self.post_message(self.CursorMoved(self, self.cursor_id, by_user))
        if by_user and self.follow and n and position < n - 1:
            self.post_message(self.Browsed(self))

    def _scroll_into_view(self) -> None:
        top = int(self.scroll_y)
        page = self._page
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True, force=True)
        elif self._cursor >= top + page:
            self.scroll_to(y=self._cursor - page + 1, animate=False, immediate=True, force=True)

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1, by_user=True)

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1, by_user=True)

    def action_page_up_rows(self) -> None:
        self.move_cursor(self._cursor - self._page, by_user=True)

    def action_page_down_rows(self) -> None:
        self.move_cursor(self._cursor + self._page, by_user=True)

    def action_first_row(self) -> None:
        self.move_cursor(0, by_user=True)

    def action_last_row(self) -> None:
        self.move_cursor(len(self.index) - 1, by_user=True)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        position = int(self.scroll_y) + offset.y - 1
        if position < len(self.index):
            self.move_cursor(position, by_user=True)

    def on_mouse_scroll_up(self, _event: events.MouseScrollUp) -> None:
        if self.follow and len(self.index) > self._page:
            self.post_message(self.Browsed(self))

    def on_resize(self, _event: events.Resize) -> None:
        self._update_virtual_size()
        self._scroll_into_view()

    def watch_has_focus(self, _focused: bool) -> None:
        self.refresh()

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.index) + 1)

    # --- painting -------------------------------------------------------------------------
    def _layout(self, width: int) -> Columns:
        if self._columns is None or self._columns[0] != width:
            self._columns = (width, columns_for(width))
        return self._columns[1]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        columns = self._layout(width)
        if y == 0:
            header = base + self.get_component_rich_style("change-list--header", partial=True)
            return self._header_strip(columns, header).crop_extend(0, width, header)
        position = int(self.scroll_y) + y - 1
        n = len(self.index)
        if n == 0:
            if y == 2:
                style = base + self.get_component_rich_style("change-list--empty", partial=True)
                return Strip([Segment(fit("  " + self.empty_text, width), style)], width)
            return Strip.blank(width, base)
        if position >= n:
            return Strip.blank(width, base)
        palette = self._palettes.get(self.app)
        if position == self._cursor:
            name = "change-list--cursor" if self.has_focus else "change-list--cursor-blurred"
            base = base + self.get_component_rich_style(name, partial=True)
        row = self.row_at(position)
        if row is None:
            return Strip([Segment(fit("  …", width), base + palette.muted)], width)
        is_cursor = position == self._cursor
        return self._row_strip(row, columns, base, palette, is_cursor).crop_extend(0, width, base)

    def _header_strip(self, columns: Columns, style: Style) -> Strip:
        cells = [
            ("Time", columns.time),
            ("Feed", columns.feed),
            ("Op", columns.operation),
            ("Type", columns.entity_type),
            ("Subject / name", columns.subject),
            ("Project", columns.project),
            ("State" if columns.state_words else "", columns.state),
        ]
        text = " " + " ".join(fit(title, width) for title, width in cells if width)
        return Strip([Segment(text, style)])

    def _row_strip(
        self,
        row: ChangeRow,
        columns: Columns,
        base: Style,
        palette: FeedPalette,
        is_cursor: bool,
    ) -> Strip:
        gap = Segment(" " * GAP, base)
        # On the cursor row every cell takes the cursor's colours: a muted or operation tone
        # over the cursor's background drops below readable contrast (the marks and words
        # still say what the tones said).
        muted = base if is_cursor else base + palette.muted

        def tone(style: Style) -> Style:
            return base if is_cursor else base + style

        segments = [Segment("▌" if is_cursor else " ", base + palette.accent)]
        segments += [Segment(fit(row.time, columns.time), muted), gap]
        segments += [Segment(fit(row.feed, columns.feed), base), gap]
        segments += [
            Segment(fit(row.operation, columns.operation), tone(palette.operation(row.operation))),
            gap,
        ]
        if columns.entity_type:
            segments += [Segment(fit(row.entity_type, columns.entity_type), muted), gap]
        segments += [Segment(fit(row.subject, columns.subject), base), gap]
        segments += [Segment(fit(row.project, columns.project), muted), gap]
        if row.resolved:
            mark = f"{RESOLVED_MARK} resolved" if columns.state_words else RESOLVED_MARK
            segments.append(Segment(fit(mark, columns.state), tone(palette.resolved)))
        elif row.partial:
            mark = f"{PARTIAL_MARK} partial" if columns.state_words else PARTIAL_MARK
            segments.append(Segment(fit(mark, columns.state), tone(palette.partial)))
        else:
            segments.append(Segment(" " * columns.state, base))
        return Strip(segments)
