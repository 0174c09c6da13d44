"""`a` / `:accounts`: the saved accounts — add, edit, test ("connect"), remove.

Changes go to `accounts.toml` and the credential chain through the same store classes as the
CLI, then into the running session, so the sidebar and tables follow at once. Demo accounts
live in memory only and are listed but not editable.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from synctui.ui import messages as msg
from synctui.ui.credentials import delete_token, token_source
from synctui.ui.dialogs.confirm import ConfirmScreen
from synctui.ui.screens.account_form_screen import AccountFormResult, AccountFormScreen
from synctui.ui.served import refuse_in_browser
from synctui.ui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from synctui.ui.host import Tui


class AccountsScreen(Screen[None]):
    help_title = "accounts"

    BINDINGS = [
        Binding("escape", "back", "Back", id="accounts.back"),
        Binding("a", "add", "Add", id="accounts.add"),
        Binding("e,enter", "edit", "Edit", key_display="e", id="accounts.edit"),
        Binding("c", "connect", "Connect", id="accounts.connect"),
        Binding("d,delete", "remove", "Remove", key_display="d", id="accounts.remove"),
    ]

    DEFAULT_CSS = """
    AccountsScreen DataTable { height: 1fr; }
    AccountsScreen #accounts-hint { height: auto; color: $text-muted; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.sources: dict[str, str] = {}
        self.checks: dict[str, tuple[bool, str]] = {}

    @property
    def tui(self) -> Tui:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield StatusLine(locked=self.tui.session.readonly, id="status")
        yield DataTable(id="accounts", cursor_type="row")
        yield Static(
            "Accounts live in accounts.toml; tokens in SYNCTUI_TOKEN_<NAME>, the system keyring "
            "or an opt-in 0600 file — never in accounts.toml.",
            id="accounts-hint",
            markup=False,
        )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Name", "Vendor", "Base URL", "Token", "Connection")
        self.show()
        table.focus()
        self._lookup_sources()

    def show(self) -> None:
        table = self.query_one(DataTable)
        selected = self.selected_name()
        table.clear()
        for name, entry in self.tui.catalog.entries.items():
            account = entry.account
            if self.tui.is_demo_account(name):
                source = "in memory (demo)"
            else:
                source = self.sources.get(name, "…")
            ok_message = self.checks.get(name)
            if ok_message is None:
                connection = Content(entry.state.value)
            else:
                ok, text = ok_message
                connection = Content.styled(
                    ("ok: " if ok else "failed: ") + text,
                    "$status-active" if ok else "$status-error",
                )
            table.add_row(name, account.vendor, account.base_url, source, connection, key=name)
        if selected in self.tui.catalog.entries:
            table.move_cursor(row=table.get_row_index(selected))
        count = len(self.tui.catalog.entries)
        self.query_one(StatusLine).show(
            Content.assemble(
                (" synctui", "bold $text-accent"), " │ ", ("Accounts", "bold"), f" │ {count}"
            )
        )

    def selected_name(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:
            return None
        return str(key.value) if key.value is not None else None

    @work(thread=True, exclusive=True, group="token-sources", exit_on_error=False)
    def _lookup_sources(self) -> None:
        sources = {}
        store = self.tui.token_store
        for name in list(self.tui.catalog.entries):
            if not self.tui.is_demo_account(name):
                sources[name] = token_source(name, store)
        self.app.call_from_thread(self._sources_found, sources)

    def _sources_found(self, sources: dict[str, str]) -> None:
        self.sources.update(sources)
        self.show()

    # --- actions --------------------------------------------------------------------------
    def action_back(self) -> None:
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Read-only mode changes no account: adding, editing and removing are not bound."""
        return not (action in ("add", "edit", "remove") and self.tui.session.readonly)

    def action_add(self) -> None:
        if refuse_in_browser(self.app, "adding an account"):
            return
        self.app.push_screen(AccountFormScreen(), self._form_done)

    def action_edit(self) -> None:
        name = self.selected_name()
        if name is None:
            return
        if self.tui.is_demo_account(name):
            self.notify("demo accounts live in memory only and cannot be edited", timeout=4)
            return
        if refuse_in_browser(self.app, "editing an account"):
            return
        account = self.tui.catalog.entry(name).account
        self.app.push_screen(AccountFormScreen(account), self._form_done)

    def _form_done(self, result: AccountFormResult | None) -> None:
        if result is None:
            return
        self.tui.accept_form(result)
        self.checks.pop(result.account.name, None)
        self.sources.pop(result.account.name, None)
        self.show()
        self._lookup_sources()

    def action_connect(self) -> None:
        name = self.selected_name()
        if name is None:
            return
        self.checks.pop(name, None)
        self.notify(f"connecting {name}…", timeout=2)
        self._connect(name)

    @work(exclusive=False, group="connect", exit_on_error=False)
    async def _connect(self, name: str) -> None:
        session = self.tui.session
        try:
            await self.tui.tokens.prefetch(session.account(name))
            text = await session.guard(session.adapter(name).check())
        except asyncio.CancelledError:
            raise
        except ImportError as exc:
            self.post_message(msg.ConnectionChecked(name, False, f"no adapter yet ({exc})"))
        except Exception as exc:
            self.post_message(msg.ConnectionChecked(name, False, str(exc)))
        else:
            self.post_message(msg.ConnectionChecked(name, True, text))

    def on_connection_checked(self, message: msg.ConnectionChecked) -> None:
        self.checks[message.account] = (message.ok, message.message)
        severity = "information" if message.ok else "error"
        self.notify(f"{message.account}: {message.message}", severity=severity)  # type: ignore[arg-type]
        self.show()

    def action_remove(self) -> None:
        name = self.selected_name()
        if name is None:
            return
        if self.tui.is_demo_account(name):
            self.notify("demo accounts live in memory only; they go away when you quit")
            return
        if refuse_in_browser(self.app, "removing an account"):
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._remove(name)

        self.app.push_screen(
            ConfirmScreen(f"Remove account {name!r} and its stored token?", "Remove"), answered
        )

    @work(thread=True, exclusive=True, group="remove", exit_on_error=False)
    def _remove(self, name: str) -> None:
        try:
            self.tui.account_store.remove(name)
            note = delete_token(name, self.tui.token_store)
        except Exception as exc:
            self.app.call_from_thread(self.notify, f"cannot remove {name}: {exc}", severity="error")
            return
        self.app.call_from_thread(self._removed, name, note)

    def _removed(self, name: str, note: str) -> None:
        self.tui.drop_account(name)
        self.notify(f"removed {name}; {note}")
        self.show()
