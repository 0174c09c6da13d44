"""A store with 1,000,000 changes opens, scrolls end to end and filters."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from synctui.services.feed import FeedEngine
from synctui.store.feedstore import SCHEMA, ChangeFilter, FeedStore
from tests.ui_feed.conftest import (
    ACCOUNT,
    feed_app,
    opened_feed,
    stored_ids,
    visible_rows,
    wait_for,
)

ROWS = 1_000_000


def build_million(path: Path) -> None:
    """Synthetic rows straight into `FeedStore`'s schema, generated inside SQLite.

    A recursive CTE inserts them in C (per-row `executemany` from Python is 2-3 times
    slower), and the indexes are dropped for the insert and rebuilt once at the end, which
    is far cheaper than maintaining them row by row.
    """
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
               i, i % 997 = 0, 'Synthetic change ' || (i + 1), 'p' || (i % 40), NULL,
               '2025-03-14T08:00:00.000+00:00'
        FROM n
        """,
        (ROWS, ACCOUNT),
    )
    db.execute("COMMIT")
    db.executescript(SCHEMA)  # the indexes again
    db.close()


@pytest.mark.slow
async def test_a_million_changes_open_scroll_and_filter(tmp_path: Path) -> None:
    path = tmp_path / "million.sqlite3"
    build_million(path)
    store = FeedStore(path)
    # An engine the "app" owns but never runs: the screen only reads its state.
    engine = FeedEngine(ACCOUNT, adapter=None, store=store)
    app = feed_app(None, store, engine=engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened_feed(pilot)
        change_list = screen.change_list
        await wait_for(pilot, lambda: change_list.row_count == ROWS, "the million-row index")
        # Following: the newest change is selected and painted at the bottom.
        assert change_list.cursor_id == ROWS
        rows = [r for r in visible_rows(screen) if r.strip()]
        assert rows[-1].startswith("▌") and f"Synthetic change {ROWS} " in rows[-1]
        assert f"{ROWS:,} changes" in str(screen.query_one("#feed-filter-bar").render())

        await pilot.press("home")
        rows = visible_rows(screen)
        assert "Synthetic change 1 " in rows[0] and "Synthetic change 2 " in rows[1]
        await pilot.press("pagedown", "pagedown", "pagedown")
        rows = visible_rows(screen)
        assert all("Synthetic change" in r for r in rows), "every visible row is painted"
        await pilot.press("end")
        assert change_list.cursor_id == ROWS
        assert f"Synthetic change {ROWS} " in [r for r in visible_rows(screen) if r.strip()][-1]

        # Filtering a million rows happens off the UI thread and lands on the same rows.
        await pilot.press("2")
        wanted = stored_ids(store, ChangeFilter(feeds=("form",)))
        await wait_for(
            pilot,
            lambda: screen._index_ready and list(change_list.index.ids) == wanted,
            "form filter",
        )
        assert len(wanted) == ROWS // 4
        rows = [r for r in visible_rows(screen) if r.strip()]
        assert rows and all(" form " in r for r in rows)
    store.close()
