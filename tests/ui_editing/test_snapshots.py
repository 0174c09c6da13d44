"""SVG snapshots of the editing screens with real sandbox data (seed 7, frozen clock).

Nothing wall-clock reaches the screen: the schedule preview's "now" and the journal's clock
are pinned, requests are shown relative to the account URL (the sandbox port varies), and
the batch is stopped at a fixed point by a gate. Regenerate with
`pytest tests/ui_editing/test_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from textual.widgets import Input

from synctui.domain.models import Sync, SyncStatus
from synctui.sandbox.server import Sandbox
from synctui.services.batch import BatchUpdate, SyncResult
from synctui.store.journal import Journal
from synctui.ui.editing.batch_run_screen import BatchRunScreen
from synctui.ui.editing.mapping_editor import MappingEditor
from tests.ui_editing.conftest import edit_session, make_app, settle

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _now() -> datetime:
    return NOW


async def _quiet(pilot: Any) -> None:
    await settle(pilot)
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    pilot.app.clear_notifications()
    await pilot.pause()


def _to_first(app: Any, predicate: Any) -> None:
    table = app.main.table
    key = next(k for k in table.visible_keys if predicate(app.catalog.get(k)))
    table.move_cursor_to_key(key)


def test_context_editor(snap_compare, sandbox: Sandbox) -> None:
    app = make_app(edit_session(sandbox, journal=False, clock=_now), initial_account="speckle-demo")

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        _to_first(
            app,
            lambda s: (
                s.status is SyncStatus.ACTIVE and "exportIfcOptions" in (s.raw.get("context") or {})
            ),
        )
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#reference-point").value = "surveyPoint"
        await _quiet(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_mapping_editor_diff_preview(snap_compare, sandbox: Sandbox) -> None:
    app = make_app(
        edit_session(sandbox, journal=False, clock=_now), initial_account="signalsmith-acme"
    )

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        _to_first(app, lambda s: s.status is SyncStatus.ACTIVE)
        await pilot.press("e")
        await settle(pilot)
        mapping = app.screen.query_one(MappingEditor)
        mapping.table.move_cursor(row=1)
        await settle(pilot)
        app.screen.query_one("#cell-destination_field").value = "Trend__c"
        await settle(pilot)
        await pilot.press("ctrl+s")
        await _quiet(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


class GatedBatch(BatchUpdate):
    """A real batch that stops after `stop_after` syncs until released: a fixed moment."""

    def __init__(self, *args: Any, stop_after: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stop_after = stop_after
        self.gate = asyncio.Event()
        self.started = 0

    async def _one(self, index: int, sync: Sync) -> SyncResult:
        self.started += 1
        if self.started > self.stop_after:
            await self.gate.wait()
        return await super()._one(index, sync)


def test_batch_in_progress(snap_compare, sandbox: Sandbox) -> None:
    session = edit_session(sandbox, journal=False, clock=_now)
    app = make_app(session, initial_account="speckle-demo")
    holder: dict[str, GatedBatch] = {}

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        syncs = [app.catalog.get(k) for k in app.main.table.visible_keys][:14]
        batch = GatedBatch(
            session,
            syncs,
            {"context": {"referencePoint": "projectBasePoint"}},
            concurrency=1,
            batch_id="snapshot",
            stop_after=6,
        )
        holder["batch"] = batch
        app.push_screen(BatchRunScreen(batch))
        for _ in range(200):
            await pilot.pause(0.01)
            screen = app.screen
            if isinstance(screen, BatchRunScreen) and len(screen.latest) == 6:
                break
        await pilot.pause()
        app.clear_notifications()
        await pilot.pause()

    try:
        assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
    finally:
        if "batch" in holder:
            holder["batch"].cancel()
            holder["batch"].gate.set()


def test_journal(snap_compare, sandbox: Sandbox) -> None:
    session = edit_session(sandbox, clock=_now)
    session._journal = Journal(clock=lambda: NOW)
    app = make_app(session, initial_account="signalsmith-acme")

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        active = [
            s
            for s in app.catalog.entry("signalsmith-acme").syncs.values()
            if s.status is SyncStatus.ACTIVE
        ]
        await session.update("signalsmith-acme", active[0].id, {"schedule": "0 3 * * *"})
        await session.update("signalsmith-acme", active[1].id, {"sync_mode": "insert"})
        await session.set_active("signalsmith-acme", active[1].id, False)
        await pilot.press("J")
        await _quiet(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
