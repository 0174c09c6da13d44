"""A tiny host app around `FeedScreen`, for its tests, benchmarks and screenshot.

The main synctui app pushes `FeedScreen` itself (an account with a change feed, `:feed`);
this host exists so the viewer can be tested and screenshotted without the rest of the TUI.
"""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from synctui.services.feed import FeedEngine
from synctui.services.session import Session
from synctui.services.vendor_rules import feed_title
from synctui.store.feedstore import FeedStore
from synctui.ui.feed.clock import FeedClock
from synctui.ui.feed.feed_screen import FeedScreen


class FeedApp(App[None]):
    TITLE = f"synctui · {feed_title()} changes"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="feed-app.quit"),
        Binding("question_mark,f1", "toggle_keys", "Keys", key_display="?", id="feed-app.help"),
    ]

    def __init__(
        self,
        session: Session | None,  # None: the engine is given and the host closes nothing
        account_name: str,
        store: FeedStore,
        *,
        poll_interval: float = 2.0,
        engine: FeedEngine | None = None,
        clock: FeedClock | None = None,
        close_session: bool = True,
    ) -> None:
        super().__init__()
        self.session = session
        self.account_name = account_name
        self.store = store
        self.poll_interval = poll_interval
        self.engine = engine
        self.clock = clock
        self.close_session = close_session
        self.feed_screen: FeedScreen | None = None

    def on_mount(self) -> None:
        self.feed_screen = FeedScreen(
            self.session,
            self.account_name,
            self.store,
            poll_interval=self.poll_interval,
            engine=self.engine,
            clock=self.clock,
        )
        self.push_screen(self.feed_screen, lambda _result: self.exit())

    def action_toggle_keys(self) -> None:
        """`?`: Textual's key panel, listing every binding of the focused screen."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    async def on_unmount(self) -> None:
        if self.close_session and self.session is not None:
            await self.session.aclose()
