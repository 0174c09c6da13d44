"""Read-only mode: a refused write key says "read-only" instead of doing nothing silently,
while the write keys stay out of the footer, the help and the palette."""

from __future__ import annotations

from synctui.sandbox.server import Sandbox
from synctui.ui.readonly_keys import MESSAGE
from synctui.ui.screens.call_log_screen import CallLogScreen
from synctui.ui.screens.detail_screen import DetailScreen
from synctui.ui.screens.help_screen import HelpScreen
from synctui.ui.screens.main_screen import MainScreen
from tests.ui.conftest import make_app, sandbox_session, settle

SPECKLE = "speckle-demo"


def _messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_a_refused_write_key_says_read_only(sandbox: Sandbox) -> None:
    app = make_app(sandbox_session(sandbox, readonly=True), initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key in ("e", "t", "p", "ctrl+d", "E"):
            app.clear_notifications()
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, MainScreen), key
            assert [m.split(" (")[0] for m in _messages(app)] == [MESSAGE], key
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        app.clear_notifications()
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and [
            m.split(" (")[0] for m in _messages(app)
        ] == [MESSAGE]


async def test_the_write_keys_stay_hidden_in_read_only_mode(sandbox: Sandbox) -> None:
    app = make_app(sandbox_session(sandbox, readonly=True), initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = HelpScreen.for_screen(app.screen).keys
        keys = {key for shown, _ in rows for key in shown.split(" / ")}
        assert not keys & {"e", "t", "p", "E", "^d", "ctrl+d"}
        footer = [b for b in app.screen.active_bindings.values() if b.binding.show]
        assert not any(b.binding.action.startswith("refused_write") for b in footer)


async def test_a_key_the_screen_does_not_bind_stays_silent(sandbox: Sandbox) -> None:
    app = make_app(sandbox_session(sandbox, readonly=True), initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("at")
        await settle(pilot)
        assert isinstance(app.screen, CallLogScreen)
        app.clear_notifications()
        await pilot.press("t", "p")  # the call log has no write (and no such key)
        await settle(pilot)
        assert _messages(app) == []


async def test_no_read_only_message_when_writes_are_allowed(sandbox: Sandbox) -> None:
    app = make_app(sandbox_session(sandbox), initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.clear_notifications()
        await pilot.press("E")  # batch edit with nothing marked: refused, but not read-only
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert not any(m.startswith(MESSAGE) for m in _messages(app))
