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
    assert "startup_tui_ssh" in proc.stdout
    assert "suite_walltime" in proc.stdout and "[opt-in: --all]" in proc.stdout


def test_the_readme_table_is_generated_from_a_results_file(tmp_path: Path) -> None:
    """Every result of the file becomes a row, between the README's markers; the rest of the
    README stays as it was."""
    results = ROOT / "benchmarks" / "results" / "latest.json"
    readme = tmp_path / "README.md"
    original = (ROOT / "README.md").read_text()
    readme.write_text(original)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.readme",
            "--results",
            str(results),
            "--write",
            str(readme),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    written = readme.read_text()
    start, end = "<!-- benchmarks:table -->", "<!-- /benchmarks:table -->"
    assert original.split(start)[0] == written.split(start)[0]
    assert original.split(end)[1] == written.split(end)[1]
    block = written.split(start)[1].split(end)[0]
    rows = [line for line in block.splitlines() if line.startswith("| ") and "---" not in line]
    names = [r["name"] for r in json.loads(results.read_text())["results"]]
    assert len(rows) == 1 + len(names)  # the header, then one row per result
    assert all(line.rstrip().endswith(("✓ |", "✗ |")) for line in rows[1:])
