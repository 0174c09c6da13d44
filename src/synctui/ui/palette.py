"""Command palette (ctrl+p): this screen's actions first, then places, themes and quit.

The binding list is read from the calling screen at the moment the palette opens, so what the
palette offers is exactly what the keys do here — including read-only mode, where write
actions are not bound and therefore not offered either. Only synctui's own bindings are
listed (every one carries an `id`): the cursor and editing keys of Textual's widgets (an
Input's "Move cursor left a word and select"...) would bury them. An action that exists here
but cannot run right now (Save with nothing changed) is still found, marked as such.

This is the app's only palette provider: Textual's generic commands (its theme picker with
~20 stock themes, "Keys", "Screenshot") are left out, and the themes offered are synctui's
and the user's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from synctui.ui.catalog import ALL, View

if TYPE_CHECKING:
    from synctui.ui.host import Tui

# A match among this screen's own actions outranks an equally good one elsewhere.
ELSEWHERE_WEIGHT = 0.9


@dataclass(frozen=True)
class Entry:
    title: str
    help: str
    callback: Callable[[], object]
    own: bool = False  # an action of the current screen
    discover: bool = True  # listed before anything is typed (theme names only when searched)


class SyncTuiCommands(Provider):
    @property
    def tui(self) -> Tui:
        """The app, as synctui's: only synctui's app lists this provider."""
        return self.app  # type: ignore[return-value]

    def _entries(self) -> Iterator[Entry]:
        yield from self._screen_actions()
        yield from self._places()
        yield from self._themes()
        app = self.app
        yield Entry("Quit", "leave synctui  (q, :q)", partial(app.run_action, "quit"))

    def _screen_actions(self) -> Iterator[Entry]:
        """The screen's own actions, then those of the focused widget that the footer shows
        (a table's Open, a mapping's Add row — not its cursor keys), then the app's."""
        app = self.app
        screen = self.screen
        groups: tuple[list[Entry], list[Entry], list[Entry]] = ([], [], [])
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.id or not binding.description or binding.action in seen:
                continue
            if binding.action in ("command_palette", "quit"):
                continue
            if active.node is screen:
                group = groups[0]
            elif active.node is app:
                group = groups[2]
            elif binding.show:
                group = groups[1]
            else:
                continue  # a widget's own movement keys (up, page down, scroll left…)
            seen.add(binding.action)
            shown = app.get_key_display(binding)
            state = "" if active.enabled else " · not available right now"
            group.append(
                Entry(
                    binding.description,
                    f"key: {shown}{state}",
                    partial(app.run_action, binding.action, active.node),
                    own=True,
                )
            )
        for group in groups:
            yield from group

    def _places(self) -> Iterator[Entry]:
        app = self.tui
        yield Entry(
            "All accounts", "show every account's syncs in one table", partial(app.show_view, ALL)
        )
        for name, entry in app.catalog.entries.items():
            account = entry.account
            yield Entry(
                f"Account: {name}",
                f"{account.vendor} · {entry.state.value}  (:ctx {name})",
                partial(app.show_view, View("account", name)),
            )
        for vendor in app.catalog.vendors():
            yield Entry(
                f"Vendor: {vendor}",
                f"every {vendor} account  (:{vendor})",
                partial(app.show_view, View("vendor", vendor)),
            )
        yield Entry("API call log", "every vendor call since start  (@, :log)", app.action_call_log)
        yield Entry(
            "Write journal",
            "every change synctui made: diff, request, revert  (J, :journal)",
            app.action_journal,
        )
        yield Entry(
            "Manage accounts", "add, edit, test, remove  (:accounts)", app.action_manage_accounts
        )
        yield Entry("Add account", "vendor, URL, token  (:add)", app.action_add_account)

    def _themes(self) -> Iterator[Entry]:
        app = self.tui
        pick = app.choose_user_theme
        yield Entry("Change theme…", "pick a colour theme  (:theme NAME)", app.search_themes)
        current = self.app.theme
        for name in app.own_themes:
            mark = "  (current)" if name == current else ""
            yield Entry(
                f"Theme: {name}", f"use {name}{mark}  (:theme {name})", partial(pick, name),
                discover=False,
            )  # fmt: skip

    async def discover(self) -> Hits:
        for entry in self._entries():
            if entry.discover:
                yield DiscoveryHit(entry.title, entry.callback, help=entry.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._entries():
            score = matcher.match(entry.title)
            if score > 0:
                weighted = score if entry.own else score * ELSEWHERE_WEIGHT
                yield Hit(
                    weighted,
                    matcher.highlight(entry.title),
                    entry.callback,
                    text=entry.title,
                    help=entry.help,
                )
