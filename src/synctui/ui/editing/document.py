"""The edited document and what is wrong with it — pure functions, no Textual.

An editor holds two documents: `before` (what `adapter.editable(sync)` returned when the
edit started) and `after` (what the person has made of it). The only write an editor ever
asks for is `create_merge_patch(before, after)`. The checks here mirror what each adapter's
`plan_update` would refuse, so a mistake shows next to the field while typing instead of
after a round trip — and a value the vendor already holds is never flagged, because the
adapter would not refuse it either.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from synctui.domain.json_errors import json_problem
from synctui.domain.merge_patch import create_merge_patch, json_equal
from synctui.domain.undocumented import type_cast_issues
from synctui.domain.validation import (
    ValidationIssue,
    validate_paragon_patch,
    validate_polytomic_sync,
    validate_signalsmith_sync,
    validate_speckle_context,
)

__all__ = [
    "SPECKLE_FORM_KEYS",
    "JsonProblem",
    "build_patch",
    "get_path",
    "local_issues",
    "parse_json_object",
    "pretty",
    "set_path",
    "unknown_keys",
]

# The context keys the Speckle form knows; every other key is shown and sent back untouched.
SPECKLE_FORM_KEYS = ("referencePoint", "viewName")
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


def _changed_keys(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [k for k in after if k not in before or not json_equal(before[k], after[k])]


def local_issues(
    vendor: str,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    accepted_casts: Iterable[str] = (),
) -> list[ValidationIssue]:
    """What the vendor's adapter would refuse in this edit, worded by the domain validators.

    Only what the edit touches is checked (as the adapters do): a sync already holding a value
    our validators do not know can still be edited elsewhere. The editor also refuses a new
    Signalsmith type cast that is neither documented nor in use (`accepted_casts`, see
    `domain.undocumented`).
    """
    if vendor == "speckle":
        return _speckle_issues(before, after)
    if vendor == "signalsmith":
        body = {k: after[k] for k in _changed_keys(before, after)}
        issues = validate_signalsmith_sync(body, creating=False)
        if "field_mapping" in body:
            issues += type_cast_issues(before, after, accepted_casts)
        return issues
    if vendor == "polytomic":
        already = {(i.path, i.message) for i in validate_polytomic_sync(before)}
        return [i for i in validate_polytomic_sync(after) if (i.path, i.message) not in already]
    if vendor == "paragon":
        body = {k: after[k] for k in _changed_keys(before, after)}
        return validate_paragon_patch(body) if body else []
    return []


def _speckle_issues(before: dict[str, Any], after: dict[str, Any]) -> list[ValidationIssue]:
    issues: list[ValidationIssue] = []
    if not isinstance(after.get("active"), bool):
        issues.append(ValidationIssue("active", "active must be true or false"))
    for key in after:
        if key not in ("active", "context"):
            issues.append(
                ValidationIssue(key, f"{key} cannot be edited: only active and context can")
            )
    context = after.get("context")
    if context is None:
        issues.append(ValidationIssue("context", "context cannot be removed"))
        return issues
    old = before.get("context") or {}
    for issue in validate_speckle_context(context):
        key = issue.path.split(".", 1)[0].split("[", 1)[0]
        untouched = (
            key
            and isinstance(context, dict)
            and key in context
            and key in old
            and json_equal(context[key], old[key])
        )
        if not untouched:
            path = f"context.{issue.path}" if issue.path else "context"
            issues.append(ValidationIssue(path, issue.message))
    return issues
