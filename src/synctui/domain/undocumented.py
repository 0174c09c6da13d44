"""Edits that reach beyond what a vendor documents: said out loud, refused only where asked.

Signalsmith's documentation (vendor-docs/signalsmith-syncs-api.txt) lists the fields of a
sync and says an update takes "the same fields as create", but not what it does with a field
it does not know. So `{"nonsense": 1}` is not refused here (refusing it would be a rule we
made up); the save preview and the CLI say that the field is not in the documented model,
and Signalsmith decides.

Type casts: the documentation describes `type_cast` as "Type conversion to apply" and shows
one value, `number`; it publishes no list. A cast that is neither documented nor already in
use by the syncs synctui has loaded (the vendor's own answers, which show what it accepts) is
most likely a slip — `Email` typed one cell too far right. The mapping editor refuses such a
cast (`type_cast_issues`); elsewhere it is a note.
"""

from __future__ import annotations

from collections.abc import Iterable

from synctui.domain.validation import ValidationIssue

# The Sync object and the create/update request body, as documented.
SIGNALSMITH_FIELDS = frozenset(
    {
        "id",
        "workspace_id",
        "model_id",
        "destination_id",
        "name",
        "description",
        "field_mapping",
        "sync_mode",
        "schedule",
        "config",
        "primary_key",
        "status",
        "status_error",
        "created_by",
        "created_at",
        "updated_at",
        "last_synced_at",
        "last_run_id",
    }
)
SIGNALSMITH_TYPE_CASTS: tuple[str, ...] = ("number",)


def signalsmith_casts(doc: object) -> set[str]:
    """Every `type_cast` in a Signalsmith document's field mapping."""
    rows = doc.get("field_mapping") if isinstance(doc, dict) else None
    if not isinstance(rows, list):
        return set()
    return {
        row["type_cast"]
        for row in rows
        if isinstance(row, dict) and isinstance(row.get("type_cast"), str) and row["type_cast"]
    }


def type_cast_issues(
    before: object, after: object, accepted: Iterable[str] = ()
) -> list[ValidationIssue]:
    """A cast in `after` that is not documented, not already in `before` and not among
    `accepted` (casts the vendor's other syncs use): the mapping editor refuses it."""
    known = set(SIGNALSMITH_TYPE_CASTS) | signalsmith_casts(before) | set(accepted)
    rows = after.get("field_mapping") if isinstance(after, dict) else None
    issues: list[ValidationIssue] = []
    if not isinstance(rows, list):
        return issues
    for index, row in enumerate(rows):
        cast = row.get("type_cast") if isinstance(row, dict) else None
        if isinstance(cast, str) and cast and cast not in known:
            others = sorted(known - set(SIGNALSMITH_TYPE_CASTS))
            seen = f"; in use on these syncs: {', '.join(others)}" if others else ""
            issues.append(
                ValidationIssue(
                    f"field_mapping[{index}].type_cast",
                    f"type cast {cast!r} is not one Signalsmith documents "
                    f"({', '.join(SIGNALSMITH_TYPE_CASTS)}){seen}",
                )
            )
    return issues


def notes(vendor: str, before: object, after: object) -> list[str]:
    """Sentences for a save preview: what this edit sends that the vendor does not document."""
    if vendor != "signalsmith" or not isinstance(after, dict):
        return []
    old = before if isinstance(before, dict) else {}
    found: list[str] = []
    for key in after:
        if key not in SIGNALSMITH_FIELDS and (key not in old or old[key] != after[key]):
            found.append(
                f"{key!r} is not a field of Signalsmith's documented sync model: "
                "Signalsmith may ignore it or refuse it"
            )
    for cast in sorted(signalsmith_casts(after) - signalsmith_casts(old)):
        if cast not in SIGNALSMITH_TYPE_CASTS:
            found.append(
                f"type cast {cast!r} is not one Signalsmith documents "
                f"({', '.join(SIGNALSMITH_TYPE_CASTS)})"
            )
    return found
