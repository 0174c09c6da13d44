"""The HTTP policy's settings and records, without the HTTP client: how much a request may
cost (`Limits`), how it is retried (`RetrySettings`), and what the call log holds.

The session builds these before any adapter exists, and the TUI's first frame needs the
call log; neither needs httpx, which only the transport (`vendors.http`) and the adapters
import.
"""

from __future__ import annotations

import asyncio
import math
import random
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC

MiB = 1024 * 1024


@dataclass(frozen=True)
class CallRecord:
    """One vendor call, for the API call log. Never holds a header or a token."""

    time: str
    account: str
    vendor: str
    method: str
    target: str  # path, or the GraphQL operation name
    status: int | None
    duration_ms: float
    error: str | None = None
    attempt: int = 1


@dataclass(frozen=True)
class Attempt:
    """One try of one request, as a pacing controller hears it (no URL, no header)."""

    method: str
    status: int | None  # None: no answer (could not connect, dropped, timed out)
    seconds: float


class CallLog:
    """A bounded, thread-safe record of calls that the UI can subscribe to."""

    def __init__(self, maxlen: int = 5000) -> None:
        self._records: deque[CallRecord] = deque(maxlen=maxlen)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[CallRecord], None]] = []

    def add(self, record: CallRecord) -> None:
        with self._lock:
            self._records.append(record)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(record)

    def records(self) -> list[CallRecord]:
        with self._lock:
            return list(self._records)

    def subscribe(self, listener: Callable[[CallRecord], None]) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date).

    None when there is none or it cannot be read; never negative; possibly huge (`1e9`,
    a date in the year 9999), which the caller caps (`RetrySettings.wait_for`).
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        seconds = None
    if seconds is not None:
        return None if math.isnan(seconds) else max(0.0, seconds)
    # Imported here: a date in Retry-After is rare, and the TUI's first frame builds the
    # retry settings without ever reading one (email.utils is a few ms to import).
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now if now is not None else time.time()
    try:
        return max(0.0, when.timestamp() - current)
    except (OverflowError, OSError, ValueError):
        return None


@dataclass(frozen=True)
class Limits:
    """How much one request may cost: bytes read, seconds spent, pages followed.

    The defaults are generous for any real vendor and are the settings' defaults
    (`[network]` in settings.toml): `max_body_mb`, `request_seconds`, `max_pages`.
    """

    max_body_bytes: int = 64 * MiB
    request_seconds: float = 120.0  # every attempt and every wait of one request
    max_pages: int = 10_000  # pages one listing may follow (also the feed's per catch-up)


@dataclass
class RetrySettings:
    attempts: int = 5  # total tries, the first included
    base_delay: float = 0.2
    max_delay: float = 5.0
    max_retry_after: float = 30.0  # the longest Retry-After obeyed; a longer one is capped
    rng: random.Random = field(default_factory=random.Random)
    # How a wait between attempts passes; tests give one that records instead of sleeping.
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter (attempt counts from 1)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return self.rng.uniform(0, ceiling)

    def wait_for(self, retry_after: str | None, attempt: int) -> tuple[float, str]:
        """(seconds to wait, a note for the user) from a Retry-After header or the backoff.

        A wait beyond `max_retry_after` is capped, and the note says so: a server asking
        for `1e9` seconds must not hold a command silently for 32 years.
        """
        if retry_after is None or not retry_after.strip():
            return self.backoff(attempt), ""
        asked = parse_retry_after(retry_after)
        if asked is None:
            shown = retry_after.strip()[:20]
            return self.backoff(attempt), f"unreadable Retry-After {shown!r} ignored"
        if asked > self.max_retry_after:
            return self.max_retry_after, (
                f"server asked to wait {duration(asked)}; capped at {duration(self.max_retry_after)}"
            )
        return asked, ""


def duration(seconds: float) -> str:
    """A wait in words: 250 ms, 3 s, 5 min, 2 h, 4 days, 32 years."""
    if not math.isfinite(seconds):
        return "forever"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    for unit, size in (("years", 365 * 86400), ("days", 86400), ("h", 3600), ("min", 60)):
        if seconds >= 2 * size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} s"
