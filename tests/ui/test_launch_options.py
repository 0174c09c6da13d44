"""`synctui --attention` reaches the app: it opens on the attention view (the app's own
tests, in tests/ui_triage, drive what it shows)."""

from __future__ import annotations

import pytest

from synctui.cli import build_parser
from synctui.ui import launch
from synctui.ui.app import SyncTuiApp


@pytest.mark.parametrize(("argv", "expected"), [(["--attention"], True), ([], False)])
def test_attention_flag_opens_on_the_attention_view(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], expected: bool
) -> None:
    opened: list[bool] = []

    def run(app: SyncTuiApp) -> int:  # the app as launched, without a terminal
        opened.append(app.open_attention)
        return 0

    monkeypatch.setattr("synctui.ui.terminal.terminal_problem", lambda: None)
    monkeypatch.setattr(SyncTuiApp, "run", run)
    assert launch.launch(build_parser().parse_args(argv)) == 0
    assert opened == [expected]
