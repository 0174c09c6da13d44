"""Validators: exact messages for each rule, tolerance of unknown keys, and no crashes ever."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from synctui.domain.validation import (
    PARAGON_FREQUENCIES,
    POLYTOMIC_FREQUENCIES,
    POLYTOMIC_MODES,
    SIGNALSMITH_STATUSES,
    SIGNALSMITH_SYNC_MODES,
    ValidationIssue,
    is_uuid,
    validate_paragon_patch,
    validate_polytomic_sync,
    validate_signalsmith_sync,
    validate_speckle_context,
)

UUID_A = "770e8400-e29b-41d4-a716-446655440000"
UUID_B = "880E8400-E29B-41D4-A716-446655440000"


def paths(issues: list[ValidationIssue]) -> list[str]:
    return [issue.path for issue in issues]


def messages(issues: list[ValidationIssue]) -> list[str]:
    return [issue.message for issue in issues]


# -- is_uuid -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (UUID_A, True),
        (UUID_B, True),
        ("00000000-0000-0000-0000-000000000000", True),
        ("770e8400e29b41d4a716446655440000", False),  # bare hex
        ("{770e8400-e29b-41d4-a716-446655440000}", False),
        ("urn:uuid:770e8400-e29b-41d4-a716-446655440000", False),
        ("aae8400-e29b-41d4-a716-446655440000", False),  # one digit short
        ("770e8400-e29b-41d4-a716-44665544000g", False),
        (UUID_A + "\n", False),
        ("", False),
        (None, False),
        (123, False),
    ],
)
def test_is_uuid(value: Any, ok: bool) -> None:
    assert is_uuid(value) is ok


# -- Speckle -----------------------------------------------------------------------------------


def test_speckle_valid_contexts() -> None:
    assert validate_speckle_context({}) == []
    assert validate_speckle_context({"referencePoint": "surveyPoint", "viewName": None}) == []
    assert validate_speckle_context({"viewName": "3D Coordination", "acc": {"folder": [1]}}) == []


def test_speckle_reference_point_enum() -> None:
    assert validate_speckle_context({"referencePoint": "origin"}) == [
        ValidationIssue(
            "referencePoint",
            "referencePoint must be one of internalOrigin, projectBasePoint, surveyPoint",
        )
    ]
    assert paths(validate_speckle_context({"referencePoint": None})) == ["referencePoint"]


def test_speckle_view_name_must_be_text_or_null() -> None:
    issues = validate_speckle_context({"viewName": 3})
    assert issues == [
        ValidationIssue("viewName", "viewName must be a view name, or null to clear it")
    ]


@pytest.mark.parametrize("ctx", [None, [], "surveyPoint", 1])
def test_speckle_context_must_be_an_object(ctx: Any) -> None:
    assert validate_speckle_context(ctx) == [ValidationIssue("", "context must be a JSON object")]


# -- Polytomic ---------------------------------------------------------------------------------

POLYTOMIC = {
    "name": "Contacts to HubSpot",
    "mode": "updateOrCreate",
    "active": True,
    "schedule": {"frequency": "weekly", "hour": "9", "minute": "30", "day_of_week": "monday"},
    "target": {"connection_id": UUID_B, "object": "contacts"},
    "fields": [
        {"target": "email", "source": {"model_id": UUID_A, "field": "Email"}},
        {"target": "firstname", "source": {"model_id": UUID_A, "field": "First"}},
        {"target": "lifecycle", "override_value": "lead", "source": None},
    ],
    "identity": {
        "source": {"model_id": UUID_A, "field": "Email"},
        "target": "email",
        "function": "Equality",
    },
    "filters": None,
    "some_future_field": {"anything": [1, 2]},
}


def polytomic(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(POLYTOMIC)
    for key, value in changes.items():
        if value is ...:
            del doc[key]
        else:
            doc[key] = value
    return doc


def test_polytomic_valid_sync_has_no_issues() -> None:
    assert validate_polytomic_sync(POLYTOMIC) == []


@pytest.mark.parametrize("key", ["name", "mode", "schedule", "target", "fields"])
def test_polytomic_required_fields(key: str) -> None:
    assert validate_polytomic_sync(polytomic(**{key: ...})) == [
        ValidationIssue(key, f"{key} is required")
    ]


def test_polytomic_enums() -> None:
    issues = validate_polytomic_sync(
        polytomic(mode="upsert", schedule={"frequency": "often"}, identity={"function": "Like"})
    )
    assert messages(issues) == [
        "mode must be one of " + ", ".join(POLYTOMIC_MODES),
        "schedule.frequency must be one of " + ", ".join(POLYTOMIC_FREQUENCIES),
        "identity.function must be one of Equality, ISubstring, OneOf, DomainMatch, HostnameMatch",
    ]


@pytest.mark.parametrize("part", ["hour", "minute", "day_of_week", "day_of_month", "month"])
@pytest.mark.parametrize("value", ["0", "24", "-1", "nine", "Sunday", "*/30", "", None])
def test_polytomic_schedule_time_parts_are_any_text(part: str, value: Any) -> None:
    """Documented: the time parts are strings. Which strings a frequency takes is Polytomic's
    to judge (a `custom` schedule's `*/30`), so no range is refused here."""
    assert validate_polytomic_sync(polytomic(schedule={"frequency": "custom", part: value})) == []


def test_polytomic_time_parts_must_be_strings() -> None:
    issues = validate_polytomic_sync(polytomic(schedule={"frequency": "daily", "hour": 9}))
    assert issues == [
        ValidationIssue("schedule.hour", 'schedule.hour must be text such as "9", not a number')
    ]


def test_polytomic_fields_rules() -> None:
    """Documented: a list of mappings, each with a (string) `target`. An empty list, a shared
    target or an odd model id are Polytomic's to refuse, not ours."""
    assert validate_polytomic_sync(polytomic(fields=[])) == []
    assert messages(validate_polytomic_sync(polytomic(fields={"target": "x"}))) == [
        "fields must be a list of field mappings"
    ]
    issues = validate_polytomic_sync(
        polytomic(
            fields=[
                {"target": "email"},
                {"source": {"model_id": "model-1"}},
                "email",
                {"target": "email"},
                {"target": ""},
                {"target": 7, "source": "email"},
            ]
        )
    )
    assert issues == [
        ValidationIssue("fields[1].target", "fields[1].target is required"),
        ValidationIssue("fields[2]", "fields[2] must be a JSON object"),
        ValidationIssue("fields[5].target", "fields[5].target must be a string"),
        ValidationIssue("fields[5].source", "fields[5].source must be a JSON object"),
    ]


def test_polytomic_target_and_identity_source() -> None:
    issues = validate_polytomic_sync(
        polytomic(target={"object": "contacts"}, identity={"source": "model"})
    )
    assert paths(issues) == ["target.connection_id", "identity.source"]
    assert paths(validate_polytomic_sync(polytomic(target="conn"))) == ["target"]


def test_polytomic_identity_may_be_null_and_active_must_be_boolean() -> None:
    assert validate_polytomic_sync(polytomic(identity=None)) == []
    assert messages(validate_polytomic_sync(polytomic(active="yes"))) == [
        "active must be true or false"
    ]


@pytest.mark.parametrize("doc", [None, [], "sync"])
def test_polytomic_document_must_be_an_object(doc: Any) -> None:
    assert validate_polytomic_sync(doc) == [
        ValidationIssue("", "the document must be a JSON object")
    ]


# -- Signalsmith -------------------------------------------------------------------------------

SIGNALSMITH_NEW = {
    "name": "Customers to Salesforce",
    "model_id": UUID_A,
    "destination_id": UUID_B,
    "field_mapping": [
        {"source_column": "email", "destination_field": "Email"},
        {"source_column": "revenue", "destination_field": "Annual_Revenue", "type_cast": "number"},
    ],
    "sync_mode": "upsert",
    "primary_key": "customer_id",
    "schedule": "0 */6 * * *",
    "config": {},
    "vendor_extension": 1,
}


def test_signalsmith_valid_create_and_update() -> None:
    assert validate_signalsmith_sync(SIGNALSMITH_NEW, creating=True) == []
    assert (
        validate_signalsmith_sync({"schedule": "0 */12 * * *", "status": "paused"}, creating=False)
        == []
    )
    assert validate_signalsmith_sync({}, creating=False) == []


def test_signalsmith_create_requires_the_documented_fields() -> None:
    issues = validate_signalsmith_sync({"schedule": "0 * * * *"}, creating=True)
    assert paths(issues) == [
        "name",
        "model_id",
        "destination_id",
        "field_mapping",
        "sync_mode",
        "primary_key",
    ]
    assert issues[0].message == "name is required"


def test_signalsmith_update_checks_only_given_fields() -> None:
    issues = validate_signalsmith_sync(
        {"model_id": "770e8400", "sync_mode": "merge", "status": "running", "name": "  "},
        creating=False,
    )
    assert messages(issues) == [
        "model_id must be a UUID such as 123e4567-e89b-12d3-a456-426614174000",
        "sync_mode must be one of " + ", ".join(SIGNALSMITH_SYNC_MODES),
        "status must be one of " + ", ".join(SIGNALSMITH_STATUSES),
    ]


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("0 24 * * *", "schedule is not a valid cron expression: hour: 24 is out of range 0–23"),
        (6, 'schedule must be a cron expression such as "0 */6 * * *"'),
    ],
)
def test_signalsmith_schedule(schedule: Any, message: str) -> None:
    assert validate_signalsmith_sync({"schedule": schedule}, creating=False) == [
        ValidationIssue("schedule", message)
    ]


# A cron that never fires is valid cron: the editor warns, Signalsmith decides.
@pytest.mark.parametrize("schedule", [None, "", "*/5 9-17 * * MON-FRI", "0 0 30 2 *"])
def test_signalsmith_schedule_may_be_empty(schedule: Any) -> None:
    assert validate_signalsmith_sync({"schedule": schedule}, creating=False) == []


def test_signalsmith_field_mapping_rows() -> None:
    issues = validate_signalsmith_sync(
        {
            "field_mapping": [
                {"source_column": "email", "destination_field": "Email"},
                {"destination_field": "Name"},
                {"source_column": "mail", "destination_field": "Email", "type_cast": 5},
                [],
            ]
        },
        creating=False,
    )
    assert issues == [
        ValidationIssue(
            "field_mapping[1].source_column", "field_mapping[1].source_column is required"
        ),
        ValidationIssue("field_mapping[2].type_cast", "field_mapping[2].type_cast must be text"),
        ValidationIssue("field_mapping[3]", "field_mapping[3] must be a JSON object"),
    ]
    # Not documented, so Signalsmith's to refuse: no rows, two rows writing one field.
    assert validate_signalsmith_sync({"field_mapping": []}, creating=False) == []


# -- Paragon -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "patch",
    [
        {"credentialId": UUID_A},
        {"incrementalAccumulatorFrequency": "1m"},
        {"credentialId": UUID_B, "incrementalAccumulatorFrequency": "24h"},
    ],
)
def test_paragon_valid_patches(patch: dict[str, Any]) -> None:
    assert validate_paragon_patch(patch) == []


def test_paragon_needs_at_least_one_field() -> None:
    assert validate_paragon_patch({}) == [
        ValidationIssue(
            "", "Paragon needs at least one of credentialId or incrementalAccumulatorFrequency"
        )
    ]


def test_paragon_rejects_other_keys() -> None:
    issues = validate_paragon_patch({"incrementalAccumulatorFrequency": "5m", "status": "ACTIVE"})
    assert issues == [
        ValidationIssue(
            "status", "Paragon can only change credentialId and incrementalAccumulatorFrequency"
        )
    ]


def test_paragon_value_checks() -> None:
    issues = validate_paragon_patch(
        {"credentialId": "cred-1", "incrementalAccumulatorFrequency": "2m"}
    )
    assert messages(issues) == [
        "credentialId must be a UUID such as 123e4567-e89b-12d3-a456-426614174000",
        "incrementalAccumulatorFrequency must be one of " + ", ".join(PARAGON_FREQUENCIES),
    ]
    assert paths(validate_paragon_patch(["credentialId"])) == [""]


# -- never raise -------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)
KNOWN_KEYS = sorted(
    {
        *POLYTOMIC,
        *SIGNALSMITH_NEW,
        "referencePoint",
        "viewName",
        "credentialId",
        "incrementalAccumulatorFrequency",
        "status",
        "description",
        "frequency",
        "hour",
        "minute",
        "day_of_week",
        "day_of_month",
        "month",
        "connection_id",
        "target",
        "function",
        "source_column",
        "destination_field",
        "type_cast",
    }
)
# Objects using the keys the validators look at, with arbitrary values, nested a few levels:
# this reaches the deep checks far more often than random keys would.
PLAUSIBLE = st.recursive(
    JSON,
    lambda children: (
        st.dictionaries(st.sampled_from(KNOWN_KEYS), children, max_size=8)
        | st.lists(children, max_size=3)
    ),
    max_leaves=30,
)

VALIDATORS = [
    validate_speckle_context,
    validate_polytomic_sync,
    lambda doc: validate_signalsmith_sync(doc, creating=True),
    lambda doc: validate_signalsmith_sync(doc, creating=False),
    validate_paragon_patch,
]


@given(doc=JSON | PLAUSIBLE)
def test_validators_never_raise(doc: Any) -> None:
    for validate in VALIDATORS:
        issues = validate(doc)
        assert isinstance(issues, list)
        assert all(isinstance(i, ValidationIssue) and i.message for i in issues)


@given(extra=st.dictionaries(st.text(min_size=1).filter(lambda k: k not in KNOWN_KEYS), JSON))
def test_unknown_keys_are_never_an_issue(extra: dict[str, Any]) -> None:
    assert validate_speckle_context({"referencePoint": "surveyPoint", **extra}) == []
    assert validate_polytomic_sync({**POLYTOMIC, **extra}) == []
    assert validate_signalsmith_sync({**SIGNALSMITH_NEW, **extra}, creating=True) == []
