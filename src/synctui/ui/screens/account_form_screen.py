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
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from synctui.domain import errors
from synctui.services.session import Session, SessionOptions
from synctui.services.vendor_rules import rules_for, titles, using
from synctui.store.account_setup import save_account
from synctui.store.accounts import (
    DEFAULT_API_VERSION,
    DEFAULT_VENDOR,
    VENDORS,
    Account,
    AccountError,
    token_env_var,
    validate_account,
)
from synctui.ui.credentials import explain_no_keyring, keyring_state
from synctui.ui.widgets.toggles import Checkbox
from synctui.vendors.http_settings import RetrySettings

if TYPE_CHECKING:
    from synctui.ui.host import Tui

ALL_SPECIFIC = ("projects", "workspace", "api_version", "auth")


def vendor_fields(vendor: str) -> tuple[str, ...]:
    """The vendor-specific settings its accounts have, as its rules say."""
    return tuple(f for f in ALL_SPECIFIC if f in rules_for(vendor).account_fields)


def _who(field: str) -> str:
    """Whose setting a field is, by vendor name ("Polytomic")."""
    return titles(using(field), "or")


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

    # Fields have a frame that changes shape when focused (round → heavy), so the field being
    # typed into is visible without colour too (NO_COLOR, 16 colours); labels sit on the left
    # of their field, which keeps the form short enough for 80x24.
    DEFAULT_CSS = """
    AccountFormScreen { align: center middle; }
    AccountFormScreen > Vertical {
        width: 90; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    AccountFormScreen VerticalScroll { height: auto; max-height: 1fr; }
    AccountFormScreen #form-title { text-style: bold; color: $text-accent; }
    AccountFormScreen .field { height: auto; }
    AccountFormScreen .field > Label { width: 24; padding: 1 1 0 0; color: $text-muted; }
    AccountFormScreen .field > Input, AccountFormScreen .field > Select { width: 1fr; }
    AccountFormScreen Input { border: round $border-blurred; background: $boost; }
    AccountFormScreen Input:focus { border: heavy $border; background: $boost; }
    AccountFormScreen Input:disabled { border: round $panel; }
    AccountFormScreen SelectCurrent { border: round $border-blurred; background: $boost; }
    AccountFormScreen Select:focus > SelectCurrent { border: heavy $border; }
    AccountFormScreen Checkbox { margin-left: 24; border: none; }
    AccountFormScreen Checkbox:focus { border: none; }
    AccountFormScreen .-hidden { display: none; }
    AccountFormScreen #keyring-note { color: $text-warning; margin: 0 0 0 24; }
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
    def tui(self) -> Tui:
        return self.app  # type: ignore[return-value]

    def _theme_choices(self) -> list[tuple[str, str]]:
        names = list(self.tui.own_themes)
        current = self.editing.theme if self.editing else None
        if current and current not in names:  # e.g. a user theme file that is gone now
            names.append(current)
        return [(name, name) for name in names]

    def compose(self) -> ComposeResult:
        account = self.editing

        def field(label: str, widget: Widget, kind: str = "") -> Horizontal:
            return Horizontal(Label(label), widget, classes=f"field {kind}".strip())

        with Vertical():
            title = f"Edit account {account.name}" if account else "Add an account"
            yield Static(title, id="form-title", markup=False)
            with VerticalScroll():
                yield field(
                    "Name",
                    Input(
                        value=account.name if account else "",
                        placeholder=f"letters, digits, . _ -  e.g. prod-{DEFAULT_VENDOR}",
                        id="name",
                        disabled=account is not None,
                    ),
                )
                yield field(
                    "Vendor",
                    Select(
                        [(v, v) for v in VENDORS],
                        value=account.vendor if account else DEFAULT_VENDOR,
                        allow_blank=False,
                        id="vendor",
                    ),
                )
                yield field(
                    "Base URL",
                    Input(
                        value=account.base_url if account else "",
                        placeholder="https://…",
                        id="base_url",
                    ),
                )
                yield field(
                    f"{_who('projects')} project ids",
                    Input(
                        value=" ".join(account.projects) if account else "",
                        placeholder="space or comma separated",
                        id="projects",
                    ),
                    "projects",
                )
                yield field(
                    f"{_who('workspace')} workspace",
                    Input(value=(account.workspace or "") if account else "", id="workspace"),
                    "workspace",
                )
                yield field(
                    f"{_who('api_version')} API version",
                    Input(
                        value=(account.api_version if account else None) or DEFAULT_API_VERSION,
                        id="api_version",
                    ),
                    "api_version",
                )
                yield field(
                    f"{_who('auth')} auth",
                    Select(
                        [
                            ("API key (bearer)", "bearer"),
                            ("deployment key (on-prem)", "deployment"),
                        ],
                        value=account.auth if account else "bearer",
                        allow_blank=False,
                        id="auth",
                    ),
                    "auth",
                )
                theme = account.theme if account else None
                yield field(
                    "Theme",
                    Select(
                        self._theme_choices(),
                        value=theme if theme else Select.NULL,
                        prompt="your default theme",
                        id="theme",
                    ),
                )
                yield Checkbox(
                    "allow_http: plain http:// also to other hosts",
                    value=account.allow_http if account else False,
                    id="allow_http",
                    compact=True,
                )
                yield field(
                    "Token",
                    Input(
                        password=True,
                        id="token",
                        placeholder="hidden; empty keeps the stored one"
                        if account
                        else "paste the API token (hidden)",
                    ),
                )
                yield Static("checking the system keyring…", id="keyring-note", markup=False)
                yield Checkbox(
                    "Keep the token in a 0600 plain-text file, not the keyring",
                    id="insecure",
                    compact=True,
                    # A demo run keeps tokens in memory only: there is no file to choose.
                    classes="-hidden" if self.tui.demo_run else "",
                )
                yield Static("", id="form-result", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Test ^t", id="test", compact=True)
                yield Button("Save ^s", id="save", variant="primary", compact=True)

    def on_mount(self) -> None:
        self._show_vendor_fields(self._value("vendor"))
        # The first field that can be typed into: the name, or (editing) the vendor.
        self.query_one("#vendor" if self.editing else "#name").focus()
        self._check_keyring()

    # --- keyring --------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="keyring-status", exit_on_error=False)
    def _check_keyring(self) -> None:
        try:
            state = keyring_state(self.tui.token_store)
        except Exception as exc:
            self.app.call_from_thread(self._show_keyring, False, str(exc))
        else:
            self.app.call_from_thread(self._show_keyring, state.usable, state.reason)

    def _show_keyring(self, usable: bool, reason: str) -> None:
        self.keyring_usable = usable
        self.keyring_reason = reason.split(". To use a token without", 1)[0]
        note = self.query_one("#keyring-note", Static)
        name = self._value("name") or "NAME"
        if usable and self.tui.demo_run:
            note.update(self.keyring_reason)  # in memory for this run: says so itself
        elif usable:
            note.update(f"{self.keyring_reason.rstrip('.')}: tokens are stored there.")
        else:
            note.update(explain_no_keyring(name, token_env_var(name), self.keyring_reason))
            self.query_one("#insecure", Checkbox).value = False

    # --- form -----------------------------------------------------------------------------
    def _value(self, field: str) -> str:
        widget = self.query_one(f"#{field}")
        if isinstance(widget, Select):
            value = widget.value
            return "" if value is Select.NULL or value is Select.BLANK else str(value)
        assert isinstance(widget, Input)
        return widget.value.strip()

    def _show_vendor_fields(self, vendor: str) -> None:
        wanted = vendor_fields(vendor)
        for field in ALL_SPECIFIC:
            for widget in self.query(f".field.{field}"):
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
        wanted = vendor_fields(vendor)
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
            theme=self._value("theme") or None,
            allow_http=self.query_one("#allow_http", Checkbox).value,
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
        if self.tui.session.readonly:
            self._say("Not saved: read-only mode changes no account.", "error")
            return
        try:
            account = self.build_account()
        except AccountError as exc:
            self._say(str(exc), "error")
            return
        token = self._value("token") or None
        insecure = self.query_one("#insecure", Checkbox).value
        if token and not insecure and self.keyring_usable is False:
            self._say(
                "Not saved: there is no usable keyring here. Tick the plain-text file box, or leave "
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
