"""Keys a newcomer presses in the first hour: quit with drafts, read-only refusals, sort per
view, a filter typed faster than the app handles it."""

from __future__ import annotations

from textual import events

from synctui.domain.models import SyncStatus
from synctui.sandbox.server import Sandbox
from synctui.services.session import Session
from synctui.ui.app import READONLY_REFUSAL
from synctui.ui.catalog import View
from synctui.ui.editing.drafts import Draft
from synctui.ui.editing.glue import drafts_of
from synctui.ui.screens.confirm_screen import ConfirmScreen
from synctui.ui.screens.detail_screen import DetailScreen
from synctui.ui.screens.main_screen import MainScreen
from tests.ui.conftest import make_app, sandbox_session, settle

SPECKLE = "speckle-demo"
POLYTOMIC = "polytomic-demo"


def type_at_once(app, keys: str) -> None:
    """Queue every key before the app handles the first (a paste, a fast typist, a busy app)."""
    names = {"/": "slash", " ": "space", ":": "colon"}
    for char in keys:
        event = events.Key(names.get(char, char), char)
        event.set_sender(app)
        app._driver.send_message(event)


def toasts(app) -> list[str]:
    return [n.message for n in app._notifications]


# --- q with unsaved drafts ---------------------------------------------------------------------
async def test_q_quits_at_once_without_drafts(session: Session) -> None:
    app = make_app(session, initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0 and not app.is_running


async def test_q_with_an_unsaved_draft_asks_first(session: Session) -> None:
    app = make_app(session, initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sync = app.main.selected_sync()
        assert sync is not None
        draft = Draft(base=sync, before={"active": True}, after={"active": False})
        drafts_of(app).put(draft)
        await pilot.press("q")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen) and app.is_running
        assert "1 unsaved draft" in dialog.question and sync.name in dialog.question
        assert dialog.focused.id == "cancel"  # losing work is destructive: Cancel first
        await pilot.press("q")  # asking twice opens no second dialog
        assert len([s for s in app.screen_stack if isinstance(s, ConfirmScreen)]) == 1
        await pilot.press("enter")  # Cancel: keep working
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and app.is_running

        await pilot.press("colon", *"q", "enter")  # `:q` asks too
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("right", "enter")  # Quit
        await pilot.pause()
        assert not app.is_running


# --- read-only: write keys say so, once -------------------------------------------------------
async def test_readonly_write_keys_say_not_allowed_once(sandbox: Sandbox) -> None:
    app = make_app(sandbox_session(sandbox, readonly=True), initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.clear_notifications()
        await pilot.press("t")
        assert isinstance(app.screen, MainScreen)
        said = toasts(app)
        assert said == [f"{READONLY_REFUSAL} (Run now)"], said
        await pilot.press("t", "t")  # pressed again while the toast is up: still one
        assert toasts(app) == said
        for key in ("p", "e", "ctrl+d"):
            await pilot.press(key)
            assert isinstance(app.screen, MainScreen), key
        assert len(toasts(app)) == 4 and all(m.startswith(READONLY_REFUSAL) for m in toasts(app))

        app.clear_notifications()
        await pilot.press("u")  # not a key of this screen at all: nothing to refuse
        assert toasts(app) == []

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("e")
        assert toasts(app) == [f"{READONLY_REFUSAL} (Edit)"]


async def test_readonly_enter_on_the_attention_view_says_why(sandbox: Sandbox) -> None:
    """Enter fixes the attention row; in read-only mode it says so instead of nothing."""
    app = make_app(sandbox_session(sandbox, readonly=True), initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("exclamation_mark")
        await settle(pilot)
        attention = app.screen
        assert type(attention).__name__ == "AttentionScreen", attention
        app.clear_notifications()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is attention
        assert toasts(app) == [f"{READONLY_REFUSAL} (Fix)"], toasts(app)


async def test_readonly_footer_and_help_offer_no_write_key(sandbox: Sandbox) -> None:
    app = make_app(sandbox_session(sandbox, readonly=True), initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = {
            b.binding.action
            for b in app.screen.active_bindings.values()
            if b.binding.show and b.enabled
        }
        assert not shown & MainScreen.WRITE_ACTIONS


# --- sort state per view -------------------------------------------------------------------------
async def test_sort_state_does_not_leak_between_accounts(session: Session) -> None:
    app = make_app(session, initial_account=POLYTOMIC)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.main.table
        await pilot.press("s", "S")  # status, reversed
        assert table.model.sort_column == 0 and table.model.sort_reverse
        app.run_command_line(f"ctx {SPECKLE}")
        await settle(pilot)
        assert table.model.sort_column is None and not table.model.sort_reverse
        assert "sort:" not in app.main.status.text
        app.run_command_line(f"ctx {POLYTOMIC}")
        await settle(pilot)
        assert table.model.sort_column == 0 and table.model.sort_reverse  # its own, kept
        assert app.main.view == View("account", POLYTOMIC)


# --- typing faster than the app -----------------------------------------------------------------
async def test_filter_typed_at_once_keeps_every_key(session: Session) -> None:
    app = make_app(session, initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        type_at_once(app, "/error")
        await settle(pilot)
        assert app.main.table.filter_text == "error"
        tones = {app.main.table.row_for(k).tone for k in app.main.table.visible_keys}
        assert tones == {SyncStatus.ERROR.value}


# --- help: generated from the bindings, every line reachable -------------------------------------
async def test_help_lists_every_key_of_the_screen_and_scrolls_to_its_last_line(
    session: Session,
) -> None:
    from textual.widgets import Static

    from synctui.ui.screens.help_screen import HelpScreen

    app = make_app(session, initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        keys = {text: key for key, text in help_screen.keys}
        for binding in MainScreen.BINDINGS:  # generated: every binding of the screen is there
            assert binding.description in keys, binding.description
        assert keys["Batch edit"] == "E" and keys["Migrate legacy"] == "m"
        assert keys["Clear marks"] == "-" and keys["Mark all shown"] == "* / ^a"
        assert keys["Clear filter"] == "esc"
        notes = {line.text: line.note for line in help_screen.lines}
        assert notes["Batch edit"] == "once rows are marked" and notes["Sort"] == ""
        text = "\n".join(str(s.render()) for s in help_screen.query(Static))
        assert "/field=value" in text and "integration.slug=acc" in text
        assert "clears the filter" in text

        scroller = help_screen.scroller
        assert scroller.max_scroll_y > 0  # more than one screenful at 120×40
        await pilot.press("G")
        await pilot.pause()
        assert scroller.scroll_y == scroller.max_scroll_y
        bottom = scroller.scroll_y + scroller.scrollable_content_region.height
        assert bottom >= scroller.virtual_size.height  # the last line is on screen
        assert scroller.region.bottom <= app.size.height
        await pilot.press("g")
        await pilot.pause()
        assert scroller.scroll_y == 0
        await pilot.press("j")
        await pilot.pause()
        assert scroller.scroll_y == 1


async def test_readonly_help_leaves_out_the_write_keys(sandbox: Sandbox) -> None:
    from synctui.ui.screens.help_screen import HelpScreen

    app = make_app(sandbox_session(sandbox, readonly=True), initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        texts = {text for _, text in app.screen.keys}
        assert "Sort" in texts and not {"Edit", "Run now", "Delete", "Batch edit"} & texts
