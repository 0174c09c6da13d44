"""The synctui Textual app: owns the session, the catalog, the workers and the timers.

Invariant (as in harlequin): every vendor call runs in a worker with `exit_on_error=False`
that only posts messages; the message handlers here update the `Catalog` and hand diffs to
the screens. A failing vendor is a notification and a sidebar state, never a crash.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.timer import Timer

from synctui.domain import errors
from synctui.domain.capabilities import Capability
from synctui.services.session import Session
from synctui.ui import messages as msg
from synctui.ui import readonly_keys
from synctui.ui.app_accounts import AccountsMixin
from synctui.ui.app_demo import DemoMixin
from synctui.ui.app_themes import ThemesMixin
from synctui.ui.catalog import ALL, Catalog, LoadState, View, describe_failure, stream_syncs
from synctui.ui.collector import tune_collector
from synctui.ui.command_line import suggestions
from synctui.ui.command_table import run_command_line
from synctui.ui.dialogs.confirm import ConfirmScreen
from synctui.ui.editing.drafts import DraftStore
from synctui.ui.feed.options import DEFAULT_POLL_SECONDS, FeedViewerOptions
from synctui.ui.host import Reloadable, ShowsCalls
from synctui.ui.keymap import apply_keymap
from synctui.ui.palette import SyncTuiCommands
from synctui.ui.screens.main_screen import MainScreen
from synctui.ui.served import refuse_in_browser
from synctui.ui.terminal import TerminalWatch
from synctui.ui.theme import STATUS_VARIABLES, own_themes, register_themes
from synctui.ui.tokens import TokenResolver
from synctui.vendors.http_settings import CallRecord
from synctui.vendors.registry import adapter_class

if TYPE_CHECKING:
    from synctui.domain.models import Sync
    from synctui.services.demo import Demo

CALL_FLUSH_SECONDS = 0.1
# What a refused write key says (tests and the browser view look for it).
READONLY_REFUSAL = readonly_keys.MESSAGE


class SyncTuiApp(AccountsMixin, DemoMixin, ThemesMixin, App[int]):
    """Accounts, sync tables per vendor, the detail pane and the API call log."""

    TITLE = "synctui"
    # The compact footer gives every key a right margin, the palette key docked on the right
    # too: when the other keys overflow the footer, that last cell showed one of their
    # letters ("^p palettet"). The palette key paints it instead (padding, not margin).
    CSS = """
    Footer.-compact FooterKey.-command-palette { margin-right: 0; padding-right: 1; }
    """
    ENABLE_COMMAND_PALETTE = True
    # Only synctui's provider: its own actions first, its own themes (see ui.palette).
    COMMANDS = {SyncTuiCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark,f1", "help", "Help", key_display="?", id="app.help"),
        Binding("colon", "command_line", "Cmd", key_display=":", id="app.command"),
        Binding("at", "call_log", "Calls", key_display="@", id="app.call-log"),
        Binding("exclamation_mark", "attention", "Attention", key_display="!", id="app.attention"),
        Binding("J", "journal", "Journal", show=False, id="app.journal"),
        *readonly_keys.BINDINGS,
    ]

    def __init__(
        self,
        session: Session,
        *,
        demo: Demo | None = None,
        demo_names: frozenset[str] = frozenset(),
        initial_account: str | None = None,
        refresh_seconds: float = 0.0,
        theme_name: str | None = None,
        persist_accounts: bool = True,
        settings: Any = None,
        watch_terminal: bool = False,
        open_attention: bool = False,
        feed: FeedViewerOptions | None = None,
    ) -> None:
        """`initial_account` opens on that account (its feed viewer for a change-feed
        account); `open_attention` opens on the attention view (`synctui --attention`), the
        table loading only once it is left; `feed` opens the feed viewer on a given store,
        engine, poll interval or clock (see `FeedViewerOptions`)."""
        super().__init__()
        tune_collector()  # 100,000 syncs: see synctui.ui.collector
        self.session = session
        self.tokens = TokenResolver(session.token_for)
        session.token_for = self.tokens
        self.demo = demo
        # Started as a demo (--demo): accounts added now live in the demo's scratch store and
        # in memory, and a picked theme is not saved — a demo run writes no user file.
        self.demo_run = demo is not None
        self.demo_names = set(demo_names)
        self.catalog = Catalog(list(session.accounts))
        self.drafts = DraftStore()  # edits not yet sent, per sync
        self.initial_account = initial_account
        self.open_attention = open_attention
        self.feed_options = feed or FeedViewerOptions()
        self.refresh_seconds = refresh_seconds
        self.theme_name = theme_name  # --theme, or the theme picked during this run
        self.settings = settings
        self.persist_accounts = persist_accounts
        self.served = False  # in a browser tab (`synctui serve`): see synctui.ui.served
        self.main: MainScreen | None = None
        self._pending_calls: deque[CallRecord] = deque()
        self._unsubscribe_calls: Any = None
        self._refresh_timer: Timer | None = None
        self.call_errors = 0
        self._notified: set[tuple[str, str]] = set()
        self._feed_store: Any = None
        self._retry_noted: dict[str, float] = {}
        self._terminal_watch: Any = None
        self.own_themes: list[str] = []  # synctui's and the user's, not Textual's stock ones
        self.watch_terminal = watch_terminal  # a real terminal: leave when it goes away
        self._first_view_pending = False  # the main screen is up, its first view not yet asked
        self._view_shown = False  # the main table has shown a view (not only a feed opened)
        session.subscribe_retries(self._on_retry)

    # --- start-up -------------------------------------------------------------------------
    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(STATUS_VARIABLES)

    def on_mount(self) -> None:
        if self.watch_terminal:
            self._terminal_watch = TerminalWatch(self)
            self._terminal_watch.start()
        register_themes(self)
        self.own_themes = own_themes(self)
        if self.settings is not None:
            apply_keymap(self, self.settings.keymap)
        self.apply_theme(None)
        self._unsubscribe_calls = self.session.call_log.subscribe(self._pending_calls.append)
        self.set_interval(CALL_FLUSH_SECONDS, self._flush_calls)
        if not self.session.accounts:
            from synctui.ui.screens.welcome_screen import WelcomeScreen

            self.push_screen(WelcomeScreen())
        else:
            self.open_main()
        self._schedule_refresh()
        if (
            self.demo is not None and self.demo.pending
        ):  # `--demo`: its sandbox starts after frame 1
            self.call_after_refresh(self.demo.start_in_background)

    def open_main(self) -> None:
        """Show the main screen (after the welcome screen, if any) with the first view."""
        if self.main is None:
            self.main = MainScreen(self.catalog)
        view = ALL
        if self.initial_account:
            if self.initial_account in self.catalog.entries:
                view = View("account", self.initial_account)
            else:
                known = ", ".join(self.catalog.names())
                self.notify(
                    f"no account named {self.initial_account!r} (accounts: {known})",
                    severity="error",
                )
        if self.screen is not self.main:
            if len(self.screen_stack) > 1:
                self.switch_screen(self.main)
            else:
                self.push_screen(self.main)
        if self.open_attention:  # on top; the table's first view loads once it is left
            self.open_attention = False
            self.action_attention(on_leave=lambda: self.switch_view(view))
            return
        self._first_view_pending = True
        self.call_after_refresh(self.switch_view, view)

    @property
    def first_view_pending(self) -> bool:
        """The main screen is up and its first view not yet asked for (its accounts are
        about to load: the table shows a placeholder for each)."""
        return self._first_view_pending

    @property
    def settled(self) -> bool:
        """Nothing more can arrive for what the main screen shows: every account of its view
        has finished loading (ready, failed, unavailable or a change feed) and the table's
        view holds all of it. Tests and screenshots wait for this state, never for time."""
        if self._first_view_pending:
            return False
        main = self.main
        if main is None or not main.live or not self._view_shown:
            return True
        unfinished = (LoadState.IDLE, LoadState.LOADING)
        for name in self.catalog.accounts_in(main.view):
            if self.catalog.entry(name).state in unfinished:
                return False
        return main.table.settled

    async def on_unmount(self) -> None:
        if self._terminal_watch is not None:
            self._terminal_watch.stop()
        if self._unsubscribe_calls is not None:
            self._unsubscribe_calls()
        if self._feed_store is not None:
            # Every connection, the feed engine's store thread's too: left to the garbage
            # collector they would checkpoint the WAL after the app is gone.
            self._feed_store.close_all()
        await self.session.aclose()

    # --- loading --------------------------------------------------------------------------
    def switch_view(self, view: View) -> None:
        self._first_view_pending = False
        if self.main is None:
            return
        if view.kind == "account" and self.is_feed_only(view.name):
            self.main.refresh_chrome()  # nothing loads here: no placeholder rows stay
            self.open_feed(view.name)
            return
        self.main.set_view(view)
        self._view_shown = True
        self.apply_theme(view)
        self.reload_view(view, force=False)

    def reload_view(self, view: View, *, force: bool) -> None:
        """Load the view's accounts: all of them (`r`), or only those never loaded."""
        names = self.catalog.accounts_in(view)
        for name in names:
            state = self.catalog.entry(name).state
            if force or state == LoadState.IDLE:
                self.load_account(name)
        if self.main is not None:
            self.main.refresh_chrome()

    def load_account(self, name: str) -> None:
        try:
            capabilities = self.session.capabilities(name)
        except ImportError as exc:
            self.catalog.mark_unavailable(name, describe_failure(exc)[1])
            self._notify_once(name, "unavailable", f"{name}: {describe_failure(exc)[1]}")
            return
        except errors.SyncTuiError as exc:
            self.catalog.mark_unavailable(name, str(exc))
            return
        if Capability.LIST not in capabilities:
            if Capability.CHANGE_FEED in capabilities:
                self.catalog.mark_unavailable(name, "Enter opens it", LoadState.FEED)
            else:
                vendor = self.catalog.entry(name).account.vendor
                self.catalog.mark_unavailable(name, f"{vendor} has no syncs to list")
            return
        generation = self.catalog.begin(name)
        self.run_worker(
            self._load(name, generation),
            name=f"load {name}",
            group=f"load:{name}",
            exclusive=True,
            exit_on_error=False,
        )

    async def _load(self, name: str, generation: int) -> None:
        try:
            await self._demo_started()
            await self.tokens.prefetch(self.session.account(name))
            async for page in stream_syncs(self.session, name):
                self.post_message(msg.SyncsPage(name, generation, page))
            self.post_message(msg.SyncsLoaded(name, generation))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # every failure becomes a message, never a crash
            self.post_message(msg.SyncsFailed(name, generation, exc))

    def on_syncs_page(self, message: msg.SyncsPage) -> None:
        self.catalog.apply_page(message.account, message.generation, message.syncs)

    def on_syncs_loaded(self, message: msg.SyncsLoaded) -> None:
        self.catalog.finish(message.account, message.generation)
        self._notified.discard((message.account, "failed"))

    def on_syncs_failed(self, message: msg.SyncsFailed) -> None:
        entry = self.catalog.fail(message.account, message.generation, message.error)
        if entry is None:
            return
        severity = "warning" if entry.state == LoadState.UNAVAILABLE else "error"
        text = entry.message
        if not text.startswith(f"{message.account}:"):  # adapters often name it already
            text = f"{message.account}: {text}"
        self._notify_once(message.account, entry.state.value, text, severity)
        if self.main is not None:
            self.main.refresh_chrome()

    def _notify_once(self, account: str, kind: str, text: str, severity: str = "warning") -> None:
        """One toast per account and kind of problem until it recovers (auto-refresh)."""
        if (account, kind) in self._notified:
            return
        self._notified.add((account, kind))
        self.notify(text, title="Cannot load syncs", severity=severity, timeout=8)  # type: ignore[arg-type]

    def _on_retry(self, account: str, message: str) -> None:
        """The HTTP policy is retrying: say so, at most every 10 s per account.

        Called from the transport (normally on this loop; `call_from_thread` otherwise).
        """
        now = time.monotonic()
        if now - self._retry_noted.get(account, -100.0) < 10.0:
            return
        self._retry_noted[account] = now
        text = f"{account}: {message}"
        if threading.get_ident() == self._thread_id:
            self.notify(text, title="Retrying", severity="warning", timeout=4)
        else:
            self.call_from_thread(
                self.notify, text, title="Retrying", severity="warning", timeout=4
            )

    # --- auto-refresh (rescheduled, paused under modals) ----------------------------------
    def set_refresh_interval(self, seconds: float) -> None:
        self.refresh_seconds = seconds
        self._schedule_refresh()
        state = f"every {seconds:g} s" if seconds > 0 else "off"
        self.notify(f"auto-refresh {state}")

    def _schedule_refresh(self) -> None:
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
            self._refresh_timer = None
        if self.refresh_seconds > 0:
            self._refresh_timer = self.set_timer(self.refresh_seconds, self._refresh_tick)

    def _refresh_tick(self) -> None:
        try:
            screen = self.screen
            if isinstance(screen, ModalScreen):
                return  # paused while a dialog is open
            if screen is self.main and self.main is not None:
                for name in self.catalog.accounts_in(self.main.view):
                    if self.catalog.entry(name).state in (LoadState.READY, LoadState.FAILED):
                        self.load_account(name)
            elif isinstance(screen, Reloadable):
                screen.reload()
        finally:
            self._schedule_refresh()

    # --- API call log hand-off ---------------------------------------------------------------
    def _flush_calls(self) -> None:
        """Move records subscribed from any thread onto the screen, in one batch."""
        if not self._pending_calls:
            return
        batch: list[CallRecord] = []
        while self._pending_calls:
            batch.append(self._pending_calls.popleft())
        self.call_errors += sum(1 for r in batch if r.error or (r.status or 0) >= 400)
        for screen in self.screen_stack:
            if isinstance(screen, ShowsCalls):
                screen.add_calls(batch)

    # --- the LetsBuild change feed (its own screen, in synctui.ui.feed) ----------------------
    def is_feed_only(self, name: str) -> bool:
        capabilities = self.capabilities_of(name)
        return Capability.CHANGE_FEED in capabilities and Capability.LIST not in capabilities

    def open_feed(self, name: str) -> None:
        """An account with a change feed instead of syncs opens the feed viewer."""
        if self.after_demo_start(f"the change feed of {name}", lambda: self.open_feed(name)):
            return
        try:
            from synctui.store.feedstore import FeedStore
            from synctui.ui.feed import FeedScreen

            options = self.feed_options
            store = options.store  # a caller's own store: its owner closes it
            if store is None:
                if self._feed_store is None:
                    path = self.demo.feed_db if self.demo is not None else None
                    self._feed_store = FeedStore(path)
                store = self._feed_store
            screen = FeedScreen(
                self.session,
                name,
                store,
                poll_interval=self._feed_poll_seconds(name),
                engine=options.engine,
                clock=options.clock,
            )
        except Exception as exc:  # the viewer is optional: say why it cannot open
            self.notify(f"cannot open the change feed of {name}: {exc}", severity="error")
            return
        self.push_screen(screen)

    def _feed_poll_seconds(self, name: str) -> float:
        """The caller's interval, else `[feed]` settings (the sandbox's for a demo account)."""
        if self.feed_options.poll_interval is not None:
            return self.feed_options.poll_interval
        if self.settings is None:
            return DEFAULT_POLL_SECONDS
        return float(self.settings.feed_poll_for(demo=self.is_demo_account(name)))

    # --- details, clipboard ---------------------------------------------------------------
    def open_detail(self, key: Hashable, tab: str | None = None) -> None:
        """The detail pane of a listed sync, on one of its tabs (`runs`) if asked."""
        from synctui.ui.screens.detail_screen import DetailScreen  # on demand

        sync = self.catalog.get(key)  # type: ignore[arg-type]
        if sync is not None:
            screen = DetailScreen(sync)
            self.push_screen(screen)
            if tab is not None:
                self.call_after_refresh(screen.action_tab, tab)

    def capabilities_of(self, account: str) -> frozenset[Capability]:
        try:
            return self.session.capabilities(account)
        except (ImportError, errors.SyncTuiError):
            return frozenset()

    def declared_columns(self, vendor: str) -> tuple[tuple[str, str], ...]:
        """The adapter's own table columns, or () when it declares none or is missing."""
        try:
            return tuple(getattr(adapter_class(vendor), "table_columns", ()))
        except (ImportError, errors.SyncTuiError):
            return ()

    @staticmethod
    def sync_json(sync: Sync) -> str:
        return json.dumps(sync.raw, indent=2, ensure_ascii=False, sort_keys=False, default=str)

    def copy_text(self, text: str, note: str) -> None:
        """OSC 52: works over SSH and in tmux (with set-clipboard on)."""
        self.copy_to_clipboard(text)
        self.notify(note, timeout=3)

    # --- writes: every write key goes through editing.actions, which posts this ----------
    def on_write_finished(self, message: msg.WriteFinished) -> None:
        if message.error is not None:
            self.notify(str(message.error), title=f"{message.action} failed", severity="error")
            return
        result = message.result
        assert result is not None
        self.notify(f"{message.action}: {result.message}")
        if result.sync is not None:
            self.catalog.put(result.sync)
            self.catalog.written(result.sync.key)
        self.load_account(message.account)

    # --- commands -------------------------------------------------------------------------
    def command_suggestions(self) -> list[str]:
        themes = [f"theme {name}" for name in self.own_themes]
        return [*suggestions(self.catalog.names()), "journal", *themes]

    def run_command_line(self, text: str) -> None:
        run_command_line(self, text)

    def show_view(self, view: View) -> None:
        """Switch view from anywhere: back to the main screen first if needed."""
        if self.main is None:
            return
        while len(self.screen_stack) > 1 and self.screen is not self.main:
            self.pop_screen()
        self.switch_view(view)

    # --- app actions ------------------------------------------------------------------------
    def action_help(self) -> None:
        from synctui.ui.screens.help_screen import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen.for_screen(self.screen))

    def action_command_line(self) -> None:
        if self.main is None:
            return
        if self.screen is not self.main:
            self.show_view(self.main.view)
        self.main.open_command_line()

    def action_attention(self, on_leave: Callable[[], None] | None = None) -> None:
        """Support's starting point: every sync that needs a person, why, and the fix."""
        from synctui.ui.triage import AttentionScreen

        if isinstance(self.screen, AttentionScreen):
            return
        if self.after_demo_start(
            "the attention view", lambda: self.action_attention(on_leave), failed=on_leave
        ):
            return
        left = None if on_leave is None else lambda _result: on_leave()
        self.push_screen(AttentionScreen(self.session), left)

    def action_call_log(self) -> None:
        from synctui.ui.screens.call_log_screen import CallLogScreen

        if any(isinstance(s, CallLogScreen) for s in self.screen_stack):
            while not isinstance(self.screen, CallLogScreen):
                self.pop_screen()
            return
        self._flush_calls()  # what is pending now is in records(): never shown twice
        self.push_screen(CallLogScreen(self.session.call_log.records()))

    def action_journal(self) -> None:
        from synctui.ui.editing.journal_screen import JournalScreen

        if any(isinstance(s, JournalScreen) for s in self.screen_stack):
            while not isinstance(self.screen, JournalScreen):
                self.pop_screen()
            return
        self.push_screen(JournalScreen())

    def action_manage_accounts(self) -> None:
        from synctui.ui.screens.accounts_screen import AccountsScreen

        if not isinstance(self.screen, AccountsScreen):
            self.push_screen(AccountsScreen())

    def action_add_account(self) -> None:
        from synctui.ui.screens.account_form_screen import AccountFormScreen

        if refuse_in_browser(self, "adding an account"):
            return
        self.push_screen(AccountFormScreen())

    # --- quitting: never silently with unsaved drafts ----------------------------------------
    def unsaved_drafts(self) -> list[str]:
        """Names of the syncs with an edit that saving would still send."""
        drafts = self.drafts
        names = []
        for key in drafts:
            draft = drafts.get(key)
            if draft is not None and draft.dirty:
                names.append(draft.base.name)
        return names

    async def action_quit(self) -> None:
        self.request_quit()

    def request_quit(self) -> None:
        """`q`, `:q`, ctrl+q: quit at once, or ask first when drafts would be lost."""
        unsaved = self.unsaved_drafts()
        if not unsaved:
            self.exit(0)
            return
        if isinstance(self.screen, ConfirmScreen) and self.screen.id == "quit-confirm":
            return  # already asking
        shown = ", ".join(repr(n) for n in unsaved[:3]) + (" …" if len(unsaved) > 3 else "")
        count = f"{len(unsaved)} unsaved draft" + ("s" if len(unsaved) > 1 else "")
        question = f"Quit with {count} ({shown})? Unsaved drafts are lost when synctui exits."
        self.push_screen(
            ConfirmScreen(question, "Quit", id="quit-confirm"),
            lambda yes: self.exit(0) if yes else None,
        )

    def action_refused_write(self, key: str) -> None:
        readonly_keys.say_refused(self, readonly_keys.refused_description(self, key))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == readonly_keys.REFUSED_ACTION:
            return self.session.readonly and readonly_keys.refused_here(self, str(parameters[0]))
        return not (action == "command_line" and self.main is None)
