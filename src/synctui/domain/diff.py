"""What an edit changes, for the preview shown before anything is sent to a vendor.

Two views of the same change: :func:`changed_paths` lists the leaves that differ (for a
one-line summary and per-field highlighting) and :func:`unified_json_diff` gives the familiar
``+``/``-`` lines over pretty-printed JSON (for the full preview pane).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from synctui.domain.merge_patch import json_equal

__all__ = [
    "ChangeKind",
    "FieldChange",
    "PathPart",
    "changed_paths",
    "format_path",
    "summarize",
    "unified_json_diff",
]

PathPart = str | int
ChangeKind = Literal["added", "removed", "changed"]

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
ROOT_LABEL = "(whole document)"


def format_path(path: Sequence[PathPart]) -> str:
    """Render a path the way a user would write it: ``fields[2].target``, ``context.viewName``.

    Keys that are not plain identifiers (``"a.b"``, ``""``) are quoted in brackets so that the
    rendering stays unambiguous. The empty path is the document itself.
    """
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _PLAIN_KEY.match(part):
            out.append(f".{part}" if out else part)
        else:
            out.append(f"[{json.dumps(part, ensure_ascii=False)}]")
    return "".join(out) or ROOT_LABEL


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One leaf that differs between two documents.

    ``before`` is ``None`` for an added value and ``after`` is ``None`` for a removed one; use
    ``kind`` to tell those apart from a real JSON ``null``.
    """

    path: tuple[PathPart, ...]
    before: object
    after: object
    kind: ChangeKind

    @property
    def path_str(self) -> str:
        return format_path(self.path)


def changed_paths(before: object, after: object) -> list[FieldChange]:
    """List every leaf that differs, in document order (``before``'s keys, then new keys).

    Objects are compared key by key and arrays index by index, so editing one mapping row shows
    up as ``fields[1].target`` rather than "fields changed". A value whose type changes (an
    object becoming a string, say) is reported as a single change at that path.
    """
    return list(_walk((), before, after))


def _walk(path: tuple[PathPart, ...], before: object, after: object) -> Iterator[FieldChange]:
    if isinstance(before, dict) and isinstance(after, dict):
        for key, old in before.items():
            if key in after:
                yield from _walk((*path, key), old, after[key])
            else:
                yield FieldChange((*path, key), old, None, "removed")
        for key, new in after.items():
            if key not in before:
                yield FieldChange((*path, key), None, new, "added")
    elif isinstance(before, list) and isinstance(after, list):
        for index, (old, new) in enumerate(zip(before, after, strict=False)):
            yield from _walk((*path, index), old, new)
        for index in range(len(after), len(before)):
            yield FieldChange((*path, index), before[index], None, "removed")
        for index in range(len(before), len(after)):
            yield FieldChange((*path, index), None, after[index], "added")
    elif not json_equal(before, after):
        yield FieldChange(path, before, after, "changed")


def unified_json_diff(before: object, after: object, context: int = 3) -> list[str]:
    """Unified-diff lines between two documents rendered as indented, key-sorted JSON.

    Sorting keys makes the diff about values, not about the order a vendor happened to return
    keys in. The ``---``/``+++`` file header is dropped (there are no files); ``@@`` hunk
    headers are kept because they separate distant changes. Equal documents give ``[]``.
    """
    lines = list(difflib.unified_diff(_pretty(before), _pretty(after), n=context, lineterm=""))
    return lines[2:]  # difflib emits the two header lines first, and only when there is a diff


def _pretty(value: object) -> list[str]:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).splitlines()


def summarize(changes: Sequence[FieldChange], *, limit: int = 6) -> str:
    """One line for a status bar: ``"2 fields changed: schedule, fields[1].target"``.

    At most ``limit`` paths are named; the rest are counted, so a bulk edit does not produce a
    line wider than the screen.
    """
    if not changes:
        return "no changes"
    noun = "field" if len(changes) == 1 else "fields"
    names = [change.path_str for change in changes[:limit]]
    hidden = len(changes) - len(names)
    if hidden:
        names.append(f"and {hidden} more")
    return f"{len(changes)} {noun} changed: {', '.join(names)}"
