"""`main` fills only the parser of the command it is given; everything else is the same.

`synctui --version` imports no command module, `synctui syncs list --help` only the syncs
one (checked in a fresh interpreter); and the parser `main` builds one command at a time
prints exactly the help and errors of the whole tree `build_parser()` builds.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys

import pytest

from synctui import __version__
from synctui.cli import COMMANDS, build_parser, main

PROBE = """
import json, sys
from synctui.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
loaded = sorted(m for m in sys.modules if m.startswith(("synctui.commands.", "textwrap", "shutil")))
sys.stderr.write("\\nMODULES=" + json.dumps(loaded) + "\\n")
"""


def _loaded_after(argv: list[str]) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)], capture_output=True, text=True, timeout=60
    )
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("MODULES=")][-1]
    return json.loads(line.removeprefix("MODULES="))


def test_version_imports_no_command_and_no_help_formatting() -> None:
    # Only the plumbing that makes a command's parser when it is named: no command.
    assert _loaded_after(["--version"]) == ["synctui.commands.lazy_parsers"]


def test_a_command_imports_its_own_module_only() -> None:
    loaded = _loaded_after(["syncs", "list", "--help"])
    commands = [m for m in loaded if m.startswith("synctui.commands.")]
    # `syncs`' parser only: not what its actions run (`syncs_run`, `syncs_batch`) nor how
    # they print, nor any other command.
    assert commands == ["synctui.commands.lazy_parsers", "synctui.commands.syncs"]
    assert "shutil" not in loaded  # the help is sized to the terminal without it


def _words(parser: argparse.ArgumentParser) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []

    def walk(words: tuple[str, ...], node: argparse.ArgumentParser) -> None:
        found.append(words)
        for action in node._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    walk((*words, name), child)

    walk((), parser)
    return found


def _run(argv: list[str]) -> tuple[object, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code: object = main(argv)
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_every_command_is_listed_and_reachable() -> None:
    words = _words(build_parser())
    assert {w[0] for w in words if w} == set(COMMANDS)
    # the actions of each command too, not just the top level
    assert {("accounts", "add"), ("syncs", "list"), ("feed", "tail"), ("journal", "show")} <= set(
        words
    )


def test_lazy_help_is_the_whole_trees_help(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    whole = build_parser()
    for words in _words(whole):
        node = whole
        for word in words:
            sub = next(a for a in node._actions if isinstance(a, argparse._SubParsersAction))
            node = sub.choices[word]
        assert _run([*words, "--help"]) == (0, node.format_help(), ""), words


@pytest.mark.parametrize("columns", ["50", "200"])
def test_help_is_sized_as_argparse_sizes_it(monkeypatch: pytest.MonkeyPatch, columns: str) -> None:
    """Same width as argparse's own formatter (which asks shutil) gives at this width."""
    monkeypatch.setenv("COLUMNS", columns)
    stock = build_parser()
    sub = next(a for a in stock._actions if isinstance(a, argparse._SubParsersAction))
    syncs = sub.choices["syncs"]
    listing = next(a for a in syncs._actions if isinstance(a, argparse._SubParsersAction))
    node = listing.choices["list"]
    node.formatter_class = argparse.HelpFormatter
    assert _run(["syncs", "list", "--help"]) == (0, node.format_help(), "")


def test_version_prints_one_line_and_exits_0() -> None:
    assert _run(["--version"]) == (0, f"synctui {__version__}\n", "")
    assert _run(["--demo", "--version"]) == (0, f"synctui {__version__}\n", "")


def test_an_unknown_command_is_one_line_naming_every_command() -> None:
    code, out, err = _run(["nosuch"])
    assert (code, out, err.count("\n")) == (2, "", 1)
    for name in COMMANDS:
        assert repr(name) in err


def test_an_unknown_action_or_vendor_is_one_line_naming_every_choice() -> None:
    """The choices of a parser made on demand are argparse's own, in their listed order."""
    from synctui.domain.capabilities import Capability
    from synctui.services.vendor_rules import vendors_with

    code, out, err = _run(["syncs", "nosuch"])
    assert (code, out, err.count("\n")) == (2, "", 1)
    listed = ", ".join(repr(a) for a in ("list", "show", "update", "create", "delete"))
    assert listed in err and "'synctui syncs --help'" in err

    code, out, err = _run(["syncs", "list", "--vendor", "nosuch"])
    assert (code, out, err.count("\n")) == (2, "", 1)
    choices = ", ".join(repr(v) for v in vendors_with(Capability.LIST))
    assert f"argument --vendor: invalid choice: 'nosuch' (choose from {choices})" in err
