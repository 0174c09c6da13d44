"""Paragon Managed Sync over REST (`/api/syncs`), authenticated by a Paragon user token.

What shapes this module (docs.useparagon.com `managed-sync/api/*.md` and `openapi.json`):

- A sync is two documented answers put together. The list (`GET /api/syncs`, `{data:[…]}`,
  unpaged) is the only place with `id, integration, pipeline, configurationName,
  dateCreated, dateUpdated`; "Get Sync Status" (`GET /api/syncs/{id}`) answers only
  `{status, credentialId, summary: {totalRecords, syncedRecordsCount, lastSyncedAt,
  latestCursor}, reason}` — no id, no frequency — and `reason` says why a sync is ERRORED.
  `Sync.raw` is the row with the status answer laid over it (its `status` is the fresher).
  The status is a secondary read: when it fails the row is still shown, the part marked
  unavailable.
- Only two things about a sync can be changed, `credentialId` and
  `incrementalAccumulatorFrequency`, with `PATCH /api/syncs/{id}`. The current frequency is
  not readable anywhere documented, so it is shown as "not reported by Paragon" and is never
  part of the loaded document; setting one adds it to the PATCH.
- A PATCH is *accepted*, then applied a moment later: the answer is
  `{id, data, message: "Update request accepted and is being processed"}` and a read right
  after still shows the old values. So a successful PATCH reports "accepted, applying"
  (`pending`), never "updated".
- Pausing and resuming are `POST …/disable` and `POST …/reenable`, each a bare 200; there is
  no trigger and no run history, so the progress Paragon reports (`summary`) is shown instead.

Guesses, kept tolerant: error bodies are not documented (read as `{message, code, status}`
when they are, as the vendor's text otherwise); whether `reason` is null or absent on a sync
that is not ERRORED; whether a disable of a disabled sync is refused (a 409 with
`SYNC_ALREADY_DISABLED` / `SYNC_NOT_DISABLED` is understood as "already there").

Retries: every write is sent as non-idempotent, so the shared transport never resends one
whose answer was lost. Disable and re-enable are then settled by reading the sync's status
(and a 409 "already disabled"/"not disabled" on the second try means the first one landed).
A PATCH cannot be settled that way: because Paragon applies it later, a re-read right after a
lost answer shows the old values whether or not the PATCH arrived, and the frequency cannot
be read at all. Re-sending could start a second full re-sync (for `credentialId`), so a lost
PATCH answer is reported as `OutcomeUnknown` unless the re-read already shows the new
credential.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, ClassVar

import httpx
from pydantic import ValidationError

from synctui.domain import errors
from synctui.domain.merge_patch import apply_merge_patch, json_equal
from synctui.domain.models import (
    PlannedRequest,
    Sync,
    WritePlan,
    WriteResult,
)
from synctui.domain.validation import ValidationIssue
from synctui.vendors.base import PlanDraft, outcome_open
from synctui.vendors.paragon_parse import (
    RUNNING,
    ParagonAccepted,
    ParagonError,
    ParagonSync,
    field_of,
    not_removable,
    parse_sync,
    patch_note,
    synced_column,
)
from synctui.vendors.paragon_rules import (
    EDITABLE_KEYS,
    ONLY_TWO,
    RULES,
    validate_patch,
)
from synctui.vendors.rest import Kind, Problem, RestAdapter, id_segment, json_or_none

__all__ = ["ParagonAdapter", "ParagonSync", "parse_sync", "synced_column"]

ACCEPTED = "accepted, applying"
STATUS_PART = "status"  # the secondary read: Get Sync Status
DETAIL_CHUNK = 25  # rows whose status is read together, then shown as one page

# 409 codes for a disable or re-enable of a sync already in the wanted state.
ALREADY_CODES = ("SYNC_ALREADY_DISABLED", "SYNC_NOT_DISABLED")


class _AlreadyInState(errors.InvalidState):
    """409 SYNC_ALREADY_DISABLED / SYNC_NOT_DISABLED: the sync is already where we want it."""

    def __init__(self, message: str, code: str, words: str) -> None:
        super().__init__(message)
        self.code = code
        self.words = words  # the vendor's own, without our account prefix


class _NotVisible(errors.SyncTuiError):
    """A PATCH whose effect a re-read cannot show (yet); never shown to a user."""


# --- the adapter ---------------------------------------------------------------------------
class ParagonAdapter(RestAdapter):
    vendor = "paragon"
    vendor_title = RULES.title
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
    rules = RULES
    capabilities = RULES.capabilities
    table_columns: ClassVar[tuple[tuple[str, str], ...]] = (
        ("integration", "Integration"),
        ("pipeline", "Pipeline"),
        ("vendor_status", "Vendor status"),
        ("configuration", "Configuration"),
        ("synced", "Synced"),
    )

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
            return _AlreadyInState(f"{name}: {message}", problem.code, message)
        return None

    def field_of(self, message: str) -> str:
        return field_of(message)

    # The list lacks progress, credential and reason: read each row's status too.
    details_in_lists: bool = True

    # --- reads ----------------------------------------------------------------------------
    async def _rows(self) -> list[Any]:
        """Every row of the list (unfiltered: `?credentialId=` would narrow it to one
        credential's syncs, and an account shows all of its user's)."""
        response = await self.request("GET", self.sync_path())
        payload = self.read_json(response, "syncs")
        rows = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(rows, list):
            raise errors.VendorError(f"{self.account.name}: Paragon sent an unreadable list")
        return rows

    async def read_raw(self, sync_id: str) -> dict[str, Any]:
        """Get Sync Status: `{status, credentialId, summary, reason}`, the record writes are
        checked against. It carries no id, so unlike other vendors' reads none is required."""
        answer = self.read_json(await self.request("GET", self.sync_path(sync_id)), "status")
        if not isinstance(answer, dict):
            raise self.unreadable("status")
        return answer

    async def check(self) -> str:
        rows = await self._rows()
        return f"Paragon syncs readable with this user token: {len(rows)} syncs"

    async def _status_or_error(self, row: Any) -> dict[str, Any] | errors.SyncTuiError | None:
        """A row's status answer, the error that kept it unread, or None for a row without id."""
        ident = row.get("id") if isinstance(row, dict) else None
        if not isinstance(ident, str) or not ident:
            return None
        try:
            return await self.read_raw(ident)
        except errors.SyncTuiError as exc:
            return exc

    def _row_sync(self, row: Any, outcome: Any) -> Sync | None:
        if isinstance(outcome, errors.SyncTuiError):
            sync = parse_sync(self.account.name, row, status_unavailable=True)
            if sync is not None:
                sync.unavailable = {STATUS_PART: str(outcome)}
            return sync
        return parse_sync(self.account.name, row, outcome)

    async def iter_syncs(self) -> AsyncIterator[list[Sync]]:
        """One list read, then the rows' statuses in chunks, each chunk shown as a page.

        A status that cannot be read leaves its row shown from the list, marked unavailable.
        """
        rows = await self._rows()
        for start in range(0, len(rows), DETAIL_CHUNK):
            chunk = rows[start : start + DETAIL_CHUNK]
            outcomes: list[Any] = [None] * len(chunk)
            if self.details_in_lists:
                outcomes = list(await asyncio.gather(*map(self._status_or_error, chunk)))
            page = [
                s
                for s in (self._row_sync(r, o) for r, o in zip(chunk, outcomes, strict=True))
                if s is not None
            ]
            if page:
                yield page

    async def _row(self, sync_id: str) -> dict[str, Any]:
        """The sync's list row: the only documented place for its id, integration and name."""
        for row in await self._rows():
            if isinstance(row, dict) and row.get("id") == sync_id:
                return row
        raise errors.NotFound(f"{self.account.name}: Paragon lists no sync {sync_id}")

    async def read_sync(self, sync_id: str) -> Sync:
        """The list row alone; its status is the secondary read (`side_reads`)."""
        id_segment(sync_id, self.vendor_title)  # an empty or odd id fails before any I/O
        sync = parse_sync(self.account.name, await self._row(sync_id))
        if sync is None:
            raise self.unreadable("syncs")
        return sync

    def side_reads(self, sync: Sync) -> dict[str, Callable[[], Awaitable[Any]]]:
        return {STATUS_PART: lambda: self.read_raw(sync.id)}

    def with_parts(self, sync: Sync, parts: dict[str, Any]) -> Sync:
        found = parse_sync(
            self.account.name,
            sync.raw,
            parts.get(STATUS_PART),
            status_unavailable=STATUS_PART not in parts,
        )
        return found if found is not None else sync

    async def get_sync(self, sync_id: str) -> Sync:
        """Row and status, read together; both must be read (writes check against them)."""
        id_segment(sync_id, self.vendor_title)
        answers = await asyncio.gather(
            self._row(sync_id), self.read_raw(sync_id), return_exceptions=True
        )
        row, status = answers
        for outcome in (status, row):  # the vendor's own "not found" before ours
            if isinstance(outcome, BaseException):
                raise outcome
        sync = parse_sync(self.account.name, row, status)
        if sync is None:
            raise errors.VendorError(f"{self.account.name}: unreadable sync from Paragon")
        return sync

    # --- editing --------------------------------------------------------------------------
    def editable(self, sync: Sync) -> dict[str, Any]:
        """`{credentialId}` as the status answer has it. The frequency is in it only if
        Paragon ever reports it: a patch that sets it adds it (and so is sent)."""
        self.require_readable(ParagonSync, sync)
        return {k: copy.deepcopy(sync.raw[k]) for k in EDITABLE_KEYS if k in sync.raw}

    def _refuse(self, issues: list[ValidationIssue]) -> errors.ValidationFailed:
        messages = list(dict.fromkeys(i.message for i in issues))
        return errors.ValidationFailed(f"{self.account.name}: " + "; ".join(messages), issues)

    async def plan_update(
        self, sync: Sync, patch: dict[str, Any], *, trigger_now: bool = False
    ) -> WritePlan:
        """Validate, then a PATCH of the changed allowed fields; sends nothing.

        A list row lacks the credential, so a sync without its status is read first. Every
        refusal here is documented (`paragon-update-sync.txt`): only these two fields, a
        credential is a UUID string, the frequency one of eight values; a `null` is neither.
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
            raise self._refuse([not_removable(key) for key in removed])
        if not sync.complete or "credentialId" not in sync.raw:
            sync = await self.get_sync(sync.id)
        before = self.editable(sync)
        after = apply_merge_patch(before, patch)
        body = {
            key: copy.deepcopy(after[key])
            for key in patch
            if key not in before or not json_equal(before[key], after[key])
        }
        if body:
            issues = validate_patch(body)
            if issues:
                raise self._refuse(issues)
        draft = PlanDraft(sync, patch, before, after)
        if body:
            noun = "field" if len(body) == 1 else "fields"
            summary = f"PATCH {len(body)} {noun} ({', '.join(body)})"
            if "credentialId" in body:
                summary += " — starts a full re-sync"
            draft.summary.append(summary)
            headers = {**self.auth_headers(), "Content-Type": "application/json"}
            draft.requests.append(
                PlannedRequest(
                    method="PATCH",
                    url=f"{self.base_url}{self.sync_path(sync.id)}",
                    headers=self.masked(headers),
                    body=body,
                    note=patch_note(body),
                )
            )
        return self.write_plan(draft, sync_id=sync.id, body=body)

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
        """PATCH; a lost answer is confirmed only if the sync's own status answer already
        shows the new values.

        Otherwise the outcome is reported as unknown and nothing is resent: Paragon applies a
        PATCH after accepting it, so "still the old values" does not mean "not received" —
        and a new frequency never shows, as no documented answer reports it.
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
                return WriteResult(message="updated", sync=await self.get_or_none(sync_id))
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
        """`POST …/disable` or `…/reenable` (each a bare 200), settled by the sync's status
        when an answer is lost."""
        raw = await self.read_raw(sync_id)
        before = str(raw.get("status") or "").upper()
        if not active and before == "DISABLED":
            return WriteResult(message="already paused", sync=await self.get_or_none(sync_id))
        if active and before in RUNNING:
            return WriteResult(message="already active", sync=await self.get_or_none(sync_id))
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
                await self.request("POST", path, write=True)  # a bare 200: nothing to read
            except _AlreadyInState as exc:
                if tries > 1:
                    return {}  # our first try landed: its answer was lost, not the request
                if active and before != "DISABLED":
                    raise errors.InvalidState(
                        f"{self.account.name}: Paragon refused to re-enable {sync_id}, which "
                        f"is {before or 'in an unknown state'} ({exc.words})",
                        hint="pause it, then resume it, to restart it",
                    ) from None
                raise _Already() from exc
            return {}

        async def verify() -> dict[str, Any] | None:
            now = await self.read_raw(sync_id)
            return now if landed(str(now.get("status") or "").upper()) else None

        word = "resumed" if active else "paused"
        try:
            await self.confirm_or_retry(send, verify)
        except _Already:
            # Someone else got there between our read and our request.
            word = "already active" if active else "already paused"
        return WriteResult(message=word, sync=await self.get_or_none(sync_id))

    async def delete(self, sync_id: str) -> WriteResult:
        """DELETE (Paragon deletes the synced records too), settled by reading if its answer is
        lost."""
        return await self.delete_verified(sync_id)


class _Already(errors.SyncTuiError):
    """Internal: the sync was already in the wanted state on the first try."""

    def __init__(self) -> None:
        super().__init__("already in that state")
