"""`python -m benchmarks` runs and writes its JSON (the cheapest benchmark, --quick).

No timing is asserted: the numbers depend on the machine. What is checked is that the
command works from this checkout and that the file has the shape the README and later
comparisons rely on.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmark_writes_results(tmp_path: Path) -> None:
    output = tmp_path / "latest.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--only",
            "startup_cli",
            "--quick",
            "--output",
            str(output),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "cli_version" in proc.stdout  # the printed table

    data = json.loads(output.read_text())
    assert data["schema"] == 1
    assert data["options"] == {"quick": True, "only": ["startup_cli"]}
    assert {"cpu_count", "python", "platform"} <= set(data["machine"])
    assert data["errors"] == {}
    assert [r["benchmark"] for r in data["runs"]] == ["startup_cli"]
    names = [r["name"] for r in data["results"]]
    assert names == ["cli_version", "cli_list_help"]
    for result in data["results"]:
        assert {"synctui", "baseline", "checked", "target", "direction", "passed"} <= set(result)
        assert result["synctui"] > 0 and result["baseline"] > 0
        assert isinstance(result["passed"], bool)
        assert len(result["samples"]["synctui"]) == result["inputs"]["repetitions"]


def test_benchmarks_are_listed() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    for name in (
        "startup_cli",
        "startup_tui_ssh",
        "first_paint",
        "feed_ingest",
        "batch_update",
        "terminal_bytes",
    ):
        assert name in proc.stdout
