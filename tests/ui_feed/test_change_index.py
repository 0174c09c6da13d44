"""The viewer's index holds block bounds, not ids, and reads blocks back from the store.

Built from a real store over several blocks (and with a feed filter, whose matches are
spread out), every position, window and lookup must give what the store's own id list gives,
while the index keeps only a bounded number of blocks' ids in memory.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left
from pathlib import Path

import pytest

from synctui.store.feedstore import SCHEMA, ChangeFilter, FeedStore
from synctui.ui.feed import change_index
from synctui.ui.feed.change_index import ChangeIndex, build_index, store_reader

ACCOUNT = "lb"
ROWS = 9_000


def synthetic(path: Path, rows: int) -> None:
    """Rows for two accounts (so one account's ids have gaps), generated inside SQLite."""
    FeedStore(path).close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute(
        """
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
        INSERT INTO changes (account, feed, entity_id, entity_type, operation,
                             sequence_version, partial, subject, project_id, data, received_at)
        SELECT CASE WHEN i % 7 = 3 THEN 'other' ELSE ? END,
               CASE i % 4 WHEN 0 THEN 'project' WHEN 1 THEN 'form'
                          WHEN 2 THEN 'point' ELSE 'contact' END,
               'e' || (i % 500), 'Point', 'updated', i, 0, 's' || i, NULL, NULL,
               '2026-11-20T08:00:00.000+00:00'
        FROM n
        """,
        (rows, ACCOUNT),
    )
    db.executescript(SCHEMA)
    db.close()


@pytest.fixture()
def store(tmp_path: Path) -> FeedStore:
    path = tmp_path / "feeds.sqlite3"
    synthetic(path, ROWS)
    opened = FeedStore(path)
    yield opened
    opened.close()


@pytest.mark.parametrize("feeds", [(), ("point",)])
def test_positions_windows_and_lookups_match_the_store(
    store: FeedStore, feeds: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(change_index, "BLOCK", 256)
    monkeypatch.setattr(change_index, "SPAN", 1024)
    monkeypatch.setattr(change_index, "CACHED_BLOCKS", 4)
    flt = ChangeFilter(feeds=feeds)
    truth = store.ids(ACCOUNT, flt, limit=10**6)
    index = build_index(store, ACCOUNT, flt)
    assert len(index) == len(truth) and index.blocks > 4
    assert list(index.ids) == truth
    for position in (0, 1, 255, 256, 257, len(truth) // 2, len(truth) - 1):
        assert index.id_at(position) == truth[position]
        assert (
            index.window(position - 3, position + 300)
            == truth[max(0, position - 3) : position + 300]
        )
    for target in (0, truth[0], truth[100] + 1, truth[-1], truth[-1] + 5):
        assert index.position_of(target) == bisect_left(truth, target)
    assert len(index._blocks) <= 4  # only a few blocks' ids are ever held


def test_growth_and_copies_keep_the_same_ids(store: FeedStore) -> None:
    flt = ChangeFilter()
    truth = store.ids(ACCOUNT, flt, limit=10**6)
    index = ChangeIndex(reader=store_reader(store, ACCOUNT, flt))
    half = len(truth) // 2
    assert index.extend(truth[:half]) == half
    copy = index.copy(generation=2)
    assert index.extend(truth[half - 10 :]) == len(truth) - half  # older ids are ignored
    assert list(index.ids) == truth and index.ids[-1] == truth[-1]
    assert list(copy.ids) == truth[:half] and copy.generation == 2


def test_a_block_the_store_lost_rows_of_reads_short_not_wrong(store: FeedStore) -> None:
    """A feed reset elsewhere deletes rows under the view: their positions read as empty."""
    index = build_index(store, ACCOUNT, ChangeFilter())
    bounds_only = index.copy()  # no block's ids: each is read back when wanted
    store.reset(ACCOUNT)
    assert len(bounds_only) == len(index) > 0
    assert bounds_only.id_at(0) is None and bounds_only.window(0, 10) == []
    assert bounds_only.position_of(5) == 0
