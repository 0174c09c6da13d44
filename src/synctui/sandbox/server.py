"""Running the sandbox: in-process on a background thread (tests, `--demo`) or in the foreground.

The in-process runner binds its own socket first so that port 0 gives a known ephemeral port
before the server thread starts, and returns only once the server accepts connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import sys
import threading
from typing import Any

import uvicorn

from synctui.sandbox.core import SandboxConfig, VendorSim, build_app


def _quiet_uvicorn() -> None:
    # Injected dropped connections raise inside the app on purpose; keep that off the terminal.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [logging.NullHandler()]
        logger.propagate = False


class Sandbox:
    """A running sandbox. Use as a context manager or call start()/stop()."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig(port=0)
        self.app, self.sims, self.faults, self.clock = build_app(self.config)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.port: int = self.config.port

    @property
    def base_url(self) -> str:
        return f"http://{self.config.host}:{self.port}"

    def url(self, vendor: str) -> str:
        return f"{self.base_url}/{vendor}"

    def sim(self, vendor: str) -> VendorSim:
        return next(s for s in self.sims if s.name == vendor)

    def info(self) -> dict[str, Any]:
        return {sim.name: sim.info(self.url(sim.name)) for sim in self.sims}

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.config.host else socket.AF_INET
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets of a TCP
        # listener it can recognise as such; without it every answer waits ~40 ms (Nagle).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.config.host, self.config.port))
        sock.listen(512)
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        return sock

    def _uvicorn(self) -> uvicorn.Server:
        _quiet_uvicorn()
        cfg = uvicorn.Config(
            self.app,
            log_config=None,
            access_log=False,
            lifespan="on",
            timeout_keep_alive=30,
            limit_concurrency=None,
        )
        return uvicorn.Server(cfg)

    def start(self) -> Sandbox:
        self._socket = self._bind()
        self._server = self._uvicorn()
        self._server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._server.serve(sockets=[self._socket])),  # type: ignore[union-attr,list-item]
            name="synctui-sandbox",
            daemon=True,
        )
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the sandbox failed to start")
            threading.Event().wait(0.005)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self, as_json: bool = False) -> None:
        """Foreground mode for `synctui sandbox`: print the banner, serve until Ctrl-C."""
        self._socket = self._bind()
        banner = self.info()
        if as_json:
            print(json.dumps({"base_url": self.base_url, "vendors": banner}, indent=2))
        else:
            print(render_banner(self.base_url, banner, self.config))
        sys.stdout.flush()
        server = self._uvicorn()
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(server.serve(sockets=[self._socket]))


def render_banner(base_url: str, info: dict[str, Any], config: SandboxConfig) -> str:
    lines = [
        f"synctui sandbox on {base_url}  (seed {config.seed}, scale {config.scale}, "
        f"faults {'on' if config.faults.active else 'off'})"
    ]
    for name, data in info.items():
        tokens = data.get("tokens", {})
        ids = " ".join(f"{k}={_fmt(v)}" for k, v in data.get("ids", {}).items())
        lines.append(
            f"  {name:<12} {data.get('base_url', '')}  rw={tokens.get('rw', '-')} "
            f"ro={tokens.get('ro', '-')}  {ids}".rstrip()
        )
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)
