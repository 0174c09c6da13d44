"""The committed README screenshots are exactly what `make screenshots` makes today.

When a screen changes, the images in `screenshots/` go stale without anyone noticing, and the
README starts selling a product that no longer exists. This renders every screenshot again
with `--check` and fails naming the stale files and the command that regenerates them.

It runs the generator in a subprocess: the screenshots need their own sandboxes, event loops
and processes, and Textual reads its environment once, at import — a fresh interpreter is
the only way to render exactly what `make screenshots` renders.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "screenshots"

pytestmark = pytest.mark.slow


def test_committed_screenshots_are_what_make_screenshots_makes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scripts.screenshots", str(FOLDER), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode == 1:
        pytest.fail(result.stderr.strip(), pytrace=False)  # names the stale files + command
    assert result.returncode == 0, (
        "the screenshot generator failed (run `make screenshots` to see it):\n"
        + result.stderr[-6000:]
    )
