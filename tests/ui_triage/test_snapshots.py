"""SVG snapshots of the attention view with real sandbox data (frozen clock, seed 7).

Ages are relative to the view's injected clock, pinned to the sandbox's frozen instant, so
two runs paint the same screen. Regenerate with
`pytest tests/ui_triage/test_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from typing import Any

import pytest

from synctui.sandbox.server import Sandbox
from tests.ui_triage.conftest import make_app, select, settle, triage_session

SIZES = {"wide": (120, 40), "ssh": (80, 24)}


def _before(filter_text: str = "", *keys: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        if filter_text:
            await select(pilot, filter_text)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_attention(snap_compare, sandbox: Sandbox, size: str) -> None:
    app = make_app(triage_session(sandbox))
    assert snap_compare(app, terminal_size=SIZES[size], run_before=_before())


def test_investigation_timeline(snap_compare, sandbox: Sandbox) -> None:
    """A Speckle sync whose ingestions fail: runs, why, the two-step fix with its toggle."""
    app = make_app(triage_session(sandbox))
    assert snap_compare(app, terminal_size=(120, 40), run_before=_before("NDE-UTL-ROAD"))
