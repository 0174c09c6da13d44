"""`synctui serve`: the TUI in a browser, for presenters and support.

Only argparse at import time: aiohttp, textual-serve and the sandbox are imported when the
command runs, so every other command starts as fast as before.

With `--demo` the server starts the built-in sandbox once (as `synctui --demo` does) and
every browser tab's app attaches to it: one live feed, one set of syncs, one journal for
every tab, so two people watching see the same changes; a tab opens without waiting for a
sandbox of its own.
"""

from __future__ import annotations

import argparse
import sys

from synctui.commands.common import fail

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(serve: argparse.ArgumentParser) -> None:
    """Fill `synctui serve` (its parser is made, with its one-line help, by the CLI)."""
    serve.description = (
        "Serve synctui to web browsers: one app per tab, behind a secret address "
        "printed on start. Global options (--theme, --account, --refresh) apply to every tab."
    )
    serve.add_argument(
        "--host",
        default=None,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only; "
        "anything else prints a warning)",
    )
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}; 0 picks a free one"
    )
    serve.add_argument(
        "--demo",
        dest="serve_demo",
        action="store_true",
        help="serve the built-in sandbox and its demo accounts (as `synctui --demo`)",
    )
    serve.add_argument(
        "--readonly",
        dest="serve_readonly",
        action="store_true",
        help="refuse every write (the default; kept for scripts that say so)",
    )
    serve.add_argument(
        "--allow-writes",
        action="store_true",
        help="let browser users edit, pause, run and delete syncs",
    )
    serve.set_defaults(handler=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    demo_wanted = bool(args.demo or args.serve_demo)
    if args.allow_writes and (args.readonly or args.serve_readonly):
        return fail("--allow-writes and --readonly contradict each other", 2)
    if not 0 <= args.port <= 65535:
        return fail(f"--port {args.port} is not a port (0–65535)", 2)
    readonly = not args.allow_writes
    host = args.host if args.host is not None else DEFAULT_HOST

    from synctui.web.server import ServeConfig, app_command, is_loopback, serve

    if not is_loopback(host):
        sys.stderr.write(
            f"synctui: warning: serving on {host}, not only on this machine: anyone who can "
            "reach this port and learns the address can use synctui as you "
            "(plain HTTP: use it only on a network you trust)\n"
        )
    flags = ["--readonly"] if readonly else []
    for option in ("theme", "account", "refresh"):
        value = getattr(args, option, None)
        if value is not None:
            flags += [f"--{option}", str(value)]
    from synctui.ui.served import SERVED_ENV

    env = {SERVED_ENV: "1"}
    demo = None
    try:
        if demo_wanted:
            from synctui.services.demo import SHARED_DEMO_ENV, start_demo

            try:
                demo = start_demo()
            except Exception as exc:
                return fail(f"the demo sandbox could not start: {exc}")
            env[SHARED_DEMO_ENV] = demo.shared()
            flags.insert(0, "--demo")
        what = "the demo sandbox" if demo_wanted else "your accounts"
        mode = "read-only" if readonly else "WRITES ALLOWED"
        config = ServeConfig(
            host=host,
            port=args.port,
            command=app_command(flags),
            env=env,
            banner_note=f"{what} · {mode}",
        )
        serve(config)
    except OSError as exc:
        return fail(f"cannot listen on {host}:{args.port}: {exc.strerror or exc}")
    except KeyboardInterrupt:  # before the server took over Ctrl+C
        sys.stderr.write("synctui: interrupted\n")
        return 130
    finally:
        if demo is not None:
            demo.stop()
    return 0
