"""The journal screen: entries of this session's writes, filters, detail, revert."""

from __future__ import annotations

from synctui.domain.models import SyncStatus
from synctui.sandbox.server import Sandbox
from synctui.ui.dialogs.confirm import ConfirmScreen
from synctui.ui.editing.journal_screen import JournalScreen
from tests.ui_editing.conftest import edit_session, make_app, settle

ACME = "signalsmith-acme"


async def test_journal_lists_filters_and_reverts(sandbox: Sandbox) -> None:
    session = edit_session(sandbox)
    app = make_app(session, initial_account=ACME)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sync = next(
            s for s in app.catalog.entry(ACME).syncs.values() if s.status is SyncStatus.ACTIVE
        )
        await session.update(ACME, sync.id, {"description": "changed by the test"})
        await session.update(ACME, sync.id, {"sync_mode": "insert"})
        await pilot.press("J")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, JournalScreen)
        assert [e.action for e in screen.entries] == ["update", "update"]
        detail = str(screen.query_one("#entry").render())
        assert '+  "sync_mode": "insert"' in detail and "PUT" in detail
        assert "Bearer" not in detail or "****" in detail

        screen.query_one("#text").value = '"insert"'
        await settle(pilot)
        assert [e.id for e in screen.entries] == [2]
        screen.query_one("#text").value = ""
        screen.query_one("#outcome").value = "failed"
        await settle(pilot)
        assert screen.entries == []
        screen.query_one("#outcome").clear()
        await settle(pilot)

        # Revert the newest entry (sync_mode back to what it was), after a confirmation.
        screen.query_one("#entries").focus()
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen) and app.screen.focused.id == "cancel"
        await pilot.press("tab", "enter")
        await settle(pilot)
        fresh = await session.get_sync(ACME, sync.id)
        assert fresh.raw["sync_mode"] == sync.raw["sync_mode"]
        assert fresh.raw["description"] == "changed by the test"
        assert screen.entries[0].action == "revert" and screen.entries[0].outcome == "ok"

        # Reverting the older edit conflicts? No: its field is unchanged since. But reverting
        # the revert's target again is refused as already reverted (conflict, force offered).
        screen.query_one("#entries").move_cursor(row=1)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "already reverted" in str(app.screen.query_one("Static").render())
        await pilot.press("enter")  # Cancel
        await settle(pilot)
        assert app.screen is screen


async def test_journal_from_the_command_line(sandbox: Sandbox) -> None:
    app = make_app(edit_session(sandbox), initial_account=ACME)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"journal", "enter")
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)
        assert "0 entries" in app.screen.query_one("#status").text


async def test_a_write_left_pending_by_a_dead_process_shows_as_unknown(sandbox: Sandbox) -> None:
    from tests.store.journal_child import child

    process, entry_id = child(None, "exit")  # the user's journal, where the session writes
    process.wait(timeout=60)
    app = make_app(edit_session(sandbox), initial_account=ACME)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("J")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, JournalScreen)
        assert [(e.id, e.outcome) for e in screen.entries] == [(entry_id, "unknown")]
        assert "ended before its outcome was recorded" in str(screen.query_one("#entry").render())
        screen.query_one("#outcome").value = "unknown"
        await settle(pilot)
        assert [e.id for e in screen.entries] == [entry_id]
        screen.query_one("#outcome").value = "pending"
        await settle(pilot)
        assert screen.entries == []


def type_at_once(app, keys: str) -> None:
    """Queue every key before the app handles the first (a paste, a fast typist, a busy
    app): what `pilot.press` hides by waiting for each key to be handled."""
    from textual import events

    names = {"/": "slash", " ": "space"}
    for char in keys:
        event = events.Key(names.get(char, char), char)
        event.set_sender(app)
        app._driver.send_message(event)


async def test_journal_filter_keeps_every_key_typed_at_once(sandbox: Sandbox) -> None:
    session = edit_session(sandbox)
    app = make_app(session, initial_account=ACME)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sync = next(iter(app.catalog.entry(ACME).syncs.values()))
        await session.update(ACME, sync.id, {"sync_mode": "insert"})
        await session.update(ACME, sync.id, {"description": "zebra"})
        await pilot.press("J")
        type_at_once(app, "/zebra")  # while the list is still being read
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, JournalScreen)
        text = screen.query_one("#text")
        assert text.value == "zebra" and screen.focused is text
        assert [e.id for e in screen.entries] == [2]


async def test_journal_filter_keeps_the_focus_while_the_list_reloads(sandbox: Sandbox) -> None:
    session = edit_session(sandbox)
    app = make_app(session, initial_account=ACME)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sync = next(iter(app.catalog.entry(ACME).syncs.values()))
        await session.update(ACME, sync.id, {"description": "zebra"})
        await pilot.press("J")
        await settle(pilot)
        await pilot.press("slash")
        for key in "zebra":  # every key re-reads the list; the box must stay usable
            await pilot.press(key)
            await settle(pilot)
        screen = app.screen
        assert screen.query_one("#text").value == "zebra"
        assert screen.focused is screen.query_one("#text")


async def test_j_and_k_move_in_the_journal(sandbox: Sandbox) -> None:
    session = edit_session(sandbox)
    app = make_app(session, initial_account=ACME)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sync = next(iter(app.catalog.entry(ACME).syncs.values()))
        for mode in ("insert", "upsert", "update"):
            await session.update(ACME, sync.id, {"sync_mode": mode})
        await pilot.press("J")
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#entries")
        assert table.cursor_row == 0
        await pilot.press("j", "j")
        assert table.cursor_row == 2 and screen.selected().id == 1
        await pilot.press("k")
        assert table.cursor_row == 1 and screen.selected().id == 2


async def test_u_on_an_entry_that_cannot_be_reverted_says_why(sandbox: Sandbox) -> None:
    session = edit_session(sandbox)
    app = make_app(session, initial_account=ACME)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sync = next(
            s for s in app.catalog.entry(ACME).syncs.values() if s.status is SyncStatus.ACTIVE
        )
        await session.trigger(ACME, sync.id)
        await pilot.press("J")
        await settle(pilot)
        screen = app.screen
        assert [e.action for e in screen.entries] == ["trigger"]
        app.clear_notifications()
        await pilot.press("u")
        await settle(pilot)
        assert app.screen is screen  # nothing to confirm
        said = [n.message for n in app._notifications]
        assert any("cannot be reverted" in m and "run" in m for m in said), said
