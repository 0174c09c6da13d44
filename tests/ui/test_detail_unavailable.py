"""The detail pane and the table degrade, never fail, when a secondary read fails.

The sandbox breaks one secondary read at a time (a fault limited to its path): the sync is
still shown, the part that could not be read marked unavailable with why, and no error toast
is raised for it.
"""

from __future__ import annotations

from synctui.sandbox.server import Sandbox
from synctui.ui.screens.detail_screen import DetailScreen
from tests.conftest import set_faults
from tests.ui.conftest import make_app, sandbox_session, settle


async def test_detail_marks_a_failed_status_and_run_history_unavailable(sandbox: Sandbox) -> None:
    app = make_app(sandbox_session(sandbox), initial_account="polytomic-demo")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        key = app.main.table.cursor_key
        set_faults(
            sandbox, "500=1,only=/polytomic/api/syncs/*/status+/polytomic/api/syncs/*/executions"
        )
        try:
            await pilot.press("enter")
            await settle(pilot)
        finally:
            set_faults(sandbox, "")
        detail = app.screen
        assert isinstance(detail, DetailScreen) and detail.key == key
        assert detail.sync.complete  # the sync's own record was read
        assert set(detail.unavailable) == {"status", "runs"}
        fields = str(detail.query_one("#fields").render())
        assert "Unavailable (could not be read)" in fields and "Polytomic failed (500)" in fields
        note = detail.query_one("#runs-note")
        assert note.display and "Runs unavailable" in str(note.render())
        assert "unavailable: status, runs" in detail.query_one("#status").text
        assert "failed:" not in detail.query_one("#status").text
        assert not [n for n in app._notifications if n.severity == "error"]
        await pilot.press("r")  # read again with the faults gone: nothing is marked
        await settle(pilot)
        assert detail.unavailable == {} and not detail.query_one("#runs-note").display
        assert detail.runs


async def test_table_shows_paragon_rows_whose_status_cannot_be_read(sandbox: Sandbox) -> None:
    set_faults(sandbox, "500=1,only=/paragon/api/syncs/*")
    try:
        app = make_app(sandbox_session(sandbox), initial_account="paragon-demo")
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            syncs = app.catalog.entry("paragon-demo").syncs
            assert len(syncs) == 16
            assert all(s.unavailable.keys() == {"status"} for s in syncs.values())
            cells = [app.main.table.row_for(k).cells for k in app.main.table.visible_keys]
            assert all(row[-1] == "unavailable" for row in cells)  # the Synced column
    finally:
        set_faults(sandbox, "")
