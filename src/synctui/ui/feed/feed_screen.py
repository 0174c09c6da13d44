"""The live LetsBuild change-feed viewer: a screen the main app pushes.

How it stays smooth while changes pour in:

* The `FeedEngine` runs in an async worker. Its `on_page` hook only sets a dirty flag and its
  `on_error` hook only queues the error — no widget is touched from the engine.
* A timer (every `TICK_SECONDS`) does the rest: when dirty (or once a second, which also
  notices changes stored by another process) a thread worker asks the store what grew after
  the last seen id, and — when following — which new ids match the filter. The handler
  appends them to the list's index and repaints what is visible. The header strip (totals,
  rate, backlog, "2 s ago") is recomputed on the same tick and repaints only when it changed.
* Filters rebuild the index in an exclusive thread worker; a newer filter cancels an older
  one at its next batch. Detail, projects and exports are thread workers too. Every worker
  is `exit_on_error=False` and reports failures as notifications.

Pausing stops following, not ingestion: the engine keeps storing, the header keeps counting
("+123 new"), and the list stays exactly as it was until following resumes.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, ProgressBar
from textual.worker import Worker, WorkerState, get_current_worker

from synctui.services.feed import FEEDS, FeedEngine
from synctui.services.vendor_rules import feed_title
from synctui.store.feedstore import ChangeFilter, FeedStore
from synctui.ui.feed.change_index import ChangeIndex, IndexCancelled, build_index, newer_ids
from synctui.ui.feed.change_list import ChangeList
from synctui.ui.feed.clock import FeedClock, SystemClock
from synctui.ui.feed.detail_flow import DetailFlow
from synctui.ui.feed.detail_pane import DetailPane
from synctui.ui.feed.engine_link import EngineLink
from synctui.ui.feed.export_flow import ExportFlow
from synctui.ui.feed.filter_bar import FilterBar, FilterView
from synctui.ui.feed.filters import FeedFilter
from synctui.ui.feed.header import FeedHeader, HeaderState
from synctui.ui.feed.messages import (
    IndexBuilt,
    ProjectsLoaded,
    StoreGrew,
    WorkerProblem,
)
from synctui.ui.feed.project_picker import ALL_PROJECTS, ProjectPicker
from synctui.ui.feed.rate_meter import RateMeter
from synctui.ui.feed.rows import ChangeRow, to_row

TICK_SECONDS = 0.2  # repaint cadence while changes pour in
STORE_POLL_SECONDS = 1.0  # look at the store at least this often even without on_page
SEARCH_DEBOUNCE_SECONDS = 0.3
PROJECTS_REFRESH_SECONDS = 5.0
RATE_WINDOW_SECONDS = 180
INDEX_CACHE_SIZE = 4  # ~24 KB each at 1,000,000 matching changes


class FeedScreen(ExportFlow, DetailFlow):
    """Live list + filters + detail + export over one LetsBuild account's stored changes."""

    help_title = f"{feed_title()} change feed"

    BINDINGS: list[BindingType] = [
        Binding("p,space", "toggle_follow", "Follow/pause", key_display="p", id="feed.follow"),
        Binding("G,end", "newest", "Newest", key_display="G", id="feed.newest"),
        Binding("enter", "toggle_detail", "Detail", id="feed.detail"),
        Binding("slash", "search", "Search", key_display="/", id="feed.search"),
        Binding("P", "pick_project", "Project", id="feed.filter.project"),
        Binding("x", "export", "Export", id="feed.export"),
        Binding("1", "toggle_feed('project')", "Project feed", show=False, id="feed.filter.1"),
        Binding("2", "toggle_feed('form')", "Form feed", show=False, id="feed.filter.2"),
        Binding("3", "toggle_feed('point')", "Point feed", show=False, id="feed.filter.3"),
        Binding("4", "toggle_feed('contact')", "Contact feed", show=False, id="feed.filter.4"),
        Binding("0", "all_feeds", "All feeds", show=False, id="feed.filter.all"),
        Binding("c", "toggle_operation('created')", "Created", show=False, id="feed.filter.c"),
        Binding("u", "toggle_operation('updated')", "Updated", show=False, id="feed.filter.u"),
        Binding("d", "toggle_operation('deleted')", "Deleted", show=False, id="feed.filter.d"),
        Binding(
            "exclamation_mark",
            "toggle_partial",
            "Partial only",
            show=False,
            key_display="!",
            id="feed.filter.partial",
        ),
        Binding("r", "restart_engine", "Reconnect", show=False, id="feed.restart"),
        Binding("escape", "back", "Back", id="feed.back"),
    ]

    DEFAULT_CSS = """
    FeedScreen { layout: vertical; background: $surface; }
    FeedScreen #feed-detail { display: none; }
    FeedScreen.-detail #feed-detail { display: block; }
    FeedScreen #feed-search-bar, FeedScreen #feed-export-bar {
        height: 1; display: none; background: $panel;
    }
    FeedScreen.-searching #feed-search-bar { display: block; }
    FeedScreen.-exporting #feed-export-bar { display: block; }
    FeedScreen #feed-search-bar Label { width: auto; padding: 0 1; color: $text-accent; }
    FeedScreen #feed-search { border: none; height: 1; padding: 0; background: $panel; }
    FeedScreen #feed-export-label { width: auto; padding: 0 1; }
    FeedScreen #feed-export-progress { width: 1fr; }
    """

    def __init__(
        self,
        session: Any,
        account_name: str,
        store: FeedStore,
        *,
        poll_interval: float = 2.0,
        engine: FeedEngine | None = None,
        clock: FeedClock | None = None,
        name: str | None = None,
        id: str | None = None,
    ) -> None:
        """`engine`: an engine the app already runs (the screen hooks it, never stops it);
        without one the screen builds its own from `session.adapter(account_name)` and stops
        it on unmount. The store is never closed here: its owner closes it."""
        super().__init__(name=name, id=id)
        self.session = session
        self.account = account_name
        self.store = store
        self.poll_interval = poll_interval
        self.clock: FeedClock = clock or SystemClock()
        self.link = EngineLink(engine, on_page=self._mark_dirty)
        self.engine_state = "starting"

        self.filter = FeedFilter()
        self.following = True
        self._mode = "following"
        self._paused_at_total: int | None = None
        self._generation = 0
        self._index_ready = False
        # The last few filters' indexes: toggling back (to "all", usually) only scans the tail.
        self._index_cache: OrderedDict[ChangeFilter, ChangeIndex] = OrderedDict()

        self._dirty = True
        self._polling = False
        self._last_poll = float("-inf")
        self._baseline_done = False
        self._rate_live = False  # the backlog is behind us: growth from here is arrivals
        self._seen_id = 0
        self.totals: dict[str, int] = dict.fromkeys(FEEDS, 0)
        self.rate = RateMeter(RATE_WINDOW_SECONDS)

        self.project_names: dict[str, str] = {}
        self.projects: list[tuple[str, str]] = []
        self._projects_loaded_at = float("-inf")
        self._projects_stale = True

        self._detail_for: int | None = None
        self._search_timer: Timer | None = None
        self.exporting = False

    # --- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield FeedHeader(id="feed-header")
        yield FilterBar(id="feed-filter-bar")
        yield ChangeList(self._fetch_rows, id="feed-list")
        yield DetailPane(self.clock, id="feed-detail")
        with Horizontal(id="feed-search-bar"):
            yield Label("/")
            yield Input(
                placeholder="search: words, !not, ~fuzzy, field=value · Enter keeps · Esc clears",
                id="feed-search",
            )
        with Horizontal(id="feed-export-bar"):
            yield Label("", id="feed-export-label")
            yield ProgressBar(id="feed-export-progress", show_eta=False)
        yield Footer()

    @property
    def change_list(self) -> ChangeList:
        return self.query_one("#feed-list", ChangeList)

    def on_mount(self) -> None:
        self._start_engine()
        self._rebuild_index()
        self._load_projects()
        self.set_interval(TICK_SECONDS, self._tick)
        self._tick()
        self.change_list.focus()

    def on_unmount(self) -> None:
        engine = self.link.engine
        self.link.detach()
        if self.link.owned and engine is not None:
            engine.stop()

    @property
    def engine(self) -> FeedEngine | None:
        return self.link.engine

    def _mark_dirty(self) -> None:
        """The engine stored a page: the next tick looks at the store (nothing more here)."""
        self._dirty = True

    def reload(self) -> None:
        """Look at the store again now (the main app's auto-refresh calls this)."""
        self._dirty = True
        self._projects_stale = True

    # --- the engine -----------------------------------------------------------------------
    def _start_engine(self) -> None:
        engine = self.link.engine
        if engine is None:
            try:
                adapter = self.session.adapter(self.account)
            except Exception as exc:  # no account, no token, unknown vendor: say so, stay up
                self.engine_state = "stopped: not connected"
                self.notify(str(exc), title=f"{feed_title()} feed", severity="error", timeout=10)
                return
            engine = FeedEngine(self.account, adapter, self.store, poll_interval=self.poll_interval)
        self.link.attach(engine)
        if self.link.owned:
            self.run_worker(
                engine.run(follow=True),
                name="feed engine",
                group="engine",
                exclusive=True,
                exit_on_error=False,
            )
        self.engine_state = "running"

    def action_restart_engine(self) -> None:
        if not self.link.owned:
            self.notify("The app runs this feed; it restarts it.", severity="warning")
            return
        if self.engine_state == "running":
            self.notify("The feed is already running.")
            return
        self.link.forget()
        self._start_engine()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "engine" and event.state == WorkerState.ERROR:
            self.engine_state = f"stopped: {worker.error}"
            self._refresh_header()
            self.notify(
                f"The change feed stopped: {worker.error}. Press r to reconnect.",
                title=f"{feed_title()} feed",
                severity="error",
                timeout=10,
            )
        elif worker.group == "engine" and event.state == WorkerState.SUCCESS:
            self.engine_state = "stopped"  # only after stop(): leaving, or a restart
        elif event.state == WorkerState.ERROR and worker.group != "engine":
            self.notify(f"{worker.name}: {worker.error}", severity="error", timeout=8)
            if worker.group == "poll":
                self._polling = False

    def _drain_engine_errors(self) -> None:
        for feed, text in self.link.new_errors():
            self.notify(
                f"{feed} feed: {text} — retrying with backoff",
                title=f"{feed_title()} feed",
                severity="warning",
                timeout=6,
            )

    # --- the timer ----------------------------------------------------------------------
    @property
    def live(self) -> bool:
        """Mounted and not being removed. A timer's callback runs in the timer's own task,
        not the screen's message loop: it may fire while leaving prunes the widgets."""
        return self.is_mounted and not (self._closing or self._closed or self._pruning)

    def _tick(self) -> None:
        if not self.live:
            return
        self._drain_engine_errors()
        now = time.monotonic()
        if not self._polling and (self._dirty or now - self._last_poll >= STORE_POLL_SECONDS):
            self._dirty = False
            self._polling = True
            self._last_poll = now
            index = self.change_list.index
            after = index.after_id if self._wants_new_ids else None
            self._poll_store(
                self._generation,
                self._seen_id,
                after,
                self.filter.to_change_filter(),
                not self._baseline_done,
            )
        if self._projects_stale and now - self._projects_loaded_at >= PROJECTS_REFRESH_SECONDS:
            self._load_projects()
        self._refresh_header()

    @property
    def _wants_new_ids(self) -> bool:
        return self._index_ready and self.following

    @work(thread=True, group="poll", exit_on_error=False, name="store poll")
    def _poll_store(
        self,
        generation: int,
        seen_id: int,
        after_id: int | None,
        flt: ChangeFilter,
        baseline: bool,
    ) -> None:
        try:
            top, per_feed = self.store.growth(self.account, seen_id)
            new_ids = None
            if after_id is not None:
                new_ids = newer_ids(self.store, self.account, flt, after_id)
        except Exception as exc:
            self.post_message(WorkerProblem("Reading the change store failed", str(exc)))
            top, per_feed, new_ids = seen_id, {}, None
        self.post_message(StoreGrew(generation, baseline, top, per_feed, new_ids))

    def on_store_grew(self, message: StoreGrew) -> None:
        self._polling = False
        added = sum(message.per_feed.values())
        for feed, count in message.per_feed.items():
            self.totals[feed] = self.totals.get(feed, 0) + count
        self._seen_id = max(self._seen_id, message.top_id)
        if message.baseline:
            self._baseline_done = True
        elif added and self._rate_live:
            self.rate.add(added, self.clock.monotonic())
        if not self._rate_live and self._baseline_done:
            # Catching up on a backlog stores thousands per second; counting that would
            # flatten the sparkline for minutes. The rate is of changes as they arrive.
            self._rate_live = self.link.caught_up()
        if message.per_feed.get("project"):
            self._projects_stale = True
        change_list = self.change_list
        if message.new_ids is not None and message.generation == self._generation:
            index = change_list.index
            appended = index.extend(message.new_ids)
            index.covered_to = max(index.covered_to, message.top_id, index.last_id)
            if added and self.following:
                change_list.forget_rows(unresolved_only=True)  # a partial may be resolved now
            if appended:
                change_list.grew()
        self._refresh_header()
        self._refresh_filter_bar()

    def _refresh_header(self) -> None:
        now = self.clock.monotonic()
        total = sum(self.totals.values())
        new = total - self._paused_at_total if self._paused_at_total is not None else 0
        header_state = HeaderState(
            account=self.account,
            mode=self._mode,
            total=total,
            new_since_pause=new,
            rate=round(self.rate.per_second(now), 1) if self._rate_live else None,
            engine=self.engine_state,
        )
        self.query_one(FeedHeader).show(
            header_state, self.link.statuses(self.totals, now), self.rate.series(now)
        )

    def _refresh_filter_bar(self) -> None:
        self.query_one(FilterBar).show(
            FilterView(
                self.filter,
                len(self.change_list.index),
                sum(self.totals.values()),
                busy=not self._index_ready,
            )
        )

    # --- rows -----------------------------------------------------------------------------
    def _fetch_rows(self, ids: Sequence[int]) -> list[ChangeRow]:
        """The list's window reader: primary-key lookups of light columns only (well under a
        millisecond for a screenful, at any store size), so it runs on the UI thread."""
        return [to_row(c, self.clock, self.project_names) for c in self.store.get_many(ids)]

    # --- follow / pause -------------------------------------------------------------------
    def action_toggle_follow(self) -> None:
        self._set_following(not self.following)

    def action_newest(self) -> None:
        self._set_following(True)

    def _set_following(self, on: bool, mode: str = "paused") -> None:
        change_list = self.change_list
        self.following = on
        change_list.follow = on
        if on:
            self._mode = "following"
            self._paused_at_total = None
            change_list.move_cursor(change_list.row_count - 1, by_user=False)
            self._dirty = True
        else:
            self._mode = mode
            self._paused_at_total = sum(self.totals.values())
        self._refresh_header()

    def on_change_list_browsed(self, _message: ChangeList.Browsed) -> None:
        if self.following:
            self._set_following(False, mode="browsing")

    def on_change_list_cursor_moved(self, message: ChangeList.CursorMoved) -> None:
        if self.has_class("-detail"):
            self._request_detail(message.change_id)

    # --- filters ----------------------------------------------------------------------------
    def _set_filter(self, flt: FeedFilter) -> None:
        if flt == self.filter:
            return
        self.filter = flt
        self._rebuild_index()

    def _rebuild_index(self) -> None:
        self._generation += 1
        self._index_ready = False
        self._refresh_filter_bar()
        flt = self.filter.to_change_filter()
        cached = self._index_cache.get(flt)
        # Copied here, on the thread that extends it, so ids and covered_to agree.
        base = cached.copy(self._generation) if cached is not None else None
        self._build_index(self._generation, flt, self._seen_id, base)

    @work(thread=True, group="index", exclusive=True, exit_on_error=False, name="filter")
    def _build_index(
        self,
        generation: int,
        flt: ChangeFilter,
        covered_to: int,
        base: ChangeIndex | None,
    ) -> None:
        worker = get_current_worker()
        try:
            if base is None:
                index = build_index(
                    self.store,
                    self.account,
                    flt,
                    generation=generation,
                    cancelled=lambda: worker.is_cancelled or generation != self._generation,
                )
            else:
                index = base
                index.extend_sorted(newer_ids(self.store, self.account, flt, index.after_id))
        except IndexCancelled:
            return
        except Exception as exc:
            self.post_message(WorkerProblem("Filtering failed", str(exc)))
            return
        index.covered_to = max(covered_to, index.covered_to, index.last_id)
        self.post_message(IndexBuilt(index, flt))

    def on_index_built(self, message: IndexBuilt) -> None:
        if message.index.generation != self._generation:
            return
        self._index_ready = True
        self._index_cache[message.flt] = message.index
        self._index_cache.move_to_end(message.flt)
        while len(self._index_cache) > INDEX_CACHE_SIZE:
            self._index_cache.popitem(last=False)
        change_list = self.change_list
        problem = message.flt.search_error
        if problem is not None:
            change_list.empty_text = f"Search error: {problem}  (/ to fix it)"
        else:
            change_list.empty_text = (
                "No change matches this filter.  0 all feeds · ! partial · / search · P project"
                if self.filter.is_narrowed
                else "Waiting for the first changes…"
            )
        change_list.set_index(message.index, keep_id=change_list.cursor_id)
        self._dirty = True  # pick up whatever was stored while the index was built
        self._refresh_filter_bar()

    def action_toggle_feed(self, feed: str) -> None:
        self._set_filter(self.filter.toggle_feed(feed))

    def action_all_feeds(self) -> None:
        self._set_filter(self.filter.all_feeds())

    def action_toggle_operation(self, operation: str) -> None:
        self._set_filter(self.filter.toggle_operation(operation))

    def action_toggle_partial(self) -> None:
        self._set_filter(self.filter.toggle_partial())

    def action_search(self) -> None:
        self.add_class("-searching")
        search = self.query_one("#feed-search", Input)
        search.value = self.filter.text
        search.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "feed-search":
            return
        if self._search_timer is not None:
            self._search_timer.stop()
        value = event.value
        self._search_timer = self.set_timer(
            SEARCH_DEBOUNCE_SECONDS,
            lambda: self.live and self._set_filter(self.filter.with_text(value)),
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "feed-search":
            return
        self._close_search(keep=True)

    def _close_search(self, *, keep: bool) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        search = self.query_one("#feed-search", Input)
        self._set_filter(self.filter.with_text(search.value if keep else ""))
        self.remove_class("-searching")
        self.change_list.focus()

    def action_pick_project(self) -> None:
        self.app.push_screen(ProjectPicker(self.projects, self.filter.project_id), self._picked)

    def _picked(self, choice: tuple[str, str] | None) -> None:
        if choice is None:
            return
        project_id, name = choice
        if project_id == ALL_PROJECTS:
            self._set_filter(self.filter.with_project(None))
        else:
            self._set_filter(self.filter.with_project(project_id, name))

    def _load_projects(self) -> None:
        self._projects_stale = False
        self._projects_loaded_at = time.monotonic()
        self._read_projects()

    @work(thread=True, group="projects", exclusive=True, exit_on_error=False, name="projects")
    def _read_projects(self) -> None:
        try:
            projects = self.store.projects(self.account)
        except Exception as exc:
            self.post_message(WorkerProblem("Reading projects failed", str(exc)))
            return
        self.post_message(ProjectsLoaded(dict(projects)))

    def on_projects_loaded(self, message: ProjectsLoaded) -> None:
        if message.names != self.project_names:
            self.project_names = message.names
            self.projects = sorted(message.names.items(), key=lambda p: p[1].lower())
            self.change_list.forget_rows()  # re-label the project column

    def on_worker_problem(self, message: WorkerProblem) -> None:
        self.notify(f"{message.what}: {message.error}", severity="error", timeout=8)
        if message.what.startswith("Filtering"):
            self._index_ready = True
            self._refresh_filter_bar()

    # --- leaving ----------------------------------------------------------------------------
    def action_back(self) -> None:
        """Esc backs out one level: search box, then detail pane, then the screen."""
        if self.has_class("-searching"):
            self._close_search(keep=False)
        elif self.has_class("-detail"):
            self.remove_class("-detail")
            self.change_list.focus()
        else:
            self.dismiss(None)
