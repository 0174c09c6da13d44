"""The two outputs: a table for people and a JSON file for history (committed)."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.core import Result, rounded

SCHEMA_VERSION = 1


def fmt(value: float | None, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "KB/s":
        return f"{value:.1f} KB/s"
    if unit == "%":
        return f"{value:.1%}"
    if unit == "changes/s":
        return f"{value:,.0f}/s"
    return f"{value:.3g} {unit}".strip()


def table_rows(results: list[Result]) -> list[tuple[str, ...]]:
    rows = []
    for r in results:
        checked = f"{r.checked:.2f}×" if r.baseline is not None else fmt(r.checked, r.unit)
        rows.append(
            (
                r.name,
                fmt(r.synctui, r.unit),
                fmt(r.baseline, r.unit),
                checked,
                r.target_text,
                "pass" if r.passed else "FAIL",
            )
        )
    return rows


def print_table(results: list[Result]) -> None:
    header = ("benchmark", "synctui", "baseline", "ratio", "target", "result")
    rows = [header, *table_rows(results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for i, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * width for width in widths))


def _clean(value: Any) -> Any:
    """JSON without NaN (not valid JSON) and with numbers rounded to what they mean."""
    if isinstance(value, float):
        return rounded(value, 6) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def write_json(
    path: Path,
    results: list[Result],
    *,
    machine: dict[str, Any],
    options: dict[str, Any],
    started: datetime,
    finished: datetime,
    runs: list[dict[str, Any]],
    errors: dict[str, str],
) -> None:
    document = {
        "schema": SCHEMA_VERSION,
        "command": "python -m benchmarks" + (" --quick" if options.get("quick") else ""),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "machine": machine,
        "options": options,
        "runs": runs,
        "results": [r.as_json() for r in results],
        "errors": errors,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_clean(document), indent=2, ensure_ascii=False) + "\n")
