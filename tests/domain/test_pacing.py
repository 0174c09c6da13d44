"""The AIMD controller and the rate caps, driven by a fake clock: no sleeping, no network.

Each test feeds the controller the answers a vendor would give and reads back the limit it
allows (writes in flight) and the wait it imposes (request starts).
"""

from __future__ import annotations

from itertools import pairwise

import pytest

from synctui.domain.pacing import (
    LEARNED_MARGIN,
    AimdController,
    RateLimit,
    SlidingWindow,
    WritePacing,
)

FAST = 0.05  # seconds: a vendor answering in 50 ms
PACING = WritePacing(start=3, ceiling=8)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def tick(self, seconds: float) -> float:
        self.now += seconds
        return self.now


def fill(ctrl: AimdController) -> None:
    """Writes take every slot the limit allows (the batch has more waiting)."""
    while ctrl.try_acquire():
        pass


def answer(ctrl: AimdController, clock: Clock, status: int | None = 200, seconds: float = FAST):
    """One attempt answered now: a write frees its slot and the next one takes it."""
    ctrl.observe(status, seconds, clock.tick(seconds / 10))
    ctrl.release()
    fill(ctrl)


def test_it_adds_one_per_window_of_fast_answers_up_to_the_ceiling() -> None:
    clock, ctrl = Clock(), AimdController(PACING)
    fill(ctrl)
    assert ctrl.limit == 3 and ctrl.in_flight == 3
    limits = []
    for _ in range(3 + 4 + 5):
        answer(ctrl, clock)
        limits.append(ctrl.limit)
    # A window is as many answers as writes allowed: 3 answers at 3, 4 at 4, 5 at 5.
    assert limits == [3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5, 6]
    for _ in range(100):
        answer(ctrl, clock)
    assert ctrl.limit == PACING.ceiling == ctrl.stats.peak
    assert ctrl.in_flight == PACING.ceiling


def test_it_does_not_grow_while_the_writes_do_not_fill_the_limit() -> None:
    clock, ctrl = Clock(), AimdController(PACING)
    for _ in range(50):  # one write at a time: the allowance is never used
        assert ctrl.try_acquire()
        ctrl.observe(200, FAST, clock.tick(FAST))
        ctrl.release()
    assert ctrl.limit == 3 and ctrl.stats.increases == 0


@pytest.mark.parametrize("status", [429, 503])
def test_a_429_or_a_503_halves_it_once_per_window(status: int) -> None:
    clock, ctrl = Clock(), AimdController(WritePacing(start=8, ceiling=8))
    fill(ctrl)
    ctrl.observe(status, FAST, clock.tick(FAST))
    assert ctrl.limit == 4
    # The other answers of the same round were sent before the cut: they say nothing new.
    for _ in range(5):
        ctrl.observe(status, FAST, clock.tick(0.001))
    assert ctrl.limit == 4 and ctrl.stats.decreases == 1
    # An answer to a request sent after the cut does.
    clock.tick(1.0)
    ctrl.observe(status, FAST, clock.tick(FAST))
    assert ctrl.limit == 2
    ctrl.observe(status, FAST, clock.tick(FAST + 0.001))
    assert ctrl.limit == 1
    ctrl.observe(status, FAST, clock.tick(FAST + 0.001))
    assert ctrl.limit == 1  # never below one
    counted = ctrl.stats.throttled if status == 429 else ctrl.stats.unavailable
    assert counted == 9


def test_a_latency_jump_halves_it_and_jitter_does_not() -> None:
    clock, ctrl = Clock(), AimdController(WritePacing(start=8, ceiling=8))
    fill(ctrl)
    for i in range(40):  # jitter of ±20 ms around 100 ms: a quiet vendor
        answer(ctrl, clock, seconds=0.1 + (0.02 if i % 2 else -0.02))
    assert ctrl.limit == 8 and ctrl.stats.decreases == 0
    for _ in range(10):  # the vendor slows to 400 ms
        answer(ctrl, clock, seconds=0.4)
    assert ctrl.stats.latency_cuts >= 1 and ctrl.limit <= 4


def test_a_small_absolute_jump_on_a_fast_vendor_is_not_a_jump() -> None:
    clock, ctrl = Clock(), AimdController(PACING)
    fill(ctrl)
    for _ in range(10):
        answer(ctrl, clock, seconds=0.002)
    for _ in range(10):  # 3x slower, but only 4 ms more: scheduling noise, not congestion
        answer(ctrl, clock, seconds=0.006)
    assert ctrl.stats.latency_cuts == 0


def test_answers_that_never_came_neither_grow_nor_cut_it() -> None:
    clock, ctrl = Clock(), AimdController(PACING)
    fill(ctrl)
    for _ in range(20):
        answer(ctrl, clock, status=None)
    assert ctrl.limit == 3 and ctrl.stats.lost == 20


def test_other_errors_are_answers_the_vendor_gave_fast() -> None:
    clock, ctrl = Clock(), AimdController(PACING)
    fill(ctrl)
    for status in (404, 409, 422, 500, 200, 200):  # refused or failed, but not throttled
        answer(ctrl, clock, status=status)
    assert ctrl.limit == 4


def test_a_fixed_limit_never_moves_and_adapting_resumes_where_it_was() -> None:
    clock, ctrl = Clock(), AimdController(PACING)
    fill(ctrl)
    for _ in range(7):
        answer(ctrl, clock)
    assert ctrl.limit == 5
    ctrl.set_fixed(2)
    for status in (429, 503, 200, 200, 200, 200, 200, 200):
        answer(ctrl, clock, status=status)
    assert ctrl.limit == 2 and ctrl.stats.throttled == 1 and ctrl.learned_rate is None
    ctrl.set_fixed(None)
    assert ctrl.limit == 5


def test_a_fixed_limit_may_exceed_the_vendor_ceiling() -> None:
    assert AimdController(PACING, fixed=20).limit == 20


def test_a_sliding_window_never_lets_more_than_its_limit_into_any_window() -> None:
    clock, window = Clock(), SlidingWindow(3, 1.0)
    starts = []
    for _ in range(10):
        wait = window.wait(clock.now)
        clock.tick(wait)
        window.record(clock.now)
        starts.append(clock.now)
        clock.tick(0.1)
    # Three starts, then each next one exactly a second after the third-last.
    for earlier, later in zip(starts, starts[3:], strict=False):
        assert later - earlier == pytest.approx(1.0)
    assert window.count(starts[-1]) == 3


def start_all(ctrl: AimdController, clock: Clock, count: int) -> list[float]:
    """Start `count` requests as fast as the rate caps allow; their start times."""
    starts = []
    for _ in range(count):
        clock.tick(ctrl.rate_wait(clock.now))
        ctrl.started(clock.now)
        starts.append(clock.now)
    return starts


def most_in_any_window(starts: list[float], seconds: float) -> int:
    return max(sum(1 for t in starts if s <= t < s + seconds) for s in starts)


def test_documented_limits_are_kept_with_a_margin() -> None:
    signalsmith = WritePacing(limits=(RateLimit(100, 60.0), RateLimit(20, 1.0)))
    clock, ctrl = Clock(), AimdController(signalsmith)
    starts = start_all(ctrl, clock, 250)
    assert most_in_any_window(starts, 1.0) == 18  # 20/s, less 10 %
    assert most_in_any_window(starts, 60.0) == 90  # 100/min, less 10 %
    # Per second, evenly spaced (no burst at a window's edge)...
    gaps = [b - a for a, b in pairwise(starts)]
    assert min(gaps) == pytest.approx(1 / 18)
    # ...and no slower than it must: 90 starts in the first minute, 90 in the second, the
    # last 70 from the third minute on, 1/18 s apart.
    assert starts[-1] - starts[0] == pytest.approx(120.0 + 69 / 18)
    # A fixed concurrency keeps the documented limits too.
    fixed = AimdController(signalsmith, fixed=32)
    assert most_in_any_window(start_all(fixed, Clock(), 40), 1.0) == 18


def refused(ctrl: AimdController, clock: Clock, seconds: float = FAST) -> None:
    """A request sent now comes back 429 `seconds` later."""
    ctrl.started(clock.now)
    ctrl.observe(429, seconds, clock.tick(seconds))


def test_a_429_teaches_the_rate_the_vendor_accepted() -> None:
    clock, ctrl = Clock(), AimdController(PACING)
    for _ in range(30):  # 30 requests sent and answered within a second...
        ctrl.started(clock.tick(0.01))
        ctrl.observe(200, 0.001, clock.tick(0.001))
    for _ in range(10):  # ...10 more sent, still on their way: accepted all the same...
        ctrl.started(clock.tick(0.01))
    clock.tick(0.01)
    refused(ctrl, clock)  # ...and the next one is refused
    assert ctrl.learned_rate == int(40 * LEARNED_MARGIN) == 36
    assert ctrl.rate_wait(clock.now) > 0  # the last second already holds 36 starts and more
    starts = start_all(ctrl, clock, 100)
    assert most_in_any_window(starts, 1.0) <= 36


def test_an_unpaced_listing_counts_by_its_answers_and_refused_requests_for_nothing() -> None:
    clock, ctrl = Clock(), AimdController(PACING)
    for _ in range(20):  # a listing before the batch, not gated: known by its answers
        ctrl.observe(200, 0.01, clock.tick(0.02))
    clock.tick(0.01)
    refused(ctrl, clock)
    assert ctrl.learned_rate == int(20 * LEARNED_MARGIN) == 18

    clock, pinned = Clock(), AimdController(PACING, fixed=4)
    for _ in range(30):  # a pinned batch sends 30 in a second; 10 come back 429
        pinned.started(clock.tick(0.01))
    for _ in range(10):
        pinned.observe(429, 0.1, clock.now)
    assert pinned.learned_rate is None  # pinned: nothing adapts
    pinned.set_fixed(None)
    clock.tick(0.01)
    refused(pinned, clock)
    assert pinned.learned_rate == int((30 - 10) * LEARNED_MARGIN) == 18


def test_the_learned_rate_holds_rises_probes_rarely_and_each_later_429_takes_a_tenth() -> None:
    clock, ctrl = Clock(), AimdController(PACING)
    for _ in range(40):
        ctrl.started(clock.tick(0.02))
    clock.tick(0.01)
    refused(ctrl, clock)
    assert ctrl.learned_rate == 36
    rates = []
    for _ in range(14):  # clean answers, one a second: held two seconds, one more a second
        ctrl.observe(200, FAST, clock.tick(1.0))  # up to just below the 40 refused, and past
        rates.append(ctrl.learned_rate)  # that one more only every eight seconds
    assert rates == [36, 37, 38, 39] + [39] * 7 + [40] * 3
    # A later 429 takes a tenth off the cap, whatever the last second's count (arrivals
    # jitter: sent under the cap, refused all the same)...
    for _ in range(5):
        ctrl.started(clock.tick(0.05))
    clock.tick(0.01)
    refused(ctrl, clock)
    assert ctrl.learned_rate == 36
    # ...and at least one request a second, down to one.
    for _ in range(40):
        clock.tick(0.01)
        refused(ctrl, clock)
    assert ctrl.learned_rate == 1


def test_bad_pacing_is_refused() -> None:
    with pytest.raises(ValueError):
        WritePacing(start=9, ceiling=8)
    with pytest.raises(ValueError):
        WritePacing(start=0)
