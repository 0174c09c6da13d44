"""Which process wrote a record, and whether that very process is still running.

A journal entry stays `pending` from just before its request is sent until its outcome is
recorded. Once the process that wrote it is gone, nobody will ever record that outcome: the
entry must then read as `unknown` (the write may or may not have reached the vendor), never
as a write still in progress. A pid alone cannot tell: pids are reused, and a reboot starts
them over. So an owner is (host, boot id, pid, process start time):

- another boot (Linux: /proc/sys/kernel/random/boot_id) means the process is gone;
- the same pid with another start time (field 22 of /proc/PID/stat) is another process;
- no such pid means it is gone.

Where /proc is missing (macOS, BSD) the start time and boot id are unknown ("" and 0) and
liveness falls back to "does a process with this pid exist", which a reused pid can fool
into "alive": the entry then stays `pending` longer, never `unknown` too early. An owner on
another host (a journal on a shared home directory) cannot be checked at all: `None`.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from dataclasses import asdict, dataclass
from functools import cache


@dataclass(frozen=True)
class Owner:
    host: str
    boot: str
    pid: int
    start: int

    def dump(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True)

    @classmethod
    def parse(cls, text: str | None) -> Owner | None:
        """An owner read back from storage; None for anything malformed."""
        if not text:
            return None
        try:
            data = json.loads(text)
            owner = cls(str(data["host"]), str(data["boot"]), int(data["pid"]), int(data["start"]))
        except (ValueError, TypeError, KeyError):
            return None
        return owner


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


@cache
def boot_id() -> str:
    return (_read("/proc/sys/kernel/random/boot_id") or "").strip()


def start_time(pid: int) -> int | None:
    """The process's start time in clock ticks since boot; None if there is no such process
    (or no /proc to ask)."""
    text = _read(f"/proc/{pid}/stat")
    if text is None:
        return None
    # "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses; fields after the
    # last ")" start at field 3, so starttime (field 22) is the 20th of them.
    fields = text.rpartition(")")[2].split()
    try:
        return int(fields[19])
    except (IndexError, ValueError):
        return None


@cache
def current_owner() -> Owner:
    """This process (cached: none of it changes while the process runs)."""
    pid = os.getpid()
    return Owner(socket.gethostname(), boot_id(), pid, start_time(pid) or 0)


def _pid_exists(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, belongs to someone else
    except OSError:
        return False
    return True


def owner_alive(owner: Owner | None) -> bool | None:
    """True if that process still runs, False if it is gone, None if this host cannot tell."""
    if owner is None:
        return False
    me = current_owner()
    if owner.host != me.host:
        return None
    if owner == me:
        return True
    if owner.boot and me.boot:
        if owner.boot != me.boot:
            return False
        started = start_time(owner.pid)
        return started is not None and started == owner.start
    with contextlib.suppress(Exception):
        return _pid_exists(owner.pid)
    return None
