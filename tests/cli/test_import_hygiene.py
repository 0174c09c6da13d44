"""Headless commands must not pay for (or depend on) the TUI: checked in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from synctui.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
heavy = [m for m in ("textual", "gql", "keyring", "httpx", "starlette", "uvicorn") if m in sys.modules]
sys.stderr.write("\\nMODULES=" + json.dumps(heavy) + "\\n")
"""


def imported_by(argv: list[str]) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)], capture_output=True, text=True, timeout=60
    )
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("MODULES=")][-1]
    return json.loads(line.removeprefix("MODULES="))


def test_version_imports_nothing_heavy() -> None:
    assert imported_by(["--version"]) == []


def test_syncs_list_help_imports_nothing_heavy() -> None:
    assert imported_by(["syncs", "list", "--help"]) == []


def test_syncs_list_does_not_import_textual() -> None:
    # No accounts configured: the command runs its real code path and exits cleanly.
    modules = imported_by(["syncs", "list"])
    assert "textual" not in modules
