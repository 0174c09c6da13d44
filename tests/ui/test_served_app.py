"""The app in a browser tab (`synctui serve`): the server's own accounts, tokens, settings
and files are never changed from the page; the same keys work as usual in a terminal."""

from __future__ import annotations

import pytest

from synctui.sandbox.server import Sandbox
from synctui.services.session import Session, SessionOptions
from synctui.store.paths import settings_file
from synctui.ui.dialogs.confirm import ConfirmScreen
from synctui.ui.feed import FeedScreen
from synctui.ui.screens.account_form_screen import AccountFormScreen
from synctui.ui.screens.accounts_screen import AccountsScreen
from synctui.ui.screens.welcome_screen import WelcomeScreen
from synctui.ui.served import SERVED_ENV, served_from
from tests.ui.conftest import MemoryKeyring, make_app, sandbox_session, settle, until

OFF = "off in the browser"


def _refused(app) -> bool:
    return any(OFF in n.message for n in app._notifications)


@pytest.mark.parametrize("served", [True, False])
async def test_accounts_are_not_changed_from_a_browser(
    sandbox: Sandbox, memory_keyring: MemoryKeyring, served: bool
) -> None:
    # Accounts as if saved (not demo accounts, which can never be edited or removed).
    app = make_app(sandbox_session(sandbox), demo_names=frozenset())
    app.served = served
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        accounts = app.screen
        assert isinstance(accounts, AccountsScreen)
        for key, opens in (
            ("a", AccountFormScreen),
            ("e", AccountFormScreen),
            ("d", ConfirmScreen),
        ):
            app.clear_notifications()
            await pilot.press(key)
            await settle(pilot)
            if served:
                assert app.screen is accounts and _refused(app), key
            else:  # the control: in a terminal the same key opens the form or the question
                assert isinstance(app.screen, opens) and not _refused(app), key
                await pilot.press("escape")
                await settle(pilot)
        app.clear_notifications()
        app.run_command_line(":add")
        await settle(pilot)
        assert isinstance(app.screen, AccountFormScreen) is not served
        assert _refused(app) is served


async def test_a_theme_picked_in_a_browser_is_not_saved_as_the_default(sandbox: Sandbox) -> None:
    app = make_app(sandbox_session(sandbox))
    app.served = True
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.choose_user_theme("synctui-light")
        await settle(pilot)
        assert app.theme == "synctui-light"
        assert not settings_file().exists()


async def test_the_welcome_screen_adds_no_account_in_a_browser() -> None:
    app = make_app(Session([], lambda a: None, SessionOptions(journal_enabled=False)))
    app.served = True
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("a")
        await until(pilot, lambda: _refused(app), "the account form refused in the browser")
        assert isinstance(app.screen, WelcomeScreen)


async def test_no_export_to_a_server_path_from_a_browser(sandbox: Sandbox) -> None:
    app = make_app(sandbox_session(sandbox))
    app.served = True
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_feed("letsbuild-demo")
        await pilot.pause()
        feed = app.screen
        assert isinstance(feed, FeedScreen)
        await pilot.press("x")
        await until(pilot, lambda: _refused(app), "the export refused in the browser")
        assert app.screen is feed


def test_served_only_when_the_server_says_so() -> None:
    assert served_from({SERVED_ENV: "1"})
    assert not served_from({})
    assert not served_from({SERVED_ENV: "yes"})
