"""Time as the feed viewer sees it, injectable so screenshots and tests are deterministic.

Two things on the screen depend on time: when a change was received (a wall-clock stamp the
store writes) and how long ago each feed last polled successfully (engine monotonic time).
Both go through a `FeedClock`, so a test can pin them instead of hiding whole widgets.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Protocol


class FeedClock(Protocol):
    def monotonic(self) -> float:
        """The same clock as `FeedEngine` state timestamps (`time.monotonic`)."""
        ...

    def time_label(self, received_at: str) -> str:
        """A stored ISO timestamp as the short time shown in the list."""
        ...


def _label(received_at: str, tz: tzinfo | None) -> str:
    try:
        stamp = datetime.fromisoformat(received_at)
    except ValueError:
        return "--:--:--"
    return stamp.astimezone(tz).strftime("%H:%M:%S")


@dataclass(frozen=True)
class SystemClock:
    """The real clock; times shown in the local time zone."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time_label(self, received_at: str) -> str:
        return _label(received_at, None)


@dataclass
class FixedClock:
    """A clock that only moves when told to; times shown in a fixed zone (UTC)."""

    now: float = 0.0
    tz: tzinfo = UTC

    def monotonic(self) -> float:
        return self.now

    def time_label(self, received_at: str) -> str:
        return _label(received_at, self.tz)

    def advance(self, seconds: float) -> None:
        self.now += seconds


def format_ago(seconds: float | None) -> str:
    """'just now', '4 s ago', '3 min ago', '2 h ago' — whole units, so it changes rarely."""
    if seconds is None:
        return "never"
    seconds = max(0.0, seconds)
    if seconds < 1:
        return "just now"
    if seconds < 60:
        return f"{int(seconds)} s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    return f"{int(seconds // 3600)} h ago"
