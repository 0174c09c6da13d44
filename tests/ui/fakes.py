"""An in-memory adapter for the tests that need rows no sandbox holds (100,000 syncs).

Registered under the vendor name "fake" for the duration of a test; the sandbox-backed tests
use the real adapters.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import ClassVar

from synctui.domain.models import Capability, Run, RunState, Sync, SyncStatus
from synctui.vendors.base import Adapter

STATUSES = list(SyncStatus)


def make_syncs(account: str, count: int) -> list[Sync]:
    """`count` deterministic syncs: names, statuses and columns vary with the index."""
    return [
        Sync.model_construct(  # validation skipped: 100,000 trusted objects, built fast
            account=account,
            vendor="fake",
            id=f"s{i:06d}",
            name=f"sync {i:06d} {'orders' if i % 3 else 'contacts'}",
            status=STATUSES[i % len(STATUSES)],
            vendor_status=STATUSES[i % len(STATUSES)].value,
            columns={"name": f"sync {i:06d}", "mode": "update" if i % 2 else "create"},
            updated_at=f"2025-01-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
            raw={"id": f"s{i:06d}", "index": i},
            status_reason=None,
            latest_run=None,
            complete=False,
        )
        for i in range(count)
    ]


class FakeAdapter(Adapter):
    vendor = "fake"
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
        return [
            Run(id=f"{sync_id}-r{n}", state=RunState.SUCCESS, vendor_status="done")
            for n in range(3)
        ]
