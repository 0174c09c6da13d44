"""Start-up of the headless commands: `synctui --version` and `synctui syncs list --help`.

Baseline: `python -c "import argparse"` — the floor for any argparse CLI in Python. Scripts
call these commands in loops, so they must not pay for Textual, httpx or gql; each is timed
from spawn to exit, repeated, median. Target: at most twice the baseline.
"""

from __future__ import annotations

from benchmarks.core import (
    Options,
    Result,
    interleave,
    median,
    python_command,
    synctui_command,
    time_command,
)

NAME = "startup_cli"
TARGET = 2.0

COMMANDS = {
    "cli_version": ("--version",),
    "cli_list_help": ("syncs", "list", "--help"),
}


def run(options: Options) -> list[Result]:
    reps = options.reps(21, 5)
    baseline = python_command("import argparse")
    measures = {"baseline": lambda: time_command(baseline)}
    for name, args in COMMANDS.items():
        argv = synctui_command(*args)
        measures[name] = lambda argv=argv: time_command(argv)
    samples = interleave(reps, measures, warmup=2)
    floor = median(samples["baseline"])
    results = []
    for name, args in COMMANDS.items():
        ours = median(samples[name])
        results.append(
            Result(
                name=name,
                what=f"synctui {' '.join(args)} (spawn to exit)",
                unit="s",
                synctui=ours,
                baseline=floor,
                checked=ours / floor,
                target=TARGET,
                direction="max",
                target_text=f"≤ {TARGET}× python -c 'import argparse'",
                inputs={"repetitions": reps, "command": f"synctui {' '.join(args)}"},
                samples={"synctui": samples[name], "baseline": samples["baseline"]},
            )
        )
    return results
