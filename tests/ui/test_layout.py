"""Layout at 120×40 and 80×24: columns by content, sideways scrolling, nothing cut that
matters, nothing painted where it does not belong."""

from __future__ import annotations

import itertools

from textual.widgets import DataTable, Footer, Input

from synctui.services.session import Session
from synctui.ui.catalog import View
from synctui.ui.screens.detail_screen import DetailScreen
from synctui.ui.widgets.virtual_table import VirtualTable
from tests.ui.conftest import make_app, settle

VIEWS = (
    "all",
    "ctx speckle-demo",
    "ctx polytomic-demo",
    "ctx signalsmith-acme",
    "ctx paragon-demo",
)


def painted(table: VirtualTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


def cells_on_screen(table: VirtualTable, column: int) -> list[str]:
    """The painted text of one column, row by row (the view scrolled to the left edge)."""
    widths = table._widths()
    start = 2 + sum(w + 2 for w in widths[:column])
    return [line[start : start + widths[column]].rstrip() for line in painted(table)[1:]]


async def test_at_120_columns_status_and_times_are_whole_and_the_name_takes_the_rest(
    session: Session,
) -> None:
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.main.has_class("-no-sidebar")  # the table needs the width (b shows it)
        for command in VIEWS:
            app.run_command_line(command)
            await settle(pilot)
            table = app.main.table
            columns = table.model.columns
            widths = table._widths()
            assert table.virtual_size.width <= table.scrollable_content_region.width, command
            header = painted(table)[0]
            for i, column in enumerate(columns):
                assert column.title in header, (command, column.title)  # no title cut
                if column.fixed:
                    shown = cells_on_screen(table, i)
                    assert not any(text.endswith("…") for text in shown), (command, column.key)
            flex = [i for i, c in enumerate(columns) if c.flex]
            if flex:  # the name is the widest of the columns that may be shortened
                shortenable = [w for c, w in zip(columns, widths, strict=True) if not c.fixed]
                assert widths[flex[0]] == max(shortenable), command
            for line in painted(table)[1:]:  # the last cell stays blank: clear of the thumb
                assert line[-1] == " ", (command, line)


async def test_h_and_l_scroll_sideways_a_column_at_a_time_at_80_columns(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.main.table
        assert table.virtual_size.width > table.scrollable_content_region.width
        assert int(table.scroll_x) == 0
        starts = table._column_starts()
        await pilot.press("l")
        assert int(table.scroll_x) == starts[1]
        assert painted(table)[0].startswith("Account")  # the next column at the left edge
        await pilot.press("l", "l", "l", "l", "l", "l")
        assert int(table.scroll_x) == int(table.max_scroll_x)
        assert "Updated" in painted(table)[0]  # the last column can be read whole
        await pilot.press("h", "h", "h", "h", "h", "h", "h")
        assert int(table.scroll_x) == 0


async def test_detail_runs_show_the_whole_state(session: Session) -> None:
    app = make_app(session, initial_account="speckle-demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("2")
        await settle(pilot)
        runs = app.screen.query_one("#run-table", DataTable)
        assert runs.row_count > 0
        states = {run.state.value for run in app.screen.runs or []}
        lines = [runs.render_line(y).text for y in range(1, runs.row_count + 1)]
        for state in states:
            assert any(f" {state} " in line for line in lines), (state, lines)


async def test_footer_palette_key_paints_the_last_cell(session: Session) -> None:
    app = make_app(session, initial_account="speckle-demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("space")  # one more key in the footer: it overflows at 80
        await settle(pilot)
        footer = app.screen.query_one(Footer)
        palette = footer.query_one(".-command-palette")
        assert palette.region.right == app.size.width  # nothing of the keys below shows


async def test_polytomic_mapping_fields_fit_a_model_id_and_stay_apart(sandbox) -> None:
    from synctui.domain.models import SyncStatus
    from tests.ui_editing.conftest import edit_session, open_editor

    app = make_app(edit_session(sandbox), initial_account="polytomic-demo")
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(
            pilot, app, "polytomic-demo", lambda s: s.status is SyncStatus.ACTIVE
        )
        inputs = list(editor.query("#row-inputs Input").results(Input))
        model = editor.query_one("#cell-source-model_id", Input)
        assert len(model.value) == 36 and model.content_region.width >= 36  # a whole UUID
        for left, right in itertools.pairwise(inputs):
            assert right.region.x - left.region.right >= 1  # a gap: never read as one value
        assert app.main.view == View("account", "polytomic-demo")
