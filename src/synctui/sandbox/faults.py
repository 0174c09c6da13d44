"""Fault injection for the sandbox.

The sandbox must be able to misbehave like a real vendor on a bad day, on demand and
reproducibly, so that retries, idempotency and "nothing lost" can be proven over real HTTP.
Faults are decided per request by a seeded RNG; the spec can be replaced at run time through
the admin endpoint, so a test can switch a storm on in the middle of a run.

Spec grammar (comma separated, all optional)::

    500=0.1,502=0.05,503=0.05,429=0.05,retry-after=1,
    drop-before=0.01,drop-after=0.01,malformed=0.01,
    latency=50ms,jitter=20ms,rate=25/s,only=speckle+polytomic

Rates are probabilities in [0, 1]. ``only`` limits faults to some vendors, or to some
requests: an entry with a ``/`` is a glob over the request's full path (``*`` spans ``/``),
e.g. ``only=/polytomic/api/syncs/*/status``, so a test can break one secondary read and
leave the rest of the vendor working. A GraphQL request is matched as ``PATH#Operation``
too (``only=/speckle/graphql#SyncHistory``): every operation shares one path.
``rate=N/s`` (or ``N/min``) is a rate limit rather than a chance: per vendor and per token,
at most N requests in any sliding second (minute); the next is answered 429 with a
``Retry-After`` of the whole seconds until one fits, and is not counted — the way vendors
that document a limit behave, so a client's pacing can be tried against one.
"""

from __future__ import annotations

import asyncio
import fnmatch
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

ERROR_STATUSES = (500, 502, 503, 429)


class FaultSpecError(ValueError):
    """A fault spec string that cannot be understood."""


@dataclass
class FaultSpec:
    errors: dict[int, float] = field(default_factory=dict)
    retry_after: float = 1.0
    drop_before: float = 0.0
    drop_after: float = 0.0
    malformed: float = 0.0
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    only: frozenset[str] = frozenset()
    rate: tuple[int, float] | None = None  # (requests, per seconds) per vendor and token

    @property
    def active(self) -> bool:
        return bool(
            self.rate is not None
            or any(self.errors.values())
            or self.drop_before
            or self.drop_after
            or self.malformed
            or self.latency_ms
            or self.jitter_ms
        )

    @property
    def paths(self) -> tuple[str, ...]:
        """The entries of `only` that name requests (globs over the path) rather than vendors."""
        return tuple(sorted(entry for entry in self.only if "/" in entry))

    def applies(self, vendor: str, target: str = "") -> bool:
        """Does the spec cover this request? Everything, without `only`."""
        if not self.only or vendor in self.only:
            return True
        path = target.split("#", 1)[0]
        return any(
            fnmatch.fnmatchcase(target, pattern) or fnmatch.fnmatchcase(path, pattern)
            for pattern in self.paths
        )

    @classmethod
    def parse(cls, text: str | None) -> FaultSpec:
        spec = cls()
        if not text or not text.strip() or text.strip() == "none":
            return spec
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise FaultSpecError(f"fault {part!r} needs a value, e.g. 500=0.1")
            key, value = (s.strip() for s in part.split("=", 1))
            try:
                if key.isdigit():
                    status = int(key)
                    if status not in ERROR_STATUSES:
                        raise FaultSpecError(
                            f"status {status} is not injectable; choose one of "
                            + ", ".join(map(str, ERROR_STATUSES))
                        )
                    spec.errors[status] = _rate(key, value)
                elif key == "retry-after":
                    spec.retry_after = float(value)
                elif key == "drop-before":
                    spec.drop_before = _rate(key, value)
                elif key == "drop-after":
                    spec.drop_after = _rate(key, value)
                elif key == "malformed":
                    spec.malformed = _rate(key, value)
                elif key == "latency":
                    spec.latency_ms = _millis(value)
                elif key == "jitter":
                    spec.jitter_ms = _millis(value)
                elif key == "rate":
                    spec.rate = _rate_limit(value)
                elif key == "only":
                    spec.only = frozenset(v for v in value.split("+") if v)
                else:
                    raise FaultSpecError(f"unknown fault {key!r}")
            except ValueError as exc:
                if isinstance(exc, FaultSpecError):
                    raise
                raise FaultSpecError(f"bad value {value!r} for {key!r}") from exc
        return spec

    def to_dict(self) -> dict:
        return {
            "errors": {str(k): v for k, v in self.errors.items()},
            "retry_after": self.retry_after,
            "drop_before": self.drop_before,
            "drop_after": self.drop_after,
            "malformed": self.malformed,
            "latency_ms": self.latency_ms,
            "jitter_ms": self.jitter_ms,
            "only": sorted(self.only),
            "rate": f"{self.rate[0]}/{_UNITS[self.rate[1]]}" if self.rate else None,
        }


_UNITS = {1.0: "s", 60.0: "min"}


def _rate_limit(value: str) -> tuple[int, float]:
    """'25/s', '100/min' or '25' (per second) → (requests, window seconds)."""
    count, _, unit = value.strip().partition("/")
    seconds = {"": 1.0, "s": 1.0, "sec": 1.0, "min": 60.0}.get(unit.strip().lower())
    if seconds is None:
        raise FaultSpecError(f"rate {value!r}: give requests per s or per min, e.g. 25/s")
    requests = int(count)
    if requests < 1:
        raise FaultSpecError(f"rate {value!r}: at least 1 request")
    return requests, seconds


def _rate(key: str, value: str) -> float:
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise FaultSpecError(f"{key} rate must be between 0 and 1, got {value}")
    return rate


def _millis(value: str) -> float:
    value = value.strip().lower()
    if value.endswith("ms"):
        return float(value[:-2])
    if value.endswith("s"):
        return float(value[:-1]) * 1000.0
    return float(value)


@dataclass(frozen=True)
class FaultDecision:
    """What happens to one request."""

    delay_s: float = 0.0
    status: int | None = None  # answer with this error instead of running the request
    drop_before: bool = False  # cut the connection without running the request
    drop_after: bool = False  # run the request, then cut the connection before the answer
    malformed: bool = False  # run the request, then answer with a broken body


class FaultInjector:
    """Holds the live spec and a seeded RNG; thread-safe because tests poke it from outside."""

    def __init__(
        self,
        spec: FaultSpec | None = None,
        seed: int = 0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._spec = spec or FaultSpec()
        self._rng = random.Random(seed ^ 0x5EED)
        self._clock = clock  # real time even on a frozen sandbox clock: limits are about now
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self.counts: dict[str, int] = {}

    @property
    def spec(self) -> FaultSpec:
        return self._spec

    def set(self, spec: FaultSpec) -> None:
        with self._lock:
            self._spec = spec
            self._hits.clear()

    def admit(self, vendor: str, token: str, target: str = "") -> float | None:
        """Apply the `rate` limit to one request: None to run it, else the Retry-After."""
        with self._lock:
            spec = self._spec
            if spec.rate is None or not spec.applies(vendor, target):
                return None
            requests, seconds = spec.rate
            now = self._clock()
            hits = self._hits.setdefault((vendor, token), deque())
            while hits and now - hits[0] >= seconds:
                hits.popleft()
            if len(hits) >= requests:
                self.counts["rate"] = self.counts.get("rate", 0) + 1
                return float(max(1, math.ceil(hits[-requests] + seconds - now)))
            hits.append(now)
            return None

    def decide(self, vendor: str, target: str = "") -> FaultDecision:
        """What happens to one request of `vendor`; `target` is its path (`PATH#Operation`
        for GraphQL), matched against the path entries of `only`."""
        with self._lock:
            spec = self._spec
            if not spec.active or not spec.applies(vendor, target):
                return FaultDecision()
            rng = self._rng
            delay = spec.latency_ms / 1000.0
            if spec.jitter_ms:
                delay += rng.uniform(0, spec.jitter_ms) / 1000.0
            roll = rng.random()
            edge = 0.0
            for status, rate in sorted(spec.errors.items()):
                edge += rate
                if roll < edge:
                    return self._count(FaultDecision(delay_s=delay, status=status), str(status))
            edge += spec.drop_before
            if roll < edge:
                return self._count(FaultDecision(delay_s=delay, drop_before=True), "drop-before")
            edge += spec.drop_after
            if roll < edge:
                return self._count(FaultDecision(delay_s=delay, drop_after=True), "drop-after")
            edge += spec.malformed
            if roll < edge:
                return self._count(FaultDecision(delay_s=delay, malformed=True), "malformed")
            return FaultDecision(delay_s=delay)

    def _count(self, decision: FaultDecision, key: str) -> FaultDecision:
        self.counts[key] = self.counts.get(key, 0) + 1
        return decision


async def sleep(delay_s: float) -> None:
    if delay_s > 0:
        await asyncio.sleep(delay_s)
