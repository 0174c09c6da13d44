"""The main screen's header while accounts load: what is known, in words a person reads.

Before anything has arrived the header said "0 syncs │ loading 5 account(s), 0 so far…"
over the placeholder rows: a count of nothing, said twice, and "(s)". It now says what is
happening; once syncs arrive it counts them.
"""

from __future__ import annotations

from types import SimpleNamespace

from synctui.store.accounts import Account
from synctui.ui.catalog import ALL, Catalog
from synctui.ui.screens.main_status import status_content
from tests.ui.fakes import make_syncs


def _table(total: int) -> SimpleNamespace:
    """What the header reads of the table: its counts, sort, filter and marks."""
    model = SimpleNamespace(sort_column=None, sort_reverse=False)
    return SimpleNamespace(
        shown_count=total, total_count=total, model=model, filter_text="", marked=set()
    )


def _catalog(names: list[str]) -> Catalog:
    return Catalog([Account(name=n, vendor="speckle", base_url="http://x") for n in names])


def test_before_anything_arrives_the_header_says_it_is_loading() -> None:
    catalog = _catalog(["a", "b", "c"])
    for name in catalog.names():
        catalog.begin(name)
    text = status_content(ALL, _table(0), catalog).plain  # type: ignore[arg-type]
    assert text == " synctui │ All accounts │ loading 3 accounts…"


def test_while_pages_arrive_it_counts_them() -> None:
    catalog = _catalog(["a", "b"])
    generations = {name: catalog.begin(name) for name in catalog.names()}
    catalog.apply_page("a", generations["a"], make_syncs("a", 120))
    text = status_content(ALL, _table(120), catalog).plain  # type: ignore[arg-type]
    assert text == " synctui │ All accounts │ 120 syncs │ loading 2 accounts, 120 so far…"
    catalog.finish("a", generations["a"])
    text = status_content(ALL, _table(120), catalog).plain  # type: ignore[arg-type]
    assert text == " synctui │ All accounts │ 120 syncs │ loading 1 account…"


def test_when_loaded_it_only_counts() -> None:
    catalog = _catalog(["a"])
    generation = catalog.begin("a")
    catalog.apply_page("a", generation, make_syncs("a", 7))
    catalog.finish("a", generation)
    text = status_content(ALL, _table(7), catalog).plain  # type: ignore[arg-type]
    assert text == " synctui │ All accounts │ 7 syncs"
