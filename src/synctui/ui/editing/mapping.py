"""Field-mapping rows (a sync's list of source-to-destination rows) — pure list editing.

Vendors with a mapping replace it whole, so the editor works on a list of row dicts and hands
the list back into the document; each operation returns a new list (the draft keeps the old
one until the form writes it). Rows keep keys the editor does not show (a vendor's other
spellings or additions) so they survive a reorder. A vendor's form declares its `MappingSpec`:
where the rows live, their cells, and the vendor's own row checks and key row.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MappingColumn",
    "MappingSpec",
    "add_row",
    "cell_text",
    "get_cell",
    "key_row",
    "move_row",
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


def _no_problems(row: Row) -> list[str]:
    return []


def _no_key(rows: list[Row], doc: dict[str, Any]) -> int | None:
    return None


def _no_key_text(doc: dict[str, Any]) -> str:
    return ""


@dataclass(frozen=True)
class MappingSpec:
    """Where a vendor keeps its mapping, which cells a row has, and the vendor's own row
    checks (`row_problems`), key row (`key_of`) and key description (`key_text`)."""

    vendor: str
    field: str  # the document key holding the rows
    columns: tuple[MappingColumn, ...]
    destination: tuple[str, ...]  # must be unique across rows
    row_problems: Callable[[Row], list[str]] = _no_problems
    key_of: Callable[[list[Row], dict[str, Any]], int | None] = _no_key
    key_text: Callable[[dict[str, Any]], str] = _no_key_text

    def column(self, name: str) -> MappingColumn:
        return next(c for c in self.columns if c.name == name)


def get_cell(row: Row, path: tuple[str, ...]) -> Any:
    node: Any = row
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def cell_text(row: Row, column: MappingColumn) -> str:
    """A cell as typed: strings as they are, other JSON values as JSON, absent as ""."""
    value = get_cell(row, column.path)
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
    old = get_cell(row, column.path)
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
    """Inline problems per row: missing required cells, repeated destinations, the vendor's
    own row checks, and (given `type_casts`, the accepted ones) a type cast that is not among them."""
    found: dict[int, list[str]] = {}
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        problems: list[str] = []
        if not isinstance(row, dict):
            found[index] = ["not an object"]
            continue
        for column in spec.columns:
            value = get_cell(row, column.path)
            if column.required and (not isinstance(value, str) or not value.strip()):
                problems.append(f"{column.title.lower()} is required")
        destination = get_cell(row, spec.destination)
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
        problems += spec.row_problems(row)
        if problems:
            found[index] = problems
    return found


def key_row(spec: MappingSpec, rows: list[Row], doc: dict[str, Any]) -> int | None:
    """The row carrying the sync's key (a primary key, an identity), as the vendor's spec says."""
    return spec.key_of(rows, doc)
