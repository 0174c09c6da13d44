"""A page is written with a fixed number of statements; it must end exactly as the same
changes written one by one. The engine's remembered cursor and the page it asks for ahead
must never store a page twice when another engine moved the stored cursor meanwhile, and a
page asked for ahead is dropped, not stored, when the catch-up stops."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from synctui.domain.models import Change, ChangePage
from synctui.services.feed import FeedEngine
from synctui.store.feedstore import NULL_GUID, FeedStore

ENTITY_A = "aaaaaaaa-0000-4000-8000-000000000001"
ENTITY_B = "bbbbbbbb-0000-4000-8000-000000000002"
ENTITY_C = "cccccccc-0000-4000-8000-000000000003"


def change(entity: str, operation: str, seq: int | None, **data: object) -> Change:
    body = None if operation == "deleted" else {"id": entity, "sequenceVersion": seq, **data}
    return Change(
        feed="point",
        entity_id=entity,
        entity_type="Point",
        operation=operation,
        data=body,
        sequence_version=seq,
        partial=body is not None and NULL_GUID in body.values(),
    )


# Partial then completed inside one page, an entity completed across pages, a deletion, a
# change without a sequence, a subject with a lone surrogate, and a null GUID nested deeper
# than the adapter's flag looks (`partial` False on purpose: the store finds it).
PAGES: list[list[Change]] = [
    [
        change(ENTITY_A, "created", 1, subject="A", listId=NULL_GUID),
        change(ENTITY_B, "created", 1, subject="B", listId=NULL_GUID),
        change(ENTITY_A, "updated", 2, subject="A", listId="l1"),
        change(ENTITY_C, "created", None, subject="C \ud83d cut"),
    ],
    [
        change(ENTITY_B, "updated", 2, subject="B", listId=NULL_GUID),
        change(ENTITY_B, "updated", 3, subject="B", listId="l2"),
        change(ENTITY_A, "deleted", None),
        Change(
            feed="point",
            entity_id=ENTITY_C,
            entity_type="Point",
            operation="updated",
            data={"id": ENTITY_C, "status": {"ref": NULL_GUID}},
            sequence_version=4,
        ),
    ],
]


def tables(path: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    db = sqlite3.connect(path)
    try:
        changes = db.execute(
            "SELECT id, entity_id, operation, sequence_version, partial, resolved_by, subject, "
            "project_id, data FROM changes ORDER BY id"
        ).fetchall()
        entities = db.execute(
            "SELECT entity_id, last_change, sequence_version, deleted, partial, snapshot "
            "FROM entities ORDER BY entity_id"
        ).fetchall()
    finally:
        db.close()
    return changes, entities


def test_a_page_ends_as_its_changes_written_one_by_one(tmp_path: Path) -> None:
    paged, single = FeedStore(tmp_path / "paged.sqlite3"), FeedStore(tmp_path / "one.sqlite3")
    ids: list[int] = []
    for n, page in enumerate(PAGES):
        ids += paged.store_page("lb", "point", page, f"c{n}", True) or []
        for m, one in enumerate(page):
            single.store_page("lb", "point", [one], f"c{n}.{m}", True)
    paged.close()
    single.close()
    got, want = tables(tmp_path / "paged.sqlite3"), tables(tmp_path / "one.sqlite3")
    assert got == want
    rows, entities = got
    assert ids == [row[0] for row in rows]  # the returned ids are the rows, in page order
    by_id = {row[0]: row for row in rows}
    # A's partial creation is resolved by the update in the same page; B's two partials by
    # the completing update a page later; C's nested null GUID is found by the store.
    assert by_id[ids[0]][5] == ids[2]
    assert by_id[ids[1]][5] == by_id[ids[4]][5] == ids[5]
    assert by_id[ids[7]][4] == 1
    assert by_id[ids[3]][6] == "C \ufffd cut"
    assert [e[0] for e in entities if e[3]] == [ENTITY_A]  # deleted


class Pages:
    """A vendor whose feed is a fixed list of pages, one per cursor."""

    def __init__(self, pages: list[list[Change]]) -> None:
        self.pages = pages
        self.asked: list[str | None] = []

    async def fetch_changes(self, feed: str, cursor: str | None) -> ChangePage:
        self.asked.append(cursor)
        n = 0 if cursor is None else int(cursor[1:]) + 1
        return ChangePage(changes=self.pages[n], cursor=f"c{n}", has_more=n + 1 < len(self.pages))


async def test_a_remembered_cursor_another_engine_moved_stores_nothing_twice(
    tmp_path: Path,
) -> None:
    path = tmp_path / "feeds.sqlite3"
    pages = [
        [change(f"e{n}-{k}", "created", 1, subject=f"{n}.{k}") for k in range(3)] for n in range(4)
    ]
    vendor_a, vendor_b = Pages(pages), Pages(pages)
    first, second = FeedStore(path), FeedStore(path)
    a = FeedEngine("lb", vendor_a, first, feeds=("point",))
    b = FeedEngine("lb", vendor_b, second, feeds=("point",))
    assert await a.step("point")  # page 0 stored; a remembers c0 and asks for page 1 ahead
    assert await b.step("point")  # b reads c0 from the store and stores page 1
    # a's page 1 (asked from c0) meets the compare-and-set, which refuses it; the page it
    # asked for ahead of that (from c1) is dropped with it...
    assert await a.step("point")
    assert vendor_a.asked == [None, "c0", "c1"] and a.states["point"].pages == 1
    # ...so it reads the store's cursor again and goes on from where b left it.
    assert await a.step("point")
    assert not await a.step("point")
    assert vendor_a.asked[3:] == ["c1", "c2"] and a.states["point"].pages == 3
    subjects = [c.subject for c in first.iter_all("lb")]
    assert subjects == [f"{n}.{k}" for n in range(4) for k in range(3)]
    first.close()
    second.close()


async def test_a_page_asked_for_ahead_is_dropped_when_the_catch_up_stops(tmp_path: Path) -> None:
    """The same cursor again with hasMore: the guard stops the feed, and nothing asked for
    ahead outlives it (the engine's run leaves no fetch behind)."""

    class Stuck(Pages):
        async def fetch_changes(self, feed: str, cursor: str | None) -> ChangePage:
            self.asked.append(cursor)
            return ChangePage(changes=[], cursor="same", has_more=True)

    store = FeedStore(tmp_path / "feeds.sqlite3")
    vendor = Stuck([])
    engine = FeedEngine("lb", vendor, store, feeds=("point",), give_up_after=1)
    try:
        await engine.run(follow=False)
    except Exception as exc:
        assert "same cursor again" in str(exc)
    else:
        raise AssertionError("the stuck feed was not stopped")
    assert vendor.asked == [None, "same"] and not engine._ahead
    store.close()
