"""Driving `synctui serve` from the outside: the server as a subprocess, Debian's chromium
through Playwright, and the terminal's text read from xterm.js's own buffer.

Every wait here names the state it waits for and has a deadline; the server runs in its own
process group, which is always killed (with the app processes it started) on the way out.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_SECONDS = 60.0  # server start (it builds the demo sandbox first)
STATE_SECONDS = 90.0  # any state of the app in the page
URL_PATTERN = re.compile(r"synctui serve: (http://\S+/)")

# textual.js keeps its xterm.js Terminal in a closure; the page scripts assign it to a
# `terminal` property of the object that drives it. This setter, installed before any page
# script runs, records each Terminal as it is assigned (and then behaves as a plain property).
TERMINAL_HOOK = """
(() => {
  window.__synctuiTerminals = [];
  Object.defineProperty(Object.prototype, "terminal", {
    configurable: true,
    set(value) {
      Object.defineProperty(this, "terminal", {
        value, writable: true, configurable: true, enumerable: true,
      });
      if (value && value.buffer && value.buffer.active) window.__synctuiTerminals.push(value);
    },
  });
})();
"""

# The screen as text: one line per terminal row, from the buffer xterm.js renders from.
READ_SCREEN = """
() => {
  const term = (window.__synctuiTerminals || [])[0];
  if (!term) return null;
  const buffer = term.buffer.active;
  const lines = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
}
"""


def chromium_missing() -> str | None:
    """Why the browser test cannot run here, in one line; None when it can."""
    if not os.path.exists(CHROMIUM):
        return (
            f"no chromium at {CHROMIUM}: install it with `sudo apt-get install chromium` "
            "(Debian/Ubuntu) to run the browser test"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: `pip install -e '.[test]'` to run the browser test"
    return None


@dataclass
class Served:
    """A running `synctui serve`: its address and everything it printed so far."""

    process: subprocess.Popen[str]
    url: str
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)

    @property
    def secret(self) -> str:
        return self.url.rstrip("/").rsplit("/", 1)[1]

    @property
    def origin(self) -> str:
        return self.url.rstrip("/").rsplit("/", 1)[0]

    def printed(self) -> str:
        return "".join(self.out) + "".join(self.err)

    def app_pids(self) -> list[int]:
        """The app processes the server started (one per open tab)."""
        return children_of(self.process.pid)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def proc_cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def proc_environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    pairs = (item.decode("utf-8", "replace").split("=", 1) for item in raw if b"=" in item)
    return dict(pairs)  # type: ignore[arg-type]


def _pump(stream: Any, sink: list[str]) -> None:
    for line in iter(stream.readline, ""):
        sink.append(line)


@contextmanager
def serving(*args: str, home: Path) -> Iterator[Served]:
    """`synctui serve --port 0 ARGS` in its own process group, with its own user dirs; yields
    once it printed its address; always kills the whole group (server and apps) afterwards."""
    env = dict(os.environ)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = str(home / name.lower())
    env.pop("SYNCTUI_SHARED_DEMO", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "synctui", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        start_new_session=True,
    )
    out: list[str] = []
    err: list[str] = []
    pumps = [
        threading.Thread(target=_pump, args=(process.stdout, out), daemon=True),
        threading.Thread(target=_pump, args=(process.stderr, err), daemon=True),
    ]
    for pump in pumps:
        pump.start()
    try:
        url = wait_until(
            lambda: _address(out) or _exited(process, out, err),
            START_SECONDS,
            "synctui serve printing its address",
        )
        yield Served(process, url, out, err)
    finally:
        with_group_killed(process)
        for pump in pumps:
            pump.join(timeout=5)


def _address(out: list[str]) -> str | None:
    match = URL_PATTERN.search("".join(out))
    return match.group(1) if match else None


def _exited(process: subprocess.Popen[str], out: list[str], err: list[str]) -> None:
    if process.poll() is not None:
        raise AssertionError(
            f"synctui serve exited with {process.returncode}: {''.join(out)}{''.join(err)}"
        )


def with_group_killed(process: subprocess.Popen[str]) -> None:
    """SIGTERM first (the server closes its tabs and stops its apps), then SIGKILL for
    whatever of the group is left; bounded either way."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=15)


def wait_until(probe: Callable[[], Any], seconds: float, what: str, *, every: float = 0.1) -> Any:
    """Poll `probe` until it returns something truthy; fail naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(every)


@contextmanager
def chromium(viewport: tuple[int, int] = (1280, 800)) -> Iterator[Any]:
    """Headless Debian chromium in a new empty profile; yields a page with the terminal hook."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="synctui-chromium-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                args=CHROMIUM_ARGS,
                headless=True,
                viewport={"width": viewport[0], "height": viewport[1]},
                timeout=60_000,
            )
            context.set_default_timeout(30_000)
            try:
                page = context.new_page()
                page.add_init_script(TERMINAL_HOOK)
                yield page
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


class Screen:
    """The app's screen in a page: its text, waits for a named state, and keys."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.seen: list[str] = []  # every screen read, for the token scan

    def text(self) -> str:
        text = self.page.evaluate(READ_SCREEN) or ""
        if text and (not self.seen or self.seen[-1] != text):
            self.seen.append(text)
        return text

    def wait_for(
        self, state: Callable[[str], Any], what: str, seconds: float = STATE_SECONDS
    ) -> Any:
        def probe() -> Any:
            return state(self.text())

        try:
            return wait_until(probe, seconds, what, every=0.2)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; the screen was:\n{self.text()}") from None

    def wait_for_text(self, needle: str, seconds: float = STATE_SECONDS) -> str:
        return self.wait_for(lambda t: t if needle in t else None, repr(needle), seconds)

    def focus(self) -> None:
        self.page.focus(".xterm-helper-textarea")

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)


# --- plain HTTP, for what a browser would never ask ---------------------------------------------
def http_status(served: Served, path: str, *, method: str = "GET", **headers: str) -> int:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(served.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        connection.request(method, path, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def websocket_status(served: Served, path: str, origin: str | None = None) -> int:
    """The answer to a websocket handshake on `path` (101 would mean an app was started)."""
    import base64

    headers = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
        "Sec-WebSocket-Version": "13",
    }
    if origin is not None:
        headers["Origin"] = origin
    return http_status(served, path, **headers)


def demo_tokens(environ: dict[str, str]) -> list[str]:
    """The vendor tokens an app process of `serve --demo` was given (through its environment)."""
    import json

    shared = json.loads(environ["SYNCTUI_SHARED_DEMO"])
    return [
        token
        for vendor in shared["info"].values()
        for token in vendor.get("tokens", {}).values()
        if token
    ]


# --- the app's states, as read from the screen ----------------------------------------------------
FEEDS = ("project", "form", "point", "contact")
TABLE_LOADED = re.compile(r"All accounts │ ([1-9][\d,]*) syncs")
STORED = re.compile(r"FOLLOWING\s+([\d,]+) stored")


def number(text: str) -> int:
    return int(text.replace(",", ""))


def table_loaded(text: str) -> str | None:
    """Every demo account loaded: a sync count in the status line and nothing loading."""
    if TABLE_LOADED.search(text) and "loading" not in text and "paragon-demo" in text:
        return text
    return None


def caught_up(text: str) -> int | None:
    """The feed viewer following, its backlog stored (every feed ● and polled): the total."""
    match = STORED.search(text)
    if not match or "catching up" in text or "backlog" in text:
        return None
    if not all(re.search(rf"● {feed} [\d,.kM]+ ", text) for feed in FEEDS):
        return None
    return number(match.group(1))


def open_feed(screen: Screen) -> None:
    """`:feed` Enter, as typed; returns once the feed viewer is on screen."""
    screen.press(":")
    screen.wait_for_text("ctx NAME")
    screen.type("feed")
    screen.press("Enter")
    screen.wait_for_text("LetsBuild changes")
