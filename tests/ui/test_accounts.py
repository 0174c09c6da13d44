"""First run, adding/editing/removing/testing accounts from the TUI, and the token chain."""

from __future__ import annotations

import os
import stat

from synctui.sandbox.server import Sandbox
from synctui.services.session import Session, SessionOptions
from synctui.store.accounts import Account, AccountStore
from synctui.store.paths import tokens_file
from synctui.ui.catalog import View
from synctui.ui.screens.account_form_screen import AccountFormScreen
from synctui.ui.screens.accounts_screen import AccountsScreen
from synctui.ui.screens.main_screen import MainScreen
from synctui.ui.screens.welcome_screen import WelcomeScreen
from tests.ui.conftest import MemoryKeyring, loaded, make_app, settle


def _empty_session() -> Session:
    return Session([], lambda a: None, SessionOptions(journal_enabled=False))


def _fill(form: AccountFormScreen, **values: str) -> None:
    for field, value in values.items():
        form.query_one(f"#{field}").value = value


def _speckle_form(sandbox: Sandbox) -> dict[str, str]:
    info = sandbox.info()["speckle"]
    return {
        "name": "my-speckle",
        "vendor": "speckle",
        "base_url": info["base_url"],
        "projects": " ".join(info["ids"]["projects"]),
        "token": info["tokens"]["rw"],
    }


async def test_welcome_screen_when_no_account_is_saved() -> None:
    app = make_app(_empty_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        text = str(app.screen.query_one("#welcome-text").content)
        assert "No account is saved yet" in text and "demo" in text
        await pilot.press("a")
        assert isinstance(app.screen, AccountFormScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, WelcomeScreen)


async def test_add_account_tests_the_connection_and_stores_the_token(
    sandbox: Sandbox, memory_keyring: MemoryKeyring
) -> None:
    app = make_app(_empty_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AccountFormScreen)
        assert form.keyring_usable is True
        values = _speckle_form(sandbox)
        _fill(form, **values)
        await pilot.pause()
        assert not form.query_one("#projects").parent.has_class("-hidden")
        assert form.query_one("#workspace").parent.has_class("-hidden")
        assert form.query_one("#token").password  # masked

        await pilot.press("ctrl+t")
        await settle(pilot)
        result = str(form.query_one("#form-result").content)
        assert result.startswith("connected"), result

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        saved = AccountStore().get("my-speckle")
        assert saved.vendor == "speckle" and saved.projects
        assert memory_keyring.store[("synctui", "my-speckle")] == values["token"]
        assert values["token"] not in AccountStore().path.read_text()
        assert loaded(app, "my-speckle") and app.main.table.row_count > 0


async def test_without_a_keyring_the_form_offers_env_var_and_file(
    sandbox: Sandbox, no_keyring: None
) -> None:
    app = make_app(_empty_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert form.keyring_usable is False
        _fill(form, **_speckle_form(sandbox))
        await pilot.pause()
        note = str(form.query_one("#keyring-note").content)
        assert "SYNCTUI_TOKEN_MY_SPECKLE" in note and "plain-text file" in note

        await pilot.press("ctrl+s")  # refused: nowhere safe to put the token
        await settle(pilot)
        assert isinstance(app.screen, AccountFormScreen)
        assert "Not saved" in str(form.query_one("#form-result").content)
        assert AccountStore().load() == []

        form.query_one("#insecure").value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        mode = stat.S_IMODE(os.stat(tokens_file()).st_mode)
        assert mode == 0o600


async def test_manage_accounts_connect_edit_and_remove(
    sandbox: Sandbox, memory_keyring: MemoryKeyring
) -> None:
    info = sandbox.info()["speckle"]
    account = Account(
        name="saved-speckle",
        vendor="speckle",
        base_url=info["base_url"],
        projects=tuple(info["ids"]["projects"]),
    )
    AccountStore().add(account)
    memory_keyring.set_password("synctui", account.name, info["tokens"]["rw"])
    from synctui.ui.credentials import token_for

    session = Session([account], token_for, SessionOptions(journal_enabled=False))
    app = make_app(session, demo_names=frozenset())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert loaded(app, "saved-speckle")
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AccountsScreen)
        assert screen.sources["saved-speckle"] == "keyring"

        await pilot.press("c")
        await settle(pilot)
        ok, text = screen.checks["saved-speckle"]
        assert ok, text

        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AccountFormScreen) and form.query_one("#name").disabled
        _fill(form, projects=info["ids"]["projects"][0])
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert AccountStore().get("saved-speckle").projects == (info["ids"]["projects"][0],)
        assert app.catalog.entry("saved-speckle").account.projects == (info["ids"]["projects"][0],)

        await pilot.press("d")
        assert app.screen.focused.id == "cancel"
        await pilot.press("tab", "enter")  # move to "Remove" and confirm
        await settle(pilot)
        assert AccountStore().load() == []
        assert ("synctui", "saved-speckle") not in memory_keyring.store
        assert "saved-speckle" not in app.catalog.entries
        assert app.main.view == View()


async def test_readonly_saves_and_removes_no_account(
    sandbox: Sandbox, memory_keyring: MemoryKeyring
) -> None:
    """--readonly refuses changing accounts too: the form says so instead of saving, and the
    accounts screen binds no add, edit or remove key."""
    info = sandbox.info()["speckle"]
    account = Account("saved-speckle", "speckle", info["base_url"], tuple(info["ids"]["projects"]))
    AccountStore().add(account)
    before = AccountStore().path.read_text()
    session = Session(
        [account],
        lambda a: info["tokens"]["rw"],
        SessionOptions(readonly=True, journal_enabled=False),
    )
    app = make_app(session, demo_names=frozenset())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AccountsScreen)
        for action in ("add", "edit", "remove"):
            assert not screen.check_action(action, ())
        await pilot.press("d")
        await settle(pilot)
        assert app.screen is screen  # no confirmation: nothing to confirm

        app.action_add_account()  # `:add`, the welcome screen's button: the form opens...
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AccountFormScreen)
        _fill(form, **{**_speckle_form(sandbox), "name": "another"})
        await pilot.press("ctrl+s")  # ...but saving is refused
        await settle(pilot)
        assert app.screen is form
        assert "read-only" in str(form.query_one("#form-result").content)
    assert AccountStore().path.read_text() == before
    assert ("synctui", "another") not in memory_keyring.store
