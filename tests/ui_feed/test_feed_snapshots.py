"""Screenshots of the viewer over real sandbox data (seed 7, frozen clock, no generator).

Everything time-dependent is pinned: `received_at` is fixed in the template, the clock is a
`FixedClock` (UTC, two seconds after the last poll), and no engine runs, so the rate is zero
and the sparkline flat.
"""

from __future__ import annotations

from pathlib import Path

from synctui.services.feed import FeedEngine
from synctui.store.feedstore import ChangeFilter, FeedStore
from synctui.ui.app import SyncTuiApp
from synctui.ui.feed import FixedClock
from synctui.ui.feed.detail_pane import DetailPane
from tests.ui_feed.conftest import ACCOUNT, feed_app, opened_feed, wait_for

LAST_POLL = 1000.0


def _app(db: Path, *, backing_off: bool = False) -> SyncTuiApp:
    store = FeedStore(db)
    engine = FeedEngine(ACCOUNT, adapter=None, store=store)  # never run: state only
    for state in engine.states.values():
        state.has_more = False
        state.last_success = LAST_POLL
    if backing_off:
        engine.states["form"].has_more = True
        contact = engine.states["contact"]
        contact.last_error = "LetsBuild is unavailable (HTTP 503); will retry"
        contact.consecutive_errors = 3
    clock = FixedClock(now=LAST_POLL + 2)
    return feed_app(None, store, engine=engine, clock=clock)


async def _settled(pilot) -> None:  # type: ignore[no-untyped-def]
    screen = await opened_feed(pilot)
    await wait_for(
        pilot,
        lambda: (
            screen._index_ready
            and screen._baseline_done
            and not screen._polling
            and bool(screen.project_names)
            and screen.change_list.row_count > 0
        ),
        "a settled screen",
    )
    await pilot.pause()


def test_following_the_feed(snap_compare, feed_db: Path) -> None:
    assert snap_compare(_app(feed_db), terminal_size=(120, 40), run_before=_settled)


def test_detail_of_a_resolved_partial(snap_compare, feed_db: Path) -> None:
    store = FeedStore(feed_db)
    target = store.page(ACCOUNT, ChangeFilter(partial_only=True), limit=1)[0]
    store.close()

    async def open_detail(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settled(pilot)
        screen = await opened_feed(pilot)
        change_list = screen.change_list
        change_list.move_cursor(change_list.index.position_of(target.id), by_user=True)
        await pilot.press("enter")
        pane = screen.query_one(DetailPane)
        await wait_for(pilot, lambda: pane.detail and pane.detail.change.id == target.id, "detail")
        await pilot.pause()

    assert snap_compare(_app(feed_db), terminal_size=(120, 40), run_before=open_detail)


def test_filtered_at_80_columns_while_a_feed_backs_off(snap_compare, feed_db: Path) -> None:
    async def narrow(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settled(pilot)
        await pilot.press("3", "u", "slash", *"glass", "enter")
        screen = await opened_feed(pilot)
        await wait_for(pilot, lambda: screen.filter.text == "glass", "search applied")
        await _settled(pilot)

    app = _app(feed_db, backing_off=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=narrow)
