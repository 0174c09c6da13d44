"""The few fields a batch form offers per vendor, and the merge patch they make — no Textual.

When every marked sync is of one vendor, the batch editor shows that vendor's commonly
bulk-changed fields (Speckle: reference point and view name, the change its docs describe
doing across many syncs); a field left at "(leave as is)" is not in the patch. Anything else
is written as a JSON merge patch.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Literal

from synctui.domain.validation import (
    PARAGON_FREQUENCIES,
    POLYTOMIC_FREQUENCIES,
    POLYTOMIC_MODES,
    SIGNALSMITH_SYNC_MODES,
    SPECKLE_REFERENCE_POINTS,
)
from synctui.ui.editing.document import get_path, set_path

CLEAR = "(clear: null)"


@dataclass(frozen=True)
class BatchField:
    path: tuple[str, ...]
    label: str
    kind: Literal["choice", "text"]
    choices: tuple[str, ...] = ()
    clearable: bool = False  # offers "(clear: null)", sent as an explicit null

    @property
    def id(self) -> str:
        return "bf-" + "-".join(self.path)


BATCH_FIELDS: dict[str, tuple[BatchField, ...]] = {
    "speckle": (
        BatchField(
            ("context", "referencePoint"), "Reference point", "choice", SPECKLE_REFERENCE_POINTS
        ),
        BatchField(("context", "viewName"), "View name", "text", clearable=True),
    ),
    "signalsmith": (
        BatchField(("sync_mode",), "Sync mode", "choice", SIGNALSMITH_SYNC_MODES),
        BatchField(("schedule",), "Schedule (cron)", "text"),
    ),
    "polytomic": (
        BatchField(("mode",), "Mode", "choice", POLYTOMIC_MODES),
        BatchField(("schedule", "frequency"), "Frequency", "choice", POLYTOMIC_FREQUENCIES),
    ),
    "paragon": (
        BatchField(
            ("incrementalAccumulatorFrequency",), "Check for changes", "choice", PARAGON_FREQUENCIES
        ),
    ),
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
