"""Signalsmith simulator: workspace-scoped REST syncs, runs that progress on the clock.

Behaviour a client has to cope with, as the vendor documents it (the Syncs API reference in
`vendor-docs/signalsmith-syncs-api.txt`, and the api-reference notes in
`vendor-schemas/README.md`):
- every request names its workspace twice (path and `X-Workspace-ID`); they must agree;
- errors are always `{"error": "message"}`;
- PUT is a partial update: only the fields sent change, unknown top-level fields are kept;
- lists come back as a bare array unless `page`/`page_size` (≤ 100) ask for the paged
  envelope;
- sync modes are upsert, insert, update, mirror and append; a run waits as "pending" when
  triggered through the API and as "queued" when the schedule started it;
- 100 requests/minute and 20/second per workspace, then 429 with `Retry-After`.

Undocumented, so the simulator chooses (and a client must not rely on it): a trigger of a
paused or draft sync, or of one with a run in progress, is a 409; `last_run_id` moves when a
run is triggered, or — with `last_run_id_moves = "completion"` — only once it completes.
"""

from __future__ import annotations

import json
import math
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from synctui.sandbox.core import SimContext, VendorSim
from synctui.sandbox.responses import JSONResponse
from synctui.sandbox.signalsmith_seed import build, make_run, new_uuid, run_end, stamp

SYNC_MODES = ("upsert", "insert", "update", "mirror", "append")
STATUSES = ("draft", "active", "paused", "error")
REQUIRED = ("name", "model_id", "destination_id", "field_mapping", "sync_mode", "primary_key")
# Server-owned fields: accepted in a PUT body (clients echo objects back) but never applied.
READ_ONLY = frozenset(
    {"id", "workspace_id", "status_error", "created_by", "created_at", "updated_at",
     "last_synced_at", "last_run_id"}
)  # fmt: skip
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
ALL = ["GET", "POST", "PUT", "PATCH", "DELETE"]  # every path answers every method in-shape


class ApiError(Exception):
    """Raised anywhere in a handler; turned into the vendor's error body by the endpoint."""

    def __init__(self, status: int, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


Handler = Callable[[Request, bytes], Response]


class SignalsmithSim(VendorSim):
    name = "signalsmith"
    title = "Signalsmith"

    # error_response is inherited: the base class already answers `{"error": message}` with
    # Retry-After, which is Signalsmith's own shape.

    # Rate limits per workspace; tests lower them on the instance, None switches one off.
    requests_per_minute: int | None = 100
    burst_per_second: int | None = 20
    # When `last_run_id` moves: "trigger" (as a run starts) or "completion" (once it ends).
    last_run_id_moves: str = "trigger"

    def __init__(self, ctx: SimContext) -> None:
        super().__init__(ctx)
        seed = build(ctx, self.now())
        self.workspaces = seed.workspaces
        self.syncs = seed.syncs
        self.runs = seed.runs
        self.rows = seed.rows
        self.run_index = {run["id"]: run for runs in self.runs.values() for run in runs}
        rng = ctx.rng("signalsmith:tokens")
        self.token_rw = f"ss_live_{rng.getrandbits(160):040x}"
        self.token_ro = f"ss_read_{rng.getrandbits(160):040x}"
        self.tokens = {self.token_rw: (seed.users[0], True), self.token_ro: (seed.users[1], False)}
        self.puts: dict[str, int] = {}
        self.triggers: dict[str, int] = {}
        self.deleted: list[str] = []
        self.rate_limited = 0
        self._created = 0  # salts the RNG of created syncs so ids never repeat
        self._hits: dict[str, deque[float]] = {ws: deque() for ws in self.workspaces}

    # --- VendorSim ----------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        base = "/api/v1/workspaces/{workspace_id}/syncs"
        return [
            Route(base, self._endpoint({"GET": self._list, "POST": self._create}), methods=ALL),
            Route(
                base + "/{sync_id}",
                self._endpoint({"GET": self._get, "PUT": self._update, "DELETE": self._delete}),
                methods=ALL,
            ),
            Route(
                base + "/{sync_id}/trigger", self._endpoint({"POST": self._trigger}), methods=ALL
            ),
            Route(base + "/{sync_id}/runs", self._endpoint({"GET": self._list_runs}), methods=ALL),
            Route(
                base + "/{sync_id}/runs/{run_id}",
                self._endpoint({"GET": self._get_run}),
                methods=ALL,
            ),
            Route("/{path:path}", self._endpoint({}), methods=ALL),
        ]

    def info(self, base_url: str) -> dict[str, Any]:
        return {
            "base_url": base_url,
            "tokens": {"rw": self.token_rw, "ro": self.token_ro},
            "ids": {"workspaces": list(self.workspaces)},
        }

    def admin_state(self) -> dict[str, Any]:
        syncs = {
            sid: {
                "workspace_id": ws,
                "status": sync["status"],
                "puts": self.puts.get(sid, 0),
                "triggers": self.triggers.get(sid, 0),
            }
            for ws, by_id in self.syncs.items()
            for sid, sync in by_id.items()
        }
        return {"syncs": syncs, "deleted": list(self.deleted), "rate_limited": self.rate_limited}

    # --- plumbing -----------------------------------------------------------------------
    def _endpoint(self, handlers: dict[str, Handler]) -> Callable[[Request], Any]:
        """One endpoint per path: dispatch on method, run under the lock, shape errors."""

        async def endpoint(request: Request) -> Response:
            handler = handlers.get(request.method)
            if handler is None:
                status, message = (405, "method not allowed") if handlers else (404, "not found")
                return self.error_response(status, message, None)
            raw = await request.body() if request.method in ("POST", "PUT") else b""
            try:
                with self.lock:
                    return handler(request, raw)
            except ApiError as exc:
                return self.error_response(exc.status, exc.message, exc.retry_after)

        return endpoint

    def _authorize(self, request: Request, *, write: bool = False) -> str:
        """Check token, workspace header and rate limit; answer the caller's account id."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, "missing bearer token")
        if token not in self.tokens:
            raise ApiError(401, "invalid or expired token")
        user, can_write = self.tokens[token]
        workspace = request.path_params["workspace_id"]
        header = request.headers.get("x-workspace-id", "").strip()
        if not header:
            raise ApiError(400, "missing X-Workspace-ID header")
        if header != workspace:
            raise ApiError(400, "X-Workspace-ID header does not match the workspace in the path")
        if workspace not in self.workspaces:
            raise ApiError(404, "workspace not found")
        self._rate_limit(workspace)
        if write and not can_write:
            raise ApiError(403, "token is read-only")
        return user

    def _rate_limit(self, workspace: str) -> None:
        """Sliding windows on the sandbox clock; refused requests do not count."""
        now = self.now().timestamp()
        hits = self._hits[workspace]
        while hits and now - hits[0] >= 60:
            hits.popleft()
        wait = 0.0
        per_minute, burst = self.requests_per_minute, self.burst_per_second
        if per_minute and len(hits) >= per_minute:
            wait = max(wait, 60 - (now - hits[-per_minute]))
        if burst and len(hits) >= burst and now - hits[-burst] < 1:
            wait = max(wait, 1 - (now - hits[-burst]))
        if wait > 0:
            self.rate_limited += 1
            raise ApiError(429, "rate limit exceeded", retry_after=max(1, math.ceil(wait)))
        hits.append(now)

    def _sync(self, request: Request) -> dict[str, Any]:
        sync = self.syncs[request.path_params["workspace_id"]].get(request.path_params["sync_id"])
        if sync is None:
            raise ApiError(404, "sync not found")
        return sync

    def _view(self, sync: dict[str, Any]) -> dict[str, Any]:
        """The sync as served: `last_synced_at` follows the latest run once it completes (and
        so does `last_run_id`, when it moves on completion)."""
        runs = self.runs.get(sync["id"]) or []
        now = self.now()
        view = sync
        if runs and runs[-1]["outcome"] == "completed" and run_end(runs[-1]) <= now:
            view = {**view, "last_synced_at": stamp(run_end(runs[-1]))}
        if self.last_run_id_moves == "completion":
            ended = [r for r in runs if run_end(r) <= now]
            view = {**view, "last_run_id": ended[-1]["id"] if ended else None}
        return view

    def _run_view(self, run: dict[str, Any]) -> dict[str, Any]:
        elapsed = (self.now() - run["created_at"]).total_seconds()
        done = elapsed >= run["pending_s"] + run["duration_s"]
        if elapsed < run["pending_s"]:
            status, share = run.get("waiting", "pending"), 0.0
        elif not done:
            status, share = "running", (elapsed - run["pending_s"]) / run["duration_s"]
        else:
            status, share = run["outcome"], 1.0
        return {
            "id": run["id"],
            "sync_id": run["sync_id"],
            "workspace_id": run["workspace_id"],
            "status": status,
            "started_at": stamp(run["created_at"]),
            "completed_at": stamp(run_end(run)) if done else None,
            "rows_synced": int(run["rows_synced"] * share),
            "rows_failed": int(run["rows_failed"] * share),
            "error_message": run["error_message"] if done else "",
            "triggered_by": run["triggered_by"],
            "created_at": stamp(run["created_at"]),
        }

    # --- handlers -----------------------------------------------------------------------
    def _list(self, request: Request, raw: bytes) -> Response:
        self._authorize(request)
        syncs = self.syncs[request.path_params["workspace_id"]].values()
        return _listing(request, [self._view(s) for s in syncs])

    def _create(self, request: Request, raw: bytes) -> Response:
        user = self._authorize(request, write=True)
        body = _json_body(request, raw)
        missing = [f for f in REQUIRED if body.get(f) in (None, "", [])]
        if missing:
            raise ApiError(400, f"missing required field(s): {', '.join(missing)}")
        validate(body)
        workspace = request.path_params["workspace_id"]
        now = stamp(self.now())
        self._created += 1
        rng = self.ctx.rng(f"signalsmith:create:{self._created}")
        sync: dict[str, Any] = {
            "id": new_uuid(rng),
            "workspace_id": workspace,
            "model_id": body["model_id"],
            "destination_id": body["destination_id"],
            "name": body["name"],
            "description": body.get("description", ""),
            "field_mapping": body["field_mapping"],
            "sync_mode": body["sync_mode"],
            "schedule": body.get("schedule") or "",
            "config": body.get("config") or {},
            "primary_key": body["primary_key"],
            "status": body.get("status", "active"),
            "status_error": "",
            "created_by": user,
            "created_at": now,
            "updated_at": now,
            "last_synced_at": None,
            "last_run_id": None,
        }
        for key, value in body.items():
            if key not in READ_ONLY:
                sync.setdefault(key, value)  # unknown top-level fields are stored as sent
        self.syncs[workspace][sync["id"]] = sync
        self.runs[sync["id"]] = []
        self.rows[sync["id"]] = rng.randint(200, 20000)
        return JSONResponse(sync, status_code=201)

    def _get(self, request: Request, raw: bytes) -> Response:
        self._authorize(request)
        return JSONResponse(self._view(self._sync(request)))

    def _update(self, request: Request, raw: bytes) -> Response:
        self._authorize(request, write=True)
        sync = self._sync(request)
        body = _json_body(request, raw)
        if not body:
            raise ApiError(400, "request body must contain at least one field to update")
        validate(body)
        for key, value in body.items():
            if key not in READ_ONLY:
                sync[key] = "" if key == "schedule" and value is None else value
        if "status" in body and sync["status"] != "error":
            sync["status_error"] = ""
        sync["updated_at"] = stamp(self.now())
        self.puts[sync["id"]] = self.puts.get(sync["id"], 0) + 1
        return JSONResponse(self._view(sync))

    def _delete(self, request: Request, raw: bytes) -> Response:
        self._authorize(request, write=True)
        sync = self._sync(request)
        del self.syncs[sync["workspace_id"]][sync["id"]]
        for run in self.runs.pop(sync["id"], []):
            self.run_index.pop(run["id"], None)
        self.deleted.append(sync["id"])
        return JSONResponse({"status": "deleted"})

    def _trigger(self, request: Request, raw: bytes) -> Response:
        user = self._authorize(request, write=True)
        sync = self._sync(request)
        if sync["status"] == "paused":
            raise ApiError(409, "sync is paused")
        if sync["status"] == "draft":
            raise ApiError(409, "sync is a draft; set its status to active first")
        runs = self.runs[sync["id"]]
        if runs and self._run_view(runs[-1])["completed_at"] is None:
            raise ApiError(409, "sync already has a run in progress")
        sync["last_synced_at"] = self._view(sync)["last_synced_at"]
        count = self.triggers.get(sync["id"], 0) + 1
        failing = sync["status"] == "error"
        run = make_run(
            self.ctx.rng(f"signalsmith:trigger:{sync['id']}:{count}"),
            sync=sync,
            created=self.now(),
            rows=self.rows[sync["id"]],
            outcome="failed" if failing else "completed",
            error=(sync["status_error"] or "sync is in error state") if failing else "",
            triggered_by=user,
        )
        runs.append(run)
        self.run_index[run["id"]] = run
        sync["last_run_id"] = run["id"]
        self.triggers[sync["id"]] = count
        return JSONResponse(self._run_view(run), status_code=201)

    def _list_runs(self, request: Request, raw: bytes) -> Response:
        self._authorize(request)
        sync = self._sync(request)
        return _listing(request, [self._run_view(r) for r in reversed(self.runs[sync["id"]])])

    def _get_run(self, request: Request, raw: bytes) -> Response:
        self._authorize(request)
        sync = self._sync(request)
        run = self.run_index.get(request.path_params["run_id"])
        if run is None or run["sync_id"] != sync["id"]:
            raise ApiError(404, "run not found")
        return JSONResponse(self._run_view(run))


# --- request parsing and validation ---------------------------------------------------------
def _json_body(request: Request, raw: bytes) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise ApiError(415, "Content-Type must be application/json")
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        raise ApiError(400, "request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "request body must be a JSON object")
    return body


def _listing(request: Request, items: list[dict[str, Any]]) -> Response:
    """Bare array by default (as documented); the paged envelope when asked for."""
    params = request.query_params
    if "page" not in params and "page_size" not in params:
        return JSONResponse(items)
    page = _positive_int(params.get("page", "1"), "page")
    size = _positive_int(params.get("page_size", str(DEFAULT_PAGE_SIZE)), "page_size")
    if size > MAX_PAGE_SIZE:
        raise ApiError(400, f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    start = (page - 1) * size
    return JSONResponse(
        {
            "data": items[start : start + size],
            "pagination": {"page": page, "page_size": size, "total": len(items)},
        }
    )


def _positive_int(text: str, name: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise ApiError(400, f"{name} must be a positive integer")
    return int(text)


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


def validate(body: dict[str, Any]) -> None:
    """Check every known field that is present; unknown top-level fields pass untouched."""
    for key in ("name", "primary_key"):
        if key in body and (not isinstance(body[key], str) or not body[key].strip()):
            raise ApiError(400, f"{key} must be a non-empty string")
    if "description" in body and not isinstance(body["description"], str):
        raise ApiError(400, "description must be a string")
    for key in ("model_id", "destination_id"):
        if key in body and not _is_uuid(body[key]):
            raise ApiError(400, f"{key} must be a valid UUID")
    if "sync_mode" in body and body["sync_mode"] not in SYNC_MODES:
        raise ApiError(400, f"sync_mode must be one of: {', '.join(SYNC_MODES)}")
    if "status" in body and body["status"] not in STATUSES:
        raise ApiError(400, f"status must be one of: {', '.join(STATUSES)}")
    if "config" in body and not isinstance(body["config"], dict):
        raise ApiError(400, "config must be an object")
    if "field_mapping" in body:
        _validate_mapping(body["field_mapping"])
    schedule = body.get("schedule")
    if schedule is not None:
        if not isinstance(schedule, str):
            raise ApiError(400, "schedule must be a string")
        if schedule.strip():
            try:
                validate_cron(schedule)
            except ValueError as exc:
                raise ApiError(400, f"invalid cron expression: {exc}") from None


def _validate_mapping(rows: Any) -> None:
    if not isinstance(rows, list) or not rows:
        raise ApiError(400, "field_mapping must be a non-empty array")
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ApiError(400, f"field_mapping[{i}] must be an object")
        for key in ("source_column", "destination_field"):
            if not isinstance(row.get(key), str) or not row[key].strip():
                raise ApiError(400, f"field_mapping[{i}].{key} is required")
        if "type_cast" in row and not isinstance(row["type_cast"], str):
            raise ApiError(400, f"field_mapping[{i}].type_cast must be a string")


# --- cron -----------------------------------------------------------------------------------
_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}
_DAYS = {d: i for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}
_CRON_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day-of-month", 1, 31, {}),
    ("month", 1, 12, _MONTHS),
    ("day-of-week", 0, 7, _DAYS),
)


def validate_cron(expr: str) -> None:
    """Standard 5-field cron: `*`, values, ranges, lists, steps, JAN–DEC and SUN–SAT names."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, got {len(fields)}")
    for text, (label, lo, hi, names) in zip(fields, _CRON_FIELDS, strict=True):
        for item in text.split(","):
            base, slash, step = item.partition("/")
            if slash and (not step.isdigit() or not 1 <= int(step) <= hi):
                raise ValueError(f"{label}: invalid step {step!r}")
            if base == "*":
                continue
            start, dash, end = base.partition("-")
            first = _cron_value(start, label, lo, hi, names)
            if dash and _cron_value(end, label, lo, hi, names) < first:
                raise ValueError(f"{label}: range {base!r} runs backwards")


def _cron_value(token: str, label: str, lo: int, hi: int, names: dict[str, int]) -> int:
    if token.upper() in names:
        return names[token.upper()]
    if not token.isdigit():
        raise ValueError(f"{label}: invalid value {token!r}")
    value = int(token)
    if not lo <= value <= hi:
        raise ValueError(f"{label}: {value} out of range {lo}-{hi}")
    return value
