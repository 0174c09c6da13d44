"""Bytes `synctui --demo` writes to its terminal while idle, and while the feed streams.

In a real pty of 120x40 (Textual's own driver, default frame rate): start the demo, wait
for the sync table and for the output to go quiet, count the bytes of 5 idle seconds; then
open the LetsBuild feed viewer with `:feed letsbuild-demo`, make the demo's sandbox generate
100 changes a second, wait until the viewer has caught up with the seeded backlog, and
count the bytes of 5 streaming seconds. What is measured is what an SSH link would carry.
Targets: 0 B/s idle, at most 50 KB/s while streaming.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Iterator

from benchmarks.core import ROOT, Options, Result, child_env, median, synctui_command
from benchmarks.ptyrun import PtyProcess
from benchmarks.startup_tui import SYNC_ROW

NAME = "terminal_bytes"
COLUMNS, ROWS = 120, 40
WINDOW = 5.0
STREAM_RATE = 100  # changes per second, the demo's own 4/s included
DEMO_RATE = 4
IDLE_TARGET = 0.0
STREAM_TARGET_KB = 50.0
LIVE_RATE = re.compile(r"\d[\d,.]*/s")  # the header's rate replaces "catching up"


def listening_ports(pid: int) -> list[int]:
    """TCP ports a process listens on, from /proc (the demo's sandbox picks its own)."""
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    ports = []
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError), open(f"/proc/{pid}/net/{table}") as handle:
            next(handle)
            for line in handle:
                fields = line.split()
                if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                    ports.append(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


@contextlib.contextmanager
def generating(port: int, per_second: int) -> Iterator[None]:
    """Ask the sandbox's LetsBuild simulator for `per_second` more changes, in quarters."""
    import httpx

    stop = threading.Event()
    url = f"http://127.0.0.1:{port}/letsbuild/_sim/generate"

    def loop() -> None:
        with httpx.Client(timeout=5) as client:
            tick = time.perf_counter()
            while not stop.is_set():
                with contextlib.suppress(httpx.HTTPError):
                    client.post(url, json={"count": per_second // 4})
                tick += 0.25
                stop.wait(max(0.0, tick - time.perf_counter()))

    thread = threading.Thread(target=loop, name="generate", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def one_run() -> tuple[float, float]:
    """(idle bytes per second, streaming bytes per second) of one demo session."""
    argv = synctui_command("--demo")
    with PtyProcess(argv, env=child_env(), cwd=str(ROOT), columns=COLUMNS, rows=ROWS) as proc:
        proc.wait_for(SYNC_ROW, 60)
        proc.wait_quiet(3.0, 60)
        idle = proc.read_for(WINDOW) / WINDOW
        ports = listening_ports(proc.pid)
        if not ports:
            raise RuntimeError("the demo's sandbox port was not found")
        with generating(ports[0], STREAM_RATE - DEMO_RATE):
            opened_at = len(proc.text)
            proc.send(b":")
            proc.read_for(0.5)
            proc.send(b"feed letsbuild-demo")
            proc.read_for(0.5)
            proc.send(b"\r")
            deadline = time.perf_counter() + 120
            while not LIVE_RATE.search(proc.text[opened_at:]):
                if time.perf_counter() > deadline:
                    raise TimeoutError("the feed viewer never caught up")
                proc.read_for(0.2)
            proc.read_for(2.0)  # the first live polls
            streaming = proc.read_for(WINDOW) / WINDOW
        proc.send(b"\x1b")
        proc.read_for(0.3)
        proc.send(b"q")
        proc.read_for(0.5)
    return idle, streaming


def run(options: Options) -> list[Result]:
    reps = options.reps(3, 1)
    idle: list[float] = []
    streaming: list[float] = []
    for _ in range(reps):
        a, b = one_run()
        idle.append(a)
        streaming.append(b)
    inputs = {"terminal": f"{COLUMNS}x{ROWS}", "window_seconds": WINDOW, "repetitions": reps}
    return [
        Result(
            name=f"{NAME}_idle",
            what="bytes to the terminal while idle (synctui --demo, pty)",
            unit="B/s",
            synctui=median(idle),
            baseline=None,
            checked=median(idle),
            target=IDLE_TARGET,
            direction="max",
            target_text="0 B/s",
            inputs=inputs,
            samples={"synctui": idle},
        ),
        Result(
            name=f"{NAME}_feed",
            what=f"bytes to the terminal, feed viewer, {STREAM_RATE} changes/s (pty)",
            unit="KB/s",
            synctui=median(streaming) / 1000,
            baseline=None,
            checked=median(streaming) / 1000,
            target=STREAM_TARGET_KB,
            direction="max",
            target_text=f"≤ {STREAM_TARGET_KB:g} KB/s",
            inputs={**inputs, "changes_per_second": STREAM_RATE},
            samples={"synctui": [s / 1000 for s in streaming]},
        ),
    ]
