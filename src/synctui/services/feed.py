"""The LetsBuild change-feed engine, shared by the TUI viewer and `synctui feed tail`.

Each feed of an account runs as its own loop: fetch from the stored cursor, store the page
and its new cursor in one transaction, then either ask again at once (`hasMore`) or wait the
poll interval. While a page is being stored the next one is already asked for (one request
ahead per feed, from the cursor the page brought, unless a guard below could stop the feed
after this page); it is stored only through the same compare-and-set on its cursor, so it
is dropped, never stored twice, when anything went otherwise. Errors back off exponentially; 429s are already retried with `Retry-After`
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
import functools
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from synctui.domain import errors
from synctui.domain.models import Change, ChangePage
from synctui.services.vendor_rules import feed_title, title_of
from synctui.store.feedstore import FeedStore
from synctui.vendors.paging import IDLE_PAGES

T = TypeVar("T")

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
    # The cursor this engine last stored per feed: the next page is fetched from it without
    # reading the store. Safe because the write is a compare-and-set on the stored cursor
    # (`fetched_from`): if another engine moved it meanwhile, the write is refused, this is
    # forgotten and the store read again.
    _cursors: dict[str, str | None] = field(default_factory=dict)
    _store_thread: ThreadPoolExecutor | None = None
    # Per feed, the next page asked for while the last one is stored: (its cursor, the fetch).
    _ahead: dict[str, tuple[str, asyncio.Future[ChangePage]]] = field(default_factory=dict)
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
        cursor = self._cursors.get(feed, ...)
        if cursor is ...:
            cursor = await self._in_store(self.store.cursor, self.account, feed)
        page = await self._fetch(feed, cursor)
        if page.has_more and page.cursor != cursor and not self._may_stop_after(feed):
            # Ask for the next page while this one is stored. It is stored only if this one
            # was (the write is a compare-and-set on the cursor it was fetched from), and is
            # dropped on any failure below: at most one request ahead, never a page twice.
            ahead = asyncio.ensure_future(self.adapter.fetch_changes(feed, page.cursor))  # type: ignore[attr-defined]
            self._ahead[feed] = (page.cursor, ahead)
        try:
            return await self._keep(feed, page, cursor)
        except BaseException:
            self._drop_ahead(feed)
            raise

    async def _keep(self, feed: str, page: ChangePage, cursor: str | None) -> bool:
        """Store a fetched page and account for it (the second half of `step`)."""
        # The repeat check and the write share one trip to the store's thread.
        fresh, stored = await self._in_store(self._store_page, feed, page, cursor)
        state = self.states[feed]
        if stored is None:
            # Another engine (the TUI, or a `feed tail`) stored this page first: go again
            # from the position it left, so nothing is stored or shown twice.
            self._cursors.pop(feed, None)
            self._drop_ahead(feed)
            return True
        self._cursors[feed] = page.cursor
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

    async def _fetch(self, feed: str, cursor: str | None) -> ChangePage:
        """The page after `cursor`: the one asked for ahead if it was asked from there."""
        ahead = self._ahead.pop(feed, None)
        if ahead is not None:
            wanted, task = ahead
            if wanted == cursor:
                return await task
            _discard(task)
        return await self.adapter.fetch_changes(feed, cursor)  # type: ignore[attr-defined,no-any-return]

    def _may_stop_after(self, feed: str) -> bool:
        """Whether a guard could stop the catch-up after this page (the page cap, or one
        more page with nothing new): then nothing is asked ahead, so a stopped feed has sent
        exactly the requests it would have sent one page at a time."""
        state = self.states[feed]
        assert self.max_pages is not None
        return state.idle_pages + 1 >= IDLE_PAGES or state.catch_up_pages + 1 >= self.max_pages

    def _drop_ahead(self, feed: str) -> None:
        ahead = self._ahead.pop(feed, None)
        if ahead is not None:
            _discard(ahead[1])

    async def _in_store(self, call: Callable[..., T], *args: object) -> T:
        """Run a store call on this engine's one store thread, off the event loop.

        One thread for all the engine's feeds: their page writes queue here, one after the
        other, instead of four connections contending for SQLite's write lock (a loser
        sleeps in SQLite's busy handler, up to 100 ms a try, while the lock is long free).
        """
        if self._store_thread is None:
            self._store_thread = ThreadPoolExecutor(1, thread_name_prefix="feed-store")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._store_thread, functools.partial(call, *args))

    def _store_page(
        self, feed: str, page: ChangePage, cursor: str | None
    ) -> tuple[list[Change], list[int] | None]:
        """(the page's fresh changes, their new ids or None when another engine moved the
        cursor first). Runs in a worker thread."""
        fresh = self._fresh(page.changes)
        stored = self.store.store_page(
            self.account, feed, fresh, page.cursor, page.has_more, fetched_from=cursor
        )
        return fresh, stored

    def _fresh(self, changes: list[Change]) -> list[Change]:
        """The page's changes minus those already stored (or twice in the page)."""
        repeats = self.store.repeats(self.account, changes)
        out: list[Change] = []
        seen: dict[tuple[str, str, int | None], list[object]] = {}
        for change, repeat in zip(changes, repeats, strict=True):
            if repeat:
                continue
            key = (change.entity_id, change.operation, change.sequence_version)
            twins = seen.get(key)
            if twins is None:
                seen[key] = [change.data]
            elif change.data in twins:
                continue
            else:
                twins.append(change.data)
            out.append(change)
        return out

    def _who(self) -> str:
        """The vendor whose feed this is, by name ("LetsBuild")."""
        vendor = getattr(self.adapter, "vendor", "")
        return title_of(vendor) if isinstance(vendor, str) and vendor else feed_title()

    def _check_progress(self, feed: str, state: FeedState, *, moved: bool) -> None:
        name = self.account
        if not moved:
            raise FeedStalled(
                f"{name}: {self._who()} sent the same cursor again with hasMore: true on the "
                f"{feed} feed; stopped asking"
            )
        if state.idle_pages >= IDLE_PAGES:
            raise FeedStalled(
                f"{name}: {self._who()} sent {state.idle_pages} pages in a row with nothing new "
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
            for feed in list(self._ahead):
                self._drop_ahead(feed)

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


def _discard(task: asyncio.Future[ChangePage]) -> None:
    """Cancel a fetch asked for ahead that is no longer wanted, and read whatever it ended
    with (a failure nobody reads would be logged as never retrieved)."""
    task.cancel()
    task.add_done_callback(lambda done: done.cancelled() or done.exception())
