"""The edited document and what is wrong with it — pure functions, no Textual.

An editor holds two documents: `before` (what `adapter.editable(sync)` returned when the
edit started) and `after` (what the person has made of it). The only write an editor ever
asks for is `create_merge_patch(before, after)`. The checks are the ones each adapter's
`plan_update` runs (the vendor's rules object), so a mistake shows next to the field while
typing instead of after a round trip — and a value the vendor already holds is never
flagged, because the adapter would not refuse it either.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from synctui.domain.json_errors import json_problem
from synctui.domain.merge_patch import create_merge_patch
from synctui.domain.validation import ValidationIssue
from synctui.services.vendor_rules import rules_for

__all__ = [
    "JsonProblem",
    "build_patch",
    "get_path",
    "local_issues",
    "parse_json_object",
    "pretty",
    "set_path",
    "unknown_keys",
]

_MISSING = object()


def pretty(doc: Any) -> str:
    """The JSON text an editor shows: two-space indent, keys in the vendor's order."""
    return json.dumps(doc, indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class JsonProblem:
    """Why a JSON text cannot be used, with the 1-based line and column to look at."""

    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


def parse_json_object(text: str) -> tuple[dict[str, Any] | None, JsonProblem | None]:
    """Parse `text` as a JSON object; on failure say where, the way an editor can point at it."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, JsonProblem(exc.lineno, exc.colno, json_problem(exc))
    if not isinstance(value, dict):
        return None, JsonProblem(1, 1, "the document must be a JSON object ({ … })")
    return value, None


def get_path(doc: Any, path: Sequence[str | int], default: Any = None) -> Any:
    """The value at `path` (keys and list indexes), or `default` when any step is missing."""
    node = doc
    for part in path:
        in_list = (
            isinstance(part, int) and isinstance(node, list) and -len(node) <= part < len(node)
        )
        in_dict = isinstance(part, str) and isinstance(node, dict) and part in node
        if not (in_list or in_dict):
            return default
        node = node[part]
    return node


def set_path(doc: dict[str, Any], path: Sequence[str], value: Any = _MISSING) -> dict[str, Any]:
    """A copy of `doc` with `path` set to `value` (objects created on the way).

    Without `value` the key is removed, and objects left empty by that are removed too —
    an optional `source: {}` in a mapping row means nothing to a vendor.
    """
    out = copy.deepcopy(doc)
    if not path:
        raise ValueError("empty path")
    node = out
    parents: list[tuple[dict[str, Any], str]] = []
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            if value is _MISSING:
                return out
            child = {}
            node[part] = child
        parents.append((node, part))
        node = child
    if value is _MISSING:
        node.pop(path[-1], None)
        for parent, key in reversed(parents):
            if parent[key] == {}:
                del parent[key]
    else:
        node[path[-1]] = copy.deepcopy(value)
    return out


def unknown_keys(doc: Any, known: Sequence[str]) -> list[str]:
    """Keys of an object that a form does not show (kept as they are by every save)."""
    return [k for k in doc if k not in known] if isinstance(doc, dict) else []


def build_patch(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The one write an editor asks for: the merge patch from `before` to `after`."""
    return create_merge_patch(before, after)


def local_issues(
    vendor: str,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    accepted_casts: Iterable[str] = (),
) -> list[ValidationIssue]:
    """What the vendor's adapter would refuse in this edit: the same rules object's checks.

    Only what the edit touches is checked (as the adapters do): a sync already holding a value
    the checks do not know can still be edited elsewhere. The editor also refuses a new type
    cast that is neither documented nor in use (`accepted_casts`, the casts the vendor's own
    syncs use).
    """
    return rules_for(vendor).edit_issues(before, after, accepted_casts=accepted_casts)
