"""Support triage: which syncs need a person, why, and the one documented remedy for each.

Reasons are derived only from what the vendors already tell us (normalized status, the
vendor's own status text, the latest run), so `synctui doctor` and the attention view agree:
both call `scan`. A remedy is a short list of ordinary service actions (resume, trigger,
migrate), so it goes through the same write path as everything else: read-only refusal,
journal, typed errors. After a remedy the sync is *recovering* until its next run (or its
status) confirms it; `recovery_verdict` decides that from vendor data alone, never from our
own clock, because the vendor's clock and ours need not agree.
"""

from __future__ import annotations

import asyncio
import re
import statistics
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from synctui.domain import errors
from synctui.domain.models import Capability, Run, RunState, Sync, SyncStatus, WriteResult

# Without any run history, a run this old is "stuck".
STUCK_AFTER = timedelta(hours=2)
# With history: stuck once it runs STUCK_FACTOR × the median duration, and at least
# STUCK_MARGIN longer than the median (so a 1-minute sync is not "stuck" after 3 minutes).
STUCK_FACTOR = 3
STUCK_MARGIN = timedelta(minutes=30)
# Below this age a running run is never stuck, so its history is not even fetched.
CHECK_RUNS_AFTER = timedelta(minutes=15)
HISTORY_RUNS = 10


class Reason(StrEnum):
    ERROR = "in error"
    FAILED_RUN = "latest run failed"
    PAUSED = "paused"
    DISABLED = "disabled"
    LEGACY = "legacy, needs migration"
    STUCK = "stuck"


# Order of the groups in the view and in `doctor`: the most urgent first.
REASON_ORDER = (
    Reason.ERROR,
    Reason.FAILED_RUN,
    Reason.STUCK,
    Reason.DISABLED,
    Reason.PAUSED,
    Reason.LEGACY,
)

STEP_CAPABILITY = {
    "resume": Capability.PAUSE_RESUME,
    "pause": Capability.PAUSE_RESUME,
    "trigger": Capability.TRIGGER,
    "migrate": Capability.MIGRATE,
}


@dataclass(frozen=True)
class Remedy:
    """The vendor's documented way back, as steps the service layer knows how to run."""

    label: str  # "Resume, then trigger a run"
    steps: tuple[str, ...]  # of "pause", "resume", "trigger", "migrate", in order
    note: str = ""
    optional: frozenset[str] = frozenset()  # steps a person may leave out ("trigger")

    @property
    def trigger_optional(self) -> bool:
        return "trigger" in self.optional and "trigger" in self.steps

    def steps_for(self, trigger: bool) -> tuple[str, ...]:
        """The steps actually run: an optional trigger is left out when not wanted."""
        if trigger or not self.trigger_optional:
            return self.steps
        return tuple(s for s in self.steps if s != "trigger")


@dataclass(frozen=True)
class Attention:
    sync: Sync
    reason: Reason
    why: str  # plain words, from the vendor's own data
    since: str | None  # ISO time the sync entered this state, as best we know
    remedy: Remedy | None

    @property
    def key(self) -> tuple[str, str]:
        return self.sync.key


@dataclass
class Scan:
    items: list[Attention] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)  # account → error sentence
    scanned: int = 0
    accounts_read: list[str] = field(default_factory=list)

    def by_reason(self) -> dict[Reason, list[Attention]]:
        groups: dict[Reason, list[Attention]] = {r: [] for r in REASON_ORDER}
        for item in self.items:
            groups[item.reason].append(item)
        return {r: sorted(v, key=age_key) for r, v in groups.items() if v}

    def counts_by_account(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.sync.account] = counts.get(item.sync.account, 0) + 1
        return counts


@dataclass(frozen=True)
class AccountScan:
    """One account's part of a scan: what the view shows as soon as that account answers."""

    account: str
    items: list[Attention]
    scanned: int
    error: str | None = None
    # Every sync listed, healthy ones included: a sync being watched after a remedy is
    # judged from its fresh state even when it no longer needs attention.
    syncs: tuple[Sync, ...] = ()


def age_key(item: Attention) -> tuple[str, str, str]:
    # Oldest first: the longest-standing trouble leads its group; ties by account and name.
    return (item.since or "9999", item.sync.account, item.sync.name.casefold())


def parse_time(ts: str | None) -> datetime | None:
    if not ts:
        return None
    try:
        value = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def human_duration(delta: timedelta) -> str:
    """'45 s', '12 min', '3.5 h', '6 d': short and stable enough for a table cell."""
    seconds = max(0.0, delta.total_seconds())
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        hours = seconds / 3600
        return f"{hours:.0f} h" if hours >= 10 else f"{hours:.1f} h".replace(".0 h", " h")
    return f"{seconds / 86400:.0f} d"


# --- remedies ---------------------------------------------------------------------------------
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


def _short(ident: str, compact: bool) -> str:
    return f"{ident[:8]}…" if compact and len(ident) > 12 else ident


def describe_step(
    sync: Sync, step: str, workspace: str | None = None, *, compact: bool = False
) -> str:
    """What one step sends, in the vendor's own terms (shown before a person confirms).

    `compact` shortens long ids for a narrow pane; the confirmation always shows them whole.
    """
    vendor, sid = sync.vendor, _short(sync.id, compact)
    workspace = _short(workspace, compact) if workspace else workspace
    if vendor == "speckle":
        project, _, ident = sync.id.partition("/")
        target = f"projectId {project}, id {ident}"
        return {
            "resume": f"syncMutations.setActive({target}, active: true)",
            "pause": f"syncMutations.setActive({target}, active: false)",
            "trigger": f"syncMutations.update({target}, context unchanged, triggerNow: true)",
            "migrate": f"syncMutations.migrateLegacy({target})",
        }.get(step, f"{step} {sid}")
    if vendor == "polytomic":
        return {
            "resume": f'POST /api/syncs/{sid}/activate {{"active": true}}',
            "pause": f'POST /api/syncs/{sid}/activate {{"active": false}}',
            "trigger": f"POST /api/syncs/{sid}/executions (start an execution)",
        }.get(step, f"{step} {sid}")
    if vendor == "signalsmith":
        base = f"/api/v1/workspaces/{workspace or '…'}/syncs/{sid}"
        return {
            "resume": f'PUT {base} {{"status": "active"}}',
            "pause": f'PUT {base} {{"status": "paused"}}',
            "trigger": f"POST {base}/trigger",
        }.get(step, f"{step} {sid}")
    if vendor == "paragon":
        return {
            "resume": f"POST /api/syncs/{sid}/reenable",
            "pause": f"POST /api/syncs/{sid}/disable",
        }.get(step, f"{step} {sid}")
    return f"{step} {sid}"


def describe_remedy(item: Attention, *, trigger: bool = True, workspace: str | None = None) -> str:
    """The confirmation text: which sync, and exactly which requests, in order."""
    remedy = item.remedy
    if remedy is None:
        return "No automatic remedy: look at this sync in the vendor's app."
    sync = item.sync
    steps = remedy.steps_for(trigger)
    lines = [f"{remedy.label}: {sync.name!r} on {sync.account} ({sync.vendor})", ""]
    lines += [f"{n}. {describe_step(sync, s, workspace)}" for n, s in enumerate(steps, 1)]
    if remedy.trigger_optional and not trigger:
        lines.append("(no run is triggered: it runs on its own schedule)")
    lines += ["", "Each step is journaled; the first failure stops the rest."]
    return "\n".join(lines)


def missing_capabilities(capabilities: frozenset[Capability], remedy: Remedy) -> list[str]:
    """Steps this adapter cannot run (the view offers no fix while any is missing)."""
    return [s for s in remedy.steps if STEP_CAPABILITY.get(s) not in capabilities]


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
        return "inactive (active: false)"
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
        detail = raw.get("status_error") or raw.get("errorMessage") or given
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


# --- scanning ---------------------------------------------------------------------------------
def scannable(session: Any, name: str) -> bool:
    """Accounts with syncs to list (LetsBuild has feeds, not syncs). Raises ImportError when
    this synctui has no adapter for the vendor, so the caller can report it."""
    return Capability.LIST in session.capabilities(name)


async def scan_account(
    session: Any,
    name: str,
    now: datetime | None = None,
    watch: Collection[tuple[str, str]] = (),
) -> AccountScan:
    """One account: list its syncs, fetch run history only for long runs, assess each.

    Syncs in `watch` (recovering after a remedy) are read in full (`get_sync`): some list
    endpoints carry no latest run (Signalsmith), and the run is what decides a recovery.
    """
    now = now or datetime.now(UTC)
    try:
        syncs = await session.guard(session.adapter(name).list_syncs())
        syncs = await _reread(session, name, syncs, [k for k in watch if k[0] == name])
        typical: dict[tuple[str, str], timedelta | None] = {}
        if Capability.RUNS in session.capabilities(name):
            suspects = [s for s in syncs if might_be_stuck(s, now)]
            histories = await asyncio.gather(
                *(session.list_runs(name, s.id, HISTORY_RUNS) for s in suspects),
                return_exceptions=True,
            )
            for sync, runs in zip(suspects, histories, strict=True):
                if isinstance(runs, list):
                    typical[sync.key] = typical_duration(
                        r for r in runs if r.id != sync.latest_run.id
                    )  # type: ignore[union-attr]
    except ImportError as exc:
        return AccountScan(name, [], 0, f"this synctui has no adapter for it yet ({exc})")
    except errors.SyncTuiError as exc:
        return AccountScan(name, [], 0, str(exc))
    found = [a for a in (assess(s, now, typical=typical.get(s.key)) for s in syncs) if a]
    if Capability.RUNS in session.capabilities(name):
        found = await _failing_since(session, name, found)
    return AccountScan(name, found, len(syncs), syncs=tuple(syncs))


async def _reread(
    session: Any, name: str, syncs: list[Sync], keys: list[tuple[str, str]]
) -> list[Sync]:
    """The listed syncs with the watched ones replaced by a full read (when it works)."""
    if not keys:
        return syncs
    fresh = await asyncio.gather(
        *(session.get_sync(name, sid) for _, sid in keys), return_exceptions=True
    )
    full = {s.key: s for s in fresh if isinstance(s, Sync)}
    return [full.get(s.key, s) for s in syncs]


async def _failing_since(session: Any, name: str, items: list[Attention]) -> list[Attention]:
    """For failing syncs whose list entry carries no run (Signalsmith), the time the
    current streak of failed runs began: the vendor's `updated_at` can be far older than
    the runs that succeeded since, and the list is sorted by how long the trouble lasts."""
    blind = [
        i for i in items
        if i.reason in (Reason.ERROR, Reason.FAILED_RUN) and i.sync.latest_run is None
    ]  # fmt: skip
    if not blind:
        return items
    histories = await asyncio.gather(
        *(session.list_runs(name, i.sync.id, 5) for i in blind), return_exceptions=True
    )
    better: dict[tuple[str, str], Attention] = {}
    for item, runs in zip(blind, histories, strict=True):
        start = streak_start(runs) if isinstance(runs, list) else None
        if start is not None:
            better[item.key] = replace(item, since=start)
    return [better.get(i.key, i) for i in items]


def streak_start(runs: Sequence[Run]) -> str | None:
    """When the leading run of failures (newest first) began; None if the latest is fine."""
    start: str | None = None
    for run in runs:
        if run.state is not RunState.FAILED:
            break
        start = run.finished_at or run.started_at or run.created_at or start
    return start


def plan_scan(session: Any, names: Sequence[str]) -> tuple[list[str], list[AccountScan]]:
    """Split accounts into those to list and those that fail at once (no adapter, unknown).

    Accounts without syncs (LetsBuild: feeds only) are in neither: there is nothing to check.
    """
    wanted: list[str] = []
    failed: list[AccountScan] = []
    for name in names:
        try:
            if scannable(session, name):
                wanted.append(name)
        except ImportError as exc:
            failed.append(
                AccountScan(name, [], 0, f"this synctui has no adapter for it yet ({exc})")
            )
        except errors.SyncTuiError as exc:
            failed.append(AccountScan(name, [], 0, str(exc)))
    return wanted, failed


async def scan(
    session: Any,
    accounts: Sequence[str] | None = None,
    now: datetime | None = None,
    *,
    progress: Callable[[AccountScan], None] | None = None,
    watch: Collection[tuple[str, str]] = (),
) -> Scan:
    """Every sync of the accounts (in parallel), keeping those needing attention.

    `progress` is called once per account as soon as it is done, so a view can fill in
    account by account; an account that fails is reported and the others carry on.
    `watch`: syncs to read in full (see `scan_account`).
    """
    names = list(accounts) if accounts else [a.name for a in session.accounts]
    result = Scan()
    wanted, failed = plan_scan(session, names)
    for done in failed:
        _collect(result, done, progress)

    async def one(name: str) -> None:
        _collect(result, await scan_account(session, name, now, watch), progress)

    await asyncio.gather(*(one(n) for n in wanted))
    return result


def _collect(
    result: Scan, done: AccountScan, progress: Callable[[AccountScan], None] | None
) -> None:
    if done.error is not None:
        result.failures[done.account] = done.error
    else:
        result.accounts_read.append(done.account)
        result.scanned += done.scanned
        result.items.extend(done.items)
    if progress is not None:
        progress(done)


# --- remedies: running them and watching the recovery -----------------------------------------
@dataclass(frozen=True)
class Recovery:
    """A remedy that succeeded: the sync is watched until vendor data confirms it."""

    item: Attention  # as it was when fixed
    previous_run: str | None  # latest run id before the remedy
    run_id: str | None  # the run the remedy started, when the vendor said
    expects_run: bool  # a trigger was sent
    applies_later: bool  # accepted, applied asynchronously (Paragon)
    message: str  # what was done, in words

    @property
    def key(self) -> tuple[str, str]:
        return self.item.key


@dataclass(frozen=True)
class RemedyOutcome:
    results: list[WriteResult]
    skipped: list[str]  # sentences: steps left out and why
    recovery: Recovery


class Verdict(StrEnum):
    WAITING = "waiting"
    RECOVERED = "recovered"
    FAILED = "failed"


async def run_remedy(session: Any, item: Attention, *, trigger: bool = True) -> RemedyOutcome:
    """Run the remedy's steps in order through the session (journaled, read-only refused).

    The first failure propagates and stops the rest. A trigger right after a migration that
    left the sync paused is skipped (the vendor would refuse it) and said so.
    """
    remedy = item.remedy
    if remedy is None:
        raise errors.InvalidState(
            "no automatic remedy for this sync: look at it in the vendor's app"
        )
    session.refuse_if_readonly(remedy.label.lower())
    results: list[WriteResult] = []
    skipped: list[str] = []
    account, sync_id = item.sync.account, item.sync.id
    latest: Sync | None = None
    sent: list[str] = []
    for step in remedy.steps_for(trigger):
        if step == "trigger" and latest is not None and latest.status is SyncStatus.PAUSED:
            skipped.append("no run triggered: the sync is paused after the migration")
            continue
        if step in ("resume", "pause"):
            result = await session.set_active(account, sync_id, step == "resume")
        elif step == "trigger":
            result = await session.trigger(account, sync_id)
        elif step == "migrate":
            result = await session.migrate(account, sync_id)
        else:
            raise errors.Unsupported(f"unknown remedy step {step!r}")
        results.append(result)
        sent.append(step)
        latest = result.sync or latest
    return RemedyOutcome(results, skipped, _recovery(item, results, sent, skipped))


async def apply_remedy(session: Any, item: Attention, *, trigger: bool = True) -> list[WriteResult]:
    """Run the remedy's steps in order; stop at the first failure (it propagates)."""
    return (await run_remedy(session, item, trigger=trigger)).results


def _recovery(
    item: Attention, results: list[WriteResult], sent: list[str], skipped: list[str]
) -> Recovery:
    previous = item.sync.latest_run.id if item.sync.latest_run is not None else None
    started = (r.run.id for r in reversed(results) if r.run is not None)
    run_id = next((rid for rid in started if rid != previous), None)
    words = [r.message for r in results if r.message]
    if run_id:
        words.append(f"run {run_id} started")
    return Recovery(
        item=item,
        previous_run=previous,
        run_id=run_id,
        expects_run="trigger" in sent,
        applies_later=any(r.pending for r in results),
        message="; ".join(words + skipped) or "sent",
    )


def recovery_verdict(
    recovery: Recovery, sync: Sync | None, now: datetime | None = None
) -> tuple[Verdict, Attention | None]:
    """Has the remedy worked? Judged from the vendor's data only.

    - a run newer than the remedy (or the one it started) finished: success → RECOVERED,
      failure → FAILED with that run's error; still running → WAITING;
    - no new run yet: WAITING if a run was asked for or the vendor applies changes later
      and the sync still looks unchanged; otherwise the sync's state decides (healthy →
      RECOVERED, still needing attention → FAILED, back in its group).
    A sync that disappeared is RECOVERED: there is nothing left to fix.
    """
    if sync is None:
        return Verdict.RECOVERED, None
    now = now or datetime.now(UTC)
    run = sync.latest_run
    new_run = run is not None and (
        run.id == recovery.run_id or (run.id != recovery.previous_run and recovery.expects_run)
    )
    if new_run and run is not None:
        if run.state is RunState.SUCCESS:
            return Verdict.RECOVERED, None
        if run.state in (RunState.FAILED, RunState.CANCELLED):
            again = assess(sync, now)
            if again is None:
                reason = Reason.FAILED_RUN
                again = Attention(sync, reason, explain(sync, reason), run.finished_at, None)
            return Verdict.FAILED, again
        return Verdict.WAITING, None
    current = assess(sync, now)
    if current is None:
        return (Verdict.WAITING, None) if recovery.expects_run else (Verdict.RECOVERED, None)
    if recovery.expects_run or (recovery.applies_later and current.reason is recovery.item.reason):
        if current.reason in (Reason.PAUSED, Reason.DISABLED, Reason.LEGACY):
            # A run was asked for but the sync is (again) paused: nothing will run.
            return Verdict.FAILED, current
        return Verdict.WAITING, None
    return Verdict.FAILED, current


def with_note(item: Attention, note: str) -> Attention:
    """The same item with a sentence appended to its why (e.g. the remedy's error)."""
    return replace(item, why=f"{item.why} — {note}" if item.why else note)
