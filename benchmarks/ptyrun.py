"""A headless terminal: run a command in a pseudo-terminal and read what it writes.

This is as close to a user's terminal as a benchmark gets without one: the program sees a
real tty of a given size (so Textual uses its Linux driver, not the headless one), and every
byte it writes to the screen is counted. Markers are searched in the output with the escape
sequences stripped, since a frame interleaves text with cursor moves and colours.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import termios
import time
from collections.abc import Sequence

_ESCAPES = re.compile(
    rb"\x1b\[[0-9;?<>=$ ]*[ -/]*[@-~]"  # CSI: cursor moves, colours, modes
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: title, clipboard
    rb"|\x1bP[^\x1b]*\x1b\\"  # DCS
    rb"|\x1b[()][0-9A-Za-z]|\x1b[=>78]"
)


def strip_escapes(data: bytes) -> str:
    return _ESCAPES.sub(b"", data).decode("utf-8", "replace")


class PtyProcess:
    """A child process on a pseudo-terminal of `columns` x `rows`."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: dict[str, str],
        cwd: str | None = None,
        columns: int = 120,
        rows: int = 40,
    ) -> None:
        self.started = time.perf_counter()
        pid, fd = os.forkpty() if hasattr(os, "forkpty") else _forkpty()
        if pid == 0:  # the child: become the program
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
                if cwd:
                    os.chdir(cwd)
                os.execvpe(argv[0], list(argv), env)
            finally:
                os._exit(127)
        self.pid = pid
        self.fd = fd
        self.output = bytearray()
        self.arrivals: list[tuple[float, int]] = []  # (seconds since start, total bytes)
        self._text_cache = ""
        self._text_len = 0
        self.exited = False

    # --- reading ---------------------------------------------------------------------------
    def read_for(self, seconds: float) -> int:
        """Read whatever arrives during `seconds`; returns the bytes read."""
        deadline = time.perf_counter() + seconds
        before = len(self.output)
        while (left := deadline - time.perf_counter()) > 0:
            self._read_once(min(left, 0.05))
        return len(self.output) - before

    def wait_for(self, pattern: re.Pattern[str], timeout: float) -> float:
        """Seconds from process start until `pattern` appears in the text written so far."""
        deadline = time.perf_counter() + timeout
        while True:
            if pattern.search(self.text):
                return self.arrivals[-1][0] if self.arrivals else 0.0
            if time.perf_counter() > deadline or self.exited:
                tail = self.text[-2000:]
                raise TimeoutError(
                    f"{pattern.pattern!r} not seen in {timeout:.0f} s; tail:\n{tail}"
                )
            self._read_once(0.05)

    def wait_quiet(self, quiet: float, timeout: float) -> float:
        """Read until nothing arrived for `quiet` seconds; returns the seconds it took."""
        started = time.perf_counter()
        last = started
        while time.perf_counter() - started < timeout:
            if self._read_once(0.05):
                last = time.perf_counter()
            elif time.perf_counter() - last >= quiet:
                break
        return time.perf_counter() - started

    @property
    def text(self) -> str:
        if self._text_len != len(self.output):
            self._text_cache = strip_escapes(bytes(self.output))
            self._text_len = len(self.output)
        return self._text_cache

    def _read_once(self, timeout: float) -> int:
        if self.exited:
            time.sleep(timeout)
            return 0
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return 0
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            self.exited = True
            return 0
        if not data:
            self.exited = True
            return 0
        self.output += data
        self.arrivals.append((time.perf_counter() - self.started, len(self.output)))
        return len(data)

    # --- writing and stopping ----------------------------------------------------------------
    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def close(self, grace: float = 3.0) -> None:
        """Ask politely (SIGTERM), then insist; always reap the child."""
        if self._reap():
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)
            deadline = time.perf_counter() + grace
            while time.perf_counter() < deadline:
                with contextlib.suppress(OSError):
                    self._read_once(0.05)  # keep draining, or the child blocks on write
                if self._reap():
                    return
        self._reap(block=True)

    def _reap(self, block: bool = False) -> bool:
        try:
            pid, _ = os.waitpid(self.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            pid = self.pid
        if pid == self.pid:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.exited = True
            return True
        return False

    def __enter__(self) -> PtyProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _forkpty() -> tuple[int, int]:
    import pty

    return pty.fork()
