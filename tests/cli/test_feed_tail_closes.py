"""`feed tail` closes every database connection it opened, on every thread, before it returns.

A connection left on a worker thread closes whenever the garbage collector finds it, and its
closing checkpoints the WAL into `feeds.sqlite3`: a later command (or a test comparing files)
would see the store change while nothing was writing to it. SQLite removes the `-wal` file
when the last connection closes, so its absence right after the command is the proof.
"""

from __future__ import annotations

import pytest

from synctui.sandbox.server import Sandbox
from synctui.store.paths import feed_db
from tests.cli.conftest import Run


def test_feed_tail_leaves_no_connection_open(
    sandbox: Sandbox, run: Run, monkeypatch: pytest.MonkeyPatch, no_collector: None
) -> None:
    info = sandbox.info()["letsbuild"]
    assert run("accounts", "add", "site", "--vendor", "letsbuild", "--url",
               info["base_url"]).code == 0  # fmt: skip
    monkeypatch.setenv("SYNCTUI_TOKEN_SITE", info["tokens"]["rw"])
    assert run("feed", "tail", "site", "--feed", "project").code == 0
    assert feed_db().exists()
    wal = feed_db().with_name(feed_db().name + "-wal")
    assert not wal.exists(), "a connection of `feed tail` is still open"


def test_a_write_command_leaves_the_journal_closed(
    speckle_account: str, run: Run, no_collector: None
) -> None:
    """The journal's writer thread and its kept-open connection end with the command."""
    import json

    from synctui.store.paths import data_dir

    listed = json.loads(run("syncs", "list", "--account", speckle_account, "--json").out)
    sync_id = next(s["id"] for s in listed if s["status"] == "active")
    patch = '{"context": {"viewName": "closed"}}'
    assert run("syncs", "update", speckle_account, sync_id, "--patch", patch).code == 0
    journal = data_dir() / "journal.sqlite3"
    assert journal.exists()
    assert not journal.with_name(journal.name + "-wal").exists(), "the journal is still open"
