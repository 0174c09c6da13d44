"""How hard a batch may push one vendor account, and a controller that listens to the answers.

A fixed number of writes in flight is wrong twice: too timid when the vendor answers fast
(a thousand updates take minutes), too pushy when it is busy or rate limited (a storm of 429s
that each cost a `Retry-After`). So a batch adapts per account, the way TCP does (AIMD):

- it starts with a few writes in flight and adds one for every window of answers that came
  back fast and free of 429/503 (a window being as many answers as writes allowed in flight),
  while the writes really fill that allowance;
- it halves on a 429, a 503 or a latency jump (the recent answers twice as slow as the
  smoothed baseline, and noticeably so) — once per window: answers to requests sent before
  the last cut say nothing new about the cut;
- it never goes above the vendor's ceiling (`WritePacing`, declared by the adapter class);
- documented rate limits are caps on request *starts*, not on concurrency, and are kept
  exactly (`SlidingWindow`), with a margin;
- a 429 also teaches a rate (AIMD again, on request starts): the first one caps the rate at
  what the vendor accepted in the second before the refused request was sent (those sent
  then and not refused, or answered by now if they went out ungated), less 10 %; each
  later one lowers the cap by 10 %; two seconds after the last 429 it rises again by one
  request a second while answers stay clean, up to just below the rate that was refused,
  and past that only every eight seconds (a limit found is probed rarely). Halving
  concurrency alone leaves a sawtooth of 429s when the vendor limits requests per second
  rather than requests in flight.

Everything here is pure: the caller passes the time in, so tests drive it with a fake clock.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

__all__ = ["AimdController", "PaceStats", "RateLimit", "SlidingWindow", "WritePacing"]

START = 3  # writes in flight before anything is known about the vendor
DEFAULT_CEILING = 16  # vendors that document no limit: a guess (see WritePacing)
MARGIN = 0.9  # documented limits are kept with 10 % to spare (clock skew, network jitter)
LATENCY_JUMP = 2.0  # recent latency this many times the baseline...
MIN_JUMP_S = 0.05  # ...and at least this much slower, counts as a jump
WARMUP_SAMPLES = 5  # answers needed before a latency jump is believed
RECENT_WEIGHT = 0.25  # EWMA weight of a new answer in the recent latency
BASELINE_DOWN = 0.3  # the baseline follows faster answers quickly...
BASELINE_UP = 0.01  # ...and slower ones slowly, so congestion does not become the norm
LEARNED_MARGIN = 0.9  # a 429 caps the rate at this share of what the vendor accepted
SAME_INSTANT_S = 0.001  # a start this close to the refused one's is the refused one
HISTORY_S = 3.0  # how far back sends and answers are remembered
LEARNED_HOLD_S = 2.0  # after a 429 the learned rate holds this long...
LEARNED_STEP_S = 1.0  # ...then rises by one request a second, this often...
LEARNED_PROBE_S = 8.0  # ...and from just below the rate refused last, this rarely


@dataclass(frozen=True)
class RateLimit:
    """At most `requests` request starts in any `seconds`-long window."""

    requests: int
    seconds: float

    def __str__(self) -> str:
        unit = {1.0: "s", 60.0: "min", 3600.0: "h"}.get(self.seconds, f"{self.seconds:g} s")
        return f"{self.requests}/{unit}"


@dataclass(frozen=True)
class WritePacing:
    """An adapter's limits for batches: where to start, the ceiling, documented rate limits.

    `source` says where the numbers come from, so a guess is never mistaken for a rule.
    """

    start: int = START
    ceiling: int = DEFAULT_CEILING
    limits: tuple[RateLimit, ...] = ()
    source: str = "no documented limit: the ceiling is a guess"

    def __post_init__(self) -> None:
        if not 1 <= self.start <= self.ceiling:
            raise ValueError("pacing needs 1 <= start <= ceiling")


class SlidingWindow:
    """An exact cap: never more than `requests` starts in any window of `seconds`.

    Not a token bucket: a bucket of N tokens refilled at N per window lets 2N through in one
    window (a full bucket, then its refill), and a vendor counting requests over a sliding
    window answers the second half with 429s. A log of the last N starts is exact for
    fixed, sliding and bucket-style limits alike.

    `spaced` also keeps starts `seconds / requests` apart, like a bucket of one: the vendor
    counts arrivals, and arrivals jitter, so a burst sent just after a window's edge can land
    inside the window before it. Used for per-second limits, where that edge is always near.
    """

    def __init__(self, requests: int, seconds: float, *, spaced: bool = False) -> None:
        self.requests = max(1, int(requests))
        self.seconds = seconds
        self.gap = seconds / self.requests if spaced else 0.0
        self._starts: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more start fits (0: now)."""
        self._expire(now)
        wait = self._starts[-1] + self.gap - now if self._starts and self.gap else 0.0
        if len(self._starts) >= self.requests:
            wait = max(wait, self._starts[-self.requests] + self.seconds - now)
        return max(0.0, wait)

    def record(self, now: float) -> None:
        self._expire(now)
        self._starts.append(now)
        while len(self._starts) > self.requests:
            self._starts.popleft()

    def resized(self, requests: int) -> SlidingWindow:
        """A window of another size over the same starts (a cap learned mid-run must count
        the requests already sent)."""
        window = SlidingWindow(requests, self.seconds)
        window._starts = deque(list(self._starts)[-window.requests :])
        return window

    def count(self, now: float) -> int:
        """Starts within the last window."""
        self._expire(now)
        return len(self._starts)

    def _expire(self, now: float) -> None:
        while self._starts and now - self._starts[0] >= self.seconds:
            self._starts.popleft()


@dataclass
class PaceStats:
    """What the controller saw and did (the benchmark and the tests read it)."""

    answers: int = 0  # attempts that got an HTTP answer
    throttled: int = 0  # 429s
    unavailable: int = 0  # 503s
    lost: int = 0  # attempts with no answer (could not connect, dropped, timed out)
    increases: int = 0
    decreases: int = 0
    latency_cuts: int = 0  # decreases caused by a latency jump
    peak: int = 0  # the highest limit reached


class AimdController:
    """Writes in flight and request starts for one account (see the module docstring).

    `fixed` pins the limit (the user's `--concurrency N`): nothing adapts then, but the
    documented rate limits still apply. Slots (`try_acquire`/`release`) count writes of the
    batch; `rate_wait`/`started` and `observe` count HTTP attempts, retries included.
    """

    def __init__(self, pacing: WritePacing, *, fixed: int | None = None) -> None:
        self.pacing = pacing
        self.fixed = fixed
        self.limit = fixed if fixed is not None else pacing.start
        self._adapted = pacing.start
        self.in_flight = 0
        self.stats = PaceStats(peak=self.limit)
        self.baseline: float | None = None  # smoothed latency of a quiet vendor (seconds)
        self.recent: float | None = None  # smoothed latency of the last few answers
        self.learned_rate: int | None = None  # requests/second taught by a 429
        self._documented = [
            SlidingWindow(
                math.floor(limit.requests * MARGIN), limit.seconds, spaced=limit.seconds <= 1.0
            )
            for limit in pacing.limits
        ]
        self._learned: SlidingWindow | None = None
        self._last_second = SlidingWindow(1_000_000, 1.0)  # starts of the last second
        # When requests were sent (gated ones, as they pass the gate), when refused ones
        # were sent, and when accepted ones were (known once answered); the last few seconds.
        self._sent: deque[float] = deque()
        self._refused: deque[float] = deque()
        self._accepted: deque[float] = deque()
        self._samples = 0
        self._good = 0  # good answers since the limit last changed
        self._saturated = False  # the writes filled the limit since it last changed
        self._cut_at = -math.inf  # when the limit was last cut
        self._rate_raised_at = 0.0
        self._refused_at_rate = 0  # the cap (or first estimate) at the last 429

    @property
    def adaptive(self) -> bool:
        return self.fixed is None

    def set_fixed(self, fixed: int | None) -> None:
        """Pin the limit (a number) or let it adapt again from where it is (None)."""
        if fixed == self.fixed:
            return
        if self.fixed is None:
            self._adapted = self.limit  # where adapting resumes once unpinned
        self.fixed = fixed
        self.limit = fixed if fixed is not None else self._adapted
        self._changed()

    # --- slots: writes in flight ----------------------------------------------------------
    def try_acquire(self) -> bool:
        if self.in_flight < self.limit:
            self.in_flight += 1
            if self.in_flight >= self.limit:
                self._saturated = True
            return True
        self._saturated = True
        return False

    def release(self) -> None:
        self.in_flight = max(0, self.in_flight - 1)

    # --- rate: request starts -----------------------------------------------------------
    def rate_wait(self, now: float) -> float:
        """Seconds until the next request may start under every rate cap (0: now)."""
        windows = [*self._documented, *([self._learned] if self._learned else [])]
        return max((window.wait(now) for window in windows), default=0.0)

    def started(self, now: float) -> None:
        """A request starts now (it passed `rate_wait`)."""
        for window in self._documented:
            window.record(now)
        if self._learned is not None:
            self._learned.record(now)
        self._last_second.record(now)
        _keep_recent(self._sent, now, now)

    # --- answers --------------------------------------------------------------------------
    def observe(self, status: int | None, seconds: float, now: float) -> None:
        """One attempt's outcome: its HTTP status (None: no answer) and how long it took."""
        fresh = now - seconds >= self._cut_at  # sent after the last cut
        if status is None:
            self.stats.lost += 1
            return
        self.stats.answers += 1
        if status in (429, 503):
            if status == 429:
                self.stats.throttled += 1
            else:
                self.stats.unavailable += 1
            if status == 429:
                _keep_recent(self._refused, now - seconds, now)
            if self.adaptive and fresh:
                if status == 429:
                    self._learn_rate(now - seconds, now)
                self._cut(now)
            return
        _keep_recent(self._accepted, now - seconds, now)
        jump = self._latency(seconds)
        if not self.adaptive:
            return
        if jump:
            if fresh:
                self.stats.latency_cuts += 1
                self._cut(now)
            return
        self._raise_learned_rate(now)
        self._good += 1
        if self._good >= self.limit and self._saturated and self.limit < self.pacing.ceiling:
            self.limit += 1
            self.stats.increases += 1
            self.stats.peak = max(self.stats.peak, self.limit)
            self._changed()

    # --- internals ------------------------------------------------------------------------
    def _latency(self, seconds: float) -> bool:
        """Fold one answer's latency in; True when the recent answers jumped."""
        self._samples += 1
        if self.baseline is None or self.recent is None:
            self.baseline = self.recent = seconds
            return False
        weight = BASELINE_DOWN if seconds < self.baseline else BASELINE_UP
        self.baseline += weight * (seconds - self.baseline)
        self.recent += RECENT_WEIGHT * (seconds - self.recent)
        return (
            self._samples > WARMUP_SAMPLES
            and self.recent > self.baseline * LATENCY_JUMP
            and self.recent - self.baseline > MIN_JUMP_S
        )

    def _cut(self, now: float) -> None:
        self.limit = max(1, self.limit // 2)
        self.stats.decreases += 1
        self._cut_at = now
        self.recent = self.baseline  # judge the new limit by answers sent under it
        self._changed()

    def _changed(self) -> None:
        self._good = 0
        self._saturated = self.in_flight >= self.limit

    def _learn_rate(self, sent: float, now: float) -> None:
        """A 429 for a request sent at `sent`: the vendor's window then held what it had
        accepted in the second before (those answers are in by now: sent earlier, they came
        back earlier). What was sent counts for nothing: refused requests are not counted."""

        def within(times: deque[float]) -> int:
            return sum(1 for t in times if sent - 1.0 < t < sent - SAME_INSTANT_S)

        # Gated requests sent in that second and not refused were accepted, answered or not
        # (sent before the refused one, they arrived before it); ungated ones (a listing)
        # are known only by their answers. Both count low, never high.
        accepted = max(within(self._sent) - within(self._refused), within(self._accepted))
        if self.learned_rate is None:
            self._refused_at_rate = accepted
            rate = math.floor(accepted * LEARNED_MARGIN)
        else:
            # Already capped: arrivals jitter, so the last second's count says little about
            # the vendor's window; take a tenth off what was too much.
            self._refused_at_rate = self.learned_rate
            rate = min(math.floor(self.learned_rate * LEARNED_MARGIN), self.learned_rate - 1)
        self.learned_rate = rate = max(1, rate)
        self._learned = self._last_second.resized(rate)
        self._rate_raised_at = now + LEARNED_HOLD_S - LEARNED_STEP_S

    def _raise_learned_rate(self, now: float) -> None:
        if self.learned_rate is None:
            return
        near = self.learned_rate >= self._refused_at_rate - 1
        if now - self._rate_raised_at < (LEARNED_PROBE_S if near else LEARNED_STEP_S):
            return
        self.learned_rate += 1
        self._learned = self._last_second.resized(self.learned_rate)
        self._rate_raised_at = now


def _keep_recent(times: deque[float], when: float, now: float) -> None:
    """Note `when`, forgetting what is older than the history the controller needs."""
    times.append(when)
    while times and times[0] < now - HISTORY_S:
        times.popleft()
