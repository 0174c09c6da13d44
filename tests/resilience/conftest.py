"""Shared helpers for the resilience tests: real `synctui` processes against an in-process
sandbox, accounts in the test's isolated XDG dirs, and the ground truth the sandbox keeps.

The sandbox always runs inside the test process (so it outlives any synctui process a test
kills), and every synctui under test is a separate process started exactly as a user would
start it: `python -m synctui ...` with the token in `SYNCTUI_TOKEN_<NAME>`.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from synctui.cli import main
from synctui.sandbox.server import Sandbox
from tests.conftest import admin_state

SOAK = os.environ.get("SYNCTUI_SOAK") == "1"
soak_only = pytest.mark.skipif(not SOAK, reason="soak test: run with `make soak`")

# LetsBuild feed name (as the CLI and store call it) → the sandbox's query name.
FEED_QUERIES = {
    "project": "projectSync",
    "form": "formSync",
    "point": "pointSync",
    "contact": "contactDetailsSync",
}


@dataclass
class Ran:
    """One finished command: exit code and what it printed."""

    code: int
    out: str
    err: str


def synctui_argv(*args: str) -> list[str]:
    """The command line of a synctui process, run from this interpreter (the test's venv)."""
    return [sys.executable, "-m", "synctui", *args]


def run_cli(
    *args: str,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 300.0,
) -> Ran:
    """Run one synctui command in its own process and wait for it (no terminal attached)."""
    done = subprocess.run(
        synctui_argv(*args),
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=env if env is not None else dict(os.environ),
        timeout=timeout,
    )
    return Ran(done.returncode, done.stdout, done.stderr)


def run_in_process(argv: Sequence[str]) -> Ran:
    """`synctui.cli.main(argv)` with its output captured; argparse's SystemExit is a code.

    Used for set-up steps (adding accounts) where a process start would only cost time.
    """
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return Ran(code, out.getvalue(), err.getvalue())


def add_account(name: str, vendor: str, base_url: str, *extra: str) -> None:
    """Save an account (no token: tests put it in SYNCTUI_TOKEN_<NAME>)."""
    added = run_in_process(["accounts", "add", name, "--vendor", vendor, "--url", base_url, *extra])
    assert added.code == 0, added.err


def speckle_project_args(sb: Sandbox) -> list[str]:
    """`--project ID` for every project of the sandbox's Speckle."""
    projects = sb.info()["speckle"]["ids"]["projects"]
    return [arg for pid in projects for arg in ("--project", pid)]


def feed_truth(sb: Sandbox) -> dict[str, list[tuple[str, str, int]]]:
    """Per feed, the sandbox's own change log: (entity id, operation, sequence) in order."""
    feeds = admin_state(sb, "letsbuild")["feeds"]
    return {
        feed: [(eid, op.lower(), seq) for seq, eid, op in feeds[query]["changes"]]
        for feed, query in FEED_QUERIES.items()
    }


def stored_changes(path: Path, account: str) -> dict[str, list[tuple[str, str, int | None]]]:
    """Per feed, what the SQLite feed store holds for the account, in stored order."""
    from synctui.store.feedstore import ChangeFilter, FeedStore

    store = FeedStore(path)
    try:
        return {
            feed: [
                (c.entity_id, c.operation, c.sequence_version)
                for c in store.iter_all(account, ChangeFilter(feeds=(feed,)))
            ]
            for feed in FEED_QUERIES
        }
    finally:
        store.close()


def assert_feeds_match(
    truth: dict[str, list[tuple[str, str, int]]],
    stored: dict[str, list[tuple[str, str, int | None]]],
) -> None:
    """Every feed stored exactly as the sandbox logged it: nothing missing, nothing twice.

    Deletions carry no snapshot, so the store has no sequence for them; every other change
    must also carry the sandbox's sequence number.
    """
    for feed, expected in truth.items():
        got = stored[feed]
        assert len(got) == len(expected), (
            f"{feed}: stored {len(got)} changes, the sandbox logged {len(expected)}"
        )
        for index, ((eid, op, seq), (got_eid, got_op, got_seq)) in enumerate(
            zip(expected, got, strict=True)
        ):
            assert (got_eid, got_op) == (eid, op), (
                f"{feed}[{index}]: {got_eid} {got_op} != {eid} {op}"
            )
            if got_seq is not None:
                assert got_seq == seq, f"{feed}[{index}]: sequence {got_seq} != {seq}"
            else:
                assert op == "deleted", f"{feed}[{index}]: {op} stored without a sequence"


@pytest.fixture
def fast_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The isolated XDG dirs on a RAM disk when there is one.

    The journal commits with `synchronous=FULL`, two fsyncs per write: on a busy shared disk
    that, not synctui, dominates a batch of hundreds of writes. The tests here are about
    outcomes under faults, so they put the dirs where an fsync is cheap.
    """
    import shutil
    import tempfile

    shm = Path("/dev/shm")
    root = Path(tempfile.mkdtemp(prefix="synctui-res-", dir=shm)) if shm.is_dir() else tmp_path
    for kind in ("config", "data", "cache", "state"):
        monkeypatch.setenv(f"XDG_{kind.upper()}_HOME", str(root / kind))
    try:
        yield root
    finally:
        if root != tmp_path:
            shutil.rmtree(root, ignore_errors=True)
