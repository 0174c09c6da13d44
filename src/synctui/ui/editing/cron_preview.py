"""What a cron schedule means, in words and as the next run times — for the schedule field.

A cron string is easy to get subtly wrong (`0 0 30 2 *` never fires, `*/15 9 * * *` runs four
times an hour only at nine). Showing a plain reading and the next three runs while typing
catches that before anything is saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from synctui.domain.cron import CronError, parse_cron

__all__ = ["CronPreview", "cron_preview"]

MANUAL = "no schedule: runs only when triggered"


@dataclass(frozen=True)
class CronPreview:
    reading: str
    next_runs: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def cron_preview(expr: str | None, now: datetime, count: int = 3) -> CronPreview:
    """The reading and the next `count` runs after `now` (formatted in `now`'s time zone)."""
    if expr is None or not expr.strip():
        return CronPreview(MANUAL)
    try:
        schedule = parse_cron(expr)
    except CronError as exc:
        where = f" (at character {exc.position + 1})" if exc.position is not None else ""
        return CronPreview("", error=f"{exc.message}{where}")
    reason = schedule.why_never_fires()
    if reason is not None:
        return CronPreview(schedule.describe(), error=f"never fires: {reason}")
    try:
        times = schedule.next_times(now, count)
    except CronError as exc:
        return CronPreview(schedule.describe(), error=exc.message)
    zone = now.strftime("%Z") or "local"
    return CronPreview(
        schedule.describe(), [t.strftime("%a %Y-%m-%d %H:%M ") + zone for t in times]
    )
