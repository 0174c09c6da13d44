"""The viewer's workers and timers answer whenever they finish: an answer that reaches the
screen while it is being opened or closed must not query widgets that are not there.

Messages wait for the screen's compose (Textual dispatches Compose and Mount before any
queued message), but a timer's callback runs in the timer's own task: while the screen is
being removed — its widgets pruned, children before parents — the 5 Hz tick may still fire.
"""

from __future__ import annotations

from pathlib import Path

from synctui.services.feed import FeedEngine
from synctui.settings import Settings
from synctui.store.feedstore import FeedStore
from synctui.ui.app import SyncTuiApp
from synctui.ui.feed import FeedScreen, FeedViewerOptions
from synctui.ui.feed.header import FeedHeader
from synctui.ui.feed.messages import StoreGrew, WorkerProblem
from tests.ui_feed.conftest import ACCOUNT, feed_app, offline_session, opened_feed, wait_for


def _grew(screen: FeedScreen) -> StoreGrew:
    return StoreGrew(screen._generation, False, screen._seen_id + 1, {"project": 1}, None)


async def test_answers_reaching_a_closing_viewer_are_dropped(feed_db: Path) -> None:
    store = FeedStore(feed_db)
    engine = FeedEngine(ACCOUNT, adapter=None, store=store)  # never run: state only
    app = feed_app(None, store, engine=engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened_feed(pilot)
        await wait_for(pilot, lambda: screen._index_ready, "the list's index built")
        await pilot.press("escape")  # leaving: its widgets are removed ...
        for _ in range(3):  # ... while a poll's and a worker's answers are still on their way
            screen.post_message(_grew(screen))
            screen.post_message(WorkerProblem("Reading the change store failed", "gone"))
        await wait_for(pilot, lambda: app.screen is app.main, "back on the sync table")
        await pilot.pause()
        assert app.is_running
    store.close()


async def test_answers_posted_before_the_viewer_is_composed_wait_for_it(feed_db: Path) -> None:
    store = FeedStore(feed_db)
    engine = FeedEngine(ACCOUNT, adapter=None, store=store)
    app = feed_app(None, store, engine=engine)
    async with app.run_test(size=(120, 40)) as pilot:
        first = await opened_feed(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main, "back on the sync table")
        # Opened again from the app's loop, an answer already queued for it before compose.
        again = FeedScreen(app.session, ACCOUNT, store, engine=engine)
        app.push_screen(again)
        again.post_message(_grew(first))
        await wait_for(pilot, lambda: again._index_ready, "the reopened viewer's index")
        assert app.is_running and app.screen is again
    store.close()


async def test_a_tick_while_the_viewer_is_being_removed_touches_nothing(feed_db: Path) -> None:
    store = FeedStore(feed_db)
    engine = FeedEngine(ACCOUNT, adapter=None, store=store)
    app = feed_app(None, store, engine=engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened_feed(pilot)
        await wait_for(pilot, lambda: screen._index_ready, "the list's index built")
        header = screen.query_one(FeedHeader)
        # Where the removal stands when the tick fires: the header's own children are gone,
        # the header and the screen not yet; the engine's state has changed meanwhile.
        await header.query_one("#feed-title").parent.remove()  # type: ignore[union-attr]
        screen._pruning = True
        screen.engine_state = "stopped"
        screen._tick()  # what the timer's task calls
        screen._pruning = False
        assert app.is_running
    store.close()


async def test_the_viewer_polls_at_the_feed_settings_interval(feed_db: Path) -> None:
    """`[feed] poll_seconds` for a real server, `demo_poll_seconds` for a demo account."""
    settings = Settings(feed_poll_seconds=45.0, demo_feed_poll_seconds=3.0)
    store = FeedStore(feed_db)
    for demo_names, expected in ((frozenset(), 45.0), (frozenset({ACCOUNT}), 3.0)):
        app = SyncTuiApp(
            offline_session(),
            initial_account=ACCOUNT,
            demo_names=demo_names,
            persist_accounts=False,
            settings=settings,
            feed=FeedViewerOptions(store=store),
        )
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await opened_feed(pilot)
            assert screen.poll_interval == expected
    store.close()
