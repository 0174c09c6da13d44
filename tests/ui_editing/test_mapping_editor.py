"""The field-mapping editor (Signalsmith `field_mapping`, Polytomic `fields`), the cron field
and the Paragon form, saved against the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime

from synctui.domain.models import SyncStatus
from synctui.sandbox.server import Sandbox
from synctui.ui.editing.mapping_editor import MappingEditor
from synctui.ui.editing.preview_screen import PreviewScreen
from tests.conftest import admin_state, advance_clock
from tests.ui_editing.conftest import edit_session, make_app, open_editor, settle

ACME = "signalsmith-acme"
POLY = "polytomic-demo"
PARAGON = "paragon-demo"


def pinned_clock() -> datetime:
    """The run's "now" for the schedule preview: its next runs are the same on every run."""
    return datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _active(sync) -> bool:
    return sync.status is SyncStatus.ACTIVE


async def _type(pilot, selector: str, text: str) -> None:
    """Replace an input's text: the last character typed as a key, the rest set at once
    (each key costs a repaint; what matters here is the reaction to the change)."""
    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    await pilot.pause()  # focusing selects the text; type after that, at the end
    widget.value = text[:-1]
    widget.cursor_position = len(widget.value)
    await pilot.press(text[-1])
    await settle(pilot)


async def test_signalsmith_rows_add_remove_reorder_and_duplicates(
    sandbox: Sandbox,
) -> None:
    app = make_app(edit_session(sandbox, clock=pinned_clock), initial_account=ACME)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot, app, ACME, _active)
        mapping = editor.query_one(MappingEditor)
        rows = list(mapping.rows)
        assert len(rows) >= 2
        assert "primary key:" in str(mapping.query_one("#mapping-key").render())

        # Add a row after the first; a new row needs both cells.
        mapping.table.move_cursor(row=0)
        mapping.table.focus()
        await pilot.press("a")
        await settle(pilot)
        assert len(mapping.rows) == len(rows) + 1 and mapping.rows[1] == {}
        assert editor.check_action("save", ()) is None  # required cells missing
        await _type(pilot, "#cell-source_column", "region")
        # The same destination as row 1: flagged on the row, but not refused — Signalsmith
        # documents no such rule, so it is the vendor's to refuse.
        await _type(pilot, "#cell-destination_field", rows[0]["destination_field"])
        problems = str(mapping.table.get_row_at(1)[-1])
        assert "already mapped by row 1" in problems
        assert editor.issues == [] and editor.check_action("save", ()) is True
        await _type(pilot, "#cell-destination_field", "Region__c")
        assert mapping.rows[1] == {"source_column": "region", "destination_field": "Region__c"}
        assert editor.check_action("save", ()) is True

        # Move the new row down one place, remove the (old) second row.
        mapping.table.focus()
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert mapping.rows[2]["source_column"] == "region"
        mapping.table.move_cursor(row=1)
        await pilot.press("x")
        await settle(pilot)
        expected = [
            rows[0],
            {"source_column": "region", "destination_field": "Region__c"},
            *rows[2:],
        ]
        assert mapping.rows == expected
        assert editor.draft.patch() == {"field_mapping": expected}

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PreviewScreen)
        assert app.screen.plan.summary == "PUT 1 field (field_mapping)"
        await pilot.press("enter")
        await settle(pilot)
        sid = editor.key[1]
        assert admin_state(sandbox, "signalsmith")["syncs"][sid]["puts"] == 1
        fresh = await app.session.get_sync(ACME, sid)
        assert fresh.raw["field_mapping"] == expected


async def test_signalsmith_cron_reading_and_next_runs(
    sandbox: Sandbox,
) -> None:
    app = make_app(edit_session(sandbox, clock=pinned_clock), initial_account=ACME)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot, app, ACME, _active)
        await _type(pilot, "#schedule", "30 9 * * 1-5")
        reading = str(editor.query_one("#cron-reading").render())
        upcoming = str(editor.query_one("#cron-next").render())
        assert "09:30" in reading and "Monday to Friday" in reading
        assert upcoming == (
            "next: Mon 2026-11-23 09:30 UTC, Tue 2026-11-24 09:30 UTC, Wed 2026-11-25 09:30 UTC"
        )
        await _type(pilot, "#schedule", "0 24 * * *")
        assert "hour" in str(editor.query_one("#cron-reading").render())
        assert any(i.path == "schedule" for i in editor.issues)
        assert editor.check_action("save", ()) is None


async def test_polytomic_fields_reorder_identity_and_full_put(sandbox: Sandbox) -> None:
    app = make_app(edit_session(sandbox), initial_account=POLY)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot, app, POLY, _active)
        mapping = editor.query_one(MappingEditor)
        rows = list(mapping.rows)
        assert len(rows) >= 2
        assert "identity:" in str(mapping.query_one("#mapping-key").render())
        mapping.table.move_cursor(row=1)
        mapping.table.focus()
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert mapping.rows == [rows[1], rows[0], *rows[2:]]
        # A row that maps nothing is flagged inline.
        await pilot.press("a")
        await settle(pilot)
        assert mapping.rows[1] == {}
        assert "needs a source" in str(mapping.table.get_row_at(1)[-1])
        mapping.table.focus()  # adding a row focused its first cell, for typing
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PreviewScreen)
        assert app.screen.plan.summary.startswith("PUT whole object")
        assert app.screen.plan.requests[0].headers["Authorization"] != app.session.token_for(
            app.session.account(POLY)
        )
        await pilot.press("enter")
        await settle(pilot)
        sid = editor.key[1]
        assert admin_state(sandbox, "polytomic")["syncs"][sid]["puts"] == 1
        fresh = await app.session.get_sync(POLY, sid)
        assert [f.get("target") for f in fresh.raw["fields"]] == [
            f.get("target") for f in [rows[1], rows[0], *rows[2:]]
        ]


async def test_polytomic_identity_mappings_are_all_shown(sandbox: Sandbox) -> None:
    """`identities` is the live form; `identity` holds only the first of several mappings."""
    app = make_app(edit_session(sandbox), initial_account=POLY)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(
            pilot, app, POLY, lambda s: s.name == "Companies → Salesforce Accounts"
        )
        mapping = editor.query_one(MappingEditor)
        key = str(mapping.query_one("#mapping-key").render())
        assert key == (
            "identities (priority): domain → Website  (HostnameMatch), name → Name  (Equality)"
        )
        marked = [i for i in range(len(mapping.rows)) if str(mapping.table.get_row_at(i)[1])]
        assert [mapping.rows[i]["target"] for i in marked] == ["Website"]


async def test_paragon_credential_change_warns_and_confirms_on_cancel(sandbox: Sandbox) -> None:
    app = make_app(edit_session(sandbox), initial_account=PARAGON)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot, app, PARAGON, _active)
        warning = editor.query_one("#credential-warning")
        assert str(warning.render()) == ""
        assert editor.query_one("#frequency").is_blank()  # "not reported by Paragon"
        await _type(pilot, "#credential", "not-a-uuid")
        assert any(i.path == "credentialId" for i in editor.issues)
        assert editor.check_action("save", ()) is None
        new = "123e4567-e89b-12d3-a456-426614174000"
        await _type(pilot, "#credential", new)
        assert "full re-sync" in str(warning.render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        preview = app.screen
        assert isinstance(preview, PreviewScreen)
        assert preview.focused.id == "cancel"
        assert "full re-sync" in str(preview.query_one("#warnings").render())
        await pilot.press("enter")  # Cancel: nothing sent, the draft stays
        await settle(pilot)
        assert app.screen is editor and editor.draft.after["credentialId"] == new
        sid = editor.key[1]
        assert admin_state(sandbox, "paragon")["syncs"][sid]["patches"] == 0
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.click("#send")
        await settle(pilot)
        # Paragon reports no frequency: left blank, it is not sent along with the credential.
        (waiting,) = admin_state(sandbox, "paragon")["syncs"][sid]["pending"]
        assert waiting["changes"] == {"credentialId": new}
        advance_clock(sandbox, 600)  # Paragon applies an accepted PATCH a moment later
        state = admin_state(sandbox, "paragon")["syncs"][sid]
        assert state["patches"] == 1 and state["credentialId"] == new
