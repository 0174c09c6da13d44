"""Changes per second over the last few minutes, for the header sparkline.

Counts land in one-second buckets keyed by the (injectable) monotonic clock; only the last
`window` seconds are kept, so memory is constant however long the viewer runs.
"""

from __future__ import annotations

from collections import deque


class RateMeter:
    def __init__(self, window: int = 180) -> None:
        self.window = window
        self._buckets: deque[tuple[int, int]] = deque()  # (whole second, count)
        self._first: float | None = None  # when counting began: a young meter averages less

    def add(self, count: int, at: float) -> None:
        if count <= 0:
            return
        if self._first is None:
            self._first = at
        second = int(at)
        if self._buckets and self._buckets[-1][0] == second:
            self._buckets[-1] = (second, self._buckets[-1][1] + count)
        else:
            self._buckets.append((second, count))
        self._trim(second)

    def _trim(self, now_second: int) -> None:
        while self._buckets and self._buckets[0][0] <= now_second - self.window:
            self._buckets.popleft()

    def series(self, now: float) -> list[float]:
        """Per-second counts for the last `window` seconds, oldest first (zeros included)."""
        end = int(now)
        self._trim(end)
        values = [0.0] * self.window
        start = end - self.window + 1
        for second, count in self._buckets:
            if start <= second <= end:
                values[second - start] = float(count)
        return values

    def per_second(self, now: float, span: int = 10) -> float:
        """The average rate over the last `span` seconds (the number next to the sparkline),
        or over the time since counting began if that is shorter."""
        end = int(now)
        total = sum(count for second, count in self._buckets if end - span < second <= end)
        age = span if self._first is None else now - self._first
        return total / max(1.0, min(float(span), age))
