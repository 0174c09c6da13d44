"""A small host app around the attention view alone, for its tests and screenshot.

The main app opens the view with `!` (or `:attention`). This host does what the main app
does for a screen on top: themes, `?` help, and an auto-refresh that calls `reload()`,
rescheduled with `set_timer` and paused while a dialog is open (a confirmation must not be
refreshed away under the cursor). What "now" is comes from the session (`Session.clock`).
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.timer import Timer

from synctui.ui.host import Reloadable
from synctui.ui.screens.help_screen import HelpScreen
from synctui.ui.theme import STATUS_VARIABLES, pick_theme, register_themes
from synctui.ui.triage.screen import AttentionScreen


class TriageApp(App[int]):
    TITLE = "synctui attention"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark,f1", "help", "Help", key_display="?", id="app.help"),
    ]

    def __init__(
        self,
        session: Any,
        *,
        refresh_seconds: float = 0.0,
        theme_name: str | None = None,
        demo: Any = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.refresh_seconds = refresh_seconds
        self.theme_name = theme_name
        self.demo = demo
        self._timer: Timer | None = None

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(STATUS_VARIABLES)

    def get_default_screen(self) -> Screen[Any]:
        return AttentionScreen(self.session)

    def on_mount(self) -> None:
        register_themes(self)
        warning = pick_theme(self, self.theme_name)
        if warning:
            self.notify(warning, severity="warning")
        self._schedule()

    async def on_unmount(self) -> None:
        await self.session.aclose()

    def _schedule(self) -> None:
        if self.refresh_seconds > 0:
            self._timer = self.set_timer(self.refresh_seconds, self._tick)

    def _tick(self) -> None:
        try:
            screen = self.screen
            if not isinstance(screen, ModalScreen) and isinstance(screen, Reloadable):
                screen.reload()
        finally:
            self._schedule()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen.for_screen(self.screen))
