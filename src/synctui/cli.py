"""Command line entry point.

argparse only, and every heavy import (Textual, httpx, gql, keyring) happens inside the command
that needs it: `synctui --version` and the headless commands must start almost instantly, and
commands that do not open the TUI never import Textual (a test checks this in a subprocess).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from synctui import __version__

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CONFLICT = 3
EXIT_ATTENTION = 4


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one clear line instead of a usage dump on bad input.

    The line names the command that was being parsed, so the hint points at the help that
    lists its options: `synctui: error: argument --where: expected one argument (try
    'synctui syncs list --help')`. Unknown arguments are only found once the whole command
    line is parsed, by the top-level parser; the deepest command reached is remembered in
    the namespace so that their message, too, points at that command's help.
    """

    _PROG_KEY = "_synctui_command"

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        self.fail_usage(message, self.prog)

    @staticmethod
    def fail_usage(message: str, prog: str) -> NoReturn:
        text = " ".join(message.split())  # argparse messages may wrap
        sys.stderr.write(f"synctui: error: {text} (try '{prog} --help')\n")
        raise SystemExit(EXIT_USAGE)

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[no-untyped-def,override]
        parsed, extras = super().parse_known_args(args, namespace)
        # A subcommand's parser finishes first, so the deepest command sets it.
        if not hasattr(parsed, self._PROG_KEY):
            setattr(parsed, self._PROG_KEY, self.prog)
        return parsed, extras

    def parse_args(self, args=None, namespace=None):  # type: ignore[no-untyped-def,override]
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            prog = getattr(parsed, self._PROG_KEY, self.prog)
            self.fail_usage(f"unrecognized arguments: {' '.join(extras)}", prog)
        return parsed


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="synctui",
        description="Browse, edit and watch data syncs across Speckle, LetsBuild, Polytomic, "
        "Signalsmith and Paragon. Run without a command to open the TUI.",
    )
    parser.add_argument("--version", action="version", version=f"synctui {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the built-in sandbox and demo accounts (TUI or any command)",
    )
    parser.add_argument("--account", metavar="NAME", help="select this account on start")
    parser.add_argument("--readonly", action="store_true", help="refuse every write (lock shown)")
    parser.add_argument("--theme", metavar="NAME", help="colour theme for this run")
    parser.add_argument(
        "--refresh",
        type=float,
        metavar="SECONDS",
        help="TUI: auto-refresh the sync tables every SECONDS (0 = off; default 30)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    sb = sub.add_parser("sandbox", help="serve simulators of all five vendor APIs on loopback")
    sb.add_argument("--host", default="127.0.0.1")
    sb.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    sb.add_argument("--seed", type=int, default=7)
    sb.add_argument("--scale", type=int, default=1, help="multiply the seeded sync counts")
    sb.add_argument(
        "--faults", default="", metavar="SPEC", help="e.g. 500=0.1,429=0.05,latency=50ms"
    )
    sb.add_argument("--changes-per-second", type=float, default=4.0, metavar="R")
    sb.add_argument("--frozen-clock", action="store_true", help="freeze time (screenshots)")
    sb.add_argument("--json", action="store_true", help="print the connection details as JSON")
    sb.set_defaults(handler=_cmd_sandbox)

    from synctui.commands import accounts, doctor, feed, journal, serve, syncs

    accounts.register(sub)
    syncs.register(sub)
    feed.register(sub)
    journal.register(sub)
    doctor.register(sub)
    serve.register(sub)
    return parser


def _cmd_sandbox(args: argparse.Namespace) -> int:
    from synctui.sandbox.core import SandboxConfig
    from synctui.sandbox.faults import FaultSpec, FaultSpecError

    try:
        faults = FaultSpec.parse(args.faults)
    except FaultSpecError as exc:
        sys.stderr.write(f"synctui: error: --faults: {exc}\n")
        return EXIT_USAGE
    if args.scale < 1 or args.changes_per_second < 0:
        sys.stderr.write("synctui: error: --scale must be ≥ 1 and --changes-per-second ≥ 0\n")
        return EXIT_USAGE
    from synctui.sandbox.server import Sandbox

    config = SandboxConfig(
        host=args.host,
        port=args.port,
        seed=args.seed,
        scale=args.scale,
        faults=faults,
        changes_per_second=args.changes_per_second,
        frozen=args.frozen_clock,
    )
    try:
        Sandbox(config).serve_forever(as_json=args.json)
    except OSError as exc:
        sys.stderr.write(
            f"synctui: error: cannot listen on {args.host}:{args.port}: {exc.strerror}\n"
        )
        return EXIT_FAILED
    return EXIT_OK


def tolerant_output(stream: object) -> None:
    """Print what cannot be encoded as an escape instead of dying halfway through a listing.

    Vendor JSON may carry lone surrogates (`"\\ud83d"`, a name cut in the middle of an emoji
    by a JavaScript backend), and so may arguments from a shell: on a UTF-8 stdout those raise
    UnicodeEncodeError. Python already escapes them on stderr; this does the same on stdout.
    """
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        with contextlib.suppress(ValueError, OSError):  # detached, or not a text stream
            reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    tolerant_output(sys.stdout)
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is not None:
        return handler(args)
    from synctui.ui.launch import launch

    return launch(args)


if __name__ == "__main__":
    raise SystemExit(main())
