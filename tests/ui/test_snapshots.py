"""SVG snapshots of each main screen at 120×40 and 80×24, with real sandbox data.

The sandbox runs on a fixed seed with a frozen clock, tables show vendor timestamps (not
"x minutes ago"), and the call log's wall-clock time and duration are pinned by a call log
that rewrites them — so two runs paint the same screens. Regenerate with
`pytest tests/ui/test_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from textual.widgets import Input

from synctui.sandbox.server import Sandbox
from synctui.vendors.http import CallLog, CallRecord
from tests.ui.conftest import MemoryKeyring, make_app, sandbox_session, settle

SIZES = {"wide": (120, 40), "ssh": (80, 24)}


class PinnedCallLog(CallLog):
    """Same records, with the two fields that change from run to run pinned."""

    def add(self, record: CallRecord) -> None:
        super().add(dataclasses.replace(record, time="12:00:00.000", duration_ms=12.0))


def _before(*keys: str, **extra: Any):
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)
        for widget in pilot.app.screen.query(Input):
            widget.cursor_blink = False
        pilot.app.clear_notifications()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_main_all_accounts(snap_compare, sandbox: Sandbox, size: str) -> None:
    app = make_app(sandbox_session(sandbox))
    assert snap_compare(app, terminal_size=SIZES[size], run_before=_before())


@pytest.mark.parametrize("size", SIZES)
def test_vendor_table_polytomic(snap_compare, sandbox: Sandbox, size: str) -> None:
    app = make_app(sandbox_session(sandbox), initial_account="polytomic-demo")
    assert snap_compare(app, terminal_size=SIZES[size], run_before=_before("s"))


@pytest.mark.parametrize("size", SIZES)
def test_detail(snap_compare, sandbox: Sandbox, size: str) -> None:
    app = make_app(sandbox_session(sandbox), initial_account="speckle-demo")
    assert snap_compare(app, terminal_size=SIZES[size], run_before=_before("down", "enter"))


def test_detail_raw_json(snap_compare, sandbox: Sandbox) -> None:
    app = make_app(sandbox_session(sandbox), initial_account="polytomic-demo")
    assert snap_compare(app, terminal_size=(120, 40), run_before=_before("enter", "3"))


def test_call_log(snap_compare, sandbox: Sandbox) -> None:
    app = make_app(
        sandbox_session(sandbox, call_log=PinnedCallLog()), initial_account="speckle-demo"
    )
    assert snap_compare(app, terminal_size=(120, 40), run_before=_before("at"))


def test_filtered_readonly_80x24(snap_compare, sandbox: Sandbox) -> None:
    app = make_app(sandbox_session(sandbox, readonly=True), initial_account="speckle-demo")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_before("slash", *"error"))


def test_help(snap_compare, sandbox: Sandbox) -> None:
    app = make_app(sandbox_session(sandbox), initial_account="speckle-demo")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_before("question_mark"))


@pytest.mark.parametrize("size", SIZES)
def test_welcome(snap_compare, size: str) -> None:
    from synctui.services.session import Session, SessionOptions

    app = make_app(Session([], lambda a: None, SessionOptions(journal_enabled=False)))
    assert snap_compare(app, terminal_size=SIZES[size], run_before=_before())


def test_add_account_form(snap_compare, memory_keyring: MemoryKeyring) -> None:
    from synctui.services.session import Session, SessionOptions

    app = make_app(Session([], lambda a: None, SessionOptions(journal_enabled=False)))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_before("a"))
