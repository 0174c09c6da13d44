"""Polytomic simulator: model syncs and their executions over REST, below `/polytomic`.

Source: the vendor's SDK `polytomic` (25.9.x), `model_sync/raw_client.py` and
`model_sync/executions/raw_client.py` for paths and documented semantics, `types/` for every
answer's shape; the bodies themselves are `polytomic_body`. Routes (relative to the prefix)::

    GET|POST        /api/syncs
    GET             /api/syncs/schedules
    GET|PUT|DELETE  /api/syncs/{id}
    POST            /api/syncs/{id}/activate
    POST            /api/syncs/{id}/cancel
    GET|POST        /api/syncs/{id}/executions
    GET             /api/syncs/{id}/executions/{exec_id}
    GET             /api/syncs/{id}/status

The behaviour that matters most to a client is the write model: PUT is a *full replacement*
(see `polytomic_body.checked_body`), so a client that drops a field it does not understand
destroys data here exactly as it would in production. Unknown fields are stored and returned
verbatim so that a careful client can round-trip them.

Checks run in this order, each with its own error: route (404 `not_found`), method (405
`method_not_allowed`), credentials (401 `unauthorized`), `X-Polytomic-Version` (400
`missing_version` / `unsupported_version`), read-only key on a write (403 `forbidden`),
`Idempotency-Key` syntax (400 `invalid_idempotency_key`), the sync (404 `not_found`), the body
(400 `bad_request` when not JSON, 422 `validation_error`), then state (409). The keys are this
simulator's: the SDK documents the error shape, not its keys.
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
from synctui.sandbox.polytomic_body import (
    MODES,
    ApiError,
    checked_body,
    error_json,
    full_sync,
    invalid,
    mappings_of,
    model_ids,
    problems_of,
    summary,
)
from synctui.sandbox.polytomic_runs import TERMINAL, Execution, execution_options
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
SYNC_PAGE_MAX = 50
EXECUTION_PAGE = 20
IDEMPOTENCY_TTL = timedelta(hours=24)
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{8,255}")
ONE_MS = timedelta(milliseconds=1)
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

# `GET /api/syncs/schedules` (`types/schedule_schedule_option.py`): one option per frequency
# the SDK names; the labels, descriptions and configuration forms are this simulator's words.
SCHEDULE_OPTIONS = (
    ("manual", "Manual", "Runs only when started by a person or the API.", ()),
    ("continuous", "Continuous", "Runs again as soon as the previous execution ends.", ()),
    ("hourly", "Hourly", "Runs every hour at the given minute.", ("minute",)),
    ("daily", "Daily", "Runs every day at the given time (UTC).", ("hour", "minute")),
    ("weekly", "Weekly", "Runs once a week.", ("day_of_week", "hour", "minute")),
    ("custom", "Custom", "A cron-like schedule.", TIME_PARTS),
    ("builder", "Schedule builder", "Chosen days and times.", ("day_of_week", "hour", "minute")),
    ("runafter", "After other syncs", "Runs when other syncs finish.", ("run_after",)),
    ("multi", "Multiple schedules", "Several schedules combined.", ("multi",)),
    ("dbtcloud", "After a dbt Cloud job", "Runs when a dbt Cloud job finishes.", ("job_id",)),
)


@dataclass(slots=True)
class Caller:
    role: str  # "rw" or "ro"
    actor: dict[str, Any]
    scope: str  # idempotency keys are scoped per credential (hashed) and path


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
    cancellations: int = 0

    @property
    def order_key(self) -> tuple[datetime, str]:
        """The list is ordered by `updated_at` descending, `id` breaking ties (`list`)."""
        return (self.updated_at, self.id)


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
            route("/api/syncs/schedules", ep(GET=self._schedules)),
            route(
                "/api/syncs/{id}",
                ep(GET=self._get_sync, PUT=self._put_sync, DELETE=self._delete_sync),
            ),
            route("/api/syncs/{id}/activate", ep(POST=self._activate)),
            route("/api/syncs/{id}/cancel", ep(POST=self._cancel)),
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
                    "cancellations": rec.cancellations,
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

    def _touch(self, rec: SyncRecord, caller: Caller) -> None:
        """A write to `rec`: a new `updated_at` (which moves it to the top of the list)."""
        del self._order[bisect.bisect_left(self._order, rec.order_key)]
        rec.updated_at = self._stamp()
        rec.updated_by = caller.actor
        bisect.insort(self._order, rec.order_key)

    def _full(self, rec: SyncRecord) -> dict[str, Any]:
        """`ModelSyncV5Response`: the stored body with its derived and read-only fields."""
        return {
            "id": rec.id,
            **full_sync(rec.body, problems_of(rec.body, self._seed.retired)),
            "model_ids": model_ids(rec.body),
            "created_at": iso(rec.created_at),
            "created_by": rec.created_by,
            "updated_at": iso(rec.updated_at),
            "updated_by": rec.updated_by,
        }

    def _summary(self, rec: SyncRecord) -> dict[str, Any]:
        meta = {
            "id": rec.id,
            "created_at": iso(rec.created_at),
            "created_by": rec.created_by,
            "updated_at": iso(rec.updated_at),
            "updated_by": rec.updated_by,
        }
        return summary(rec.body, meta, model_ids(rec.body))

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
        """Newest `updated_at` first, `id` breaking ties; `limit` silently capped at 50, a
        non-positive one means the default (50); an opaque `page_token` continues after the
        last row the previous page gave."""
        self._authenticate(request)
        params = request.query_params
        limit = _limit(params.get("limit"))
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
            end = len(self._order)
            if token:
                updated, sync_id = _decode_token(token, "u", 2)
                end = bisect.bisect_left(self._order, (_parse_iso(updated), sync_id))
            page: list[dict[str, Any]] = []
            more = False
            for index in range(end - 1, -1, -1):
                rec = self._syncs[self._order[index][1]]
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
                page.append(self._summary(rec))
            next_token = None
            if more:
                last = self._syncs[page[-1]["id"]]
                next_token = _encode_token("u", iso(last.updated_at), last.id)
            return JSONResponse({"data": page, "pagination": {"next_page_token": next_token}})

    async def _schedules(self, request: Request) -> Response:
        """`GET /api/syncs/schedules` (`get_schedule_options`): one option per frequency."""
        self._authenticate(request)
        options = [
            {
                "frequency": frequency,
                "label": label,
                "description": description,
                "configuration": {
                    "type": "object",
                    "properties": {part: {"type": "string"} for part in parts},
                },
            }
            for frequency, label, description, parts in SCHEDULE_OPTIONS
        ]
        return JSONResponse({"data": {"schedule_options": options}})

    async def _get_sync(self, request: Request) -> Response:
        self._authenticate(request)
        with self.lock:
            return JSONResponse({"data": self._full(self._sync(request.path_params["id"]))})

    async def _create_sync(self, request: Request) -> Response:
        caller = self._authenticate(request, write=True)

        def work(payload: Any) -> tuple[int, dict[str, Any]]:
            body = checked_body(payload, self._seed.organization_id)
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
                return 200, {"data": self._full(rec)}

        return await self._post(request, caller, work)

    async def _put_sync(self, request: Request) -> Response:
        """Full replacement: see `polytomic_body.checked_body` for what an omitted field
        becomes and which form of identity and filters wins."""
        caller = self._authenticate(request, write=True)
        sync_id = request.path_params["id"]
        with self.lock:
            self._sync(sync_id)
        payload = _parse(await request.body())
        with self.lock:
            stored = dict(self._sync(sync_id).body)
        body = checked_body(payload, self._seed.organization_id, stored)
        with self.lock:
            rec = self._sync(sync_id)  # may have been deleted while the body arrived
            rec.body = body
            self._touch(rec, caller)
            rec.puts += 1
            return JSONResponse({"data": self._full(rec)})

    async def _delete_sync(self, request: Request) -> Response:
        """Deletes the sync, "cancelling any running executions" (`delete`)."""
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
                    raise invalid({"active": "is required and must be a boolean"})
                rec.body["active"] = active
                self._touch(rec, caller)
                rec.activations += 1
                return 200, {"data": {"id": rec.id, "active": active}}

        return await self._post(request, caller, work)

    async def _cancel(self, request: Request) -> Response:
        """`POST /cancel`: asynchronous — the running execution reads `canceling` until the
        signal is processed (CANCEL_DELAY), then `canceled`. With nothing running there is
        nothing to cancel, which is said, not refused (a guess: the SDK documents no error
        for it)."""
        caller = self._authenticate(request, write=True)
        sync_id = request.path_params["id"]

        def work(payload: Any) -> tuple[int, dict[str, Any]]:
            with self.lock:
                rec = self._sync(sync_id)
                now = self.now()
                current = self._current(rec, now)
                if current is None:
                    return 200, {"data": {"message": "no execution of this sync is running"}}
                if current.cancel_at is None:
                    current.cancel_at = ms(now)
                    rec.cancellations += 1
                return 200, {"data": {"message": f"cancellation of {current.id} requested"}}

        return await self._post(request, caller, work)

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
                options = execution_options(payload)
                mappings = mappings_of(rec.body)
                if options["identities"] is not None and not mappings:
                    raise invalid({"identities": "the sync has no identity mapping"})
                if options["identities"] is not None and len(mappings) > 1:
                    raise invalid(
                        {
                            "identities": "a sync with more than one identity mapping "
                            "requires source_identities instead"
                        }
                    )
                if options["source_identities"] is not None and not mappings:
                    raise invalid({"source_identities": "the sync has no identity mapping"})
                if not rec.body["active"]:
                    raise ApiError(409, "sync_inactive", "sync is not active", {"id": rec.id})
                problems = problems_of(rec.body, self._seed.retired)
                if problems:
                    raise ApiError(
                        409,
                        "sync_has_problems",
                        f"the sync's configuration has problems: {problems[0]['message']}",
                        {"id": rec.id, "problems": problems},
                    )
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
            (self._seed.model_rows[m] for m in model_ids(rec.body) if m in self._seed.model_rows),
            500,
        )
        if options["test"]:
            kind, total = "test", min(rows, 10)
        elif options["identities"] is not None:
            kind, total = "manual", len(options["identities"])
        elif options["source_identities"] is not None:
            kind, total = "manual", len(options["source_identities"])
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


def _limit(value: str | None) -> int:
    """`limit` as the SDK documents it: "capped at 50. Values above that cap are reduced to
    50, and non-positive values fall back to the same default"; not a number → 400."""
    if value is None:
        return SYNC_PAGE_MAX
    try:
        number = int(value)
    except ValueError:
        raise ApiError(
            400, "bad_request", "limit must be an integer", {"parameter": "limit"}
        ) from None
    return SYNC_PAGE_MAX if number <= 0 else min(number, SYNC_PAGE_MAX)


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
