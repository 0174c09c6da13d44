"""Paragon Managed Sync simulator: syncs whose updates land a moment after they are accepted.

It answers in Paragon's documented shapes (docs.useparagon.com `managed-sync/api/*.md` and
`managed-sync/openapi.json`): the list rows carry `id, integration, pipeline, status,
configurationName, dateCreated, dateUpdated` (optionally filtered by `?credentialId=`);
`GET /api/syncs/{id}` ("Get Sync Status") answers only `{status, credentialId, summary,
reason}` — no id and no frequency, which a client cannot read anywhere; disable and re-enable
answer a bare 200.

What a client has to cope with:
- PATCH answers "accepted" at once but applies ~1.5 s later (sandbox clock), so a GET right
  after a PATCH still shows the old values;
- a new `credentialId` starts a full re-sync: INITIALIZING with the synced count back at 0,
  growing with the clock, then ACTIVE;
- error bodies (undocumented by the vendor) are `{"message", "code", "status"}` throughout,
  and a disable / re-enable of a sync already in that state is a 409 (also undocumented:
  the simulator's own choice);
- `reason` is null unless the sync is ERRORED (the docs do not say; a client must take both).

Everything time-driven is computed from the clock when read; nothing runs in the background.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from synctui.sandbox.core import FROZEN_EPOCH, SimContext, VendorSim, _retry_after, iso
from synctui.sandbox.paragon_seed import FREQUENCIES, b64url, build, jwt, new_uuid, record
from synctui.sandbox.responses import JSONResponse

UPDATABLE = ("credentialId", "incrementalAccumulatorFrequency")
ACCEPTED = "Update request accepted and is being processed"
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100
ALL = ["GET", "POST", "PUT", "PATCH", "DELETE"]  # every path answers every method in-shape
CODES = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    429: "RATE_LIMITED",
    500: "INTERNAL_SERVER_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
}


class ApiError(Exception):
    """Raised anywhere in a handler; turned into Paragon's error body by the endpoint."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or CODES.get(status, "ERROR")


Handler = Callable[[Request, bytes], Response]


class ParagonSim(VendorSim):
    name = "paragon"
    title = "Paragon"

    # How long an accepted PATCH waits before it is applied (sandbox-clock seconds).
    apply_delay_s: float = 1.5

    def __init__(self, ctx: SimContext) -> None:
        super().__init__(ctx)
        self.epoch = self.now()
        self.project, self.credentials, syncs = build(ctx, self.epoch)
        self.syncs = {s["id"]: s for s in syncs}
        rng = ctx.rng("paragon:tokens")
        issued = int(FROZEN_EPOCH.timestamp()) - 30 * 86400
        claims = {"aud": f"useparagon.com/{self.project}", "iat": issued, "exp": issued + 10 * 31_536_000}  # fmt: skip
        self.token_rw = jwt(rng, {"sub": new_uuid(rng), **claims})
        self.token_ro = jwt(rng, {"sub": new_uuid(rng), "scope": "read", **claims})
        self.tokens = {self.token_rw: True, self.token_ro: False}
        self.patches: dict[str, int] = {}
        self.deleted: list[str] = []
        self._waiting: set[str] = set()  # syncs with accepted, not yet applied PATCHes

    # --- VendorSim ----------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        one = "/api/syncs/{sync_id}"
        return [
            Route("/api/syncs", self._endpoint({"GET": self._list}), methods=ALL),
            Route(
                one,
                self._endpoint({"GET": self._get, "PATCH": self._patch, "DELETE": self._delete}),
                methods=ALL,
            ),
            Route(one + "/disable", self._endpoint({"POST": self._disable}), methods=ALL),
            Route(one + "/reenable", self._endpoint({"POST": self._reenable}), methods=ALL),
            Route(one + "/records", self._endpoint({"GET": self._records}), methods=ALL),
            Route("/{path:path}", self._endpoint({}), methods=ALL),
        ]

    def info(self, base_url: str) -> dict[str, Any]:
        return {
            "base_url": base_url,
            "tokens": {"rw": self.token_rw, "ro": self.token_ro},
            "ids": {"project": self.project},
        }

    def error_response(self, status: int, message: str, retry_after: float | None) -> Response:
        response = _error(ApiError(status, message))
        if retry_after:
            # Sub-second values pass through as they are, so retry tests need not wait.
            response.headers["Retry-After"] = _retry_after(retry_after)
        return response

    def admin_state(self) -> dict[str, Any]:
        syncs = {}
        for sid, sync in self.syncs.items():
            self._settle(sync)
            syncs[sid] = {
                "status": self._summary(sync)[0],
                "credentialId": sync["credentialId"],
                "incrementalAccumulatorFrequency": sync["frequency"],
                "patches": self.patches.get(sid, 0),
                "pending": [
                    {"due": iso(p["due"]), "changes": p["changes"]} for p in sync["pending"]
                ],
            }
        return {"syncs": syncs, "deleted": list(self.deleted)}

    # --- plumbing -----------------------------------------------------------------------
    def _endpoint(self, handlers: dict[str, Handler]) -> Callable[[Request], Any]:
        """One endpoint per path: dispatch on method, run under the lock, shape errors."""

        async def endpoint(request: Request) -> Response:
            handler = handlers.get(request.method)
            if handler is None:
                if handlers:
                    return _error(ApiError(405, f"Cannot {request.method} {request.url.path}"))
                return _error(ApiError(404, f"Cannot {request.method} {request.url.path}"))
            raw = await request.body() if request.method == "PATCH" else b""
            try:
                with self.lock:
                    return handler(request, raw)
            except ApiError as exc:
                return _error(exc)

        return endpoint

    def _authorize(self, request: Request, *, write: bool = False) -> None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        can_write = self.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if can_write is None:
            raise ApiError(401, "Unauthorized: a valid Paragon user token is required")
        if write and not can_write:
            raise ApiError(403, "This user token cannot modify syncs")

    def _sync(self, request: Request) -> dict[str, Any]:
        sync = self.syncs.get(request.path_params["sync_id"])
        if sync is None:
            raise ApiError(404, "Sync not found")
        self._settle(sync)
        return sync

    # --- time-driven state ----------------------------------------------------------------
    def _settle(self, sync: dict[str, Any]) -> None:
        """Apply every accepted PATCH whose due time the clock has passed, at that due time."""
        now = self.now()
        pending = sync["pending"]
        while pending and pending[0]["due"] <= now:
            change = pending.pop(0)
            self._apply(sync, change["changes"], change["due"])
            self.patches[sync["id"]] = self.patches.get(sync["id"], 0) + 1
        if not pending:
            self._waiting.discard(sync["id"])

    def _apply(self, sync: dict[str, Any], changes: dict[str, Any], at: datetime) -> None:
        frequency = changes.get("incrementalAccumulatorFrequency")
        if frequency and frequency != sync["frequency"]:
            # The new cadence counts from the latest check, i.e. "takes effect next run".
            status, _, last, _ = self._state(sync, at)
            if status == "ACTIVE":
                sync["anchor"] = last
            sync["frequency"] = frequency
        credential = changes.get("credentialId")
        if credential and credential != sync["credentialId"]:
            _, _, last, _ = self._state(sync, at)
            sync.update(credentialId=credential, synced_base=0, full_done_at=None, anchor=None)
            sync.update(error="", last_synced=last)
            if sync["state"] == "DISABLED":
                sync["progress_since"] = None  # the re-sync starts when it is re-enabled
            else:
                sync.update(state="ACTIVE", progress_since=at)
        sync["date_updated"] = at

    def _progress(self, sync: dict[str, Any], at: datetime) -> tuple[int, datetime | None]:
        """Records synced by `at`, and when the full sync finished (None while it runs)."""
        base, since = sync["synced_base"], sync["progress_since"]
        if since is None:
            return base, sync["full_done_at"]
        need = (sync["total"] - base) / sync["rate"]
        elapsed = (at - since).total_seconds()
        if elapsed >= need:
            return sync["total"], since + timedelta(seconds=need)
        return base + int(max(0.0, elapsed) * sync["rate"]), None

    def _state(
        self, sync: dict[str, Any], at: datetime
    ) -> tuple[str, int, datetime | None, datetime | None]:
        """(status, synced count, lastSyncedAt, when the full sync finished) as seen at `at`."""
        synced, done = self._progress(sync, at)
        if sync["state"] != "ACTIVE":
            return sync["state"], synced, sync["last_synced"], done
        if done is None:
            moved = synced > sync["synced_base"]
            last = (
                sync["progress_since"]
                + timedelta(seconds=(synced - sync["synced_base"]) / sync["rate"])
                if moved
                else sync["last_synced"]
            )
            return "INITIALIZING", synced, last, None
        # Incremental checks tick every `frequency` from the end of the full sync.
        anchor = max(done, sync["anchor"]) if sync["anchor"] else done
        step = FREQUENCIES[sync["frequency"]]
        ticks = max(0, int((at - anchor).total_seconds() // step))
        return "ACTIVE", synced, anchor + timedelta(seconds=ticks * step), done

    def _summary(self, sync: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        status, synced, last, _ = self._state(sync, self.now())
        cursor = None
        if synced and last is not None:
            cursor = b64url(json.dumps({"n": synced, "t": iso(last)}).encode())
        summary = {
            "totalRecords": sync["total"],
            "syncedRecordsCount": synced,
            "lastSyncedAt": iso(last) if last else None,
            "latestCursor": cursor,
        }
        return status, summary

    def _row(self, sync: dict[str, Any], status: str) -> dict[str, Any]:
        return {
            "id": sync["id"],
            "integration": sync["integration"],
            "pipeline": sync["pipeline"],
            "status": status,
            "configurationName": sync["configurationName"],
            "dateCreated": iso(sync["date_created"]),
            "dateUpdated": iso(sync["date_updated"]),
        }

    def _status_answer(self, sync: dict[str, Any]) -> dict[str, Any]:
        """Get Sync Status: exactly the documented four fields."""
        status, summary = self._summary(sync)
        return {
            "status": status,
            "credentialId": sync["credentialId"],
            "summary": summary,
            "reason": sync["error"] if status == "ERRORED" else None,
        }

    # --- handlers -----------------------------------------------------------------------
    def _list(self, request: Request, raw: bytes) -> Response:
        self._authorize(request)
        for sid in list(self._waiting):
            self._settle(self.syncs[sid])
        now = self.now()
        credential = request.query_params.get("credentialId")
        rows = [
            self._row(s, self._state(s, now)[0])
            for s in self.syncs.values()
            if credential is None or s["credentialId"] == credential
        ]
        return JSONResponse({"data": rows})

    def _get(self, request: Request, raw: bytes) -> Response:
        self._authorize(request)
        return JSONResponse(self._status_answer(self._sync(request)))

    def _patch(self, request: Request, raw: bytes) -> Response:
        self._authorize(request, write=True)
        sync = self._sync(request)
        body = _json_object(raw)
        unknown = sorted(set(body) - set(UPDATABLE))
        if unknown:
            raise ApiError(400, f"Unknown field(s): {', '.join(unknown)}")
        if not body:
            raise ApiError(400, f"Provide at least one field to update: {', '.join(UPDATABLE)}")
        if "credentialId" in body and not _is_uuid(body["credentialId"]):
            raise ApiError(400, "credentialId must be a valid UUID")
        if body.get("incrementalAccumulatorFrequency", "1m") not in FREQUENCIES:
            raise ApiError(
                400, f"incrementalAccumulatorFrequency must be one of: {', '.join(FREQUENCIES)}"
            )
        now = self.now()
        due = now + timedelta(seconds=self.apply_delay_s)
        sync["pending"].append({"due": due, "requested_at": now, "changes": dict(body)})
        self._waiting.add(sync["id"])
        return JSONResponse({"id": sync["id"], "data": body, "message": ACCEPTED})

    def _delete(self, request: Request, raw: bytes) -> Response:
        self._authorize(request, write=True)
        sync = self._sync(request)
        del self.syncs[sync["id"]]
        self._waiting.discard(sync["id"])
        self.deleted.append(sync["id"])
        return Response(status_code=204)

    def _disable(self, request: Request, raw: bytes) -> Response:
        self._authorize(request, write=True)
        sync = self._sync(request)
        if sync["state"] == "DISABLED":
            raise ApiError(409, "Sync is already disabled", "SYNC_ALREADY_DISABLED")
        now = self.now()
        _, synced, last, done = self._state(sync, now)
        sync.update(state="DISABLED", synced_base=synced, full_done_at=done, progress_since=None)
        sync.update(last_synced=last, anchor=None, date_updated=now)
        return Response(status_code=200)  # documented as a bare 200

    def _reenable(self, request: Request, raw: bytes) -> Response:
        self._authorize(request, write=True)
        sync = self._sync(request)
        if sync["state"] != "DISABLED":
            raise ApiError(409, "Sync is not disabled", "SYNC_NOT_DISABLED")
        now = self.now()
        # Resume where it left off: a half-done full sync carries on from its count.
        sync.update(state="ACTIVE", error="", progress_since=now, anchor=None, date_updated=now)
        return Response(status_code=200)  # documented as a bare 200

    def _records(self, request: Request, raw: bytes) -> Response:
        self._authorize(request)
        sync = self._sync(request)
        size_text = request.query_params.get("pageSize", str(DEFAULT_PAGE_SIZE))
        if not size_text.isdigit() or not 1 <= int(size_text) <= MAX_PAGE_SIZE:
            raise ApiError(400, f"pageSize must be an integer between 1 and {MAX_PAGE_SIZE}")
        offset = _offset(sync, request.query_params.get("cursor"))
        synced = self._progress(sync, self.now())[0]
        end = min(offset + int(size_text), synced)
        seed = self.ctx.seed
        data = [record(seed, sync, i, self.epoch) for i in range(offset, end)]
        remaining = max(0, synced - end)
        paging = {
            "totalRecords": synced,
            "remainingRecords": remaining,
            "cursor": _cursor(sync, end) if remaining else None,
        }
        return JSONResponse({"data": data, "paging": paging})


# --- helpers --------------------------------------------------------------------------------
def _error(exc: ApiError) -> Response:
    body = {"message": exc.message, "code": exc.code, "status": exc.status}
    return JSONResponse(body, status_code=exc.status)


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        raise ApiError(400, "Request body must be valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object")
    return body


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _cursor(sync: dict[str, Any], offset: int) -> str:
    """Opaque to clients; bound to its sync so a cursor cannot wander to another."""
    return b64url(json.dumps({"s": sync["id"][:8], "o": offset}).encode())


def _offset(sync: dict[str, Any], cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if decoded["s"] != sync["id"][:8] or not isinstance(decoded["o"], int) or decoded["o"] < 0:
            raise ValueError
        return decoded["o"]
    except (ValueError, KeyError, TypeError):
        raise ApiError(400, "Invalid cursor") from None
