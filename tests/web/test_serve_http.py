"""`synctui serve` from the outside, without a browser: what answers 404, what the page holds,
what an app process is given (flags on its command line, secrets only in its environment).

One real server (`synctui serve --demo --port 0`, a subprocess) is shared by the module; the
browser test (test_serve_browser.py) drives the same server through chromium.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from synctui.cli import main
from tests.web.browser import (
    Served,
    demo_tokens,
    http_status,
    proc_cmdline,
    proc_environ,
    serving,
    wait_until,
    websocket_status,
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving("--demo", home=tmp_path_factory.mktemp("serve-home")) as running:
        yield running


def test_the_banner_gives_a_loopback_address_with_a_long_secret(served: Served) -> None:
    assert served.url.startswith("http://127.0.0.1:")
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,}", served.secret)
    printed = served.printed()
    assert "read-only" in printed
    assert "warning" not in printed  # loopback: nothing to warn about


def _other_paths(secret: str) -> list[str]:
    wrong = "A" * len(secret)
    return [
        "/",
        "/ws",
        "/static/js/textual.js",
        "/static/",
        "/download/anything",
        "/favicon.ico",
        f"/{wrong}/",
        f"/{wrong}/ws",
        f"/{wrong}/static/js/textual.js",
        f"/{secret[:-1]}/",
        f"/{secret}x/",
        f"/x{secret}/",
        f"/{secret[:8]}/",
        f"/{secret}/static/",  # no directory listing
        f"/{secret}/static/../templates/",
        f"/{secret}/download/anything",
        f"/{secret}/nothing-here",
        f"/?{secret}",
    ]


def test_every_other_request_is_404(served: Served) -> None:
    # The controls: the secret address and its static files answer.
    assert http_status(served, f"/{served.secret}/") == 200
    assert http_status(served, f"/{served.secret}/static/js/textual.js") == 200
    for path in _other_paths(served.secret):
        assert http_status(served, path) == 404, path
    for method in ("POST", "PUT", "DELETE", "OPTIONS"):
        assert http_status(served, f"/{served.secret}/", method=method) == 404, method
    # A loopback server asked for under another name (DNS rebinding) answers nothing.
    port = served.origin.rsplit(":", 1)[1]
    assert http_status(served, f"/{served.secret}/", Host=f"evil.example:{port}") == 404
    assert http_status(served, f"/{served.secret}/", Host=f"localhost:{port}") == 200


def test_the_websocket_needs_the_secret_and_the_page_origin(served: Served) -> None:
    wrong = "B" * len(served.secret)
    assert websocket_status(served, "/ws") == 404
    assert websocket_status(served, f"/{wrong}/ws") == 404
    assert websocket_status(served, f"/{served.secret[:-1]}/ws") == 404
    # The right address from a page on another site: refused before an app starts.
    assert websocket_status(served, f"/{served.secret}/ws", origin="http://evil.example") == 404
    assert served.app_pids() == []


def test_the_page_loads_nothing_from_elsewhere_and_sends_no_referrer(served: Served) -> None:
    import urllib.request

    with urllib.request.urlopen(served.url, timeout=15) as answer:
        page = answer.read().decode()
        headers = answer.headers
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert '<meta name="referrer" content="no-referrer"' in page
    absolute = re.findall(r"""(?:src|href)=["'](\w+:)""", page)
    assert absolute == [], "the page loads something from another site"
    websocket = re.search(r'data-session-websocket-url="([^"]+)"', page)
    assert websocket and websocket.group(1) == f"ws://{served.url[7:]}ws"


async def _open_tab(
    served: Served, until: bytes, seconds: float = 90
) -> tuple[bytes, str, dict[str, str]]:
    """A websocket as the page opens it: the terminal stream until `until` appears in it, and
    the command line and environment of the app process it started."""
    import aiohttp

    received = b""
    async with (
        # Every wait bounded: the handshake and the close as well as each receive.
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=seconds + 30)) as client,
        client.ws_connect(
            f"ws://{served.url[7:]}ws?width=120&height=40",
            origin=served.origin,
            timeout=aiohttp.ClientWSTimeout(ws_receive=seconds, ws_close=10),
        ) as websocket,
    ):
        await websocket.send_str(json.dumps(["resize", {"width": 120, "height": 40}]))
        deadline = time.monotonic() + seconds
        while until not in received:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {until!r} in the terminal stream after {seconds} s")
            message = await websocket.receive(timeout=left)
            if message.type == aiohttp.WSMsgType.BINARY:
                received += message.data
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                raise AssertionError(f"the tab closed: {received[-400:]!r}")
        (pid,) = served.app_pids()
        return received, proc_cmdline(pid), proc_environ(pid)


def test_an_app_per_tab_gets_flags_on_its_command_line_and_tokens_only_in_its_env(
    served: Served,
) -> None:
    stream, cmdline, environ = asyncio.run(_open_tab(served, b"READ-ONLY"))
    assert "-m synctui --demo --readonly" in cmdline
    assert environ["SYNCTUI_SERVED"] == "1"
    tokens = demo_tokens(environ)
    assert len(tokens) >= 5
    for token in tokens:
        assert token not in cmdline
        assert token.encode() not in stream
        assert token not in served.printed()
    # The tab closed: its app is gone (the server stops it, or kills it).
    wait_until(lambda: served.app_pids() == [], 30, "the closed tab's app to exit")


def test_allow_writes_starts_apps_without_readonly(tmp_path: Path) -> None:
    with serving("--allow-writes", home=tmp_path) as running:
        assert "WRITES ALLOWED" in running.printed()
        # No account yet: the welcome screen.
        _, cmdline, environ = asyncio.run(_open_tab(running, b"Welcome"))
    assert "--readonly" not in cmdline and "--demo" not in cmdline
    assert "SYNCTUI_SHARED_DEMO" not in environ


def test_a_host_that_is_not_loopback_is_warned_about(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:  # a taken port, so nothing is actually served on 0.0.0.0
        busy.bind(("0.0.0.0", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        code = main(["serve", "--host", "0.0.0.0", "--port", str(port)])
    err = capsys.readouterr().err
    assert code == 1
    assert "warning: serving on 0.0.0.0" in err
    assert f"cannot listen on 0.0.0.0:{port}" in err
    assert len(err.strip().splitlines()) == 2 and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--allow-writes", "--readonly"], "contradict"),
        (["--readonly", "serve", "--allow-writes"], "contradict"),
        (["serve", "--port", "70000"], "not a port"),
    ],
)
def test_bad_flags_are_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


PROBE = """
import json, sys
from synctui.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
heavy = [m for m in ("aiohttp", "textual_serve", "textual", "uvicorn") if m in sys.modules]
sys.stderr.write("\\nMODULES=" + json.dumps(heavy) + "\\n")
"""


@pytest.mark.parametrize("argv", [["--version"], ["serve", "--help"]])
def test_the_web_server_is_imported_only_when_serving(argv: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)], capture_output=True, text=True, timeout=60
    )
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("MODULES=")][-1]
    assert json.loads(line.removeprefix("MODULES=")) == []
