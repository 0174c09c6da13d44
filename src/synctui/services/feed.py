"""The LetsBuild change-feed engine, shared by the TUI viewer and `synctui feed tail`.

Each feed of an account runs as its own loop: fetch from the stored cursor, store the page
and its new cursor in one transaction, then either ask again at once (`hasMore`) or wait the
poll interval. Errors back off exponentially; 429s are already retried with `Retry-After`
by the HTTP policy below, so what reaches this loop is a real outage.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from synctui.domain import errors
from synctui.domain.models import Change
from synctui.store.feedstore import FeedStore

FEEDS = ("project", "form", "point", "contact")
FEED_ALIASES = {
    "contactdetails": "contact",
    "contacts": "contact",
    "projects": "project",
    "forms": "form",
    "points": "point",
}


def parse_feeds(text: str | None) -> tuple[str, ...]:
    """'project,point' → ('project', 'point'); a clear error for unknown names."""
    if not text:
        return FEEDS
    out: list[str] = []
    for part in text.split(","):
        name = part.strip().lower()
        name = FEED_ALIASES.get(name, name)
        if name not in FEEDS:
            raise errors.UsageError(f"unknown feed {part.strip()!r} (feeds: {', '.join(FEEDS)})")
        if name not in out:
            out.append(name)
    return tuple(out)


@dataclass
class FeedState:
    """What the header strip shows for one feed."""

    feed: str
    has_more: bool = True
    last_success: float | None = None  # engine clock (time.monotonic) at the last stored page
    last_error: str | None = None
    consecutive_errors: int = 0
    pages: int = 0
    stored: int = 0  # changes stored by this engine since it started


@dataclass
class FeedEngine:
    account: str
    adapter: object  # an Adapter with fetch_changes(feed, cursor)
    store: FeedStore
    feeds: Sequence[str] = FEEDS
    poll_interval: float = 30.0
    max_backoff: float = 300.0
    on_page: Callable[[str, list[Change], list[int]], None] | None = None
    on_error: Callable[[str, errors.SyncTuiError], None] | None = None
    states: dict[str, FeedState] = field(default_factory=dict)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    # What `FeedState.last_success` is measured on; the viewer's clock must agree with it.
    clock: Callable[[], float] = time.monotonic
    # How a wait (the poll interval, a backoff) passes; `stop()` cuts it short either way.
    # Tests give one that records the wait instead of sleeping.
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def __post_init__(self) -> None:
        for feed in self.feeds:
            self.states.setdefault(feed, FeedState(feed))

    def stop(self) -> None:
        self._stop.set()

    async def step(self, feed: str) -> bool:
        """Fetch and store one page; returns whether more is waiting."""
        cursor = await asyncio.to_thread(self.store.cursor, self.account, feed)
        page = await self.adapter.fetch_changes(feed, cursor)  # type: ignore[attr-defined]
        stored = await asyncio.to_thread(
            self.store.store_page,
            self.account,
            feed,
            page.changes,
            page.cursor,
            page.has_more,
            fetched_from=cursor,
        )
        state = self.states[feed]
        if stored is None:
            # Another engine (the TUI, or a `feed tail`) stored this page first: go again
            # from the position it left, so nothing is stored or shown twice.
            return True
        ids = stored
        state.has_more = page.has_more
        state.last_success = self.clock()
        state.last_error = None
        state.consecutive_errors = 0
        state.pages += 1
        state.stored += len(ids)
        if self.on_page is not None and page.changes:
            self.on_page(feed, page.changes, ids)
        return bool(page.has_more)

    async def run_feed(self, feed: str, *, follow: bool, give_up_after: int = 8) -> None:
        state = self.states[feed]
        while not self._stop.is_set():
            try:
                more = await self.step(feed)
            except errors.SyncTuiError as exc:
                state.consecutive_errors += 1
                state.last_error = str(exc)
                if self.on_error is not None:
                    self.on_error(feed, exc)
                if isinstance(exc, errors.AuthError | errors.PermissionDenied | errors.UsageError):
                    raise
                if not follow and state.consecutive_errors >= give_up_after:
                    raise
                await self._sleep(self._backoff(state.consecutive_errors))
                continue
            if more:
                continue
            if not follow:
                return
            await self._sleep(self.poll_interval)

    async def run(self, *, follow: bool) -> None:
        """Run every feed in parallel until caught up (or forever with follow)."""
        tasks = [asyncio.create_task(self.run_feed(f, follow=follow)) for f in self.feeds]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()

    def _backoff(self, failures: int) -> float:
        ceiling = min(self.max_backoff, max(1.0, self.poll_interval) * 2 ** min(failures - 1, 8))
        return random.uniform(ceiling / 2, ceiling)

    async def _sleep(self, seconds: float) -> None:
        waiting = asyncio.ensure_future(self.sleep(seconds))
        stopping = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait((waiting, stopping), return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiting.cancel()
            stopping.cancel()
        if waiting.done() and not waiting.cancelled():
            waiting.result()  # a failing sleep is a bug to see, not to swallow
