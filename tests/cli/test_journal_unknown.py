"""A write left pending by a synctui process that is gone reads as `unknown` everywhere.

A real second process begins a journal entry (committed before its request would go out)
and exits without finishing it: `journal` shows the entry as unknown, `--outcome unknown`
finds it and `--outcome pending` does not, `journal show` says why. While the process still
runs the same entry is honestly pending.
"""

from __future__ import annotations

import json

from tests.cli.conftest import Run
from tests.store.journal_child import child


def test_a_dead_process_pending_entry_is_unknown(run: Run) -> None:
    process, entry_id = child(None, "exit")  # the user's journal, in the test's data dir
    process.wait(timeout=60)

    listed = run("journal")
    row = next(line for line in listed.out.splitlines() if line.startswith(str(entry_id)))
    assert " unknown " in row and "pending" not in row
    unknown = json.loads(run("journal", "--outcome", "unknown", "--json").out)
    assert [(e["id"], e["outcome"], e["stale"]) for e in unknown] == [(entry_id, "unknown", True)]
    assert json.loads(run("journal", "--outcome", "pending", "--json").out) == []
    shown = run("journal", "show", str(entry_id))
    assert f"Entry {entry_id}: trigger · unknown" in shown.out
    assert "ended before its outcome was recorded" in shown.out


def test_a_live_process_pending_entry_is_pending(run: Run) -> None:
    process, entry_id = child(None, "wait")
    try:
        pending = json.loads(run("journal", "--outcome", "pending", "--json").out)
        assert [e["id"] for e in pending] == [entry_id]
        assert json.loads(run("journal", "--outcome", "unknown", "--json").out) == []
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=60)
    assert [e["id"] for e in json.loads(run("journal", "--outcome", "unknown", "--json").out)] == [
        entry_id
    ]
