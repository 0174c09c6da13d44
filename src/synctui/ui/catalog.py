"""What the TUI knows about each account's syncs, independent of any widget.

The `Catalog` is the one piece of state behind the tables: per account a load state, the
syncs seen so far, and a generation number so that a page from a load that has since been
restarted (the user pressed `r` twice) is recognised as stale and dropped. Workers fetch
pages with `stream_syncs` and only post them; message handlers feed them to the catalog, which
answers with what changed — so widgets receive diffs, never whole reloads.

The catalog also publishes every change (`subscribe`, as `DraftStore` and `CallLog` do): the
main table and any detail pane listen for themselves, so no write flow needs to know which
screens are open.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from synctui.domain import errors
from synctui.services.session import Session
from synctui.store.accounts import Account

if TYPE_CHECKING:
    from synctui.domain.models import Sync

SyncKey = tuple[str, str]


class LoadState(StrEnum):
    IDLE = "not loaded"
    LOADING = "loading"
    READY = "ready"
    UNAVAILABLE = "unavailable"
    FAILED = "failed"
    FEED = "change feed"  # no syncs: the account has a change feed instead (LetsBuild)


@dataclass(frozen=True)
class View:
    """What the main table shows: every account, one vendor's accounts, or one account."""

    kind: Literal["all", "vendor", "account"] = "all"
    name: str = ""

    @property
    def title(self) -> str:
        if self.kind == "all":
            return "All accounts"
        if self.kind == "vendor":
            return f"{self.name} (all accounts)"
        return self.name


ALL = View()


@dataclass(frozen=True)
class CatalogChange:
    """One change the catalog publishes.

    kind: `synced` (syncs read, listed or answered by a write: `syncs`), `removed` (gone
    from an account, or with it: `keys`), `accounts` (accounts added, edited or removed) or
    `written` (a write of ours changed `keys` on the vendor's side: views showing them re-read
    them).

    A listed page (`synced` from a load) also carries, for each of its syncs, its key and
    its first-seen position in the account (`keys`, `positions`): the catalog computed both
    while storing the page, and a table of 100,000 rows need not touch every sync again to
    learn them. Otherwise both are empty.
    """

    kind: Literal["synced", "removed", "accounts", "written"]
    account: str = ""
    syncs: tuple[Sync, ...] = ()
    keys: tuple[SyncKey, ...] = ()
    positions: tuple[int, ...] = ()


Listener = Callable[[CatalogChange], None]


@dataclass
class AccountEntry:
    account: Account
    state: LoadState = LoadState.IDLE
    message: str = ""
    syncs: dict[SyncKey, Sync] = field(default_factory=dict)
    generation: int = 0
    # What the load under way listed so far; None when the account held nothing as it began
    # (a first load: nothing can be gone, so nothing need be noted).
    seen: set[SyncKey] | None = field(default_factory=set)
    pages: int = 0
    # First-seen position of each sync: "as listed" stays the vendor's order across reloads.
    order: dict[SyncKey, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.account.name


class Catalog:
    """Accounts in display order, each with its load state and syncs."""

    def __init__(self, accounts: list[Account]) -> None:
        self.entries: dict[str, AccountEntry] = {a.name: AccountEntry(a) for a in accounts}
        self._listeners: list[Listener] = []

    # --- subscribers ----------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Hear of every change, in order, on the UI thread; returns the unsubscribe."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _publish(self, change: CatalogChange) -> None:
        for listener in list(self._listeners):
            listener(change)

    def announce_accounts(self) -> None:
        """Accounts were added (or several changed at once): one `accounts` change."""
        self._publish(CatalogChange("accounts"))

    def written(self, key: SyncKey) -> None:
        """A write of ours changed this sync at the vendor: views showing it re-read it."""
        self._publish(CatalogChange("written", key[0], keys=(key,)))

    # --- accounts -------------------------------------------------------------------------
    def names(self) -> list[str]:
        return list(self.entries)

    def entry(self, name: str) -> AccountEntry:
        return self.entries[name]

    def vendors(self) -> list[str]:
        return sorted({e.account.vendor for e in self.entries.values()})

    def add_account(self, account: Account) -> None:
        self.entries[account.name] = AccountEntry(account)

    def replace_account(self, account: Account) -> list[SyncKey]:
        """An edited account starts over (its URL or token may have changed)."""
        removed = self._drop(account.name)
        self.add_account(account)
        self._publish(CatalogChange("removed", account.name, keys=tuple(removed)))
        self._publish(CatalogChange("accounts"))
        return removed

    def remove_account(self, name: str) -> list[SyncKey]:
        removed = self._drop(name)
        self._publish(CatalogChange("removed", name, keys=tuple(removed)))
        self._publish(CatalogChange("accounts"))
        return removed

    def _drop(self, name: str) -> list[SyncKey]:
        entry = self.entries.pop(name, None)
        return list(entry.syncs) if entry else []

    def accounts_in(self, view: View) -> list[str]:
        if view.kind == "all":
            return self.names()
        if view.kind == "vendor":
            return [n for n, e in self.entries.items() if e.account.vendor == view.name]
        return [view.name] if view.name in self.entries else []

    def syncs_in(self, view: View) -> Iterator[Sync]:
        for name in self.accounts_in(view):
            yield from self.entries[name].syncs.values()

    def count_in(self, view: View) -> int:
        return sum(len(self.entries[n].syncs) for n in self.accounts_in(view))

    def idle_in(self, view: View) -> list[str]:
        return [n for n in self.accounts_in(view) if self.entries[n].state == LoadState.IDLE]

    def loading(self) -> list[str]:
        return [n for n, e in self.entries.items() if e.state == LoadState.LOADING]

    def position(self, key: SyncKey) -> tuple[int, int]:
        """(account index, position in the vendor's listing): a stable default row order."""
        names = list(self.entries)
        try:
            account_index = names.index(key[0])
        except ValueError:
            return (len(names), 0)
        return (account_index, self.entries[key[0]].order.get(key, 0))

    def positions(self) -> Callable[[str], tuple[int, dict[SyncKey, int]]]:
        """`position` for many keys in a row (a page of syncs), as one int that sorts the
        same way: for an account, the number its positions start at and its positions by
        key — (account index, position) packed, as an int costs no allocation the garbage
        collector must track, 100,000 times over."""
        index = {name: i << 32 for i, name in enumerate(self.entries)}
        entries = self.entries
        missing: tuple[int, dict[SyncKey, int]] = (len(index) << 32, {})

        def of_account(name: str) -> tuple[int, dict[SyncKey, int]]:
            entry = entries.get(name)
            return missing if entry is None else (index[name], entry.order)

        return of_account

    def get(self, key: SyncKey) -> Sync | None:
        entry = self.entries.get(key[0])
        return entry.syncs.get(key) if entry else None

    def put(self, sync: Sync) -> None:
        """A sync re-read on its own (detail pane) or answered by a write replaces the
        listed one."""
        entry = self.entries.get(sync.account)
        if entry is not None:
            entry.syncs[sync.key] = sync
        self._publish(CatalogChange("synced", sync.account, syncs=(sync,)))

    # --- loading --------------------------------------------------------------------------
    def begin(self, name: str) -> int:
        entry = self.entries[name]
        entry.generation += 1
        entry.state = LoadState.LOADING
        entry.message = ""
        entry.seen = set() if entry.syncs else None
        entry.pages = 0
        return entry.generation

    def _current(self, name: str, generation: int) -> AccountEntry | None:
        entry = self.entries.get(name)
        if entry is None or entry.generation != generation:
            return None
        return entry

    def apply_page(self, name: str, generation: int, page: list[Sync]) -> list[Sync] | None:
        """Store one page; None when the page belongs to a superseded load."""
        entry = self._current(name, generation)
        if entry is None:
            return None
        order, syncs, seen = entry.order, entry.syncs, entry.seen
        keys: list[SyncKey] = []
        positions: list[int] = []
        add_key, add_position, put = keys.append, positions.append, order.setdefault
        # One pass, each sync read once while it is in the cache: the loop of a 100,000-sync
        # load (Sync.key inlined).
        for sync in page:
            key = (sync.account, sync.id)
            syncs[key] = sync
            add_key(key)
            add_position(put(key, len(order)))
        if seen is not None:
            seen.update(keys)
        entry.pages += 1
        change = CatalogChange(
            "synced", name, syncs=tuple(page), keys=tuple(keys), positions=tuple(positions)
        )
        self._publish(change)
        return page

    def finish(self, name: str, generation: int) -> list[SyncKey] | None:
        """The load completed: whatever it did not see is gone on the vendor side."""
        entry = self._current(name, generation)
        if entry is None:
            return None
        seen = entry.seen
        # A set difference (no loop here); nothing is gone when nothing was held before.
        removed = [] if seen is None else list(entry.syncs.keys() - seen)
        for key in removed:
            del entry.syncs[key]
            entry.order.pop(key, None)
        entry.state = LoadState.READY
        entry.seen = set()
        self._publish(CatalogChange("removed", name, keys=tuple(removed)))
        return removed

    def mark_unavailable(
        self, name: str, message: str, state: LoadState = LoadState.UNAVAILABLE
    ) -> None:
        """An account this synctui cannot list (no adapter yet, or no syncs at all)."""
        entry = self.entries[name]
        entry.generation += 1
        entry.state = state
        entry.message = message

    def fail(self, name: str, generation: int, error: BaseException) -> AccountEntry | None:
        """Keep what was already loaded (stale beats empty) and record why it failed."""
        entry = self._current(name, generation)
        if entry is None:
            return None
        entry.state, entry.message = describe_failure(error)
        entry.seen = set() if entry.syncs else None
        return entry


def describe_failure(error: BaseException) -> tuple[LoadState, str]:
    """The state and one readable sentence for a failed load."""
    if isinstance(error, ImportError):
        return LoadState.UNAVAILABLE, f"this synctui has no adapter for it yet ({error})"
    if isinstance(error, errors.Unsupported):
        return LoadState.UNAVAILABLE, str(error)
    if isinstance(error, errors.SyncTuiError):
        return LoadState.FAILED, str(error)
    if isinstance(error, asyncio.TimeoutError | TimeoutError):
        return LoadState.FAILED, "timed out"
    return LoadState.FAILED, f"unexpected failure: {error.__class__.__name__}: {error}"


async def stream_syncs(session: Session, name: str) -> AsyncIterator[list[Sync]]:
    """Pages of one account's syncs, as the adapter yields them (runs inside a worker)."""
    adapter = session.adapter(name)
    iterator = adapter.iter_syncs()
    try:
        async for page in iterator:
            yield list(page)
    except (errors.SyncTuiError, asyncio.CancelledError):
        raise
    except Exception as exc:  # adapters should map errors; never let one escape raw
        raise errors.VendorError(f"{name}: {exc.__class__.__name__}: {exc}") from exc
