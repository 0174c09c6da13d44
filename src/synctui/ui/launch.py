"""Opening the TUI from the command line: environment first, then Textual.

Nothing here imports Textual at module level: the frame-rate choice for SSH has to be in
the environment before Textual reads it at import time.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import MutableMapping

from synctui.ui.collector import tune_collector

SSH_FPS = "15"
DEFAULT_REFRESH_SECONDS = 30.0
REFRESH_ENV = "SYNCTUI_REFRESH"


def tune_for_ssh(environ: MutableMapping[str, str]) -> bool:
    """Over SSH, fewer frames per second: a burst of updates costs far fewer bytes.

    Only when the user has not chosen a rate themselves. Returns True when it changed it.
    """
    if environ.get("SSH_CONNECTION") and "TEXTUAL_FPS" not in environ:
        environ["TEXTUAL_FPS"] = SSH_FPS
        return True
    return False


def refresh_seconds(args: argparse.Namespace, environ: MutableMapping[str, str]) -> float:
    """Auto-refresh interval: --refresh flag if the CLI has one, else SYNCTUI_REFRESH, else
    the `[tui] refresh_seconds` setting, else 30 s. 0 turns it off."""
    for raw in (getattr(args, "refresh", None), environ.get(REFRESH_ENV), _setting()):
        if raw is None or raw == "":
            continue
        try:
            return max(0.0, float(raw))
        except (TypeError, ValueError):
            sys.stderr.write(f"synctui: ignoring refresh interval {raw!r} (not a number)\n")
    return DEFAULT_REFRESH_SECONDS


def _setting() -> object:
    try:
        import tomllib

        from synctui.store.paths import settings_file

        with open(settings_file(), "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, ValueError):
        return None
    tui = data.get("tui", {})
    return tui.get("refresh_seconds") if isinstance(tui, dict) else None


def unknown_account(name: str | None, known: list[str]) -> str | None:
    """The one-line refusal for `--account NAME` when no such account exists, else None."""
    if name is None or name in known:
        return None
    if not known:
        return f"there is no account named {name!r} (no accounts are configured yet)"
    return f"there is no account named {name!r}; accounts: {', '.join(known)}"


def launch(args: argparse.Namespace) -> int:
    # The app's collector settings, before the imports rather than when the app is built:
    # with the default ones, importing Textual and the app runs a few hundred collections.
    tune_collector()
    from synctui.ui.served import served_from
    from synctui.ui.terminal import terminal_problem

    # In a browser tab (`synctui serve`) the app speaks to the server over pipes, not a
    # terminal: the server owns its lifetime, so neither the check nor the watch applies.
    served = served_from(os.environ)
    problem = None if served else terminal_problem()
    if problem is not None:
        sys.stderr.write(f"synctui: error: {problem}\n")
        return 2
    tune_for_ssh(os.environ)
    from synctui.domain.errors import ConfigError
    from synctui.settings import load_settings

    try:
        settings = load_settings()
    except ConfigError as exc:
        sys.stderr.write(f"synctui: error: {exc}\n")
        return 2
    interval = refresh_seconds(args, os.environ)

    from synctui.domain import errors
    from synctui.services.opening import open_session
    from synctui.store.accounts import AccountError

    demo_names: frozenset[str] = frozenset()
    readonly = bool(getattr(args, "readonly", False))
    if getattr(args, "demo", False):
        from synctui.services.demo import SHARED_DEMO_ENV, SharedDemoError, attach_demo, begin_demo

        shared = os.environ.pop(SHARED_DEMO_ENV, None)  # set by `synctui serve --demo`
        try:
            # Our own sandbox starts once the first frame is up (the app asks): the demo
            # accounts are painted at once and fill in as the sandbox answers.
            started = attach_demo(shared) if shared else begin_demo()
            opened = open_session(demo=started, readonly=readonly, network=settings)
        except SharedDemoError as exc:
            sys.stderr.write(f"synctui: error: {exc}\n")
            return 1
        except Exception as exc:
            sys.stderr.write(f"synctui: error: the demo sandbox could not start: {exc}\n")
            return 1
    else:
        try:
            opened = open_session(readonly=readonly, network=settings)
        except AccountError as exc:
            sys.stderr.write(f"synctui: error: {exc}\n")
            return 2
    session, demo = opened.session, opened.demo
    refused = unknown_account(getattr(args, "account", None), [a.name for a in session.accounts])
    if refused is not None:
        opened.close()
        sys.stderr.write(f"synctui: error: {refused}\n")
        return 2
    if demo is not None:
        demo_names = frozenset(a.name for a in demo.accounts)

    from synctui.ui.app import SyncTuiApp

    app = SyncTuiApp(
        session,
        demo=demo,
        demo_names=demo_names,
        initial_account=getattr(args, "account", None),
        open_attention=bool(getattr(args, "attention", False)),
        refresh_seconds=interval,
        theme_name=getattr(args, "theme", None),
        settings=settings,
        watch_terminal=not served,
    )
    app.served = served
    try:
        result = app.run()
    except errors.SyncTuiError as exc:
        sys.stderr.write(f"synctui: error: {exc}\n")
        return 1
    finally:
        started = app.demo
        if started is not None:
            started.stop()
    return int(result or 0)
