"""The few fields a batch form offers per vendor, and the merge patch they make — no Textual.

When every marked sync is of one vendor, the batch editor shows that vendor's commonly
bulk-changed fields, as its rules name them (a reference point and view name where the
vendor's docs describe changing them across many syncs); a field left at "(leave as is)" is not in the patch. Anything else
is written as a JSON merge patch.
"""

from __future__ import annotations

import copy
from typing import Any

from synctui.services.vendor_rules import VENDORS, BatchField, rules_for
from synctui.ui.editing.document import get_path, set_path

__all__ = ["BATCH_FIELDS", "CLEAR", "BatchField", "apply_field", "field_value"]

CLEAR = "(clear: null)"

# The fields each vendor's rules name as commonly bulk-changed, by vendor.
BATCH_FIELDS: dict[str, tuple[BatchField, ...]] = {
    vendor: fields for vendor in VENDORS if (fields := rules_for(vendor).batch_fields)
}


def apply_field(patch: dict[str, Any], field: BatchField, value: str | None) -> dict[str, Any]:
    """`patch` with one form field applied: None leaves the field out of the patch."""
    out = copy.deepcopy(patch)
    if value is None:
        return set_path(out, field.path)
    return set_path(out, field.path, None if value == CLEAR else value)


def field_value(patch: dict[str, Any], field: BatchField) -> str | None:
    """What the form shows for a patch: the value, CLEAR for an explicit null, None if absent."""
    value = get_path(patch, field.path, _ABSENT)
    if value is _ABSENT:
        return None
    if value is None:
        return CLEAR
    return value if isinstance(value, str) else None


_ABSENT = object()
