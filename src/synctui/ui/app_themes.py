"""Which theme the app wears: account skin > --theme / picked theme > saved default >
synctui-dark; a production account always looks different.

A part of `SyncTuiApp` kept in its own module (the app is assembled from these mixins).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work

from synctui import theming
from synctui.domain import errors
from synctui.settings import set_default_theme
from synctui.ui.catalog import View

if TYPE_CHECKING:
    from synctui.ui.catalog import Catalog
    from synctui.ui.host import MainView


class ThemesMixin:
    """The theme choices of `SyncTuiApp`."""

    catalog: Catalog
    main: MainView | None
    theme_name: str | None
    settings: Any
    served: bool
    demo_run: bool
    theme: str
    available_themes: dict[str, Any]
    _notified: set[tuple[str, str]]

    if TYPE_CHECKING:  # provided by Textual's App (never defined here)

        def notify(self, message: str, **kwargs: Any) -> None: ...
        def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any: ...
        def call_from_thread(self, callback: Any, *args: Any, **kwargs: Any) -> Any: ...

    def apply_theme(self, view: View | None = None) -> None:
        """Pick the theme for what is on screen; a production account always looks different."""
        account_theme = None
        account_name = None
        if view is not None and view.kind == "account" and view.name in self.catalog.entries:
            account = self.catalog.entry(view.name).account
            account_theme, account_name = account.theme, account.name
        elif view is not None:
            names = self.catalog.accounts_in(view)
            themes = [self.catalog.entry(n).account.theme for n in names]
            account_theme = theming.shared_account_theme(themes) if themes else None
        choice = theming.choose_theme(
            self.theme_name,
            account_theme,
            self.settings.theme if self.settings is not None else None,
            available=self.available_themes,
            account_name=account_name,
        )
        if choice.name != self.theme:
            self.theme = choice.name
        for problem in choice.problems:
            if ("theme", problem) not in self._notified:
                self._notified.add(("theme", problem))
                self.notify(problem, title="Theme", severity="warning", timeout=8)

    def choose_user_theme(self, name: str) -> None:
        """A theme picked in the palette or with `:theme`: use it now and save it as default."""
        if name not in self.available_themes:
            known = ", ".join(sorted(self.available_themes))
            self.notify(f"unknown theme {name!r} (themes: {known})", severity="warning")
            return
        self.theme_name = name
        self.apply_theme(self.main.view if self.main is not None else None)
        if self.served:  # a browser tab's pick lasts for that tab only
            return
        if self.demo_run:
            self.notify(f"theme {name} for this demo run (a demo saves no settings)", timeout=4)
            return
        self._save_default_theme(name)

    @work(thread=True, exit_on_error=False, group="settings")
    def _save_default_theme(self, name: str) -> None:
        try:
            set_default_theme(name)
        except errors.SyncTuiError as exc:
            self.call_from_thread(self.notify, f"theme not saved: {exc}", severity="warning")

    def search_themes(self) -> None:
        # The palette (textual.command) loads when first asked for, not before first paint.
        from textual.command import CommandPalette

        from synctui.ui.theme_picker import SavingThemeProvider

        self.push_screen(
            CommandPalette(providers=[SavingThemeProvider], placeholder="Search for themes…")
        )
