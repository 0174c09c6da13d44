"""Read-only mode: write keys stay hidden, and pressing one says why nothing happens.

The screens switch their write bindings off in read-only mode (`check_action` answers False),
which keeps them out of the footer, the help and the palette. Textual then offers the key to
the next namespace up, and finally to the app, whose hidden bindings below catch it: when a
screen in front binds that key to an action it refuses, the app says "read-only mode" instead
of silence — someone watching in a browser tab cannot tell a refused key from a lost one.
A key no screen in front binds stays silent, as any unbound key.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

REFUSED_ACTION = "refused_write"
MESSAGE = "read-only mode: writes are refused"

# Every key a screen binds to a write: edit, batch edit, new, run now, pause/resume, migrate,
# delete, journal revert, attention fix. (Enter on the attention list is a selection the
# list itself takes; its screen says so through `say_refused`.)
WRITE_KEYS = ("e", "E", "n", "t", "p", "m", "ctrl+d", "u", "f")

# No description: never listed by the help or the palette; show=False: not in the footer.
BINDINGS = [Binding(key, f"{REFUSED_ACTION}({key!r})", "", show=False) for key in WRITE_KEYS]


def refused_here(app: Any, key: str) -> bool:
    """Does a screen (or widget) in front of the app bind `key` to an action it refuses?"""
    return _refused_binding(app, key) is not None


def refused_description(app: Any, key: str) -> str:
    """What the refused key would have done (its binding's description), for the message."""
    binding = _refused_binding(app, key)
    return binding.description if binding is not None else ""


def _refused_binding(app: Any, key: str) -> Binding | None:
    """The binding of `key`, in front of the app, whose action is refused right now."""
    for namespace, bindings in app.screen._modal_binding_chain:
        if namespace is app:
            continue
        for binding in bindings.key_to_bindings.get(key, ()):
            if binding.action.startswith(REFUSED_ACTION):
                continue
            if app._check_action_state(binding.action, namespace) is False:
                return binding
    return None


def say_refused(app: Any, what: str) -> None:
    """The read-only toast for `what`, unless the same one is still on screen (a key held or
    pressed again)."""
    text = f"{MESSAGE} ({what})" if what else MESSAGE
    if any(n.message == text for n in app._notifications):
        return
    app.notify(text, severity="warning", timeout=4)
