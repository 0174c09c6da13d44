"""The table cursor: always on a shown row, always on screen, and what the keys act on."""

from __future__ import annotations

from textual.app import App, ComposeResult

from synctui.services.session import Session
from synctui.ui.dialogs.confirm import ConfirmScreen
from synctui.ui.screens.detail_screen import DetailScreen
from synctui.ui.screens.main_screen import MainScreen
from synctui.ui.table_model import Column, Row
from synctui.ui.theme import STATUS_VARIABLES
from synctui.ui.widgets.virtual_table import VirtualTable
from tests.ui.conftest import make_app, settle

SPECKLE = "speckle-demo"


def painted_cursor_lines(table: VirtualTable) -> list[int]:
    """The screen lines of the table painted in the cursor's colours."""
    name = "virtual-table--cursor" if table.has_focus else "virtual-table--cursor-blurred"
    cursor_bg = table.get_component_rich_style(name, partial=True).bgcolor
    lines = []
    for y in range(1, table.size.height):
        segments = [s for s in table.render_line(y) if s.text]
        if segments and all(s.style is not None and s.style.bgcolor == cursor_bg for s in segments):
            lines.append(y)
    return lines


def on_screen(table: VirtualTable) -> bool:
    top = int(table.scroll_y)
    return top <= table.cursor_row < top + table.size.height - 1


class OneTable(App[None]):
    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(STATUS_VARIABLES)

    def compose(self) -> ComposeResult:
        yield VirtualTable([Column("name", "Name")], selectable=True, id="t")


def rows(group: int, count: int) -> list[Row]:
    return [Row((group, i), (f"row {group}-{i:03d}",), order=(group, i)) for i in range(count)]


async def test_cursor_stays_on_the_first_row_whatever_order_pages_arrive_in() -> None:
    app = OneTable()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(VirtualTable)
        table.focus()
        table.upsert_rows(rows(2, 50))  # a later account answers first
        await pilot.pause()
        table.upsert_rows(rows(0, 50))  # then the first account's rows land above it
        table.upsert_rows(rows(1, 50))
        await pilot.pause()
        assert table.visible_keys[0] == (0, 0)
        assert table.cursor_row == 0 and table.cursor_key == (0, 0)
        assert painted_cursor_lines(table) == [1]  # the first line under the header
        await pilot.press("j")
        assert table.cursor_row == 1 and table.cursor_key == (0, 1)  # one row, not 100


async def test_a_moved_cursor_follows_its_row_and_stays_on_screen() -> None:
    app = OneTable()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(VirtualTable)
        table.focus()
        table.upsert_rows(rows(1, 50))
        await pilot.pause()
        await pilot.press("j", "j")
        assert table.cursor_key == (1, 2)
        table.upsert_rows(rows(0, 100))  # 100 rows arrive above it
        await pilot.pause()
        assert table.cursor_key == (1, 2) and table.cursor_row == 102
        assert on_screen(table)
        await pilot.pause()
        assert len(painted_cursor_lines(table)) == 1


async def test_all_accounts_cursor_is_on_the_first_shown_row(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.main.table
        first = table.visible_keys[0]
        assert table.cursor_key == first and table.cursor_row == 0
        assert painted_cursor_lines(table) == [1]
        await pilot.press("j")
        assert table.cursor_row == 1
        second = table.visible_keys[1]
        assert table.cursor_key == second
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.key == second


async def test_write_keys_act_on_the_highlighted_row(session: Session) -> None:
    app = make_app(session)  # All accounts: pages of five vendors arrive in any order
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.main.table
        highlighted = app.catalog.get(table.visible_keys[0])
        assert highlighted is not None and table.cursor_key == highlighted.key
        for key in ("t", "p", "ctrl+d"):
            await pilot.press(key)
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, ConfirmScreen), key
            assert highlighted.name in dialog.question, (key, dialog.question)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)


async def test_reverse_sort_scrolls_to_keep_the_cursor_visible(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.main.table
        await pilot.press("j", "j", "j")
        key = table.cursor_key
        await pilot.press("S")
        await settle(pilot)
        assert table.cursor_key == key  # the cursor follows its sync…
        assert table.cursor_row == table.row_count - 4
        assert on_screen(table)  # …and the view goes with it
        assert len(painted_cursor_lines(table)) == 1


async def test_another_view_starts_on_its_first_row(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("G")
        app.run_command_line("ctx polytomic-demo")
        await settle(pilot)
        table = app.main.table
        assert table.cursor_row == 0 and table.cursor_key == table.visible_keys[0]
        assert int(table.scroll_y) == 0
