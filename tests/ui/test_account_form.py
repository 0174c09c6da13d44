"""The account form: framed fields whose focus shows without colour, focus on the first field,
the keyring explained once, and allow_http and theme settable (the errors name them)."""

from __future__ import annotations

from textual.widgets import Input

from synctui.sandbox.server import Sandbox
from synctui.services.session import Session, SessionOptions
from synctui.store.accounts import AccountStore
from synctui.ui.screens.account_form_screen import AccountFormScreen
from synctui.ui.screens.main_screen import MainScreen
from tests.ui.conftest import MemoryKeyring, make_app, settle


def _empty_session() -> Session:
    return Session([], lambda a: None, SessionOptions(journal_enabled=False))


async def test_fields_are_framed_and_focus_starts_on_the_name(no_keyring: None) -> None:
    app = make_app(_empty_session())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AccountFormScreen)
        assert app.focused is form.query_one("#name")
        name, url = form.query_one("#name", Input), form.query_one("#base_url", Input)
        # A frame on every field, and a different one (not only a colour) on the focused.
        assert url.styles.border.top[0] == "round"
        assert name.styles.border.top[0] == "heavy"
        await pilot.press("tab")
        assert app.focused is form.query_one("#vendor")
        assert name.styles.border.top[0] == "round"

        note = str(form.query_one("#keyring-note").content)
        assert note.count("No usable system keyring") == 1, note
        assert "SYNCTUI_TOKEN_NAME" in note


async def test_allow_http_and_theme_are_fields(
    sandbox: Sandbox, memory_keyring: MemoryKeyring
) -> None:
    app = make_app(_empty_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        form.query_one("#name").value = "lan-paragon"
        form.query_one("#vendor").value = "paragon"
        form.query_one("#base_url").value = "http://paragon.lan:8080"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        said = str(form.query_one("#form-result").content)
        assert "allow_http" in said, said
        assert "allow_http" in str(form.query_one("#allow_http").label)

        form.query_one("#allow_http").value = True
        form.query_one("#theme").value = "synctui-production"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        saved = AccountStore().get("lan-paragon")
        assert saved.allow_http is True and saved.theme == "synctui-production"

        # Editing starts on the first field that can change (the name cannot), prefilled.
        app.push_screen(AccountFormScreen(saved))
        await settle(pilot)
        form = app.screen
        assert app.focused is form.query_one("#vendor")
        assert form.query_one("#allow_http").value is True
        assert form.query_one("#theme").value == "synctui-production"
