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
import re
from collections.abc import Awaitable, Callable
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
    model_ids,
    problems_of,
    summary,
)
from synctui.sandbox.polytomic_catalog import API_VERSION, OLDER_VERSIONS, TIME_PARTS
from synctui.sandbox.polytomic_executions import ExecutionEndpoints
from synctui.sandbox.polytomic_requests import (
    Caller,
    IdempotentAnswer,
    SyncRecord,
    body_fingerprint,
    bool_param,
    credential_digest,
    decode_page_token,
    encode_page_token,
    page_limit,
    parse_body,
    parse_page_instant,
)
from synctui.sandbox.polytomic_seed import build_seed, ms, new_uuid
from synctui.sandbox.responses import JSONResponse

VERSIONS = (API_VERSION, *OLDER_VERSIONS)
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


class PolytomicSim(ExecutionEndpoints, VendorSim):
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
            tokens["rw"]: Caller("rw", seed.actors["rw"], credential_digest(tokens["rw"])),
            tokens["ro"]: Caller("ro", seed.actors["rw"], credential_digest(tokens["ro"])),
        }
        self._deployment = Caller(
            "rw", seed.actors["deployment"], credential_digest(tokens["deployment"])
        )

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
            return self._respond(*work(parse_body(await request.body())))
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
            fingerprint = body_fingerprint(raw)
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
            response = self._respond(*work(parse_body(raw)))
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
        limit = page_limit(params.get("limit"))
        active = bool_param(params.get("active"), "active")
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
                updated, sync_id = decode_page_token(token, "u", 2)
                end = bisect.bisect_left(self._order, (parse_page_instant(updated), sync_id))
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
                next_token = encode_page_token("u", iso(last.updated_at), last.id)
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
        payload = parse_body(await request.body())
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
