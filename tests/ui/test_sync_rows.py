"""The main table's rows: a listed page's rows come from the keys and positions the catalog
noted (lazy, in their account's place, exactly the rows made sync by sync); rows a view left
behind serve the next one only while they stand for the very same sync object; and a page of
new rows replaces the held ones by key without reading them."""

from __future__ import annotations

from synctui.domain.models import Sync, SyncStatus
from synctui.store.accounts import Account
from synctui.ui.catalog import Catalog, CatalogChange, SyncKey
from synctui.ui.columns import merged_layout
from synctui.ui.sync_rows import DRAFT_MARK, SyncRows
from synctui.ui.table_model import Column, LazyRow, Row, TableModel


def _sync(account: str, sid: str, name: str = "") -> Sync:
    return Sync(
        account=account,
        vendor="polytomic",
        id=sid,
        name=name or f"sync {sid}",
        status=SyncStatus.ACTIVE,
        vendor_status="active",
    )


def _catalog() -> tuple[Catalog, list[CatalogChange]]:
    catalog = Catalog(
        [Account(name=n, vendor="polytomic", base_url="https://x.example") for n in ("a", "b")]
    )
    heard: list[CatalogChange] = []
    catalog.subscribe(heard.append)
    return catalog, heard


class Drafts:
    """What row making asks of the draft store: how many, and which keys have changes."""

    def __init__(self, *keys: SyncKey) -> None:
        self.keys = set(keys)

    def __len__(self) -> int:
        return len(self.keys)

    def has_changes(self, key: SyncKey) -> bool:
        return key in self.keys


def test_a_listed_page_makes_the_rows_sync_by_sync_making_would() -> None:
    catalog, heard = _catalog()
    for name, ids in (("a", ["1", "2"]), ("b", ["x", "y", "z"])):
        generation = catalog.begin(name)
        catalog.apply_page(name, generation, [_sync(name, i) for i in ids])
    page = heard[-1]
    layout = merged_layout()
    drafts = Drafts(("b", "y"))
    fast = SyncRows(catalog).page(
        layout,
        "b",
        page.syncs,
        page.keys,
        page.positions,
        drafts,  # type: ignore[arg-type]
    )
    slow = SyncRows(catalog).rows(layout, page.syncs, drafts)  # type: ignore[arg-type]
    # Lazy, except the one with a draft (its marker is in its made status cell).
    assert [r.made for r in fast] == [False, True, False]
    assert [r.key for r in fast] == [("b", "x"), ("b", "y"), ("b", "z")]
    assert [r.order for r in fast] == [r.order for r in slow]
    assert [r.cells for r in fast] == [r.cells for r in slow]
    assert [r.subject for r in fast] == list(page.syncs)
    # Account b's rows sort after account a's, in the order b listed them.
    first_of_a = SyncRows(catalog).rows(layout, catalog.entry("a").syncs.values(), None)[0]
    assert first_of_a.order < fast[0].order < fast[1].order < fast[2].order
    assert fast[1].cells[0].startswith(DRAFT_MARK)


def test_rows_a_view_left_serve_the_next_only_for_the_same_sync_object() -> None:
    catalog, _heard = _catalog()
    generation = catalog.begin("a")
    syncs = [_sync("a", "1"), _sync("a", "2"), _sync("a", "3")]
    catalog.apply_page("a", generation, syncs)
    layout = merged_layout()
    rows = SyncRows(catalog)
    first = rows.rows(layout, syncs, None)
    model = TableModel(layout.columns)
    model.upsert(first)
    assert rows.rows(layout, syncs, None)[0] is not first[0]  # nothing kept yet
    rows.keep(layout, model.rows)
    assert all(a is b for a, b in zip(rows.rows(layout, syncs, None), first, strict=True))
    reread = _sync("a", "1", name="renamed")
    again = rows.rows(layout, [reread, *syncs[1:]], None)
    assert again[0] is not first[0] and again[0].cells[3] == "renamed"
    assert again[1] is first[1]
    rows.forget([("a", "2")])
    assert rows.rows(layout, syncs, None)[1] is not first[1]
    assert rows.rows(layout, syncs, None)[2] is first[2]
    rows.clear()
    assert rows.rows(layout, syncs, None)[2] is not first[2]


COLUMNS = [Column("name", "Name", max_width=80)]


def _lazy(i: int, name: str) -> LazyRow:
    return LazyRow(("a", str(i)), i, name, lambda text: Row(("a", str(i)), (text,), hay=text))


def test_new_rows_replace_the_held_ones_unread_and_are_measured_as_comparing_would() -> None:
    compared, unread = TableModel(COLUMNS), TableModel(COLUMNS)
    for model in (compared, unread):
        model.upsert([_lazy(i, f"row {i}") for i in range(3)])
    newer = [_lazy(1, "row 1, renamed at length"), Row(("a", "9"), ("nine",), order=9, hay="nine")]
    assert compared.upsert(list(newer)) == 2
    assert unread.upsert(list(newer), compare=False) == 2
    for model in (compared, unread):
        assert all(model.rows[r.key] is r for r in newer)
        model.rebuild()
        model.measure()
        assert [model.rows[k].cells for k in model.view] == [
            ("row 0",),
            ("row 1, renamed at length",),
            ("row 2",),
            ("nine",),
        ]
        assert model.widths == [len("row 1, renamed at length")]
    assert unread.view == compared.view
