"""Per-sync actions (create, pause/resume, trigger, delete) and read-only refusal."""

from __future__ import annotations

import pytest

from synctui.domain import errors
from synctui.domain.models import SyncStatus
from synctui.sandbox.server import Sandbox
from synctui.ui.dialogs.confirm import ConfirmScreen
from synctui.ui.editing.create_screen import CreateSyncScreen
from synctui.ui.editing.preview_screen import PreviewScreen
from synctui.ui.screens.main_screen import MainScreen
from tests.conftest import admin_state
from tests.ui_editing.conftest import edit_session, make_app, settle
from tests.ui_feed.conftest import wait_for

ACME = "signalsmith-acme"
SPECKLE = "speckle-demo"
UUID_A = "123e4567-e89b-12d3-a456-426614174000"
UUID_B = "223e4567-e89b-12d3-a456-426614174000"


def _cursor_to(app, predicate) -> object:
    table = app.main.table
    for key in table.visible_keys:
        sync = app.catalog.get(key)
        if predicate(sync):
            table.move_cursor_to_key(key)
            return sync
    raise AssertionError("no such sync")


async def test_create_a_signalsmith_sync(sandbox: Sandbox) -> None:
    session = edit_session(sandbox)
    app = make_app(session, initial_account=ACME)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = len(app.catalog.entry(ACME).syncs)
        await pilot.press("n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CreateSyncScreen)
        assert screen.check_action("create", ()) is None  # nothing filled in yet
        for selector, value in (
            ("#name", "Churn risk → Salesforce"),
            ("#model", UUID_A),
            ("#destination", UUID_B),
            ("#primary_key", "account_id"),
            ("#schedule", "0 6 * * *"),
            ("#cell-source_column", "risk"),
            ("#cell-destination_field", "Churn_Risk__c"),
        ):
            screen.query_one(selector).value = value
            await settle(pilot)
        assert screen.issues == []
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PreviewScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        created = [
            s for s in app.catalog.entry(ACME).syncs.values() if s.name == "Churn risk → Salesforce"
        ]
        assert len(created) == 1 and len(app.catalog.entry(ACME).syncs) == before + 1
        fresh = await session.get_sync(ACME, created[0].id)
        assert fresh.raw["field_mapping"] == [
            {"source_column": "risk", "destination_field": "Churn_Risk__c"}
        ]
        assert fresh.raw["schedule"] == "0 6 * * *"


async def test_pause_resume_trigger_delete_each_confirm_on_cancel(sandbox: Sandbox) -> None:
    app = make_app(edit_session(sandbox), initial_account=ACME)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sync = _cursor_to(app, lambda s: s.status is SyncStatus.ACTIVE)
        sid = sync.id
        for key in ("p", "t", "ctrl+d"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen), key
            assert app.screen.focused.id == "cancel"
            await pilot.press("enter")  # Cancel: nothing sent
            await settle(pilot)
        state = admin_state(sandbox, "signalsmith")["syncs"][sid]
        assert state["puts"] == 0 and state["triggers"] == 0
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert admin_state(sandbox, "signalsmith")["syncs"][sid]["status"] == "paused"
        # Paused: "run now" offers to resume first, then runs.
        await pilot.press("t")
        await settle(pilot)
        assert "Resume it, then run" in str(app.screen.query_one("Static").render())
        await pilot.press("tab", "enter")
        await settle(pilot)
        state = admin_state(sandbox, "signalsmith")["syncs"][sid]
        assert state["status"] == "active" and state["triggers"] == 1
        await pilot.press("ctrl+d")
        await settle(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert sid in admin_state(sandbox, "signalsmith")["deleted"]
        assert app.catalog.get((ACME, sid)) is None


async def test_speckle_paused_trigger_offers_resume_first(sandbox: Sandbox) -> None:
    app = make_app(edit_session(sandbox), initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sync = _cursor_to(app, lambda s: s.status is SyncStatus.PAUSED)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        assert app.screen.focused.id == "cancel"
        await pilot.press("tab", "enter")
        key = sync.id.split("/", 1)[1]

        def resumed_and_triggered() -> bool:
            state = admin_state(sandbox, "speckle")["syncs"][key]
            return state["active"] is True and state["triggers"] >= 1

        # Resume, then trigger: two writes, each in its own worker; wait for the vendor's state.
        await wait_for(pilot, resumed_and_triggered, "resume then trigger")
        await settle(pilot)
        assert admin_state(sandbox, "speckle")["syncs"][key]["triggers"] == 1


async def test_read_only_hides_every_write_and_the_service_refuses(sandbox: Sandbox) -> None:
    session = edit_session(sandbox, readonly=True)
    app = make_app(session, initial_account=ACME)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = app.main
        main.table.marked.add(main.table.cursor_key)
        for action in ("edit", "batch_edit", "new_sync", "delete_sync", "trigger", "toggle_active"):
            assert main.check_action(action, ()) is False, action
        shown = {b.binding.action for b in main.active_bindings.values()}
        assert "edit" not in shown and "delete_sync" not in shown
        for key in ("e", "E", "n", "ctrl+d", "t", "p"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is main, key
        sync = app.catalog.get(main.table.cursor_key)
        with pytest.raises(errors.ReadOnlyError):
            await session.delete(ACME, sync.id)
        await pilot.press("J")
        await settle(pilot)
        assert app.screen.check_action("revert", ()) is False


async def test_runs_key_and_editor_keys_in_help(sandbox: Sandbox) -> None:
    from synctui.ui.screens.detail_screen import DetailScreen
    from synctui.ui.screens.help_screen import HelpScreen

    app = make_app(edit_session(sandbox), initial_account=ACME)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        _cursor_to(app, lambda s: s.status is SyncStatus.ACTIVE)
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.query_one("#tabs").active == "runs"
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#name").value = "renamed"  # Save is listed once it can save
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        keys = {text: key for key, text in app.screen.keys}
        assert keys["Save…"] == "^s" and "Form/JSON" in keys and "Discard draft" in keys
