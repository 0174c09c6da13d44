"""A large table paints what the screen needs first and finishes the rest after the paint:
rows made when shown, a filter pass stopped once the screen is full — and once `settled`,
everything is as if it had all been done up front (columns sized by every row, the count)."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.containers import Vertical

from synctui.ui.table_model import Column, LazyRow, Row
from synctui.ui.theme import STATUS_VARIABLES
from synctui.ui.widgets.virtual_table import VirtualTable

ROWS = 20_000
LONG = 15_000  # the one row with a long name, far below the first screen
SETTLE_ROUNDS = 2_000


class Holder(Vertical):
    """Hears the counts the table announces (what a status line shows)."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: list[int] = []

    def compose(self) -> ComposeResult:
        yield VirtualTable([Column("name", "Name", max_width=80)], id="t")

    def on_virtual_table_view_updated(self, event: VirtualTable.ViewUpdated) -> None:
        self.counts.append(event.shown)


class TableApp(App[None]):
    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(STATUS_VARIABLES)

    def compose(self) -> ComposeResult:
        yield Holder()

    @property
    def counts(self) -> list[int]:
        return self.query_one(Holder).counts


class FirstPaint:
    """Notes, at the first painted row line after `arm`, what `probe` says then."""

    def __init__(self, table: VirtualTable, probe: Any) -> None:
        self.seen: Any = None
        self.armed = False
        original = table.render_line

        def render_line(y: int) -> Any:
            strip = original(y)
            if self.armed and y >= 1 and self.seen is None:
                self.seen = probe()
            return strip

        table.render_line = render_line  # type: ignore[method-assign]


def name(i: int) -> str:
    return f"row {i:05d}" + (" with a much longer name than any other" if i == LONG else "")


async def settle(pilot: Any, table: VirtualTable) -> None:
    """Until the table says nothing is left to do (a named state, never a time)."""
    for _ in range(SETTLE_ROUNDS):
        await pilot.pause()
        if table.settled:
            await pilot.pause()  # and the messages it posted on the way are handled
            return
    raise AssertionError("the table never settled")


async def test_only_the_rows_on_screen_are_made_before_the_first_paint() -> None:
    made: list[int] = []

    def make(i: int) -> Row:
        made.append(i)
        return Row(("k", i), (name(i),), order=(i,))

    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(VirtualTable)
        first = FirstPaint(table, lambda: (len(made), list(table.model.widths)))
        first.armed = True
        table.upsert_rows(LazyRow(("k", i), (i,), i, make) for i in range(ROWS))
        await settle(pilot, table)
        made_then, widths_then = first.seen
        assert made_then <= 30  # the screenful, not 20,000
        assert widths_then == [len("row 00000")]  # sized by the rows it painted
        # Settled: every row was made and measured, the long one far down sizes the column.
        assert sorted(set(made)) == list(range(ROWS))
        assert table.model.widths == [len(name(LONG))]
        assert table.row_count == ROWS and app.counts[-1] == ROWS


async def test_a_filter_paints_its_first_rows_and_the_count_follows() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(VirtualTable)
        table.upsert_rows(Row(("k", i), (name(i),), order=(i,)) for i in range(ROWS))
        await settle(pilot, table)
        first = FirstPaint(table, lambda: (table.model.complete, list(table.model.view)))
        first.armed = True
        table.set_filter('"row 1"')  # rows 10000-19999: the pass stops once the screen is full
        await settle(pilot, table)
        complete_then, shown_then = first.seen
        assert not complete_then
        assert shown_then and shown_then == [
            ("k", i) for i in range(10_000, 10_000 + len(shown_then))
        ]
        assert table.row_count == 10_000 and app.counts[-1] == 10_000
        assert table.cursor_key == ("k", 10_000) and table.cursor_row == 0
        table.set_filter('"row 19"')  # narrows: reads only the rows the last pass kept
        await settle(pilot, table)
        assert table.row_count == 1_000 and app.counts[-1] == 1_000


async def test_the_filter_bar_hands_each_edit_over_in_the_same_event() -> None:
    """The table is filtered before the frame that paints the typed character: no wait for
    `Input.Changed` to bubble up to the screen."""
    from synctui.ui.widgets.prompt_bar import PromptBar

    edits: list[str] = []

    class BarApp(App[None]):
        def compose(self) -> ComposeResult:
            yield PromptBar(id="bar", on_edit=edits.append)

    app = BarApp()
    async with app.run_test() as pilot:
        bar = app.query_one(PromptBar)
        bar.open("")
        await pilot.press("a", "b")
        assert edits[-2:] == ["a", "ab"]
        bar.value = "abc"
        assert edits[-1] == "abc"  # at once, before any message is handled
