"""Engine failures become notifications and header state; the viewer keeps working."""

from __future__ import annotations

from synctui.store.feedstore import FeedStore
from tests.conftest import set_faults
from tests.ui_feed.conftest import (
    ACCOUNT,
    feed_app,
    notifications,
    opened_feed,
    session_for,
    wait_for,
)


def _feeds_line(screen) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one("#feed-feeds").content)


async def test_vendor_errors_back_off_visibly_and_recover(sandbox, feed_store: FeedStore) -> None:
    set_faults(sandbox, "503=1,only=letsbuild")
    app = feed_app(session_for(sandbox), feed_store, poll_interval=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened_feed(pilot)
        await wait_for(pilot, lambda: "backing off" in _feeds_line(screen), "backing off")
        await wait_for(pilot, lambda: any("retrying" in n for n in notifications(app)), "toast")
        assert "503" in _feeds_line(screen)
        # The list fills once its index over the stored changes is built, which may finish
        # after the first failed poll has been painted.
        await wait_for(pilot, lambda: screen._index_ready, "the list's index built")
        assert screen.change_list.row_count == len(feed_store.ids(ACCOUNT, limit=10**6))
        await pilot.press("3")  # the viewer still works while the vendor is down
        await wait_for(pilot, lambda: screen._index_ready and screen.filter.feeds, "filter")
        set_faults(sandbox, "")
        await wait_for(
            pilot, lambda: "backing off" not in _feeds_line(screen), "recovery", limit=60
        )
        assert screen.engine_state == "running"


async def test_a_rejected_token_stops_the_feed_without_crashing(sandbox, feed_store) -> None:
    app = feed_app(session_for(sandbox, token="lb_pat_wrong"), feed_store, poll_interval=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened_feed(pilot)
        await wait_for(pilot, lambda: screen.engine_state.startswith("stopped"), "stopped")
        await wait_for(
            pilot, lambda: any("press r" in n.lower() for n in notifications(app)), "toast"
        )
        assert "stopped" in str(screen.query_one("#feed-title").content)
        await wait_for(pilot, lambda: screen.change_list.row_count > 0, "stored rows still shown")
        assert app.is_running and app.screen is screen
