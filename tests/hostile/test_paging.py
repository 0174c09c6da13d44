"""Page loops that would never end stop, with a clear message, and nothing is listed twice.

Followed blindly, a server that keeps promising more kept a listing going forever: Polytomic
empty pages each with a fresh token (20,000 requests in 30 s), the same items on every page.
Each server here is bounded itself — after `GIVE_UP` requests it finally says "no more" —
so a client without stops would end and fail these tests instead of hanging. The client's
page cap is 40 (`TINY.max_pages`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from synctui.domain import errors
from synctui.domain.models import Sync
from synctui.vendors.base import Adapter
from synctui.vendors.paging import IDLE_PAGES
from tests.hostile.conftest import TINY, Serve, account_for, make_adapter
from tests.hostile.server import Exchange, Reply, Request

GIVE_UP = 300  # the hostile server's own bound: after this many requests it stops paging


def sync_item(vendor: str, ident: str) -> dict[str, Any]:
    if vendor == "speckle":
        return {"id": ident, "fileName": f"{ident}.rvt"}
    return {"id": ident, "name": f"Sync {ident}"}


def page_answer(vendor: str, request: Request, items: list[Any], more: bool) -> Reply:
    """One page of syncs in the vendor's own envelope; `more` says another follows."""
    token = f"t{request.number}"  # a fresh token on every page
    if vendor == "polytomic":
        return Reply.json(
            {"data": items, "pagination": {"next_page_token": token if more else None}}
        )
    if vendor == "signalsmith":
        # Full pages and no total: only a short page would end it.
        return Reply.json(
            {"data": items, "pagination": {"page": 1, "page_size": len(items) or 100}}
        )
    if vendor == "speckle":
        collection = {"items": items, "cursor": token if more else None, "totalCount": 10**6}
        if "accSyncItems" in request.json().get("query", ""):
            collection = {"items": [], "cursor": None, "totalCount": 0}
            return Reply.json(
                {"data": {"project": {"id": "p1", "name": "P", "accSyncItems": collection}}}
            )
        return Reply.json({"data": {"project": {"id": "p1", "name": "P", "syncs": collection}}})
    raise AssertionError(vendor)


def paging(vendor: str, items_for: Callable[[Request], list[Any]]) -> Callable[..., Reply]:
    def handler(request: Request, exchange: Exchange) -> Reply:
        more = request.number < GIVE_UP
        return page_answer(vendor, request, items_for(request) if more else [], more)

    return handler


def list_requests(server: Any) -> list[Request]:
    """The listing's own requests (not Polytomic's per-row status reads)."""
    return server.seen(lambda r: not r.path.endswith("/status"))


async def listed(adapter: Adapter) -> tuple[list[Sync], errors.SyncTuiError | None]:
    """Every page `iter_syncs` yields before it ends, and the error it ended with."""
    out: list[Sync] = []
    try:
        async for page in adapter.iter_syncs():
            out.extend(page)
    except errors.SyncTuiError as exc:
        return out, exc
    finally:
        await adapter.aclose()
    return out, None


async def test_polytomic_empty_pages_with_fresh_tokens_stop(hostile: Serve) -> None:
    server = hostile(paging("polytomic", lambda request: []))
    adapter = make_adapter(account_for("polytomic", server.url))
    syncs, failure = await listed(adapter)
    assert syncs == []
    assert isinstance(failure, errors.VendorError)
    assert "pages in a row with nothing new" in str(failure)
    assert len(list_requests(server)) == IDLE_PAGES


@pytest.mark.parametrize("vendor", ["polytomic", "signalsmith", "speckle"])
async def test_the_same_items_on_every_page_are_listed_once_then_stop(
    hostile: Serve, vendor: str
) -> None:
    items = [sync_item(vendor, f"s{i}") for i in range(3)]
    server = hostile(paging(vendor, lambda request: items))
    syncs, failure = await listed(make_adapter(account_for(vendor, server.url)))
    assert sorted(s.id.rsplit("/", 1)[-1] for s in syncs) == ["s0", "s1", "s2"]
    assert isinstance(failure, errors.VendorError), failure
    assert "nothing new" in str(failure)
    assert len(list_requests(server)) <= IDLE_PAGES + 1


@pytest.mark.parametrize("vendor", ["polytomic", "signalsmith", "speckle"])
async def test_a_listing_stops_at_the_page_cap(hostile: Serve, vendor: str) -> None:
    counter = itertools.count()

    def fresh(request: Request) -> list[Any]:
        return [sync_item(vendor, f"s{next(counter)}") for _ in range(2)]

    server = hostile(paging(vendor, fresh))
    syncs, failure = await listed(make_adapter(account_for(vendor, server.url)))
    assert isinstance(failure, errors.VendorError), failure
    assert "network.max_pages" in str(failure)
    assert len(list_requests(server)) == TINY.max_pages
    assert len(syncs) == len({s.id for s in syncs}) == 2 * TINY.max_pages


async def test_a_repeated_cursor_stops_a_listing(hostile: Serve) -> None:
    counter = itertools.count()

    def handler(request: Request, exchange: Exchange) -> Reply:
        more = request.number < GIVE_UP
        items = [sync_item("polytomic", f"s{next(counter)}")] if more else []
        token = "again" if more else None
        return Reply.json({"data": items, "pagination": {"next_page_token": token}})

    server = hostile(handler)
    syncs, failure = await listed(make_adapter(account_for("polytomic", server.url)))
    assert len(syncs) == 2
    assert isinstance(failure, errors.VendorError) and "repeated a page cursor" in str(failure)
    assert len(list_requests(server)) == 2


@pytest.mark.parametrize("vendor", ["polytomic", "speckle", "signalsmith"])
async def test_run_histories_repeating_one_run_list_it_once(hostile: Serve, vendor: str) -> None:
    """A history whose every page holds the same run: bounded, and the run shown once."""

    def handler(request: Request, exchange: Exchange) -> Reply:
        more = request.number < GIVE_UP
        token = f"t{request.number}" if more else None
        if vendor == "polytomic":
            run = {"id": "e1", "status": "completed", "created_at": "2026-01-01T00:00:00Z"}
            return Reply.json({"data": [run], "pagination": {"next_page_token": token}})
        if vendor == "signalsmith":
            if "/runs" not in request.path:
                return Reply.json({"id": "s1", "name": "S", "status": "active"})
            run = {"id": "r1", "status": "completed", "created_at": "2026-01-01T00:00:00Z"}
            return Reply.json({"data": [run], "pagination": {"page_size": 1}})
        run = {"id": "h1", "status": "succeeded", "createdAt": "2026-01-01T00:00:00Z"}
        history = {"items": [run], "cursor": token, "totalCount": 10**6}
        sync = {"id": "s1", "history": history}
        return Reply.json({"data": {"project": {"id": "p1", "name": "P", "sync": sync}}})

    server = hostile(handler)
    adapter = make_adapter(account_for(vendor, server.url))
    try:
        runs = await adapter.list_runs("p1/s1" if vendor == "speckle" else "s1", limit=20)
    except errors.VendorError as exc:
        runs = []
        assert "nothing new" in str(exc)
    finally:
        await adapter.aclose()
    assert len(runs) <= 1
    assert len(server.seen()) <= IDLE_PAGES + 3
