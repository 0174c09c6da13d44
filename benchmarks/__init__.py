"""synctui's performance benchmarks: `python -m benchmarks [--only NAME ...] [--quick]`.

Every benchmark measures synctui and a baseline in the same run and reports their ratio
against a target; results go to `benchmarks/results/latest.json`. One module per benchmark,
each with a `NAME` and a `run(options) -> list[Result]`; `BENCHMARKS` lists them cheapest
first (the order they run in). Nothing heavy is imported here: children start from this
package, and their import time must stay theirs.
"""

from __future__ import annotations

BENCHMARKS: dict[str, str] = {
    "startup_cli": "benchmarks.startup_cli",
    "startup_tui": "benchmarks.startup_tui",
    "startup_tui_ssh": "benchmarks.startup_tui_ssh",
    "first_paint": "benchmarks.first_paint",
    "filter_keystroke": "benchmarks.filter_keystroke",
    "feed_ingest": "benchmarks.feed_ingest",
    "feed_keypress": "benchmarks.feed_keypress",
    "feed_memory": "benchmarks.feed_memory",
    "batch_update": "benchmarks.batch_update",
    "terminal_bytes": "benchmarks.terminal_bytes",
}
