"""Diff preview: leaf-level changes, unified JSON diff, and the one-line summary."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from synctui.domain.diff import (
    FieldChange,
    changed_paths,
    format_path,
    summarize,
    unified_json_diff,
)
from synctui.domain.merge_patch import json_equal

KEYS = st.sampled_from(["a", "b", "c", "fields", "target"])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=15,
)

POLYTOMIC = {
    "name": "Contacts",
    "mode": "updateOrCreate",
    "schedule": {"frequency": "daily", "hour": "9"},
    "fields": [{"target": "Email"}, {"target": "Name"}, {"target": "Phone"}],
}


def test_changes_are_reported_at_the_leaf_with_a_readable_path() -> None:
    after = copy.deepcopy(POLYTOMIC)
    after["schedule"]["hour"] = "10"
    after["fields"][2]["target"] = "Mobile"

    changes = changed_paths(POLYTOMIC, after)

    assert changes == [
        FieldChange(("schedule", "hour"), "9", "10", "changed"),
        FieldChange(("fields", 2, "target"), "Phone", "Mobile", "changed"),
    ]
    assert [c.path_str for c in changes] == ["schedule.hour", "fields[2].target"]


def test_added_and_removed_keys_and_list_items() -> None:
    before = {"context": {"viewName": "3D", "referencePoint": "surveyPoint"}, "tags": [1, 2, 3]}
    after = {"context": {"referencePoint": "surveyPoint", "extra": True}, "tags": [1], "new": {}}

    assert changed_paths(before, after) == [
        FieldChange(("context", "viewName"), "3D", None, "removed"),
        FieldChange(("context", "extra"), None, True, "added"),
        FieldChange(("tags", 1), 2, None, "removed"),
        FieldChange(("tags", 2), 3, None, "removed"),
        FieldChange(("new",), None, {}, "added"),
    ]


def test_list_growth_is_reported_as_additions() -> None:
    assert changed_paths([1], [1, {"a": 1}]) == [FieldChange((1,), None, {"a": 1}, "added")]


def test_type_change_is_a_single_change() -> None:
    before = {"schedule": {"frequency": "daily"}}
    after = {"schedule": "0 9 * * *"}
    assert changed_paths(before, after) == [
        FieldChange(("schedule",), {"frequency": "daily"}, "0 9 * * *", "changed")
    ]


def test_null_is_a_value_and_true_is_not_one() -> None:
    assert changed_paths({"viewName": "3D"}, {"viewName": None}) == [
        FieldChange(("viewName",), "3D", None, "changed")
    ]
    assert changed_paths({"active": 1}, {"active": True}) == [
        FieldChange(("active",), 1, True, "changed")
    ]


def test_whole_document_change_and_no_change() -> None:
    assert changed_paths(1, "1") == [FieldChange((), 1, "1", "changed")]
    assert changed_paths(POLYTOMIC, copy.deepcopy(POLYTOMIC)) == []


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (("fields", 2, "target"), "fields[2].target"),
        (("context", "viewName"), "context.viewName"),
        ((0, "a"), "[0].a"),
        (("a.b", "c"), '["a.b"].c'),
        (("x", ""), 'x[""]'),
        (("has space",), '["has space"]'),
        (("snake_case", "kebab-case"), "snake_case.kebab-case"),
        ((), "(whole document)"),
    ],
)
def test_format_path(path: tuple[str | int, ...], text: str) -> None:
    assert format_path(path) == text


def test_unified_diff_has_hunks_but_no_file_header() -> None:
    after = copy.deepcopy(POLYTOMIC)
    after["mode"] = "replace"

    lines = unified_json_diff(POLYTOMIC, after)

    assert lines[0].startswith("@@ ")
    assert not any(line.startswith(("---", "+++")) for line in lines)
    assert '-  "mode": "updateOrCreate",' in lines
    assert '+  "mode": "replace",' in lines


def test_unified_diff_ignores_key_order_and_is_empty_without_changes() -> None:
    reordered = dict(reversed(list(POLYTOMIC.items())))
    assert unified_json_diff(POLYTOMIC, reordered) == []


def test_unified_diff_context_controls_surrounding_lines() -> None:
    after = copy.deepcopy(POLYTOMIC)
    after["name"] = "Leads"
    tight = unified_json_diff(POLYTOMIC, after, context=0)
    loose = unified_json_diff(POLYTOMIC, after, context=3)
    assert [line[0] for line in tight] == ["@", "-", "+"]
    assert len(loose) == len(tight) + 6  # three lines either side of the change


def test_unified_diff_keeps_non_ascii_readable() -> None:
    lines = unified_json_diff({"name": "Zürich"}, {"name": "Zürich ✓"})
    assert '+  "name": "Zürich ✓"' in lines


def test_summarize() -> None:
    changes = changed_paths(
        {"schedule": "0 * * * *", "fields": [{"target": "a"}, {"target": "b"}]},
        {"schedule": "0 9 * * *", "fields": [{"target": "a"}, {"target": "c"}]},
    )
    assert summarize(changes) == "2 fields changed: schedule, fields[1].target"
    assert summarize(changes[:1]) == "1 field changed: schedule"
    assert summarize([]) == "no changes"


def test_summarize_truncates_long_lists() -> None:
    changes = changed_paths({}, {k: 1 for k in "abcdefgh"})
    assert summarize(changes, limit=3) == "8 fields changed: a, b, c, and 5 more"


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    *parents, last = path
    holder = doc
    for part in parents:
        holder = holder[part]
    if isinstance(holder, list) and last == len(holder):
        holder.append(value)
    else:
        holder[last] = value
    return doc


def _delete(doc: Any, path: tuple[Any, ...]) -> None:
    *parents, last = path
    holder = doc
    for part in parents:
        holder = holder[part]
    del holder[last]


@given(before=JSON, after=JSON)
def test_replaying_the_changes_rebuilds_after(before: Any, after: Any) -> None:
    """The change list is complete and exact: applying it to ``before`` gives ``after``."""
    changes = changed_paths(before, after)
    doc = copy.deepcopy(before)
    for change in changes:
        if change.kind != "removed":
            doc = _set(doc, change.path, copy.deepcopy(change.after))
    for change in reversed(changes):  # list items are removed from the end backwards
        if change.kind == "removed":
            _delete(doc, change.path)
    assert json_equal(doc, after)
    assert (changes == []) == json_equal(before, after)


@given(before=JSON, after=JSON)
def test_unified_diff_is_empty_exactly_when_documents_are_equal(before: Any, after: Any) -> None:
    lines = unified_json_diff(before, after)
    assert (lines == []) == json_equal(before, after)
    assert all(line[:1] in {"@", "-", "+", " "} for line in lines)
