"""Requests of one account on the wire at once, in a number a batch may change."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable

__all__ = ["Slots", "wait_in_line"]


async def wait_in_line(waiters: deque[asyncio.Future[None]], give_back: Callable[[], None]) -> None:
    """Queue behind `waiters` until a waker grants this turn (sets its future). A turn
    granted at the very moment the wait is cancelled is given back (`give_back`), so a slot
    is never lost to a cancelled waiter."""
    waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    waiters.append(waiter)
    try:
        await waiter
    except asyncio.CancelledError:
        if waiter.done() and not waiter.cancelled():
            give_back()
        else:
            with contextlib.suppress(ValueError):
                waiters.remove(waiter)
        raise


class Slots:
    """How many requests of one account are on the wire at once: at most `size`.

    An asyncio.Semaphore whose size can change: a batch's pacer, which governs how many
    writes are in flight, raises it to the vendor's ceiling while the batch runs and puts it
    back after (`resize`); requests already on the wire are never interrupted.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.used = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def __aenter__(self) -> None:
        if self.used < self.size and not self._waiters:
            self.used += 1
            return
        await wait_in_line(self._waiters, self._release)

    async def __aexit__(self, *exc: object) -> None:
        self._release()

    def resize(self, size: int) -> None:
        self.size = max(1, size)
        self._wake()

    def _release(self) -> None:
        self.used -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.used < self.size:
            waiter = self._waiters.popleft()
            if waiter.done():  # cancelled while queued
                continue
            self.used += 1
            waiter.set_result(None)
