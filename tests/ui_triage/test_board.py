"""The attention view's logic without a terminal: groups, ordering, recovering, wording."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from synctui.domain.models import Run, RunState, Sync, SyncStatus
from synctui.services.triage import AccountScan, Reason, Recovery, assess
from synctui.ui.triage.board import RECOVERING, UNREADABLE, Board, age
from synctui.ui.triage.timeline import build_timeline, change_words, relate, run_facts

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def iso(delta: timedelta) -> str:
    return (NOW - delta).isoformat().replace("+00:00", "Z")


def sync(sid: str, status: SyncStatus, *, account: str = "acme", updated: timedelta,
         run: Run | None = None, vendor: str = "signalsmith") -> Sync:  # fmt: skip
    raw = {
        "status": status.value,
        "status_error": "token revoked" if status is SyncStatus.ERROR else "",
    }
    return Sync(
        account=account, vendor=vendor, id=sid, name=f"sync {sid}", status=status,
        vendor_status=status.value, updated_at=iso(updated), latest_run=run, raw=raw,
    )  # fmt: skip


def run(rid: str, state: RunState, ago: timedelta) -> Run:
    return Run(id=rid, state=state, vendor_status=state.value, started_at=iso(ago + timedelta(minutes=5)),
               finished_at=iso(ago), error="boom" if state is RunState.FAILED else None)  # fmt: skip


def scanned(account: str, *syncs: Sync, error: str | None = None) -> AccountScan:
    items = [a for a in (assess(s, NOW) for s in syncs) if a]
    return AccountScan(account, items, len(syncs), error, syncs=tuple(syncs))


def test_groups_in_urgency_order_oldest_first_and_failures_on_top() -> None:
    board = Board()
    board.generation = 1
    board.accounts, board.pending = ["acme", "north", "broken"], {"acme", "north", "broken"}
    board.apply(1, scanned("acme", sync("p1", SyncStatus.PAUSED, updated=timedelta(days=2)),
                           sync("e1", SyncStatus.ERROR, updated=timedelta(hours=1))), NOW)  # fmt: skip
    board.apply(1, scanned("north", sync("p2", SyncStatus.PAUSED, account="north",
                                         updated=timedelta(days=9))), NOW)  # fmt: skip
    assert board.loading
    board.apply(1, scanned("broken", error="the vendor did not answer in time"), NOW)
    assert not board.loading
    shown = [
        (line.kind, line.group, line.cells[2] if line.cells else "") for line in board.lines(NOW)
    ]
    assert shown == [
        ("group", UNREADABLE, ""),
        ("failure", UNREADABLE, ""),
        ("group", "in error", ""),
        ("item", "in error", "sync e1"),
        ("group", "paused", ""),
        ("item", "paused", "sync p2"),  # nine days before two
        ("item", "paused", "sync p1"),
    ]
    assert board.counts() == {"in error": 1, "paused": 2}
    assert board.account_counts() == {"acme": 2, "north": 1}
    # A result from an older scan is ignored.
    assert board.apply(0, scanned("acme"), NOW) == [] and len(board.items) == 3


def test_filter_keeps_matching_rows_and_their_heading() -> None:
    board = Board()
    board.apply(0, scanned("acme", sync("p1", SyncStatus.PAUSED, updated=timedelta(days=2)),
                           sync("e1", SyncStatus.ERROR, updated=timedelta(hours=1))), NOW)  # fmt: skip
    board.filter_text = "revoked"
    assert [(line.kind, line.group) for line in board.lines(NOW)] == [
        ("group", "in error"),
        ("item", "in error"),
    ]
    board.filter_text = "!revoked"
    assert [line.group for line in board.lines(NOW)] == ["paused", "paused"]


def test_filter_speaks_the_sync_filter_language() -> None:
    """The table's and `--where`'s terms: fields of the sync and of its vendor JSON."""
    board = Board()
    board.apply(0, scanned("acme", sync("p1", SyncStatus.PAUSED, updated=timedelta(days=2)),
                           sync("e1", SyncStatus.ERROR, updated=timedelta(hours=1))), NOW)  # fmt: skip

    def names() -> list[str]:
        return [line.cells[2] for line in board.lines(NOW) if line.kind == "item"]

    board.filter_text = "status=paused"
    assert names() == ["sync p1"]
    board.filter_text = "status_error~revoked"  # a path into the vendor's JSON
    assert names() == ["sync e1"]
    board.filter_text = "~snce1"  # fuzzy within one field (the name)
    assert names() == ["sync e1"]
    board.filter_text = "~acmep1"  # not across the account and the name
    assert names() == []
    board.filter_text = "a$b=1"
    assert names() == [] and board.filter_error is not None
    assert "'a$b' at column 1 is not a field name" in board.filter_error
    board.filter_text = "status="  # still being typed: a field that is not empty
    assert names() == [] and board.filter_error is None


def test_recovering_until_the_next_run_decides() -> None:
    board = Board()
    failing = sync(
        "e1",
        SyncStatus.ERROR,
        updated=timedelta(hours=3),
        run=run("r1", RunState.FAILED, timedelta(hours=2)),
    )
    board.apply(0, scanned("acme", failing), NOW)
    item = board.items[failing.key]
    board.fixed(
        Recovery(
            item, "r1", "r2", expects_run=True, applies_later=False, message="resumed; triggered"
        )
    )
    assert failing.key not in board.items and board.counts() == {RECOVERING: 1}
    recovering = [line for line in board.lines(NOW) if line.group == RECOVERING]
    assert recovering[-1].cells[3] == "resumed; triggered — waiting for the run"

    running = failing.model_copy(
        update={
            "status": SyncStatus.ACTIVE,
            "latest_run": run("r2", RunState.RUNNING, timedelta(0)),
        }
    )
    assert board.apply(0, scanned("acme", running), NOW) == []
    assert failing.key in board.recovering

    failed = failing.model_copy(update={"latest_run": run("r2", RunState.FAILED, timedelta(0))})
    notes = board.apply(0, scanned("acme", failed), NOW)
    assert notes and notes[0].startswith("✖ sync e1 still needs a person")
    assert (
        failing.key not in board.recovering and board.items[failing.key].sync.latest_run.id == "r2"
    )  # type: ignore[union-attr]

    board.fixed(Recovery(board.items[failing.key], "r2", "r3", True, False, "triggered"))
    ok = failing.model_copy(
        update={
            "status": SyncStatus.ACTIVE,
            "latest_run": run("r3", RunState.SUCCESS, timedelta(0)),
        }
    )
    assert board.apply(0, scanned("acme", ok), NOW) == ["✔ sync e1 recovered"]
    assert not board.items and not board.recovering


def test_a_failed_fix_keeps_the_row_and_shows_the_error_first() -> None:
    board = Board()
    paused = sync("p1", SyncStatus.PAUSED, updated=timedelta(days=2))
    board.apply(0, scanned("acme", paused), NOW)
    board.fix_failed(paused.key, "HTTP 500 from Signalsmith")
    line = next(line for line in board.lines(NOW) if line.kind == "item")
    assert line.flagged and line.cells[3].startswith(
        "fix failed: HTTP 500 from Signalsmith │ status paused"
    )


def test_ages_fit_the_column() -> None:
    assert [age(iso(d), NOW) for d in (timedelta(seconds=5), timedelta(minutes=41),
            timedelta(hours=47), timedelta(days=150))] == ["5s", "41m", "47h", "150d"]  # fmt: skip
    assert age(None, NOW) == "?"


def entry(action: str, ago: timedelta, before=None, after=None, outcome="ok"):  # type: ignore[no-untyped-def]
    return SimpleNamespace(action=action, time=iso(ago), before=before, after=after,
                           outcome=outcome, error=None)  # fmt: skip


def test_relate_names_the_nearest_change_before_the_state_change() -> None:
    item = assess(sync("p1", SyncStatus.PAUSED, updated=timedelta(hours=1)), NOW)
    assert item is not None and item.reason is Reason.PAUSED
    edit = entry(
        "update",
        timedelta(hours=4),
        {"context": {"viewName": "3D"}},
        {"context": {"viewName": "Export"}},
    )
    older = entry("update", timedelta(days=3), {"schedule": "a"}, {"schedule": "b"})
    assert (
        relate(item, [older, edit], NOW)
        == "paused 3 h after viewName was changed (2026-11-20 05:30)"
    )
    assert relate(item, [older], NOW).startswith("paused 3 d after schedule was changed")
    later = entry("resume", timedelta(minutes=10))
    assert relate(item, [later], NOW) == (
        "paused since 2026-11-20 08:30 (1 h ago); nothing changed from synctui before it, "
        "it was resumed from synctui later"
    )
    assert relate(item, None, NOW).endswith("no local journal to compare with")
    assert (
        change_words(entry("update", timedelta(0), {"a": 1, "b": 2}, {"a": 2, "b": 3}))
        == "a and b were changed"
    )


def test_timeline_merges_runs_changes_and_the_state_in_time_order() -> None:
    failing = sync(
        "e1",
        SyncStatus.ERROR,
        updated=timedelta(hours=3),
        run=run("r2", RunState.FAILED, timedelta(hours=1)),
    )
    item = assess(failing, NOW)
    assert item is not None
    runs = [
        run("r2", RunState.FAILED, timedelta(hours=1)),
        run("r1", RunState.SUCCESS, timedelta(hours=6)),
    ]
    edit = entry("update", timedelta(hours=2), {"schedule": "a"}, {"schedule": "b"})
    events = build_timeline(item, runs, [edit])
    assert [e.text for e in events] == [
        "run success after 5 min",
        "synctui update: schedule",
        "run failed after 5 min: boom",
        "in error since here",
    ]
    assert run_facts(runs) == "last 2 runs: 1 ok, 1 failed; usually 5 min"
