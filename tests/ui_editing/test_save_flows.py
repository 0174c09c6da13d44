"""Saving when things go wrong: a failed save keeps the draft, a conflict offers re-apply,
drafts survive leaving the editor."""

from __future__ import annotations

import httpx

from synctui.domain.models import SyncStatus
from synctui.sandbox.server import Sandbox
from synctui.ui.dialogs.conflict import ConflictScreen
from synctui.ui.editing.editor_screen import EditorScreen
from synctui.ui.editing.preview_screen import PreviewScreen
from synctui.ui.screens.detail_screen import DetailScreen
from synctui.ui.screens.main_screen import DRAFT_MARK, MainScreen
from tests.conftest import admin_state, set_faults
from tests.ui_editing.conftest import edit_session, make_app, open_editor, settle

ACME = "signalsmith-acme"


def _active(sync) -> bool:
    return sync.status is SyncStatus.ACTIVE


async def _set(pilot, selector: str, value: str) -> None:
    pilot.app.screen.query_one(selector).value = value
    await settle(pilot)


async def test_a_failed_save_keeps_the_draft_and_says_why(sandbox: Sandbox) -> None:
    app = make_app(edit_session(sandbox), initial_account=ACME)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot, app, ACME, _active)
        await _set(pilot, "#description", "nightly health scores")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PreviewScreen)
        set_faults(sandbox, "500=1,only=signalsmith")
        await pilot.press("enter")
        await settle(pilot)
        set_faults(sandbox, "")
        assert app.screen is editor
        assert editor.draft is not None and editor.draft.error
        assert editor.draft.after["description"] == "nightly health scores"
        assert "last save failed" in str(editor.query_one("#problems").render())
        assert editor.query_one("#description").value == "nightly health scores"
        sid = editor.key[1]
        assert admin_state(sandbox, "signalsmith")["syncs"][sid]["puts"] == 0
        # The same draft saves once the vendor is back.
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, EditorScreen)
        assert admin_state(sandbox, "signalsmith")["syncs"][sid]["puts"] == 1


async def test_conflict_then_reload_and_reapply(sandbox: Sandbox) -> None:
    session = edit_session(sandbox)
    app = make_app(session, initial_account=ACME)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot, app, ACME, _active)
        sid = editor.key[1]
        await _set(pilot, "#description", "mine")
        # Someone changes the same field behind the editor's back.
        account = session.account(ACME)
        token = session.token_for(account)
        url = f"{account.base_url}/api/v1/workspaces/{account.workspace}/syncs/{sid}"
        headers = {"Authorization": f"Bearer {token}", "X-Workspace-ID": account.workspace}
        httpx.put(
            url, json={"description": "theirs", "name": "Renamed elsewhere"}, headers=headers
        ).raise_for_status()
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConflictScreen)
        assert app.screen.focused.id == "edit"
        await pilot.click("#reapply")
        await settle(pilot)
        # The same patch planned on the fresh sync: preview again, then send.
        assert isinstance(app.screen, PreviewScreen)
        assert app.screen.plan.patch == {"description": "mine"}
        await pilot.press("enter")
        await settle(pilot)
        fresh = await session.get_sync(ACME, sid)
        assert fresh.raw["description"] == "mine"
        assert fresh.raw["name"] == "Renamed elsewhere"  # their other change survived
        assert admin_state(sandbox, "signalsmith")["syncs"][sid]["puts"] == 2


async def test_drafts_survive_leaving_and_show_a_marker(sandbox: Sandbox) -> None:
    app = make_app(edit_session(sandbox), initial_account=ACME)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot, app, ACME, _active)
        key = editor.key
        await _set(pilot, "#name", "Draft name")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        row = app.main.table.row_for(key)
        assert row.cells[0].startswith(DRAFT_MARK)
        # Open the detail pane, see the marker there, go to the editor from it.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert "unsaved draft" in app.screen.query_one("#status").text
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, EditorScreen)
        assert app.screen.query_one("#name").value == "Draft name"
        # Discarding ends the draft and the marker.
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.screen.focused.id == "cancel"
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert key not in app.drafts or not app.drafts.has_changes(key)
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert not app.main.table.row_for(key).cells[0].startswith(DRAFT_MARK)


async def test_conflict_then_overwrite_confirms_on_cancel(sandbox: Sandbox) -> None:
    session = edit_session(sandbox)
    app = make_app(session, initial_account=ACME)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot, app, ACME, _active)
        sid = editor.key[1]
        await _set(pilot, "#description", "mine")
        account = session.account(ACME)
        url = f"{account.base_url}/api/v1/workspaces/{account.workspace}/syncs/{sid}"
        headers = {
            "Authorization": f"Bearer {session.token_for(account)}",
            "X-Workspace-ID": account.workspace,
        }
        httpx.put(url, json={"description": "theirs"}, headers=headers).raise_for_status()
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConflictScreen)
        await pilot.click("#overwrite")
        await settle(pilot)
        preview = app.screen
        assert isinstance(preview, PreviewScreen) and preview.overwrite
        assert preview.focused.id == "cancel"
        assert "overwrites" in str(preview.query_one("#warnings").render())
        assert preview.plan.patch == {"description": "mine"}
        await pilot.click("#send")
        await settle(pilot)
        fresh = await session.get_sync(ACME, sid)
        assert fresh.raw["description"] == "mine"
