"""`synctui doctor` piped (cron, a log file): every WHY in full, never cut to the column."""

from __future__ import annotations

import json

from synctui.sandbox.server import Sandbox
from tests.cli.conftest import Run


def test_doctor_does_not_truncate_when_stdout_is_not_a_terminal(
    run: Run, sandbox: Sandbox, speckle_account: str
) -> None:
    as_json = run("doctor", "--json")
    items = json.loads(as_json.out)["items"]
    long_whys = {i["why"] for i in items if len(i["why"]) > 48}
    assert long_whys, "the seed should have a reason longer than a table column"

    text = run("doctor")
    assert text.code == 4
    for why in long_whys:
        assert " ".join(why.split()) in text.out
    assert "…" not in text.out
