"""`synctui --version` and `syncs list --help` start in about the time of argparse itself:
building the parser must not import asyncio or pydantic (each costs more than argparse).
The commands import them where they run; checked in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import json, sys
from synctui.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
slow = [m for m in ("asyncio", "pydantic", "dataclasses") if m in sys.modules]
sys.stderr.write("\\nMODULES=" + json.dumps(slow) + "\\n")
"""


@pytest.mark.parametrize("argv", [["--version"], ["syncs", "list", "--help"], ["--help"]])
def test_parser_alone_imports_no_slow_module(argv: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)], capture_output=True, text=True, timeout=60
    )
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("MODULES=")][-1]
    assert json.loads(line.removeprefix("MODULES=")) == []
