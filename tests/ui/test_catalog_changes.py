"""The catalog publishes every change to its subscribers, in order, and nothing for a stale
page: the main table and the detail pane rely on it instead of being called by each flow."""

from __future__ import annotations

from synctui.domain.models import Sync, SyncStatus
from synctui.store.accounts import Account
from synctui.ui.catalog import Catalog, CatalogChange


def _sync(account: str, sid: str) -> Sync:
    return Sync(
        account=account,
        vendor="polytomic",
        id=sid,
        name=f"sync {sid}",
        status=SyncStatus.ACTIVE,
        vendor_status="active",
    )


def _catalog() -> tuple[Catalog, list[CatalogChange]]:
    catalog = Catalog([Account(name="a", vendor="polytomic", base_url="https://x.example")])
    heard: list[CatalogChange] = []
    catalog.subscribe(heard.append)
    return catalog, heard


def test_a_load_publishes_its_pages_then_what_is_gone() -> None:
    catalog, heard = _catalog()
    first = catalog.begin("a")
    catalog.apply_page("a", first, [_sync("a", "1"), _sync("a", "2")])
    catalog.finish("a", first)
    second = catalog.begin("a")
    catalog.apply_page("a", first, [_sync("a", "9")])  # stale: nothing is published
    catalog.apply_page("a", second, [_sync("a", "2")])
    catalog.finish("a", second)
    # A listed page also names its keys and each sync's first-seen position: "2" keeps the
    # place it was first listed at.
    assert [(c.kind, [s.id for s in c.syncs], list(c.keys), list(c.positions)) for c in heard] == [
        ("synced", ["1", "2"], [("a", "1"), ("a", "2")], [0, 1]),
        ("removed", [], [], []),
        ("synced", ["2"], [("a", "2")], [1]),
        ("removed", [], [("a", "1")], []),
    ]


def test_a_first_load_removes_nothing_and_a_reload_what_it_did_not_list() -> None:
    """A first load notes nothing of what it lists (nothing can be gone); a sync put while
    it runs stays. A reload removes exactly what it did not list."""
    catalog, _heard = _catalog()
    first = catalog.begin("a")
    catalog.put(_sync("a", "new"))  # answered by a write while the listing runs
    catalog.apply_page("a", first, [_sync("a", "1")])
    assert catalog.finish("a", first) == []
    assert sorted(k[1] for k in catalog.entry("a").syncs) == ["1", "new"]
    second = catalog.begin("a")
    catalog.apply_page("a", second, [_sync("a", "new")])
    assert catalog.finish("a", second) == [("a", "1")]
    assert list(catalog.entry("a").syncs) == [("a", "new")]


def test_a_write_publishes_the_answer_then_that_the_sync_changed() -> None:
    catalog, heard = _catalog()
    catalog.put(_sync("a", "1"))
    catalog.written(("a", "1"))
    assert [c.kind for c in heard] == ["synced", "written"]
    assert heard[1].keys == (("a", "1"),) and heard[1].account == "a"


def test_account_changes_publish_what_went_with_them() -> None:
    catalog, heard = _catalog()
    catalog.put(_sync("a", "1"))
    heard.clear()
    catalog.replace_account(Account(name="a", vendor="polytomic", base_url="https://y.example"))
    catalog.add_account(Account(name="b", vendor="paragon", base_url="https://z.example"))
    catalog.announce_accounts()
    catalog.remove_account("b")
    assert [(c.kind, c.account, c.keys) for c in heard] == [
        ("removed", "a", (("a", "1"),)),
        ("accounts", "", ()),
        ("accounts", "", ()),
        ("removed", "b", ()),
        ("accounts", "", ()),
    ]


def test_an_unsubscribed_listener_hears_nothing_more() -> None:
    catalog, heard = _catalog()
    other: list[CatalogChange] = []
    unsubscribe = catalog.subscribe(other.append)
    catalog.put(_sync("a", "1"))
    unsubscribe()
    unsubscribe()  # twice is harmless
    catalog.put(_sync("a", "2"))
    assert len(other) == 1 and len(heard) == 2
