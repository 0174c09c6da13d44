"""Add or edit an account: vendor, base URL, vendor specifics, and a masked token.

The token goes through the same credential chain as `synctui accounts add`. When this
machine has no usable keyring the form says so in plain words and offers the two other ways
(an environment variable, or an opt-in 0600 file) instead of failing at save time.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from synctui.domain import errors
from synctui.services.session import Session, SessionOptions
from synctui.store.accounts import (
    POLYTOMIC_DEFAULT_API_VERSION,
    VENDORS,
    Account,
    AccountError,
    token_env_var,
    validate_account,
)
from synctui.ui.widgets.toggles import Checkbox
from synctui.vendors.http import RetrySettings

if TYPE_CHECKING:
    from synctui.ui.app import SyncTuiApp

VENDOR_FIELDS = {
    "speckle": ("projects",),
    "signalsmith": ("workspace",),
    "polytomic": ("api_version", "auth"),
}
ALL_SPECIFIC = ("projects", "workspace", "api_version", "auth")


@dataclass(frozen=True)
class AccountFormResult:
    account: Account
    token: str | None  # kept in memory for this session (it is also stored, unless refused)
    stored_where: str | None
    edited: bool


class AccountFormScreen(ModalScreen[AccountFormResult | None]):
    help_title = "account form"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("ctrl+t", "test", "Test connection", id="form.test"),
    ]

    DEFAULT_CSS = """
    AccountFormScreen { align: center middle; }
    AccountFormScreen > Vertical {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    AccountFormScreen VerticalScroll { height: auto; max-height: 1fr; }
    AccountFormScreen #form-title { text-style: bold; color: $text-accent; }
    AccountFormScreen Label { margin-top: 1; color: $text-muted; }
    AccountFormScreen Input, AccountFormScreen SelectCurrent { background: $boost; }
    AccountFormScreen Input, AccountFormScreen Select { width: 100%; }
    AccountFormScreen .-hidden { display: none; }
    AccountFormScreen #keyring-note { color: $text-warning; margin-top: 1; }
    AccountFormScreen #form-result { margin-top: 1; min-height: 1; }
    AccountFormScreen #form-result.-error { color: $text-error; }
    AccountFormScreen #form-result.-ok { color: $text-success; }
    AccountFormScreen #buttons {
        dock: bottom; height: 1; align-horizontal: right; margin-top: 1;
    }
    AccountFormScreen #buttons Button { margin-left: 1; }
    """

    def __init__(self, account: Account | None = None) -> None:
        super().__init__()
        self.editing = account
        self.keyring_usable: bool | None = None
        self.keyring_reason = ""

    @property
    def tui(self) -> SyncTuiApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        account = self.editing
        with Vertical():
            title = f"Edit account {account.name}" if account else "Add an account"
            yield Static(title, id="form-title", markup=False)
            with VerticalScroll():
                yield Label("Name (letters, digits, . _ -)")
                yield Input(
                    value=account.name if account else "",
                    placeholder="e.g. prod-polytomic",
                    id="name",
                    disabled=account is not None,
                    compact=True,
                )
                yield Label("Vendor")
                yield Select(
                    [(v, v) for v in VENDORS],
                    value=account.vendor if account else "polytomic",
                    allow_blank=False,
                    id="vendor",
                    compact=True,
                )
                yield Label("Base URL")
                yield Input(
                    value=account.base_url if account else "",
                    placeholder="https://…",
                    id="base_url",
                    compact=True,
                )
                yield Label("Speckle project ids (space or comma separated)", classes="projects")
                yield Input(
                    value=" ".join(account.projects) if account else "",
                    id="projects",
                    classes="projects",
                    compact=True,
                )
                yield Label("Signalsmith workspace id", classes="workspace")
                yield Input(
                    value=(account.workspace or "") if account else "",
                    id="workspace",
                    classes="workspace",
                    compact=True,
                )
                yield Label("Polytomic API version", classes="api_version")
                yield Input(
                    value=(account.api_version if account else None)
                    or POLYTOMIC_DEFAULT_API_VERSION,
                    id="api_version",
                    classes="api_version",
                    compact=True,
                )
                yield Label("Polytomic auth kind", classes="auth")
                yield Select(
                    [("API key (bearer)", "bearer"), ("deployment key (on-prem)", "deployment")],
                    value=account.auth if account else "bearer",
                    allow_blank=False,
                    id="auth",
                    classes="auth",
                    compact=True,
                )
                yield Label(
                    "Token (hidden; leave empty to keep the stored one)"
                    if account
                    else "Token (hidden)"
                )
                yield Input(
                    password=True, id="token", placeholder="paste the API token", compact=True
                )
                yield Static("checking the system keyring…", id="keyring-note", markup=False)
                yield Checkbox(
                    "Keep the token in a plain-text file (mode 0600) instead of the keyring",
                    id="insecure",
                )
                yield Static("", id="form-result", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Test ^t", id="test", compact=True)
                yield Button("Save ^s", id="save", variant="primary", compact=True)

    def on_mount(self) -> None:
        self._show_vendor_fields(self._value("vendor"))
        self.query_one("#base_url" if self.editing else "#name", Input).focus()
        self._check_keyring()

    # --- keyring --------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="keyring-status", exit_on_error=False)
    def _check_keyring(self) -> None:
        from synctui.ui.credentials import keyring_state

        try:
            state = keyring_state(self.tui.token_store)
        except Exception as exc:
            self.app.call_from_thread(self._show_keyring, False, str(exc))
        else:
            self.app.call_from_thread(self._show_keyring, state.usable, state.reason)

    def _show_keyring(self, usable: bool, reason: str) -> None:
        from synctui.ui.credentials import explain_no_keyring

        self.keyring_usable = usable
        self.keyring_reason = reason.split(". To use a token without", 1)[0]
        note = self.query_one("#keyring-note", Static)
        name = self._value("name") or "NAME"
        if usable:
            note.update(f"Tokens are stored in the system keyring. {self.keyring_reason}")
        else:
            note.update(explain_no_keyring(name, token_env_var(name), self.keyring_reason))
            self.query_one("#insecure", Checkbox).value = False

    # --- form -----------------------------------------------------------------------------
    def _value(self, field: str) -> str:
        widget = self.query_one(f"#{field}")
        if isinstance(widget, Select):
            value = widget.value
            return "" if value is Select.BLANK else str(value)
        assert isinstance(widget, Input)
        return widget.value.strip()

    def _show_vendor_fields(self, vendor: str) -> None:
        wanted = VENDOR_FIELDS.get(vendor, ())
        for field in ALL_SPECIFIC:
            for widget in self.query(f".{field}"):
                widget.set_class(field not in wanted, "-hidden")

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "vendor":
            self._show_vendor_fields(str(event.value))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "name" and self.keyring_usable is False:
            self._show_keyring(False, self.keyring_reason)

    def build_account(self) -> Account:
        """The account as typed; AccountError with one sentence if something is wrong."""
        vendor = self._value("vendor")
        wanted = VENDOR_FIELDS.get(vendor, ())
        base = self.editing
        projects = tuple(p for p in self._value("projects").replace(",", " ").split() if p)
        account = Account(
            name=self._value("name"),
            vendor=vendor,
            base_url=self._value("base_url"),
            projects=projects if "projects" in wanted else (),
            workspace=(self._value("workspace") or None) if "workspace" in wanted else None,
            api_version=(self._value("api_version") or None) if "api_version" in wanted else None,
            auth=self._value("auth") if "auth" in wanted else "bearer",  # type: ignore[arg-type]
            theme=base.theme if base else None,
            allow_http=base.allow_http if base else False,
            extra=dict(base.extra) if base else {},
        )
        validate_account(account)
        return account

    def _say(self, text: str, kind: str = "") -> None:
        result = self.query_one("#form-result", Static)
        result.update(text)
        result.set_class(kind == "error", "-error")
        result.set_class(kind == "ok", "-ok")

    # --- buttons --------------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.action_cancel()
        elif event.button.id == "test":
            self.action_test()
        elif event.button.id == "save":
            self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_test(self) -> None:
        try:
            account = self.build_account()
        except AccountError as exc:
            self._say(str(exc), "error")
            return
        self._say(f"connecting to {account.base_url}…")
        self._test(account, self._value("token") or None)

    @work(exclusive=True, group="form-test", exit_on_error=False)
    async def _test(self, account: Account, token: str | None) -> None:
        """One authenticated read with exactly what is typed (nothing saved yet)."""
        known = self.tui.tokens

        def provider(acc: Account) -> str | None:
            return token if token else known(acc)

        session = Session(
            [account],
            provider,
            SessionOptions(retry=RetrySettings(attempts=2), journal_enabled=False),
            call_log=self.tui.session.call_log,
        )
        try:
            if token is None:
                await known.prefetch(account)
            text = await session.guard(session.adapter(account.name).check())
        except asyncio.CancelledError:
            raise
        except ImportError as exc:
            self._say(f"this synctui has no {account.vendor} adapter yet ({exc})", "error")
        except Exception as exc:
            self._say(f"connection failed: {exc}", "error")
        else:
            self._say(f"connected: {text}", "ok")
        finally:
            await session.aclose()

    def action_save(self) -> None:
        try:
            account = self.build_account()
        except AccountError as exc:
            self._say(str(exc), "error")
            return
        token = self._value("token") or None
        insecure = self.query_one("#insecure", Checkbox).value
        if token and not insecure and self.keyring_usable is False:
            self._say(
                "Not saved: there is no usable keyring here. Tick 'plain-text file', or leave "
                f"the token empty and set {account.token_env_var}.",
                "error",
            )
            return
        if self.editing is None and account.name in self.tui.catalog.entries:
            self._say(f"An account named {account.name!r} already exists.", "error")
            return
        self._say("saving…")
        self._save(account, token, insecure)

    @work(thread=True, exclusive=True, group="form-save", exit_on_error=False)
    def _save(self, account: Account, token: str | None, insecure: bool) -> None:
        """Account and token together, or neither (see `store.account_setup`)."""
        from synctui.store.account_setup import save_account

        try:
            where = save_account(
                account,
                token,
                accounts=self.tui.account_store,
                tokens=self.tui.token_store,
                insecure_file=insecure,
                edit=self.editing is not None,
            )
        except (errors.SyncTuiError, OSError, ValueError) as exc:
            self.app.call_from_thread(self._say, f"Not saved: {exc}", "error")
            return
        result = AccountFormResult(account, token, where, edited=self.editing is not None)
        self.app.call_from_thread(self.dismiss, result)
