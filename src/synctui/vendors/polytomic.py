"""Polytomic: model syncs over REST (`/api/syncs`), versioned by the `X-Polytomic-Version` header.

The contract is the vendor's SDK `polytomic` (25.9.x): `model_sync/raw_client.py` for paths
and documented semantics, `types/` for shapes (read in `polytomic_models` / `polytomic_parse`).

The one rule that shapes this module: `PUT /api/syncs/{id}` is a **full replacement**. Any
field a request omits is cleared or reset on the vendor side, including fields synctui has
never heard of. So an edit is always: a fresh `GET`, refuse if the sync moved since the user
loaded it, apply the user's JSON merge patch to *the vendor's own JSON* (never to our models),
carry it into the live form of the settings that have two (`polytomic_forms`), and `PUT`
every field back but the response-only ones. The pydantic models are only for reading.

Writes whose answer is lost are settled by reading the vendor's record before anything is
sent again (`confirm_or_retry`): the sync itself for a PUT, an activation and a DELETE; the
executions list for a started run; the list of syncs for a create. Execution and create
POSTs also carry an `Idempotency-Key`, so a resend after "not there yet" is replayed by the
vendor rather than applied twice.

Authentication is a Bearer API key, or on premises (`auth = "deployment"`) the deployment key
as HTTP Basic user name with an empty password. Both forms are registered with the redactor,
so neither can reach an error message or the call log.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, ClassVar

import httpx
from pydantic import ValidationError

from synctui.domain import errors
from synctui.domain.diff import changed_paths
from synctui.domain.merge_patch import apply_merge_patch, json_equal
from synctui.domain.models import (
    PlannedRequest,
    Run,
    Sync,
    WritePlan,
    WriteResult,
)
from synctui.domain.validation import ValidationIssue
from synctui.store.accounts import POLYTOMIC_DEFAULT_API_VERSION
from synctui.vendors.base import PlanDraft
from synctui.vendors.polytomic_forms import (
    is_read_only,
    live_document,
    reported,
    same_document,
    without_derived,
)
from synctui.vendors.polytomic_models import PolytomicError
from synctui.vendors.polytomic_parse import (
    PAUSED_MESSAGE,
    RUN_STATES,
    describe_schedule,
    describe_target,
    issues_for,
    new_idempotency_key,
    parse_run,
    parse_sync,
    readable,
    run_state,
    run_summary,
    vendor_error,
)
from synctui.vendors.polytomic_rules import RULES, new_issues, validate_sync
from synctui.vendors.rest import Problem, RestAdapter, id_segment, json_or_none

__all__ = [
    "PAUSED_MESSAGE",
    "RUN_STATES",
    "PolytomicAdapter",
    "describe_schedule",
    "describe_target",
    "is_read_only",
    "parse_run",
    "parse_sync",
    "run_state",
    "run_summary",
    "same_document",
]

PAGE_SIZE = 50  # the vendor's maximum `limit` (`list`: "capped at 50")


# --- the adapter ---------------------------------------------------------------------------
class PolytomicAdapter(RestAdapter):
    vendor = "polytomic"
    vendor_title = RULES.title
    rules = RULES
    capabilities = RULES.capabilities
    table_columns: ClassVar[tuple[tuple[str, str], ...]] = (
        ("name", "Name"),
        ("mode", "Mode"),
        ("schedule", "Schedule"),
        ("target", "Target"),
        ("active", "Active"),
        ("last_execution", "Last execution"),
    )
    # List items carry no execution, yet the table shows the last one and ERROR depends on
    # it: each page's statuses are read concurrently, within the account's concurrency.
    statuses_in_lists: bool = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.account.auth == "deployment":
            self.redact.add(self._basic_credential())
            self.credential = "deployment key"
        else:
            self.credential = "API key"

    # --- plumbing -------------------------------------------------------------------------
    @property
    def api_version(self) -> str:
        return self.account.api_version or POLYTOMIC_DEFAULT_API_VERSION

    def _basic_credential(self) -> str:
        return base64.b64encode(f"{self._token}:".encode()).decode()

    def auth_headers(self) -> dict[str, str]:
        """Bearer API key, or the on-premises deployment key as Basic `<key>:`."""
        if self.account.auth == "deployment":
            return {"Authorization": f"Basic {self._basic_credential()}"}
        return super().auth_headers()

    def client_headers(self) -> dict[str, str]:
        return {"X-Polytomic-Version": self.api_version, "Accept": "application/json"}

    def sync_path(self, sync_id: str, suffix: str = "") -> str:
        return f"/api/syncs/{id_segment(sync_id, self.vendor_title)}{suffix}"

    def _payload(self, response: httpx.Response, what: str) -> dict[str, Any]:
        """The `{data: ...}` envelope every answer comes in; anything else is unreadable."""
        payload = self.read_json(response, what)
        if not isinstance(payload, dict) or "data" not in payload:
            raise self.unreadable(what)
        return payload

    def read_object(self, response: httpx.Response, what: str) -> dict[str, Any]:
        """The envelope's `data` object. No `id` is required: a `/status` answer has none."""
        data = self._payload(response, what)["data"]
        if not isinstance(data, dict):
            raise self.unreadable(what)
        return data

    def read_problem(self, response: httpx.Response) -> Problem:
        """`{status, message, key, metadata}`; a body that does not fit says nothing."""
        try:
            body = PolytomicError.model_validate(json_or_none(response))
        except ValidationError:
            body = PolytomicError()
        text = body.message or f"HTTP {response.status_code}"
        return self.problem(response, text, body.key or "", body.metadata)

    def vendor_error(self, problem: Problem) -> errors.SyncTuiError | None:
        return vendor_error(problem, self.account.name, self.api_version)

    def issues_for(self, problem: Problem) -> list[ValidationIssue]:
        return issues_for(problem, self.redact)

    # --- reads ----------------------------------------------------------------------------
    async def check(self) -> str:
        response = await self.request("GET", "/api/syncs", params={"limit": 1})
        if not isinstance(self._payload(response, "syncs")["data"], list):
            raise errors.VendorError(f"{self.account.name}: unreadable answer from Polytomic")
        return f"Polytomic API {self.api_version}: syncs readable with this {self.credential}"

    async def iter_syncs(self) -> AsyncIterator[list[Sync]]:
        """Follow `pagination.next_page_token` exactly as given, within the page guard's stops."""
        token: str | None = None
        guard = self.pages("syncs")
        while True:
            params: dict[str, Any] = {"limit": PAGE_SIZE}
            if token is not None:
                params["page_token"] = token
            payload = self._payload(await self.request("GET", "/api/syncs", params=params), "syncs")
            items = payload["data"]
            if not isinstance(items, list):
                raise errors.VendorError(
                    f"{self.account.name}: Polytomic sent an unreadable page of syncs"
                )
            page = await self._parse_page(guard.fresh(items))
            if page:
                yield page
            pagination = payload.get("pagination")
            nxt = pagination.get("next_page_token") if isinstance(pagination, dict) else None
            if not isinstance(nxt, str) or not nxt:
                return
            guard.follow(nxt)
            token = nxt

    async def _parse_page(self, items: list[Any]) -> list[Sync]:
        ids = [
            item["id"] if isinstance(item, dict) and isinstance(item.get("id"), str) else None
            for item in items
        ]
        statuses: list[dict[str, Any] | None] = [None] * len(items)
        if self.statuses_in_lists:
            wanted = [(i, ident) for i, ident in enumerate(ids) if ident]
            found = await asyncio.gather(*(self._status_or_none(ident) for _, ident in wanted))
            for (index, _), status in zip(wanted, found, strict=True):
                statuses[index] = status
        page: list[Sync] = []
        for item, status in zip(items, statuses, strict=True):
            sync = parse_sync(
                self.account.name, item, status, complete=False, status_known=status is not None
            )
            if sync is not None:
                page.append(sync)
        return page

    async def _status_or_none(self, sync_id: str) -> dict[str, Any] | None:
        """A row's status, or None: a status that cannot be read must not break the list."""
        try:
            return await self._read_status(sync_id)
        except errors.SyncTuiError:
            return None

    async def _read_status(self, sync_id: str) -> dict[str, Any]:
        return self.read_object(
            await self.request("GET", self.sync_path(sync_id, "/status")), "status"
        )

    def _parse(self, raw: dict[str, Any], status: Any, *, status_known: bool = True) -> Sync:
        sync = parse_sync(self.account.name, raw, status, complete=True, status_known=status_known)
        if sync is None:
            raise errors.VendorError(f"{self.account.name}: unreadable sync from Polytomic")
        return sync

    async def get_sync(self, sync_id: str) -> Sync:
        answers = await asyncio.gather(
            self.read_raw(sync_id), self._read_status(sync_id), return_exceptions=True
        )
        raw, status = answers
        for outcome in (raw, status):
            if isinstance(outcome, BaseException):
                raise outcome
        assert isinstance(raw, dict)
        return self._parse(raw, status)

    # For display (services/detail.py): `/status` is a secondary read, marked unavailable
    # when it fails instead of failing the sync's read.
    async def read_sync(self, sync_id: str) -> Sync:
        return self._parse(await self.read_raw(sync_id), None, status_known=False)

    def side_reads(self, sync: Sync) -> dict[str, Callable[[], Awaitable[Any]]]:
        return {"status": lambda: self._read_status(sync.id)}

    def with_parts(self, sync: Sync, parts: dict[str, Any]) -> Sync:
        return self._parse(sync.raw, parts.get("status"), status_known="status" in parts)

    async def _complete(self, raw: dict[str, Any]) -> Sync:
        """A sync just written, with its status if that can be read (the write already
        happened: a failed status read must not turn it into an error)."""
        ident = raw.get("id")
        status = await self._status_or_none(ident) if isinstance(ident, str) else None
        return self._parse(raw, status, status_known=status is not None)

    async def list_runs(self, sync_id: str, limit: int = 20) -> list[Run]:
        """Executions, newest first, following the vendor's page tokens up to `limit`."""
        if limit <= 0:
            return []
        runs: list[Run] = []
        token: str | None = None
        guard = self.pages("executions")
        while len(runs) < limit:
            params = {"page_token": token} if token else None
            response = await self.request(
                "GET", self.sync_path(sync_id, "/executions"), params=params
            )
            payload = self._payload(response, "executions")
            items = payload["data"]
            if not isinstance(items, list):
                raise errors.VendorError(
                    f"{self.account.name}: Polytomic sent an unreadable page of executions"
                )
            runs.extend(r for r in map(parse_run, guard.fresh(items)) if r is not None)
            pagination = payload.get("pagination")
            nxt = pagination.get("next_page_token") if isinstance(pagination, dict) else None
            if not items or not isinstance(nxt, str) or not nxt or guard.stops(nxt):
                break
            token = nxt
        return runs[:limit]

    # --- editing --------------------------------------------------------------------------
    def editable(self, sync: Sync) -> dict[str, Any]:
        """Every field of the vendor's JSON except the response-only ones and the deprecated
        forms Polytomic derives from a live form it reports (`polytomic_forms`).

        For a list summary this is a subset of the sync; that is harmless, because
        `plan_update` applies the patch to a fresh full GET, never to this document.
        """
        return self._editable_raw(sync.raw)

    def _editable_raw(self, raw: dict[str, Any]) -> dict[str, Any]:
        return without_derived(reported(raw))

    def _moved(self, loaded: Sync, fresh: dict[str, Any]) -> bool:
        """Has the sync changed since the user loaded it? `updated_at` says, when we have it."""
        if loaded.updated_at is not None:
            return fresh.get("updated_at") != loaded.updated_at
        now = self._editable_raw(fresh)
        return any(not json_equal(v, now.get(k)) for k, v in self.editable(loaded).items())

    def _conflict(self, sync_id: str) -> errors.Conflict:
        return errors.Conflict(
            f"{self.account.name}: {sync_id} changed on the server since you loaded it; "
            "nothing was sent",
            hint="reload it and edit again",
        )

    def _write_headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return self.masked(
            {
                **self.auth_headers(),
                **self.client_headers(),
                "Content-Type": "application/json",
                **(extra or {}),
            }
        )

    async def plan_update(
        self, sync: Sync, patch: dict[str, Any], *, trigger_now: bool = False
    ) -> WritePlan:
        """Fresh GET, conflict check, patch, validate, then the PUT of the whole object."""
        name = self.account.name
        patch = self.own_patch(sync, patch)
        read_only = [k for k in patch if is_read_only(k)]
        if read_only:
            issues = [
                ValidationIssue(k, f"{k} is set by Polytomic and cannot be edited")
                for k in read_only
            ]
            raise errors.ValidationFailed(f"{name}: " + "; ".join(map(str, issues)), issues)

        fresh = await self.read_raw(sync.id)
        if fresh.get("id") != sync.id or not readable(fresh):
            # A full replacement is built from this answer: never from one we cannot read.
            raise errors.VendorError(
                f"{name}: Polytomic answered with something that is not {sync.id} as synctui "
                "can read it; nothing was planned",
                hint="reload it and try again",
            )
        if self._moved(sync, fresh):
            raise self._conflict(sync.id)
        # The patch applies to the sync as reported (both forms of a setting, so a patch may
        # name either); what is sent and compared leaves the derived forms out.
        as_read = reported(fresh)
        before = without_derived(as_read)
        edited = apply_merge_patch(as_read, patch)
        after, form_issues, notes = (
            live_document(as_read, edited) if isinstance(edited, dict) else (edited, [], [])
        )
        issues = form_issues or new_issues(before, after)
        if issues:
            raise errors.ValidationFailed(
                f"{name}: {sync.id}: " + "; ".join(i.message for i in issues), issues
            )
        if trigger_now and after.get("active") is not True:
            raise errors.SyncPaused(PAUSED_MESSAGE)

        changes = changed_paths(before, after)
        draft = PlanDraft(sync, patch, before, after)
        if changes:
            draft.requests.append(
                PlannedRequest(
                    method="PUT",
                    url=f"{self.base_url}{self.sync_path(sync.id)}",
                    headers=self._write_headers(),
                    body=after,
                    note="; ".join(
                        [
                            "full replacement: every field as loaded, with the patch applied; "
                            "sent only if the sync still matches what was loaded",
                            *notes,
                        ]
                    ),
                )
            )
            noun = "field" if len(changes) == 1 else "fields"
            draft.summary.append(f"PUT whole object ({len(changes)} {noun} changed)")
        if trigger_now:
            key = new_idempotency_key()
            draft.requests.append(
                PlannedRequest(
                    method="POST",
                    url=f"{self.base_url}{self.sync_path(sync.id, '/executions')}",
                    headers=self._write_headers({"Idempotency-Key": key}),
                    body={},
                    note="start a run; a retry with the same key replays, never starts a second",
                )
            )
            draft.summary.append("trigger now")
        return self.write_plan(
            draft,
            trigger_now=trigger_now,
            sync_id=sync.id,
            updated_at=fresh.get("updated_at"),
        )

    async def apply(self, plan: WritePlan) -> WriteResult:
        """Send exactly the plan's requests: its PUT body, its execution key."""
        self.own_plan(plan)
        sync_id = plan.payload.get("sync_id")
        if not isinstance(sync_id, str) or not plan.requests:
            return WriteResult(message="nothing to change")
        done: list[str] = []
        raw: dict[str, Any] | None = None
        run: Run | None = None
        for request in plan.requests:
            try:
                if request.method == "PUT" and isinstance(request.body, dict):
                    current = await self.read_raw(sync_id)
                    if current.get("updated_at") != plan.payload.get("updated_at"):
                        raise self._conflict(sync_id)
                    raw = await self._send_put(sync_id, request.body, current)
                    done.append("updated")
                elif request.method == "POST" and request.url.endswith("/executions"):
                    key = request.headers.get("Idempotency-Key") or new_idempotency_key()
                    run = await self._start_execution(sync_id, key, request.body)
                    done.append("triggered")
                else:
                    raise errors.UsageError(f"unexpected request in plan: {request.method}")
            except errors.SyncTuiError as exc:
                if done and exc.hint is None:
                    exc.hint = f"already applied: {', '.join(done)}"
                raise
        sync = await self._complete(raw) if raw is not None else await self.get_or_none(sync_id)
        return WriteResult(message=" and ".join(done), sync=sync, run=run)

    # --- writes ---------------------------------------------------------------------------
    async def _send_put(
        self, sync_id: str, body: dict[str, Any], current: dict[str, Any]
    ) -> dict[str, Any]:
        """PUT the whole object; if the answer is lost, the sync itself decides.

        Applied iff the sync now holds the document sent (`same_document`). Not applied iff it
        still is what it was just before the PUT (`current`: every editable field, and its
        `updated_at` where it has one); only then is it sent again. Anything else means
        someone else wrote in between: a conflict, not something to overwrite.
        """
        path = self.sync_path(sync_id)
        moved: list[dict[str, Any]] = []
        was = self._editable_raw(current)

        async def send() -> dict[str, Any]:
            response = await self.request("PUT", path, body=body, write=True)
            return self.read_object(response, "update")

        async def verify() -> dict[str, Any] | None:
            now = await self.read_raw(sync_id)
            if same_document(body, now):
                return now
            if json_equal(self._editable_raw(now), was) and now.get("updated_at") == current.get(
                "updated_at"
            ):
                return None  # visibly not written: sending it again is safe
            moved.append(now)
            return now

        raw = await self.confirm_or_retry(send, verify)
        if moved and raw is moved[0]:
            raise errors.Conflict(
                f"{self.account.name}: {sync_id} changed on the server while the update was "
                "being sent; the answer was lost and the sync now differs from what was sent",
                hint="reload it to see whether your change is there",
            )
        return raw

    async def _first_runs(self, sync_id: str) -> list[Run]:
        """The first page of executions (newest first): the record of runs, read once."""
        payload = self._payload(
            await self.request("GET", self.sync_path(sync_id, "/executions")), "executions"
        )
        items = payload["data"] if isinstance(payload["data"], list) else []
        return [r for r in map(parse_run, items) if r is not None]

    async def _start_execution(self, sync_id: str, key: str, body: Any = None) -> Run:
        """POST an execution, and if its answer is lost, look in the executions list.

        The ids on the list's first page are noted before sending; after a lost answer, an
        execution that was not there is the one started (the list is the record of runs; a
        summary such as `/status` is not read for this). None there: it did not start, and it
        is sent again with the same `Idempotency-Key`, so even a run the list has not shown
        yet is replayed by the vendor, never started twice.
        """
        path = self.sync_path(sync_id, "/executions")
        known = {run.id for run in await self._first_runs(sync_id)}

        async def send() -> Run:
            response = await self.request(
                "POST",
                path,
                body=body if body is not None else {},
                headers={"Idempotency-Key": key},
                write=True,
            )
            run = parse_run(self.read_object(response, "execution"))
            if run is None:
                raise self.unreadable("execution")
            return run

        async def verify() -> Run | None:
            return next((r for r in await self._first_runs(sync_id) if r.id not in known), None)

        return await self.confirm_or_retry(send, verify)

    async def set_active(self, sync_id: str, active: bool) -> WriteResult:
        """`POST /activate`; a lost answer is settled by re-reading `active`."""
        current = await self.read_raw(sync_id)
        if current.get("active") is active:
            word = "active" if active else "paused"
            return WriteResult(message=f"already {word}", sync=await self._complete(current))
        path = self.sync_path(sync_id, "/activate")

        async def send() -> dict[str, Any]:
            response = await self.request("POST", path, body={"active": active}, write=True)
            data = self.read_object(response, "activate")
            if data.get("active") is not active:
                raise errors.VendorError(
                    f"{self.account.name}: unreadable answer to activate", status=None
                )
            return data

        async def verify() -> dict[str, Any] | None:
            now = await self.read_raw(sync_id)
            return now if now.get("active") is active else None

        await self.confirm_or_retry(send, verify)
        # Re-read: the activation moved `updated_at`, which the next edit's conflict check uses.
        sync = await self.get_or_none(sync_id)
        return WriteResult(message="resumed" if active else "paused", sync=sync)

    async def trigger(self, sync_id: str) -> WriteResult:
        run = await self._start_execution(sync_id, new_idempotency_key())
        return WriteResult(message="triggered", sync=await self.get_or_none(sync_id), run=run)

    async def delete(self, sync_id: str) -> WriteResult:
        return await self.delete_verified(sync_id)

    async def create(self, body: dict[str, Any]) -> Sync:
        """POST a new sync (validated first), with an Idempotency-Key so a resend cannot
        create two.

        If the answer is lost, the list decides: it comes newest `updated_at` first, so the
        ids on its first page are noted before sending, and a row that was not there, with the
        same name, mode and target, is the sync created. None there: it is sent again with
        the same key (the vendor replays a create it did make).
        """
        name = self.account.name
        if not isinstance(body, dict):
            raise errors.ValidationFailed(f"{name}: a sync must be a JSON object")
        document = {k: v for k, v in body.items() if not is_read_only(k)}
        issues = validate_sync(document)
        if issues:
            raise errors.ValidationFailed(
                f"{name}: " + "; ".join(i.message for i in issues), issues
            )
        key = new_idempotency_key()
        known = {row.get("id") for row in await self._first_rows()}
        target = found if isinstance(found := document.get("target"), dict) else {}
        same = {
            "name": document.get("name"),
            "mode": document.get("mode"),
            "target_connection_id": target.get("connection_id"),
        }

        async def send() -> dict[str, Any]:
            response = await self.request(
                "POST", "/api/syncs", body=document, headers={"Idempotency-Key": key}, write=True
            )
            return self.read_object(response, "create")

        async def verify() -> dict[str, Any] | None:
            for row in await self._first_rows():
                if row.get("id") not in known and all(
                    json_equal(row.get(k), v) for k, v in same.items()
                ):
                    return await self.read_raw(row["id"])
            return None

        created = await self.confirm_or_retry(send, verify)
        return self._parse(created, None, status_known=True)

    async def _first_rows(self) -> list[dict[str, Any]]:
        """The list's first page (newest `updated_at` first), as raw rows."""
        payload = self._payload(
            await self.request("GET", "/api/syncs", params={"limit": PAGE_SIZE}), "syncs"
        )
        items = payload["data"] if isinstance(payload["data"], list) else []
        return [item for item in items if isinstance(item, dict)]
