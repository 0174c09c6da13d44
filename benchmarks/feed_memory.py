"""Resident memory of the feed viewer open on 1,000,000 stored changes, against 10,000.

The store is built directly in `FeedStore`'s schema (synthetic rows generated inside SQLite,
outside the measured processes). Each viewer runs in a fresh process (synctui opened on the
LetsBuild account, headless, 120x40): it opens, waits until every change is indexed,
scrolls to the oldest, pages down three times and goes back to the newest, then reads its
own VmRSS (and peak VmHWM) from /proc. Memory must stay bounded by the screen, not the
store. Target: at most 1.15x.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from benchmarks.core import Options, Result, interleave, median, run_child, scratch_dir
from benchmarks.tui import SIZE, wait_until

NAME = "feed_memory"
ACCOUNT = "letsbuild-demo"
LARGE, SMALL = 1_000_000, 10_000
TARGET = 1.15


def build_store(path: Path, rows: int) -> None:
    """Synthetic changes straight into the store's schema, generated in SQLite (fast):
    four feeds, the three operations, a partial now and then, 40 projects."""
    from synctui.store.feedstore import SCHEMA, FeedStore

    FeedStore(path).close()  # creates the schema
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    db.execute("DROP INDEX changes_feed")
    db.execute("DROP INDEX changes_entity")
    db.execute(
        """
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
        INSERT INTO changes (account, feed, entity_id, entity_type, operation,
                             sequence_version, partial, subject, project_id, data, received_at)
        SELECT ?,
               CASE i % 4 WHEN 0 THEN 'project' WHEN 1 THEN 'form'
                          WHEN 2 THEN 'point' ELSE 'contact' END,
               'e' || (i % 50000),
               CASE i % 4 WHEN 0 THEN 'Project' WHEN 1 THEN 'Form'
                          WHEN 2 THEN 'Point' ELSE 'ContactDetails' END,
               CASE (i / 4) % 4 WHEN 0 THEN 'created' WHEN 3 THEN 'deleted' ELSE 'updated' END,
               i, i % 997 = 0, 'Synthetic change ' || (i + 1), 'p' || (i % 40),
               '{"subject":"Synthetic change ' || (i + 1) || '","projectId":"p' || (i % 40) || '"}',
               '2026-11-20T08:00:00.000+00:00'
        FROM n
        """,
        (rows, ACCOUNT),
    )
    db.execute("COMMIT")
    db.executescript(SCHEMA)  # the indexes again, built once
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def _status() -> dict[str, float]:
    """VmRSS and VmHWM of this process, in MB."""
    out: dict[str, float] = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024
    return out


def viewer_memory(db: str, rows: int) -> dict[str, Any]:
    """Child: open the viewer on `db`, index every change, scroll, report memory."""
    from synctui.services.feed import FeedEngine
    from synctui.services.session import Session, SessionOptions
    from synctui.store.accounts import Account
    from synctui.store.feedstore import FeedStore
    from synctui.ui.app import SyncTuiApp
    from synctui.ui.feed import FeedScreen, FeedViewerOptions

    store = FeedStore(db)
    # An engine the "app" owns but never runs: the viewer reads the store only.
    engine = FeedEngine(ACCOUNT, adapter=None, store=store)

    # The account at an address nobody answers: the given engine never runs, nothing is asked.
    account = Account(name=ACCOUNT, vendor="letsbuild", base_url="http://127.0.0.1:9")
    session = Session([account], lambda _account: None, SessionOptions(journal_enabled=False))

    async def main() -> dict[str, Any]:
        # As `synctui --account letsbuild-demo` opens it: straight onto the feed viewer.
        feed = FeedViewerOptions(store=store, engine=engine)
        app = SyncTuiApp(session, initial_account=ACCOUNT, persist_accounts=False, feed=feed)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, FeedScreen), "the viewer")
            screen = app.screen
            assert isinstance(screen, FeedScreen)
            await wait_until(pilot, lambda: screen.change_list.row_count == rows, "the index", 300)
            await pilot.pause(0.3)
            await pilot.press("home")
            await pilot.press("pagedown", "pagedown", "pagedown")
            await pilot.press("end")
            await pilot.pause(1.5)  # a few ticks of the header and store polls
            painted = [screen.change_list.render_line(y).text for y in range(1, 4)]
            assert any("Synthetic change" in line for line in painted), painted
            return _status()

    try:
        return asyncio.run(main())
    finally:
        store.close()


def run(options: Options) -> list[Result]:
    reps = options.reps(3, 1)
    large = options.reps(LARGE, 200_000)
    folder = scratch_dir()
    paths = {
        "synctui": folder / f"feed-{large}.sqlite3",
        "baseline": folder / f"feed-{SMALL}.sqlite3",
    }
    sizes = {"synctui": large, "baseline": SMALL}
    for key, path in paths.items():
        if not path.exists():
            build_store(path, sizes[key])
    hwm: dict[str, list[float]] = {"synctui": [], "baseline": []}

    def measure(key: str) -> float:
        status = run_child(__name__, "viewer_memory", {"db": str(paths[key]), "rows": sizes[key]})
        hwm[key].append(status["VmHWM"])
        return status["VmRSS"]

    samples = interleave(
        reps, {"synctui": lambda: measure("synctui"), "baseline": lambda: measure("baseline")}
    )
    ours, theirs = median(samples["synctui"]), median(samples["baseline"])
    return [
        Result(
            name=NAME,
            what=f"feed viewer RSS open on {large:,} stored changes vs {SMALL:,}",
            unit="MB",
            synctui=ours,
            baseline=theirs,
            checked=ours / theirs,
            target=TARGET,
            direction="max",
            target_text=f"≤ {TARGET}× the same with {SMALL:,}",
            inputs={
                "changes": large,
                "baseline_changes": SMALL,
                "peak_mb_synctui": median(hwm["synctui"]),
                "peak_mb_baseline": median(hwm["baseline"]),
                "repetitions": reps,
                "terminal": f"{SIZE[0]}x{SIZE[1]}",
            },
            samples=samples,
        )
    ]
