"""`synctui serve`: the synctui app in browser tabs, behind a secret address.

Built from textual-serve's parts — its page script (xterm.js), its static files and its
`AppService`, which runs one app process per browser websocket and relays the terminal
stream — inside an aiohttp application of our own, because its stock server is made for
trusted local use: it answers on `/`, lists its static directory, and prints the command it
runs. Here:

* every route lives under one random path segment (`secrets.token_urlsafe`) printed on
  start; anything else — `/`, `/ws`, `/static/…`, a wrong or partial secret, another
  method — is a 404 before any handler runs, compared in constant time;
* a websocket must come from the page's own origin (a page on another site cannot drive
  the app even if it learned the address); bound to loopback, the server answers only to a
  loopback host name (no DNS rebinding); at most `MAX_SESSIONS` apps run at once;
* the page loads nothing from other sites and sends no referrer, so the secret address
  never leaves the browser, and it carries no token: the app runs here, on the server; the
  browser only receives the rendered terminal;
* the app command holds only flags (`--demo`, `--readonly`, a theme name…); what it needs
  that is secret (the shared demo's tokens) reaches it through its environment, which only
  the server's own user can read. Nothing here logs the command, the environment or the
  traffic.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import html
import ipaddress
import logging
import secrets
import shlex
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

MAX_SESSIONS = 8  # app processes (browser tabs) at once; each is a full synctui
STOP_SECONDS = 5.0  # for an app to quit when its tab closes, before it is killed
MAX_INPUT_CHARS = 64 * 1024  # one websocket message of keystrokes (a paste)
MAX_COLUMNS, MAX_ROWS = 500, 200
TEMPLATE = Path(__file__).with_name("templates") / "app_index.html"
TITLE = "synctui"

log = logging.getLogger("synctui.web")


def new_secret() -> str:
    return secrets.token_urlsafe(24)  # 192 bits, URL-safe


@dataclass
class ServeConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    command: list[str] = field(default_factory=list)  # the app, one process per tab
    env: dict[str, str] = field(default_factory=dict)  # added to each app's environment
    secret: str = field(default_factory=new_secret)
    banner_note: str = ""  # the second banner line: demo or accounts, read-only or not


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """Listen before serving, so that port 0 yields the real port for the printed address."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def public_url(host: str, port: int, secret: str) -> str:
    shown = host
    if host in ("0.0.0.0", "::", ""):
        shown = socket.gethostname()  # every interface: any of this machine's names works
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/{secret}/"


def security_headers(websocket_origin: str) -> dict[str, str]:
    return {
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-store",
        "Content-Security-Policy": (
            "default-src 'self'; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
            f"connect-src 'self' {websocket_origin}; frame-ancestors 'none'; "
            "base-uri 'none'; form-action 'none'"
        ),
    }


class AppSession:
    """One browser tab's app process (textual-serve's `AppService`, with our environment and
    a bounded stop: an app that does not quit in time is killed, never left running)."""

    def __init__(
        self,
        command: str,
        env: Mapping[str, str],
        websocket: web.WebSocketResponse,
    ) -> None:
        from textual_serve.app_service import AppService
        from textual_serve.download_manager import DownloadManager

        extra = dict(env)

        class _Service(AppService):
            def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
                environment = super()._build_environment(width=width, height=height)
                environment.update(extra)
                return environment

        # Downloads are not offered (no route serves them): the manager only satisfies the API.
        self.service = _Service(
            command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=DownloadManager(),
        )

    async def start(self, width: int, height: int) -> None:
        await self.service.start(width, height)

    async def stop(self) -> None:
        process = self.service._process
        with contextlib.suppress(TimeoutError, OSError, RuntimeError):
            await asyncio.wait_for(self.service.stop(), STOP_SECONDS)
        if process is None:
            return
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), STOP_SECONDS)

    async def handle(self, message: Any) -> bool:
        """One message from the page; False when it is not one the page sends."""
        try:
            kind, *rest = message
        except (TypeError, ValueError):
            return False
        data = rest[0] if rest else None
        if kind == "stdin" and isinstance(data, str) and len(data) <= MAX_INPUT_CHARS:
            await self.service.send_bytes(data.encode("utf-8", "replace"))
        elif kind == "resize" and isinstance(data, dict):
            width, height = data.get("width"), data.get("height")
            if not (isinstance(width, int) and isinstance(height, int)):
                return False
            await self.service.set_terminal_size(
                max(1, min(width, MAX_COLUMNS)), max(1, min(height, MAX_ROWS))
            )
        elif kind == "ping" and isinstance(data, str) and len(data) <= 64:
            return True  # answered by the caller, which owns the websocket
        elif kind == "blur":
            await self.service.blur()
        elif kind == "focus":
            await self.service.focus()
        else:
            return False
        return True


class SecretServer:
    """The aiohttp application: the page, its static files and the websocket, under the secret."""

    def __init__(self, config: ServeConfig) -> None:
        import textual_serve

        self.config = config
        self.prefix = f"/{config.secret}"
        self.loopback_only = is_loopback(config.host)
        self.command = "exec " + shlex.join(config.command)  # exec: the shell becomes the app
        self.statics = Path(textual_serve.__file__).parent / "static"
        self.page = TEMPLATE.read_text(encoding="utf-8")
        self.sessions: set[AppSession] = set()
        self.websockets: set[web.WebSocketResponse] = set()

    # --- routing and the guard -----------------------------------------------------------
    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard], client_max_size=64 * 1024)
        p = self.prefix
        app.add_routes(
            [
                web.get(f"{p}/", self.handle_index, name="index"),
                web.get(p, self.handle_bare_secret),
                web.get(f"{p}/ws", self.handle_websocket, name="websocket"),
                web.static(f"{p}/static", self.statics, show_index=False, follow_symlinks=False),
            ]
        )
        return app

    def allowed(self, request: web.Request) -> bool:
        """The first path segment is the secret (constant-time), a loopback server is asked
        for by a loopback name, and a websocket comes from the page's own origin."""
        first = request.raw_path.split("?", 1)[0].lstrip("/").split("/", 1)[0]
        if not hmac.compare_digest(first.encode(), self.config.secret.encode()):
            return False
        if self.loopback_only and not is_loopback(urlsplit(f"//{request.host}").hostname or ""):
            return False
        if request.headers.get("Upgrade", "").lower() == "websocket":
            origin = request.headers.get("Origin")
            if origin is not None and origin not in (
                f"http://{request.host}",
                f"https://{request.host}",
            ):
                return False
        return True

    @web.middleware
    async def _guard(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        if not self.allowed(request):
            raise web.HTTPNotFound()
        try:
            response = await handler(request)
        except web.HTTPClientError as exc:  # 403 on a directory, 405 on another method…
            if isinstance(exc, web.HTTPNotFound):
                raise
            raise web.HTTPNotFound() from None
        if not response.prepared:
            response.headers.update(security_headers(self._websocket_origin(request)))
        return response

    def _websocket_origin(self, request: web.Request) -> str:
        return f"{'wss' if request.secure else 'ws'}://{request.host}"

    # --- handlers --------------------------------------------------------------------------
    async def handle_bare_secret(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"{self.prefix}/")

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        try:
            font_size = max(6, min(int(request.query.get("fontsize", "16")), 64))
        except ValueError:
            font_size = 16
        values = {
            "title": TITLE,
            "static_url": f"{self.prefix}/static/",
            "websocket_url": f"{self._websocket_origin(request)}{self.prefix}/ws",
            "font_size": str(font_size),
        }
        text = self.page
        for key, value in values.items():
            text = text.replace("{{ " + key + " }}", html.escape(value, quote=True))
        return web.Response(text=text, content_type="text/html")

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        if len(self.sessions) >= MAX_SESSIONS:
            log.warning("refused a browser tab: %d apps are already running", MAX_SESSIONS)
            return web.Response(status=503, text="too many synctui tabs are open on this server")
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_INPUT_CHARS * 4)
        session = AppSession(self.command, self.config.env, websocket)
        self.sessions.add(session)
        self.websockets.add(websocket)
        try:
            await websocket.prepare(request)
            width = _size(request.query.get("width"), 80, MAX_COLUMNS)
            height = _size(request.query.get("height"), 24, MAX_ROWS)
            await session.start(width, height)
            await self._relay(websocket, session)
        finally:
            self.sessions.discard(session)
            self.websockets.discard(websocket)
            await session.stop()
            if not websocket.closed:
                await websocket.close()
        return websocket

    async def _relay(self, websocket: web.WebSocketResponse, session: AppSession) -> None:
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = message.json()
            except ValueError:
                envelope = None
            if not await session.handle(envelope):
                log.warning("closed a browser tab that sent something the page never sends")
                return
            if envelope[0] == "ping":
                await websocket.send_json(["pong", envelope[1]])

    async def close_all(self) -> None:
        """Server shutdown: close every tab and stop (or kill) every app, in parallel."""
        for websocket in list(self.websockets):
            with contextlib.suppress(Exception):
                await websocket.close(code=1001, message=b"server stopped")
        await asyncio.gather(*(s.stop() for s in list(self.sessions)), return_exceptions=True)


def _size(raw: str | None, default: int, limit: int) -> int:
    try:
        return max(1, min(int(raw or default), limit))
    except ValueError:
        return default


def quiet_logging() -> None:
    """One plain line per warning on stderr; no access log (it would hold the secret path),
    no rich tracebacks with local variables (they could hold an environment)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("synctui serve: %(message)s"))
    for name in ("synctui.web", "textual-serve"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.WARNING)
        logger.propagate = False
    for name in ("aiohttp.access", "aiohttp.server", "aiohttp.web"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def banner(config: ServeConfig, port: int) -> str:
    url = public_url(config.host, port, config.secret)
    lines = [
        f"synctui serve: {url}",
        f"  {config.banner_note} · one app per browser tab (at most {MAX_SESSIONS}) · Ctrl+C stops",
        "  Anyone with this address can use synctui as you: share it only with people you trust.",
    ]
    return "\n".join(lines)


async def run(config: ServeConfig, sock: socket.socket, out: TextIO) -> None:
    """Serve until SIGINT or SIGTERM; then close every tab and stop every app."""
    quiet_logging()
    server = SecretServer(config)
    runner = web.AppRunner(server.make_app(), handle_signals=False, access_log=None)
    await runner.setup()
    site = web.SockSite(runner, sock, shutdown_timeout=STOP_SECONDS)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await site.start()
        out.write(banner(config, sock.getsockname()[1]) + "\n")
        out.flush()
        await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        await server.close_all()
        await runner.cleanup()


def app_command(flags: list[str]) -> list[str]:
    """The app each tab runs: this interpreter's synctui, with flags only (never a secret)."""
    return [sys.executable, "-m", "synctui", *flags]


def serve(config: ServeConfig, out: TextIO | None = None) -> None:
    """Bind, print the address, serve. Raises OSError when the address cannot be bound."""
    sock = bind(config.host, config.port)
    try:
        asyncio.run(run(config, sock, out or sys.stdout))
    finally:
        sock.close()
