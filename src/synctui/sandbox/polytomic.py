"""Polytomic simulator: model syncs and their executions over REST, below `/polytomic`.

Routes (relative to the prefix)::

    GET|POST        /api/syncs
    GET|PUT|DELETE  /api/syncs/{id}
    POST            /api/syncs/{id}/activate
    GET|POST        /api/syncs/{id}/executions
    GET             /api/syncs/{id}/executions/{exec_id}
    GET             /api/syncs/{id}/status

The behaviour that matters most to a client is the write model: PUT is a *full replacement*
(see `_normalize`), so a client that drops a field it does not understand destroys data here
exactly as it would in production. Unknown fields are stored and returned verbatim so that a
careful client can round-trip them.

Checks run in this order, each with its own error: route (404 `not_found`), method (405
`method_not_allowed`), credentials (401 `unauthorized`), `X-Polytomic-Version` (400
`missing_version` / `unsupported_version`), read-only key on a write (403 `forbidden`),
`Idempotency-Key` syntax (400 `invalid_idempotency_key`), the sync (404 `not_found`), the body
(400 `bad_request` when not JSON, 422 `validation_error`), then state (409).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from synctui.sandbox.core import SimContext, VendorSim, iso, retry_after_header
from synctui.sandbox.polytomic_seed import (
    API_VERSION,
    OLDER_VERSIONS,
    TIME_PARTS,
    build_seed,
    failure_errors,
    incremental_rows,
    ms,
    new_uuid,
    next_run,
    run_counts,
    seed_history,
)
from synctui.sandbox.responses import JSONResponse

VERSIONS = (API_VERSION, *OLDER_VERSIONS)
MODES = ("create", "update", "updateOrCreate", "replace", "append", "remove", "snapshot")
MODES_NEEDING_IDENTITY = ("update", "updateOrCreate", "remove")
FREQUENCIES = (
    "manual", "continuous", "hourly", "daily", "weekly",
    "custom", "builder", "runafter", "multi", "dbtcloud",
)  # fmt: skip
IDENTITY_FUNCTIONS = ("Equality", "ISubstring", "OneOf", "DomainMatch", "HostnameMatch")
TERMINAL = frozenset({"completed", "failed", "canceled", "interrupted"})
SYNC_PAGE_MAX = 50
EXECUTION_PAGE = 20
IDEMPOTENCY_TTL = timedelta(hours=24)
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{8,255}")
ONE_MS = timedelta(milliseconds=1)
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

REQUIRED = ("name", "mode", "schedule", "target", "fields")
# What an optional field becomes when a write omits it (or sends null): lists empty, booleans
# false, everything else null. `organization_id` is special: it falls back to the caller's org.
OPTIONAL_DEFAULTS: dict[str, Any] = {
    "active": False,
    "encryption_passphrase": None,
    "filter_logic": None,
    "filters": [],
    "identity": None,
    "only_enrich_updates": False,
    "organization_id": None,
    "override_fields": [],
    "overrides": [],
    "policies": [],
    "skip_initial_backfill": False,
    "sync_all_records": False,
}
BOOLEANS = ("active", "only_enrich_updates", "skip_initial_backfill", "sync_all_records")
# Response-only fields: ignored when a client sends them back, so GET → edit → PUT just works.
READ_ONLY = frozenset({"id", "model_ids", "created_at", "updated_at", "created_by", "updated_by"})


class ApiError(Exception):
    """An error answer in Polytomic's shape: {status, message, key, metadata}."""

    def __init__(
        self, status: int, key: str, message: str, metadata: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.key = key
        self.message = message
        self.metadata = metadata or {}


def error_json(status: int, key: str, message: str, metadata: dict[str, Any] | None = None) -> dict:
    return {"status": status, "message": message, "key": key, "metadata": metadata or {}}


@dataclass(slots=True)
class Caller:
    role: str  # "rw" or "ro"
    actor: dict[str, Any]
    scope: str  # idempotency keys are scoped per credential (hashed) and path


@dataclass(slots=True)
class Execution:
    """One run. Its status is a pure function of the clock: nothing ticks in the background."""

    id: str
    sync_id: str
    type: str
    created_at: datetime
    start_after: float  # seconds from creation until it starts running
    run_for: float  # seconds of running
    outcome: str  # final status, decided at creation
    counts: dict[str, int]  # final counts
    errors: list[str]

    def status_at(self, now: datetime) -> str:
        elapsed = (now - self.created_at).total_seconds()
        if elapsed < min(1.0, self.start_after):
            return "created"
        if elapsed < self.start_after:
            return "queued"
        if elapsed < self.start_after + self.run_for:
            return "running"
        return self.outcome

    def to_json(self, now: datetime) -> dict[str, Any]:
        status = self.status_at(now)
        started = completed = None
        counts = dict.fromkeys(self.counts, 0)
        if status not in ("created", "queued"):
            started = self.created_at + timedelta(seconds=self.start_after)
        if status in TERMINAL:
            completed = ms(started + timedelta(seconds=self.run_for))  # type: ignore[operator]
            counts = dict(self.counts)
        elif status == "running":
            done = (now - started).total_seconds() / self.run_for  # type: ignore[operator]
            counts = {k: int(v * done) for k, v in self.counts.items()}
        return {
            "id": self.id,
            "status": status,
            "type": self.type,
            "created_at": iso(self.created_at),
            "started_at": iso(ms(started)) if started else None,
            "completed_at": iso(completed) if completed else None,
            "counts": counts,
            "errors": list(self.errors) if status == "failed" else [],
        }


@dataclass(slots=True)
class SyncRecord:
    id: str
    body: dict[str, Any]  # everything the client wrote, defaults filled, extras kept
    created_at: datetime
    updated_at: datetime
    created_by: dict[str, Any]
    updated_by: dict[str, Any]
    history: dict[str, Any] | None  # seed inputs for the lazily built history
    executions: list[Execution] | None = None  # None until first needed
    puts: int = 0
    executions_started: int = 0
    activations: int = 0

    @property
    def order_key(self) -> tuple[datetime, str]:
        return (self.created_at, self.id)


@dataclass(slots=True)
class IdempotentAnswer:
    at: datetime
    in_flight: bool
    fingerprint: str = ""
    status: int = 0
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class PolytomicSim(VendorSim):
    name = "polytomic"
    title = "Polytomic"

    def __init__(self, ctx: SimContext) -> None:
        super().__init__(ctx)
        self._seeded_at = ms(self.now())
        seed = build_seed(ctx.rng, self._seeded_at, ctx.scale)
        self._seed = seed
        self._syncs: dict[str, SyncRecord] = {}
        for s in seed.syncs:
            self._syncs[s.id] = SyncRecord(
                s.id, s.body, s.created_at, s.updated_at, s.created_by, s.updated_by, s.history
            )
        self._order = sorted(rec.order_key for rec in self._syncs.values())
        self._last_write = max((rec.updated_at for rec in self._syncs.values()), default=None)
        self._ids = ctx.rng("polytomic:runtime-ids")
        self._idempotency: dict[tuple[str, str, str], IdempotentAnswer] = {}
        self._replays = 0
        self._created: list[str] = []
        self._deleted: list[str] = []
        tokens = seed.tokens
        self._bearer = {
            tokens["rw"]: Caller("rw", seed.actors["rw"], _digest(tokens["rw"])),
            tokens["ro"]: Caller("ro", seed.actors["rw"], _digest(tokens["ro"])),
        }
        self._deployment = Caller("rw", seed.actors["deployment"], _digest(tokens["deployment"]))

    # --- VendorSim ----------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        ep = self._endpoint

        def route(path: str, endpoint: Callable[[Request], Awaitable[Response]]) -> Route:
            # Every method reaches the endpoint, so a wrong one gets a JSON 405, not text.
            return Route(path, endpoint, methods=ALL_METHODS)

        return [
            route("/api/syncs", ep(GET=self._list_syncs, POST=self._create_sync)),
            route(
                "/api/syncs/{id}",
                ep(GET=self._get_sync, PUT=self._put_sync, DELETE=self._delete_sync),
            ),
            route("/api/syncs/{id}/activate", ep(POST=self._activate)),
            route(
                "/api/syncs/{id}/executions",
                ep(GET=self._list_executions, POST=self._start_execution),
            ),
            route("/api/syncs/{id}/executions/{exec_id}", ep(GET=self._get_execution)),
            route("/api/syncs/{id}/status", ep(GET=self._status)),
            route("/{path:path}", self._no_route),
        ]

    def info(self, base_url: str) -> dict[str, Any]:
        return {
            "base_url": base_url,
            "tokens": dict(self._seed.tokens),
            "ids": dict(self._seed.demo_ids),
        }

    def error_response(self, status: int, message: str, retry_after: float | None) -> Response:
        key = {429: "rate_limited", 500: "internal_error", 502: "bad_gateway"}.get(
            status, "service_unavailable"
        )
        headers = {"Retry-After": retry_after_header(retry_after)} if status == 429 else None
        return JSONResponse(error_json(status, key, message), status_code=status, headers=headers)

    def admin_state(self) -> dict[str, Any]:
        return {
            "syncs": {
                rec.id: {
                    "puts": rec.puts,
                    "executions_started": rec.executions_started,
                    "activations": rec.activations,
                    "active": rec.body["active"],
                    "updated_at": iso(rec.updated_at),
                }
                for rec in self._syncs.values()
            },
            "idempotent_replays": self._replays,
            "idempotency_in_flight": sum(a.in_flight for a in self._idempotency.values()),
            "created": list(self._created),
            "deleted": list(self._deleted),
        }

    # --- plumbing -----------------------------------------------------------------------
    def _endpoint(
        self, **handlers: Callable[[Request], Awaitable[Response]]
    ) -> Callable[[Request], Awaitable[Response]]:
        """One route, several methods: a wrong method gets a vendor-shaped 405, not text."""

        async def endpoint(request: Request) -> Response:
            handler = handlers.get(request.method)
            try:
                if handler is None:
                    raise ApiError(
                        405,
                        "method_not_allowed",
                        f"method {request.method} not allowed here",
                        {"allowed": sorted(handlers)},
                    )
                return await handler(request)
            except ApiError as exc:
                return self._error(exc)

        return endpoint

    @staticmethod
    def _error(exc: ApiError) -> Response:
        body = error_json(exc.status, exc.key, exc.message, exc.metadata)
        return JSONResponse(body, status_code=exc.status)

    async def _no_route(self, request: Request) -> Response:
        return self._error(ApiError(404, "not_found", "no such endpoint"))

    def _authenticate(self, request: Request, write: bool = False) -> Caller:
        """Credentials first (401), then the version header (400), then write rights (403)."""
        header = request.headers.get("authorization", "")
        scheme, _, credential = header.partition(" ")
        credential = credential.strip()
        caller: Caller | None = None
        if scheme.lower() == "bearer":
            caller = self._bearer.get(credential)
        elif scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credential, validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            user, colon, _ = decoded.partition(":")
            if colon and user == self._seed.tokens["deployment"]:
                caller = self._deployment
        if caller is None:
            message = "missing credentials" if not header else "invalid credentials"
            raise ApiError(401, "unauthorized", message)
        version = request.headers.get("x-polytomic-version")
        if version is None:
            raise ApiError(
                400,
                "missing_version",
                "the X-Polytomic-Version header is required",
                {"header": "X-Polytomic-Version", "supported": list(VERSIONS)},
            )
        if version not in VERSIONS:
            raise ApiError(
                400,
                "unsupported_version",
                f"unsupported API version {version!r}",
                {"header": "X-Polytomic-Version", "supported": list(VERSIONS)},
            )
        if write and caller.role != "rw":
            raise ApiError(403, "forbidden", "this API key is read-only")
        return caller

    def _sync(self, sync_id: str) -> SyncRecord:
        rec = self._syncs.get(sync_id)
        if rec is None:
            raise ApiError(404, "not_found", f"sync {sync_id} not found", {"id": sync_id})
        return rec

    def _stamp(self) -> datetime:
        """Write time: the clock at ms precision, nudged so that it strictly increases."""
        stamp = ms(self.now())
        if self._last_write is not None and stamp <= self._last_write:
            stamp = self._last_write + ONE_MS
        self._last_write = stamp
        return stamp

    async def _post(
        self,
        request: Request,
        caller: Caller,
        work: Callable[[Any], tuple[int, dict[str, Any]]],
    ) -> Response:
        """Run a POST, honouring `Idempotency-Key`.

        Only successful answers are stored (an error leaves nothing behind, so a retry runs
        again). A retry with a stored key replays the first answer byte for byte with an
        `Idempotent-Replayed: true` header; the same key with a different body is a 422
        `idempotency_key_mismatch`; a duplicate arriving while the first is still being
        processed (its body still arriving) is a 409 `idempotency_key_in_use`. Keys live 24 h.
        """
        key = request.headers.get("idempotency-key")
        if key is None:
            return self._respond(*work(_parse(await request.body())))
        if not IDEMPOTENCY_KEY.fullmatch(key):
            raise ApiError(
                400,
                "invalid_idempotency_key",
                "Idempotency-Key must be 8 to 255 characters of A-Z, a-z, 0-9, '_' or '-'",
                {"header": "Idempotency-Key"},
            )
        slot = (caller.scope, request.url.path, key)
        with self.lock:
            now = self.now()
            stored = self._idempotency.get(slot)
            if stored is not None and not stored.in_flight and now - stored.at > IDEMPOTENCY_TTL:
                stored = None
            if stored is not None and stored.in_flight:
                raise ApiError(
                    409,
                    "idempotency_key_in_use",
                    "a request with this Idempotency-Key is still being processed",
                    {"header": "Idempotency-Key"},
                )
            if stored is None:
                self._idempotency[slot] = IdempotentAnswer(at=now, in_flight=True)
        finished = False
        try:
            raw = await request.body()
            fingerprint = _fingerprint(raw)
            if stored is not None:
                if stored.fingerprint != fingerprint:
                    raise ApiError(
                        422,
                        "idempotency_key_mismatch",
                        "this Idempotency-Key was used with a different request body",
                        {"header": "Idempotency-Key"},
                    )
                with self.lock:
                    self._replays += 1
                headers = {**stored.headers, "Idempotent-Replayed": "true"}
                return Response(stored.body, status_code=stored.status, headers=headers)
            response = self._respond(*work(_parse(raw)))
            if 200 <= response.status_code < 300:
                with self.lock:
                    self._idempotency[slot] = IdempotentAnswer(
                        at=self.now(),
                        in_flight=False,
                        fingerprint=fingerprint,
                        status=response.status_code,
                        body=bytes(response.body),
                        headers={"content-type": "application/json"},
                    )
                finished = True
            return response
        finally:
            if stored is None and not finished:
                with self.lock:
                    pending = self._idempotency.get(slot)
                    if pending is not None and pending.in_flight:
                        del self._idempotency[slot]

    @staticmethod
    def _respond(status: int, data: dict[str, Any]) -> Response:
        return JSONResponse(data, status_code=status)

    # --- syncs --------------------------------------------------------------------------
    async def _list_syncs(self, request: Request) -> Response:
        self._authenticate(request)
        params = request.query_params
        limit = _int_param(params.get("limit"), "limit", SYNC_PAGE_MAX, 1, SYNC_PAGE_MAX)
        active = _bool_param(params.get("active"), "active")
        mode = params.get("mode")
        if mode is not None and mode not in MODES:
            raise ApiError(
                400,
                "bad_request",
                f"unknown mode {mode!r}",
                {"parameter": "mode", "allowed": list(MODES)},
            )
        connection = params.get("target_connection_id")
        token = params.get("page_token")
        with self.lock:
            start = 0
            if token:
                created, sync_id = _decode_token(token, "s", 2)
                start = bisect.bisect_right(self._order, (_parse_iso(created), sync_id))
            page: list[dict[str, Any]] = []
            more = False
            for key in self._order[start:]:
                rec = self._syncs[key[1]]
                body = rec.body
                if active is not None and body["active"] is not active:
                    continue
                if mode is not None and body["mode"] != mode:
                    continue
                if connection is not None and body["target"].get("connection_id") != connection:
                    continue
                if len(page) == limit:
                    more = True
                    break
                page.append(_summary(rec))
            next_token = None
            if more:
                last = self._syncs[page[-1]["id"]]
                next_token = _encode_token("s", iso(last.created_at), last.id)
            return JSONResponse({"data": page, "pagination": {"next_page_token": next_token}})

    async def _get_sync(self, request: Request) -> Response:
        self._authenticate(request)
        with self.lock:
            return JSONResponse({"data": _full(self._sync(request.path_params["id"]))})

    async def _create_sync(self, request: Request) -> Response:
        caller = self._authenticate(request, write=True)

        def work(payload: Any) -> tuple[int, dict[str, Any]]:
            body = self._checked_body(payload)
            with self.lock:
                stamp = self._stamp()
                rec = SyncRecord(
                    id=new_uuid(self._ids),
                    body=body,
                    created_at=stamp,
                    updated_at=stamp,
                    created_by=caller.actor,
                    updated_by=caller.actor,
                    history=None,
                    executions=[],
                )
                self._syncs[rec.id] = rec
                bisect.insort(self._order, rec.order_key)
                self._created.append(rec.id)
                return 200, {"data": _full(rec)}

        return await self._post(request, caller, work)

    async def _put_sync(self, request: Request) -> Response:
        """Full replacement: see `_normalize` for what an omitted field becomes."""
        caller = self._authenticate(request, write=True)
        sync_id = request.path_params["id"]
        with self.lock:
            self._sync(sync_id)
        payload = _parse(await request.body())
        body = self._checked_body(payload)
        with self.lock:
            rec = self._sync(sync_id)  # may have been deleted while the body arrived
            rec.body = body
            rec.updated_at = self._stamp()
            rec.updated_by = caller.actor
            rec.puts += 1
            return JSONResponse({"data": _full(rec)})

    async def _delete_sync(self, request: Request) -> Response:
        self._authenticate(request, write=True)
        with self.lock:
            rec = self._sync(request.path_params["id"])
            del self._syncs[rec.id]
            index = bisect.bisect_left(self._order, rec.order_key)
            del self._order[index]
            self._deleted.append(rec.id)
        return Response(status_code=204)

    async def _activate(self, request: Request) -> Response:
        caller = self._authenticate(request, write=True)
        sync_id = request.path_params["id"]

        def work(payload: Any) -> tuple[int, dict[str, Any]]:
            with self.lock:
                rec = self._sync(sync_id)
                if not isinstance(payload, dict):
                    raise ApiError(400, "bad_request", "request body must be a JSON object")
                active = payload.get("active")
                if not isinstance(active, bool):
                    raise _invalid({"active": "is required and must be a boolean"})
                rec.body["active"] = active
                rec.updated_at = self._stamp()
                rec.updated_by = caller.actor
                rec.activations += 1
                return 200, {"data": {"id": rec.id, "active": active}}

        return await self._post(request, caller, work)

    def _checked_body(self, payload: Any) -> dict[str, Any]:
        if not isinstance(payload, dict):
            raise ApiError(400, "bad_request", "request body must be a JSON object")
        problems = _validate(payload, self._seed.organization_id)
        if problems:
            raise _invalid(problems)
        return self._normalize(payload)

    def _normalize(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The stored body of a create or full-replacement write.

        Required fields as sent; every documented optional field as sent, or — when omitted or
        null — reset to its default (`OPTIONAL_DEFAULTS`: `active` false, lists `[]`, other
        booleans false, everything else null; `organization_id` the caller's organization).
        Every other field the client sent is kept verbatim, in its order, after the documented
        ones; a field stored earlier but not sent now is gone. Response-only fields are ignored.
        """
        body: dict[str, Any] = {key: payload[key] for key in REQUIRED}
        for key, default in OPTIONAL_DEFAULTS.items():
            value = payload.get(key)
            if value is None:
                value = list(default) if isinstance(default, list) else default
            body[key] = value
        body["organization_id"] = body["organization_id"] or self._seed.organization_id
        for key, value in payload.items():
            if key not in body and key not in READ_ONLY:
                body[key] = value
        return {"name": body.pop("name"), "active": body.pop("active"), **body}

    # --- executions ---------------------------------------------------------------------
    def _executions(self, rec: SyncRecord) -> list[Execution]:
        """The sync's runs, oldest first; seeded history is materialized on first use."""
        if rec.executions is None:
            rng = self.ctx.rng(f"polytomic:history:{rec.id}")
            spec = rec.history or {}
            rec.executions = [
                Execution(**kw) for kw in seed_history(rec.id, spec, self._seeded_at, rng)
            ]
        return rec.executions

    def _current(self, rec: SyncRecord, now: datetime) -> Execution | None:
        runs = self._executions(rec)
        if runs and runs[-1].status_at(now) not in TERMINAL:
            return runs[-1]
        return None

    async def _start_execution(self, request: Request) -> Response:
        """Start a run. The outcome is decided now from the configuration: a mapping onto a
        destination field that no longer exists fails, anything else completes."""
        caller = self._authenticate(request, write=True)
        sync_id = request.path_params["id"]

        def work(payload: Any) -> tuple[int, dict[str, Any]]:
            with self.lock:
                rec = self._sync(sync_id)
                options = _execution_options(payload)
                if options["identities"] is not None and rec.body.get("identity") is None:
                    raise _invalid({"identities": "the sync has no identity mapping"})
                if not rec.body["active"]:
                    raise ApiError(409, "sync_inactive", "sync is not active", {"id": rec.id})
                now = self.now()
                current = self._current(rec, now)
                if current is not None:
                    raise ApiError(
                        409,
                        "conflict",
                        "an execution of this sync is already in progress",
                        {"execution_id": current.id, "status": current.status_at(now)},
                    )
                run = self._new_execution(rec, options, ms(now))
                self._executions(rec).append(run)
                rec.executions_started += 1
                data = {
                    "id": run.id,
                    "status": run.status_at(now),
                    "created_at": iso(run.created_at),
                }
                return 200, {"data": data}

        return await self._post(request, caller, work)

    def _new_execution(self, rec: SyncRecord, options: dict[str, Any], now: datetime) -> Execution:
        exec_id = new_uuid(self._ids)
        rng = self.ctx.rng(f"polytomic:exec:{exec_id}")
        errors = failure_errors(rec.body, self._seed.connections)
        mode = rec.body["mode"]
        rows = next(
            (self._seed.model_rows[m] for m in _model_ids(rec.body) if m in self._seed.model_rows),
            500,
        )
        if options["test"]:
            kind, total = "test", min(rows, 10)
        elif options["identities"] is not None:
            kind, total = "manual", len(options["identities"])
        elif options["resync"]:
            kind, total = "resync", rows
        else:
            kind, total = "manual", incremental_rows(mode, rows, rng)
        return Execution(
            id=exec_id,
            sync_id=rec.id,
            type=kind,
            created_at=now,
            start_after=rng.uniform(2.0, 4.0),
            run_for=rng.uniform(3.0, 8.0),
            outcome="failed" if errors else "completed",
            counts=run_counts(mode, total, bool(errors), rng),
            errors=errors,
        )

    async def _list_executions(self, request: Request) -> Response:
        """Newest first (`ascending=true` flips it), `only_completed=true` keeps finished runs,
        pages of 20 with an opaque `page_token`."""
        self._authenticate(request)
        params = request.query_params
        ascending = bool(_bool_param(params.get("ascending"), "ascending"))
        only_completed = bool(_bool_param(params.get("only_completed"), "only_completed"))
        token = params.get("page_token")
        with self.lock:
            rec = self._sync(request.path_params["id"])
            runs = self._executions(rec)
            now = self.now()
            order = list(range(len(runs))) if ascending else list(range(len(runs) - 1, -1, -1))
            position = 0
            if token:
                (after,) = _decode_token(token, "a" if ascending else "d", 1)
                index = next((i for i, r in enumerate(runs) if r.id == after), None)
                if index is None:
                    raise _bad_token()
                position = order.index(index) + 1
            page: list[dict[str, Any]] = []
            more = False
            for i in order[position:]:
                run = runs[i]
                if only_completed and run.status_at(now) not in TERMINAL:
                    continue
                if len(page) == EXECUTION_PAGE:
                    more = True
                    break
                page.append(run.to_json(now))
            next_token = None
            if more:
                next_token = _encode_token("a" if ascending else "d", page[-1]["id"])
            return JSONResponse({"data": page, "pagination": {"next_page_token": next_token}})

    async def _get_execution(self, request: Request) -> Response:
        self._authenticate(request)
        exec_id = request.path_params["exec_id"]
        with self.lock:
            rec = self._sync(request.path_params["id"])
            run = next((r for r in self._executions(rec) if r.id == exec_id), None)
            if run is None:
                raise ApiError(404, "not_found", f"execution {exec_id} not found", {"id": exec_id})
            return JSONResponse({"data": run.to_json(self.now())})

    async def _status(self, request: Request) -> Response:
        """Current run (if any), the last finished run, and when the schedule fires next
        (null for inactive syncs and for manual, runafter and dbtcloud schedules; UTC)."""
        self._authenticate(request)
        with self.lock:
            rec = self._sync(request.path_params["id"])
            now = self.now()
            runs = self._executions(rec)
            current = self._current(rec, now)
            last = next((r for r in reversed(runs) if r.status_at(now) in TERMINAL), None)
            upcoming = next_run(rec.body["schedule"], now) if rec.body["active"] else None
            data = {
                "current_execution": current.to_json(now) if current else None,
                "last_execution": last.to_json(now) if last else None,
                "next_execution_time": iso(upcoming) if upcoming else None,
            }
            return JSONResponse({"data": data})


# --- representations ----------------------------------------------------------------------
def _model_ids(body: dict[str, Any]) -> list[str]:
    """Models the sync reads, in order of first use across fields, identity, filters, overrides."""
    found: dict[str, None] = {}
    refs = [f.get("source") for f in body.get("fields") or [] if isinstance(f, dict)]
    identity = body.get("identity")
    if isinstance(identity, dict):
        refs.append(identity.get("source"))
    for key in ("filters", "overrides"):
        refs.extend(x.get("field") for x in body.get(key) or [] if isinstance(x, dict))
    for ref in refs:
        if isinstance(ref, dict) and isinstance(ref.get("model_id"), str):
            found[ref["model_id"]] = None
    return list(found)


def _full(rec: SyncRecord) -> dict[str, Any]:
    return {
        "id": rec.id,
        **rec.body,
        "model_ids": _model_ids(rec.body),
        "created_at": iso(rec.created_at),
        "created_by": rec.created_by,
        "updated_at": iso(rec.updated_at),
        "updated_by": rec.updated_by,
    }


def _summary(rec: SyncRecord) -> dict[str, Any]:
    """A list item: what a table needs, without fields, filters, identity or extras."""
    body = rec.body
    target = body["target"]
    return {
        "id": rec.id,
        "name": body["name"],
        "active": body["active"],
        "mode": body["mode"],
        "schedule": body["schedule"],
        "target": {"connection_id": target.get("connection_id"), "object": target.get("object")},
        "organization_id": body["organization_id"],
        "model_ids": _model_ids(body),
        "created_at": iso(rec.created_at),
        "updated_at": iso(rec.updated_at),
    }


# --- validation ---------------------------------------------------------------------------
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _validate(p: dict[str, Any], organization_id: str) -> dict[str, str]:
    """Problems with a sync body, keyed by the path of the offending field."""
    errs: dict[str, str] = {}
    for key in REQUIRED:
        if p.get(key) is None:
            errs[key] = "is required"
    name = p.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        errs["name"] = "must be a non-empty string"
    mode = p.get("mode")
    if mode is not None and mode not in MODES:
        errs["mode"] = f"must be one of {', '.join(MODES)}"
    if mode in MODES_NEEDING_IDENTITY and p.get("identity") is None:
        errs.setdefault("identity", f"is required for mode {mode}")
    _check_schedule(p.get("schedule"), errs)
    target = p.get("target")
    if target is not None:
        if not isinstance(target, dict):
            errs["target"] = "must be an object"
        else:
            cid = target.get("connection_id")
            if cid is None:
                errs["target.connection_id"] = "is required"
            elif not isinstance(cid, str) or not _UUID.fullmatch(cid):
                errs["target.connection_id"] = "must be a UUID"
            for key in ("object", "new_name"):
                if target.get(key) is not None and not isinstance(target[key], str):
                    errs[f"target.{key}"] = "must be a string"
            if target.get("configuration") is not None and not isinstance(
                target["configuration"], dict
            ):
                errs["target.configuration"] = "must be an object"
    for key in ("fields", "override_fields"):
        items = p.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            errs[key] = "must be a list"
            continue
        for i, item in enumerate(items):
            where = f"{key}[{i}]"
            if not isinstance(item, dict):
                errs[where] = "must be an object"
                continue
            if not isinstance(item.get("target"), str) or not item["target"]:
                errs[f"{where}.target"] = "is required"
            if item.get("source") is not None:
                _check_source(item["source"], f"{where}.source", errs)
            if item.get("sync_mode") is not None and not isinstance(item["sync_mode"], str):
                errs[f"{where}.sync_mode"] = "must be a string"
    identity = p.get("identity")
    if identity is not None:
        if not isinstance(identity, dict):
            errs["identity"] = "must be an object"
        else:
            _check_source(identity.get("source"), "identity.source", errs)
            if not isinstance(identity.get("target"), str) or not identity["target"]:
                errs["identity.target"] = "is required"
            if identity.get("function") not in IDENTITY_FUNCTIONS:
                errs["identity.function"] = f"must be one of {', '.join(IDENTITY_FUNCTIONS)}"
    for key in ("filters", "overrides"):
        items = p.get(key)
        if items is not None and (
            not isinstance(items, list) or not all(isinstance(x, dict) for x in items)
        ):
            errs[key] = "must be a list of objects"
    filters = p.get("filters")
    if isinstance(filters, list):
        for i, flt in enumerate(filters):
            if isinstance(flt, dict) and not isinstance(flt.get("function"), str):
                errs[f"filters[{i}].function"] = "is required"
    policies = p.get("policies")
    if policies is not None and (
        not isinstance(policies, list) or not all(isinstance(x, str) for x in policies)
    ):
        errs["policies"] = "must be a list of strings"
    for key in BOOLEANS:
        if p.get(key) is not None and not isinstance(p[key], bool):
            errs[key] = "must be a boolean"
    for key in ("filter_logic", "encryption_passphrase"):
        if p.get(key) is not None and not isinstance(p[key], str):
            errs[key] = "must be a string"
    org = p.get("organization_id")
    if org is not None and org != organization_id:
        errs["organization_id"] = "is not an organization this key can write to"
    return errs


def _check_schedule(schedule: Any, errs: dict[str, str]) -> None:
    if schedule is None:
        return
    if not isinstance(schedule, dict):
        errs["schedule"] = "must be an object"
        return
    frequency = schedule.get("frequency")
    if frequency is None:
        errs["schedule.frequency"] = "is required"
    elif frequency not in FREQUENCIES:
        errs["schedule.frequency"] = f"must be one of {', '.join(FREQUENCIES)}"
    for part in TIME_PARTS:
        if schedule.get(part) is not None and not isinstance(schedule[part], str):
            errs[f"schedule.{part}"] = 'must be a string, e.g. "6"'


def _check_source(source: Any, where: str, errs: dict[str, str]) -> None:
    if not isinstance(source, dict):
        errs[where] = "must be an object with model_id and field"
        return
    model_id = source.get("model_id")
    if not isinstance(model_id, str) or not _UUID.fullmatch(model_id):
        errs[f"{where}.model_id"] = "must be a UUID"
    if not isinstance(source.get("field"), str) or not source["field"]:
        errs[f"{where}.field"] = "is required"


def _invalid(problems: dict[str, str]) -> ApiError:
    first = next(iter(problems))
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return ApiError(
        422,
        "validation_error",
        f"{first} {problems[first]}{more}",
        {"field": first, "errors": problems},
    )


def _execution_options(payload: Any) -> dict[str, Any]:
    payload = {} if payload is None else payload
    if not isinstance(payload, dict):
        raise ApiError(400, "bad_request", "request body must be a JSON object")
    errs: dict[str, str] = {}
    for key in ("resync", "test"):
        if payload.get(key) is not None and not isinstance(payload[key], bool):
            errs[key] = "must be a boolean"
    identities = payload.get("identities")
    if identities is not None and (
        not isinstance(identities, list)
        or not identities
        or not all(isinstance(x, str) and x for x in identities)
    ):
        errs["identities"] = "must be a non-empty list of strings"
    if errs:
        raise _invalid(errs)
    return {
        "resync": bool(payload.get("resync")),
        "test": bool(payload.get("test")),
        "identities": identities,
    }


# --- request helpers ----------------------------------------------------------------------
def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:24]


def _fingerprint(raw: bytes) -> str:
    """Same request, same fingerprint, even if the client re-serialized its JSON."""
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True).encode() if raw.strip() else b""
    except ValueError:
        canonical = raw
    return hashlib.sha256(canonical).hexdigest()


def _parse(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ApiError(400, "bad_request", "request body is not valid JSON") from exc


def _int_param(value: str | None, name: str, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise ApiError(
            400,
            "bad_request",
            f"{name} must be an integer from {low} to {high}",
            {"parameter": name, "min": low, "max": high},
        )
    return number


def _bool_param(value: str | None, name: str) -> bool | None:
    if value is None:
        return None
    lowered = value.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ApiError(400, "bad_request", f"{name} must be true or false", {"parameter": name})


def _encode_token(kind: str, *parts: str) -> str:
    raw = json.dumps([kind, *parts], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str, kind: str, arity: int) -> list[str]:
    try:
        padded = token + "=" * (-len(token) % 4)
        parts = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error):
        raise _bad_token() from None
    if (
        not isinstance(parts, list)
        or len(parts) != arity + 1
        or parts[0] != kind
        or not all(isinstance(x, str) for x in parts)
    ):
        raise _bad_token()
    return parts[1:]


def _bad_token() -> ApiError:
    return ApiError(
        400, "invalid_page_token", "page_token is not valid", {"parameter": "page_token"}
    )


def _parse_iso(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _bad_token() from None
