"""Reading Paragon's JSON: a list row with its status answer laid over it, as a `Sync`; the
words a dry run and a refusal use.

Kept apart from the adapter (`vendors/paragon.py`), which speaks HTTP; these functions only
read what the vendor sent. Unknown fields are kept and statuses read as plain strings.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from synctui.domain.models import Sync, SyncStatus
from synctui.domain.validation import ValidationIssue
from synctui.vendors.base import VendorModel, short_when
from synctui.vendors.paragon_rules import EDITABLE_KEYS, FREQUENCIES

FREQUENCY = "incrementalAccumulatorFrequency"
NOT_REPORTED = "not reported by Paragon"
UNAVAILABLE = "unavailable"
STATUSES: dict[str, SyncStatus] = {
    "INITIALIZING": SyncStatus.INITIALIZING,
    "ACTIVE": SyncStatus.ACTIVE,
    "IDLE": SyncStatus.IDLE,
    "DISABLED": SyncStatus.PAUSED,
    "ERRORED": SyncStatus.ERROR,
}
RUNNING = frozenset({"ACTIVE", "IDLE", "INITIALIZING"})


# --- the vendor's objects ------------------------------------------------------------------
class ParagonSummary(VendorModel):
    totalRecords: int | None = None
    syncedRecordsCount: int | None = None
    lastSyncedAt: str | None = None
    latestCursor: str | None = None


class ParagonSync(VendorModel):
    """A list row, with the status answer laid over it when that was read.

    The row: `id, integration, pipeline, status, configurationName, dateCreated,
    dateUpdated`. The status answer: `status, credentialId, summary, reason`. The editable
    `credentialId` is typed strictly enough that a write is never built from something else;
    `summary` is parsed on its own so a broken one hides only itself. The frequency is not
    documented in any answer; if Paragon ever sends it, it is read too.
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
    reason: str | None = None
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
    status: str | None, reason: str | None, summary: ParagonSummary | None, *, read: bool | None
) -> tuple[SyncStatus, str | None]:
    """Normalized status and the reason in plain words.

    `read`: whether the status answer (which holds `reason`) was read — True, False (it was
    asked for and could not be read) or None (not asked for).
    """
    word = (status or "").strip().upper()
    normalized = STATUSES.get(word, SyncStatus.UNKNOWN)
    if normalized is SyncStatus.ERROR:
        if reason:
            return normalized, reason
        if read is None:
            return normalized, "Paragon reports ERRORED (its status was not read)"
        if not read:
            return (
                normalized,
                "Paragon reports ERRORED (its status, with the reason, is unavailable)",
            )
        return normalized, "Paragon reports ERRORED without a reason"
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


def parse_sync(
    account: str, row: Any, status: Any = None, *, status_unavailable: bool = False
) -> Sync | None:
    """A `Sync` from a list row and, when it was read, that sync's status answer.

    `status_unavailable`: the status was asked for and could not be read (shown as such,
    not as "-"). An item that cannot be read still shows up (status unknown, the reason
    saying why) as long as it has an id, so one bad row never hides the rest; `editable`
    refuses it. Without an id it cannot be addressed and is left out (None).
    """
    raw = {**row, **status} if isinstance(row, dict) and isinstance(status, dict) else row
    try:
        model = ParagonSync.model_validate(raw)
    except ValidationError as exc:
        ident = raw.get("id") if isinstance(raw, dict) else None
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
            raw=raw,
        )
    read = True if isinstance(status, dict) else (False if status_unavailable else None)
    summary = parse_summary(model.summary)
    normalized, reason = status_of(model.status, model.reason, summary, read=read)
    pair = " ".join(p for p in (model.integration, model.pipeline) if p)
    gone = UNAVAILABLE if read is False else ""
    columns = {
        "integration": model.integration or "-",
        "pipeline": model.pipeline or "-",
        "vendor_status": model.status or "-",
        "configuration": model.configurationName or "-",
        "synced": synced_column(summary) or gone,
        # Shown in the detail only (the table shows exactly `table_columns`).
        "credential": model.credentialId or gone or "-",
        "last_synced": short_when(summary.lastSyncedAt if summary else None) or gone or "-",
        "frequency": model.incrementalAccumulatorFrequency or NOT_REPORTED,
        "created": short_when(model.dateCreated) or "-",
    }
    return Sync(
        account=account,
        vendor="paragon",
        id=model.id,
        name=model.configurationName or pair or model.id,
        status=normalized,
        vendor_status=model.status or "",
        status_reason=reason,
        columns=columns,
        updated_at=model.dateUpdated,
        complete=read is True,
        raw=raw,
    )


def patch_note(body: dict[str, Any]) -> str:
    """What a dry run says about a PATCH: when it lands, and what is checked before sending."""
    note = "Paragon accepts it at once and applies it a moment later"
    if "credentialId" in body:
        note += "; sent only if credentialId still holds what was loaded"
    if FREQUENCY in body:
        note += "; the current frequency is not reported by Paragon, so it is not checked"
    return note


def not_removable(key: str) -> ValidationIssue:
    if key == FREQUENCY:
        return ValidationIssue(
            key,
            f"{key} cannot be removed: Paragon does not report the current one, so there is "
            "nothing to put back; choose one of " + ", ".join(FREQUENCIES),
        )
    return ValidationIssue(key, f"{key} cannot be removed, only changed")


def field_of(message: str) -> str:
    return next((key for key in EDITABLE_KEYS if key.lower() in message.lower()), "")
