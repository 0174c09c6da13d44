"""The change feed against servers whose pages never end, repeat, or always fail.

LetsBuild's `hasMore: true` means "ask again at once". A server that keeps saying so with
the same cursor kept `feed tail` running forever; one that repeats the same change on every
page got it stored thousands of times; a feed answering 500 forever kept a non-follow
`feed tail` alive for 16 minutes; `--poll nan` busy-looped; `Retry-After: 1e9` was waited
out in silence. Every server here gives up by itself after `GIVE_UP` requests, so a client
without stops ends (and fails these tests) instead of hanging.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from synctui.cli import main
from synctui.domain import errors
from synctui.services.feed import FeedEngine
from synctui.store.feedstore import ChangeFilter, FeedStore
from synctui.vendors.paging import IDLE_PAGES
from tests.hostile.conftest import TINY, Serve, account_for, make_adapter
from tests.hostile.server import Exchange, Reply, Request

GIVE_UP = 200
ACCOUNT = "letsbuild-x"
HANG_GUARD = 60.0  # seconds: only ever reached by a client that does not stop by itself


def point(entity: str, sequence: int) -> dict[str, Any]:
    return {
        "entityId": entity,
        "entityType": "Point",
        "operationType": "UPDATED",
        "data": {"id": entity, "sequenceVersion": sequence, "subject": f"Point {entity}"},
    }


def feed_server(page: Callable[[Request, str | None], tuple[list[Any], str, bool]]) -> Any:
    """A LetsBuild whose `pointSync` answers `page(request, cursor)` → (changes, cursor,
    hasMore); after GIVE_UP requests it says there is no more."""

    def handler(request: Request, exchange: Exchange) -> Reply:
        payload = request.json()
        cursor = (payload.get("variables") or {}).get("cursor")
        changes, nxt, more = page(request, cursor)
        if request.number >= GIVE_UP:
            changes, more = [], False
        body = {"changes": changes, "cursor": nxt, "hasMore": more}
        return Reply.json({"data": {"pointSync": body}})

    return handler


async def tail(server_url: str, store_path: Path, **engine: Any) -> errors.SyncTuiError | None:
    """One non-follow catch-up of the point feed; the error it ended with, if any."""
    adapter = make_adapter(account_for("letsbuild", server_url))
    store = FeedStore(store_path)
    engine.setdefault("poll_interval", 0.01)
    runner = FeedEngine(account=ACCOUNT, adapter=adapter, store=store, feeds=("point",), **engine)
    runner.error_backoff = 0.001  # type: ignore[attr-defined]
    try:
        await asyncio.wait_for(runner.run(follow=False), HANG_GUARD)
    except errors.SyncTuiError as exc:
        return exc
    finally:
        await adapter.aclose()
        store.close()
    return None


def stored(store_path: Path) -> list[tuple[str, int | None]]:
    store = FeedStore(store_path)
    try:
        return [
            (c.entity_id, c.sequence_version)
            for c in store.iter_all(ACCOUNT, ChangeFilter(feeds=("point",)))
        ]
    finally:
        store.close()


async def test_has_more_with_the_same_cursor_stops(hostile: Serve, tmp_path: Path) -> None:
    server = hostile(feed_server(lambda request, cursor: ([], "c1", True)))
    failure = await tail(server.url, tmp_path / "feeds.sqlite3")
    assert isinstance(failure, errors.VendorError), failure
    assert "same cursor" in str(failure)
    assert len(server.seen()) == 2


async def test_empty_pages_with_fresh_cursors_stop(hostile: Serve, tmp_path: Path) -> None:
    server = hostile(feed_server(lambda request, cursor: ([], f"c{request.number}", True)))
    failure = await tail(server.url, tmp_path / "feeds.sqlite3")
    assert isinstance(failure, errors.VendorError), failure
    assert "nothing new" in str(failure)
    assert len(server.seen()) == IDLE_PAGES


async def test_the_same_change_on_every_page_is_stored_once(hostile: Serve, tmp_path: Path) -> None:
    server = hostile(
        feed_server(lambda request, cursor: ([point("p1", 7)], f"c{request.number}", True))
    )
    failure = await tail(server.url, tmp_path / "feeds.sqlite3")
    assert isinstance(failure, errors.VendorError) and "nothing new" in str(failure)
    assert stored(tmp_path / "feeds.sqlite3") == [("p1", 7)]


async def test_a_repeated_change_before_the_end_is_stored_once(
    hostile: Serve, tmp_path: Path
) -> None:
    """Repeats, then a real next change, then the end: a clean catch-up, nothing twice."""

    def page(request: Request, cursor: str | None) -> tuple[list[Any], str, bool]:
        if request.number <= 3:
            return [point("p1", 7), point("p1", 7)], f"c{request.number}", True
        return [point("p1", 8)], "end", False

    server = hostile(feed_server(page))
    assert await tail(server.url, tmp_path / "feeds.sqlite3") is None
    assert stored(tmp_path / "feeds.sqlite3") == [("p1", 7), ("p1", 8)]
    # A later catch-up that is sent the same last change again stores nothing.
    server2 = hostile(feed_server(lambda request, cursor: ([point("p1", 8)], "end2", False)))
    assert await tail(server2.url, tmp_path / "feeds.sqlite3") is None
    assert stored(tmp_path / "feeds.sqlite3") == [("p1", 7), ("p1", 8)]


async def test_a_catch_up_stops_at_the_page_cap(hostile: Serve, tmp_path: Path) -> None:
    server = hostile(
        feed_server(
            lambda request, cursor: (
                [point(f"p{request.number}", 1)],
                f"c{request.number}",
                True,
            )
        )
    )
    failure = await tail(server.url, tmp_path / "feeds.sqlite3")
    assert isinstance(failure, errors.VendorError) and "network.max_pages" in str(failure)
    assert len(server.seen()) == TINY.max_pages
    assert len(stored(tmp_path / "feeds.sqlite3")) == TINY.max_pages  # kept, not lost


async def test_a_feed_failing_forever_gives_up_without_follow(
    hostile: Serve, tmp_path: Path
) -> None:
    """500 on every request, the default 30 s poll interval: a non-follow tail gives up
    after a few tries with short waits (not the follow mode's poll-sized backoff)."""
    server = hostile(lambda request, exchange: Reply.json({"errors": [{"message": "down"}]}, 500))
    failure = await tail(server.url, tmp_path / "feeds.sqlite3", poll_interval=30.0)
    assert isinstance(failure, errors.VendorError), failure
    assert "gave up" in str(failure)
    assert len(server.seen()) <= 3 * 3  # engine tries × transport attempts (fast_retry: 3)


@pytest.mark.parametrize(
    "value", ["1e9", "99999999999999999999999", "inf", "Fri, 31 Dec 9999 23:59:59 GMT"]
)
async def test_a_huge_retry_after_is_capped_and_said(hostile: Serve, value: str) -> None:
    def handler(request: Request, exchange: Exchange) -> Reply:
        if request.number == 1:
            return Reply.json({"error": "slow down"}, 429, retry_after=value)
        return Reply.json({"data": [], "pagination": {}})

    server = hostile(handler)
    said: list[str] = []
    adapter = make_adapter(account_for("polytomic", server.url), on_retry=said.append)
    try:
        assert await adapter.list_syncs() == []
    finally:
        await adapter.aclose()
    assert len(said) == 1 and "server asked to wait" in said[0], said
    assert "capped at 50 ms" in said[0]


@pytest.mark.parametrize("value", ["soon", "nan", "-5", ""])
async def test_a_garbage_retry_after_waits_the_backoff(hostile: Serve, value: str) -> None:
    def handler(request: Request, exchange: Exchange) -> Reply:
        if request.number == 1:
            return Reply.json({"error": "slow down"}, 429, retry_after=value)
        return Reply.json({"data": [], "pagination": {}})

    server = hostile(handler)
    said: list[str] = []
    adapter = make_adapter(account_for("polytomic", server.url), on_retry=said.append)
    try:
        assert await adapter.list_syncs() == []
    finally:
        await adapter.aclose()
    assert len(said) == 1 and "capped" not in said[0]


def add_letsbuild_account(url: str) -> None:
    assert main(["accounts", "add", ACCOUNT, "--vendor", "letsbuild", "--url", url]) == 0


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "-inf"])
def test_a_poll_that_is_not_a_positive_number_is_refused(
    hostile: Serve, value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server = hostile(feed_server(lambda request, cursor: ([], "c", False)))
    add_letsbuild_account(server.url)
    capsys.readouterr()
    monkeypatch.setenv("SYNCTUI_TOKEN_LETSBUILD_X", "lb-token-0123456789")
    done = subprocess.run(
        [sys.executable, "-m", "synctui", "feed", "tail", ACCOUNT, "--follow", f"--poll={value}"],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--poll" in lines[0], done.stderr
    assert server.seen() == []


def test_a_non_follow_tail_of_a_broken_feed_ends_with_a_message(
    hostile: Serve, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The whole command, as a user runs it: 500 forever ends in a bounded time, exit 1."""
    server = hostile(lambda request, exchange: Reply.json({"errors": [{"message": "down"}]}, 500))
    add_letsbuild_account(server.url)
    settings = Path(tmp_path / "config" / "synctui" / "settings.toml")
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text("[network]\nretry_attempts = 1\n")
    monkeypatch.setenv("SYNCTUI_TOKEN_LETSBUILD_X", "lb-token-0123456789")
    done = subprocess.run(
        [sys.executable, "-m", "synctui", "feed", "tail", ACCOUNT, "--feed", "point"],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert done.returncode == 1, done.stderr
    assert "gave up on the point feed" in done.stderr
    assert "Traceback" not in done.stderr
