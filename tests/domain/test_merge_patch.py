"""RFC 7386 merge patch: the RFC's own examples, round trips, and no mutation of inputs."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from synctui.domain.merge_patch import (
    MergePatchError,
    apply_merge_patch,
    create_merge_patch,
    json_equal,
    require_object_patch,
)

# A few fixed keys make overlapping objects (and so real merges) likely.
KEYS = st.sampled_from(["a", "b", "c", "viewName"]) | st.text(max_size=4)
SCALARS_NO_NULL = (
    st.booleans()
    | st.integers(-1000, 1000)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
)


def json_values(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4)
        ),
        max_leaves=20,
    )


JSON = json_values(SCALARS_NO_NULL | st.none())
JSON_NO_NULL = json_values(SCALARS_NO_NULL)
OBJECTS = st.dictionaries(KEYS, JSON, max_size=5)
OBJECTS_NO_NULL = st.dictionaries(KEYS, JSON_NO_NULL, max_size=5)


def reachable(before: Any, after: Any) -> Any:
    """What a merge patch can make of ``before`` when aiming at ``after``.

    A null member can only mean "remove", so it vanishes, unless ``before`` already had a null
    there (then nothing changes and it stays).
    """
    if not isinstance(after, dict):
        return after
    old = before if isinstance(before, dict) else {}
    return {
        k: reachable(old.get(k), v)
        for k, v in after.items()
        if v is not None or (k in old and old[k] is None)
    }


# RFC 7386, Appendix A, verbatim.
RFC_EXAMPLES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("target", "patch", "expected"), RFC_EXAMPLES)
def test_rfc7386_appendix_a(target: Any, patch: Any, expected: Any) -> None:
    assert apply_merge_patch(target, patch) == expected


def test_apply_leaves_inputs_alone_and_shares_nothing_with_them() -> None:
    target = {"context": {"referencePoint": "surveyPoint", "layers": [1, 2]}, "keep": {"x": 1}}
    patch = {"context": {"viewName": "3D"}, "new": {"deep": [1]}}
    target_copy, patch_copy = copy.deepcopy(target), copy.deepcopy(patch)

    result = apply_merge_patch(target, patch)
    result["context"]["layers"].append(3)
    result["keep"]["x"] = 2
    result["new"]["deep"].append(2)

    assert target == target_copy
    assert patch == patch_copy


def test_create_sends_only_what_changed() -> None:
    before = {
        "name": "Customers",
        "context": {"referencePoint": "internalOrigin", "viewName": "3D", "custom": 7},
        "fields": [{"target": "Email"}],
    }
    after = {
        "name": "Customers",
        "context": {"referencePoint": "surveyPoint", "viewName": "3D", "custom": 7},
        "fields": [{"target": "Email"}, {"target": "Name"}],
    }
    assert create_merge_patch(before, after) == {
        "context": {"referencePoint": "surveyPoint"},
        "fields": [{"target": "Email"}, {"target": "Name"}],  # arrays go whole
    }


def test_create_removes_missing_keys_and_reads_null_as_removal() -> None:
    before = {"a": 1, "b": 2, "c": {"d": 3, "e": 4}}
    after = {"b": None, "c": {"d": 3}}
    assert create_merge_patch(before, after) == {"a": None, "b": None, "c": {"e": None}}


def test_create_ignores_null_for_a_key_that_is_already_absent_or_null() -> None:
    assert create_merge_patch({"a": {}}, {"a": {"b": None}, "c": None}) == {}
    assert create_merge_patch({"viewName": None, "x": 1}, {"viewName": None, "x": 2}) == {"x": 2}


def test_create_drops_null_members_from_new_subobjects_but_keeps_nulls_in_arrays() -> None:
    patch = create_merge_patch({}, {"a": {"b": None, "c": 1}, "l": [None, {"x": None}]})
    assert patch == {"a": {"c": 1}, "l": [None, {"x": None}]}


def test_create_tells_true_from_one() -> None:
    assert create_merge_patch({"active": 1}, {"active": True}) == {"active": True}
    assert create_merge_patch({"n": 1}, {"n": 1.0}) == {}


def test_create_replaces_a_non_object_value_with_an_object() -> None:
    assert create_merge_patch({"a": [1]}, {"a": {"b": 1}}) == {"a": {"b": 1}}
    assert create_merge_patch(["not", "an", "object"], {"a": 1}) == {"a": 1}


@pytest.mark.parametrize("after", [[1], "x", 3, None, True])
def test_create_requires_an_object_target(after: Any) -> None:
    with pytest.raises(MergePatchError, match="JSON object"):
        create_merge_patch({}, after)


@pytest.mark.parametrize("patch", [[], ["a"], "x", 1, None, False])
def test_require_object_patch_rejects_non_objects(patch: Any) -> None:
    with pytest.raises(MergePatchError, match="must be a JSON object"):
        require_object_patch(patch)


def test_require_object_patch_returns_the_object() -> None:
    patch = {"credentialId": "x"}
    assert require_object_patch(patch) is patch
    with pytest.raises(MergePatchError, match="keys must be strings"):
        require_object_patch({1: "x"})


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (1, 1.0, True),
        (True, 1, False),
        (False, 0, False),
        ({"a": [True]}, {"a": [1]}, False),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}, True),
        ([1, 2], [2, 1], False),
        ({"a": 1}, {"a": 1, "b": None}, False),
        ([], {}, False),
        (None, None, True),
    ],
)
def test_json_equal(a: Any, b: Any, equal: bool) -> None:
    assert json_equal(a, b) is equal


@given(before=OBJECTS, after=OBJECTS_NO_NULL)
def test_round_trip_without_nulls(before: dict[str, Any], after: dict[str, Any]) -> None:
    patch = create_merge_patch(before, after)
    assert json_equal(apply_merge_patch(before, patch), after)


@given(before=OBJECTS, after=OBJECTS)
def test_round_trip_with_nulls(before: dict[str, Any], after: dict[str, Any]) -> None:
    patch = create_merge_patch(before, after)
    assert json_equal(apply_merge_patch(before, patch), reachable(before, after))


@given(doc=OBJECTS)
def test_no_change_gives_an_empty_patch(doc: dict[str, Any]) -> None:
    assert create_merge_patch(doc, copy.deepcopy(doc)) == {}


@given(before=OBJECTS, after=OBJECTS_NO_NULL)
def test_patch_names_only_keys_that_differ(before: dict[str, Any], after: dict[str, Any]) -> None:
    patch = create_merge_patch(before, after)
    for key in patch:
        assert key not in before or key not in after or not json_equal(before[key], after[key])


@given(target=JSON, patch=JSON)
def test_apply_is_idempotent(target: Any, patch: Any) -> None:
    once = apply_merge_patch(target, patch)
    assert json_equal(apply_merge_patch(once, patch), once)


@given(target=JSON, patch=JSON, after=OBJECTS)
def test_inputs_are_never_modified(target: Any, patch: Any, after: dict[str, Any]) -> None:
    target_copy, patch_copy, after_copy = (copy.deepcopy(v) for v in (target, patch, after))
    apply_merge_patch(target, patch)
    create_merge_patch(target, after)
    assert json_equal(target, target_copy)
    assert json_equal(patch, patch_copy)
    assert json_equal(after, after_copy)
