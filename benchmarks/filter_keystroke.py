"""One keystroke in the `/` filter of the All view at 100,000 syncs, to the repaint.

Headless (`App.run_test`), in a fresh process: the All view is loaded with five accounts of
20,000 in-memory syncs and settled (`app.settled`: every row in the view and in the column
widths — the first paint does not wait for that, see first_paint.py), `/` opens the filter,
and then words are typed and erased one key at a time. Each sample is the time from sending
the key to the first table line painted with the new filter applied: the screenful of rows
that match (the rest of the pass, and so the count, follows between frames and keys).
Every keystroke changes the filter text, so none is a no-op. Target: median ≤ 16 ms, one
frame at 60 fps.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from benchmarks.core import Options, Result, median, percentile, run_child
from benchmarks.first_paint import ACCOUNTS, PAGE
from benchmarks.tui import SIZE, wait_until

NAME = "filter_keystroke"
ROWS = 100_000
TARGET_MS = 16.0
# Typed, then erased key by key: narrowing and widening both count.
WORDS = ("contacts", "sync 01", "!orders", "models 9")


def keys_for(words: tuple[str, ...]) -> list[tuple[str, str]]:
    """(key to press, filter text after it) for typing and erasing each word."""
    out: list[tuple[str, str]] = []
    for word in words:
        for i, char in enumerate(word):
            key = {" ": "space", "!": "exclamation_mark"}.get(char, char)
            out.append((key, word[: i + 1]))
        for i in range(len(word) - 1, -1, -1):
            out.append(("backspace", word[:i]))
    return out


class FilterProbe:
    """Notes the first time the sync table paints with each new filter text."""

    def __init__(self) -> None:
        from synctui.ui.widgets.virtual_table import VirtualTable

        self.painted: list[tuple[float, str]] = []
        self._last: str | None = None
        original = VirtualTable.render_line

        def render_line(table: Any, y: int) -> Any:
            strip = original(table, y)
            if table.id == "syncs" and y >= 1 and table.model.filter_text != self._last:
                self._last = table.model.filter_text
                self.painted.append((time.perf_counter(), self._last))
            return strip

        VirtualTable.render_line = render_line  # type: ignore[method-assign]

    def painted_after(self, since: float, text: str) -> float | None:
        for at, painted in self.painted:
            if at >= since and painted == text:
                return at
        return None


def keystrokes(rows: int = ROWS, words: tuple[str, ...] = WORDS) -> dict[str, Any]:
    """Child: milliseconds from each key to the repaint with its filter applied."""
    from benchmarks.fakes import MemoryAdapter, install
    from synctui.ui.app import SyncTuiApp
    from synctui.ui.catalog import LoadState

    session = install(rows, ACCOUNTS)
    MemoryAdapter.page_size = PAGE
    probe = FilterProbe()

    async def main() -> dict[str, Any]:
        app = SyncTuiApp(session, refresh_seconds=0, persist_accounts=False)
        async with app.run_test(size=SIZE) as pilot:
            entries = app.catalog.entries.values()
            await wait_until(
                pilot, lambda: all(e.state == LoadState.READY for e in entries), "load"
            )
            table = app.main.table  # type: ignore[union-attr]
            await wait_until(pilot, lambda: app.settled and table.row_count == rows, "settled")
            await pilot.press("slash")
            await pilot.pause(0.1)
            samples: list[float] = []
            shown: list[int] = []
            for key, text in keys_for(words):
                sent = time.perf_counter()
                await pilot.press(key)
                await wait_until(
                    pilot,
                    lambda s=sent, t=text: probe.painted_after(s, t) is not None,
                    f"{text!r}",
                    30,
                )
                painted = probe.painted_after(sent, text)
                assert painted is not None
                samples.append((painted - sent) * 1000)
                shown.append(table.row_count)
            return {"ms": samples, "rows_shown": shown}

    return asyncio.run(main())


def run(options: Options) -> list[Result]:
    words = WORDS[:2] if options.quick else WORDS
    outcome = run_child(__name__, "keystrokes", {"rows": ROWS, "words": list(words)})
    samples = outcome["ms"]
    ours = median(samples)
    return [
        Result(
            name=NAME,
            what=f"one filter keystroke at {ROWS:,} rows to the repaint (headless)",
            unit="ms",
            synctui=ours,
            baseline=None,
            checked=ours,
            target=TARGET_MS,
            direction="max",
            target_text=f"median ≤ {TARGET_MS:g} ms",
            inputs={
                "rows": ROWS,
                "keystrokes": len(samples),
                "words": list(words),
                "p95_ms": percentile(samples, 95),
                "max_ms": max(samples),
                "rows_shown_range": [min(outcome["rows_shown"]), max(outcome["rows_shown"])],
            },
            samples={"synctui": samples},
        )
    ]
