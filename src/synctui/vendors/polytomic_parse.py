"""Reading Polytomic's JSON as synctui's syncs and runs: statuses, schedules and targets in words.

Pure functions, no I/O. Shapes follow the vendor's SDK `polytomic` (25.9.x):
`types/list_sync_item.py` (a list row: flat `target_connection_id`, `target_object`),
`types/model_sync_v5response.py` (a full sync: nested `target`, `problems`),
`types/sync_status_response.py` and `types/get_execution_response_schema.py` (executions,
their `status` one of `types/util_execution_status.py`). Every enum is read as text: a value
the SDK does not list is shown as the vendor wrote it.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from synctui.domain.cron import describe_cron
from synctui.domain.models import Run, RunState, Sync, SyncStatus
from synctui.vendors.base import short_when, unreadable_sync
from synctui.vendors.polytomic_models import (
    PolytomicExecution,
    PolytomicStatus,
    PolytomicSync,
    PolytomicSyncSummary,
)

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


def describe_target(item: Any) -> str:
    """'connection/object', the connection id shortened: there is no connection name to show.

    A list row says it flat (`target_connection_id`, `target_object`), a full sync nested
    (`target: {connection_id, object, new_name}`); either is read, the flat form first."""
    if not isinstance(item, dict):
        return "-"
    target = found if isinstance(found := item.get("target"), dict) else {}
    connection = item.get("target_connection_id") or target.get("connection_id")
    obj = item.get("target_object") or target.get("object") or target.get("new_name")
    if not connection and not obj:
        return "-"
    conn = connection[:8] if isinstance(connection, str) and connection else "?"
    return f"{conn}/{obj}" if obj else conn


def describe_problems(problems: Any) -> str | None:
    """`problems` (`types/model_sync_problem.py`) in a sentence, or None when there are none:
    "Every problem reported today is an error, which stops the sync from running"."""
    if not isinstance(problems, list) or not problems:
        return None
    first = problems[0] if isinstance(problems[0], dict) else {}
    message = first.get("message") or first.get("code") or "unreadable problem"
    where = f" (at {first['path']})" if isinstance(first.get("path"), str) else ""
    more = f"; and {len(problems) - 1} more" if len(problems) > 1 else ""
    return f"configuration problem: {message}{where}{more}"


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

    Normalized status: inactive → PAUSED, active with `problems` (which stop it from running)
    → ERROR, active and the last *finished* execution failed → ERROR (its errors and counts as
    the reason), otherwise ACTIVE. `latest_run` is the execution in progress if any, else the
    last finished one.

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
    problems = describe_problems(item.get("problems"))
    if model.active is None:
        state, word = SyncStatus.UNKNOWN, "unknown"
        reason = "Polytomic did not say whether this sync is active"
    elif not model.active:
        state, word = SyncStatus.PAUSED, "inactive"
        if problems:
            reason = problems  # it will not run once resumed, either
        elif last is not None and last.state is RunState.FAILED:
            reason = _failure_reason(last)  # still worth knowing before resuming it
    elif problems:
        state, word, reason = SyncStatus.ERROR, "active", problems
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
        "target": describe_target(item),
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
