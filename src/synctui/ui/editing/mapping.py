"""Field-mapping rows (Signalsmith `field_mapping`, Polytomic `fields`) — pure list editing.

Both vendors replace the mapping whole, so the editor works on a list of row dicts and hands
the list back into the document; each operation returns a new list (the draft keeps the old
one until the form writes it). Rows keep keys the editor does not show: a Polytomic row may
carry `new`, `syncMode` spellings or vendor additions that must survive a reorder.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from synctui.domain.validation import is_uuid

__all__ = [
    "POLYTOMIC_MAPPING",
    "SIGNALSMITH_MAPPING",
    "MappingColumn",
    "MappingSpec",
    "add_row",
    "cell_text",
    "key_row",
    "mapping_spec",
    "move_row",
    "polytomic_identities",
    "remove_row",
    "row_issues",
    "set_cell",
]

Row = dict[str, Any]


@dataclass(frozen=True)
class MappingColumn:
    path: tuple[str, ...]
    title: str
    required: bool = False
    width: int = 18

    @property
    def name(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class MappingSpec:
    """Where a vendor keeps its mapping and which cells a row has."""

    vendor: str
    field: str  # the document key holding the rows
    columns: tuple[MappingColumn, ...]
    destination: tuple[str, ...]  # must be unique across rows

    def column(self, name: str) -> MappingColumn:
        return next(c for c in self.columns if c.name == name)


SIGNALSMITH_MAPPING = MappingSpec(
    "signalsmith",
    "field_mapping",
    (
        MappingColumn(("source_column",), "Source column", required=True, width=20),
        MappingColumn(("destination_field",), "Destination field", required=True, width=22),
        MappingColumn(("type_cast",), "Type cast", width=10),
    ),
    ("destination_field",),
)
POLYTOMIC_MAPPING = MappingSpec(
    "polytomic",
    "fields",
    (
        MappingColumn(("target",), "Target", required=True, width=18),
        MappingColumn(("source", "model_id"), "Source model", width=36),  # a UUID
        MappingColumn(("source", "field"), "Source field", width=16),
        MappingColumn(("override_value",), "Override", width=12),
        MappingColumn(("sync_mode",), "Sync mode", width=10),
    ),
    ("target",),
)


def mapping_spec(vendor: str) -> MappingSpec | None:
    return {"signalsmith": SIGNALSMITH_MAPPING, "polytomic": POLYTOMIC_MAPPING}.get(vendor)


def _get(row: Row, path: tuple[str, ...]) -> Any:
    node: Any = row
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def cell_text(row: Row, column: MappingColumn) -> str:
    """A cell as typed: strings as they are, other JSON values as JSON, absent as ""."""
    value = _get(row, column.path)
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def set_cell(rows: list[Row], index: int, column: MappingColumn, text: str) -> list[Row]:
    """Rows with one cell set from what was typed; an empty optional cell is removed.

    A value that was not a string (an override of `true` or `42`) stays that type when the
    text still reads as JSON, so retyping `42` does not turn a number into "42".
    """
    out = copy.deepcopy(rows)
    row = out[index]
    old = _get(row, column.path)
    value: Any = text
    if old is not None and not isinstance(old, str):
        try:
            value = json.loads(text)
        except ValueError:
            value = text
    node = row
    for part in column.path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    last = column.path[-1]
    if text == "" and not column.required:
        node.pop(last, None)
        if len(column.path) > 1 and node == {}:
            row.pop(column.path[0], None)
    else:
        node[last] = value
    return out


def add_row(rows: list[Row], after: int | None, template: Row | None = None) -> list[Row]:
    """A new empty row after `after` (at the end when None)."""
    out = copy.deepcopy(rows)
    position = len(out) if after is None else min(after + 1, len(out))
    out.insert(position, copy.deepcopy(template) if template else {})
    return out


def remove_row(rows: list[Row], index: int) -> list[Row]:
    out = copy.deepcopy(rows)
    if 0 <= index < len(out):
        del out[index]
    return out


def move_row(rows: list[Row], index: int, delta: int) -> tuple[list[Row], int]:
    """Rows with one row moved by `delta` (clamped); returns the row's new index."""
    target = max(0, min(len(rows) - 1, index + delta))
    out = copy.deepcopy(rows)
    if 0 <= index < len(out) and target != index:
        out.insert(target, out.pop(index))
    return out, target


def row_issues(
    spec: MappingSpec, rows: list[Row], type_casts: set[str] | None = None
) -> dict[int, list[str]]:
    """Inline problems per row: missing required cells, repeated destinations, bad model ids,
    and (given `type_casts`, the accepted ones) a type cast that is not among them."""
    found: dict[int, list[str]] = {}
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        problems: list[str] = []
        if not isinstance(row, dict):
            found[index] = ["not an object"]
            continue
        for column in spec.columns:
            value = _get(row, column.path)
            if column.required and (not isinstance(value, str) or not value.strip()):
                problems.append(f"{column.title.lower()} is required")
        destination = _get(row, spec.destination)
        if isinstance(destination, str) and destination:
            if destination in seen:
                problems.append(f'"{destination}" is already mapped by row {seen[destination] + 1}')
            else:
                seen[destination] = index
        cast = row.get("type_cast")
        if type_casts is not None and isinstance(cast, str) and cast and cast not in type_casts:
            problems.append(
                f"type cast {cast!r} is not documented (use {', '.join(sorted(type_casts))})"
            )
        if spec.vendor == "polytomic":
            model = _get(row, ("source", "model_id"))
            field = _get(row, ("source", "field"))
            if model is not None and not is_uuid(model):
                problems.append("source model must be a UUID")
            if "override_value" not in row and not (model and field):
                problems.append("needs a source (model and field) or an override value")
        if problems:
            found[index] = problems
    return found


def polytomic_identities(doc: dict[str, Any]) -> tuple[str | None, list[Any]]:
    """(strategy, mappings) of a Polytomic sync: its `identities` where it has them (the live
    form), else the deprecated `identity` (the first mapping only)."""
    identities = doc.get("identities")
    if isinstance(identities, dict) and isinstance(identities.get("mappings"), list):
        strategy = identities.get("strategy")
        return (strategy if isinstance(strategy, str) else None), identities["mappings"]
    identity = doc.get("identity")
    return None, [identity] if isinstance(identity, dict) else []


def key_row(spec: MappingSpec, rows: list[Row], doc: dict[str, Any]) -> int | None:
    """The row carrying the sync's primary key (Signalsmith) or identity (Polytomic)."""
    if spec.vendor == "signalsmith":
        key = doc.get("primary_key")
        for index, row in enumerate(rows):
            if isinstance(row, dict) and key and row.get("source_column") == key:
                return index
        return None
    identity = polytomic_identities(doc)[1][:1]
    if not identity or not isinstance(identity[0], dict):
        return None
    target = identity[0].get("target")
    for index, row in enumerate(rows):
        if isinstance(row, dict) and target and row.get("target") == target:
            return index
    return None
