"""Lines to stdout, and when each one counts as delivered to whoever reads them.

`feed tail` moves a consumer's position past a change only once its line was delivered, so
that a restart neither skips nor repeats. What "delivered" can mean depends on stdout:

- a file or a terminal: written and flushed — from then on it is in the file or on screen;
- a pipe: *read by the reader*. A pipe accepts about 64 KiB that nobody may ever read: a
  reader that stops early (`head -1`) exits with lines still in the pipe, and they are lost
  with it. So on a pipe each line is written alone and the next one only once the pipe is
  empty again (Linux: FIONREAD on the pipe says how many bytes are still unread), and a
  reader that closed its end is noticed (POLLERR) and reported as BrokenPipeError.

That makes delivery on a pipe at-least-once, never at-most-once: if synctui is killed after
the reader took a line but before the position was saved, that one line comes again after
a restart. Exactly once would need the reader to acknowledge what it has processed, which
a pipe cannot carry. Where FIONREAD or poll() is missing, a pipe is treated like a file.
"""

from __future__ import annotations

import errno
import os
import select
import stat
import struct
import sys
import time
from typing import TextIO

try:
    import fcntl
    import termios
except ImportError:  # not POSIX: every stdout is treated like a file
    fcntl = termios = None  # type: ignore[assignment]

# Waiting for a reader to empty the pipe: yield the CPU a few times (a reader that is keeping
# up takes a line within microseconds), then sleep, doubling up to a short ceiling.
_SPINS = 20
_FIRST_SLEEP = 0.0001
_MAX_SLEEP = 0.01


def unread_bytes(fd: int) -> int | None:
    """Bytes written to this pipe that no reader has taken yet; None if the OS cannot say."""
    if fcntl is None or termios is None:
        return None
    try:
        raw = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
    except (OSError, AttributeError):
        return None
    return int(struct.unpack("i", raw)[0])


def _yield() -> None:
    if hasattr(os, "sched_yield"):
        os.sched_yield()
    else:
        time.sleep(0)


class LineSink:
    """Writes one line at a time; `deliver` returns once the line counts as delivered."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.encoding = getattr(self.stream, "encoding", None) or "utf-8"
        self._fd: int | None = None
        self._poll: select.poll | None = None
        try:
            fd = self.stream.fileno()
            is_pipe = stat.S_ISFIFO(os.fstat(fd).st_mode)
        except (AttributeError, OSError, ValueError):
            return  # no file descriptor (tests' StringIO): written and flushed is delivered
        if is_pipe and unread_bytes(fd) is not None and hasattr(select, "poll"):
            self._fd = fd
            self._poll = select.poll()
            self._poll.register(fd, 0)  # POLLERR and POLLHUP are reported whatever is asked

    @property
    def waits_for_reader(self) -> bool:
        return self._fd is not None

    def deliver(self, line: str) -> None:
        """Write `line` and a newline; raises BrokenPipeError once nobody reads any more."""
        if self._fd is None:
            self.stream.write(line + "\n")
            self.stream.flush()
            return
        self.stream.flush()  # whatever Python still buffers goes first
        data = memoryview((line + "\n").encode(self.encoding, "backslashreplace"))
        while data:
            written = os.write(self._fd, data)
            data = data[written:]
        self._wait_until_read()

    def _wait_until_read(self) -> None:
        assert self._fd is not None and self._poll is not None
        spins, pause = 0, 0.0
        while True:
            # Read first, then gone: a reader that took the line and exited did get it.
            if unread_bytes(self._fd) == 0:
                return
            if any(event & (select.POLLERR | select.POLLHUP) for _, event in self._poll.poll(0)):
                raise BrokenPipeError(errno.EPIPE, "the reader closed the pipe")
            if spins < _SPINS:
                spins += 1
                _yield()
                continue
            pause = min(_MAX_SLEEP, pause * 2 or _FIRST_SLEEP)
            time.sleep(pause)
