"""The same batch over the other editable vendors: every adapter's plan/apply goes through
one loop, and each simulator's own write counters prove each sync was written at most once."""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
from collections.abc import Iterator
from typing import Any

import pytest

from synctui.domain.filtering import compile_filter
from synctui.sandbox.core import SandboxConfig
from synctui.sandbox.server import Sandbox
from synctui.services.batch import BatchUpdate, Outcome
from synctui.vendors.http import RetrySettings
from tests.conftest import admin_state, advance_clock
from tests.services.conftest import SessionFactory, fast_retry

# (account, vendor, filter, patch, the simulator's per-sync write counter)
CASES = [
    ("signalsmith-acme", "signalsmith", "status=active", {"schedule": "0 3 * * *"}, "puts"),
    (
        "polytomic-demo",
        "polytomic",
        "status=active",
        {"schedule": {"frequency": "daily", "hour": "3", "minute": "0"}},
        "puts",
    ),
    (
        "paragon-demo",
        "paragon",
        "status=active",
        {"incrementalAccumulatorFrequency": "1h"},
        "patches",
    ),
]


@pytest.fixture
def running_sandbox() -> Iterator[Sandbox]:
    """A running clock: Signalsmith's per-second rate limit only lifts as time passes."""
    with Sandbox(SandboxConfig(port=0, frozen=False, changes_per_second=0)) as sb:
        yield sb


def waiting_on_the_sandbox_clock(sb: Sandbox) -> RetrySettings:
    """The retry policy, its waits (a 429's Retry-After) moving the sandbox's clock on instead
    of spending the test's time: the rate limit lifts as it would after a real wait."""

    async def time_passes(seconds: float) -> None:
        await asyncio.to_thread(advance_clock, sb, seconds)

    return dataclasses.replace(fast_retry(), sleep=time_passes)


@pytest.mark.parametrize(("account", "vendor", "where", "patch", "counter"), CASES)
async def test_batch_on_other_vendors(
    running_sandbox: Sandbox,
    make_session: SessionFactory,
    account: str,
    vendor: str,
    where: str,
    patch: dict[str, Any],
    counter: str,
) -> None:
    try:
        importlib.import_module(f"synctui.vendors.{vendor}")
    except ModuleNotFoundError:
        pytest.skip(f"the {vendor} adapter has not landed yet")
    session = make_session(running_sandbox, retry=waiting_on_the_sandbox_clock(running_sandbox))
    predicate = compile_filter(where)
    chosen = [s for s in await session.adapter(account).list_syncs() if predicate(s)]
    assert chosen

    batch = BatchUpdate(session, chosen, patch)
    results = await batch.run()
    assert not batch.failed, [r.message for r in batch.failed]
    ok = {r.sync.id for r in results if r.outcome is Outcome.OK}
    assert ok
    assert {r.message for r in results if r.outcome is Outcome.SKIPPED} <= {"nothing to change"}

    advance_clock(running_sandbox, 600)  # let vendors that apply later (Paragon) apply
    writes = {sid: s[counter] for sid, s in admin_state(running_sandbox, vendor)["syncs"].items()}
    assert {sid for sid, n in writes.items() if n} == ok
    assert set(writes[sid] for sid in ok) == {1}
    entries = session.journal.list(batch_id=batch.batch_id)
    assert sorted(e.sync_id for e in entries) == sorted(ok)
    assert {e.outcome for e in entries} == {"ok"}
