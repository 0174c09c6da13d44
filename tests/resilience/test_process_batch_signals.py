"""A batch update (`syncs update --where`) stopped by signals, as a real process.

SIGTERM (what `kill`, systemd and container runtimes send) is the first Ctrl-C: nothing new
is sent, the writes on the wire finish and are journaled, every sync gets its line and the
summary is printed. A second Ctrl-C stops at once, and still every sync gets a line (`ok`,
`failed`, `unknown`, `skipped`) and no journal entry is left pending.

A gate in front of the sandbox holds requests at the door, so "a write is in flight" is a
state the test waits for, not a moment it hopes to hit.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from synctui.sandbox.core import SandboxConfig
from synctui.sandbox.server import Sandbox
from synctui.store.accounts import token_env_var
from tests.conftest import admin_state
from tests.resilience.conftest import add_account, run_in_process, synctui_argv
from tests.resilience.gate import Gate

ACCOUNT = "prod"
WHERE = "status=active context.referencePoint!=surveyPoint"
PATCH = {"context": {"referencePoint": "surveyPoint"}}


@pytest.fixture
def batch_sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxConfig(port=0, seed=7, frozen=True, changes_per_second=0)) as sb:
        yield sb


@dataclass
class Batch:
    """One `syncs update --where ... --json` process, its lines as they come."""

    process: subprocess.Popen[str]
    out: list[dict] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    first_result: threading.Event = field(default_factory=threading.Event)
    cancelling: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def start(cls, env: dict[str, str]) -> Batch:
        process = subprocess.Popen(
            synctui_argv(
                "syncs", "update", ACCOUNT, "--where", WHERE, "--patch", json.dumps(PATCH),
                "--json", "--concurrency", "4",
            ),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )  # fmt: skip
        batch = cls(process)
        threading.Thread(target=batch._read_out, daemon=True).start()
        threading.Thread(target=batch._read_err, daemon=True).start()
        return batch

    def _read_out(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.out.append(json.loads(line))
            self.first_result.set()
        self.first_result.set()

    def _read_err(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.err.append(line)
            if line.startswith("Cancelling"):
                self.cancelling.set()
        self.cancelling.set()

    def wait(self) -> int:
        return self.process.wait(timeout=120)

    @property
    def stderr(self) -> str:
        return "".join(self.err)


def setup(sb: Sandbox, gate: Gate) -> tuple[dict[str, str], set[str]]:
    """The account behind the gate, and the ids of the syncs the batch will update."""
    info = sb.info()["speckle"]
    projects = [arg for pid in info["ids"]["projects"] for arg in ("--project", pid)]
    add_account(ACCOUNT, "speckle", gate.url(), *projects)
    env = {**os.environ, token_env_var(ACCOUNT): info["tokens"]["rw"]}
    os.environ[token_env_var(ACCOUNT)] = info["tokens"]["rw"]
    try:
        listed = run_in_process(["syncs", "list", "--account", ACCOUNT, "--json"])
    finally:
        del os.environ[token_env_var(ACCOUNT)]
    assert listed.code == 0, listed.err
    targets = {
        s["id"]
        for s in json.loads(listed.out)
        if s["status"] == "active" and s["raw"]["context"].get("referencePoint") != "surveyPoint"
    }
    return env, targets


def journal_entries() -> list:
    from synctui.store.journal import Journal

    return Journal().list(limit=10_000)


def check_lines(batch: Batch, targets: set[str], sb: Sandbox) -> dict[str, str]:
    """Every target exactly once on stdout, each line matching the sandbox; outcome per id."""
    ids = [line["sync"] for line in batch.out]
    assert len(ids) == len(set(ids)), "a sync got two lines"
    assert set(ids) == targets, "a sync got no line (or a stranger did)"
    outcomes = {line["sync"]: line["outcome"] for line in batch.out}
    server = admin_state(sb, "speckle")["syncs"]
    for sync_id, outcome in outcomes.items():
        state = server[sync_id.split("/", 1)[1]]
        assert outcome in ("ok", "failed", "unknown", "skipped"), outcome
        if outcome == "ok":
            assert state["updates"] == 1
        elif outcome in ("skipped", "failed"):
            assert state["updates"] == 0
        else:
            assert state["updates"] <= 1
    entries = journal_entries()
    assert not [e for e in entries if e.outcome == "pending"], "a write was left pending"
    journaled = {e.sync_id: e.outcome for e in entries if e.outcome != "skipped"}
    assert journaled == {k: v for k, v in outcomes.items() if v in ("ok", "unknown", "failed")}
    return outcomes


def test_sigterm_is_a_graceful_cancel(batch_sandbox: Sandbox, fast_dirs: Path) -> None:
    with Gate(batch_sandbox.info()["speckle"]["base_url"]) as gate:
        env, targets = setup(batch_sandbox, gate)
        assert len(targets) >= 20
        batch = Batch.start(env)
        assert batch.first_result.wait(timeout=120), batch.stderr
        gate.hold()
        gate.wait_held(1)  # writes on the wire, waiting for their answer
        batch.process.send_signal(signal.SIGTERM)
        assert batch.cancelling.wait(timeout=60), batch.stderr
        gate.release()  # the writes already sent finish...
        code = batch.wait()
    assert code == 143, batch.stderr
    assert "Traceback" not in batch.stderr
    assert "Journal: synctui journal --batch" in batch.stderr
    outcomes = check_lines(batch, targets, batch_sandbox)
    # ...and are recorded as what they were; the rest was never sent.
    assert set(outcomes.values()) <= {"ok", "skipped"}
    assert "ok" in outcomes.values()
    assert "skipped" in outcomes.values()


def test_a_second_ctrl_c_stops_at_once_and_still_accounts_for_every_sync(
    batch_sandbox: Sandbox, fast_dirs: Path
) -> None:
    with Gate(batch_sandbox.info()["speckle"]["base_url"]) as gate:
        env, targets = setup(batch_sandbox, gate)
        batch = Batch.start(env)
        assert batch.first_result.wait(timeout=120), batch.stderr
        gate.hold()
        gate.wait_held(1)
        batch.process.send_signal(signal.SIGINT)
        assert batch.cancelling.wait(timeout=60), batch.stderr
        batch.process.send_signal(signal.SIGINT)  # the held writes never get an answer
        code = batch.wait()
    assert code == 130, batch.stderr
    assert "Traceback" not in batch.stderr
    assert "Stopped at once" in batch.stderr
    outcomes = check_lines(batch, targets, batch_sandbox)
    assert "unknown" in outcomes.values()  # the held ones: sent, never answered
