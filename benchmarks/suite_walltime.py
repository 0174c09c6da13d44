"""The test suite's own wall time: `make test`'s pytest command, on the machine's cores.

The suite is what every change waits for, so it has a budget like any other benchmark:
ten minutes on two cores (pytest-xdist, `-n 2 --dist loadfile`, as `make test` runs it).
There is no baseline; the pass, fail and skip counts are recorded with the time, and a
suite that did not pass does not meet the target (faster by failing early measures nothing). It takes minutes, so a full
`python -m benchmarks` leaves it out unless asked (`--all`, or `--only suite_walltime`);
`--quick` times one small directory instead (a smoke test of the benchmark itself).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from benchmarks.core import ROOT, Options, Result, child_env

NAME = "suite_walltime"
OPT_IN = True  # minutes: run only when asked for
TARGET = 600.0  # seconds: ten minutes
PYTEST = ["-m", "pytest", "-q", "-n", "2", "--dist", "loadfile", "-p", "no:cacheprovider"]
QUICK_PATHS = ["tests/domain"]
TIMEOUT = 3600.0
_COUNTS = re.compile(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed|deselected)")


def run(options: Options) -> list[Result]:
    argv = [sys.executable, *PYTEST, *(QUICK_PATHS if options.quick else [])]
    started = time.perf_counter()
    proc = subprocess.run(
        argv,
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    summary = lines[-1] if lines else ""
    counts = {word.rstrip("s") if word.startswith("error") else word: int(n)
              for n, word in _COUNTS.findall(summary)}  # fmt: skip
    return [
        Result(
            name=NAME,
            what="`make test`'s pytest command, wall time"
            + (" (quick: tests/domain only)" if options.quick else ""),
            unit="s",
            synctui=seconds,
            baseline=None,
            checked=seconds if proc.returncode == 0 else float("nan"),  # failing never passes
            target=TARGET,
            direction="max",
            target_text=f"≤ {TARGET / 60:g} min on {os.cpu_count()} cores",
            inputs={
                "command": " ".join(["python", *argv[1:]]),
                "cores": os.cpu_count(),
                "exit_code": proc.returncode,
                "counts": counts,
                "summary": summary,
            },
            samples={"synctui": [seconds]},
            notes="" if proc.returncode == 0 else "the suite did not pass: see inputs.summary",
        )
    ]
