"""The README screenshots, regenerated from the demo sandbox so that they can never drift.

    python -m scripts.screenshots OUTDIR [--only NAME ...] [--check] [--jobs N] [--list]

(`make screenshots` writes them into `screenshots/`.) Hand-made captures go stale the day a
screen changes and nobody notices; these are made by the code, and a test fails when the
committed files differ from what this script would make now (`--check`).

Each screenshot is a fresh app at 120×40, driven with the keys a person would press (Textual's
Pilot), over the built-in sandbox: seed 7, its clock frozen at `FROZEN_EPOCH`, no live change
generator. Screens that only read share one sandbox; a screen that writes (the batch, the
growing change feed) gets a sandbox of its own, so `--only NAME` renders exactly what a full
run renders, and so does a run spread over processes (`--jobs`, two by default: the feed
viewer alone takes as long as half of the rest).

The attention view and the feed viewer are shown in their own small host apps, on a session
whose clock is the sandbox's frozen instant (`services.opening`).

Nothing on screen may come from the wall clock, a random id or a race, so every source of
those is pinned rather than hidden:

* every session's clock (`Session.clock`: ages, the schedule preview's next runs, the
  attention view) is the sandbox's frozen instant;
* the feed viewer runs on a `FixedClock`; the feed store stamps `received_at` and the feed
  engine stamps its polls from that same clock, and new changes arrive at pinned instants,
  so the rate sparkline has a real, repeatable shape;
* the batch gets a fixed id, its results complete in list order, and it is held after a fixed
  number of syncs (nothing past that point is sent);
* text cursors do not blink, notifications are cleared, animations are waited for, and
  every worker has finished before the capture.

Rich names the CSS classes of an SVG after a hash of its content (`terminal-1234-r5`); that
id is normalised away exactly as pytest-textual-snapshot does, so a diff of a regenerated file
shows only what changed on screen. PNGs are made only for the files a README may want as
bitmaps, and only when `rsvg-convert` is installed; `--check` compares the SVGs.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import tempfile
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scripts.screenshots.pilot import (
    SIZE,
    arrow_to,
    capture,
    choose,
    command,
    replace_text,
    running,
    settle,
    type_text,
    wait_for,
)

if TYPE_CHECKING:

    from synctui.services.demo import Demo
    from synctui.services.session import Session
    from synctui.ui.app import SyncTuiApp
    from synctui.ui.feed import FixedClock

SEED = 7
REGENERATE = "make screenshots"
THEMES = (
    "synctui-dark",
    "synctui-light",
    "synctui-high-contrast",
    "synctui-256",
    "synctui-production",
)
PRODUCTION_ACCOUNT = "polytomic-prod"
BATCH_ID = "4f1c9e27b8d0"  # what `new_batch_id()` returns during a capture
BATCH_HELD_AFTER = 6  # the batch is captured with this many results in
ATTENTION_SYNC = "NDE-UTL-ROAD-028"  # the attention view opens on this sync's investigation
FEED_ACCOUNT = "letsbuild-demo"
# Changes per second arriving during the three minutes the feed viewer watches (the
# sparkline's whole window): a steady trickle, a burst of form submissions from site around
# the one-minute mark, a smaller one later. Written out (not computed) so that no floating
# point on any platform can change a value.
FEED_RATES: tuple[int, ...] = (
    4, 3, 6, 3, 5, 4, 3, 5, 3, 5, 3, 3, 5, 7, 3, 4, 6, 7, 5, 4,
    7, 3, 7, 4, 3, 3, 4, 7, 3, 5, 6, 4, 5, 3, 3, 4, 6, 5, 4, 6,
    5, 5, 7, 7, 5, 7, 8, 10, 11, 9, 14, 11, 14, 18, 16, 20, 19, 24, 26, 26,
    28, 26, 28, 27, 27, 25, 26, 25, 21, 20, 16, 17, 15, 16, 13, 9, 9, 9, 5, 7,
    5, 4, 4, 7, 4, 4, 5, 7, 3, 5, 5, 7, 7, 7, 4, 5, 4, 7, 7, 3,
    3, 4, 4, 5, 5, 4, 3, 5, 4, 5, 7, 6, 5, 6, 6, 3, 7, 6, 7, 6,
    4, 5, 3, 6, 3, 3, 4, 4, 6, 5, 5, 7, 8, 11, 11, 16, 16, 14, 15, 15,
    14, 12, 15, 14, 10, 9, 6, 5, 6, 5, 7, 4, 3, 7, 5, 3, 5, 3, 5, 7,
    7, 6, 4, 4, 3, 6, 5, 6, 4, 4, 7, 7, 7, 7, 7, 6, 4, 5, 4, 3,
)  # fmt: skip
FEED_POLL_SECONDS = 2  # each feed is polled every 2 s, half of them on odd seconds
FEED_T0 = 1000.0  # the viewer's monotonic clock when it opens

# --- the registry ---------------------------------------------------------------------------


Render = Callable[["Studio"], Awaitable[str]]


@dataclass(frozen=True)
class Shot:
    """One screenshot: its file name (without .svg), what it shows, and how to reach it."""

    name: str
    title: str  # the window title drawn in the SVG
    shows: str
    render: Render
    png: bool = False  # also write a PNG (when rsvg-convert is installed)
    cost: float = 3.0  # rough seconds (measured), to spread the work over processes


SHOTS: dict[str, Shot] = {}


def shot(
    name: str, title: str, shows: str, *, png: bool = False, cost: float = 3.0
) -> Callable[[Render], Render]:
    def register(render: Render) -> Render:
        SHOTS[name] = Shot(name, title, shows, render, png, cost)
        return render

    return register


# --- sandboxes, sessions and pins ---------------------------------------------------------


@dataclass
class Studio:
    """What the screenshots share: one read-only frozen sandbox, started on first use, and
    the sandboxes started for screens that write (stopped at the end)."""

    _shared: Demo | None = None
    _started: list[Demo] = field(default_factory=list)

    def shared(self) -> Demo:
        if self._shared is None:
            self._shared = self.fresh()
        return self._shared

    def fresh(self) -> Demo:
        from synctui.services.demo import start_demo

        demo = start_demo(seed=SEED, frozen=True, changes_per_second=0)
        self._started.append(demo)
        return demo

    def close(self) -> None:
        for demo in self._started:
            demo.stop()
        self._started.clear()
        self._shared = None


def demo_session(
    demo: Demo, accounts: Sequence[Any] = (), tokens: dict[str, str] | None = None
) -> Session:
    """A session as `synctui --demo` builds one (its journal in the demo's scratch dir),
    optionally over accounts configured differently from the demo's own; its clock is the
    frozen sandbox's."""
    from synctui.services.opening import frozen_clock, open_session

    known = tokens or demo.tokens
    opened = open_session(
        demo=demo,
        accounts=list(accounts) or None,
        token_for=lambda a: known.get(a.name),
        clock=frozen_clock,
    )
    return opened.session


def main_app(demo: Demo, **kw: Any) -> SyncTuiApp:
    """The app `synctui --demo` opens, without auto-refresh (a capture never lasts 30 s)."""
    from synctui.ui.app import SyncTuiApp

    session = kw.pop("session", None) or demo_session(demo)
    kw.setdefault("refresh_seconds", 0)
    return SyncTuiApp(session, demo=demo, demo_names=frozenset(a.name for a in demo.accounts), **kw)


def frozen_now() -> datetime:
    from synctui.services.opening import frozen_clock

    return frozen_clock()


@contextlib.contextmanager
def pinned_environment(scratch: Path) -> Iterator[None]:
    """Config, data and cache dirs of our own (nothing read from or written to the real
    home: no saved theme, no drafts, no journal; the clocks are the sessions'), and none of the
    variables that change what is painted: NO_COLOR, synctui's own, and Textual's (dim
    factor, keys pressed at start, ...), which Textual reads once, when it is first imported
    — so this runs before that, in the process that renders."""
    saved_env = dict(os.environ)
    for name in ("CONFIG", "DATA", "CACHE", "STATE"):
        os.environ[f"XDG_{name}_HOME"] = str(scratch / name.lower())
    for name in list(os.environ):
        if name == "NO_COLOR" or name.startswith(("SYNCTUI_", "TEXTUAL_")):
            del os.environ[name]
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved_env)


# --- the screens -----------------------------------------------------------------------------


@shot(
    "all-accounts",
    "synctui — all accounts",
    "every demo account's syncs in one table sorted by status, statuses and times whole",
)
async def all_accounts(studio: Studio) -> str:
    async with running(main_app(studio.shared())) as pilot:
        await pilot.press("s")  # sort by status: what needs a look first, from every vendor
        return await capture(pilot, SHOTS["all-accounts"].title)


@shot(
    "vendor-table",
    "synctui — Polytomic syncs",
    ":ctx polytomic-demo — one account with its vendor's own columns, sorted by status (s)",
    cost=4.0,
)
async def vendor_table(studio: Studio) -> str:
    async with running(main_app(studio.shared())) as pilot:
        await command(pilot, "ctx polytomic-demo", typed="ctx po")
        await pilot.press("s", "g")
        return await capture(pilot, SHOTS["vendor-table"].title)


@shot(
    "detail",
    "synctui — sync detail",
    "the detail pane of a Speckle sync whose latest ingestion failed",
    cost=4.0,
)
async def detail(studio: Studio) -> str:
    async with running(main_app(studio.shared(), initial_account="speckle-demo")) as pilot:
        await pilot.press("slash")
        await type_text(pilot, "failed")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        return await capture(pilot, SHOTS["detail"].title)


@shot(
    "help",
    "synctui — keys",
    "? over the sync table: the keys of that screen and the : commands",
)
async def help_screen(studio: Studio) -> str:
    async with running(main_app(studio.shared(), initial_account="polytomic-demo")) as pilot:
        await pilot.press("question_mark")
        return await capture(pilot, SHOTS["help"].title)


@shot(
    "context-editor",
    "synctui — edit a Speckle sync",
    "e on a Speckle sync: its context as a form, reference point changed, unknown keys kept",
)
async def context_editor(studio: Studio) -> str:
    from synctui.domain.models import SyncStatus

    app = main_app(studio.shared(), initial_account="speckle-demo")
    async with running(app) as pilot:
        await arrow_to(
            pilot,
            lambda s: (
                s.status is SyncStatus.ACTIVE and "exportIfcOptions" in (s.raw.get("context") or {})
            ),
            "active with extra context keys",
        )
        await pilot.press("e")
        await settle(pilot)
        await choose(pilot, "reference-point", "surveyPoint")
        return await capture(pilot, SHOTS["context-editor"].title)


@shot(
    "mapping-diff-preview",
    "synctui — field mapping, preview before saving",
    "a Signalsmith field mapping edited in its table, then Ctrl+S: the diff and the request",
    cost=7.0,
)
async def mapping_diff_preview(studio: Studio) -> str:
    from synctui.domain.models import SyncStatus

    app = main_app(studio.shared(), initial_account="signalsmith-acme")
    async with running(app) as pilot:
        await arrow_to(pilot, lambda s: s.status is SyncStatus.ACTIVE, "active")
        await pilot.press("e")
        await settle(pilot)
        # With the mouse, as in any form: into the mapping table, down to the second row,
        # then into the destination cell below it.
        await pilot.click("#mapping-table")
        await pilot.press("down")
        await pilot.click("#cell-destination_field")
        await replace_text(pilot, "Trend__c")
        await settle(pilot)
        await pilot.press("ctrl+s")
        return await capture(pilot, SHOTS["mapping-diff-preview"].title)


@contextlib.contextmanager
def held_batches() -> Iterator[None]:
    """Batches started from the UI during the capture: a fixed id, results that complete in
    list order, and nothing sent past the first `BATCH_HELD_AFTER` syncs.

    The batch sends four syncs at a time, so which result lands first is a race; the capture
    must show the same rows in the same order on every run. Sends still run concurrently —
    only their results are handed over in order. Concurrency is pinned at four: adapting, it
    would follow the machine's timing, and so would the number on screen. The UI builds its
    `BatchUpdate` from the module at the moment it starts one, so swapping the class here
    reaches it unchanged.
    """
    from synctui.services import batch as batch_module

    original, original_id = batch_module.BatchUpdate, batch_module.new_batch_id

    class HeldBatch(original):  # type: ignore[valid-type, misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if kwargs.get("concurrency") is None:
                kwargs["concurrency"] = 4
            super().__init__(*args, **kwargs)
            self._handed_over = [asyncio.Event() for _ in self.targets]

        async def _one(self, index: int, sync: Any) -> Any:
            if self.dry_run:  # the preview's plan: nothing to hold
                return await super()._one(index, sync)
            if index >= BATCH_HELD_AFTER:
                await asyncio.Event().wait()  # held until the app exits (then cancelled)
            result = await super()._one(index, sync)
            if index:
                await self._handed_over[index - 1].wait()
            self._handed_over[index].set()
            return result

    batch_module.BatchUpdate = HeldBatch  # type: ignore[misc]
    batch_module.new_batch_id = lambda: BATCH_ID
    try:
        yield
    finally:
        batch_module.BatchUpdate = original  # type: ignore[misc]
        batch_module.new_batch_id = original_id


@shot(
    "batch-in-progress",
    "synctui — batch update in progress",
    "a project's federated models filtered, marked (*), one field changed for all (E), "
    "previewed, then sent four at a time",
    cost=8.0,
)
async def batch_in_progress(studio: Studio) -> str:
    from synctui.ui.editing.batch_run_screen import BatchRunScreen

    app = main_app(studio.fresh(), initial_account="speckle-demo")  # it writes
    with held_batches():
        async with running(app) as pilot:
            await pilot.press("slash")
            await type_text(pilot, "HT-FED")  # the federated models of Harbourside Tower
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("asterisk", "E")
            await settle(pilot)
            await choose(pilot, "bf-context-referencePoint", "surveyPoint")
            await pilot.press("ctrl+s")  # plan every sync (a dry run), then the preview
            await settle(pilot)
            await pilot.press("enter")  # "Send to N syncs" has the focus
            await wait_for(
                lambda: (
                    isinstance(app.screen, BatchRunScreen)
                    and len(app.screen.latest) == BATCH_HELD_AFTER
                ),
                "the batch to reach its held point",
            )
            return await capture(pilot, SHOTS["batch-in-progress"].title, held=["batch-run"])


@shot(
    "attention",
    "synctui — attention: what needs a person",
    "every sync that needs a person, grouped by why; one investigated: timeline and fix",
)
async def attention(studio: Studio) -> str:
    # As `synctui --demo --attention` opens. Ages are relative to the session's clock, the
    # sandbox's frozen instant, not to today.
    app = main_app(studio.shared(), open_attention=True)
    async with running(app) as pilot:
        # Arrow down to a Speckle sync with a history of failed ingestions: its timeline and
        # two-step fix fill the investigation pane.
        listing = app.screen.list  # type: ignore[attr-defined]
        for _ in range(60):
            option = listing.highlighted_option
            if option is not None and ATTENTION_SYNC in str(option.prompt):
                break
            await pilot.press("down")
        else:
            raise RuntimeError(f"{ATTENTION_SYNC} is not in the attention list")
        return await capture(pilot, SHOTS["attention"].title)


@dataclass
class FeedTimeline:
    """One clock for everything time-dependent in the feed viewer.

    The viewer and the engine read the `FixedClock` (monotonic seconds); the store stamps
    `received_at` and the sandbox stamps new changes with the same instant as wall time,
    starting at the sandbox's frozen moment — so no change is received before it happened.
    """

    demo: Demo
    clock: FixedClock = field(init=False)

    def __post_init__(self) -> None:
        from synctui.ui.feed import FixedClock

        self.clock = FixedClock(now=FEED_T0)

    def monotonic(self) -> float:
        return float(self.clock.now)

    def wall(self) -> datetime:
        return frozen_now() + timedelta(seconds=self.clock.now - FEED_T0)

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.demo.sandbox.clock.advance(seconds)


async def ingest_history(demo: Demo, db: Path, timeline: FeedTimeline) -> None:
    """The seeded history as the viewer's first run stores it, one feed after the other:
    feeds stored in parallel would interleave local ids differently on every run."""
    from synctui.services.feed import FEEDS, FeedEngine
    from synctui.store.feedstore import FeedStore

    session = demo_session(demo)
    store = FeedStore(db, clock=timeline.wall)
    try:
        adapter = session.adapter(FEED_ACCOUNT)
        for feed in FEEDS:
            engine = FeedEngine(
                FEED_ACCOUNT, adapter, store, feeds=(feed,), clock=timeline.monotonic
            )
            await engine.run(follow=False)
    finally:
        store.close()
        await session.aclose()


@contextlib.contextmanager
def quick_feed_ticks() -> Iterator[None]:
    """The viewer looks at its store every `TICK_SECONDS` of real time; the capture drives
    three minutes of its clock one second at a time and waits for each look, so a shorter
    tick only makes the run faster — what the viewer shows does not depend on it."""
    from synctui.ui.feed import feed_screen

    original = feed_screen.TICK_SECONDS
    feed_screen.TICK_SECONDS = 0.01
    try:
        yield
    finally:
        feed_screen.TICK_SECONDS = original


@shot(
    "feed-viewer",
    "synctui — LetsBuild changes",
    "the live change feed following new changes; the sparkline is three minutes of arrivals",
    png=True,
    cost=30.0,
)
async def feed_viewer(studio: Studio) -> str:
    """The viewer opens on a store holding the seeded history (caught up); then, for 180 s
    of its clock, changes arrive at the rates in `FEED_RATES`: the sandbox generates them
    (stamped with its clock) and the engine fetches and stores them page by page with
    `step`, the call its own loop makes, each feed every 2 s. The viewer counts what it
    finds in the store at each second, so the sparkline is its own measurement, not a
    series handed to it."""
    from synctui.services.feed import FEEDS, FeedEngine
    from synctui.store.feedstore import FeedStore
    from synctui.ui.feed import FeedScreen, FeedViewerOptions

    demo = studio.fresh()  # it grows the LetsBuild history
    sim = demo.sandbox.sim("letsbuild")
    timeline = FeedTimeline(demo)
    with tempfile.TemporaryDirectory(prefix="synctui-feed-") as scratch:
        db = Path(scratch) / "feeds.sqlite3"
        await ingest_history(demo, db, timeline)
        session = demo_session(demo)
        store = FeedStore(db, clock=timeline.wall)
        adapter = session.adapter(FEED_ACCOUNT)
        engine = FeedEngine(FEED_ACCOUNT, adapter, store, clock=timeline.monotonic)
        for state in engine.states.values():  # where the history run left them: caught up
            state.has_more, state.last_success = False, FEED_T0
        # As `synctui --demo --account letsbuild-demo` opens it, on this store, engine and clock.
        feed = FeedViewerOptions(store=store, engine=engine, clock=timeline.clock)
        app = main_app(demo, session=session, initial_account=FEED_ACCOUNT, feed=feed)
        try:
            with quick_feed_ticks():
                async with app.run_test(size=SIZE) as pilot:
                    await wait_for(lambda: isinstance(app.screen, FeedScreen), "the viewer")
                    screen = app.screen
                    assert isinstance(screen, FeedScreen)

                    def counted() -> bool:
                        total = sum(screen.totals.values())
                        return (
                            total == store.count(FEED_ACCOUNT) and screen.change_list.row_count > 0
                        )

                    await wait_for(counted, "the viewer to show the stored history")
                    for second, rate in enumerate(FEED_RATES, start=1):
                        timeline.advance(1)
                        sim.append_changes(rate)
                        for index, feed in enumerate(FEEDS):
                            if (second + index) % FEED_POLL_SECONDS == 0:
                                while await engine.step(feed):
                                    pass
                        await wait_for(counted, "the viewer to count new changes")
                    timeline.advance(1)
                    await wait_for(
                        lambda: "2 s ago" in str(screen.query_one("#feed-feeds").render()),
                        "the header to catch up with the clock",
                    )
                    # Project names are re-read on their own (real-time) timer; a project created
                    # in the last seconds must be named before the capture, on every run.
                    await wait_for(lambda: not screen._projects_stale, "new project names")
                    return await capture(pilot, SHOTS["feed-viewer"].title)
        finally:
            store.close()


def _theme_shot(theme: str) -> None:
    """Register `theme-<name>`: the same Polytomic table in every built-in theme, so they can
    be compared side by side. The production theme is not a --theme: it is given to an
    account, and shows as soon as that account is (`:ctx`), which is the point of it."""
    production = theme == "synctui-production"
    shows = (
        f"{PRODUCTION_ACCOUNT}, an account whose accounts.toml entry says theme = {theme!r}: "
        "its skin replaces the theme as soon as it is shown (and wins over --theme)"
        if production
        else f"the Polytomic account under --theme {theme}"
    )
    account = PRODUCTION_ACCOUNT if production else "polytomic-demo"

    title = f"synctui — theme {theme}" + (" (an account's own skin)" if production else "")

    async def render(studio: Studio) -> str:
        demo = studio.shared()
        if production:
            # The demo's Polytomic account as a production account would be configured.
            accounts = [
                dataclasses.replace(a, name=PRODUCTION_ACCOUNT, theme=theme)
                if a.name == "polytomic-demo"
                else a
                for a in demo.accounts
            ]
            tokens = {**demo.tokens, PRODUCTION_ACCOUNT: demo.tokens["polytomic-demo"]}
            app = main_app(demo, session=demo_session(demo, accounts, tokens))
        else:
            app = main_app(demo, theme_name=theme)
        async with running(app) as pilot:
            await command(pilot, f"ctx {account}", typed="ctx po")
            await pilot.press("s", "g")  # sorted by status, cursor on the first row
            if app.theme != theme:
                raise RuntimeError(f"expected theme {theme}, the app shows {app.theme}")
            return await capture(pilot, title)

    shot(f"theme-{theme}", title, shows, cost=4.0)(render)


for _theme in THEMES:
    _theme_shot(_theme)
