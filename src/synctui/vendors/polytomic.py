"""Polytomic: model syncs over REST (`/api/syncs`), versioned by the `X-Polytomic-Version` header.

The one rule that shapes this module: `PUT /api/syncs/{id}` is a **full replacement**. Any
field a request omits is cleared or reset on the vendor side, including fields synctui has
never heard of. So an edit is always: a fresh `GET`, refuse if the sync moved since the user
loaded it, apply the user's JSON merge patch to *the vendor's own JSON* (never to our models),
and `PUT` every field back. The pydantic models in `polytomic_models` are only for reading.

Writes and retries: the shared transport resends only what is safe to resend. The PUT, the
activation and the DELETE are marked non-idempotent (a blind resend after a concurrent edit
would clobber it), so a lost answer goes through `confirm_or_retry`, which re-reads the sync
to learn whether the write landed before sending it again. Execution POSTs always carry an
`Idempotency-Key`; the transport may then resend them and the vendor replays the first
answer, so a dropped connection can never start a second run.

Authentication is a Bearer API key, or on premises (`auth = "deployment"`) the deployment key
as HTTP Basic user name with an empty password. Both forms are registered with the redactor,
so neither can reach an error message or the call log.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import httpx
from pydantic import ValidationError

from synctui.domain import errors
from synctui.domain.cron import describe_cron
from synctui.domain.diff import changed_paths
from synctui.domain.merge_patch import apply_merge_patch, json_equal
from synctui.domain.models import (
    Capability,
    PlannedRequest,
    Run,
    RunState,
    Sync,
    SyncStatus,
    WritePlan,
    WriteResult,
)
from synctui.domain.validation import ValidationIssue, validate_polytomic_sync
from synctui.store.accounts import POLYTOMIC_DEFAULT_API_VERSION
from synctui.vendors.base import short_when, unreadable_sync
from synctui.vendors.polytomic_models import (
    PolytomicError,
    PolytomicExecution,
    PolytomicStatus,
    PolytomicSync,
    PolytomicSyncSummary,
)
from synctui.vendors.rest import Kind, Problem, RestAdapter, id_segment, json_or_none

PAGE_SIZE = 50  # the vendor's maximum `limit`
PAUSED_MESSAGE = "sync is paused: resume it before triggering"
RUNNING_MESSAGE = "a run is already in progress"
# Response-only fields: the vendor ignores them in a PUT, so they are not part of what a user
# edits (and a patch touching them is refused rather than silently ignored).
READ_ONLY_FIELDS = frozenset({"id", "model_ids"})
READ_ONLY_PREFIXES = ("created_", "updated_")
# Omitted from a PUT, these fall back to a server-side value rather than to empty.
SERVER_FILLED = frozenset({"organization_id"})
# Error keys for an `X-Polytomic-Version` the vendor does not accept.
VERSION_KEYS = ("missing_version", "unsupported_version")

# Execution status → RunState; unknown values become UNKNOWN and are shown verbatim.
RUN_STATES: dict[str, RunState] = {
    "created": RunState.QUEUED,
    "scheduled": RunState.QUEUED,
    "queued": RunState.QUEUED,
    "waiting": RunState.QUEUED,
    "running": RunState.RUNNING,
    "processing": RunState.RUNNING,
    "canceling": RunState.RUNNING,  # not over yet
    "completed": RunState.SUCCESS,
    "failed": RunState.FAILED,
    "interrupted": RunState.FAILED,
    "canceled": RunState.CANCELLED,
}

_DAY_NAMES = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")


def is_read_only(key: str) -> bool:
    return key in READ_ONLY_FIELDS or key.startswith(READ_ONLY_PREFIXES)


def new_idempotency_key() -> str:
    """`synctui-<32 hex>`: within the vendor's 8–255 characters of `[A-Za-z0-9_-]`."""
    return f"synctui-{uuid.uuid4().hex}"


# --- presentation (pure) -------------------------------------------------------------------


def _part(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _small_number(text: str | None) -> int | None:
    """'09' → 9; None for anything else. Not str.isdigit(), which also says yes to '²'
    (int() does not), and short, because int() refuses texts of over 4,300 digits."""
    if text is None or not (text.isascii() and text.isdigit()) or len(text) > 4:
        return None
    return int(text)


def _clock(hour: str | None, minute: str | None) -> str | None:
    """'9', '30' → '09:30' (only for plain numbers; anything else is left to cron)."""
    h, m = _small_number(hour), _small_number(minute)
    if h is None or m is None:
        return None
    return f"{h:02d}:{m:02d}"


def _cron_names(text: str) -> str:
    """'monday,wednesday' → 'mon,wed': the cron parser takes three-letter names only."""
    return re.sub(r"[A-Za-z]+", lambda m: m.group()[:3].lower(), text)


def _cron(schedule: dict[str, Any], default_minute: str = "*") -> str | None:
    """The schedule's time parts as a described cron expression, or None if they do not parse."""
    minute = _part(schedule.get("minute")) or default_minute
    hour = _part(schedule.get("hour")) or "*"
    dom = _part(schedule.get("day_of_month")) or "*"
    month = _cron_names(_part(schedule.get("month")) or "*")
    dow = _cron_names(_part(schedule.get("day_of_week")) or "*")
    try:
        return describe_cron(f"{minute} {hour} {dom} {month} {dow}")
    except Exception:  # a CronError or anything odd: the caller falls back to plain text
        return None


def describe_schedule(schedule: Any) -> str:
    """A schedule in a few words: 'hourly at :15', 'daily at 09:30', 'weekly on Monday at 07:30'.

    Unknown frequencies are shown as they are; a schedule we cannot read says so rather than
    guessing.
    """
    if not isinstance(schedule, dict):
        return "-" if schedule is None else str(schedule)
    frequency = schedule.get("frequency")
    if not isinstance(frequency, str) or not frequency:
        return "no frequency"
    hour, minute = _part(schedule.get("hour")), _part(schedule.get("minute"))
    at = _clock(hour, minute)
    if frequency in ("manual", "continuous"):
        return frequency
    if frequency == "hourly":
        at_minute = _small_number(minute)
        return f"hourly at :{at_minute:02d}" if at_minute is not None else "hourly"
    if frequency == "daily":
        return f"daily at {at}" if at else "daily"
    if frequency == "weekly":
        day = _part(schedule.get("day_of_week"))
        number = _small_number(day)
        if number is not None and number < 7:
            day = _DAY_NAMES[number]
        on = f" on {day.capitalize()}" if day else ""
        return f"weekly{on} at {at}" if at else f"weekly{on}"
    if frequency in ("custom", "builder"):
        described = _cron(schedule, default_minute="0" if frequency == "builder" else "*")
        return f"{frequency}: {described}" if described else frequency
    if frequency == "multi":
        multi = schedule.get("multi")
        subs = multi.get("schedules") if isinstance(multi, dict) else None
        if isinstance(subs, list) and subs:
            return " + ".join(describe_schedule(s) for s in subs)
        return "multiple schedules"
    if frequency == "runafter":
        after = schedule.get("run_after")
        ids = after.get("sync_ids") if isinstance(after, dict) else None
        if isinstance(ids, list) and ids:
            return f"after {len(ids)} other sync{'s' if len(ids) != 1 else ''}"
        return "after another sync"
    if frequency == "dbtcloud":
        job = schedule.get("job_id")
        return f"after dbt Cloud job {job}" if job is not None else "after a dbt Cloud job"
    return frequency


def describe_target(target: Any) -> str:
    """'connection/object', the connection id shortened: there is no connection name to show."""
    if not isinstance(target, dict):
        return "-"
    connection = target.get("connection_id")
    obj = target.get("object") or target.get("new_name")
    conn = connection[:8] if isinstance(connection, str) and connection else "?"
    return f"{conn}/{obj}" if obj else conn


def run_state(status: Any) -> RunState:
    if not isinstance(status, str):
        return RunState.UNKNOWN
    return RUN_STATES.get(status.strip().lower(), RunState.UNKNOWN)


def _count(counts: dict[str, Any], key: str) -> int | None:
    value = counts.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def run_summary(counts: Any) -> str:
    """'5,420 records synced, 3 failed' from an execution's counts."""
    if not isinstance(counts, dict):
        return ""
    total, failed = _count(counts, "total"), _count(counts, "error") or 0
    if total is None:
        parts = [_count(counts, k) for k in ("insert", "update", "delete")]
        total = sum(p for p in parts if p is not None) + failed
    synced = max(0, total - failed)
    text = f"{synced:,} record{'s' if synced != 1 else ''} synced"
    return f"{text}, {failed:,} failed" if failed else text


def parse_run(item: Any) -> Run | None:
    """An execution as a Run, or None if it cannot be read (it is then left out)."""
    try:
        model = PolytomicExecution.model_validate(item)
    except ValidationError:
        return None
    status = model.status or ""
    state = run_state(status)
    messages = [str(e) for e in model.errors or [] if e]
    return Run(
        id=model.id,
        state=state,
        vendor_status=status,
        created_at=model.created_at,
        started_at=model.started_at,
        finished_at=model.completed_at,
        summary=run_summary(model.counts),
        error="; ".join(messages) or None,
        raw=item,
    )


def _failure_reason(run: Run) -> str:
    what = run.error or f"execution {run.vendor_status}"
    return f"last execution failed: {what}" + (f" ({run.summary})" if run.summary else "")


def _last_execution_column(run: Run | None, status_known: bool) -> str:
    if run is None:
        return "never" if status_known else "?"
    when = short_when(run.finished_at or run.started_at or run.created_at)
    return f"{run.vendor_status or '?'} · {when}" if when else run.vendor_status or "?"


def parse_sync(
    account: str, item: Any, status: Any = None, *, complete: bool, status_known: bool = True
) -> Sync | None:
    """A `Sync` from a list summary or a full sync, plus its `/status` answer if fetched.

    Normalized status: inactive → PAUSED, active and the last *finished* execution failed →
    ERROR (its errors and counts as the reason), otherwise ACTIVE. `latest_run` is the
    execution in progress if any, else the last finished one.

    An item that does not parse still shows up (status unknown, the reason saying why) as long
    as it has an id, so one bad row never hides a list. Without an id it cannot be addressed
    and is left out (None).
    """
    model_cls = PolytomicSync if complete else PolytomicSyncSummary
    try:
        model = model_cls.model_validate(item)
    except ValidationError as exc:
        return unreadable_sync(
            item, exc, account=account, vendor="polytomic", title="Polytomic", complete=complete
        )

    current = last = None
    if isinstance(status, dict):
        try:
            parsed = PolytomicStatus.model_validate(status)
        except ValidationError:
            parsed = None
            status_known = False
        if parsed is not None:
            current = parse_run(parsed.current_execution) if parsed.current_execution else None
            last = parse_run(parsed.last_execution) if parsed.last_execution else None
    latest = current or last

    reason: str | None = None
    if model.active is None:
        state, word = SyncStatus.UNKNOWN, "unknown"
        reason = "Polytomic did not say whether this sync is active"
    elif not model.active:
        state, word = SyncStatus.PAUSED, "inactive"
        if last is not None and last.state is RunState.FAILED:
            reason = _failure_reason(last)  # still worth knowing before resuming it
    elif last is not None and last.state is RunState.FAILED:
        state, word = SyncStatus.ERROR, "active"
        reason = _failure_reason(last)
    else:
        state, word = SyncStatus.ACTIVE, "active"
    vendor_status = f"{word}, last execution {latest.vendor_status}" if latest else word

    columns = {
        "name": model.name or model.id,
        "mode": model.mode or "-",
        "schedule": describe_schedule(item.get("schedule")),
        "target": describe_target(item.get("target")),
        "active": "?" if model.active is None else ("yes" if model.active else "no"),
        "last_execution": _last_execution_column(latest, status_known),
    }
    return Sync(
        account=account,
        vendor="polytomic",
        id=model.id,
        name=model.name or model.id,
        status=state,
        vendor_status=vendor_status,
        status_reason=reason,
        columns=columns,
        updated_at=model.updated_at,
        latest_run=latest,
        complete=complete,
        raw=item,
    )


def _readable(raw: dict[str, Any]) -> bool:
    """Does a full sync read as one (what `parse_sync` would show without "unreadable")?"""
    try:
        PolytomicSync.model_validate(raw)
    except ValidationError:
        return False
    return True


def _strip_nulls(value: Any) -> Any:
    """Null object members dropped: the vendor stores an omitted optional field as null."""
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_nulls(v) for v in value]
    return value


def _cleared(value: Any) -> bool:
    """What an omitted field reads back as after a full replacement: null, [], {} or false."""
    return value is None or value is False or (isinstance(value, list | dict) and not value)


def same_document(sent: dict[str, Any], now: dict[str, Any]) -> bool:
    """Does the sync as read now hold the document that was PUT?

    Every field sent must read back equal (null and absent count as the same), and every
    field left out must read back cleared: a full replacement resets what it omits.
    Read-only fields are the server's, not the client's, to compare.
    """
    return all(
        json_equal(_strip_nulls(value), _strip_nulls(now.get(key)))
        for key, value in sent.items()
        if not is_read_only(key)
    ) and all(
        _cleared(value)
        for key, value in now.items()
        if key not in sent and not is_read_only(key) and key not in SERVER_FILLED
    )


def new_issues(before: dict[str, Any], after: Any) -> list[ValidationIssue]:
    """What the validator finds in the edited sync that it did not find in the loaded one.

    The vendor accepts values our validator does not understand (a `custom` schedule's cron
    parts like "*/30", for instance); an edit that leaves them alone must not be refused.
    """
    already = {(i.path, i.message) for i in validate_polytomic_sync(before)}
    return [i for i in validate_polytomic_sync(after) if (i.path, i.message) not in already]


# --- the adapter ---------------------------------------------------------------------------
class PolytomicAdapter(RestAdapter):
    vendor = "polytomic"
    vendor_title = "Polytomic"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.LIST,
            Capability.GET,
            Capability.EDIT,
            Capability.PAUSE_RESUME,
            Capability.TRIGGER,
            Capability.RUNS,
            Capability.DELETE,
            Capability.CREATE,
        }
    )
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
        """Polytomic's keys refine the status: a key that may write, the API version, and
        what a 409 is about."""
        name, key, metadata = self.account.name, problem.code, problem.metadata
        if problem.kind is Kind.FORBIDDEN and key == "forbidden":
            return errors.PermissionDenied(
                f"{name}: not allowed by Polytomic ({problem.message})",
                hint="use a key that may write",
            )
        # A rejected key or a missing sync is the problem to report, even with a version key.
        if key in VERSION_KEYS and problem.kind not in (Kind.AUTH, Kind.FORBIDDEN, Kind.NOT_FOUND):
            supported = metadata.get("supported")
            listed = ", ".join(map(str, supported)) if isinstance(supported, list) else None
            return errors.ConfigError(
                f"{name}: Polytomic does not accept API version {self.api_version}",
                hint=f"set api_version to one of {listed}" if listed else "check api_version",
            )
        if problem.kind is Kind.CONFLICT:
            if key == "sync_inactive":
                return errors.SyncPaused(PAUSED_MESSAGE)
            if key == "idempotency_key_in_use":
                return errors.InvalidState(
                    f"{name}: the same request is still being processed; try again in a moment"
                )
            return errors.InvalidState(f"{name}: {RUNNING_MESSAGE}")
        return None

    def issues_for(self, problem: Problem) -> list[ValidationIssue]:
        """422 `metadata.errors` is `{path: reason}`; each becomes one issue naming its field."""
        metadata = problem.metadata
        found = metadata.get("errors")
        if isinstance(found, dict) and found:
            return [
                ValidationIssue(str(path), self.redact(f"{path} {reason}"))
                for path, reason in found.items()
            ]
        field = metadata.get("field") or metadata.get("parameter") or metadata.get("header")
        return [ValidationIssue(str(field), f"{field} was refused")] if field else []

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
        raw, status = await asyncio.gather(
            self.read_raw(sync_id), self._read_status(sync_id), return_exceptions=True
        )
        for outcome in (raw, status):
            if isinstance(outcome, BaseException):
                raise outcome
        assert isinstance(raw, dict)
        return self._parse(raw, status)

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
        """Every field of the vendor's JSON except the response-only ones.

        For a list summary this is a subset of the sync; that is harmless, because
        `plan_update` applies the patch to a fresh full GET, never to this document.
        """
        return {k: copy.deepcopy(v) for k, v in sync.raw.items() if not is_read_only(k)}

    def _editable_raw(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {k: copy.deepcopy(v) for k, v in raw.items() if not is_read_only(k)}

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
        if fresh.get("id") != sync.id or not _readable(fresh):
            # A full replacement is built from this answer: never from one we cannot read.
            raise errors.VendorError(
                f"{name}: Polytomic answered with something that is not {sync.id} as synctui "
                "can read it; nothing was planned",
                hint="reload it and try again",
            )
        if self._moved(sync, fresh):
            raise self._conflict(sync.id)
        before = self._editable_raw(fresh)
        after = apply_merge_patch(before, patch)
        issues = new_issues(before, after)
        if issues:
            raise errors.ValidationFailed(
                f"{name}: {sync.id}: " + "; ".join(i.message for i in issues), issues
            )
        if trigger_now and after.get("active") is not True:
            raise errors.SyncPaused(PAUSED_MESSAGE)

        changes = changed_paths(before, after)
        requests: list[PlannedRequest] = []
        summary: list[str] = []
        if changes:
            requests.append(
                PlannedRequest(
                    method="PUT",
                    url=f"{self.base_url}{self.sync_path(sync.id)}",
                    headers=self._write_headers(),
                    body=after,
                    note="full replacement: every field as loaded, with the patch applied; "
                    "sent only if the sync still matches what was loaded",
                )
            )
            noun = "field" if len(changes) == 1 else "fields"
            summary.append(f"PUT whole object ({len(changes)} {noun} changed)")
        if trigger_now:
            key = new_idempotency_key()
            requests.append(
                PlannedRequest(
                    method="POST",
                    url=f"{self.base_url}{self.sync_path(sync.id, '/executions')}",
                    headers=self._write_headers({"Idempotency-Key": key}),
                    body={},
                    note="start a run; a retry with the same key replays, never starts a second",
                )
            )
            summary.append("trigger now")
        return WritePlan(
            account=name,
            vendor=self.vendor,
            sync_id=sync.id,
            patch=patch,
            before=before,
            after=after,
            summary=" + ".join(summary) or "no changes",
            requests=requests,
            trigger_now=trigger_now,
            payload={"sync_id": sync.id, "updated_at": fresh.get("updated_at")},
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
                if request.method == "PUT":
                    current = await self.read_raw(sync_id)
                    if current.get("updated_at") != plan.payload.get("updated_at"):
                        raise self._conflict(sync_id)
                    raw = await self._send_put(sync_id, request.body, current.get("updated_at"))
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
        self, sync_id: str, body: dict[str, Any], updated_before: Any
    ) -> dict[str, Any]:
        """PUT the whole object; if the answer is lost, a re-read decides.

        Not applied iff the sync still has the `updated_at` it had before (then it is sent
        once more). Applied iff it moved and reads back as the document sent. Moved but
        different means someone else wrote in between: a conflict, not something to overwrite.
        """
        path = self.sync_path(sync_id)
        moved: list[dict[str, Any]] = []

        async def send() -> dict[str, Any]:
            response = await self.request("PUT", path, body=body, write=True)
            return self.read_object(response, "update")

        async def verify() -> dict[str, Any] | None:
            now = await self.read_raw(sync_id)
            if updated_before is not None and now.get("updated_at") == updated_before:
                return None  # nothing was written since the read before the PUT
            if same_document(body, now):
                return now
            if updated_before is None:
                return None  # no timestamp to tell: resending a full replacement is harmless
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

    async def _start_execution(self, sync_id: str, key: str, body: Any = None) -> Run:
        """POST an execution with an Idempotency-Key: the transport may resend it, the vendor
        replays the first answer, so one call starts at most one run."""
        response = await self.request(
            "POST",
            self.sync_path(sync_id, "/executions"),
            body=body if body is not None else {},
            headers={"Idempotency-Key": key},
        )
        data = self.read_object(response, "execution")
        run = parse_run(data)
        if run is None:
            raise errors.VendorError(
                f"{self.account.name}: unreadable execution from Polytomic", status=None
            )
        return run

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
        """POST a new sync (validated first), with an Idempotency-Key so a retry cannot create
        two."""
        name = self.account.name
        if not isinstance(body, dict):
            raise errors.ValidationFailed(f"{name}: a sync must be a JSON object")
        document = {k: v for k, v in body.items() if not is_read_only(k)}
        issues = validate_polytomic_sync(document)
        if issues:
            raise errors.ValidationFailed(
                f"{name}: " + "; ".join(i.message for i in issues), issues
            )
        response = await self.request(
            "POST", "/api/syncs", body=document, headers={"Idempotency-Key": new_idempotency_key()}
        )
        return self._parse(self.read_object(response, "create"), None, status_known=True)
