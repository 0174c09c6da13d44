"""Does a sync need a person? Why (in the vendor's own words), since when, and the remedy.

Reasons are derived only from what the vendors already tell us (normalized status, the
vendor's own status text, the latest run), so `synctui doctor` and the attention view agree.
A run in flight is "stuck" only against the sync's own usual run time when that is known.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from synctui.domain.models import Run, RunState, Sync, SyncStatus
from synctui.services.triage.model import (
    Attention,
    Reason,
    Remedy,
    human_duration,
    parse_time,
)

# Without any run history, a run this old is "stuck".
STUCK_AFTER = timedelta(hours=2)
# With history: stuck once it runs STUCK_FACTOR × the median duration, and at least
# STUCK_MARGIN longer than the median (so a 1-minute sync is not "stuck" after 3 minutes).
STUCK_FACTOR = 3
STUCK_MARGIN = timedelta(minutes=30)
# Below this age a running run is never stuck, so its history is not even fetched.
CHECK_RUNS_AFTER = timedelta(minutes=15)
HISTORY_RUNS = 10


def remedy_for(sync: Sync, reason: Reason) -> Remedy | None:
    """The documented remedy for this vendor and reason (None: a person must look)."""
    vendor = sync.vendor
    trigger_optional = frozenset({"trigger"})
    if reason is Reason.LEGACY:
        return Remedy(
            "Migrate the legacy sync, then run it",
            ("migrate", "trigger"),
            "migrateLegacy, then update with triggerNow (skipped if it comes back paused)",
            trigger_optional,
        )
    if reason is Reason.STUCK:
        return None  # nothing safe to do automatically: a person should look at the vendor
    if vendor == "polytomic" and sync.raw.get("problems"):
        return None  # Polytomic: problems stop the sync from running until it is corrected
    if vendor == "paragon":
        if sync.status is SyncStatus.PAUSED:
            return Remedy("Re-enable the sync", ("resume",), "Paragon resumes where it left off")
        # Paragon only re-enables a DISABLED sync: an ERRORED one is disabled first.
        return Remedy(
            "Disable, then re-enable the sync",
            ("pause", "resume"),
            "Paragon clears the error and resumes where it left off",
        )
    paused = sync.status is SyncStatus.PAUSED
    vendor_error = reason is Reason.ERROR and vendor in ("signalsmith",)
    if paused or vendor_error:
        label = {
            "speckle": "Resume (setActive), then trigger a run",
            "polytomic": "Activate, then start an execution",
            "signalsmith": "Set status active, then trigger a run",
        }.get(vendor, "Resume, then trigger a run")
        note = {
            "speckle": "setActive, then update with triggerNow",
        }.get(vendor, "")
        return Remedy(label, ("resume", "trigger"), note, trigger_optional)
    label = {"polytomic": "Start a new execution", "speckle": "Trigger a new ingestion"}.get(
        vendor, "Trigger a new run"
    )
    return Remedy(label, ("trigger",), "after fixing the cause shown, if it is on your side")


# --- why, since, reason -----------------------------------------------------------------------
_ERROR_WORD = re.compile(r"\berror(ed)?\b")
_NO_NEWS = ("ingestion did not complete",)  # summaries that add nothing to the error


def _vendor_says_error(sync: Sync) -> bool:
    """The vendor's own status is an error state (Signalsmith `error`, Paragon `ERRORED`),
    rather than an error synctui inferred from a failed latest run."""
    return sync.status is SyncStatus.ERROR and bool(_ERROR_WORD.search(sync.vendor_status.lower()))


def _records(raw: dict[str, Any]) -> str:
    """Paragon's summary in words: '4,120 of 9,800 records synced, last 2026-11-19 08:12'."""
    summary = raw.get("summary")
    if not isinstance(summary, dict):
        return ""
    synced, total = summary.get("syncedRecordsCount"), summary.get("totalRecords")
    text = ""
    if isinstance(synced, int) and isinstance(total, int):
        text = f"{synced:,} of {total:,} records synced"
    last = summary.get("lastSyncedAt")
    if isinstance(last, str) and last:
        text += f"{', ' if text else ''}last synced {last[:16].replace('T', ' ')}"
    return text


def _run_words(run: Run) -> str:
    """'latest ingestion failed: <error> (summary)' in the vendor's vocabulary."""
    error = (run.error or "").strip()
    summary = (run.summary or "").strip()
    status = run.vendor_status or run.state.value
    text = f"{status}: {error}" if error else status
    if summary and summary not in error and summary.lower() not in _NO_NEWS:
        text += f" ({summary})"
    return text


def _last_run_note(run: Run | None, noun: str) -> str:
    if run is None:
        return ""
    when = (run.finished_at or run.started_at or run.created_at or "")[:16].replace("T", " ")
    text = f"; last {noun} {run.vendor_status or run.state.value}"
    text += f" {when}" if when else ""
    return text + (f" ({run.summary})" if run.summary else "")


def _state_word(sync: Sync) -> str:
    """How the vendor itself says "not running": 'paused (active: false)', 'DISABLED'."""
    if sync.vendor == "speckle":
        return "paused (active: false)"
    if sync.vendor == "polytomic":
        return "active" if sync.raw.get("active") is True else "inactive (active: false)"
    if sync.vendor == "signalsmith" and isinstance(sync.raw.get("status"), str):
        return f"status {sync.raw['status']}"
    return sync.vendor_status.split(",")[0].strip() or sync.status.value


RUN_NOUN = {"speckle": "ingestion", "polytomic": "execution"}
STOPPED_MEANS = {
    "speckle": "file changes trigger no ingestion",
    "polytomic": "no executions run",
    "signalsmith": "scheduled runs are skipped",
    "paragon": "no incremental checks run",
}


def explain(sync: Sync, reason: Reason) -> str:
    """Why, in plain words taken from the vendor's own data."""
    raw, run, vendor = sync.raw, sync.latest_run, sync.vendor
    given = (sync.status_reason or "").strip()
    noun = RUN_NOUN.get(vendor, "run")
    if reason is Reason.LEGACY:
        status = f" (legacy status {sync.vendor_status})" if sync.vendor_status else ""
        return f"legacy ACC sync{status}: migrate it before it can be edited or run"
    if reason is Reason.ERROR:
        detail = raw.get("status_error") or raw.get("reason") or given  # Signalsmith, Paragon
        word = _state_word(sync)
        text = f"{word}: {detail}" if detail else f"{vendor} reports {word}"
        records = _records(raw)
        return f"{text}; {records}" if records else text
    if reason is Reason.FAILED_RUN and run is not None:
        text = f"latest {noun} {_run_words(run)}"
        if sync.status is SyncStatus.PAUSED:
            text += f" — and the sync is {_state_word(sync)}"
        return text
    if reason is Reason.FAILED_RUN:
        return given or f"the latest {noun} failed"
    if reason in (Reason.PAUSED, Reason.DISABLED):
        # The vendor's own words for "stopped" first, then what that means for its data.
        what = STOPPED_MEANS.get(vendor) or given or "no runs happen until it is resumed"
        if vendor == "polytomic" and raw.get("problems") and given:
            what += f"; {given}"  # and resuming alone will not make it run
        text = f"{_state_word(sync)}: {what}"
        records = _records(raw) if vendor == "paragon" else ""
        return f"{text}; {records}" if records else text + _last_run_note(run, noun)
    return given


def assess(
    sync: Sync, now: datetime | None = None, *, typical: timedelta | None = None
) -> Attention | None:
    """Does this sync need a person? If so: why, since when, and how to fix it.

    `typical` is the sync's usual run duration (median of recent runs), when known: a run
    is stuck after STUCK_FACTOR × that (with a STUCK_MARGIN), else after STUCK_AFTER.
    """
    now = now or datetime.now(UTC)
    run = sync.latest_run
    status = sync.status
    reason: Reason | None = None
    since = sync.updated_at
    run_failed = run is not None and run.state is RunState.FAILED
    if status is SyncStatus.LEGACY:
        reason = Reason.LEGACY
    elif _vendor_says_error(sync):
        reason = Reason.ERROR
        if run_failed and run is not None:
            since = run.finished_at or run.created_at or since
    elif run_failed and run is not None:
        reason = Reason.FAILED_RUN
        since = run.finished_at or run.created_at or since
    elif status is SyncStatus.ERROR:
        reason = Reason.ERROR
    elif status is SyncStatus.PAUSED:
        disabled = (
            sync.vendor in ("paragon", "polytomic") or "disabled" in sync.vendor_status.lower()
        )
        reason = Reason.DISABLED if disabled else Reason.PAUSED
    elif run is not None and run.state in (RunState.RUNNING, RunState.QUEUED):
        return _stuck(sync, run, now, typical)
    if reason is None:
        return None
    if reason is not Reason.FAILED_RUN:
        since = _not_before(since, sync)
    return Attention(
        sync=sync,
        reason=reason,
        why=explain(sync, reason),
        since=since,
        remedy=remedy_for(sync, reason),
    )


def _not_before(since: str | None, sync: Sync) -> str | None:
    """The state cannot have begun before the sync last worked: a later successful run, or
    Paragon's `lastSyncedAt`, moves `since` (often the vendor's `updated_at`) forward."""
    candidates = [since]
    run = sync.latest_run
    if run is not None and run.state is RunState.SUCCESS:
        candidates.append(run.finished_at)
    summary = sync.raw.get("summary")
    if isinstance(summary, dict) and isinstance(summary.get("lastSyncedAt"), str):
        candidates.append(summary["lastSyncedAt"])
    known = [(t, c) for c in candidates if (t := parse_time(c)) is not None]
    return max(known)[1] if known else since


def _run_started(run: Run) -> datetime | None:
    return parse_time(run.started_at or run.created_at)


def stuck_limit(typical: timedelta | None) -> timedelta:
    if typical is None:
        return STUCK_AFTER
    return max(typical * STUCK_FACTOR, typical + STUCK_MARGIN)


def _stuck(sync: Sync, run: Run, now: datetime, typical: timedelta | None) -> Attention | None:
    started = _run_started(run)
    if started is None:
        return None
    elapsed = now - started
    if elapsed <= stuck_limit(typical):
        return None
    usual = f", usually {human_duration(typical)}" if typical else ", no finished run to compare"
    progress = f" ({run.summary})" if run.summary else ""
    why = f"run {run.id} {run.vendor_status or run.state.value} for {human_duration(elapsed)}{usual}{progress}"
    return Attention(
        sync=sync,
        reason=Reason.STUCK,
        why=why,
        since=run.started_at or run.created_at,
        remedy=None,
    )


def typical_duration(runs: Iterable[Run]) -> timedelta | None:
    """Median duration of the finished, successful runs (None without any)."""
    durations: list[float] = []
    for run in runs:
        if run.state is not RunState.SUCCESS:
            continue
        start, end = _run_started(run), parse_time(run.finished_at)
        if start is not None and end is not None and end >= start:
            durations.append((end - start).total_seconds())
    if not durations:
        return None
    return timedelta(seconds=statistics.median(durations))


def might_be_stuck(sync: Sync, now: datetime) -> bool:
    """Worth fetching the run history to compare: a run in flight for a while."""
    run = sync.latest_run
    if run is None or run.state not in (RunState.RUNNING, RunState.QUEUED):
        return False
    started = _run_started(run)
    return started is not None and now - started > CHECK_RUNS_AFTER


def triage(syncs: Iterable[Sync], now: datetime | None = None) -> list[Attention]:
    found = (assess(s, now) for s in syncs)
    return [a for a in found if a is not None]
