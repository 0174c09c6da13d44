"""The Polytomic simulator's executions: starting a run, listing and reading runs, and a
sync's status (`model_sync/executions/raw_client.py`, `types/execution.py`).

`ExecutionEndpoints` is a part of `PolytomicSim`, kept apart because runs are their own
subject: it uses the simulator's records, lock, clock and request plumbing
(`_authenticate`, `_sync`, `_post`), and the seed's history and outcomes.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from synctui.sandbox.core import iso
from synctui.sandbox.polytomic_body import ApiError, invalid, mappings_of, model_ids, problems_of
from synctui.sandbox.polytomic_requests import (
    SyncRecord,
    bad_page_token,
    bool_param,
    decode_page_token,
    encode_page_token,
)
from synctui.sandbox.polytomic_runs import TERMINAL, Execution, execution_options
from synctui.sandbox.polytomic_schedule import next_run
from synctui.sandbox.polytomic_seed import (
    Seed,
    failure_errors,
    incremental_rows,
    ms,
    new_uuid,
    run_counts,
    seed_history,
)
from synctui.sandbox.responses import JSONResponse

EXECUTION_PAGE = 20


class ExecutionEndpoints:
    """The execution routes of `PolytomicSim` (see the module docstring)."""

    _seed: Seed
    _seeded_at: datetime
    _ids: random.Random

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
        ascending = bool(bool_param(params.get("ascending"), "ascending"))
        only_completed = bool(bool_param(params.get("only_completed"), "only_completed"))
        token = params.get("page_token")
        with self.lock:
            rec = self._sync(request.path_params["id"])
            runs = self._executions(rec)
            now = self.now()
            order = list(range(len(runs))) if ascending else list(range(len(runs) - 1, -1, -1))
            position = 0
            if token:
                (after,) = decode_page_token(token, "a" if ascending else "d", 1)
                index = next((i for i, r in enumerate(runs) if r.id == after), None)
                if index is None:
                    raise bad_page_token()
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
                next_token = encode_page_token("a" if ascending else "d", page[-1]["id"])
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
