"""The app served to a browser (`synctui serve`): nothing on the server changes from a tab.

Whoever holds the secret URL drives an app that runs as the server's user. Vendor writes
are governed by read-only mode like anywhere else (`serve` is read-only unless
`--allow-writes`), but the server's own state — accounts, stored tokens, the default theme,
files chosen by path (feed export) — is never changed from a browser, whatever the flags:
a viewer must not be able to drop the operator's accounts or overwrite a file on the server.

No Textual import here: the launcher reads the flag before Textual starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

SERVED_ENV = "SYNCTUI_SERVED"  # set by `synctui serve` in the environment of each app process


@runtime_checkable
class Servable(Protocol):
    """An app `synctui serve` may put in a browser tab; an app without the attribute (the
    feed viewer's own) is never served."""

    served: bool


def served_from(environ: Mapping[str, str]) -> bool:
    return environ.get(SERVED_ENV) == "1"


def is_served(app: Any) -> bool:
    return isinstance(app, Servable) and app.served


def refuse_in_browser(app: Any, what: str) -> bool:
    """True (after saying why) when `app` is served to a browser and `what` would change the
    server's own state; the caller then does nothing."""
    if not is_served(app):
        return False
    app.notify(
        f"{what} is off in the browser: synctui serve never changes the server's accounts, "
        "tokens or files",
        severity="warning",
        timeout=6,
    )
    return True
