"""The LetsBuild adapter, the durable feed store and the engine, over real HTTP."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from synctui.domain import errors
from synctui.services.demo import demo_accounts
from synctui.services.feed import FEEDS, FeedEngine, parse_feeds
from synctui.store.feedstore import NULL_GUID, ChangeFilter, FeedStore
from synctui.vendors.http import RetrySettings
from synctui.vendors.letsbuild import LetsBuildAdapter, normalize_operation, parse_change
from tests.conftest import admin_state, set_faults
from tests.waits import Waits, no_wait

QUERY_OF = {
    "project": "projectSync",
    "form": "formSync",
    "point": "pointSync",
    "contact": "contactDetailsSync",
}


def make_adapter(sandbox, *, attempts: int = 5, token: str | None = None) -> LetsBuildAdapter:
    accounts, tokens = demo_accounts(sandbox.info())
    account = next(a for a in accounts if a.vendor == "letsbuild")
    retry = RetrySettings(
        attempts=attempts, base_delay=0.001, max_delay=0.01, max_retry_after=0.01, sleep=no_wait
    )
    return LetsBuildAdapter(account, token or tokens[account.name], retry=retry)


def truth(sandbox, feed: str) -> list[tuple[str, str]]:
    """(entityId, operation) in the sandbox's own order for a feed."""
    state = admin_state(sandbox, "letsbuild")["feeds"][QUERY_OF[feed]]
    return [(eid, normalize_operation(op)) for _seq, eid, op in state["changes"]]


def stored(store: FeedStore, account: str, feed: str) -> list[tuple[str, str]]:
    return [
        (c.entity_id, c.operation) for c in store.iter_all(account, ChangeFilter(feeds=(feed,)))
    ]


async def test_fetch_pages_follow_the_cursor(sandbox) -> None:
    adapter = make_adapter(sandbox)
    first = await adapter.fetch_changes("form", None)
    second = await adapter.fetch_changes("form", first.cursor)
    assert first.has_more and first.changes and second.changes
    assert first.changes[-1].entity_id != second.changes[0].entity_id or (
        first.changes[-1].sequence_version != second.changes[0].sequence_version
    )
    assert {c.operation for c in first.changes} <= {"created", "updated", "deleted"}
    await adapter.aclose()


async def test_bad_token_is_a_clear_auth_error(sandbox) -> None:
    adapter = make_adapter(sandbox, token="not-a-real-token")
    with pytest.raises(errors.AuthError) as info:
        await adapter.fetch_changes("project", None)
    assert "not-a-real-token" not in str(info.value)
    await adapter.aclose()


async def test_engine_catches_up_exactly_once(sandbox, tmp_path) -> None:
    store = FeedStore(tmp_path / "feeds.sqlite3")
    adapter = make_adapter(sandbox)
    engine = FeedEngine("lb", adapter, store, poll_interval=0.01)
    await engine.run(follow=False)
    for feed in FEEDS:
        assert stored(store, "lb", feed) == truth(sandbox, feed)
        assert not engine.states[feed].has_more
    # New changes arrive; a second run picks up exactly those.
    httpx.post(f"{sandbox.url('letsbuild')}/_sim/generate", json={"count": 300}).raise_for_status()
    await FeedEngine("lb", adapter, store, poll_interval=0.01).run(follow=False)
    for feed in FEEDS:
        assert stored(store, "lb", feed) == truth(sandbox, feed)
    await adapter.aclose()
    store.close()


async def test_engine_survives_a_fault_storm(sandbox, tmp_path) -> None:
    set_faults(
        sandbox,
        "500=0.1,502=0.05,429=0.05,retry-after=0,drop-after=0.05,malformed=0.05,only=letsbuild",
    )
    store = FeedStore(tmp_path / "feeds.sqlite3")
    adapter = make_adapter(sandbox, attempts=8)
    engine = FeedEngine("lb", adapter, store, poll_interval=0.01, sleep=no_wait)
    await engine.run(follow=False)
    set_faults(sandbox, "")
    for feed in FEEDS:
        assert stored(store, "lb", feed) == truth(sandbox, feed)
    await adapter.aclose()


async def test_partial_entities_are_flagged_then_resolved(sandbox, tmp_path) -> None:
    store = FeedStore(tmp_path / "feeds.sqlite3")
    adapter = make_adapter(sandbox)
    await FeedEngine("lb", adapter, store).run(follow=False)
    partial = store.page("lb", ChangeFilter(partial_only=True), limit=10_000, with_data=True)
    assert partial, "the seed contains partial entities"
    assert all(NULL_GUID in str(c.data) for c in partial)
    outstanding = {p[1] for p in admin_state(sandbox, "letsbuild")["partials"]}
    for change in partial:
        if change.entity_id in outstanding:
            continue
        history = store.history("lb", change.entity_id)
        fixed = [h for h in history if h.id > change.id and not h.partial]
        if fixed and fixed[0].operation == "updated":
            assert change.resolved_by == fixed[0].id
    assert any(c.resolved for c in partial)
    await adapter.aclose()


async def test_filters_counts_and_history(sandbox, tmp_path) -> None:
    store = FeedStore(tmp_path / "feeds.sqlite3")
    adapter = make_adapter(sandbox)
    await FeedEngine("lb", adapter, store, feeds=("point", "project")).run(follow=False)
    counts = store.counts_by_feed("lb")
    assert set(counts) == {"point", "project"}
    assert store.count("lb") == sum(counts.values())
    deleted = store.page("lb", ChangeFilter(operations=("deleted",)), limit=5)
    assert deleted and all(c.operation == "deleted" for c in deleted)
    sample = store.page(
        "lb", ChangeFilter(feeds=("point",), operations=("created",)), limit=1, with_data=True
    )[0]
    word = sample.subject.split()[0]
    hits = store.page("lb", ChangeFilter(text=word), limit=50)
    assert hits and all(
        word.lower() in (h.subject.lower() + str(store.get(h.id).data).lower()) for h in hits
    )
    project = sample.project_id
    in_project = store.page("lb", ChangeFilter(project_id=project), limit=50)
    assert in_project and all(c.project_id == project for c in in_project)
    history = store.history("lb", sample.entity_id)
    assert history[0].operation == "created"
    await adapter.aclose()


def test_parse_feeds() -> None:
    assert parse_feeds(None) == FEEDS
    assert parse_feeds("point, contactDetails") == ("point", "contact")
    with pytest.raises(errors.UsageError):
        parse_feeds("points,banana")


async def test_follow_mode_sees_live_changes(live_sandbox, tmp_path) -> None:
    store = FeedStore(tmp_path / "feeds.sqlite3")
    adapter = make_adapter(live_sandbox)
    engine = FeedEngine("lb", adapter, store, feeds=("point",), poll_interval=0.05)
    task = asyncio.create_task(engine.run(follow=True))
    for _ in range(600):  # catch up with the history first (bounded, no timing asserted)
        await asyncio.sleep(0.05)
        if engine.states["point"].pages and not engine.states["point"].has_more:
            break
    seen = store.count("lb")
    for _ in range(200):
        await asyncio.sleep(0.05)
        if store.count("lb") > seen:
            break
    assert store.count("lb") > seen, "live changes keep arriving in follow mode"
    engine.stop()
    await task
    await adapter.aclose()


async def test_two_engines_on_one_account_store_each_change_once(sandbox, tmp_path) -> None:
    """The TUI viewer and a `feed tail` may run at once on the same store: the cursor
    compare-and-set means whichever stores a page first wins, and the other moves on."""
    path = tmp_path / "feeds.sqlite3"
    first, second = FeedStore(path), FeedStore(path)
    a, b = make_adapter(sandbox), make_adapter(sandbox)
    await asyncio.gather(
        FeedEngine("lb", a, first, feeds=("form", "point")).run(follow=False),
        FeedEngine("lb", b, second, feeds=("form", "point")).run(follow=False),
    )
    for feed in ("form", "point"):
        assert stored(first, "lb", feed) == truth(sandbox, feed)
    await a.aclose()
    await b.aclose()


async def test_code_numbers_arrive_as_strings_and_are_stored_as_sent(sandbox, tmp_path) -> None:
    """Entities guide: `Point.codeNum: String!`. The snapshot is stored exactly as sent, so
    a string stays a string ("0042" is not 42) and a number from an older server stays one."""
    store = FeedStore(tmp_path / "feeds.sqlite3")
    adapter = make_adapter(sandbox)
    await FeedEngine("lb", adapter, store, feeds=("point", "form")).run(follow=False)
    for feed in ("point", "form"):
        sample = store.page(
            "lb", ChangeFilter(feeds=(feed,), operations=("created",)), limit=5, with_data=True
        )
        assert sample and all(isinstance(c.data["codeNum"], str) for c in sample)
        assert all(c.data["code"].endswith(c.data["codeNum"].zfill(4)) for c in sample)
    await adapter.aclose()

    entity = "11111111-2222-3333-4444-555555555555"
    shapes = [{"id": entity, "codeNum": "0042"}, {"id": entity, "codeNum": 42}]
    changes = [
        parse_change("point", {"entityId": entity, "operationType": "UPDATED", "data": shape})
        for shape in shapes
    ]
    assert [c.data["codeNum"] for c in changes] == ["0042", 42]
    store.store_page("other", "point", changes, "c1", False)
    assert [c.data["codeNum"] for c in store.history("other", entity)] == ["0042", 42]
    store.close()


class Unreachable:
    """An adapter whose vendor is down: every fetch fails the way the HTTP policy reports it."""

    def __init__(self) -> None:
        self.fetches = 0

    async def fetch_changes(self, feed: str, cursor: str | None) -> None:
        self.fetches += 1
        raise errors.VendorError("letsbuild: service unavailable (503)")


async def test_backoff_waits_grow_and_pass_through_the_injected_sleep(tmp_path) -> None:
    """The engine's waits are asked of its `sleep`: a test sees them without spending them."""
    waits = Waits()
    adapter = Unreachable()
    store = FeedStore(tmp_path / "feeds.sqlite3")
    engine = FeedEngine(
        "lb", adapter, store, feeds=("point",), poll_interval=10, max_backoff=60, sleep=waits
    )
    with pytest.raises(errors.VendorError):
        await engine.run_feed("point", follow=False, give_up_after=4)
    assert adapter.fetches == 4
    assert len(waits.asked) == 3  # between the attempts, none after the last
    # A one-shot read (no follow) starts from `error_backoff`, not the poll interval: a
    # `feed tail` without --follow must not sit out poll-sized waits before it gives up.
    for failures, asked in enumerate(waits.asked, start=1):
        ceiling = min(60, engine.error_backoff * 2 ** (failures - 1))
        assert ceiling / 2 <= asked <= ceiling
    store.close()


async def test_a_followed_feed_backs_off_from_its_poll_interval(tmp_path) -> None:
    """Following, the waits grow from the poll interval up to `max_backoff`."""
    waits = Waits()
    adapter = Unreachable()
    store = FeedStore(tmp_path / "feeds.sqlite3")
    engine = FeedEngine(
        "lb", adapter, store, feeds=("point",), poll_interval=10, max_backoff=60, sleep=waits
    )
    asked = [engine._backoff(failures, follow=True) for failures in range(1, 6)]
    for failures, wait in enumerate(asked, start=1):
        ceiling = min(60, 10 * 2 ** (failures - 1))
        assert ceiling / 2 <= wait <= ceiling
    store.close()


async def test_stop_cuts_a_wait_short(tmp_path) -> None:
    """A feed waiting out a backoff (or the poll interval) ends as soon as it is stopped."""
    asked = asyncio.Event()
    never = asyncio.Event()

    async def endless(seconds: float) -> None:
        asked.set()
        await never.wait()

    store = FeedStore(tmp_path / "feeds.sqlite3")
    engine = FeedEngine("lb", Unreachable(), store, feeds=("point",), sleep=endless)
    task = asyncio.create_task(engine.run(follow=True))
    await asyncio.wait_for(asked.wait(), timeout=10)
    engine.stop()
    await asyncio.wait_for(task, timeout=10)
    assert engine.states["point"].consecutive_errors == 1
    store.close()


@pytest.mark.parametrize("extensions", ["oops", ["SERVICE_UNAVAILABLE"], 503, None])
async def test_graphql_errors_with_odd_extensions_still_read_as_one_error(
    sandbox, extensions
) -> None:
    """`extensions` is an object by the GraphQL spec; anything else is read as no extensions
    (the error keeps its message) rather than breaking the adapter."""
    adapter = make_adapter(sandbox)
    error = adapter.map_graphql_errors([{"message": "something broke", "extensions": extensions}])
    assert isinstance(error, errors.SyncTuiError)
    assert "something broke" in str(error)
    await adapter.aclose()
