"""The pacer in asyncio (fake clock, fake sleep) and wired into batches over real HTTP.

The sandbox is the outside witness: its own count of the 429s it answered (a `rate=` fault,
or Signalsmith's documented limit) is compared with what the pacer heard, and the syncs'
write counters show that pacing changed no outcome.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from synctui.domain.models import SyncStatus
from synctui.domain.pacing import RateLimit, WritePacing
from synctui.sandbox.core import SandboxConfig
from synctui.sandbox.server import Sandbox
from synctui.services.batch import BatchUpdate, Outcome
from synctui.services.pacing import Pacer, pacer_for
from synctui.vendors.http import Attempt
from synctui.vendors.slots import Slots
from tests.conftest import admin_state, advance_clock, set_faults
from tests.services.conftest import SPECKLE, SessionFactory

SIGNALSMITH = "signalsmith-acme"


class FakeTime:
    """A clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 500.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def one_turn() -> None:
    """Let every task that is ready run one step (the loop runs ready callbacks in order)."""
    await asyncio.sleep(0)


async def test_slots_are_handed_out_in_order_and_a_cancelled_wait_keeps_none() -> None:
    time = FakeTime()
    pacer = Pacer(WritePacing(start=2, ceiling=4), clock=time.clock, sleep=time.sleep)
    await pacer.acquire()
    await pacer.acquire()
    got: list[str] = []

    async def take(name: str) -> None:
        await pacer.acquire()
        got.append(name)

    waiting = [asyncio.create_task(take(name)) for name in ("a", "b", "c")]
    await one_turn()
    assert got == [] and pacer.in_flight == 2
    waiting[0].cancel()  # "a" gives up while queued: its turn passes to "b"
    await one_turn()
    pacer.release()
    await one_turn()
    assert got == ["b"] and pacer.in_flight == 2
    # Fast answers raise the limit: the next waiter gets a slot without any release.
    for _ in range(2):
        pacer.observe(Attempt("POST", 200, 0.01))
    await one_turn()
    assert pacer.limit == 3 and got == ["b", "c"] and pacer.in_flight == 3
    await asyncio.gather(*waiting, return_exceptions=True)


async def test_requests_on_the_wire_wait_for_a_slot_and_a_larger_size_lets_them_in() -> None:
    slots = Slots(1)
    await slots.__aenter__()
    waiting = [asyncio.ensure_future(slots.__aenter__()) for _ in range(3)]
    await asyncio.sleep(0)
    assert [w.done() for w in waiting] == [False] * 3 and slots.used == 1
    slots.resize(3)  # two more may go at once, in order
    await asyncio.sleep(0)
    assert [w.done() for w in waiting] == [True, True, False] and slots.used == 3
    slots.resize(1)  # smaller: nobody on the wire is interrupted, the next waits longer
    for _ in range(3):
        await slots.__aexit__(None, None, None)
    await asyncio.sleep(0)
    assert waiting[2].done() and slots.used == 1
    await slots.__aexit__(None, None, None)
    assert slots.used == 0


async def test_the_gate_spaces_request_starts_by_the_documented_limits() -> None:
    time = FakeTime()
    pacing = WritePacing(limits=(RateLimit(20, 1.0),))
    pacer = Pacer(pacing, clock=time.clock, sleep=time.sleep)
    starts = []
    for _ in range(40):
        await pacer.gate()
        starts.append(time.now - 500.0)
    # 20/s, less 10 %, evenly spaced: 18 a second, 1/18 s apart.
    assert starts == [pytest.approx(i / 18) for i in range(40)]
    assert time.slept and max(time.slept) <= 1 / 18 + 1e-9


async def test_the_pacer_hears_every_request_and_gates_them_only_while_attached(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(sandbox)
    adapter = session.adapter(SPECKLE)
    pacer = pacer_for(adapter)
    assert pacer_for(adapter) is pacer  # one per account, made with its adapter
    assert adapter.transport.observers == [pacer.observe] and adapter.transport.gate is None
    await adapter.check()
    assert pacer.stats.answers == 1  # heard before any batch
    slots = adapter.transport.slots
    assert slots.size == 6  # the session's cap on requests on the wire
    with pacer.attached(adapter.transport), pacer.attached(adapter.transport):
        assert adapter.transport.gate == pacer.gate
        # While a batch runs its pacer governs: as many on the wire as it may allow.
        assert slots.size == adapter.write_pacing.ceiling > 6
        await adapter.check()
    assert adapter.transport.gate is None  # the last batch out unhooks the gate
    assert slots.size == 6  # and puts the cap back
    pacer.set_fixed(20)
    with pacer.attached(adapter.transport):
        assert slots.size == 20  # `--concurrency 20` means twenty
    pacer.set_fixed(None)
    assert slots.size == 6
    assert adapter.transport.observers == [pacer.observe]
    await adapter.check()
    assert pacer.stats.answers == 3


def sandbox_counts(sb: Sandbox) -> dict[str, int]:
    return httpx.get(f"{sb.base_url}/_admin/faults").json()["counts"]


async def test_a_rate_limited_batch_hears_every_429_and_learns_the_rate(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(sandbox)
    listed = await session.adapter(SPECKLE).list_syncs()
    chosen = [s for s in listed if s.status is SyncStatus.ACTIVE][:8]
    set_faults(sandbox, "rate=4/s,only=speckle")
    batch = BatchUpdate(session, chosen, {"context": {"viewName": "Paced"}})
    results = await batch.run()
    set_faults(sandbox, "")  # also resets the sandbox's rate windows

    assert [r.outcome for r in results] == [Outcome.OK] * len(chosen), [r.message for r in results]
    syncs = admin_state(sandbox, "speckle")["syncs"]
    assert [syncs[s.id.split("/", 1)[1]]["updates"] for s in chosen] == [1] * len(chosen)
    pacer = pacer_for(session.adapter(SPECKLE))
    # Two requests per sync started faster than 4 a second: the sandbox refused some, and
    # the pacer heard each refusal although the HTTP policy retried them itself.
    refused = sandbox_counts(sandbox).get("rate", 0)
    assert refused >= 1
    assert pacer.stats.throttled == refused
    assert pacer.stats.decreases >= 1 and pacer.controller.learned_rate is not None
    assert session.adapter(SPECKLE).transport.gate is None  # unhooked when the batch ended


@pytest.fixture
def limited_sandbox() -> Iterator[Sandbox]:
    """Signalsmith's documented limits on, on a frozen clock that only the pacer moves."""
    with Sandbox(SandboxConfig(port=0, frozen=True, changes_per_second=0)) as sb:
        yield sb


async def test_a_batch_keeps_signalsmiths_documented_limit(
    limited_sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(limited_sandbox)
    chosen = await session.adapter(SIGNALSMITH).list_syncs()
    advance_clock(limited_sandbox, 61)  # the listing falls out of the vendor's windows
    # The pacer waits on the vendor's clock, which moves only when it waits, and one write
    # at a time: the vendor sees exactly the spacing the pacer chose (no jitter), and no real
    # time passes. Any 429 would stop the batch: on a frozen clock the vendor's window never
    # empties by itself. (A pinned concurrency keeps the documented limits too.)
    clock = limited_sandbox.clock
    pacer = pacer_for(session.adapter(SIGNALSMITH))
    pacer.clock = lambda: clock.now().timestamp()

    async def wait_on_the_vendors_clock(seconds: float) -> None:
        clock.advance(seconds)

    pacer.sleep = wait_on_the_vendors_clock
    listing = len(session.call_log.records())
    started = clock.now()
    batch = BatchUpdate(session, chosen, {"description": "paced"}, concurrency=1)
    results = await batch.run()

    assert {r.outcome for r in results} == {Outcome.OK}, [r.message for r in results]
    sent = session.call_log.records()[listing:]
    assert len(sent) > 20  # more than the vendor allows in one second
    assert admin_state(limited_sandbox, "signalsmith")["rate_limited"] == 0
    assert pacer.stats.throttled == 0
    # ...and it waited no longer than the limit asks: 18 a second, evenly spaced.
    waited = (clock.now() - started).total_seconds()
    assert waited == pytest.approx((len(sent) - 1) / 18, abs=1e-3)


def test_the_sandbox_rate_limit_refuses_beyond_n_per_window_per_token() -> None:
    from synctui.sandbox.faults import FaultInjector, FaultSpec

    now = [0.0]
    faults = FaultInjector(FaultSpec.parse("rate=3/s,only=speckle"), clock=lambda: now[0])
    assert [faults.admit("speckle", "a") for _ in range(4)] == [None, None, None, 1.0]
    assert faults.admit("speckle", "b") is None  # per token
    assert faults.admit("polytomic", "a") is None  # only=
    now[0] = 0.5
    assert faults.admit("speckle", "a") == 1.0  # whole seconds, as vendors send it
    now[0] = 1.0
    assert faults.admit("speckle", "a") is None  # the refused ones were not counted
    assert faults.counts == {"rate": 2}
    assert FaultSpec.parse("rate=100/min").rate == (100, 60.0)
    assert FaultSpec.parse("rate=100/min").to_dict()["rate"] == "100/min"
