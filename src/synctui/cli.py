"""Command line entry point.

argparse only, and every heavy import (Textual, httpx, gql, keyring) happens inside the command
that needs it: `synctui --version` and the headless commands must start almost instantly, and
commands that do not open the TUI never import Textual (a test checks this in a subprocess).

For the same reason a command's module is imported, and its options built, only when that
command is named on the command line (`COMMANDS` holds what the top-level help lists);
`build_parser()` still builds every command, for whatever inspects the whole tree.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys

from synctui import __version__
from synctui.commands.lazy_parsers import LazySubparsers

TYPE_CHECKING = False  # typing costs more to import than argparse's own start-up
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import NoReturn

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CONFLICT = 3
EXIT_ATTENTION = 4

# Every command: where the function that fills its parser is ("module:function"; the
# function takes the command's own parser), and the command's one-line help.
COMMANDS: dict[str, tuple[str, str]] = {
    "sandbox": (
        "synctui.cli:register_sandbox",
        "serve simulators of all five vendor APIs on loopback",
    ),
    "accounts": ("synctui.commands.accounts:register", "add, list, test and remove accounts"),
    "syncs": ("synctui.commands.syncs:register", "list, show and change syncs"),
    "feed": ("synctui.commands.feed:register", "tail and reset a vendor's change feed"),
    "journal": (
        "synctui.commands.journal:register",
        "every write synctui made: list (newest first), show, revert",
    ),
    "doctor": ("synctui.commands.doctor:register", "list paused, failing, legacy and stuck syncs"),
    "serve": (
        "synctui.commands.serve:register",
        "the TUI in a browser: secret address, loopback and read-only by default",
    ),
}


def _terminal_columns() -> int:
    """`shutil.get_terminal_size().columns` without importing shutil (and bz2, lzma...)."""
    with contextlib.suppress(ValueError):
        columns = int(os.environ.get("COLUMNS", "0"))
        if columns > 0:
            return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, sized to the terminal as argparse does, minus the shutil import
    (argparse builds one of these for every option it adds)."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = _terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


class _Version(argparse.Action):
    """`--version`: print and exit, without formatting help text (that imports textwrap)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object):
        super().__init__(
            option_strings,
            dest,
            nargs=0,
            default=argparse.SUPPRESS,
            help="show program's version number and exit",
        )

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[no-untyped-def]
        sys.stdout.write(f"synctui {__version__}\n")
        sys.stdout.flush()
        raise SystemExit(EXIT_OK)


class _Commands(LazySubparsers):
    """The COMMAND choice: a command's module is imported, and its parser made and filled,
    only once the command is named (or the whole tree asked for)."""

    def add_command(self, name: str, where: str, help: str) -> None:
        module, function = where.split(":")

        def fill(parser: argparse.ArgumentParser) -> None:
            getattr(importlib.import_module(module), function)(parser)

        self.add_later(name, fill, help)


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one clear line instead of a usage dump on bad input.

    The line names the command that was being parsed, so the hint points at the help that
    lists its options: `synctui: error: argument --where: expected one argument (try
    'synctui syncs list --help')`. Unknown arguments are only found once the whole command
    line is parsed, by the top-level parser; the deepest command reached is remembered in
    the namespace so that their message, too, points at that command's help.
    """

    _PROG_KEY = "_synctui_command"

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

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


class _TopParser(_Parser):
    """The top-level parser, whose description names the vendors: read from their rules only
    when the top-level help is printed, so no other command line pays for importing them."""

    def format_help(self) -> str:
        if self.description is None:
            from synctui.services.vendor_rules import titles

            self.description = (
                f"Browse, edit and watch data syncs across {titles()}. "
                "Run without a command to open the TUI."
            )
        return super().format_help()


def build_parser(*, complete: bool = True) -> argparse.ArgumentParser:
    """The whole command line; with `complete=False` each command's options are added only
    when the command is named (what `main` uses: one command's module, not seven)."""
    parser = _TopParser(prog="synctui")
    parser.add_argument("--version", action=_Version)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the built-in sandbox and demo accounts (TUI or any command)",
    )
    parser.add_argument("--account", metavar="NAME", help="select this account on start")
    parser.add_argument(
        "--attention", action="store_true", help="TUI: open on the attention view (as `!` does)"
    )
    parser.add_argument("--readonly", action="store_true", help="refuse every write (lock shown)")
    parser.add_argument("--theme", metavar="NAME", help="colour theme for this run")
    parser.add_argument(
        "--refresh",
        type=float,
        metavar="SECONDS",
        help="TUI: auto-refresh the sync tables every SECONDS (0 = off; default 30)",
    )
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser, action=_Commands
    )
    assert isinstance(sub, _Commands)
    for name, (where, summary) in COMMANDS.items():
        sub.add_command(name, where, summary)
    if complete:
        sub.fill_all()
    return parser


def register_sandbox(sb: argparse.ArgumentParser) -> None:
    """Fill `synctui sandbox`: simulators of the five vendor APIs on loopback (Starlette and
    the simulators are imported only when it runs)."""
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
    parser = build_parser(complete=False)
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is not None:
        return handler(args)
    from synctui.ui.launch import launch

    return launch(args)


if __name__ == "__main__":
    raise SystemExit(main())
