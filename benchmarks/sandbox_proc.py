"""The sandbox in a process of its own, as `synctui sandbox` runs it.

A vendor is another machine: a sandbox inside the measured process would share its GIL and
make synctui look slower (or the baseline faster) for reasons no user sees. So benchmarks
that talk to vendors start `synctui sandbox --port 0 --json` and read its connection details.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from collections.abc import Iterator
from typing import Any

from benchmarks.core import ROOT, child_env, synctui_command

START_TIMEOUT = 180.0  # seeding at a large scale takes a while on a loaded machine


@contextlib.contextmanager
def sandbox_process(
    *,
    scale: int = 1,
    changes_per_second: float = 0.0,
    faults: str = "",
    frozen: bool = True,
) -> Iterator[dict[str, Any]]:
    """Yield `{"base_url": ..., "vendors": {...}}` of a running sandbox; stop it after."""
    argv = synctui_command(
        "sandbox",
        "--port",
        "0",
        "--json",
        "--scale",
        str(scale),
        "--changes-per-second",
        str(changes_per_second),
    )
    if faults:
        argv += ["--faults", faults]
    if frozen:
        argv.append("--frozen-clock")
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
        env=child_env(),
        cwd=ROOT,
    )
    try:
        yield _read_banner(proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _read_banner(proc: subprocess.Popen[str]) -> dict[str, Any]:
    assert proc.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    text = ""
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the sandbox exited before it was ready ({proc.poll()})")
        text += line
        with contextlib.suppress(ValueError):
            return json.loads(text)
    raise TimeoutError("the sandbox did not print its connection details")
