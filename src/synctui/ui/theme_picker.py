"""The command palette's theme picker, saving the pick as the default.

Textual's own picker sets `app.theme` directly; synctui also remembers the choice (settings)
and keeps it across account switches, so the pick goes through `SyncTuiApp.choose_user_theme`.
It lists synctui's and the user's themes only (`app.own_themes`), not Textual's stock ones.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from synctui.ui.host import Tui


class SavingThemeProvider(Provider):
    @property
    def _commands(self) -> list[tuple[str, object]]:
        app: Tui = self.app  # type: ignore[assignment]  # only synctui's app offers it
        return [(name, partial(app.choose_user_theme, name)) for name in app.own_themes]

    async def discover(self) -> Hits:
        for name, callback in self._commands:
            yield DiscoveryHit(name, callback)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback in self._commands:
            if (score := matcher.match(name)) > 0:
                yield Hit(score, matcher.highlight(name), callback)  # type: ignore[arg-type]
