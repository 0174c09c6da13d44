"""Waits that pass at once: the retry policy and the feed engine take their sleep as a
parameter, so a test records how long the code wanted to wait instead of spending it."""

from __future__ import annotations

import asyncio


class Waits:
    """An injectable `sleep`: remembers each wait asked for, then only yields to the loop."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        await asyncio.sleep(0)


async def no_wait(seconds: float) -> None:
    """An injectable `sleep` for tests that do not look at the waits."""
    await asyncio.sleep(0)
