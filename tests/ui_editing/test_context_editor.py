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
        select.value = "surveyPoint" if before["referencePoint"] != "surveyPoint" else "internalOrigin"
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
