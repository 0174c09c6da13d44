"""The pure parts of the editors: JSON problems, paths, mapping rows, cron, drafts, batch form."""

from __future__ import annotations

from datetime import UTC, datetime

from synctui.domain.models import Sync, SyncStatus
from synctui.ui.editing.batch_fields import BATCH_FIELDS, CLEAR, apply_field, field_value
from synctui.ui.editing.cron_preview import MANUAL, cron_preview
from synctui.ui.editing.document import local_issues, parse_json_object, set_path
from synctui.ui.editing.drafts import Draft, DraftStore
from synctui.ui.editing.mapping import (
    move_row,
    row_issues,
    set_cell,
)
from synctui.ui.editing.polytomic_form import MAPPING as POLYTOMIC_MAPPING
from synctui.ui.editing.signalsmith_form import MAPPING as SIGNALSMITH_MAPPING


def test_json_problems_point_at_line_and_column() -> None:
    doc, problem = parse_json_object('{\n  "a": 1,\n  "b": }')
    assert doc is None and (problem.line, problem.column) == (3, 8)
    doc, problem = parse_json_object("[1]")
    assert doc is None and "JSON object" in problem.message
    assert parse_json_object('{"a": 1}') == ({"a": 1}, None)


def test_set_path_creates_and_removes_with_empty_parents() -> None:
    assert set_path({}, ("context", "viewName"), None) == {"context": {"viewName": None}}
    assert set_path({"context": {"viewName": "A"}}, ("context", "viewName")) == {}
    assert set_path({"x": 1}, ("a", "b")) == {"x": 1}


def test_mapping_cells_keep_types_and_rows_move() -> None:
    rows = [{"target": "a", "override_value": 42}, {"target": "b"}]
    override = POLYTOMIC_MAPPING.column("override_value")
    assert set_cell(rows, 0, override, "43")[0]["override_value"] == 43
    model = POLYTOMIC_MAPPING.column("source.model_id")
    with_model = set_cell(rows, 1, model, "m")
    assert with_model[1]["source"] == {"model_id": "m"}
    assert "source" not in set_cell(with_model, 1, model, "")[1]
    moved, index = move_row(rows, 0, 5)
    assert [r["target"] for r in moved] == ["b", "a"] and index == 1
    assert rows[0]["target"] == "a"  # never mutated


def test_row_issues_duplicates_and_required() -> None:
    rows = [
        {"source_column": "a", "destination_field": "X"},
        {"source_column": "b", "destination_field": "X"},
        {"source_column": ""},
    ]
    issues = row_issues(SIGNALSMITH_MAPPING, rows)
    assert 0 not in issues
    assert issues[1] == ['"X" is already mapped by row 1']
    assert "source column is required" in issues[2]
    assert "destination field is required" in issues[2]


def test_local_issues_ignore_what_the_edit_did_not_touch() -> None:
    before = {"active": True, "context": {"referencePoint": "legacyPoint"}}
    assert local_issues("speckle", before, before) == []
    after = {"active": True, "context": {"referencePoint": "moon"}}
    assert [i.path for i in local_issues("speckle", before, after)] == ["context.referencePoint"]
    assert local_issues("paragon", {"credentialId": "x"}, {"credentialId": "x"}) == []


def test_cron_preview() -> None:
    now = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    preview = cron_preview("0 */6 * * *", now)
    assert preview.ok and preview.next_runs[0] == "Fri 2026-11-20 12:00 UTC"
    assert cron_preview("", now).reading == MANUAL
    assert "never fires" in (cron_preview("0 0 30 2 *", now).error or "")
    assert "character" in (cron_preview("0 24 * * *", now).error or "")


def test_draft_store_tells_only_when_the_marker_changes() -> None:
    sync = Sync(
        account="a",
        vendor="paragon",
        id="1",
        name="n",
        status=SyncStatus.ACTIVE,
        vendor_status="ACTIVE",
    )
    store, seen = DraftStore(), []
    store.subscribe(seen.append)
    draft = Draft(base=sync, before={"x": 1}, after={"x": 1})
    store.put(draft)
    assert seen == [] and not store.has_changes(sync.key)
    draft.after = {"x": 2}
    store.touched(sync.key)
    store.touched(sync.key)  # still changed: no second repaint
    assert seen == [sync.key] and draft.patch() == {"x": 2}
    store.discard(sync.key)
    assert seen == [sync.key, sync.key] and sync.key not in store


def test_batch_form_fields_make_a_patch() -> None:
    point, view = BATCH_FIELDS["speckle"]
    patch = apply_field({}, point, "surveyPoint")
    patch = apply_field(patch, view, CLEAR)
    assert patch == {"context": {"referencePoint": "surveyPoint", "viewName": None}}
    assert field_value(patch, view) == CLEAR
    assert apply_field(patch, point, None) == {"context": {"viewName": None}}
