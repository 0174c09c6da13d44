"""Polytomic's own SDK (`polytomic` on PyPI) as a judge that no one here wrote.

Its generated models accept anything (`extra="allow"`, every enum `Literal[...] | Any`), so a
plain `model_validate` proves little. `undeclared` walks a JSON value against an SDK type and
lists every key the SDK does not declare, every value outside a declared enum and every value
of the wrong JSON type; `request_problems` checks a request body against the parameters of the
SDK method that sends it (`RawModelSyncClient.update`, `.create`, `.activate`, `.start`).
"""

from __future__ import annotations

import collections.abc
import datetime as dt
import inspect
import re
import types
import typing
from typing import Any

import pydantic
from polytomic.core.pydantic_utilities import parse_obj_as
from polytomic.model_sync.raw_client import RawModelSyncClient

_NONE = type(None)
_SKIP_PARAMETERS = {"self", "id", "idempotency_key", "request_options"}


def parse(model: Any, value: Any) -> Any:
    """Parse `value` the way the SDK parses an answer (its own `parse_obj_as`)."""
    return parse_obj_as(type_=model, object_=value)


def undeclared(annotation: Any, value: Any, path: str = "$") -> list[str]:
    """Every place where `value` steps outside what the SDK type `annotation` declares."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is Any:
        return []
    if origin is typing.Union or origin is types.UnionType:
        literals = [a for a in args if typing.get_origin(a) is typing.Literal]
        others = [a for a in args if a is not _NONE and typing.get_origin(a) is not typing.Literal]
        if value is None:
            return [] if _NONE in args else [f"{path}: null is not allowed"]
        if literals:
            allowed = [v for lit in literals for v in typing.get_args(lit)]
            if value in allowed:
                return []
            if others and all(o is Any for o in others):
                return [f"{path}: {value!r} is not one of {allowed}"]
        attempts = [undeclared(o, value, path) for o in others]
        if not attempts:
            return [f"{path}: {value!r} matches no declared type"]
        return min(attempts, key=len)
    if origin is typing.Literal:
        return [] if value in args else [f"{path}: {value!r} is not one of {list(args)}"]
    if origin in (list, collections.abc.Sequence):
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {type(value).__name__}"]
        return [
            p for i, item in enumerate(value) for p in undeclared(args[0], item, f"{path}[{i}]")
        ]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {type(value).__name__}"]
        return [p for k, v in value.items() for p in undeclared(args[1], v, f"{path}.{k}")]
    if inspect.isclass(annotation) and issubclass(annotation, pydantic.BaseModel):
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {type(value).__name__}"]
        found: list[str] = []
        fields = annotation.model_fields
        by_alias = {(f.alias or name): f for name, f in fields.items()}
        for key, item in value.items():
            field = by_alias.get(key)
            if field is None:
                found.append(f"{path}.{key}: not declared by {annotation.__name__}")
                continue
            found.extend(undeclared(field.annotation, item, f"{path}.{key}"))
        for name, field in by_alias.items():
            if field.is_required() and name not in value:
                found.append(f"{path}.{name}: required by {annotation.__name__}, missing")
        return found
    if annotation is bool:
        return [] if isinstance(value, bool) else [f"{path}: expected a boolean, got {value!r}"]
    if annotation is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected an integer, got {value!r}"]
    if annotation is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected a number, got {value!r}"]
    if annotation is str:
        return [] if isinstance(value, str) else [f"{path}: expected a string, got {value!r}"]
    if annotation is dt.datetime:
        if isinstance(value, str):
            try:
                dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
                return []
            except ValueError:
                pass
        return [f"{path}: expected an ISO 8601 timestamp, got {value!r}"]
    return [f"{path}: the oracle cannot check {annotation!r}"]


def allowed(found: list[str], *patterns: str) -> list[str]:
    """`found` without the entries matching one of `patterns` (regular expressions on the
    path), each an extra the simulator keeps on purpose and the test names."""
    return [f for f in found if not any(re.match(p, f) for p in patterns)]


def request_problems(method: str, body: Any, read: dict[str, Any] | None = None) -> list[str]:
    """What is wrong with `body` as the JSON of `RawModelSyncClient.<method>`: a required
    parameter missing, a key the method has no parameter for, a key a parameter's type does
    not declare, or a value its annotation refuses.

    `read` is the vendor's own document the body was built from: a key the SDK does not
    declare passes if it is there at the same path in `read` (a field the vendor reported and
    a full replacement must send back), unless the SDK knows it as response-only."""
    if not isinstance(body, dict):
        return [f"{method}: the body is not an object"]
    signature = inspect.signature(getattr(RawModelSyncClient, method))
    hints = typing.get_type_hints(getattr(RawModelSyncClient, method))
    parameters = {k: p for k, p in signature.parameters.items() if k not in _SKIP_PARAMETERS}
    found: list[str] = []
    for name, parameter in parameters.items():
        if parameter.default is inspect.Parameter.empty and name not in body:
            found.append(f"{method}: required parameter {name} is missing")
    reported = response_only_fields()
    for key, value in body.items():
        if key in parameters:
            found.extend(undeclared(hints[key], value, f"$.{key}"))
        elif key in reported or read is None or key not in read:
            found.append(f"{method}: no parameter {key}")
    return [f for f in found if not _round_trip(f, read)]


def _round_trip(problem: str, read: dict[str, Any] | None) -> bool:
    """Is `problem` an undeclared key that `read` holds at the same path?"""
    match = re.match(r"^\$((?:\.[^.\[:]+|\[\d+\])+): not declared by ", problem)
    if read is None or match is None:
        return False
    value: Any = read
    for part in re.findall(r"\.([^.\[]+)|\[(\d+)\]", match.group(1)):
        key, index = part
        if key:
            if not isinstance(value, dict) or key not in value:
                return False
            value = value[key]
        else:
            if not isinstance(value, list) or int(index) >= len(value):
                return False
            value = value[int(index)]
    return True


def response_only_fields() -> frozenset[str]:
    """Fields of a full sync (`ModelSyncV5Response`) that `update` takes no body parameter
    for (its `id` is the path): what the vendor reports but does not take."""
    from polytomic.types.model_sync_v5response import ModelSyncV5Response

    accepted = set(inspect.signature(RawModelSyncClient.update).parameters) - _SKIP_PARAMETERS
    return frozenset(set(ModelSyncV5Response.model_fields) - accepted)
