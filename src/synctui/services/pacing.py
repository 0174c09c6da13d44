"""One pacer per account: the AIMD controller (`domain.pacing`) wired to asyncio and HTTP.

A batch takes a slot per write (`async with pacer.slot()`) and the account's HTTP policy
awaits `pacer.gate()` before every request and reports every attempt to `pacer.observe` —
retried 429s and 503s included, which the batch itself never sees. The pacer lives as long
as the account's adapter, so a retry of the failed syncs starts from what the first attempt
learned. It hears every request of the account from the start (`watch`: the listing before
a batch fills the vendor's rate window too, and a 429 is judged by all that the vendor
accepted), but it gates requests only while a batch runs: requests made meanwhile (a
refresh, the TUI's reads) count against the same limits, as the vendor counts them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Protocol

from synctui.domain.pacing import AimdController, PaceStats, WritePacing
from synctui.vendors.http_settings import Attempt
from synctui.vendors.slots import Slots, wait_in_line

__all__ = ["Pacer", "pacer_for"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[Any]]


class Hooks(Protocol):
    """The pacing hooks of an account's HTTP policy (`vendors.http.PolicyTransport`)."""

    gate: Callable[[], Awaitable[None]] | None
    observers: list[Callable[[Attempt], None]]
    slots: Slots


class Paced(Protocol):
    """An adapter: its class says how its writes may be paced."""

    @property
    def write_pacing(self) -> WritePacing: ...


class Pacer:
    """Writes in flight and request starts for one account (see the module docstring)."""

    def __init__(
        self,
        pacing: WritePacing,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.controller = AimdController(pacing)
        # The time the pacer goes by; a test may drive it with the vendor's own clock.
        self.clock = clock
        self.sleep = sleep
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._attached: list[Hooks | None] = []  # transports hooked, one entry per running batch
        self._slots: dict[int, int] = {}  # a hooked transport's own cap, to put back after

    # --- reading ----------------------------------------------------------------------------
    @property
    def limit(self) -> int:
        """Writes allowed in flight right now (the live concurrency)."""
        return self.controller.limit

    @property
    def in_flight(self) -> int:
        return self.controller.in_flight

    @property
    def adaptive(self) -> bool:
        return self.controller.adaptive

    @property
    def stats(self) -> PaceStats:
        return self.controller.stats

    def set_fixed(self, fixed: int | None) -> None:
        """A fixed number of writes in flight (`--concurrency N`), or None to adapt."""
        self.controller.set_fixed(fixed)
        self._wake()

    # --- slots ------------------------------------------------------------------------------
    async def acquire(self) -> None:
        """Wait for a free slot: fewer writes in flight than the current limit."""
        if not self._waiters and self.controller.try_acquire():
            return
        await wait_in_line(self._waiters, self.release)

    def release(self) -> None:
        self.controller.release()
        self._wake()

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        await self.acquire()
        try:
            yield
        finally:
            self.release()

    def _wake(self) -> None:
        """Hand free slots to waiters, oldest first (after a release or a raised limit)."""
        while self._waiters and self.controller.try_acquire():
            waiter = self._waiters.popleft()
            if waiter.done():  # cancelled while queued
                self.controller.release()
                continue
            waiter.set_result(None)

    # --- the HTTP policy's hooks --------------------------------------------------------------
    async def gate(self) -> None:
        """Wait until a request may start under the rate caps; record its start."""
        while (wait := self.controller.rate_wait(self.clock())) > 0:
            await self.sleep(wait)
        self.controller.started(self.clock())

    def observe(self, attempt: Attempt) -> None:
        self.controller.observe(attempt.status, attempt.seconds, self.clock())
        self._wake()  # the limit may have grown

    def watch(self, transport: Hooks | None) -> None:
        """Hear every attempt of the account's HTTP policy from now on."""
        if transport is not None and self.observe not in transport.observers:
            transport.observers.append(self.observe)

    @contextlib.contextmanager
    def attached(self, transport: Hooks | None) -> Iterator[Pacer]:
        """Gate the account's requests by this pacer for the duration of a batch.

        The policy's own cap on requests on the wire is raised meanwhile to as many as the
        pacer may ever allow in flight (each write has one request on the wire at a time):
        the pacer governs, and a fixed cap below its ceiling would only make the vendor
        look slow to it. Put back when the last batch of the account ends.
        """
        self.watch(transport)
        if transport is not None:
            if transport not in self._attached:
                self._slots[id(transport)] = transport.slots.size
                most = self.controller.pacing.ceiling if self.adaptive else self.limit
                transport.slots.resize(max(transport.slots.size, most))
            transport.gate = self.gate
        self._attached.append(transport)
        try:
            yield self
        finally:
            self._attached.remove(transport)
            last = transport not in self._attached
            if transport is not None and last:
                transport.slots.resize(self._slots.pop(id(transport), transport.slots.size))
                if transport.gate == self.gate:
                    transport.gate = None


_PACERS: weakref.WeakKeyDictionary[Paced, Pacer] = weakref.WeakKeyDictionary()


def pacer_for(adapter: Paced) -> Pacer:
    """The account's pacer, made from its adapter class's `write_pacing` on first use and
    listening to the adapter's requests from then on."""
    pacer = _PACERS.get(adapter)
    if pacer is None:
        pacer = _PACERS[adapter] = Pacer(adapter.write_pacing)
        pacer.watch(getattr(adapter, "transport", None))
    return pacer
