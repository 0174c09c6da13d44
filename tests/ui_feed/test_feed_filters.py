"""Filters narrow the list to exactly what the store says matches."""

from __future__ import annotations

from synctui.store.feedstore import ChangeFilter, FeedStore
from tests.ui_feed.conftest import (
    ACCOUNT,
    feed_app,
    opened_feed,
    session_for,
    stored_ids,
    visible_rows,
    wait_for,
)


def _settled(screen) -> bool:  # type: ignore[no-untyped-def]
    return screen._index_ready and not screen._polling


async def test_feed_operation_partial_and_project_filters(sandbox, feed_store: FeedStore) -> None:
    app = feed_app(session_for(sandbox), feed_store, poll_interval=5.0)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened_feed(pilot)
        shown = lambda: list(screen.change_list.index.ids)  # noqa: E731

        async def expect(flt: ChangeFilter, what: str) -> None:
            await wait_for(
                pilot, lambda: _settled(screen) and shown() == stored_ids(feed_store, flt), what
            )
            assert shown(), f"{what}: the seed has matching changes"

        await expect(ChangeFilter(), "everything")
        everything = len(shown())
        await pilot.press("3")
        await expect(ChangeFilter(feeds=("point",)), "points")
        await pilot.press("2")
        await expect(ChangeFilter(feeds=("form", "point")), "forms and points")
        await pilot.press("c")
        await expect(ChangeFilter(feeds=("form", "point"), operations=("created",)), "created")
        assert len(shown()) < everything
        rows = [r for r in visible_rows(screen) if r.strip()]
        assert rows and all(" created " in r and (" point " in r or " form ") for r in rows)
        await pilot.press("0", "c", "d")
        await expect(ChangeFilter(operations=("deleted",)), "deletions")
        await pilot.press("d", "exclamation_mark")
        await expect(ChangeFilter(partial_only=True), "partials")
        await pilot.press("exclamation_mark")
        await expect(ChangeFilter(), "everything again")

        # The project picker: type part of a name, Enter picks the first match.
        project_id, name = feed_store.projects(ACCOUNT)[0]
        await pilot.press("P")
        await pilot.pause()
        await pilot.press(*name[:12])
        await pilot.press("enter")
        await expect(ChangeFilter(project_id=project_id), "one project")
        bar = str(screen.query_one("#feed-filter-bar").render())
        assert name[:15] in bar and "! partial" in bar
        rows = [r for r in visible_rows(screen) if r.strip()]
        assert rows and all(name[:12] in r for r in rows)


async def test_free_text_search_as_you_type(sandbox, feed_store: FeedStore) -> None:
    app = feed_app(session_for(sandbox), feed_store, poll_interval=5.0)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened_feed(pilot)
        shown = lambda: list(screen.change_list.index.ids)  # noqa: E731
        await wait_for(pilot, lambda: _settled(screen) and screen.change_list.row_count, "rows")
        await pilot.press("slash")
        await pilot.press(*"Balustrade")
        wanted = stored_ids(feed_store, ChangeFilter(text="Balustrade"))
        await wait_for(pilot, lambda: _settled(screen) and shown() == wanted, "search results")
        assert 0 < len(wanted) < len(stored_ids(feed_store))
        # A word that only occurs inside snapshots (not subjects) is found too.
        snapshot_only = feed_store.get(wanted[-1]).entity_id[:8]
        await pilot.press("enter")  # keep the filter, back to the list
        assert screen.change_list.has_focus
        await pilot.press("slash", "ctrl+u", *snapshot_only)
        await wait_for(
            pilot,
            lambda: (
                _settled(screen)
                and shown() == stored_ids(feed_store, ChangeFilter(text=snapshot_only))
            ),
            "search inside snapshots",
        )
        assert wanted[-1] in shown()
        await pilot.press("escape")  # clears the search
        await wait_for(pilot, lambda: _settled(screen) and shown() == stored_ids(feed_store), "all")
        assert screen.filter.text == ""
