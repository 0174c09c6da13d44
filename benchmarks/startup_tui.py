"""`synctui --demo` from process start to the first painted sync table, in a real pty.

Baseline: a bare Textual app painting one static table (`bare_table.py`), started the same
way. Both are timed from spawning the process to the moment the first table row reaches the
terminal, so interpreter start, imports and the first layout all count — which is what a
user waits for. synctui's first table row may be a placeholder ("… loading", with the
account and vendor) painted before the demo sandbox answers; the time to the first row of
real data is recorded beside it (`inputs.first_data_row_seconds`, samples `synctui_data`),
for diagnosis. Target: at most 1.5 times the bare app.
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
# A row of real data: any status but the placeholder's "… loading".
DATA_ROW = re.compile(rf"[●‖✗✎…○◆?] (?!loading\b)\w+ +(?:{_VENDORS})-\w+ +(?:{_VENDORS})\b")


def time_to_row(
    argv: list[str],
    marker: re.Pattern[str],
    *,
    columns: int = COLUMNS,
    rows: int = ROWS,
    env: dict[str, str] | None = None,
) -> float:
    """Seconds from spawn until `marker` is on the terminal; the process is then stopped."""
    return times_to_rows(argv, [marker], columns=columns, rows=rows, env=env)[0]


def times_to_rows(
    argv: list[str],
    markers: list[re.Pattern[str]],
    *,
    columns: int = COLUMNS,
    rows: int = ROWS,
    env: dict[str, str] | None = None,
) -> list[float]:
    """Seconds from spawn until each marker in turn is on the terminal; then stopped."""
    with PtyProcess(
        argv, env=env or child_env(), cwd=str(ROOT), columns=columns, rows=rows
    ) as proc:
        return [proc.wait_for(marker, TIMEOUT) for marker in markers]


def run(options: Options) -> list[Result]:
    reps = options.reps(7, 2)
    bare = [sys.executable, str(ROOT / "benchmarks" / "bare_table.py")]
    demo = synctui_command("--demo")
    data: list[float] = []

    def synctui() -> float:
        first, filled = times_to_rows(demo, [SYNC_ROW, DATA_ROW])
        data.append(filled)
        return first

    samples = interleave(
        reps,
        {"synctui": synctui, "baseline": lambda: time_to_row(bare, BARE_ROW)},
        warmup=1,
    )
    samples["synctui_data"] = data[-reps:]  # the warm-up's are dropped, as interleave does
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
                "first_data_row_seconds": median(samples["synctui_data"]),
            },
            samples=samples,
        )
    ]
