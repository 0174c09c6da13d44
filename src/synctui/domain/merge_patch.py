"""RFC 7386 JSON Merge Patch: apply a patch, and compute the minimal patch between two documents.

Speckle's ``context`` and Signalsmith's partial ``PUT`` both behave like merge patches, and the
edit screen needs to show (and send) only what the user changed. Keeping the algebra here, free
of I/O, lets it be property-tested on its own.

One limitation is inherent to RFC 7386 and worth knowing before relying on round trips: a
``null`` member in a patch means "remove this key", so a merge patch cannot *set* a key to
``null``. :func:`create_merge_patch` therefore treats a ``null`` object member in ``after`` as
"absent". ``null`` inside arrays is fine, because arrays are always replaced whole.
"""

from __future__ import annotations

from typing import Any, overload

__all__ = [
    "MergePatchError",
    "apply_merge_patch",
    "create_merge_patch",
    "json_equal",
    "json_type_name",
    "require_object_patch",
]


class MergePatchError(ValueError):
    """A patch (or a document) does not have the shape the caller requires."""


@overload
def apply_merge_patch(target: object, patch: dict[str, Any]) -> dict[str, Any]: ...
@overload
def apply_merge_patch(target: object, patch: object) -> object: ...


def apply_merge_patch(target: object, patch: object) -> object:
    """Return ``target`` with ``patch`` applied as described in RFC 7386, section 2.

    Neither argument is modified and the result shares no mutable structure with them, so the
    caller can keep the original document for an undo or a diff preview. An object patch
    always gives an object; any other patch replaces the document.
    """
    return _merge_into(_deepcopy(target), patch)


def _merge_into(target: Any, patch: Any) -> Any:
    """Merge ``patch`` into ``target``, which the caller owns and may be mutated."""
    if not isinstance(patch, dict):
        # A non-object patch replaces the target outright, arrays included.
        return _deepcopy(patch)
    if not isinstance(target, dict):
        target = {}
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = _merge_into(target.get(key), value)
    return target


def create_merge_patch(before: object, after: dict[str, Any]) -> dict[str, Any]:
    """Return the smallest merge patch that turns ``before`` into ``after``.

    ``apply_merge_patch(before, create_merge_patch(before, after)) == after`` holds whenever
    ``after`` has no ``null`` object members. A ``null`` member is read as "remove the key" (see
    the module docstring), except where ``before`` already holds ``null`` at that spot: nothing
    changed there, so nothing is sent and the ``null`` survives. Arrays are compared as a whole
    and, when different, sent whole.

    ``after`` must be a JSON object: a merge patch for a non-object document is simply the new
    document, which is not a *patch* any vendor adapter wants to send. A non-object ``before``
    is treated as ``{}``, which is exactly how RFC 7386 applies an object patch to it.

    Raises:
        MergePatchError: ``after`` is not a JSON object.
    """
    if not isinstance(after, dict):
        raise MergePatchError(
            f"a merge patch can only be computed towards a JSON object, not {json_type_name(after)}"
        )
    return _diff_objects(before if isinstance(before, dict) else {}, after)


def _diff_objects(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    for key, old in before.items():
        if key not in after or (after[key] is None and old is not None):
            patch[key] = None
    for key, new in after.items():
        if new is None:
            continue  # removed above, already null, or already absent
        if key in before and json_equal(before[key], new):
            continue
        old = before.get(key)
        if isinstance(old, dict) and isinstance(new, dict):
            nested = _diff_objects(old, new)
            if nested:  # empty when the only difference is null-vs-missing members
                patch[key] = nested
        else:
            patch[key] = _without_null_members(new)
    return patch


def _without_null_members(value: Any) -> Any:
    """Deep copy of ``value`` with ``null`` object members dropped (they would mean "remove")."""
    if isinstance(value, dict):
        return {k: _without_null_members(v) for k, v in value.items() if v is not None}
    return _deepcopy(value)


def require_object_patch(patch: object) -> dict[str, Any]:
    """Return ``patch`` if it is a JSON object with string keys, else raise.

    RFC 7386 lets a non-object patch replace the whole document. For a vendor write that is
    almost always a mistake (a stray ``[]`` or ``"x"`` would wipe the sync), so callers that
    expect a field-level change check with this first.

    Raises:
        MergePatchError: the patch is not an object, or has a non-string key.
    """
    if not isinstance(patch, dict):
        raise MergePatchError(
            f"the patch must be a JSON object at the top level, not {json_type_name(patch)}"
        )
    for key in patch:
        if not isinstance(key, str):
            raise MergePatchError(f"patch keys must be strings, not {key!r}")
    return patch


def json_equal(a: object, b: object) -> bool:
    """Equality as JSON sees it.

    Python's ``==`` says ``True == 1`` and ``{"a": 1} == {"a": True}``, but those are different
    JSON documents and a vendor will treat them differently. Numbers compare by value
    (``1 == 1.0``) because JSON has a single number type.
    """
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if isinstance(a, dict):
        return (
            isinstance(b, dict) and a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
        )
    if isinstance(a, list):
        return (
            isinstance(b, list)
            and len(a) == len(b)
            and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(b, dict | list):
        return False
    return bool(a == b)


def json_type_name(value: object) -> str:
    """The JSON name of a value's type, for error messages a user can act on."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _deepcopy(value: Any) -> Any:
    """`copy.deepcopy`, imported when first needed: the vendors' rules compare JSON with this
    module while the CLI builds its parser, and `copy` (with `weakref`) is not needed there."""
    import copy

    return copy.deepcopy(value)
