"""The sandbox's shared frame: clock, simulator base class, fault middleware, admin routes.

The sandbox is an honest outside party: nothing here (or in any simulator) imports from the
rest of synctui. Each vendor simulator is one module with one `VendorSim` subclass; this
module mounts each under `/{name}` and wraps it in the fault middleware.
"""

from __future__ import annotations

import json
import random
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from synctui.sandbox.faults import FaultInjector, FaultSpec, FaultSpecError, sleep
from synctui.sandbox.responses import JSONResponse

# Seed data is laid out relative to this instant when the clock is frozen (tests, screenshots),
# so that every timestamp on screen is the same from run to run.
FROZEN_EPOCH = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


class SandboxClock:
    """Wall clock that tests can freeze and advance, so time-driven progress is testable.

    Runs, executions and history items progress by comparing their creation time with
    `now()`; advancing the clock moves them on without sleeping.
    """

    def __init__(self, frozen_at: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._frozen_at = frozen_at
        self._offset = timedelta()

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def now(self) -> datetime:
        with self._lock:
            base = self._frozen_at if self._frozen_at is not None else datetime.now(UTC)
            return base + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += timedelta(seconds=seconds)

    def freeze(self, at: datetime | None) -> None:
        with self._lock:
            self._frozen_at = at
            self._offset = timedelta()


def iso(dt: datetime) -> str:
    """ISO 8601 with milliseconds and a Z, the way the vendors print timestamps."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


@dataclass
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 8765
    seed: int = 7
    scale: int = 1
    faults: FaultSpec = field(default_factory=FaultSpec)
    changes_per_second: float = 4.0
    frozen: bool = False  # freeze the clock at FROZEN_EPOCH (tests, screenshots)


@dataclass
class SimContext:
    """What every simulator gets: its own seeded RNG, the scale, and the shared clock."""

    seed: int
    scale: int
    clock: SandboxClock
    changes_per_second: float

    def rng(self, salt: str) -> random.Random:
        """A per-purpose RNG so adding data to one vendor never reshuffles another."""
        return random.Random(f"{self.seed}:{salt}")


class VendorSim:
    """Base for one vendor's simulator. Subclasses own their state and routes."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""

    def __init__(self, ctx: SimContext) -> None:
        self.ctx = ctx
        self.lock = threading.RLock()  # state is touched by the server loop and by admin calls

    # --- to implement -------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        raise NotImplementedError

    def info(self, base_url: str) -> dict[str, Any]:
        """Connection details for the start-up banner: base_url, tokens {rw, ro}, ids."""
        raise NotImplementedError

    def error_response(self, status: int, message: str, retry_after: float | None) -> Response:
        """The vendor's own error shape for an injected HTTP error."""
        headers = {"Retry-After": retry_after_header(retry_after)} if retry_after else None
        return JSONResponse({"error": message}, status_code=status, headers=headers)

    def admin_state(self) -> dict[str, Any]:
        """Internal state for tests (counts of applied writes, triggers, the change log...)."""
        return {}

    async def startup(self) -> None:
        """Start background generators (e.g. the LetsBuild live feed)."""

    async def shutdown(self) -> None:
        """Stop background generators."""

    # --- helpers ------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.ctx.clock.now()


def retry_after_header(seconds: float | None) -> str:
    """A Retry-After value in whole seconds (at least 1), as vendors send it."""
    if seconds is None:
        return "1"
    return str(max(1, round(seconds))) if seconds >= 1 else f"{seconds:g}"


class DroppedConnection(Exception):
    """Raised after a partial response so the server cuts the connection mid-answer."""


class FaultMiddleware:
    """Wraps one simulator: delays, errors, dropped connections and broken bodies."""

    def __init__(self, app: ASGIApp, sim: VendorSim, faults: FaultInjector) -> None:
        self.app = app
        self.sim = sim
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        target, receive = await _target(scope, receive, self.faults.spec)
        decision = self.faults.decide(self.sim.name, target)
        await sleep(decision.delay_s)
        limited = self.faults.admit(self.sim.name, _authorization(scope), target)
        if limited is not None:
            response = self.sim.error_response(429, "rate limit exceeded (sandbox)", limited)
            await response(scope, receive, send)
            return
        if decision.status is not None:
            retry = self.faults.spec.retry_after if decision.status == 429 else None
            message = {
                429: "Too many requests (injected fault)",
                500: "Internal server error (injected fault)",
                502: "Bad gateway (injected fault)",
                503: "Service unavailable (injected fault)",
            }[decision.status]
            response = self.sim.error_response(decision.status, message, retry)
            await response(scope, receive, send)
            return
        if decision.drop_before:
            await _drain(receive)  # read the body first so the close is clean, not a reset
            await _drop(send)
            return
        if not (decision.drop_after or decision.malformed):
            await self.app(scope, receive, send)
            return
        # Run the request for real (state changes are applied), but capture the answer.
        captured: list[Message] = []

        async def capture(message: Message) -> None:
            captured.append(message)

        await self.app(scope, receive, capture)
        if decision.drop_after:
            await _drop(send)
            return
        body = b'{"data": [{"id": "\x00truncated'
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _authorization(scope: Scope) -> str:
    """The credential a rate limit is counted per (held in memory only)."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            return value.decode("latin-1")
    return ""


_OPERATION = re.compile(r"\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")


async def _target(scope: Scope, receive: Receive, spec: FaultSpec) -> tuple[str, Receive]:
    """The request's full path, `PATH#Operation` for a GraphQL request when a fault names an
    operation; the body read for that is handed on unchanged (the returned `receive`)."""
    path = scope.get("path", "")
    if not path.endswith("/graphql") or not any("#" in entry for entry in spec.paths):
        return path, receive
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
    try:
        payload = json.loads(body or b"null")
    except ValueError:
        payload = None
    name = payload.get("operationName") if isinstance(payload, dict) else None
    query = payload.get("query") if isinstance(payload, dict) else None
    if not isinstance(name, str) and isinstance(query, str):
        found = _OPERATION.search(query)
        name = found.group(1) if found else None

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return (f"{path}#{name}" if isinstance(name, str) else path), replay


async def _drain(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


async def _drop(send: Send) -> None:
    """Promise a body, send part of it, then fail: the server closes the connection."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"512")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"da', "more_body": True})
    raise DroppedConnection("connection dropped by fault injection")


def build_app(
    config: SandboxConfig,
) -> tuple[Starlette, list[VendorSim], FaultInjector, SandboxClock]:
    """Assemble the five simulators behind one Starlette app."""
    from synctui.sandbox.registry import SIMULATORS

    clock = SandboxClock(FROZEN_EPOCH if config.frozen else None)
    ctx = SimContext(
        seed=config.seed,
        scale=max(1, config.scale),
        clock=clock,
        changes_per_second=config.changes_per_second,
    )
    faults = FaultInjector(config.faults, seed=config.seed)
    sims = [cls(ctx) for cls in SIMULATORS]
    by_name = {sim.name: sim for sim in sims}

    async def admin_faults(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse({"spec": faults.spec.to_dict(), "counts": faults.counts})
        payload = await request.json()
        try:
            faults.set(FaultSpec.parse(payload.get("spec", "")))
        except FaultSpecError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"spec": faults.spec.to_dict()})

    async def admin_clock(request: Request) -> Response:
        if request.method == "POST":
            payload = await request.json()
            if "advance" in payload:
                clock.advance(float(payload["advance"]))
        return JSONResponse({"now": iso(clock.now()), "frozen": clock.frozen})

    async def admin_state(request: Request) -> Response:
        sim = by_name.get(request.path_params["vendor"])
        if sim is None:
            return JSONResponse({"error": "no such vendor"}, status_code=404)
        with sim.lock:
            state = sim.admin_state()
        return Response(json.dumps(state, default=str), media_type="application/json")

    async def admin_info(request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        return JSONResponse({sim.name: sim.info(f"{base}/{sim.name}") for sim in sims})

    routes: list[BaseRoute] = [
        Route("/_admin/info", admin_info),
        Route("/_admin/faults", admin_faults, methods=["GET", "POST"]),
        Route("/_admin/clock", admin_clock, methods=["GET", "POST"]),
        Route("/_admin/state/{vendor}", admin_state),
    ]
    for sim in sims:
        routes.append(
            Mount(f"/{sim.name}", app=FaultMiddleware(Starlette(routes=sim.routes()), sim, faults))
        )

    async def on_startup() -> None:
        for sim in sims:
            await sim.startup()

    async def on_shutdown() -> None:
        for sim in sims:
            await sim.shutdown()

    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
        await on_startup()
        try:
            yield
        finally:
            await on_shutdown()

    app = Starlette(routes=routes, lifespan=lifespan)
    return app, sims, faults, clock


_retry_after = retry_after_header  # older name, still imported by some simulators
