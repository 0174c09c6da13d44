"""Detail assembly (services/detail.py): the sync's own record must be read; a secondary read
that fails leaves its part marked unavailable, for every vendor alike.

Each secondary read is broken on its own by a sandbox fault limited to its path, over real
loopback HTTP: Polytomic's `/status`, Signalsmith's runs, Paragon's status answer, Speckle's
history.
"""

from __future__ import annotations

import pytest

from synctui.domain import errors
from synctui.domain.models import Sync
from synctui.sandbox.server import Sandbox
from synctui.services.session import Session
from tests.conftest import set_faults
from tests.services.conftest import SessionFactory

ACCOUNTS = {
    "speckle": "speckle-demo",
    "polytomic": "polytomic-demo",
    "signalsmith": "signalsmith-acme",
    "paragon": "paragon-demo",
}
# vendor: (the fault's `only=` target, the parts it leaves unavailable)
BROKEN: dict[str, tuple[str, set[str]]] = {
    "polytomic": ("/polytomic/api/syncs/*/status", {"status"}),
    "signalsmith": ("/signalsmith/api/v1/workspaces/*/syncs/*/runs*", {"latest run", "runs"}),
    "paragon": ("/paragon/api/syncs/*", {"status"}),
    "speckle": ("/speckle/graphql#SyncHistory", {"runs"}),
}


async def a_sync(session: Session, vendor: str) -> Sync:
    syncs = await session.adapter(ACCOUNTS[vendor]).list_syncs()
    return next(
        s
        for s in syncs
        if s.status.value not in ("legacy", "draft")
        and (vendor != "signalsmith" or s.raw.get("last_run_id"))
    )


@pytest.mark.parametrize("vendor", sorted(BROKEN))
async def test_a_failed_secondary_read_is_marked_not_raised(
    sandbox: Sandbox, make_session: SessionFactory, vendor: str
) -> None:
    session = make_session(sandbox)
    account = ACCOUNTS[vendor]
    sync = await a_sync(session, vendor)
    whole = await session.detail(account, sync.id, runs=5)
    assert whole.unavailable == {} and whole.sync.unavailable == {}
    target, parts = BROKEN[vendor]
    set_faults(sandbox, f"500=1,only={target}")
    try:
        degraded = await session.detail(account, sync.id, runs=5)
        shown = await session.show_sync(account, sync.id)
    finally:
        set_faults(sandbox, "")
    assert degraded.sync.id == sync.id and degraded.sync.name == whole.sync.name
    assert set(degraded.unavailable) == parts
    assert all("failed (500)" in why for why in degraded.unavailable.values())
    assert set(shown.unavailable) == parts - {"runs"}
    if "runs" in parts:
        assert degraded.runs is None and whole.runs
    if vendor == "paragon":  # the list row still says what Paragon reports
        assert degraded.sync.status == whole.sync.status and not degraded.sync.complete
        assert degraded.sync.columns["synced"] == "unavailable"
    if vendor == "signalsmith":
        assert whole.sync.latest_run is not None and degraded.sync.latest_run is None


async def test_the_record_itself_failing_is_a_failure(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(sandbox)
    sync = await a_sync(session, "paragon")
    set_faults(sandbox, "500=1,only=/paragon/api/syncs")  # the list: where the row comes from
    try:
        with pytest.raises(errors.VendorError, match="500"):
            await session.detail("paragon-demo", sync.id)
    finally:
        set_faults(sandbox, "")


async def test_writes_still_read_the_whole_sync_or_nothing(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    """A write is planned against `get_sync`, which does not degrade: half a sync could make
    a wrong write."""
    session = make_session(sandbox)
    sync = await a_sync(session, "polytomic")
    set_faults(sandbox, "500=1,only=/polytomic/api/syncs/*/status")
    try:
        with pytest.raises(errors.VendorError):
            await session.get_sync("polytomic-demo", sync.id)
    finally:
        set_faults(sandbox, "")


async def test_no_runs_are_asked_of_a_vendor_that_keeps_none(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(sandbox)
    sync = await a_sync(session, "paragon")
    detail = await session.detail("paragon-demo", sync.id, runs=5)
    assert detail.runs is None and detail.unavailable == {} and detail.sync.complete
