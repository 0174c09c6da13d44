"""The LetsBuild change-feed engine, shared by the TUI viewer and `synctui feed tail`.

Each feed of an account runs as its own loop: fetch from the stored cursor, store the page
and its new cursor in one transaction, then either ask again at once (`hasMore`) or wait the
poll interval. Errors back off exponentially; 429s are already retried with `Retry-After`
by the HTTP policy below, so what reaches this loop is a real outage.

`hasMore: true` means "ask again at once", so a server that keeps saying it without moving
would keep the loop busy for ever. A catch-up therefore stops (`FeedStalled`, a clear
message) when the cursor comes back unchanged, after `IDLE_PAGES` pages in a row that bring
nothing new, and after `max_pages` pages (`network.max_pages`): without `--follow` that ends
the command (everything stored so far is kept; running it again continues), with it the feed
waits like after an error and tries again. A change the vendor sends again — the same page
twice, the same change on every page — is recognised against the store and never stored
twice. Without `--follow` a feed that keeps failing is given up after `give_up_after` tries
with short waits, not the poll-sized backoff a followed feed uses.
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
from synctui.vendors.paging import IDLE_PAGES

DEFAULT_MAX_PAGES = 10_000  # when the adapter does not say (`Limits.max_pages`)


class FeedStalled(errors.VendorError):
    """The feed said there was more but made no progress, or would not stop."""


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
    catch_up_pages: int = 0  # pages in a row with `hasMore`, since the feed was last caught up
    idle_pages: int = 0  # of those, in a row, the pages that brought nothing new


@dataclass
class FeedEngine:
    account: str
    adapter: object  # an Adapter with fetch_changes(feed, cursor)
    store: FeedStore
    feeds: Sequence[str] = FEEDS
    poll_interval: float = 30.0
    max_backoff: float = 300.0
    error_backoff: float = 1.0  # without follow: the first wait after a failure, doubling
    give_up_after: int = 3  # without follow: failures in a row before the feed is given up
    max_pages: int | None = None  # per catch-up; None: the adapter's `limits.max_pages`
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
        if self.max_pages is None:
            limits = getattr(self.adapter, "limits", None)
            self.max_pages = getattr(limits, "max_pages", DEFAULT_MAX_PAGES)

    def stop(self) -> None:
        self._stop.set()

    async def step(self, feed: str) -> bool:
        """Fetch and store one page; returns whether more is waiting.

        Raises `FeedStalled` (after storing what the page brought) when the catch-up must
        stop: see the module's docstring.
        """
        cursor = await asyncio.to_thread(self.store.cursor, self.account, feed)
        page = await self.adapter.fetch_changes(feed, cursor)  # type: ignore[attr-defined]
        fresh = await asyncio.to_thread(self._fresh, page.changes)
        stored = await asyncio.to_thread(
            self.store.store_page,
            self.account,
            feed,
            fresh,
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
        if self.on_page is not None and fresh:
            self.on_page(feed, fresh, ids)
        if not page.has_more:
            state.catch_up_pages = state.idle_pages = 0
            return False
        state.catch_up_pages += 1
        state.idle_pages = 0 if fresh else state.idle_pages + 1
        self._check_progress(feed, state, moved=page.cursor != cursor)
        return True

    def _fresh(self, changes: list[Change]) -> list[Change]:
        """The page's changes minus those already stored (or twice in the page)."""
        repeats = self.store.repeats(self.account, changes)
        out: list[Change] = []
        seen: dict[tuple[str, str, int | None], list[object]] = {}
        for change, repeat in zip(changes, repeats, strict=True):
            key = (change.entity_id, change.operation, change.sequence_version)
            twins = seen.setdefault(key, [])
            if repeat or any(change.data == data for data in twins):
                continue
            twins.append(change.data)
            out.append(change)
        return out

    def _check_progress(self, feed: str, state: FeedState, *, moved: bool) -> None:
        name = self.account
        if not moved:
            raise FeedStalled(
                f"{name}: LetsBuild sent the same cursor again with hasMore: true on the "
                f"{feed} feed; stopped asking"
            )
        if state.idle_pages >= IDLE_PAGES:
            raise FeedStalled(
                f"{name}: LetsBuild sent {state.idle_pages} pages in a row with nothing new "
                f"on the {feed} feed while saying there was more; stopped asking"
            )
        assert self.max_pages is not None
        if state.catch_up_pages >= self.max_pages:
            raise FeedStalled(
                f"{name}: the {feed} feed was still sending pages after {state.catch_up_pages} "
                "(network.max_pages); everything so far is stored, run it again to continue"
            )

    async def run_feed(self, feed: str, *, follow: bool, give_up_after: int | None = None) -> None:
        state = self.states[feed]
        limit = give_up_after if give_up_after is not None else self.give_up_after
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
                if not follow:
                    if isinstance(exc, FeedStalled):
                        raise
                    if state.consecutive_errors >= limit:
                        raise errors.VendorError(
                            f"{exc.message} (gave up on the {feed} feed after "
                            f"{state.consecutive_errors} failed tries in a row)",
                            getattr(exc, "status", None),
                            hint=exc.hint,
                        ) from exc
                if isinstance(exc, FeedStalled):
                    state.catch_up_pages = state.idle_pages = 0
                await self._sleep(self._backoff(state.consecutive_errors, follow=follow))
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

    def _backoff(self, failures: int, *, follow: bool = True) -> float:
        base = max(1.0, self.poll_interval) if follow else self.error_backoff
        ceiling = min(self.max_backoff, base * 2 ** min(failures - 1, 8))
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
