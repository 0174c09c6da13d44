"""Batch updates from the table: mark, one change, dry-run preview, run with progress under
injected faults, retry the failed ones, cancel — checked against the sandbox's own counts."""

from __future__ import annotations

import asyncio
import re

from synctui.domain.models import WritePlan, WriteResult
from synctui.sandbox.server import Sandbox
from synctui.services.batch import CANCELLED, LEGACY, NOTHING_TO_CHANGE, PAUSED
from synctui.ui.editing.batch_edit_screen import BatchEditScreen
from synctui.ui.editing.batch_preview_screen import BatchPreviewScreen
from synctui.ui.editing.batch_run_screen import BatchRunScreen
from synctui.vendors.speckle import SpeckleAdapter
from tests.conftest import admin_state, set_faults
from tests.ui_editing.conftest import edit_session, make_app, settle

SPECKLE = "speckle-demo"


def _sid(key: tuple[str, str]) -> str:
    return key[1].split("/", 1)[1]


async def _start_batch(pilot, *, where: str, point: str, trigger: bool) -> BatchRunScreen:
    app = pilot.app
    await pilot.press("slash", *where, "enter")  # filter the table, then mark every shown row
    await settle(pilot)
    await pilot.press("asterisk")
    await pilot.press("E")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, BatchEditScreen)
    screen.query_one("#bf-context-referencePoint").value = point
    if trigger:
        screen.query_one("#trigger").value = True
    await settle(pilot)
    assert screen.patch == {"context": {"referencePoint": point}}
    await pilot.press("ctrl+s")
    await settle(pilot)
    preview = app.screen
    assert isinstance(preview, BatchPreviewScreen)
    assert preview.focused.id == ("cancel" if trigger else "send")
    assert len(preview.results) == len(app.main.table.marked)
    await pilot.click("#send")
    await pilot.pause()
    assert isinstance(app.screen, BatchRunScreen)
    return app.screen


async def test_batch_of_hundreds_under_faults_then_retry(big_sandbox: Sandbox) -> None:
    app = make_app(edit_session(big_sandbox, journal=False), initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        set_faults(big_sandbox, "500=0.08,drop-after=0.04,only=speckle")
        run = await _start_batch(pilot, where="Harbourside", point="surveyPoint", trigger=True)
        total = app.main.table.row_count
        assert total >= 200 and len(app.main.table.marked) == total
        await settle(pilot)
        set_faults(big_sandbox, "")
        assert not run.running and len(run.latest) == total
        tally = run.tally()
        assert tally["failed"] > 0 and tally["ok"] > 0
        assert str(tally["failed"]) in str(run.query_one("#run-counts").render())
        # The head shows how many syncs the batch allowed in flight when last painted (it
        # adapts as it goes, and the reads that refresh the table afterwards count too).
        head = str(run.query_one("#run-head").render())
        shown = re.search(r"· (\d+) at a time \(adaptive\) ·", head)
        assert shown is not None, head
        ceiling = SpeckleAdapter.write_pacing.ceiling
        assert 1 <= int(shown.group(1)) <= ceiling
        state = admin_state(big_sandbox, "speckle")
        for key, result in run.latest.items():
            outcome = result.outcome.value
            if outcome == "skipped":
                assert result.message in (LEGACY, PAUSED, NOTHING_TO_CHANGE), result.message
                if result.message != LEGACY:
                    assert state["syncs"][_sid(key)]["updates"] == 0
                continue
            server = state["syncs"][_sid(key)]
            if outcome == "ok":
                assert server["updates"] == 1 and server["triggers"] == 1
                assert server["context"]["referencePoint"] == "surveyPoint"
            else:
                assert server["updates"] <= (1 if result.uncertain else 0)

        # Retry the failed ones: afterwards every sync is updated exactly once (or skipped).
        await pilot.press("r")
        await settle(pilot)
        assert run.attempt == 2 and run.tally()["failed"] == 0
        state = admin_state(big_sandbox, "speckle")
        for key, result in run.latest.items():
            if result.outcome.value == "ok":
                server = state["syncs"][_sid(key)]
                assert server["updates"] == 1 and server["triggers"] <= 1
                assert server["context"]["referencePoint"] == "surveyPoint"
        assert max(s["updates"] for s in state["syncs"].values()) <= 1
        assert max(s["triggers"] for s in state["syncs"].values()) <= 1


async def test_cancel_stops_new_sends(big_sandbox: Sandbox) -> None:
    """Cancelled while writes are on the wire: those are held at the adapter (after three
    went through) until the cancel is in, so the batch cannot have finished first."""
    session = edit_session(big_sandbox, journal=False)
    app = make_app(session, initial_account=SPECKLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        adapter = session.adapter(SPECKLE)
        send = adapter.apply
        sent: list[str] = []
        release = asyncio.Event()

        async def apply(plan: WritePlan) -> WriteResult:
            sent.append(plan.sync_id)
            if len(sent) > 3:
                await release.wait()
            return await send(plan)

        adapter.apply = apply  # type: ignore[method-assign]
        run = await _start_batch(pilot, where="North Depot", point="internalOrigin", trigger=False)
        while len(sent) <= 3 or not run.latest:  # running, with a write held on the wire
            await pilot.pause(0.01)
        await pilot.press("c")
        release.set()
        await settle(pilot)
        assert run.batch.cancelled and not run.running
        cancelled = [k for k, r in run.latest.items() if r.message == CANCELLED]
        assert cancelled
        state = admin_state(big_sandbox, "speckle")["syncs"]
        assert all(state.get(_sid(k), {}).get("updates", 0) == 0 for k in cancelled)
        assert len(run.latest) == app.main.table.row_count
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.main
