"""The feed viewer's `/` search speaks the sync filter language, over changes.

The store turns the terms into SQL (with the domain's matcher inside SQLite for JSON paths
and fuzzy terms); here every search is also evaluated in plain Python, straight from the
documented meaning of each form, over all 21,000 seeded changes, and the two must agree.
"""

from __future__ import annotations

import json

import pytest

from synctui.domain.filtering import Term, in_order, json_texts, parse_filter, path_test
from synctui.store.feedstore import ChangeFilter, FeedStore, StoredChange
from tests.ui_feed.conftest import ACCOUNT, feed_app, opened_feed, session_for, stored_ids, wait_for

COLUMNS = {
    "feed": "feed",
    "operation": "operation",
    "op": "operation",
    "type": "entity_type",
    "entity": "entity_id",
    "project": "project_id",
    "subject": "subject",
}


def _one(term: Term, change: StoredChange) -> bool:
    """What one term (before a leading "!") says of a change, per the README."""
    data = change.data
    wanted = term.value.casefold()
    if term.field is None:
        subject = change.subject.casefold()
        if term.op == "fuzzy":
            values = [t.casefold() for t in json_texts(data)]
            return in_order(wanted, subject) or any(in_order(wanted, v) for v in values)
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":")) if data else ""
        return wanted in subject or wanted in text.casefold()
    column = COLUMNS.get(term.field)
    if column is not None:
        return path_test(Term(term.op, term.value, "x"))({"x": getattr(change, column) or None})
    return path_test(term)(data)


def expected(changes: list[StoredChange], text: str) -> list[int]:
    terms = parse_filter(text)
    return [c.id for c in changes if all(_one(t, c) != t.negated for t in terms)]


SEARCHES = [
    "Balustrade",
    "balustrade !operation=created",
    "operation=deleted feed=point",  # the README's examples
    "status.name=open",
    "isUrgent=true ~stair",
    "op!=deleted type~point",
    "status=open",
    "status~ope",
    "'stair core'",
    "~blstrd",
    "!~door feed=point",
    "code=P-0001",
    "project=",
    "project!=",
    "subject!~a",
    "nosuch.path=",
]


@pytest.fixture(scope="module")
def searched(feed_template) -> dict[str, tuple[list[int], list[int]]]:  # type: ignore[no-untyped-def]
    store = FeedStore(feed_template)
    try:
        changes = list(store.iter_all(ACCOUNT))
        return {
            text: (stored_ids(store, ChangeFilter(text=text)), expected(changes, text))
            for text in SEARCHES
        }
    finally:
        store.close()


@pytest.mark.parametrize("text", SEARCHES)
def test_the_store_selects_what_the_language_says(
    searched: dict[str, tuple[list[int], list[int]]], text: str
) -> None:
    got, wanted = searched[text]
    assert got == wanted
    assert wanted, f"{text!r} should find something in the seed"


def test_a_malformed_search_keeps_nothing_and_says_why(feed_store: FeedStore) -> None:
    flt = ChangeFilter(text="=open")
    assert stored_ids(feed_store, flt) == []
    assert (
        flt.search_error
        == "missing field name before '=' at column 1 (e.g. status=active, or quote the text to search for it)"
    )
    assert ChangeFilter(text='"open').search_error is None  # still being typed


async def test_the_viewer_searches_with_fields(sandbox, feed_store: FeedStore) -> None:  # type: ignore[no-untyped-def]
    app = feed_app(session_for(sandbox), feed_store, poll_interval=5.0)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened_feed(pilot)

        def shown() -> list[int]:
            return list(screen.change_list.index.ids)

        def settled() -> bool:
            return screen._index_ready and not screen._polling

        await wait_for(pilot, lambda: settled() and screen.change_list.row_count, "rows")
        await pilot.press("slash", *"operation=deleted feed=point")
        wanted = stored_ids(feed_store, ChangeFilter(text="operation=deleted feed=point"))
        await wait_for(pilot, lambda: settled() and shown() == wanted, "field search")
        assert 0 < len(wanted) < len(stored_ids(feed_store))
        await pilot.press("ctrl+u", *"=x")
        await wait_for(pilot, lambda: settled() and shown() == [], "malformed search")
        assert "Search error: missing field name" in screen.change_list.empty_text
