"""`synctui --demo` from process start to the first painted sync table, in a real pty.

Baseline: a bare Textual app painting one static table (`bare_table.py`), started the same
way. Both are timed from spawning the process to the moment the first table row reaches the
terminal, so interpreter start, imports, the demo sandbox and the first load all count —
which is what a user waits for. Target: at most 1.5 times the bare app.
"""

from __future__ import annotations

import re
import sys

from benchmarks.core import ROOT, Options, Result, child_env, interleave, median, synctui_command
from benchmarks.ptyrun import PtyProcess

NAME = "startup_tui"
TARGET = 1.5
COLUMNS, ROWS = 120, 40
TIMEOUT = 60.0

_VENDORS = "speckle|polytomic|signalsmith|paragon"
# A table row: status symbol and word, then the Account and Vendor columns side by side
# (the sidebar names accounts too, but never followed by a vendor on the same line).
SYNC_ROW = re.compile(rf"[●‖✗✎…○◆?] \w+ +(?:{_VENDORS})-\w+ +(?:{_VENDORS})\b")
BARE_ROW = re.compile(r"BENCHROW 00")


def time_to_row(
    argv: list[str],
    marker: re.Pattern[str],
    *,
    columns: int = COLUMNS,
    rows: int = ROWS,
    env: dict[str, str] | None = None,
) -> float:
    """Seconds from spawn until `marker` is on the terminal; the process is then stopped."""
    with PtyProcess(
        argv, env=env or child_env(), cwd=str(ROOT), columns=columns, rows=rows
    ) as proc:
        return proc.wait_for(marker, TIMEOUT)


def run(options: Options) -> list[Result]:
    reps = options.reps(7, 2)
    bare = [sys.executable, str(ROOT / "benchmarks" / "bare_table.py")]
    demo = synctui_command("--demo")
    samples = interleave(
        reps,
        {
            "synctui": lambda: time_to_row(demo, SYNC_ROW),
            "baseline": lambda: time_to_row(bare, BARE_ROW),
        },
        warmup=1,
    )
    ours, theirs = median(samples["synctui"]), median(samples["baseline"])
    return [
        Result(
            name=NAME,
            what="synctui --demo to the first painted sync table (pty)",
            unit="s",
            synctui=ours,
            baseline=theirs,
            checked=ours / theirs,
            target=TARGET,
            direction="max",
            target_text=f"≤ {TARGET}× bare Textual table",
            inputs={
                "terminal": f"{COLUMNS}x{ROWS}",
                "repetitions": reps,
                "command": "synctui --demo",
            },
            samples=samples,
        )
    ]
