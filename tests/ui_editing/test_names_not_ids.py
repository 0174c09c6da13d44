"""Screens name the sync, not its id: the journal and the API call log (ids in the details);
the call log keeps the end of long paths and opens a call's detail on Enter."""

from __future__ import annotations

from textual.widgets import DataTable

from synctui.domain.models import SyncStatus
from synctui.sandbox.server import Sandbox
from synctui.ui.editing.journal_screen import JournalScreen
from synctui.ui.screens.call_detail_screen import CallDetailScreen
from synctui.ui.screens.call_log_screen import CallLogScreen
from synctui.ui.sync_names import name_in_documents
from tests.ui_editing.conftest import edit_session, make_app, settle

ACME = "signalsmith-acme"


async def test_the_journal_shows_the_syncs_name(sandbox: Sandbox) -> None:
    session = edit_session(sandbox)
    app = make_app(session, initial_account=ACME)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sync = next(
            s for s in app.catalog.entry(ACME).syncs.values() if s.status is SyncStatus.ACTIVE
        )
        assert sync.name != sync.id
        await session.update(ACME, sync.id, {"description": "renamed by nobody"})
        await pilot.press("J")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, JournalScreen)
        table = screen.query_one("#entries", DataTable)
        assert str(table.get_cell_at((0, 5))) == sync.name
        detail = str(screen.query_one("#entry").render())
        assert f"{sync.name} (id {sync.id})" in detail


def test_a_name_from_the_journaled_document_when_the_sync_is_not_loaded() -> None:
    assert name_in_documents([None, {"fileName": "HQ  Level 2.rvt"}]) == "HQ Level 2.rvt"
    assert name_in_documents([{"configurationName": "Finance"}]) == "Finance"
    assert name_in_documents([{"id": "x"}]) is None


async def test_the_call_log_names_the_sync_keeps_the_path_end_and_opens_a_call(
    sandbox: Sandbox,
) -> None:
    session = edit_session(sandbox)
    app = make_app(session, initial_account=ACME)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        sync = app.catalog.get(app.main.table.cursor_key)
        assert sync is not None and sync.account == ACME
        await session.list_runs(ACME, sync.id)  # GET …/syncs/ID/runs: a call about this sync
        await pilot.press("at")
        await settle(pilot)
        app._flush_calls()
        screen = app.screen
        assert isinstance(screen, CallLogScreen)
        table = screen.query_one("#calls")
        keys = list(table.visible_keys)
        rows = [table.row_for(k).cells for k in keys]
        about = [i for i, cells in enumerate(rows) if cells[4].endswith("/runs")]
        assert about, rows
        assert rows[about[-1]][2] == sync.name

        # At 80 columns the path does not fit: its end stays visible.
        table.move_cursor_to_key(keys[about[-1]])
        await pilot.pause()
        shown = (
            app.screen.query_one("#calls")
            .render_line(table.cursor_row - table.scroll_offset.y + 1)
            .text
        )
        assert "…" in shown and "/runs" in shown, shown

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CallDetailScreen)
        detail = str(app.screen.query_one("#call-detail").render())
        assert f"GET {rows[about[-1]][4]}" in detail and sync.name in detail
        await pilot.press("escape")
        assert isinstance(app.screen, CallLogScreen)
