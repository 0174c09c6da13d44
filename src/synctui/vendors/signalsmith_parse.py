"""Reading Signalsmith's JSON: the sync and run objects, their statuses, a sync as a table row.

Kept apart from the adapter (`vendors/signalsmith.py`), which speaks HTTP; these functions
only read what the vendor sent. Unknown fields are kept and enums read as plain strings, so a
value the vendor adds later shows as it wrote it.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from synctui.domain.cron import describe_cron
from synctui.domain.merge_patch import json_equal
from synctui.domain.models import Run, RunState, Sync, SyncStatus
from synctui.vendors.base import (
    VendorModel,
    read_model,
    synced_words,
    timed_run,
    unreadable_sync,
    word_in,
)
from synctui.vendors.signalsmith_rules import EDITABLE_KEYS

STATUSES: dict[str, SyncStatus] = {
    "active": SyncStatus.ACTIVE,
    "paused": SyncStatus.PAUSED,
    "draft": SyncStatus.DRAFT,
    "error": SyncStatus.ERROR,
}
RUN_STATES: dict[str, RunState] = {
    "pending": RunState.QUEUED,
    "queued": RunState.QUEUED,
    "running": RunState.RUNNING,
    "completed": RunState.SUCCESS,
    "succeeded": RunState.SUCCESS,
    "failed": RunState.FAILED,
    "cancelled": RunState.CANCELLED,
    "canceled": RunState.CANCELLED,
}


# --- the vendor's objects ------------------------------------------------------------------
class SignalsmithSync(VendorModel):
    """A sync, as listed and as read one by one (the documented list items are whole syncs).

    Types are checked because a write may be built from these fields: a sync whose
    `field_mapping` is not a list, say, is shown but never edited.
    """

    id: str
    workspace_id: str | None = None
    model_id: str | None = None
    destination_id: str | None = None
    name: str | None = None
    description: str | None = None
    field_mapping: list[Any] | None = None
    sync_mode: str | None = None
    schedule: str | None = None
    config: dict[str, Any] | None = None
    primary_key: str | None = None
    status: str | None = None
    status_error: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    last_synced_at: str | None = None
    last_run_id: str | None = None


class SignalsmithRun(VendorModel):
    id: str
    sync_id: str | None = None
    status: str | None = None
    started_at: str | None = None
    completed_at: str | None = None
    created_at: str | None = None
    rows_synced: int | None = None
    rows_failed: int | None = None
    error_message: str | None = None


# --- presentation (pure) -------------------------------------------------------------------
def short_id(value: Any) -> str:
    """The first block of a UUID ('770e8400'): enough to tell models and destinations apart."""
    if not isinstance(value, str) or not value:
        return "?"
    return value.split("-", 1)[0] if "-" in value else value[:8]


def describe_schedule(schedule: Any) -> str:
    """'0 */6 * * * (every 6 hours, at minute 0)'; an empty schedule means manual runs only.

    A cron string we cannot parse is shown as it is: the vendor holds it, we only describe.
    """
    if schedule is None or (isinstance(schedule, str) and not schedule.strip()):
        return "manual only"
    if not isinstance(schedule, str):
        return str(schedule)
    try:
        return f"{schedule} ({describe_cron(schedule)})"
    except Exception:  # a CronError or anything odd: the expression alone still says something
        return schedule


def run_state(status: Any) -> RunState:
    return word_in(RUN_STATES, status, RunState.UNKNOWN)


def run_summary(rows_synced: int | None, rows_failed: int | None) -> str:
    """'5,420 rows synced, 3 failed' ('' when the run says nothing about rows)."""
    if rows_synced is None and not rows_failed:
        return ""
    return synced_words(rows_synced or 0, rows_failed or 0, "row")


def parse_run(item: Any) -> Run | None:
    """A run as a Run, or None if it cannot be read (it is then left out)."""
    model = read_model(SignalsmithRun, item)
    if model is None:
        return None
    state = run_state(model.status)
    summary = run_summary(model.rows_synced, model.rows_failed)
    if not state.finished and summary:
        # A run in flight: its counts grow, and "0 rows synced" would read as a result.
        summary = f"{summary} so far" if model.rows_synced else ""
    return timed_run(model, item, state, summary=summary, error=model.error_message or None)


def sync_status(status: str | None, status_error: str | None) -> tuple[SyncStatus, str | None]:
    """Normalized status and the reason in plain words."""
    word = (status or "").strip().lower()
    normalized = STATUSES.get(word, SyncStatus.UNKNOWN)
    if normalized is SyncStatus.ERROR:
        return normalized, status_error or "Signalsmith reports an error without details"
    if normalized is SyncStatus.PAUSED:
        return normalized, "paused: scheduled runs are skipped until it is resumed"
    if normalized is SyncStatus.DRAFT:
        return normalized, "draft: it does not run until its status is set to active"
    if normalized is SyncStatus.UNKNOWN:
        return normalized, f"Signalsmith reports status {status!r}" if status else None
    return normalized, status_error or None


def parse_sync(account: str, item: Any, *, latest_run: Run | None = None) -> Sync | None:
    """A `Sync` from one vendor sync object.

    An item that cannot be read still shows up (status unknown, the reason saying why) as long
    as it has an id, so one bad row never hides the rest of a list; `editable` refuses it.
    Without an id it cannot be addressed and is left out (None).
    """
    try:
        model = SignalsmithSync.model_validate(item)
    except ValidationError as exc:
        return unreadable_sync(
            item, exc, account=account, vendor="signalsmith", title="Signalsmith"
        )
    status, reason = sync_status(model.status, model.status_error)
    columns = {
        "name": model.name or model.id,
        "model_destination": f"{short_id(model.model_id)} → {short_id(model.destination_id)}",
        "sync_mode": model.sync_mode or "-",
        "schedule": describe_schedule(model.schedule),
        "vendor_status": model.status or "-",
    }
    return Sync(
        account=account,
        vendor="signalsmith",
        id=model.id,
        name=model.name or model.id,
        status=status,
        vendor_status=model.status or "",
        status_reason=reason,
        columns=columns,
        updated_at=model.updated_at,
        latest_run=latest_run,
        # The documented list items are the whole sync object, the same as a GET answers.
        complete=True,
        raw=item,
    )


class RunsSeen:
    """One read of a sync's runs list: the runs on it, the list's total if it says, and
    whether that is every run there is (a bare array, or a page holding the whole total)."""

    def __init__(self, items: list[Any], *, total: int | None, complete: bool) -> None:
        self.items = items
        self.total = total
        self.complete = complete
        self.ids = {item.get("id") for item in items if isinstance(item, dict)}

    def runs(self) -> list[Run]:
        return [run for run in map(parse_run, self.items) if run is not None]


def sent_fields_applied(body: dict[str, Any], now: dict[str, Any]) -> bool:
    """Does the sync as read now hold every field that was PUT?"""
    return all(json_equal(now.get(key), value) for key, value in body.items())


def field_of(message: str) -> str:
    """The field a vendor validation message is about ('schedule must…' → 'schedule')."""
    low = message.lower()
    if "cron" in low:
        return "schedule"
    head = message.split(" ", 1)[0].split("[", 1)[0].split(".", 1)[0].rstrip(":")
    return head if head in EDITABLE_KEYS else ""
