"""Pilot tests of the main flows against the in-process sandbox."""

from __future__ import annotations

import json

from textual.widgets import DataTable, Static

from synctui.domain import errors
from synctui.domain.filtering import compile_filter
from synctui.services.session import Session
from synctui.ui.catalog import ALL, LoadState, View
from synctui.ui.formatting import one_line
from synctui.ui.palette import SyncTuiCommands
from synctui.ui.screens.call_log_screen import CallLogScreen
from synctui.ui.screens.detail_screen import DetailScreen
from synctui.ui.screens.help_screen import HelpScreen
from synctui.ui.screens.main_screen import MainScreen
from tests.conftest import set_faults
from tests.ui.conftest import loaded, make_app, sandbox_session, settle

SPECKLE = "speckle-demo"


def _visible_cells(app) -> list[tuple[str, ...]]:
    table = app.main.table
    return [table.row_for(k).cells for k in table.visible_keys]


async def test_opens_on_all_accounts_and_marks_what_cannot_load(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.main.view == ALL
        assert loaded(app, SPECKLE)
        ready = [n for n, e in app.catalog.entries.items() if e.state == LoadState.READY]
        total = sum(len(app.catalog.entry(n).syncs) for n in ready)
        assert total > 0 and app.main.table.row_count == total
        assert f"{total:,} syncs" in app.main.status.text
        letsbuild = app.catalog.entry("letsbuild-demo")
        assert letsbuild.state == LoadState.FEED
        for entry in app.catalog.entries.values():  # nothing is left half-loaded
            assert entry.state in (LoadState.READY, LoadState.FEED)
        assert "unavailable" not in app.main.status.text


async def test_switch_account_by_command_sidebar_and_back_to_all(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.run_command_line(f"ctx {SPECKLE}")
        await settle(pilot)
        assert app.main.view == View("account", SPECKLE)
        titles = [c.title for c in app.main.table.model.columns]
        assert titles[:3] == ["Status", "File", "Integration"]
        assert app.main.table.row_count == len(app.catalog.entry(SPECKLE).syncs)

        await pilot.press("0")
        assert app.main.view == ALL
        sidebar = app.main.sidebar
        sidebar.focus()
        sidebar.highlighted = app.catalog.names().index(SPECKLE) + 1
        await pilot.press("enter")
        await settle(pilot)
        assert app.main.view == View("account", SPECKLE)

        await pilot.press("colon", *"speckle", "enter")
        await settle(pilot)
        assert app.main.view == View("vendor", "speckle")
        assert [c.title for c in app.main.table.model.columns][1] == "Account"


async def test_the_status_cell_shows_the_vendors_reason_on_hover(session: Session) -> None:
    """A failed Speckle ingestion's errorReason (from the status union) is the tooltip of
    its status cell; other cells have none."""
    app = make_app(session, initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.main.table
        table.set_filter("error")
        await settle(pilot)
        key = table.visible_keys[0]
        sync = app.catalog.get(key)
        assert sync is not None and sync.latest_run is not None and sync.latest_run.error
        assert sync.status_reason == sync.latest_run.error
        await pilot.hover(table, offset=(3, 1))  # the first row's status cell
        await pilot.pause()
        assert table.tooltip == sync.status_reason
        await pilot.hover(table, offset=(40, 1))  # the file name
        await pilot.pause()
        assert table.tooltip is None

        # The detail says the same, and its runs list each failure in the vendor's words.
        table.focus()
        table.move_cursor_to_key(key)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, DetailScreen) and detail.runs
        fields = str(detail.query_one("#fields", Static).content)
        assert fields.count(sync.latest_run.error) >= 2  # the reason and the latest run
        runs = detail.query_one("#run-table", DataTable)
        failed = [r for r in detail.runs if r.error]
        assert failed and all(
            one_line(r.error, 80) in [str(c) for c in runs.get_row(r.id)] for r in failed
        )


async def test_filter_negated_filter_and_clear(session: Session) -> None:
    app = make_app(session, initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.main.table
        total = table.row_count
        syncs = list(app.catalog.entry(SPECKLE).syncs.values())
        matching = {s.key for s in syncs if compile_filter("error")(s)}
        expected = len(matching)
        assert 0 < expected < total

        await pilot.press("slash", *"error")
        assert table.row_count == expected and set(table.visible_keys) == matching
        assert f"{expected:,} of {total:,} syncs" in app.main.status.text

        app.main.query_one("#filter").value = "!error"  # as if retyped
        await pilot.press("enter")
        assert table.row_count == total - expected
        assert not set(table.visible_keys) & matching

        await pilot.press("escape")  # Esc on the table clears the filter
        assert table.row_count == total and table.filter_text == ""


async def test_sort_cycles_and_reverses(session: Session) -> None:
    app = make_app(session, initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.main.table
        await pilot.press("s")  # status: what needs attention first
        tones = [table.row_for(k).tone for k in table.visible_keys]
        assert tones[0] == "error" and tones[-1] in ("active", "idle", "unknown")
        await pilot.press("s")  # file name
        files = [c[1].casefold() for c in _visible_cells(app)]
        assert files == sorted(files)
        assert "sort: File ▲" in app.main.status.text
        await pilot.press("S")
        files = [c[1].casefold() for c in _visible_cells(app)]
        assert files == sorted(files, reverse=True)


async def test_enter_opens_detail_with_runs_and_json_esc_goes_back(session: Session) -> None:
    app = make_app(session, initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down")
        key = app.main.table.cursor_key
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, DetailScreen) and detail.key == key
        assert detail.sync.complete  # re-read with GET, not the list summary
        assert detail.runs is not None and len(detail.runs) > 0
        assert detail.query_one("#run-table").row_count == len(detail.runs)
        assert json.loads(app.sync_json(detail.sync)) == detail.sync.raw
        await pilot.press("3")
        assert detail.query_one("#tabs").active == "json"

        await pilot.press("y")
        assert app.clipboard == detail.sync.id
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        assert app.main.table.cursor_key == key


async def test_refresh_reads_again_and_keeps_rows(session: Session) -> None:
    app = make_app(session, initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        calls = len(session.call_log.records())
        rows = app.main.table.row_count
        await pilot.press("down", "down", "space")
        marked = set(app.main.table.marked)
        assert len(marked) == 1
        generation = app.catalog.entry(SPECKLE).generation
        await pilot.press("r")
        await settle(pilot)
        assert app.catalog.entry(SPECKLE).generation == generation + 1
        assert len(session.call_log.records()) > calls
        assert loaded(app, SPECKLE) and app.main.table.row_count == rows
        assert app.main.table.marked == marked  # marks survive a refresh


async def test_readonly_shows_the_lock_and_binds_no_write_key(sandbox) -> None:
    session = sandbox_session(sandbox, readonly=True)
    app = make_app(session, initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.main.status.locked
        assert app.main.status.query_one("#status-lock").display
        actions = {b.binding.action for b in app.screen.active_bindings.values()}
        assert "trigger" not in actions and "toggle_active" not in actions
        await pilot.press("t", "p")  # unbound: nothing opens
        assert isinstance(app.screen, MainScreen)
        sync = app.main.selected_sync()
        try:
            await session.trigger(sync.account, sync.id)
        except errors.ReadOnlyError:
            pass
        else:
            raise AssertionError("the service layer accepted a write in read-only mode")


async def test_write_keys_exist_when_not_readonly(session: Session) -> None:
    app = make_app(session, initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert not app.main.status.locked
        actions = {b.binding.action for b in app.screen.active_bindings.values()}
        assert "trigger" in actions
        await pilot.press("t")
        assert app.screen.__class__.__name__ == "ConfirmScreen"
        assert app.screen.focused.id == "cancel"  # destructive dialogs focus Cancel
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_vendor_errors_are_notified_and_recovered_from(sandbox) -> None:
    set_faults(sandbox, "500=1,only=speckle")
    session = sandbox_session(sandbox)
    app = make_app(session, initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        entry = app.catalog.entry(SPECKLE)
        assert entry.state == LoadState.FAILED
        toasts = [n for n in app._notifications if n.severity == "error"]
        assert any(SPECKLE in n.message for n in toasts)
        assert "unavailable/failed" in app.main.status.text

        set_faults(sandbox, "")
        await pilot.press("r")
        await settle(pilot)
        assert loaded(app, SPECKLE) and app.main.table.row_count > 0


async def test_call_log_lists_calls_and_never_a_token(session: Session) -> None:
    app = make_app(session, initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("at")
        screen = app.screen
        assert isinstance(screen, CallLogScreen)
        app._flush_calls()
        records = session.call_log.records()
        table = screen.query_one("#calls")
        assert table.row_count == len(records) > 0
        cells = [table.row_for(k).cells for k in table.visible_keys]
        assert all(c[1] == SPECKLE for c in cells)
        assert any(c[4].startswith("query ") for c in cells)  # GraphQL operation names
        rendered = "\n".join(" ".join(c) for c in cells) + app.export_screenshot()
        for token in session.demo_tokens.values():  # type: ignore[attr-defined]
            assert token not in rendered
        await pilot.press("e")
        assert table.row_count == 0  # no failed call in a fault-free sandbox
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("colon", *"log", "enter")
        assert isinstance(app.screen, CallLogScreen)


async def test_help_lists_the_keys_active_here(session: Session) -> None:
    app = make_app(session, initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = dict((text, key) for key, text in app.screen.keys)
        assert keys["Filter"] == "/" and keys["Sort"] == "s" and keys["Run now"] == "t"
        await pilot.press("escape")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        texts = {text for _, text in app.screen.keys}
        assert "Copy JSON" in texts and "Filter" not in texts


async def test_palette_offers_this_screens_actions_and_accounts(session: Session) -> None:
    app = make_app(session, initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        provider = SyncTuiCommands(app.screen)
        titles = [str(hit.display) async for hit in provider.discover()]
        assert {"Filter", "Sort", "Refresh", "All accounts"} <= set(titles)
        assert f"Account: {SPECKLE}" in titles
        hits = [hit async for hit in provider.search("all acc")]
        assert hits and str(hits[0].text) == "All accounts"


async def test_a_change_feed_account_opens_the_feed_viewer(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sidebar = app.main.sidebar
        sidebar.focus()
        sidebar.highlighted = app.catalog.names().index("letsbuild-demo") + 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "FeedScreen"
        assert app.main.view == ALL  # the table underneath is unchanged


async def test_auto_refresh_reloads_and_pauses_under_a_dialog(session: Session) -> None:
    app = make_app(session, initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        entry = app.catalog.entry(SPECKLE)
        generation = entry.generation
        await pilot.press("question_mark")  # a modal is open: the tick does nothing
        app._refresh_tick()
        assert entry.generation == generation
        await pilot.press("escape")
        app._refresh_tick()
        await settle(pilot)
        assert entry.generation == generation + 1 and loaded(app, SPECKLE)
        app.run_command_line("every 7")
        assert app.refresh_seconds == 7.0 and app._refresh_timer is not None


async def test_retries_are_announced(sandbox) -> None:
    from synctui.vendors.http import RetrySettings

    set_faults(sandbox, "500=1,only=polytomic")
    session = sandbox_session(sandbox)
    session.options.retry = RetrySettings(attempts=2, base_delay=0.0, max_delay=0.0)
    app = make_app(session, initial_account="polytomic-demo")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [n.title for n in app._notifications]
        assert "Retrying" in titles and "Cannot load syncs" in titles
