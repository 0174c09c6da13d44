"""Signalsmith: reverse-ETL syncs over REST under `/api/v1/workspaces/{workspace_id}/syncs`.

Every request names its workspace twice, in the path and in `X-Workspace-ID`, so an account
carries its workspace id. Lists are documented as a bare array, while one reference pages them
with `?page&page_size` (≤100) inside `{data, pagination:{page, page_size, total}}`; the adapter
always asks for pages and accepts either answer, so it works against both.

Editing: the vendor's `PUT` is a *partial* update ("only include fields you want to change"),
so a merge patch over the sync's own fields becomes a PUT of exactly the top-level fields whose
value changes (`field_mapping` and `config` whole, as the vendor replaces them whole). Fields
synctui does not model are never sent unless the user changes them, so they cannot be lost.
A partial PUT cannot remove a field; a `null` in the patch therefore clears the three optional
fields to their empty value (`description` "", `schedule` "" = manual runs only, `config` {})
and is refused for the rest.

Writes and retries: every write is sent as non-idempotent, so the shared transport never
resends one whose answer was lost; `confirm_or_retry` re-reads first, and only what the vendor
documents as the record of that write: a PUT counts as applied when the sync itself reads back
with every sent field; a trigger when the runs list holds a run it did not hold before sending.
`last_run_id` is never used for that: nothing documents whether it moves when a run starts or
when it ends. So a dropped connection can neither apply an edit twice nor start a second run.

A trigger is sent whatever the sync's status: a refusal for a paused or draft sync is not
documented, so it is Signalsmith's answer (a 409, mapped to words) that is shown, not a rule of
ours.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from synctui.domain import errors
from synctui.domain.merge_patch import apply_merge_patch, json_equal
from synctui.domain.models import (
    PlannedRequest,
    Run,
    Sync,
    WritePlan,
    WriteResult,
)
from synctui.domain.pacing import RateLimit, WritePacing
from synctui.domain.validation import ValidationIssue
from synctui.vendors.base import PlanDraft
from synctui.vendors.rest import Kind, Problem, RestAdapter, id_segment, json_or_none
from synctui.vendors.signalsmith_parse import (
    RunsSeen,
    SignalsmithSync,
    describe_schedule,
    field_of,
    parse_run,
    parse_sync,
    sent_fields_applied,
)
from synctui.vendors.signalsmith_rules import RULES, SERVER_OWNED, validate_sync

__all__ = [
    "PAUSED_MESSAGE",
    "SERVER_OWNED",
    "SignalsmithAdapter",
    "describe_schedule",
    "parse_run",
    "parse_sync",
]

PAGE_SIZE = 100  # the vendor's maximum page_size
PAUSED_MESSAGE = "sync is paused: resume it before triggering"
DRAFT_MESSAGE = "sync is a draft: set its status to active before triggering"
RUNNING_MESSAGE = "a run is already in progress"
LATEST_RUN = "latest run"  # the secondary read of a sync shown in full

# What a `null` in a patch becomes: a partial PUT cannot delete a field, only set it.
CLEARED_VALUES: dict[str, Any] = {"description": "", "schedule": "", "config": {}}


# --- the adapter ---------------------------------------------------------------------------
class SignalsmithAdapter(RestAdapter):
    vendor = "signalsmith"
    vendor_title = RULES.title
    rate_limit_note = " (100 requests a minute, 20 a second per workspace)"
    rules = RULES
    capabilities = RULES.capabilities
    # One account is one workspace, the unit Signalsmith counts requests per.
    write_pacing = WritePacing(
        ceiling=8,
        limits=(RateLimit(100, 60.0), RateLimit(20, 1.0)),
        source="Signalsmith documents 100 requests/minute and 20/second per workspace",
    )
    table_columns: ClassVar[tuple[tuple[str, str], ...]] = (
        ("name", "Name"),
        ("model_destination", "Model → destination"),
        ("sync_mode", "Sync mode"),
        ("schedule", "Schedule"),
        ("vendor_status", "Vendor status"),
    )
    page_size = PAGE_SIZE

    # --- plumbing -------------------------------------------------------------------------
    @property
    def workspace(self) -> str:
        workspace = (self.account.workspace or "").strip()
        if not workspace:
            raise errors.ConfigError(
                f"{self.account.name}: no Signalsmith workspace id configured",
                hint='add workspace = "WORKSPACE_ID" to this account in accounts.toml',
            )
        return workspace

    def client_headers(self) -> dict[str, str]:
        return {"X-Workspace-ID": self.workspace, "Accept": "application/json"}

    def _write_headers(self, *, body: bool) -> dict[str, str]:
        """What a write carries besides the client's defaults, as a dry run shows it."""
        headers = {**self.auth_headers(), "X-Workspace-ID": self.workspace}
        if body:
            headers["Content-Type"] = "application/json"
        return headers

    def sync_path(self, sync_id: str | None = None, suffix: str = "") -> str:
        base = f"/api/v1/workspaces/{quote(self.workspace, safe='')}/syncs"
        if sync_id is None:
            return base + suffix
        return f"{base}/{id_segment(sync_id, self.vendor_title)}{suffix}"

    def read_problem(self, response: httpx.Response) -> Problem:
        """`{"error": message}` (or `message`); a body without one is its own message."""
        body = json_or_none(response)
        text = None
        if isinstance(body, dict):
            text = body.get("error") or body.get("message")
        if not isinstance(text, str) or not text.strip():
            try:
                text = response.text.strip() or f"HTTP {response.status_code}"
            except UnicodeDecodeError:
                text = f"HTTP {response.status_code}"
        return self.problem(response, text)

    def vendor_error(self, problem: Problem) -> errors.SyncTuiError | None:
        """Signalsmith says what went wrong in words only, so the words decide."""
        name, message = self.account.name, problem.message
        low = message.lower()
        if problem.kind is Kind.FORBIDDEN and ("read-only" in low or "read only" in low):
            return errors.PermissionDenied(
                f"{name}: token is read-only", hint="use a token that may write"
            )
        if problem.kind is Kind.NOT_FOUND and "workspace" in low:
            return errors.NotFound(
                f"{name}: Signalsmith workspace {self.workspace} not found",
                hint="check this account's workspace id and the token's access",
            )
        if problem.kind is Kind.CONFLICT:  # the vendor's refusal, in its words and ours
            if "paused" in low:
                return errors.SyncPaused(f"{name}: {PAUSED_MESSAGE} (Signalsmith: {message})")
            if "draft" in low:
                return errors.InvalidState(f"{name}: {DRAFT_MESSAGE} (Signalsmith: {message})")
            if "in progress" in low or "already" in low:
                return errors.InvalidState(f"{name}: {RUNNING_MESSAGE} (Signalsmith: {message})")
        if problem.kind is Kind.INVALID and "x-workspace-id" in low:
            return errors.ConfigError(
                f"{name}: Signalsmith refused the workspace header ({message})",
                hint="check this account's workspace id",
            )
        return None

    def field_of(self, message: str) -> str:
        return field_of(message)

    # --- reads ----------------------------------------------------------------------------
    async def _pages(
        self, path: str, what: str, page_size: int | None = None
    ) -> AsyncGenerator[list[Any]]:
        """Items page by page via `page`/`page_size`; a bare array is the whole list at once.
        Items already listed are dropped, and the page guard stops a listing that never ends."""
        size = page_size or self.page_size
        fetched = 0
        guard = self.pages(what)
        page = 0
        while True:
            page += 1
            response = await self.request("GET", path, params={"page": page, "page_size": size})
            payload = self.read_json(response, what)
            if isinstance(payload, list):  # the documented, unpaged shape
                yield payload
                return
            items = payload.get("data") if isinstance(payload, dict) else None
            if not isinstance(items, list):
                raise errors.VendorError(
                    f"{self.account.name}: Signalsmith sent an unreadable page of {what}"
                )
            fresh = guard.fresh(items)
            if fresh:
                yield fresh
            fetched += len(items)
            pagination = payload.get("pagination")
            pagination = pagination if isinstance(pagination, dict) else {}
            total, served = pagination.get("total"), pagination.get("page_size")
            if not items:
                return
            if isinstance(total, int) and not isinstance(total, bool):
                if fetched >= total:
                    return
            elif len(items) < (served if isinstance(served, int) and served > 0 else size):
                return
            guard.follow(None)

    async def check(self) -> str:
        response = await self.request("GET", self.sync_path(), params={"page": 1, "page_size": 1})
        payload = self.read_json(response, "syncs")
        if isinstance(payload, list):
            count: Any = len(payload)
        elif isinstance(payload, dict) and isinstance(payload.get("data"), list):
            pagination = payload.get("pagination")
            count = pagination.get("total", "?") if isinstance(pagination, dict) else "?"
        else:
            raise errors.VendorError(f"{self.account.name}: unreadable answer from Signalsmith")
        return f"workspace {self.workspace} readable: {count} syncs"

    async def iter_syncs(self) -> AsyncIterator[list[Sync]]:
        async for items in self._pages(self.sync_path(), "syncs"):
            page = [s for s in (parse_sync(self.account.name, i) for i in items) if s is not None]
            if page:
                yield page

    def _parse(self, raw: dict[str, Any], latest_run: Run | None = None) -> Sync:
        sync = parse_sync(self.account.name, raw, latest_run=latest_run)
        if sync is None:
            raise errors.VendorError(f"{self.account.name}: unreadable sync from Signalsmith")
        return sync

    async def _read_run(self, sync_id: str, run_id: str) -> Run:
        response = await self.request(
            "GET", self.sync_path(sync_id, f"/runs/{id_segment(run_id, 'Signalsmith run')}")
        )
        run = parse_run(self.read_json(response, "run"))
        if run is None:
            raise self.unreadable("run")
        return run

    async def _run_or_none(self, sync_id: str, run_id: Any) -> Run | None:
        """One run, or None: a run that cannot be read must not hide its sync."""
        if not isinstance(run_id, str) or not run_id:
            return None
        try:
            return await self._read_run(sync_id, run_id)
        except errors.SyncTuiError:
            return None

    async def get_sync(self, sync_id: str) -> Sync:
        """The sync, with its latest run when it names one (one more read)."""
        raw = await self.read_raw(sync_id)
        run = await self._run_or_none(sync_id, raw.get("last_run_id"))
        return self._parse(raw, run)

    # For display (services/detail.py): the latest run (`last_run_id`, "ID of the most recent
    # run") is a secondary read, marked unavailable when it fails.
    async def read_sync(self, sync_id: str) -> Sync:
        return self._parse(await self.read_raw(sync_id))

    def side_reads(self, sync: Sync) -> dict[str, Callable[[], Awaitable[Any]]]:
        run_id = sync.raw.get("last_run_id")
        if not isinstance(run_id, str) or not run_id:
            return {}
        return {LATEST_RUN: lambda: self._read_run(sync.id, run_id)}

    def with_parts(self, sync: Sync, parts: dict[str, Any]) -> Sync:
        return self._parse(sync.raw, parts.get(LATEST_RUN))

    async def list_runs(self, sync_id: str, limit: int = 20) -> list[Run]:
        """Runs newest first, up to `limit`, reading only as many pages as that needs."""
        if limit <= 0:
            return []
        runs: list[Run] = []
        pages = self._pages(self.sync_path(sync_id, "/runs"), "runs", min(PAGE_SIZE, limit))
        try:
            async for items in pages:
                runs.extend(r for r in map(parse_run, items) if r is not None)
                if len(runs) >= limit:
                    break
        finally:
            await pages.aclose()
        # Stable: runs created in the same second keep the vendor's order.
        runs.sort(key=lambda r: r.created_at or "", reverse=True)
        return runs[:limit]

    # --- editing --------------------------------------------------------------------------
    def editable(self, sync: Sync) -> dict[str, Any]:
        """The sync's own fields minus the server-owned ones, unknown fields included."""
        self.require_readable(SignalsmithSync, sync)
        return {k: copy.deepcopy(v) for k, v in sync.raw.items() if k not in SERVER_OWNED}

    def _refuse(self, issues: list[ValidationIssue]) -> errors.ValidationFailed:
        return errors.ValidationFailed(
            f"{self.account.name}: " + "; ".join(i.message for i in issues), issues
        )

    async def plan_update(
        self, sync: Sync, patch: dict[str, Any], *, trigger_now: bool = False
    ) -> WritePlan:
        """Validate, then a PUT of the changed top-level fields (+ the trigger); sends nothing."""
        patch = self.own_patch(sync, patch)
        before = self.editable(sync)
        issues = [
            ValidationIssue(key, f"{key} is set by Signalsmith and cannot be edited")
            for key in patch
            if key in SERVER_OWNED
        ]
        merged = apply_merge_patch(
            before, {k: v for k, v in patch.items() if k not in SERVER_OWNED}
        )
        for key in before:
            if key in merged:
                continue
            if key in CLEARED_VALUES:
                merged[key] = copy.deepcopy(CLEARED_VALUES[key])
            else:
                issues.append(
                    ValidationIssue(
                        key,
                        f"{key} cannot be removed: Signalsmith's update only changes the fields "
                        "it is sent",
                    )
                )
        # The edited document in the order it was loaded, new fields last.
        after = {k: merged[k] for k in before if k in merged}
        after.update({k: v for k, v in merged.items() if k not in after})
        changed = [
            key
            for key in patch
            if key in after and (key not in before or not json_equal(before[key], after[key]))
        ]
        body = {key: copy.deepcopy(after[key]) for key in changed}
        for issue in validate_sync(body, creating=False):
            issues.append(issue)
        if issues:
            raise self._refuse(issues)
        # A trigger is planned whatever the status: Signalsmith documents no refusal of a run
        # for a paused or draft sync, so whether it runs is the vendor's answer to show.

        draft = PlanDraft(sync, patch, before, after)
        if body:
            noun = "field" if len(body) == 1 else "fields"
            draft.summary.append(f"PUT {len(body)} {noun} ({', '.join(body)})")
            draft.requests.append(
                PlannedRequest(
                    method="PUT",
                    url=f"{self.base_url}{self.sync_path(sync.id)}",
                    headers=self.masked(self._write_headers(body=True)),
                    body=body,
                    note="only the changed fields: Signalsmith keeps every field it is not sent; "
                    "sent only if those fields still hold what was loaded",
                )
            )
        if trigger_now:
            draft.summary.append("trigger now")
            draft.requests.append(
                PlannedRequest(
                    method="POST",
                    url=f"{self.base_url}{self.sync_path(sync.id, '/trigger')}",
                    headers=self.masked(self._write_headers(body=False)),
                    note="start a run once updated; a lost answer is checked, never resent blindly",
                )
            )
        return self.write_plan(
            draft,
            trigger_now=trigger_now,
            sync_id=sync.id,
            body=body,
            trigger=trigger_now,
        )

    async def apply(self, plan: WritePlan) -> WriteResult:
        """Send the plan's PUT body, then its trigger, after checking nothing moved under it."""
        self.own_plan(plan)
        sync_id = plan.payload.get("sync_id")
        body = plan.payload.get("body") or {}
        trigger = bool(plan.payload.get("trigger"))
        if not isinstance(sync_id, str) or not isinstance(body, dict):
            raise errors.UsageError("this plan does not name its sync")
        if not body and not trigger:
            return WriteResult(message="nothing to change")
        fresh = await self.read_raw(sync_id)
        self.refuse_if_moved(sync_id, body, plan.before, fresh)
        seen = await self._runs_seen(sync_id) if trigger else None
        done: list[str] = []
        raw = fresh
        run: Run | None = None
        try:
            if body:
                raw = await self._send_put(sync_id, body)
                done.append("updated")
            if seen is not None:
                run = await self._send_trigger(sync_id, seen)
                done.append("triggered")
        except errors.SyncTuiError as exc:
            if done and exc.hint is None:
                exc.hint = f"already applied: {', '.join(done)}"
            raise
        sync = await self.get_or_none(sync_id) if trigger else self._parse(raw)
        return WriteResult(message=" and ".join(done), sync=sync, run=run)

    # --- writes ---------------------------------------------------------------------------
    async def _send_put(self, sync_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """PUT some fields; applied iff a re-read shows every one of them."""
        path = self.sync_path(sync_id)

        async def send() -> dict[str, Any]:
            return self.read_object(
                await self.request("PUT", path, body=body, write=True), "update"
            )

        async def verify() -> dict[str, Any] | None:
            now = await self.read_raw(sync_id)
            return now if sent_fields_applied(body, now) else None

        return await self.confirm_or_retry(send, verify)

    async def _runs_seen(self, sync_id: str) -> RunsSeen:
        """The first page of the sync's runs list — the vendor's record of its runs — as it
        is now: what a trigger's lost answer is checked against (see `_send_trigger`)."""
        response = await self.request(
            "GET", self.sync_path(sync_id, "/runs"), params={"page": 1, "page_size": PAGE_SIZE}
        )
        payload = self.read_json(response, "runs")
        if isinstance(payload, list):  # the documented bare array: every run there is
            return RunsSeen(payload, total=len(payload), complete=True)
        items = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(items, list):
            raise self.unreadable("runs")
        pagination = payload.get("pagination")
        total = pagination.get("total") if isinstance(pagination, dict) else None
        if not isinstance(total, int) or isinstance(total, bool):
            total = None
        complete = total is not None and len(items) >= total
        return RunsSeen(items, total=total, complete=complete)

    async def _send_trigger(self, sync_id: str, before: RunsSeen) -> Run:
        """POST the trigger; a lost answer is settled by the runs list, never `last_run_id`.

        Nothing documents whether `last_run_id` moves when a run is triggered or when it
        completes, so it cannot tell a lost trigger from one that never arrived. The runs
        list can: a run that was not in it before (`before`) is the one started; a list that
        visibly holds no new run means the trigger did not land and it is sent again; a list
        whose total grew without the new run on its first page is reported as unknown.
        """
        path = self.sync_path(sync_id, "/trigger")

        async def send() -> Run:
            response = await self.request("POST", path, write=True)
            run = parse_run(self.read_json(response, "trigger"))
            if run is None:
                raise self.unreadable("trigger")
            return run

        async def verify() -> Run | None:
            now = await self._runs_seen(sync_id)
            new = [run for run in now.runs() if run.id not in before.ids]
            if new:
                return max(new, key=lambda r: r.created_at or "")
            if now.total is not None and before.total is not None:
                if now.total > before.total:
                    raise errors.OutcomeUnknown(
                        f"{self.account.name}: a new run of {sync_id} is listed but not among "
                        "the newest page; it was not triggered again",
                        hint="see its runs to check which run it is",
                    )
                return None  # the record holds no new run: the trigger did not land
            if now.complete and before.complete:
                return None
            raise errors.OutcomeUnknown(
                f"{self.account.name}: the runs list of {sync_id} cannot show whether the "
                "trigger landed; it was not triggered again",
                hint="see its runs to check",
            )

        return await self.confirm_or_retry(send, verify)

    async def set_active(self, sync_id: str, active: bool) -> WriteResult:
        """PUT `{"status": "active"|"paused"}` (resuming also activates a draft or error)."""
        raw = await self.read_raw(sync_id)
        target = "active" if active else "paused"
        if str(raw.get("status") or "").lower() == target:
            return WriteResult(message=f"already {target}", sync=self._parse(raw))
        updated = await self._send_put(sync_id, {"status": target})
        return WriteResult(message="resumed" if active else "paused", sync=self._parse(updated))

    async def trigger(self, sync_id: str) -> WriteResult:
        """POST the trigger, whatever the sync's status: a paused or draft sync's refusal is
        Signalsmith's to give (and is shown as it says it), not a rule of ours."""
        run = await self._send_trigger(sync_id, await self._runs_seen(sync_id))
        return WriteResult(message="triggered", sync=await self.get_or_none(sync_id), run=run)

    async def delete(self, sync_id: str) -> WriteResult:
        return await self.delete_verified(sync_id)

    async def _all_raw(self) -> list[Any]:
        out: list[Any] = []
        async for items in self._pages(self.sync_path(), "syncs"):
            out.extend(items)
        return out

    async def create(self, body: dict[str, Any]) -> Sync:
        """POST a new sync (validated first; server-owned fields are dropped, so a copy of
        another sync's JSON is a usable template).

        A create has no idempotency key, so before sending, the ids that exist are noted; if
        the answer is lost, a sync that was not there before and carries the same name, model,
        destination, mode and primary key is the one that was created, and nothing is resent.
        """
        name = self.account.name
        if not isinstance(body, dict):
            raise self._refuse([ValidationIssue("", "a sync must be a JSON object")])
        document = {k: copy.deepcopy(v) for k, v in body.items() if k not in SERVER_OWNED}
        issues = validate_sync(document, creating=True)
        if issues:
            raise self._refuse(issues)
        known = {i.get("id") for i in await self._all_raw() if isinstance(i, dict)}
        identity = ("name", "model_id", "destination_id", "sync_mode", "primary_key")

        async def send() -> dict[str, Any]:
            response = await self.request("POST", self.sync_path(), body=document, write=True)
            return self.read_object(response, "create")

        async def verify() -> dict[str, Any] | None:
            for item in await self._all_raw():
                if (
                    isinstance(item, dict)
                    and item.get("id") not in known
                    and all(json_equal(item.get(k), document.get(k)) for k in identity)
                ):
                    return item
            return None

        created = await self.confirm_or_retry(send, verify)
        sync = parse_sync(name, created)
        if sync is None:
            raise self.unreadable("create")
        return sync
