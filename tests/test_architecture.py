"""The house plan, checked where import-linter and mypy cannot: no `Any` in public signatures.

`make lint` type-checks domain/, vendors/, services/ and store/; a bare `Any` switches that
check off for whatever passes through it. So the public functions, methods and fields of the
layers below the faces (domain/, services/, store/) must say what they take and give:
`object` for "anything, checked here", a model or a protocol for a collaborator. `Any` as a
type argument stays allowed (`dict[str, Any]` is a JSON object as a vendor sent it: still
checked to be a dict with string keys, its values checked where they are read).

`KNOWN` lists the exceptions that exist today, each with its reason. It only shrinks: an
entry that no longer has an `Any` fails the test until it is removed.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import types
import typing
from collections.abc import Callable, Iterator

PACKAGES = ("synctui.domain", "synctui.services", "synctui.store")

KNOWN: dict[str, str] = {
    # The triage scan and remedies take the session untyped; a `Session` (imported for
    # type checking only) will do once the per-vendor rules leave triage.
    "synctui.services.triage.remedies.run_remedy(session)": "session untyped",
    "synctui.services.triage.remedies.apply_remedy(session)": "session untyped",
    "synctui.services.triage.scanning.scannable(session)": "session untyped",
    "synctui.services.triage.scanning.scan_account(session)": "session untyped",
    "synctui.services.triage.scanning.plan_scan(session)": "session untyped",
    "synctui.services.triage.scanning.scan(session)": "session untyped",
}


def _bare_any_text(annotation: str) -> bool:
    """Is `Any` the annotation, or one member of its union (`Any | None`, `Optional[Any]`)?"""
    try:
        node = ast.parse(annotation, mode="eval").body
    except SyntaxError:
        return False
    return _bare_any_node(node)


def _bare_any_node(node: ast.expr) -> bool:
    if isinstance(node, ast.Name | ast.Attribute):
        return (node.id if isinstance(node, ast.Name) else node.attr) == "Any"
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _bare_any_text(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _bare_any_node(node.left) or _bare_any_node(node.right)
    if isinstance(node, ast.Subscript) and getattr(node.value, "id", None) in ("Optional", "Union"):
        inner = node.slice
        members = inner.elts if isinstance(inner, ast.Tuple) else [inner]
        return any(_bare_any_node(member) for member in members)
    return False


def bare_any(annotation: object) -> bool:
    """Whether an annotation (a string under `from __future__ import annotations`, or a
    typing object) is `Any`, or a union that has `Any` in it."""
    if isinstance(annotation, str):
        return _bare_any_text(annotation)
    if annotation is typing.Any:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(bare_any(arg) for arg in typing.get_args(annotation))
    return False


def _modules() -> Iterator[types.ModuleType]:
    for name in PACKAGES:
        package = importlib.import_module(name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            if info.name.rsplit(".", 1)[-1] != "__main__":
                yield importlib.import_module(info.name)


def _public_callables(module: types.ModuleType) -> Iterator[tuple[str, Callable[..., object]]]:
    """Functions, and the methods and properties of classes, defined in `module` itself."""
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj):
            yield f"{module.__name__}.{name}", obj
        elif inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_") and attr != "__init__":
                    continue
                if isinstance(member, property):
                    member = member.fget
                member = getattr(member, "__func__", member)  # staticmethod, classmethod
                if inspect.isfunction(member):
                    yield f"{module.__name__}.{name}.{attr}", member


def _public_fields(module: types.ModuleType) -> Iterator[tuple[str, str, object]]:
    """Annotated public class attributes (dataclass and model fields) defined in `module`."""
    for name, obj in vars(module).items():
        if name.startswith("_") or not inspect.isclass(obj):
            continue
        if obj.__module__ != module.__name__:
            continue
        for field, annotation in inspect.get_annotations(obj).items():
            if not field.startswith("_"):
                yield f"{module.__name__}.{name}", field, annotation


def any_in_public_signatures() -> set[str]:
    found: set[str] = set()
    for module in _modules():
        for qualname, function in _public_callables(module):
            for part, annotation in inspect.get_annotations(function).items():
                if not part.startswith("_") and bare_any(annotation):
                    found.add(f"{qualname}({part})")
        for qualname, field, annotation in _public_fields(module):
            if bare_any(annotation):
                found.add(f"{qualname}.{field}")
    return found


def test_no_new_any_in_public_signatures() -> None:
    new = sorted(any_in_public_signatures() - set(KNOWN))
    assert not new, (
        "Any in a public signature of domain/, services/ or store/; say what it takes "
        "(object, a model, a protocol):\n  " + "\n  ".join(new)
    )


def test_the_list_of_exceptions_only_shrinks() -> None:
    gone = sorted(set(KNOWN) - any_in_public_signatures())
    assert not gone, "no longer an exception, remove from KNOWN:\n  " + "\n  ".join(gone)


def test_the_check_sees_what_it_looks_for() -> None:
    """The detector itself: bare Any and unions with it count, Any as a type argument not."""
    for text in ("Any", "Any | None", "None | typing.Any", "Optional[Any]", "Union[int, Any]"):
        assert bare_any(text), text
    for text in ("dict[str, Any]", "list[Any]", "Callable[..., Any]", "object", "Sync | None"):
        assert not bare_any(text), text
    assert bare_any(typing.Any) and bare_any(typing.Optional[typing.Any])  # noqa: UP045
    assert not bare_any(dict[str, typing.Any])
