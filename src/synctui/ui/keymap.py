"""Your own keys: `[keymap]` in settings.toml, applied to Textual's keymap.

Every `Binding` in the TUI carries an id (`app.quit`, `main.edit`, `feed.follow`, …); the
keymap maps an id to the keys that replace its default ones, as Textual's `App.set_keymap`
takes it. A key given to one binding is taken from whatever binding had it on the same screen
(Textual's rule), so `"app.call-log" = "q"` leaves quit without a key unless it gets one too.

An id no binding has is most likely a typo: the app says so once it is running, rather than
refusing to start (a newer synctui's settings may name bindings this one does not have).
Finding every id means importing every screen, so it happens in a thread, and only when the
user has a keymap at all.

`python -m synctui.ui.keymap` lists every id with its default keys and what it does.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode

import synctui.ui as ui

HINT = "python -m synctui.ui.keymap lists them"


@dataclass(frozen=True)
class BindingInfo:
    """One binding id as shipped: where it lives, its default keys and what it does."""

    id: str
    keys: str
    description: str
    owner: str  # the screen or widget class that declares it


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _import_ui() -> None:
    """Import every module of the TUI, so that every screen's bindings are declared."""
    for module in pkgutil.walk_packages(ui.__path__, prefix="synctui.ui."):
        if module.name.rsplit(".", 1)[-1] == "__main__":
            continue  # entry points run on import
        try:
            importlib.import_module(module.name)
        except ImportError:  # an optional piece (e.g. a tool's dependency) is missing
            continue


def binding_ids() -> dict[str, BindingInfo]:
    """Every binding id of the TUI (the first declaration of an id wins)."""
    _import_ui()
    found: dict[str, BindingInfo] = {}
    classes = sorted(
        (c for c in set(_subclasses(DOMNode)) if c.__module__.startswith("synctui.")),
        key=lambda c: (c.__module__, c.__qualname__),
    )
    for cls in classes:
        for entry in cls.__dict__.get("BINDINGS", ()):
            binding = entry if isinstance(entry, Binding) else Binding(*entry)
            if binding.id and binding.id not in found:
                found[binding.id] = BindingInfo(
                    binding.id, binding.key, binding.description, cls.__qualname__
                )
    return found


def unknown_ids(keymap: Mapping[str, str]) -> list[str]:
    """The ids in `keymap` that no binding has."""
    known = binding_ids()
    return sorted(binding for binding in keymap if binding not in known)


def apply_keymap(app: App[Any], keymap: Mapping[str, str]) -> None:
    """Use `keymap` from now on; when it names an id no binding has, say so (from a thread)."""
    app.set_keymap(dict(keymap))
    if keymap:
        app.run_worker(
            lambda: _report_unknown(app, keymap),
            thread=True,
            exit_on_error=False,
            group="keymap",
        )


def _report_unknown(app: App[Any], keymap: Mapping[str, str]) -> None:
    unknown = unknown_ids(keymap)
    if unknown:
        names = ", ".join(unknown)
        noun = "binding has" if len(unknown) == 1 else "bindings have"
        app.call_from_thread(
            app.notify,
            f"settings.toml [keymap]: no {noun} the id {names} ({HINT})",
            title="Keymap",
            severity="warning",
            timeout=10,
        )


def main() -> int:
    """Print every binding id, its default keys and what it does."""
    rows = sorted(binding_ids().values(), key=lambda b: b.id)
    width = max(len(b.id) for b in rows)
    keys_width = max(len(b.keys) for b in rows)
    for row in rows:
        print(f"{row.id:<{width}}  {row.keys:<{keys_width}}  {row.description or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
