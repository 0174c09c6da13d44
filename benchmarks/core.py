"""What every benchmark shares: results, statistics, the machine, and child processes.

Each benchmark measures synctui *and* its baseline in the same run, so a loaded machine slows
both and the ratio stays meaningful; repetitions are summarised by their median (p95 where a
tail matters). Measurements that must include import costs, or that must not share a GIL with
anything else, run in fresh child processes started with `run_child`.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parent.parent
CHILD_TIMEOUT = 600.0

Direction = Literal["max", "min"]


@dataclass
class Result:
    """One row of the report: synctui's number, the baseline's, and the target they meet.

    `direction` says how the target reads: "max" means the checked value must be at most
    `target` (a ratio of times, a latency), "min" means at least (a speed-up, a rate ratio).
    `checked` is the value compared with the target: the ratio when there is a baseline,
    synctui's own number otherwise.
    """

    name: str
    what: str
    unit: str
    synctui: float
    baseline: float | None
    checked: float
    target: float
    direction: Direction
    target_text: str
    inputs: dict[str, Any] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=dict)
    notes: str = ""

    @property
    def passed(self) -> bool:
        if math.isnan(self.checked):
            return False
        if self.direction == "max":
            return self.checked <= self.target
        return self.checked >= self.target

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["passed"] = self.passed
        return data


@dataclass(frozen=True)
class Options:
    """How hard to try: `quick` is the smoke-test mode (fewer repetitions, smaller inputs
    where the benchmark allows it); the numbers are then indicative only."""

    quick: bool = False

    def reps(self, full: int, quick: int = 1) -> int:
        return quick if self.quick else full


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: with 50 samples, p95 is the 48th smallest."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def machine() -> dict[str, Any]:
    """Enough to tell two result files apart: cores, load, Python, platform, Textual."""
    info: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
    }
    with contextlib.suppress(OSError):
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    try:
        from importlib.metadata import version

        info["textual"] = version("textual")
        info["synctui"] = version("synctui")
    except Exception:
        pass
    return info


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child: this checkout importable, no user state touched.

    XDG directories point into a scratch folder so that no benchmark reads or writes the
    user's accounts, settings, journal or feed store.
    """
    env = dict(os.environ)
    # BENCH_SRC measures another copy of the package (a proposed fix) with these benchmarks.
    source = os.environ.get("BENCH_SRC") or str(ROOT / "src")
    path = [str(ROOT), source]
    if env.get("PYTHONPATH"):
        path.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(path)
    env.pop("SSH_CONNECTION", None)  # the TUI lowers its frame rate over SSH
    env.pop("TEXTUAL_FPS", None)
    # An installed package has its bytecode compiled (pip does it): measure that, not a
    # recompile of every module on every start (the warm-up runs write the cache).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("TERM", "xterm-256color")
    home = scratch_dir()
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(home / name.lower())
    env.update(extra)
    return env


_SCRATCH: list[Path] = []


def scratch_dir() -> Path:
    """One temporary folder per benchmark run (removed at exit): stores, fake XDG dirs."""
    if not _SCRATCH:
        import atexit
        import shutil
        import tempfile

        path = Path(tempfile.mkdtemp(prefix="synctui-bench-"))
        atexit.register(shutil.rmtree, path, True)
        _SCRATCH.append(path)
    return _SCRATCH[0]


def run_child(
    module: str,
    function: str,
    args: dict[str, Any] | None = None,
    *,
    timeout: float = CHILD_TIMEOUT,
    env: dict[str, str] | None = None,
) -> Any:
    """Call `module.function(**args)` in a fresh interpreter and return its JSON result.

    The child prints its result as the last line of stdout; everything else it prints is
    ignored. A failure raises with the child's stderr, so a broken benchmark says why.
    """
    code = (
        "import json, sys\n"
        f"from {module} import {function} as f\n"
        "result = f(**json.loads(sys.argv[1]))\n"
        "sys.stdout.write('\\n' + json.dumps(result) + '\\n')\n"
        "sys.stdout.flush()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, json.dumps(args or {})],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env or child_env(),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"{module}.{function} failed ({proc.returncode}):\n{proc.stderr[-4000:]}"
        )
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if not lines:
        raise RuntimeError(f"{module}.{function} printed no result:\n{proc.stderr[-4000:]}")
    return json.loads(lines[-1])


def time_command(argv: Sequence[str], *, env: dict[str, str] | None = None) -> float:
    """Wall-clock seconds from spawning a command to its exit (stdout discarded)."""
    started = time.perf_counter()
    subprocess.run(
        list(argv),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env=env or child_env(),
        cwd=ROOT,
        check=True,
    )
    return time.perf_counter() - started


def interleave(
    reps: int, measures: dict[str, Callable[[], float]], *, warmup: int = 0
) -> dict[str, list[float]]:
    """Run each measurement `reps` times, alternating between them, so that a change of load
    during the run hits synctui and its baseline alike. Warm-up runs are discarded."""
    samples: dict[str, list[float]] = {name: [] for name in measures}
    for i in range(warmup + reps):
        for name, measure in measures.items():
            value = measure()
            if i >= warmup:
                samples[name].append(value)
    return samples


def python_command(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


def synctui_command(*args: str) -> list[str]:
    """The installed `synctui` console script when there is one (what a user runs), else the
    same entry point through the interpreter."""
    script = Path(sys.executable).with_name("synctui")
    if script.exists():
        return [str(script), *args]
    return python_command("import sys; from synctui.cli import main; sys.exit(main())", *args)


def rounded(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}") if math.isfinite(value) else value
