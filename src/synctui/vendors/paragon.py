"""Paragon Managed Sync over REST (`/api/syncs`), authenticated by a Paragon user token.

What shapes this module:

- Only two things about a sync can be changed, `credentialId` and
  `incrementalAccumulatorFrequency`, with `PATCH /api/syncs/{id}`. The edit document is
  exactly those two fields; a patch touching anything else is refused before sending.
- A PATCH is *accepted*, then applied a moment later: the answer is
  `{id, data, message: "Update request accepted and is being processed"}` and a GET right after
  still shows the old values. So a successful PATCH reports "accepted, applying" (`pending`),
  never "updated".
- Pausing and resuming are `POST …/disable` and `POST …/reenable`; there is no trigger and no
  run history, so the progress Paragon reports (`summary`) is shown in the table instead.
- The list (`{data:[…]}`, unpaged) has no summary, credential or error message; each row's
  detail is read as well (concurrently, within the account's limit) so that the table shows
  progress and an ERRORED sync says why. A detail that cannot be read leaves its row a summary.

Retries: every write is sent as non-idempotent, so the shared transport never resends one
whose answer was lost. Disable and re-enable are then settled by reading the status (and a
409 "already disabled"/"not disabled" on the second try means the first one landed). A PATCH
cannot be settled that way: because Paragon applies it later, a re-read right after a lost
answer shows the old values whether or not the PATCH arrived. Re-sending could start a second
full re-sync (for `credentialId`), so a lost PATCH answer is reported as `OutcomeUnknown`
unless the re-read already shows the new values.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import httpx
from pydantic import ValidationError

from synctui.domain import errors
from synctui.domain.merge_patch import apply_merge_patch, json_equal
from synctui.domain.models import (
    Capability,
    PlannedRequest,
    Sync,
    SyncStatus,
    WritePlan,
    WriteResult,
)
from synctui.domain.validation import ValidationIssue, validate_paragon_patch
from synctui.vendors.base import VendorModel, outcome_open
from synctui.vendors.rest import Kind, Problem, RestAdapter, id_segment, json_or_none

EDITABLE_KEYS = ("credentialId", "incrementalAccumulatorFrequency")
ONLY_TWO = "Paragon can only change credentialId and incrementalAccumulatorFrequency"
ACCEPTED = "accepted, applying"
DETAIL_CHUNK = 25  # rows whose detail is read together, then shown as one page

STATUSES: dict[str, SyncStatus] = {
    "INITIALIZING": SyncStatus.INITIALIZING,
    "ACTIVE": SyncStatus.ACTIVE,
    "IDLE": SyncStatus.IDLE,
    "DISABLED": SyncStatus.PAUSED,
    "ERRORED": SyncStatus.ERROR,
}
RUNNING = frozenset({"ACTIVE", "IDLE", "INITIALIZING"})
# 409 codes for a disable or re-enable of a sync already in the wanted state.
ALREADY_CODES = ("SYNC_ALREADY_DISABLED", "SYNC_NOT_DISABLED")


# --- the vendor's objects ------------------------------------------------------------------
class ParagonSummary(VendorModel):
    totalRecords: int | None = None
    syncedRecordsCount: int | None = None
    lastSyncedAt: str | None = None
    latestCursor: str | None = None


class ParagonSync(VendorModel):
    """A list row, or the detail (which adds credential, frequency, summary, errorMessage).

    The two editable fields are typed strictly enough that a write is never built from
    something else; `summary` is parsed on its own so a broken one hides only itself.
    """

    id: str
    integration: str | None = None
    pipeline: str | None = None
    status: str | None = None
    configurationName: str | None = None
    dateCreated: str | None = None
    dateUpdated: str | None = None
    credentialId: str | None = None
    incrementalAccumulatorFrequency: str | None = None
    errorMessage: str | None = None
    summary: Any = None


class ParagonAccepted(VendorModel):
    """The PATCH answer: `{id, data, message}`."""

    id: str
    data: dict[str, Any] | None = None
    message: str | None = None


class ParagonError(VendorModel):
    message: str | None = None
    code: str | None = None
    status: int | None = None


class _AlreadyInState(errors.InvalidState):
    """409 SYNC_ALREADY_DISABLED / SYNC_NOT_DISABLED: the sync is already where we want it."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class _NotVisible(errors.SyncTuiError):
    """A PATCH whose effect a re-read cannot show (yet); never shown to a user."""


# --- presentation (pure) -------------------------------------------------------------------
def parse_summary(value: Any) -> ParagonSummary | None:
    try:
        return ParagonSummary.model_validate(value) if value is not None else None
    except ValidationError:
        return None


def synced_column(summary: ParagonSummary | None) -> str:
    """'1,204 / 5,000 records' when known; '' (the table shows '-') when not."""
    if summary is None:
        return ""
    synced, total = summary.syncedRecordsCount, summary.totalRecords
    if synced is not None and total is not None:
        return f"{synced:,} / {total:,} records"
    if synced is not None:
        return f"{synced:,} records"
    if total is not None:
        return f"? / {total:,} records"
    return ""


def status_of(
    status: str | None, error: str | None, summary: ParagonSummary | None, *, detail: bool
) -> tuple[SyncStatus, str | None]:
    """Normalized status and the reason in plain words."""
    word = (status or "").strip().upper()
    normalized = STATUSES.get(word, SyncStatus.UNKNOWN)
    if normalized is SyncStatus.ERROR:
        if error:
            return normalized, error
        return normalized, "Paragon reports ERRORED" + ("" if detail else " (detail not loaded)")
    if normalized is SyncStatus.PAUSED:
        return normalized, "disabled: no incremental checks until it is re-enabled"
    if normalized is SyncStatus.INITIALIZING:
        progress = synced_column(summary)
        return normalized, f"full sync in progress: {progress}" if progress else (
            "full sync in progress"
        )
    if normalized is SyncStatus.UNKNOWN and status:
        return normalized, f"Paragon reports status {status!r}"
    return normalized, None


def parse_sync(account: str, item: Any, *, complete: bool) -> Sync | None:
    """A `Sync` from a list row or a detail.

    An item that cannot be read still shows up (status unknown, the reason saying why) as long
    as it has an id, so one bad row never hides the rest; `editable` refuses it. Without an id
    it cannot be addressed and is left out (None).
    """
    try:
        model = ParagonSync.model_validate(item)
    except ValidationError as exc:
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(ident, str) or not ident:
            return None
        problems = ", ".join(".".join(map(str, e["loc"])) or "item" for e in exc.errors()[:3])
        return Sync(
            account=account,
            vendor="paragon",
            id=ident,
            name=ident,
            status=SyncStatus.UNKNOWN,
            vendor_status="unreadable",
            status_reason=f"Paragon sent a sync synctui cannot read ({problems})",
            complete=False,
            raw=item,
        )
    summary = parse_summary(model.summary)
    status, reason = status_of(model.status, model.errorMessage, summary, detail=complete)
    pair = " ".join(p for p in (model.integration, model.pipeline) if p)
    columns = {
        "integration": model.integration or "-",
        "pipeline": model.pipeline or "-",
        "vendor_status": model.status or "-",
        "configuration": model.configurationName or "-",
        "synced": synced_column(summary),
    }
    return Sync(
        account=account,
        vendor="paragon",
        id=model.id,
        name=model.configurationName or pair or model.id,
        status=status,
        vendor_status=model.status or "",
        status_reason=reason,
        columns=columns,
        updated_at=model.dateUpdated,
        complete=complete,
        raw=item,
    )


def _field_of(message: str) -> str:
    return next((key for key in EDITABLE_KEYS if key.lower() in message.lower()), "")


# --- the adapter ---------------------------------------------------------------------------
class ParagonAdapter(RestAdapter):
    vendor = "paragon"
    vendor_title = "Paragon"
    credential = "user token"
    credential_hint = "Paragon user token"
    # Paragon's body code says what a refusal is even where the status does not.
    code_kinds: ClassVar[dict[str, Kind]] = {
        "UNAUTHORIZED": Kind.AUTH,
        "FORBIDDEN": Kind.FORBIDDEN,
        "NOT_FOUND": Kind.NOT_FOUND,
        "VALIDATION_ERROR": Kind.INVALID,
        "RATE_LIMITED": Kind.RATE_LIMITED,
    }
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.LIST,
            Capability.GET,
            Capability.EDIT,
            Capability.PAUSE_RESUME,
            Capability.DELETE,
        }
    )
    table_columns: ClassVar[tuple[tuple[str, str], ...]] = (
        ("integration", "Integration"),
        ("pipeline", "Pipeline"),
        ("vendor_status", "Vendor status"),
        ("configuration", "Configuration"),
        ("synced", "Synced"),
    )
    # The list lacks progress and error messages: read each row's detail too.
    details_in_lists: bool = True

    # --- plumbing -------------------------------------------------------------------------
    def sync_path(self, sync_id: str | None = None, suffix: str = "") -> str:
        if sync_id is None:
            return "/api/syncs"
        return f"/api/syncs/{id_segment(sync_id, self.vendor_title)}{suffix}"

    def read_problem(self, response: httpx.Response) -> Problem:
        """`{message, code, status}`, the code upper-cased (it decides too, see `code_kinds`)."""
        try:
            body = ParagonError.model_validate(json_or_none(response))
        except ValidationError:
            body = ParagonError()
        text = body.message or f"HTTP {response.status_code}"
        return self.problem(response, text, (body.code or "").upper())

    def vendor_error(self, problem: Problem) -> errors.SyncTuiError | None:
        name, message = self.account.name, problem.message
        low = message.lower()
        if problem.kind is Kind.FORBIDDEN and (
            "read-only" in low or "read only" in low or "cannot modify" in low
        ):
            return errors.PermissionDenied(
                f"{name}: token is read-only (Paragon: {message})",
                hint="use a user token that may modify syncs",
            )
        if problem.kind is Kind.CONFLICT and problem.code in ALREADY_CODES:
            return _AlreadyInState(f"{name}: {message}", problem.code)
        return None

    def field_of(self, message: str) -> str:
        return _field_of(message)

    # --- reads ----------------------------------------------------------------------------
    async def _rows(self) -> list[Any]:
        payload = self.read_json(await self.request("GET", self.sync_path()), "syncs")
        rows = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(rows, list):
            raise errors.VendorError(f"{self.account.name}: Paragon sent an unreadable list")
        return rows

    async def check(self) -> str:
        rows = await self._rows()
        return f"Paragon syncs readable with this user token: {len(rows)} syncs"

    async def _detail_or_none(self, row: Any) -> dict[str, Any] | None:
        ident = row.get("id") if isinstance(row, dict) else None
        if not isinstance(ident, str) or not ident:
            return None
        try:
            return await self.read_raw(ident)
        except errors.SyncTuiError:
            return None

    async def iter_syncs(self) -> AsyncIterator[list[Sync]]:
        """One list read, then the rows' details in chunks, each chunk shown as a page."""
        rows = await self._rows()
        for start in range(0, len(rows), DETAIL_CHUNK):
            chunk = rows[start : start + DETAIL_CHUNK]
            details: list[dict[str, Any] | None] = [None] * len(chunk)
            if self.details_in_lists:
                details = list(await asyncio.gather(*map(self._detail_or_none, chunk)))
            page = [
                s
                for s in (
                    parse_sync(self.account.name, d if d is not None else r, complete=d is not None)
                    for r, d in zip(chunk, details, strict=True)
                )
                if s is not None
            ]
            if page:
                yield page

    def _parse(self, raw: dict[str, Any]) -> Sync:
        sync = parse_sync(self.account.name, raw, complete=True)
        if sync is None:
            raise errors.VendorError(f"{self.account.name}: unreadable sync from Paragon")
        return sync

    async def get_sync(self, sync_id: str) -> Sync:
        return self._parse(await self.read_raw(sync_id))

    # --- editing --------------------------------------------------------------------------
    def editable(self, sync: Sync) -> dict[str, Any]:
        """`{credentialId, incrementalAccumulatorFrequency}` as the detail has them."""
        self.require_readable(ParagonSync, sync)
        return {k: copy.deepcopy(sync.raw[k]) for k in EDITABLE_KEYS if k in sync.raw}

    def _refuse(self, issues: list[ValidationIssue]) -> errors.ValidationFailed:
        messages = list(dict.fromkeys(i.message for i in issues))
        return errors.ValidationFailed(f"{self.account.name}: " + "; ".join(messages), issues)

    async def plan_update(
        self, sync: Sync, patch: dict[str, Any], *, trigger_now: bool = False
    ) -> WritePlan:
        """Validate, then a PATCH of the changed allowed fields; sends nothing.

        A list row lacks the two fields, so an incomplete sync is read first.
        """
        name = self.account.name
        if trigger_now:
            raise errors.Unsupported(
                f"{name}: Paragon syncs cannot be triggered: Paragon checks for changes on "
                "its own schedule (incrementalAccumulatorFrequency)"
            )
        patch = self.own_patch(sync, patch)
        unknown = [key for key in patch if key not in EDITABLE_KEYS]
        if unknown:
            raise self._refuse(
                [ValidationIssue(key, f"{ONLY_TWO} (not {', '.join(unknown)})") for key in unknown]
            )
        removed = [key for key, value in patch.items() if value is None]
        if removed:
            raise self._refuse(
                [ValidationIssue(k, f"{k} cannot be removed, only changed") for k in removed]
            )
        if not sync.complete or any(key not in sync.raw for key in EDITABLE_KEYS):
            sync = await self.get_sync(sync.id)
        before = self.editable(sync)
        after = apply_merge_patch(before, patch)
        body = {
            key: copy.deepcopy(after[key])
            for key in patch
            if key not in before or not json_equal(before[key], after[key])
        }
        if body:
            issues = validate_paragon_patch(body)
            if issues:
                raise self._refuse(issues)
        requests: list[PlannedRequest] = []
        summary = "no changes"
        if body:
            noun = "field" if len(body) == 1 else "fields"
            summary = f"PATCH {len(body)} {noun} ({', '.join(body)})"
            if "credentialId" in body:
                summary += " — starts a full re-sync"
            headers = {**self.auth_headers(), "Content-Type": "application/json"}
            requests.append(
                PlannedRequest(
                    method="PATCH",
                    url=f"{self.base_url}{self.sync_path(sync.id)}",
                    headers=self.masked(headers),
                    body=body,
                    note="Paragon accepts it at once and applies it a moment later; "
                    "sent only if those fields still hold what was loaded",
                )
            )
        return WritePlan(
            account=name,
            vendor=self.vendor,
            sync_id=sync.id,
            patch=patch,
            before=before,
            after=after,
            summary=summary,
            requests=requests,
            payload={"sync_id": sync.id, "body": body},
        )

    async def apply(self, plan: WritePlan) -> WriteResult:
        """Send the plan's PATCH after checking its fields did not move; "accepted, applying"."""
        self.own_plan(plan)
        if plan.trigger_now:
            raise errors.Unsupported(f"{self.account.name}: Paragon syncs cannot be triggered")
        sync_id = plan.payload.get("sync_id")
        body = plan.payload.get("body") or {}
        if not isinstance(sync_id, str) or not isinstance(body, dict):
            raise errors.UsageError("this plan does not name its sync")
        if not body:
            return WriteResult(message="nothing to change")
        self.refuse_if_moved(sync_id, body, plan.before, await self.read_raw(sync_id))
        return await self._send_patch(sync_id, body)

    # --- writes ---------------------------------------------------------------------------
    async def _send_patch(self, sync_id: str, body: dict[str, Any]) -> WriteResult:
        """PATCH; a lost answer is confirmed only if a re-read already shows the new values.

        Otherwise the outcome is reported as unknown and nothing is resent: Paragon applies a
        PATCH after accepting it, so "still the old values" does not mean "not received".
        """
        path = self.sync_path(sync_id)

        async def send() -> WriteResult:
            answer = self.read_json(
                await self.request("PATCH", path, body=body, write=True), "update"
            )
            try:
                ParagonAccepted.model_validate(answer)
            except ValidationError:
                raise self.unreadable("update") from None
            return WriteResult(message=ACCEPTED, pending=True)

        async def verify() -> WriteResult | None:
            now = await self.read_raw(sync_id)
            if all(json_equal(now.get(k), v) for k, v in body.items()):
                return WriteResult(message="updated", sync=self._parse(now))
            raise _NotVisible("not visible yet")  # never None: None would resend

        try:
            return await self.confirm_or_retry(send, verify)
        except errors.SyncTuiError as exc:
            if not outcome_open(exc):
                raise
            raise errors.OutcomeUnknown(
                f"{self.account.name}: the update of {sync_id} was sent but its answer was lost; "
                "Paragon applies updates a moment after accepting them, so it was not sent "
                "again",
                hint="reload it in a few seconds to see whether it applied",
            ) from None

    async def set_active(self, sync_id: str, active: bool) -> WriteResult:
        """`POST …/disable` or `…/reenable`, settled by the status when an answer is lost."""
        raw = await self.read_raw(sync_id)
        before = str(raw.get("status") or "").upper()
        if not active and before == "DISABLED":
            return WriteResult(message="already paused", sync=self._parse(raw))
        if active and before in RUNNING:
            return WriteResult(message="already active", sync=self._parse(raw))
        action = "reenable" if active else "disable"
        path = self.sync_path(sync_id, f"/{action}")
        tries = 0

        def landed(status: str) -> bool:
            if not active:
                return status == "DISABLED"
            return status != "DISABLED" and status != before

        async def send() -> dict[str, Any]:
            nonlocal tries
            tries += 1
            try:
                response = await self.request("POST", path, write=True)
            except _AlreadyInState as exc:
                if tries > 1:
                    return {}  # our first try landed: its answer was lost, not the request
                if active and before != "DISABLED":
                    raise errors.InvalidState(
                        f"{self.account.name}: Paragon re-enables only disabled syncs and "
                        f"{sync_id} is {before or 'in an unknown state'}",
                        hint="pause it, then resume it, to restart it",
                    ) from None
                raise _Already() from exc
            if not response.content:
                return {}
            answer = self.read_json(response, action)
            return answer if isinstance(answer, dict) else {}

        async def verify() -> dict[str, Any] | None:
            now = await self.read_raw(sync_id)
            return now if landed(str(now.get("status") or "").upper()) else None

        word = "resumed" if active else "paused"
        try:
            answer = await self.confirm_or_retry(send, verify)
        except _Already:
            # Someone else got there between our read and our request.
            word = "already active" if active else "already paused"
            answer = {}
        if isinstance(answer.get("id"), str) and answer.get("status"):
            sync: Sync | None = parse_sync(self.account.name, answer, complete=True)
        else:
            sync = await self.get_or_none(sync_id)
        return WriteResult(message=word, sync=sync)

    async def delete(self, sync_id: str) -> WriteResult:
        """DELETE (Paragon deletes the synced records too), settled by reading if its answer is
        lost."""
        return await self.delete_verified(sync_id)


class _Already(errors.SyncTuiError):
    """Internal: the sync was already in the wanted state on the first try."""

    def __init__(self) -> None:
        super().__init__("already in that state")
