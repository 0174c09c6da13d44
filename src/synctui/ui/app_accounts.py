"""Accounts joining and leaving the running app: the demo, a saved form, an edit, a delete.

A part of `SyncTuiApp` kept in its own module (the app is assembled from these mixins); the
session's account list, the token cache and the catalog change together, and the catalog
tells the main screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synctui.store.accounts import Account, AccountStore
from synctui.store.secrets import TokenStore

if TYPE_CHECKING:
    from synctui.services.demo import Demo
    from synctui.services.session import Session
    from synctui.ui.catalog import Catalog
    from synctui.ui.host import MainView
    from synctui.ui.tokens import TokenResolver


class AccountsMixin:
    """The account changes of `SyncTuiApp`."""

    session: Session
    catalog: Catalog
    tokens: TokenResolver
    main: MainView | None
    demo: Demo | None
    demo_run: bool
    demo_names: set[str]
    screen_stack: list[Any]

    if TYPE_CHECKING:  # provided by Textual's App and SyncTuiApp (never defined here)

        def notify(self, message: str, **kwargs: Any) -> None: ...
        def open_main(self) -> None: ...

    @property
    def account_store(self) -> Any:
        """accounts.toml — or, in a demo run, the demo's scratch copy."""
        return self.demo.account_store if self.demo is not None else AccountStore()

    @property
    def token_store(self) -> Any:
        """The credential chain — or, in a demo run, tokens kept in memory only."""
        return self.demo.token_store if self.demo is not None else TokenStore()

    def adopt_accounts(self, accounts: list[Account], tokens: dict[str, str]) -> None:
        """Accounts created in this process (the demo, a just-saved account)."""
        for account in accounts:
            if account.name in tokens:
                self.tokens.remember(account.name, tokens[account.name])
            if account.name in self.catalog.entries:
                self.replace_account(account)
                continue
            self.session.accounts.append(account)
            self.catalog.add_account(account)
        self.catalog.announce_accounts()

    def adopt_demo(self, demo: Any) -> None:
        """The demo was started from the welcome screen: its accounts live in memory."""
        self.demo = demo
        self.demo_names.update(a.name for a in demo.accounts)
        self.adopt_accounts(list(demo.accounts), dict(demo.tokens))
        self.open_main()

    def accept_form(self, result: Any) -> None:
        """An account saved from the form joins the running session."""
        account = result.account
        if result.token:
            self.tokens.remember(account.name, result.token)
        else:
            self.tokens.forget(account.name)
        if result.edited:
            self.replace_account(account)
        else:
            self.adopt_accounts([account], {})
        where = f"; token stored in {result.stored_where}" if result.stored_where else ""
        self.notify(f"saved {account.name}{where}")
        if self.main is None or self.main not in self.screen_stack:
            self.open_main()

    def replace_account(self, account: Account) -> None:
        self.session.forget(account.name)
        self.session.accounts[:] = [
            account if a.name == account.name else a for a in self.session.accounts
        ]
        self.catalog.replace_account(account)  # the main screen hears of it

    def drop_account(self, name: str) -> None:
        self.session.forget(name)
        self.tokens.forget(name)
        self.session.accounts[:] = [a for a in self.session.accounts if a.name != name]
        self.catalog.remove_account(name)  # the main screen hears of it
