"""In-memory syncs for the 100,000-row benchmarks: no sandbox holds that many cheaply.

`MemoryAdapter` is registered under the vendor name "bench" inside the child process that
runs a benchmark (`install()`), so the TUI loads the syncs through its real path — adapter
pages, worker, messages, catalog, table — and only the network is missing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import ClassVar

from synctui.domain.models import Capability, Run, RunState, Sync, SyncStatus
from synctui.services.session import Session, SessionOptions
from synctui.store.accounts import Account
from synctui.vendors import registry
from synctui.vendors.base import Adapter

VENDOR = "bench"
STATUSES = list(SyncStatus)
WORDS = ("orders", "contacts", "invoices", "tickets", "models", "sheets", "points")


def make_syncs(account: str, count: int) -> list[Sync]:
    """`count` deterministic syncs whose names, statuses and dates vary with the index."""
    return [
        Sync.model_construct(  # validation skipped: trusted objects, built fast
            account=account,
            vendor=VENDOR,
            id=f"s{i:06d}",
            name=f"sync {i:06d} {WORDS[i % len(WORDS)]}",
            status=STATUSES[i % len(STATUSES)],
            vendor_status=STATUSES[i % len(STATUSES)].value,
            columns={"name": f"sync {i:06d}", "mode": "update" if i % 2 else "create"},
            updated_at=f"2026-11-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
            raw={"id": f"s{i:06d}", "index": i},
            status_reason=None,
            latest_run=None,
            complete=False,
        )
        for i in range(count)
    ]


class MemoryAdapter(Adapter):
    vendor = VENDOR
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.LIST, Capability.GET, Capability.RUNS}
    )
    table_columns: ClassVar[tuple[tuple[str, str], ...]] = (("name", "Name"), ("mode", "Mode"))
    data: ClassVar[dict[str, list[Sync]]] = {}
    page_size: ClassVar[int] = 5000

    async def check(self) -> str:
        return f"{len(self.data.get(self.account.name, []))} syncs"

    async def iter_syncs(self) -> AsyncIterator[list[Sync]]:  # type: ignore[override]
        syncs = self.data.get(self.account.name, [])
        for start in range(0, len(syncs), self.page_size):
            yield syncs[start : start + self.page_size]

    async def get_sync(self, sync_id: str) -> Sync:
        return next(s for s in self.data[self.account.name] if s.id == sync_id)

    async def list_runs(self, sync_id: str, limit: int = 20) -> list[Run]:
        return [Run(id=f"{sync_id}-r1", state=RunState.SUCCESS, vendor_status="done")]


def install(total: int, accounts: int = 5) -> Session:
    """Register the adapter and return a session over `accounts` accounts of `total` syncs."""
    registry.ADAPTERS[VENDOR] = f"{__name__}:MemoryAdapter"
    names = [f"bench{i}" for i in range(accounts)]
    per_account = total // accounts
    MemoryAdapter.data = {name: make_syncs(name, per_account) for name in names}
    listed = [Account(name=n, vendor=VENDOR, base_url="http://127.0.0.1:9") for n in names]
    return Session(listed, lambda _account: "token", SessionOptions(journal_enabled=False))
