"""The viewer against a sandbox whose generator keeps producing changes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from synctui.services.feed import FeedEngine
from synctui.store.feedstore import ChangeFilter, FeedStore
from synctui.ui.app import SyncTuiApp
from tests.ui_feed.conftest import (
    ACCOUNT,
    feed_app,
    opened_feed,
    session_for,
    stored_ids,
    visible_rows,
    wait_for,
)


def _app(sandbox, db: Path) -> tuple[SyncTuiApp, FeedStore]:
    store = FeedStore(db)
    return feed_app(session_for(sandbox), store, poll_interval=0.05), store


async def test_live_changes_appear_and_follow_keeps_the_newest_selected(
    live_sandbox, feed_db
) -> None:
    app, store = _app(live_sandbox, feed_db)
    seeded = len(stored_ids(store))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened_feed(pilot)
        await wait_for(pilot, lambda: screen.change_list.row_count >= seeded + 30, "live rows")
        change_list = screen.change_list
        # Follow mode: the cursor is on the newest row the list holds, which is on screen.
        assert change_list.cursor_position == change_list.row_count - 1
        assert change_list.cursor_id == change_list.index.ids[-1]
        last_line = [line for line in visible_rows(screen) if line.strip()][-1]
        assert last_line.startswith("▌"), "the selected (newest) row is the last one painted"
        # Nothing lost, nothing repeated: the list is exactly the store up to its last id.
        shown = list(change_list.index.ids)
        assert shown == [i for i in stored_ids(store) if i <= shown[-1]]
        assert "FOLLOWING" in str(screen.query_one("#feed-title").content)
    store.close()


async def test_pause_freezes_the_view_while_ingestion_continues(live_sandbox, feed_db) -> None:
    app, store = _app(live_sandbox, feed_db)
    seeded = len(stored_ids(store))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened_feed(pilot)
        change_list = screen.change_list
        await wait_for(pilot, lambda: change_list.row_count > seeded, "first live rows")
        await pilot.press("p")
        frozen_rows = change_list.row_count
        frozen_cursor = change_list.cursor_id
        frozen_lines = visible_rows(screen)
        total_at_pause = sum(screen.totals.values())
        await wait_for(
            pilot, lambda: sum(screen.totals.values()) >= total_at_pause + 40, "ingestion"
        )
        assert len(stored_ids(store)) >= total_at_pause + 40  # the engine kept storing
        assert change_list.row_count == frozen_rows
        assert change_list.cursor_id == frozen_cursor
        assert visible_rows(screen) == frozen_lines
        title = str(screen.query_one("#feed-title").content)
        assert "PAUSED" in title and " new" in title
        # Resuming jumps to the newest again.
        await pilot.press("p")
        await wait_for(pilot, lambda: change_list.row_count >= total_at_pause + 40, "catch-up")
        assert change_list.cursor_position == change_list.row_count - 1
    store.close()


async def test_moving_up_while_following_switches_to_browsing(live_sandbox, feed_db) -> None:
    app, store = _app(live_sandbox, feed_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened_feed(pilot)
        change_list = screen.change_list
        await wait_for(pilot, lambda: change_list.row_count > 0, "rows")
        await pilot.press("up", "up")
        assert not screen.following
        assert "BROWSING" in str(screen.query_one("#feed-title").content)
        position = change_list.cursor_position
        await wait_for(
            pilot, lambda: sum(screen.totals.values()) > change_list.row_count + 5, "more"
        )
        assert change_list.cursor_position == position
        await pilot.press("G")
        assert screen.following
        await wait_for(pilot, lambda: change_list.row_count > position + 2, "follow again")
        assert change_list.cursor_position == change_list.row_count - 1
    store.close()


async def test_an_engine_the_app_runs_is_hooked_not_owned(live_sandbox, feed_db) -> None:
    session = session_for(live_sandbox)
    store = FeedStore(feed_db)
    seen: list[int] = []
    engine = FeedEngine(
        ACCOUNT,
        session.adapter(ACCOUNT),
        store,
        poll_interval=0.05,
        on_page=lambda _feed, _changes, ids: seen.extend(ids),
    )
    own_callback = engine.on_page
    runner = asyncio.create_task(engine.run(follow=True))
    # The app's own session is closed when it exits; the engine's must outlive it.
    app = feed_app(session_for(live_sandbox), store, engine=engine)
    seeded = len(stored_ids(store))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened_feed(pilot)
        await wait_for(pilot, lambda: screen.change_list.row_count >= seeded + 20, "live rows")
        assert seen, "the app's own callback still runs"
        await pilot.press("escape")  # leave the screen: back on the sync table
        await wait_for(pilot, lambda: app.screen is app.main, "the viewer left")
    assert not runner.done(), "leaving the screen does not stop an engine it does not own"
    assert engine.on_page is own_callback, "the screen's hook is removed when it leaves"
    before = len(seen)
    await wait_for(_Sleeper(), lambda: len(seen) > before, "app engine keeps running")
    engine.stop()
    await runner
    await session.aclose()
    store.close()


class _Sleeper:
    """`wait_for` outside an app: just yield to the event loop."""

    async def pause(self, delay: float) -> None:
        await asyncio.sleep(delay)


async def test_filter_round_trips_while_changes_arrive_lose_nothing(live_sandbox, feed_db) -> None:
    app, store = _app(live_sandbox, feed_db)
    seeded = len(stored_ids(store))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened_feed(pilot)
        change_list = screen.change_list
        await wait_for(pilot, lambda: change_list.row_count > seeded, "live rows")
        for _ in range(2):  # the second round starts from cached indexes
            for key in ("3", "3"):
                await pilot.press(key)
                await wait_for(pilot, lambda: screen._index_ready, "filter applied")
                grown = change_list.row_count
                await wait_for(pilot, lambda n=grown: change_list.row_count > n, "more rows")
        point = ChangeFilter(feeds=("point",))
        for flt in (ChangeFilter(), point):
            if flt == point:
                await pilot.press("3")
                await wait_for(pilot, lambda: screen._index_ready, "points")
            shown = list(change_list.index.ids)
            assert shown == [i for i in stored_ids(store, flt) if i <= shown[-1]]
    store.close()
