"""The README's performance table, generated from a results file.

    python -m benchmarks.readme                       # print it (from results/latest.json)
    python -m benchmarks.readme --write README.md     # replace the table in the README

The table lives between `<!-- benchmarks:table -->` and `<!-- /benchmarks:table -->`, with
the line saying which run it comes from, so the README can never show numbers that no
results file holds. Rows follow the results file; each benchmark's words for the README are
kept here, and one this module does not know is shown with its own description.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from benchmarks.report import fmt

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
START, END = "<!-- benchmarks:table -->", "<!-- /benchmarks:table -->"

# name: (what, in the README's words; the baseline, named; None when there is none)
ROWS: dict[str, tuple[str, str | None]] = {
    "cli_version": ("`synctui --version`", '`python -c "import argparse"`'),
    "cli_list_help": ("`synctui syncs list --help`", "the same"),
    "startup_tui": ("`synctui --demo` to the first sync table (pty)", "a bare Textual table"),
    "startup_tui_ssh": (
        "…the same at 80×24 with `TEXTUAL_FPS=15`, as over SSH",
        "a bare Textual table",
    ),
    "first_paint": ("All view, 100,000 syncs, first paint", "stock `DataTable`"),
    "first_paint_table_only": ("…the virtual table alone, 100,000 rows", "stock `DataTable`"),
    "filter_keystroke": ("filter keystroke at 100,000 rows, to repaint", None),
    "feed_ingest": ("feed ingest into the store", "plain httpx paging"),
    "feed_keypress": ("key press to repaint, feed streaming 500 changes/s", None),
    "feed_memory": ("viewer memory, 1,000,000 vs 10,000 stored changes", "10,000 changes"),
    "batch_update": (
        "batch update, {syncs:,} Speckle syncs, 50 ms latency (adaptive)",
        "one by one",
    ),
    "batch_vs_fixed": ("…the same batch against a fixed 4 in flight", "4 at a time"),
    "batch_rate_limited": (
        "batch update, {syncs:,} Speckle syncs, vendor limit 25 requests/s (429)",
        "4 at a time",
    ),
    "batch_429s": ("…429s answered to the adaptive batch", "4 at a time"),
    "terminal_bytes_idle": ("bytes to the terminal, idle", None),
    "terminal_bytes_feed": ("bytes to the terminal, feed at 100 changes/s", None),
    "suite_walltime": ("`make test` (pytest on 2 cores), wall time", None),
}


def _ratio(result: dict[str, Any]) -> str:
    checked = result.get("checked")
    if result.get("baseline") is None or checked is None or not math.isfinite(checked):
        return ""
    faster = result["direction"] == "min" and result["unit"] == "s"
    return f"{checked:.1f}× faster" if faster else f"{checked:.2g}×"


def row(result: dict[str, Any]) -> str:
    what, baseline_name = ROWS.get(result["name"], (result["what"], "baseline"))
    inputs = result.get("inputs") or {}
    if "{" in what:
        what = what.format(**inputs)
    unit = result["unit"]
    ours = fmt(result["synctui"], unit)
    if result["name"] == "batch_429s":  # counts say more than a share: show both batches'
        ours = f"{inputs['adaptive_429s']} of {inputs['adaptive_requests']} requests ({ours})"
        theirs = f"{baseline_name} {inputs['fixed_429s']} of {inputs['fixed_requests']}"
    elif result.get("baseline") is None:
        theirs = "—"
    else:
        theirs = f"{baseline_name or 'baseline'} {fmt(result['baseline'], unit)}"
    mark = "✓" if result.get("passed") else "✗"
    cells = [what, ours, theirs, _ratio(result), f"{result['target_text']} {mark}"]
    return "| " + " | ".join(cells) + " |"


def table(document: dict[str, Any]) -> str:
    machine = document.get("machine", {})
    textual = f", Textual {machine['textual']}" if machine.get("textual") else ""
    header = (
        f"Run of {document.get('finished', '?')[:10]} (`{document.get('command', '')}`; "
        f"{machine.get('cpu_count', '?')} CPUs, Python {machine.get('python', '?')}{textual}, "
        f"load {machine.get('load_average', '?')}):"
    )
    lines = [
        header,
        "",
        "| what | synctui | baseline (same run) | result | target |",
        "|---|---|---|---|---|",
        *(row(result) for result in document.get("results", [])),
    ]
    return "\n".join(lines)


def replace_block(text: str, block: str) -> str:
    """The README with the block between the markers replaced (markers kept)."""
    if START not in text or END not in text:
        raise SystemExit(f"the README has no {START} … {END} block to replace")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{block}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.readme", description=__doc__)
    parser.add_argument("--results", type=Path, default=RESULTS, help="a results JSON file")
    parser.add_argument("--write", type=Path, metavar="README", help="replace the table there")
    args = parser.parse_args(argv)
    block = table(json.loads(args.results.read_text()))
    if args.write is None:
        sys.stdout.write(block + "\n")
        return 0
    args.write.write_text(replace_block(args.write.read_text(), block))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
