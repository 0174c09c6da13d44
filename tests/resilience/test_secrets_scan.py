"""A scripted session — the TUI driven through a real terminal, then the CLI — after which the
tokens it was given appear nowhere: not on screen, not on stdout or stderr, not in any file
synctui wrote (accounts, settings, the journal and its WAL, caches), in any form.

Three accounts: a Polytomic API key (Bearer), a Polytomic deployment key (sent as HTTP Basic,
so its base64 form is searched for as well), and a Signalsmith account whose token is wrong,
so that authentication errors — the messages most likely to echo a credential — are shown
and printed too. The TUI runs as `python -m synctui` on a pty, as a user would start it, and
is driven by keystrokes: the table, a sync's detail and raw JSON, the API call log, a filter,
then `q`.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import termios
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from synctui.sandbox.core import SandboxConfig
from synctui.sandbox.server import Sandbox
from synctui.store.accounts import token_env_var
from tests.conftest import unlimit
from tests.resilience.conftest import Ran, add_account, run_in_process, synctui_argv

ANSI = re.compile(
    rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]"
)


@pytest.fixture
def secrets_sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxConfig(port=0, seed=41, frozen=True, changes_per_second=0)) as sb:
        unlimit(sb)
        yield sb


def forms(token: str) -> dict[str, bytes]:
    """Every way a token could leak: as is, its start, and the base64 of Basic auth."""
    found = {
        "token": token.encode(),
        "start of token": token[:16].encode(),
        "basic": base64.b64encode(f"{token}:".encode()),
        "base64": base64.b64encode(token.encode()),
        "basic, url-safe": base64.urlsafe_b64encode(f"{token}:".encode()),
    }
    # A base64 string is the same on the wire with or without its padding.
    return {name: value.rstrip(b"=") for name, value in found.items()}


class Terminal:
    """A pty with `python -m synctui` on it; everything the TUI draws is kept as bytes."""

    def __init__(self, env: dict[str, str]) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 140, 0, 0))
        self.master = master
        self.process = subprocess.Popen(
            synctui_argv("--refresh", "0"),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**env, "TERM": "xterm-256color"},
            start_new_session=True,
        )
        os.close(slave)
        self.output = bytearray()
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # the process ended and closed the pty
                return
            if not data:
                return
            with self._lock:
                self.output.extend(data)

    def screen_text(self, since: int = 0) -> str:
        with self._lock:
            raw = bytes(self.output[since:])
        return ANSI.sub(b"", raw).decode("utf-8", "replace")

    def press(self, keys: str, *, until: str | None = None, settle: float = 0.3) -> None:
        """Type keys; then wait for `until` to be drawn (or a moment, for the UI to react)."""
        mark = len(self.output)
        os.write(self.master, keys.encode())
        if until is None:
            time.sleep(settle)
            return
        self.wait_for(until, since=mark)

    def wait_for(self, text: str, *, since: int = 0, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.screen_text(since):
            if self.process.poll() is not None:
                raise AssertionError(f"the TUI exited ({self.process.returncode}) before {text!r}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared:\n{self.screen_text(since)[-2000:]}")
            time.sleep(0.1)

    def close(self) -> int:
        try:
            return self.process.wait(timeout=60)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            with contextlib.suppress(OSError):
                os.close(self.master)


def test_no_token_anywhere_after_a_tui_and_cli_session(
    secrets_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = secrets_sandbox
    info = sb.info()
    poly = info["polytomic"]
    tokens = {
        "poly": poly["tokens"]["rw"],
        "deploy": poly["tokens"]["deployment"],
        "wrong": f"wrong-{uuid.uuid4().hex}",
    }
    add_account("poly", "polytomic", poly["base_url"])
    add_account("deploy", "polytomic", poly["base_url"], "--auth", "deployment")
    workspace = info["signalsmith"]["ids"]["workspaces"][0]
    add_account("wrong", "signalsmith", info["signalsmith"]["base_url"], "--workspace", workspace)
    for name, token in tokens.items():
        monkeypatch.setenv(token_env_var(name), token)

    listed = json.loads(run_in_process(["syncs", "list", "--account", "poly", "--json"]).out)
    first = next(s for s in listed if s["status"] == "active")

    # --- the TUI, on a terminal ---------------------------------------------------------
    tui = Terminal(dict(os.environ))
    try:
        tui.wait_for(first["name"][:12])  # the name column may be narrower than the name
        # The wrong account's error is on screen (its toast may wrap after "the").
        tui.wait_for("rejected the")
        tui.press("\r", until="Latest run")  # the first sync's detail
        tui.press("2")
        tui.press("3", until='"id"')  # its raw JSON
        # Copy the JSON (to the terminal's clipboard, through the pty). Each Esc waits for
        # the screen it leads to: an Esc that reaches the app in one read with the next key
        # is Alt+that key, so a fixed pause here lost keys on a busy machine.
        tui.press("Y", until="copied JSON")
        tui.press("\x1b", until="All accounts")
        tui.press("@", until="/api/syncs")  # the API call log
        tui.press("\x1b", until="All accounts")
        tui.press("/", until="filter: words")
        tui.press("sales\r", until="filter: sales")
        tui.press("q")
    finally:
        code = tui.close()
    assert code == 0, tui.screen_text()[-2000:]
    screen = bytes(tui.output)

    # --- the CLI ----------------------------------------------------------------------------
    sid = first["id"]
    patch = '{"name": "Secrets check"}'
    ran: list[Ran] = [
        run_in_process(argv)
        for argv in (
            ["syncs", "list"],
            ["syncs", "list", "--json"],
            ["syncs", "show", "poly", sid],
            ["syncs", "show", "deploy", sid, "--json"],
            ["syncs", "update", "poly", sid, "--patch", patch, "--dry-run"],
            ["syncs", "update", "deploy", sid, "--patch", patch, "--dry-run", "--json"],
            ["syncs", "update", "poly", sid, "--patch", patch],
            ["syncs", "update", "deploy", sid, "--patch", '{"name": "Secrets check 2"}', "--json"],
            ["syncs", "runs", "poly", sid],
            ["syncs", "runs", "deploy", sid, "--json"],
            ["accounts", "list"],
            ["accounts", "test", "deploy"],
            ["journal"],
            ["journal", "--json"],
        )
    ]
    assert [r.code for r in ran] == [0] * len(ran), [r.err for r in ran if r.code]
    entry = json.loads(ran[-1].out)[0]["id"]
    ran.append(run_in_process(["journal", "show", str(entry)]))
    ran.append(run_in_process(["journal", "show", str(entry), "--json"]))
    failing = [
        run_in_process(argv)
        for argv in (
            ["syncs", "list", "--account", "wrong"],
            ["syncs", "show", "wrong", "anything"],
            ["accounts", "test", "wrong"],
            ["doctor", "--account", "wrong"],
        )
    ]
    assert all(r.code == 1 for r in failing), [(r.code, r.err) for r in failing]
    assert all("rejected the token" in r.err for r in failing[:3]), [r.err for r in failing]
    ran += failing
    # A real process too, so nothing in-process capturing could hide a stray write to fd 1/2.
    real = subprocess.run(
        synctui_argv("syncs", "update", "wrong", "x", "--patch", patch),
        capture_output=True,
        env=dict(os.environ),
        timeout=120,
    )
    assert real.returncode == 1 and b"rejected the token" in real.stderr

    # --- the search ---------------------------------------------------------------------------
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    names = {p.name for p in written}
    assert {"accounts.toml", "journal.sqlite3"} <= names, names  # synctui did write files
    places: dict[str, bytes] = {"the TUI's terminal": screen}
    places.update({f"stdout of {i}": r.out.encode() for i, r in enumerate(ran)})
    places.update({f"stderr of {i}": r.err.encode() for i, r in enumerate(ran)})
    places.update({"stdout of a process": real.stdout, "stderr of a process": real.stderr})
    places.update({str(p.relative_to(tmp_path)): p.read_bytes() for p in written})
    leaks = [
        f"{account}'s {form} in {where}"
        for account, token in tokens.items()
        for form, needle in forms(token).items()
        for where, content in places.items()
        if needle in content
    ]
    assert leaks == []
