"""The Speckle context editor: form, raw JSON mode, unknown keys kept, saved to the sandbox."""

from __future__ import annotations

from synctui.domain.models import SyncStatus
from synctui.sandbox.server import Sandbox
from synctui.ui.editing.editor_screen import EditorScreen
from synctui.ui.editing.preview_screen import PreviewScreen
from tests.conftest import admin_state
from tests.ui_editing.conftest import edit_session, make_app, open_editor, settle

SPECKLE = "speckle-demo"


def _has_ifc(sync) -> bool:
    ctx = sync.raw.get("context") or {}
    return sync.status is SyncStatus.ACTIVE and "exportIfcOptions" in ctx


async def test_form_changes_reference_point_and_keeps_unknown_keys(sandbox: Sandbox) -> None:
    app = make_app(edit_session(sandbox), initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot, app, SPECKLE, _has_ifc)
        sid = editor.key[1].split("/", 1)[1]
        before = admin_state(sandbox, "speckle")["syncs"][sid]["context"]
        unknown = editor.query_one("#unknown").render()
        assert "exportIfcOptions" in str(unknown)
        select = editor.query_one("#reference-point")
        select.value = (
            "surveyPoint" if before["referencePoint"] != "surveyPoint" else "internalOrigin"
        )
        await settle(pilot)
        draft = editor.draft
        assert draft.patch() == {"context": {"referencePoint": select.value}}
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PreviewScreen)
        assert app.screen.focused.id == "send"
        await pilot.click("#send")
        await settle(pilot)
        assert not isinstance(app.screen, EditorScreen)
        after = admin_state(sandbox, "speckle")["syncs"][sid]
        assert after["updates"] == 1
        assert after["context"]["referencePoint"] == select.value
        assert after["context"]["exportIfcOptions"] == before["exportIfcOptions"]
        assert editor.key not in app.drafts


async def test_json_mode_shows_line_and_column_and_disables_save(sandbox: Sandbox) -> None:
    app = make_app(edit_session(sandbox), initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot, app, SPECKLE, _has_ifc)
        sid = editor.key[1].split("/", 1)[1]
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert editor.tabs.active == "json-pane"
        area = editor.json_editor.area
        area.load_text('{\n  "active": true,\n  "context": {"referencePoint": }\n}')
        await settle(pilot)
        problem = str(editor.query_one("#json-problem").render())
        assert "line 3, column 33" in problem
        assert "line 3, column 33" in str(editor.query_one("#problems").render())
        assert editor.check_action("save", ()) is None  # shown, but disabled
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is editor
        # The form refuses to show a document that does not parse.
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert editor.tabs.active == "json-pane"
        # Fixed JSON with a changed unknown key: that key is sent, the others are kept.
        doc = editor.draft.before | {}
        context = dict(doc["context"])
        context["exportIfcOptions"] = {**context["exportIfcOptions"], "ifcVersion": "IFC2x3"}
        import json

        area.load_text(json.dumps({"active": doc["active"], "context": context}, indent=2))
        await settle(pilot)
        assert editor.check_action("save", ()) is True
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")  # Send is focused: an ordinary edit
        await settle(pilot)
        state = admin_state(sandbox, "speckle")["syncs"][sid]
        assert state["updates"] == 1
        assert state["context"]["exportIfcOptions"]["ifcVersion"] == "IFC2x3"
        assert state["context"]["referencePoint"] == context["referencePoint"]


async def test_invalid_reference_point_is_refused_inline(sandbox: Sandbox) -> None:
    app = make_app(edit_session(sandbox), initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot, app, SPECKLE, _has_ifc)
        await pilot.press("ctrl+o")
        await settle(pilot)
        import json

        doc = json.loads(editor.json_editor.text)
        doc["context"]["referencePoint"] = "moon"
        editor.json_editor.area.load_text(json.dumps(doc))
        await settle(pilot)
        assert [i.path for i in editor.issues] == ["context.referencePoint"]
        assert "must be one of internalOrigin" in str(editor.query_one("#problems").render())
        assert editor.check_action("save", ()) is None


async def test_clearing_the_view_name_sends_null(sandbox: Sandbox) -> None:
    app = make_app(edit_session(sandbox), initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(
            pilot, app, SPECKLE, lambda s: _has_ifc(s) and s.raw["context"].get("viewName")
        )
        sid = editor.key[1].split("/", 1)[1]
        await pilot.click("#clear-view")
        await settle(pilot)
        assert editor.draft.patch() == {"context": {"viewName": None}}
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PreviewScreen)
        requests = app.screen.plan.requests
        assert requests[-1].body["variables"]["input"]["context"]["viewName"] is None
        await pilot.press("enter")
        await settle(pilot)
        context = admin_state(sandbox, "speckle")["syncs"][sid]["context"]
        assert context.get("viewName") is None
        assert "exportIfcOptions" in context


async def test_a_legacy_sync_is_migrated_first_then_edited(sandbox: Sandbox) -> None:
    from synctui.ui.dialogs.confirm import ConfirmScreen

    app = make_app(edit_session(sandbox), initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.main.table
        key = next(k for k in table.visible_keys if app.catalog.get(k).status is SyncStatus.LEGACY)
        table.move_cursor_to_key(key)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen) and app.screen.focused.id == "cancel"
        await pilot.press("tab", "enter")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, EditorScreen) and editor.draft is not None
        assert key[1].split("/", 1)[1] in admin_state(sandbox, "speckle")["migrated"]
        assert app.catalog.get(key).status is not SyncStatus.LEGACY


async def test_trigger_now_in_the_preview_replans_and_runs_once(sandbox: Sandbox) -> None:
    app = make_app(edit_session(sandbox), initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot, app, SPECKLE, _has_ifc)
        sid = editor.key[1].split("/", 1)[1]
        point = editor.draft.before["context"]["referencePoint"]
        editor.query_one("#reference-point").value = (
            "surveyPoint" if point != "surveyPoint" else "internalOrigin"
        )
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        preview = app.screen
        assert preview.plan.summary == "update context"
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert preview.plan.summary == "update context + trigger now"
        assert preview.focused.id == "cancel"  # a run cannot be taken back
        await pilot.click("#send")
        await settle(pilot)
        state = admin_state(sandbox, "speckle")["syncs"][sid]
        assert state["updates"] == 1 and state["triggers"] == 1
