"""The investigation timeline: a sync's runs and synctui's journaled changes, in one list.

Pure functions over domain objects, no Textual: the pane only paints what is computed here,
and tests check the wording without a terminal. The one-line summary relates the state
change to the nearest change made from synctui before it ("paused 3 h after viewName was
changed"), because that is the first question support asks: did *we* cause this?

Times are compared as the vendor and the journal wrote them. Both are UTC; the sandbox's
frozen clock is the one place they can disagree, and tests pin the journal's clock there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from synctui.domain.diff import changed_paths
from synctui.domain.models import Run, RunState
from synctui.services.triage import (
    RUN_NOUN,
    Attention,
    Reason,
    human_duration,
    parse_time,
    typical_duration,
)

STATE_VERB = {
    Reason.ERROR: "in error",
    Reason.FAILED_RUN: "run failed",
    Reason.STUCK: "stuck",
    Reason.DISABLED: "disabled",
    Reason.PAUSED: "paused",
    Reason.LEGACY: "legacy",
}

RUN_TONE = {
    RunState.SUCCESS: "ok",
    RunState.FAILED: "error",
    RunState.CANCELLED: "muted",
    RunState.RUNNING: "live",
    RunState.QUEUED: "live",
}
RUN_ICON = {"ok": "✔", "error": "✖", "muted": "∅", "live": "…"}


@dataclass(frozen=True)
class Event:
    """One line of the timeline."""

    time: str | None  # ISO, as written by the vendor or the journal
    icon: str
    tone: str  # ok | error | muted | live | change | state
    text: str

    @property
    def when(self) -> datetime | None:
        return parse_time(self.time)


def short(ts: str | None) -> str:
    """'2026-11-16 10:00' from an ISO time ('-' when unknown)."""
    return (ts or "-")[:16].replace("T", " ")


def _field_names(entry: Any) -> list[str]:
    """The leaf names an update changed ('viewName'), from the journal's before/after."""
    names: list[str] = []
    if isinstance(entry.before, dict) and isinstance(entry.after, dict):
        for change in changed_paths(entry.before, entry.after):
            leaf = next((p for p in reversed(change.path) if isinstance(p, str)), None)
            if leaf and leaf not in names:
                names.append(leaf)
    return names


def change_words(entry: Any) -> str:
    """What a journaled write did, as the end of 'paused 3 h after …'."""
    action = entry.action
    if action in ("update", "revert"):
        names = _field_names(entry)
        if not names:
            return "its settings were changed" if action == "update" else "a change was reverted"
        if len(names) == 1:
            return f"{names[0]} was changed"
        if len(names) == 2:
            return f"{names[0]} and {names[1]} were changed"
        return f"{names[0]} and {len(names) - 1} more fields were changed"
    return {
        "pause": "it was paused from synctui",
        "resume": "it was resumed from synctui",
        "trigger": "a run was triggered from synctui",
        "migrate": "it was migrated from synctui",
        "create": "it was created from synctui",
    }.get(action, f"a {action} from synctui")


def _entry_event(entry: Any) -> Event:
    text = f"synctui {entry.action}"
    names = _field_names(entry)
    if names:
        text += ": " + ", ".join(names[:4]) + (" …" if len(names) > 4 else "")
    if entry.outcome != "ok":
        text += f" — {entry.outcome}" + (f": {entry.error}" if entry.error else "")
    tone = "change" if entry.outcome == "ok" else "error"
    return Event(entry.time, "✎", tone, text)


def _run_event(run: Run, noun: str) -> Event:
    tone = RUN_TONE.get(run.state, "muted")
    start, end = parse_time(run.started_at or run.created_at), parse_time(run.finished_at)
    took = f" after {human_duration(end - start)}" if start and end and end >= start else ""
    text = f"{noun} {run.vendor_status or run.state.value}{took}"
    detail = run.error or run.summary
    if detail:
        text += f": {detail}"
    return Event(run.finished_at or run.started_at or run.created_at, RUN_ICON[tone], tone, text)


def build_timeline(
    item: Attention,
    runs: Sequence[Run] | None,
    entries: Sequence[Any] | None,
    *,
    limit: int = 14,
) -> list[Event]:
    """Runs, journal entries and the state change itself, oldest first (the last `limit`)."""
    noun = RUN_NOUN.get(item.sync.vendor, "run")
    events = [_run_event(r, noun) for r in runs or ()]
    events += [_entry_event(e) for e in entries or ()]
    if item.since:
        events.append(Event(item.since, "⚑", "state", f"{STATE_VERB[item.reason]} since here"))
    known = sorted((e for e in events if e.when is not None), key=lambda e: e.when)  # type: ignore[arg-type, return-value]
    return known[-limit:]


def relate(item: Attention, entries: Sequence[Any] | None, now: datetime) -> str:
    """One line relating the state change to the nearest change from synctui before it."""
    verb = STATE_VERB[item.reason]
    since = parse_time(item.since)
    if since is None:
        return f"{verb}; the vendor does not say since when"
    age = f"{verb} since {short(item.since)} ({human_duration(now - since)} ago)"
    if entries is None:
        return f"{age}; no local journal to compare with"
    done = [e for e in entries if e.outcome == "ok" and parse_time(e.time) is not None]
    before = [e for e in done if parse_time(e.time) <= since]  # type: ignore[operator]
    if before:
        nearest = max(before, key=lambda e: parse_time(e.time))  # type: ignore[arg-type, return-value]
        gap = human_duration(since - parse_time(nearest.time))  # type: ignore[operator]
        return f"{verb} {gap} after {change_words(nearest)} ({short(nearest.time)})"
    after = [e for e in done if e not in before]
    if after:
        first = min(after, key=lambda e: parse_time(e.time))  # type: ignore[arg-type, return-value]
        return f"{age}; nothing changed from synctui before it, {change_words(first)} later"
    return f"{age}; nothing changed from synctui before it"


def run_facts(runs: Sequence[Run] | None) -> str:
    """'last 8 runs: 6 ok, 2 failed; usually 6 min' (empty without runs)."""
    if not runs:
        return "" if runs is None else "no runs recorded"
    ok = sum(1 for r in runs if r.state is RunState.SUCCESS)
    failed = sum(1 for r in runs if r.state is RunState.FAILED)
    text = f"last {len(runs)} runs: {ok} ok, {failed} failed"
    typical = typical_duration(runs)
    return text + (f"; usually {human_duration(typical)}" if typical else "")


def last_error(item: Attention, runs: Sequence[Run] | None) -> str | None:
    """The most recent error text the vendor gave, from the runs or the sync itself."""
    for run in runs or ():
        if run.state is RunState.FAILED and run.error:
            return run.error
    latest = item.sync.latest_run
    if latest is not None and latest.error:
        return latest.error
    raw = item.sync.raw
    detail = raw.get("status_error") or raw.get("reason")  # Signalsmith, Paragon
    return detail if isinstance(detail, str) and detail else None
