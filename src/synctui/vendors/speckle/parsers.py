"""Speckle's JSON turned into synctui's `Sync` and `Run` (pure: no I/O).

The status of a run is read from the `ModelIngestionStatusData` union: its `status` and the
text of whichever member it is. That text becomes the normalized `Run.error` (a failure's
`errorReason`, an invalid input's `validationMessage`) or `Run.summary` (`progressMessage`,
`cancellationMessage`, the version a success created), and the sync's `status_reason`, so the
table, the detail, the run list and triage all show the vendor's own words without knowing
which vendor they came from.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from synctui.domain import errors
from synctui.domain.merge_patch import json_equal
from synctui.domain.models import Run, RunState, Sync, SyncStatus
from synctui.vendors.base import short_when, unreadable_sync, word_in
from synctui.vendors.speckle.models import (
    SpeckleIngestionStatus,
    SpeckleLegacySync,
    SpeckleSync,
    SpeckleSyncItem,
)

LEGACY_REASON = "legacy ACC sync: migrate it before editing"
PAUSED_REASON = "paused: file changes trigger no runs"

# ModelIngestionStatus → RunState; matched case-insensitively, shown verbatim.
RUN_STATES: dict[str, RunState] = {
    "queued": RunState.QUEUED,
    "processing": RunState.RUNNING,
    "success": RunState.SUCCESS,
    "failed": RunState.FAILED,
    "timeout": RunState.FAILED,
    "invalidinput": RunState.FAILED,
    "cancelled": RunState.CANCELLED,
}

# When a member arrives without its `status`, its type still says what happened.
MEMBER_STATUS: dict[str, str] = {
    "ModelIngestionQueuedStatus": "queued",
    "ModelIngestionProcessingStatus": "processing",
    "ModelIngestionSuccessStatus": "success",
    "ModelIngestionFailedStatus": "failed",
    "ModelIngestionCancelledStatus": "cancelled",
    "ModelIngestionInvalidStatus": "invalidInput",
}

# Latest-run states whose text is worth a reason on a sync that is otherwise fine.
_NOTEWORTHY = frozenset({RunState.QUEUED, RunState.RUNNING, RunState.CANCELLED, RunState.UNKNOWN})


def run_state(status: Any) -> RunState:
    return word_in(RUN_STATES, status, RunState.UNKNOWN)


def _status_text(data: SpeckleIngestionStatus | None) -> str:
    if data is None:
        return ""
    if data.status is not None:
        return data.status
    return MEMBER_STATUS.get(data.typename or "", "")


def _progress(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1:
        return f" ({round(value * 100)}%)"
    return ""


def _summary(data: SpeckleIngestionStatus | None) -> str:
    """What the member says about a run that did not fail: its progress, why it was
    cancelled, or the version a success created."""
    if data is None:
        return ""
    if data.progressMessage:
        return data.progressMessage + _progress(data.progress)
    if data.cancellationMessage:
        return data.cancellationMessage
    if data.versionId:
        return f"version {data.versionId}"
    return ""


def parse_run(item: Any) -> Run | None:
    """A history item as a Run, or None if it cannot be read (it is then left out)."""
    try:
        model = SpeckleSyncItem.model_validate(item)
    except ValidationError:
        return None
    data = model.modelIngestion.statusData if model.modelIngestion else None
    status = _status_text(data)
    state = run_state(status)
    error = (data.errorReason or data.validationMessage) if data else None
    return Run(
        id=model.id,
        state=state,
        vendor_status=status,
        created_at=model.createdAt,
        finished_at=model.updatedAt if state.finished else None,
        summary=_summary(data),
        error=error or None,
        raw=item,
    )


def _sync_status(model: SpeckleSync, run: Run | None) -> tuple[SyncStatus, str | None]:
    if not model.active:
        return SyncStatus.PAUSED, PAUSED_REASON
    if run is not None and run.state is RunState.FAILED:
        return SyncStatus.ERROR, run.error or f"latest ingestion ended {run.vendor_status}"
    if run is not None and run.state in _NOTEWORTHY and run.summary:
        return SyncStatus.ACTIVE, f"latest ingestion {run.vendor_status}: {run.summary}"
    return SyncStatus.ACTIVE, None


def _vendor_status(model: SpeckleSync, run: Run | None) -> str:
    text = f"active={'true' if model.active else 'false'}"
    return f"{text}, ingestion={run.vendor_status}" if run and run.vendor_status else text


def _latest_column(status: str, when: Any) -> str:
    stamp = short_when(when)
    return f"{status} · {stamp}" if status and stamp else status or stamp or "never"


def parse_sync(account: str, item: Any, project_id: str, project_name: str | None) -> Sync | None:
    """A `Sync` from one vendor sync object.

    An item that cannot be read still shows up (status unknown, the reason saying why) as
    long as it has an id, so one bad row never hides the rest of a list; `editable` refuses it.
    An item without an id cannot be addressed at all and is left out (None).
    """
    project = project_name or project_id
    try:
        model = SpeckleSync.model_validate(item)
    except ValidationError as exc:
        return unreadable_sync(
            item,
            exc,
            account=account,
            vendor="speckle",
            title="Speckle",
            name_key="fileName",
            updated_key="updatedAt",
            id_prefix=f"{project_id}/",
            columns={"project": project},
        )
    run = parse_run(model.latestItem) if model.latestItem is not None else None
    status, reason = _sync_status(model, run)
    integration = model.integration
    columns = {
        "file": model.fileName or model.fileId or model.id,
        "integration": (integration.name or integration.slug or "") if integration else "",
        "project": project,
        "active": "yes" if model.active else "no",
        "latest_ingestion": _latest_column(
            run.vendor_status if run else "",
            (run.raw.get("updatedAt") or run.created_at) if run else None,
        ),
    }
    return Sync(
        account=account,
        vendor="speckle",
        id=f"{project_id}/{model.id}",
        name=model.fileName or model.fileId or model.id,
        status=status,
        vendor_status=_vendor_status(model, run),
        status_reason=reason,
        columns=columns,
        updated_at=model.updatedAt,
        latest_run=run,
        complete=True,
        raw=item,
    )


def parse_legacy(account: str, item: Any, project_id: str, project_name: str | None) -> Sync | None:
    """A legacy ACC sync: listed so it can be found and migrated, never edited as is."""
    try:
        model = SpeckleLegacySync.model_validate(item)
    except ValidationError:
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(ident, str) or not ident:
            return None
        model = SpeckleLegacySync(id=ident)
    status = model.status if model.status is not None else ""
    project = model.project.name if model.project and model.project.name else None
    return Sync(
        account=account,
        vendor="speckle",
        id=f"{project_id}/{model.id}",
        name=model.accFileName or model.id,
        status=SyncStatus.LEGACY,
        vendor_status=status,
        status_reason=LEGACY_REASON,
        columns={
            "file": model.accFileName or model.id,
            "integration": "ACC (legacy)",
            "project": project or project_name or project_id,
            "active": "no" if status.lower() == "paused" else "yes",
            "latest_ingestion": _latest_column(status, model.updatedAt),
        },
        updated_at=model.updatedAt,
        complete=True,
        raw=item if isinstance(item, dict) else {"value": item},
    )


def _strip_nulls(value: Any) -> Any:
    """A context with null members dropped: a server may store `"viewName": null` or omit it."""
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    return value


def same_context(a: Any, b: Any) -> bool:
    return json_equal(_strip_nulls(a or {}), _strip_nulls(b or {}))


# --- ids: PROJECT_ID/SYNC_ID ------------------------------------------------------------
def split_id(sync_id: str) -> tuple[str | None, str]:
    """`PROJECT/SYNC` → (project, sync); a bare id → (None, sync)."""
    text = sync_id.strip()
    if "/" not in text:
        if not text:
            raise errors.UsageError("a Speckle sync id cannot be empty")
        return None, text
    project, _, sync = text.partition("/")
    if not project or not sync or "/" in sync:
        raise errors.UsageError(
            f"{sync_id!r} is not a Speckle sync id: use PROJECT_ID/SYNC_ID or SYNC_ID"
        )
    return project, sync


def full_id(sync: Sync) -> tuple[str, str]:
    """(project, sync) of a sync shown, which always names its project."""
    project, sid = split_id(sync.id)
    if project is None:
        raise errors.UsageError(f"{sync.id!r} does not name its project (PROJECT_ID/SYNC_ID)")
    return project, sid


def latest_item(raw: dict[str, Any]) -> dict[str, Any] | None:
    latest = raw.get("latestItem")
    return latest if isinstance(latest, dict) else None
