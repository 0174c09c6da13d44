"""The detail pane (snapshot, history, diff), partial markers and exports."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from synctui.domain.models import Change
from synctui.store.feedstore import NULL_GUID, ChangeFilter, FeedStore
from synctui.ui.app import SyncTuiApp
from synctui.ui.feed.detail_model import describe_diff
from synctui.ui.feed.detail_pane import DetailPane
from tests.ui_feed.conftest import (
    ACCOUNT,
    feed_app,
    opened_feed,
    session_for,
    stored_ids,
    visible_rows,
    wait_for,
)


def _app(sandbox, store: FeedStore) -> SyncTuiApp:  # type: ignore[no-untyped-def]
    return feed_app(session_for(sandbox), store, poll_interval=5.0)


def _ready(screen) -> bool:  # type: ignore[no-untyped-def]
    return screen._index_ready and screen.change_list.row_count > 0


def _an_update_with_history(store: FeedStore) -> int:
    """A stored update whose entity has an earlier snapshot, so there is something to diff."""
    updates = ChangeFilter(operations=("updated",))
    for change in store.page(ACCOUNT, updates, limit=500, newest_first=False, with_data=True):
        history = store.history(ACCOUNT, change.entity_id)
        before = [h for h in history if h.id < change.id and h.data is not None]
        if len(history) >= 3 and before and describe_diff(before[-1].data, change.data)[0]:
            return change.id
    raise AssertionError("the seed has entities with several updates")


async def test_detail_shows_snapshot_history_and_diff(sandbox, feed_store: FeedStore) -> None:
    target = _an_update_with_history(feed_store)
    change = feed_store.get(target)
    history = feed_store.history(ACCOUNT, change.entity_id)
    async with _app(sandbox, feed_store).run_test(size=(120, 40)) as pilot:
        screen = await opened_feed(pilot)
        await wait_for(pilot, lambda: _ready(screen), "rows")
        position = screen.change_list.index.position_of(target)
        screen.change_list.move_cursor(position, by_user=True)
        await pilot.press("enter")
        pane = screen.query_one(DetailPane)
        await wait_for(
            pilot, lambda: pane.detail is not None and pane.detail.change.id == target, "detail"
        )
        assert pane.display and not screen.following  # moving away from the newest paused
        snapshot = str(pane.query(".snapshot").first().content)
        assert json.loads(snapshot) == change.data  # the formatted JSON is the snapshot
        assert f'"id": "{change.entity_id}"' in snapshot
        assert str(pane.query(".history-title").first().content) == f"History ({len(history)})"
        history_text = str(pane.query(".history").first().content)
        assert history_text.count("\n") + 1 == len(history)
        assert "▶" in history_text
        diff = str(pane.query(".diff").first().content)
        assert pane.detail.diff and diff.splitlines() == pane.detail.diff
        assert any(line.startswith("+") for line in pane.detail.diff)
        assert "sequenceVersion" not in diff  # bookkeeping noise is left out
        # The pane follows the cursor.
        await pilot.press("up")
        await wait_for(pilot, lambda: pane.detail.change.id != target, "detail follows")
        assert pane.detail.change.id == screen.change_list.cursor_id
        await pilot.press("escape")  # closes the pane, stays on the screen
        assert not pane.display and pilot.app.screen is screen


def _store_point(store: FeedStore, data: dict, operation: str, seq: int) -> None:
    """Store one point change the way the engine does (page + the unchanged cursor)."""
    change = Change(
        feed="point",
        entity_id=data["id"],
        entity_type="Point",
        operation=operation,
        data=data,
        sequence_version=seq,
    )
    store.store_page(ACCOUNT, "point", [change], store.cursor(ACCOUNT, "point") or "", False)


def _marked_line(screen, change_id: int) -> str:  # type: ignore[no-untyped-def]
    change_list = screen.change_list
    change_list.move_cursor(change_list.index.position_of(change_id), by_user=False)
    return next(r for r in visible_rows(screen) if r.startswith("▌")).rstrip()


async def test_partial_marker_turns_resolved_when_the_completing_update_arrives(
    sandbox, feed_store: FeedStore
) -> None:
    seeded = feed_store.page(ACCOUNT, ChangeFilter(partial_only=True), limit=100_000)
    assert seeded and all(c.resolved for c in seeded), "the seed's partials are all completed"
    template = feed_store.get(stored_ids(feed_store, ChangeFilter(feeds=("point",)))[-1]).data
    entity = {**template, "id": "0d3f5c1e-0000-4000-8000-00000000beef", "subject": "Late point"}
    async with _app(sandbox, feed_store).run_test(size=(120, 40)) as pilot:
        screen = await opened_feed(pilot)
        await wait_for(pilot, lambda: _ready(screen), "rows")
        assert _marked_line(screen, seeded[-1].id).endswith("✓ resolved")

        _store_point(feed_store, {**entity, "assignee": NULL_GUID}, "created", 99_000_001)
        partial_id = feed_store.max_id(ACCOUNT)
        await wait_for(pilot, lambda: screen.change_list.cursor_id == partial_id, "partial row")
        assert _marked_line(screen, partial_id).endswith("◐ partial")
        await pilot.press("enter")  # the detail names the field that is not known yet
        pane = screen.query_one(DetailPane)
        await wait_for(pilot, lambda: pane.detail and pane.detail.change.id == partial_id, "pane")
        summary = str(screen.query_one("#detail-summary").content)
        assert "assignee not known yet" in summary
        await pilot.press("escape")

        _store_point(feed_store, entity, "updated", 99_000_002)
        fixed_id = feed_store.max_id(ACCOUNT)
        await wait_for(pilot, lambda: screen.change_list.cursor_id == fixed_id, "update row")
        await wait_for(
            pilot,
            lambda: _marked_line(screen, partial_id).endswith("✓ resolved"),
            "the partial row marked resolved",
        )
        assert not _marked_line(screen, fixed_id).endswith(("partial", "resolved"))


async def _export(pilot, screen, path: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("x")
    await pilot.pause()
    dialog = pilot.app.screen
    if fmt == "csv":
        await pilot.click("#format-csv")
    dialog.query_one("#export-path").value = str(path)
    await pilot.click("#export-go")
    # The notification arrives as a message after `exporting` drops: wait for both.
    await wait_for(
        pilot,
        lambda: not screen.exporting and any(str(path) in n for n in _messages(pilot.app)),
        f"{fmt} export",
    )


async def test_export_writes_exactly_the_filtered_rows(
    sandbox, feed_store: FeedStore, tmp_path: Path
) -> None:
    flt = ChangeFilter(feeds=("point",), operations=("updated",))
    expected = stored_ids(feed_store, flt)
    async with _app(sandbox, feed_store).run_test(size=(120, 40)) as pilot:
        screen = await opened_feed(pilot)
        await wait_for(pilot, lambda: _ready(screen), "rows")
        await pilot.press("3", "u")
        await wait_for(pilot, lambda: list(screen.change_list.index.ids) == expected, "filter")

        jsonl = tmp_path / "out.jsonl"
        await _export(pilot, screen, jsonl, "jsonl")
        records = [json.loads(line) for line in jsonl.read_text().splitlines()]
        assert [r["id"] for r in records] == expected
        first = feed_store.get(expected[0])
        assert records[0]["data"] == first.data and records[0]["entity_id"] == first.entity_id
        assert {r["feed"] for r in records} == {"point"}
        assert {r["operation"] for r in records} == {"updated"}
        assert any(f"Exported {len(expected):,} changes" in n for n in _messages(pilot.app))

        table = tmp_path / "out.csv"
        await _export(pilot, screen, table, "csv")
        with open(table, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert [int(r["id"]) for r in rows] == expected
        assert json.loads(rows[-1]["data"]) == feed_store.get(expected[-1]).data
        assert rows[0]["project"] and rows[0]["subject"] == first.subject


def _messages(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]
