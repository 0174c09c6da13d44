"""Key press to repaint in the feed viewer while the feed streams 500 changes a second.

A sandbox in its own process generates 500 LetsBuild changes per second; the viewer
(synctui opened on the LetsBuild account, headless, 120x40, in a fresh process) ingests them with its engine on the same
event loop as the UI. Once the 21,000-change backlog is stored, the cursor keys move up
and down (the first key leaves follow mode; ingestion, the 5 Hz header and the store polls
go on), with a short random pause between keys so they land at every phase of the timers.
Each sample is the time from sending a key to the first list line painted with the cursor
where that key put it. Target: p95 ≤ 100 ms.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from benchmarks.core import Options, Result, median, percentile, run_child, scratch_dir
from benchmarks.sandbox_proc import sandbox_process
from benchmarks.tui import SIZE, wait_until

NAME = "feed_keypress"
ACCOUNT = "letsbuild-demo"
RATE = 500.0
TARGET_MS = 100.0


class CursorProbe:
    """Notes, for each cursor position, when the change list last started painting it."""

    def __init__(self) -> None:
        from synctui.ui.feed.change_list import ChangeList

        self.painted: list[tuple[float, int]] = []
        original = ChangeList.render_line

        def render_line(change_list: Any, y: int) -> Any:
            strip = original(change_list, y)
            cursor = change_list.cursor_position
            if not self.painted or self.painted[-1][1] != cursor:
                self.painted.append((time.perf_counter(), cursor))
            return strip

        ChangeList.render_line = render_line  # type: ignore[method-assign]

    def painted_after(self, since: float, cursor: int) -> float | None:
        """The first paint at or after `since` with the cursor at `cursor`."""
        for at, painted in self.painted:
            if at >= since and painted == cursor:
                return at
        return None


def keypresses(info: dict[str, Any], db: str, presses: int, seed: int = 1) -> dict[str, Any]:
    """Child: milliseconds from each cursor key to its repaint, while the feed streams."""
    from pathlib import Path

    from synctui.services.demo import demo_accounts
    from synctui.services.session import Session, SessionOptions
    from synctui.store.feedstore import FeedStore
    from synctui.ui.app import SyncTuiApp
    from synctui.ui.feed import FeedScreen, FeedViewerOptions

    Path(db).unlink(missing_ok=True)
    accounts, tokens = demo_accounts(info["vendors"])
    session = Session(accounts, lambda a: tokens.get(a.name), SessionOptions(journal_enabled=False))
    store = FeedStore(db)
    probe = CursorProbe()
    rng = random.Random(seed)

    async def main() -> dict[str, Any]:
        # As `synctui --account letsbuild-demo` opens it: straight onto the feed viewer.
        feed = FeedViewerOptions(store=store)
        app = SyncTuiApp(session, initial_account=ACCOUNT, persist_accounts=False, feed=feed)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(
                pilot,
                lambda: isinstance(app.screen, FeedScreen) and app.screen.is_mounted,
                "the viewer",
            )
            screen = app.screen
            assert isinstance(screen, FeedScreen)
            await wait_until(
                pilot, lambda: screen.link.caught_up() and screen._index_ready, "catch-up", 300
            )
            await pilot.pause(2.0)  # steady streaming
            stored_before = store.count(ACCOUNT)
            change_list = screen.change_list
            await pilot.press("up")  # leave follow mode: the list now moves only with keys
            await pilot.pause(0.3)
            samples: list[float] = []
            started = time.perf_counter()
            for i in range(presses):
                key = "up" if i % 2 == 0 else "down"
                expected = change_list.cursor_position + (-1 if key == "up" else 1)
                sent = time.perf_counter()
                await pilot.press(key)
                await wait_until(
                    pilot,
                    lambda s=sent, e=expected: probe.painted_after(s, e) is not None,
                    key,
                    30,
                )
                painted = probe.painted_after(sent, expected)
                assert painted is not None
                samples.append((painted - sent) * 1000)
                await asyncio.sleep(rng.uniform(0.02, 0.12))
            seconds = time.perf_counter() - started
            stored = store.count(ACCOUNT) - stored_before
            return {"ms": samples, "ingest_rate": stored / (seconds + 2.3)}

    try:
        return asyncio.run(main())
    finally:
        store.close()


def run(options: Options) -> list[Result]:
    presses = options.reps(60, 20)
    db = str(scratch_dir() / "keypress.sqlite3")
    with sandbox_process(scale=1, changes_per_second=RATE, frozen=False) as info:
        outcome = run_child(__name__, "keypresses", {"info": info, "db": db, "presses": presses})
    samples = outcome["ms"]
    p95 = percentile(samples, 95)
    return [
        Result(
            name=NAME,
            what=f"feed viewer: key press to repaint while {RATE:g} changes/s stream (headless)",
            unit="ms",
            synctui=p95,
            baseline=None,
            checked=p95,
            target=TARGET_MS,
            direction="max",
            target_text=f"p95 ≤ {TARGET_MS:g} ms",
            inputs={
                "changes_per_second": RATE,
                "presses": len(samples),
                "median_ms": median(samples),
                "max_ms": max(samples),
                "stored_per_second_while_pressing": outcome["ingest_rate"],
                "terminal": f"{SIZE[0]}x{SIZE[1]}",
            },
            samples={"synctui": samples},
        )
    ]
