"""The feed list's cursor row reads in the cursor's colours, every cell of it.

A muted time or project, or an operation's tone, painted over the cursor's background fell
below readable contrast (grey or blue text on the blue bar in the default theme). The table
of syncs already paints its cursor row this way; the change list must too.
"""

from __future__ import annotations

from pathlib import Path

from synctui.services.feed import FeedEngine
from synctui.store.feedstore import FeedStore
from synctui.ui.feed import FixedClock
from tests.ui_feed.conftest import ACCOUNT, feed_app, opened_feed, wait_for


async def test_every_cell_of_the_cursor_row_takes_the_cursor_colours(feed_db: Path) -> None:
    store = FeedStore(feed_db)
    engine = FeedEngine(ACCOUNT, adapter=None, store=store)  # never run: state only
    for state in engine.states.values():
        state.has_more = False
    app = feed_app(None, store, engine=engine, clock=FixedClock(now=1000.0))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await opened_feed(pilot)
            change_list = screen.change_list
            await wait_for(
                pilot,
                lambda: screen._index_ready and change_list.row_count > 0,
                "rows in the list",
            )
            change_list.move_cursor(0, by_user=True)  # the top row, on screen
            change_list.focus()
            await wait_for(pilot, lambda: change_list.has_focus, "the list focused")
            cursor = change_list.get_component_rich_style("change-list--cursor", partial=True)
            y = change_list.cursor_position - int(change_list.scroll_y) + 1
            segments = [s for s in change_list.render_line(y) if s.text.strip()]
            cells = segments[1:]  # the first is the cursor bar, in the accent colour
            assert len(cells) >= 5, "the cursor row's cells"
            base = change_list.rich_style + cursor
            assert all(s.style is not None and s.style.bgcolor == base.bgcolor for s in cells)
            odd = [s.text for s in cells if s.style is None or s.style.color != base.color]
            assert odd == [], f"cells on the cursor row in another colour: {odd}"
            # Off the cursor the tones stay: the time column is muted on other rows.
            other = [s for s in change_list.render_line(y + 1) if s.text.strip()]
            assert other[0].style is not None and other[0].style.color != base.color
    finally:
        store.close()
