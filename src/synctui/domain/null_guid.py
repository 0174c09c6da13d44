"""The null GUID: how a change feed marks a field it did not send (the change is partial).

One definition for the adapter that reads the feed and the store that keeps it, so both
agree on which stored changes are partial.
"""

from __future__ import annotations

from typing import Any

NULL_GUID = "00000000-0000-0000-0000-000000000000"


def has_null_guid(value: object) -> bool:
    """Whether the null GUID is a string anywhere in `value`. A C-level membership test per
    object or list, recursing only into the containers inside: a snapshot is mostly flat, and
    this runs once for every change a feed brings."""
    if isinstance(value, str):
        return value == NULL_GUID
    if isinstance(value, dict):
        items: Any = value.values()
    elif isinstance(value, list):
        items = value
    else:
        return False
    if NULL_GUID in items:  # only an equal string compares equal to it
        return True
    return any(has_null_guid(item) for item in items if isinstance(item, dict | list))
