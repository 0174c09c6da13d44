"""Beyond the vendor's documentation: said, not refused — except an undocumented type cast in
the mapping editor — and JSON syntax errors point at a line and column in words."""

from __future__ import annotations

import json

from synctui.domain.models import SyncStatus
from synctui.sandbox.server import Sandbox
from synctui.ui.editing.document import parse_json_object
from synctui.ui.editing.json_editor import JsonEditor
from synctui.ui.editing.mapping_editor import MappingEditor
from synctui.ui.editing.preview_screen import PreviewScreen
from tests.ui_editing.conftest import edit_session, make_app, open_editor, settle
from tests.ui_editing.test_mapping_editor import _type

ACME = "signalsmith-acme"


def _active(sync) -> bool:  # type: ignore[no-untyped-def]
    return sync.status is SyncStatus.ACTIVE


async def test_an_undocumented_field_is_sent_with_a_note_in_the_preview(sandbox: Sandbox) -> None:
    app = make_app(edit_session(sandbox), initial_account=ACME)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot, app, ACME, _active)
        await pilot.press("ctrl+o")  # JSON mode
        await settle(pilot)
        area = editor.query_one(JsonEditor).area
        doc = json.loads(area.text)
        area.text = json.dumps({**doc, "nonsense": 1}, indent=2)
        await settle(pilot)
        assert editor.issues == []  # not refused: Signalsmith does not document a refusal
        await pilot.press("ctrl+s")
        await settle(pilot)
        preview = app.screen
        assert isinstance(preview, PreviewScreen)
        warnings = str(preview.query_one("#warnings").render())
        assert "'nonsense' is not a field of Signalsmith's documented sync model" in warnings
        assert not preview.query_one("#send").disabled


async def test_the_mapping_editor_refuses_an_undocumented_type_cast(sandbox: Sandbox) -> None:
    app = make_app(edit_session(sandbox), initial_account=ACME)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot, app, ACME, _active)
        mapping = editor.query_one(MappingEditor)
        mapping.table.move_cursor(row=0)
        mapping.table.focus()
        await settle(pilot)
        await _type(pilot, "#cell-type_cast", "Email")
        assert mapping.rows[0]["type_cast"] == "Email"
        assert "type cast 'Email' is not documented" in str(mapping.table.get_row_at(0)[-1])
        assert any("'Email' is not one Signalsmith documents" in i.message for i in editor.issues)
        assert editor.check_action("save", ()) is None
        await _type(pilot, "#cell-type_cast", "number")  # the documented one
        assert editor.issues == []
        assert "type cast" not in str(mapping.table.get_row_at(0)[-1])


def test_json_errors_name_the_line_column_and_the_problem() -> None:
    _, problem = parse_json_object('{\n  "name": "a\tb"\n}')
    assert str(problem) == "line 2, column 13: a tab (U+0009) inside a string; write it as \\t"
    _, problem = parse_json_object('{"name": "open}')
    assert str(problem).startswith("line 1, column 10: a string starts here and is never closed")
