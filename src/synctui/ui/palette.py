"""Command palette (ctrl+p): every action of the current screen, plus switching accounts.

The binding list is read from the calling screen at the moment the palette opens, so what the
palette offers is exactly what the keys do here — including read-only mode, where write
actions are not bound and therefore not offered either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from synctui.ui.catalog import ALL, View

if TYPE_CHECKING:
    from synctui.ui.app import SyncTuiApp

Entry = tuple[str, str, Callable[[], object]]  # (title, help, callback)


class SyncTuiCommands(Provider):
    def _entries(self) -> Iterator[Entry]:
        app: SyncTuiApp = self.app  # type: ignore[assignment]
        screen = self.screen
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or not active.enabled or binding.action in seen:
                continue
            if binding.action in ("command_palette", "quit"):
                continue
            seen.add(binding.action)
            shown = app.get_key_display(binding)
            callback = partial(app.run_action, binding.action, active.node)
            yield (binding.description, f"key: {shown}", callback)
        if getattr(app, "catalog", None) is None:
            return
        yield (
            "All accounts",
            "show every account's syncs in one table",
            partial(app.show_view, ALL),
        )
        for name, entry in app.catalog.entries.items():
            account = entry.account
            yield (
                f"Account: {name}",
                f"{account.vendor} · {entry.state.value}  (:ctx {name})",
                partial(app.show_view, View("account", name)),
            )
        for vendor in app.catalog.vendors():
            yield (
                f"Vendor: {vendor}",
                f"every {vendor} account  (:{vendor})",
                partial(app.show_view, View("vendor", vendor)),
            )
        yield ("API call log", "every vendor call since start  (@, :log)", app.action_call_log)
        yield (
            "Write journal",
            "every change synctui made: diff, request, revert  (J, :journal)",
            app.action_journal,
        )
        yield (
            "Manage accounts",
            "add, edit, test, remove  (:accounts)",
            app.action_manage_accounts,
        )
        yield ("Add account", "vendor, URL, token  (:add)", app.action_add_account)

    async def discover(self) -> Hits:
        for title, help_text, callback in self._entries():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, text=title, help=help_text)
