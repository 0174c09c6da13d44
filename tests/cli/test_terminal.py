"""The TUI and its terminal: no start without one, a clean exit when it goes away.

Real processes on real pseudo-terminals, as a user (or a shell that exits) would leave them:
stdin from /dev/null, stdout to a file, SIGHUP, and a terminal hung up under a process that
ignores SIGHUP — the case that used to spin a core forever on end-of-file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals")

DEADLINE = 60.0  # an upper bound for a state to be reached, never a synchronisation


def synctui(*args: str) -> list[str]:
    return [sys.executable, "-m", "synctui", *args]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Own home, config, data and temp dirs: the demo's scratch dir lands in `tmp`."""
    (tmp_path / "tmp").mkdir()
    return {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "TMPDIR": str(tmp_path / "tmp"),
        "TERM": "xterm-256color",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }


def scratch_dirs(env: dict[str, str]) -> list[str]:
    return sorted(p.name for p in Path(env["TMPDIR"]).iterdir() if p.name.startswith("synctui"))


class Pty:
    """The master side of a pseudo-terminal of 120x40; the slave is handed to a child."""

    def __init__(self) -> None:
        self.master, self.slave = pty.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.output = bytearray()

    def read_until(self, text: bytes, deadline: float = DEADLINE) -> None:
        end = time.monotonic() + deadline
        while text not in self.output:
            left = end - time.monotonic()
            assert left > 0, f"{text!r} never appeared; got {bytes(self.output[-400:])!r}"
            ready, _, _ = select.select([self.master], [], [], min(left, 1.0))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # every slave end closed
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"terminal closed before {text!r}: {self.output!r}")
                self.output.extend(chunk)

    def drain(self) -> None:
        """Keep reading in the background of a wait, so the child never blocks on output."""
        with contextlib.suppress(OSError):
            while select.select([self.master], [], [], 0)[0]:
                if not os.read(self.master, 65536):
                    return

    def close(self) -> None:
        for fd in (self.slave, self.master):
            with contextlib.suppress(OSError):
                os.close(fd)


@pytest.fixture
def term() -> Iterator[Pty]:
    terminal = Pty()
    yield terminal
    terminal.close()


def _controlling_terminal() -> None:
    """In the child: a new session whose controlling terminal is the pty on stdin."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def wait_gone(pid: int, term: Pty | None, deadline: float = DEADLINE) -> None:
    """Until `pid` has ended (a zombie counts: it no longer runs)."""
    end = time.monotonic() + deadline
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return
        if state == "Z":
            return
        if time.monotonic() > end:
            os.kill(pid, signal.SIGKILL)
            raise AssertionError(f"synctui (pid {pid}) still running after its terminal went away")
        if term is not None:
            term.drain()
        time.sleep(0.05)


def test_the_tui_refuses_to_start_without_a_terminal(env: dict[str, str]) -> None:
    """`synctui --demo </dev/null >out`: one line and exit 2, no demo started, no spinning."""
    done = subprocess.run(
        synctui("--demo"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=DEADLINE,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "needs a terminal" in lines[0] and "stdin" in lines[0]
    assert scratch_dirs(env) == []


def test_the_tui_refuses_when_only_stdout_is_redirected(
    env: dict[str, str], term: Pty, tmp_path: Path
) -> None:
    out = tmp_path / "out.txt"
    with out.open("wb") as handle:
        done = subprocess.run(
            synctui("--demo"),
            stdin=term.slave,
            stdout=handle,
            stderr=term.slave,
            env=env,
            timeout=DEADLINE,
        )
    assert done.returncode == 2
    assert out.read_bytes() == b""
    term.read_until(b"\n")
    message = term.output.decode()
    assert message.count("\n") == 1 and "but stdout is not one" in message


@pytest.mark.parametrize("demo", [True, False], ids=["demo", "saved-accounts"])
def test_an_unknown_account_is_refused(env: dict[str, str], term: Pty, demo: bool) -> None:
    if not demo:
        added = subprocess.run(
            synctui("accounts", "add", "real", "--vendor", "paragon", "--url", "https://p.example"),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=env,
            timeout=DEADLINE,
        )
        assert added.returncode == 0, added.stderr
    argv = synctui(*(["--demo"] if demo else []), "--account", "nope")
    child = subprocess.Popen(argv, stdin=term.slave, stdout=term.slave, stderr=term.slave, env=env)
    try:
        term.read_until(b"\n")
        code = child.wait(timeout=DEADLINE)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    message = term.output.decode()
    assert code == 2
    assert message.count("\n") == 1, message
    assert "no account named 'nope'" in message
    assert ("paragon-demo" if demo else "real") in message
    assert scratch_dirs(env) == []


def test_sighup_ends_the_tui_cleanly(env: dict[str, str], term: Pty) -> None:
    """The terminal hangs up: the app exits through its normal shutdown, which also removes
    the demo's scratch directory (a default SIGHUP death left it behind)."""
    child = subprocess.Popen(
        synctui("--demo", "--refresh", "0"),
        stdin=term.slave,
        stdout=term.slave,
        stderr=term.slave,
        env=env,
        preexec_fn=_controlling_terminal,
    )
    try:
        term.read_until(b"All accounts")
        assert len(scratch_dirs(env)) == 1
        child.send_signal(signal.SIGHUP)
        wait_gone(child.pid, term)
        assert child.wait(timeout=DEADLINE) == 129
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert scratch_dirs(env) == []


def test_a_tui_ignoring_sighup_exits_when_its_terminal_closes(
    env: dict[str, str], term: Pty
) -> None:
    """A shell that ignores SIGHUP started synctui; then the terminal window closes. No
    signal arrives, and every read returns end-of-file at once (which used to spin a core
    forever): synctui must notice that its terminal is gone and end."""
    # Without job control a shell gives a background command /dev/null as stdin unless told
    # otherwise: fd 3 carries the terminal over to it.
    script = (
        "trap '' HUP; exec 3<&0; "
        f"{' '.join(synctui('--demo', '--refresh', '0'))} <&3 3<&- & "
        "echo SYNCTUI_PID=$!; "
        "wait"
    )
    leader = subprocess.Popen(
        ["sh", "-c", script],
        stdin=term.slave,
        stdout=term.slave,
        stderr=term.slave,
        env=env,
        preexec_fn=_controlling_terminal,
    )
    pid = 0
    try:
        term.read_until(b"All accounts")
        head = bytes(term.output).split(b"SYNCTUI_PID=", 1)[1]
        pid = int(head.split(b"\r", 1)[0].split(b"\n", 1)[0])
        term.close()  # the terminal goes away: the kernel hangs up its other end
        wait_gone(pid, None)
        assert leader.wait(timeout=DEADLINE) == 0
    finally:
        if leader.poll() is None:
            leader.kill()
            leader.wait()
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    assert scratch_dirs(env) == []
