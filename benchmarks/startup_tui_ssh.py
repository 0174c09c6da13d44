"""`synctui --demo` to the first painted sync table at 80×24, paced as over SSH.

The same measurement as `startup_tui` (spawn to the first sync row on a real pty, against a
bare Textual table started the same way) on the smallest terminal synctui supports, with
`SSH_CONNECTION` set and `TEXTUAL_FPS=15` — the frame rate synctui picks over SSH — for both
programs. A lower frame rate can only delay a paint, and a smaller screen changes what the
first frame holds: this is what a user on a laptop terminal over SSH waits for.
Target: at most 1.5 times the bare app, as at 120×40.
"""

from __future__ import annotations

import re
import sys

from benchmarks.core import ROOT, Options, Result, child_env, interleave, median, synctui_command
from benchmarks.startup_tui import BARE_ROW, SYNC_ROW, TARGET, time_to_row

NAME = "startup_tui_ssh"
COLUMNS, ROWS = 80, 24
FPS = "15"
SSH = "203.0.113.7 50022 198.51.100.2 22"  # documentation addresses: any value means SSH


def run(options: Options) -> list[Result]:
    reps = options.reps(7, 2)
    env = child_env(SSH_CONNECTION=SSH, TEXTUAL_FPS=FPS)
    bare = [sys.executable, str(ROOT / "benchmarks" / "bare_table.py")]
    demo = synctui_command("--demo")

    def measure(argv: list[str], marker: re.Pattern[str]) -> float:
        return time_to_row(argv, marker, columns=COLUMNS, rows=ROWS, env=env)

    samples = interleave(
        reps,
        {
            "synctui": lambda: measure(demo, SYNC_ROW),
            "baseline": lambda: measure(bare, BARE_ROW),
        },
        warmup=1,
    )
    ours, theirs = median(samples["synctui"]), median(samples["baseline"])
    return [
        Result(
            name=NAME,
            what=f"synctui --demo to the first painted sync table at {COLUMNS}x{ROWS}, "
            f"TEXTUAL_FPS={FPS} as over SSH (pty)",
            unit="s",
            synctui=ours,
            baseline=theirs,
            checked=ours / theirs,
            target=TARGET,
            direction="max",
            target_text=f"≤ {TARGET}× bare Textual table",
            inputs={
                "terminal": f"{COLUMNS}x{ROWS}",
                "environment": {"SSH_CONNECTION": "set", "TEXTUAL_FPS": FPS},
                "repetitions": reps,
                "command": "synctui --demo",
            },
            samples=samples,
        )
    ]
