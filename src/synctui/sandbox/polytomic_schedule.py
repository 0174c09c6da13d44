"""When a Polytomic schedule fires: the simulator's clock for scheduled executions and the
`next_execution_time` it reports.

Time parts are cron-like strings (the SDK's `schedule` type): numbers, `*`, `a-b`, `*/n`,
comma lists; days of the week by number (0 = Sunday) or English name.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from synctui.sandbox.polytomic_catalog import TIME_PARTS

_WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_DAYS = {**{d: i for i, d in enumerate(_WEEKDAYS)}, **{d[:3]: i for i, d in enumerate(_WEEKDAYS)}}


def next_run(schedule: dict[str, Any], now: datetime) -> datetime | None:
    """When a schedule next fires after `now` (UTC), or None if it has no clock of its own."""
    return next(runs_after(schedule, now), None)


def runs_after(schedule: dict[str, Any], after: datetime) -> Iterator[datetime]:
    """The instants a schedule fires strictly after `after`, in order, for about a year.

    Time parts are cron-like strings: numbers, `*`, `a-b`, `*/n`, comma lists; days of the week
    by number (0 = Sunday) or English name. Manual, runafter and dbtcloud schedules have no
    clock of their own and yield nothing; continuous fires every minute; multi merges its
    nested schedules.
    """
    frequency = schedule.get("frequency")
    start = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if frequency == "continuous":
        yield from (start + timedelta(minutes=n) for n in range(366 * 24 * 60))
        return
    if frequency == "multi":
        nested = (schedule.get("multi") or {}).get("schedules") or []
        streams = [
            runs_after(s, after)
            for s in nested
            if isinstance(s, dict) and s.get("frequency") != "multi"
        ]
        previous = None
        for instant in heapq.merge(*streams):
            if instant != previous:
                yield instant
            previous = instant
        return
    defaults = {
        "hourly": {"hour": "*", "day_of_month": "*", "month": "*", "day_of_week": "*"},
        "daily": {"day_of_month": "*", "month": "*", "day_of_week": "*"},
        "weekly": {"day_of_month": "*", "month": "*"},
        "custom": {},
        "builder": {},
    }.get(frequency)
    if defaults is None:
        return
    parts = {p: str(schedule.get(p) or "*") for p in TIME_PARTS}
    parts.update(defaults)
    if not schedule.get("minute"):
        parts["minute"] = "0"
    try:
        minutes = sorted(_cron(parts["minute"], 0, 59))
        hours = sorted(_cron(parts["hour"], 0, 23))
        days = _cron(parts["day_of_month"], 1, 31)
        months = _cron(parts["month"], 1, 12)
        weekdays = {d % 7 for d in _cron(parts["day_of_week"], 0, 7, _DAYS)}
    except ValueError:
        return
    day = start.replace(hour=0, minute=0)
    for _ in range(400):
        if day.day in days and day.month in months and (day.weekday() + 1) % 7 in weekdays:
            for hour in hours:
                for minute in minutes:
                    candidate = day.replace(hour=hour, minute=minute)
                    if candidate >= start:
                        yield candidate
        day += timedelta(days=1)


def _cron(expr: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int]:
    values: set[int] = set()
    for piece in expr.lower().split(","):
        piece, _, step_text = piece.strip().partition("/")
        step = int(step_text) if step_text else 1
        if piece in ("*", ""):
            first, last = low, high
        elif "-" in piece:
            a, b = piece.split("-", 1)
            first, last = _cron_value(a, names), _cron_value(b, names)
        else:
            first = last = _cron_value(piece, names)
            if step_text:
                last = high
        if step < 1 or first < low or last > high or first > last:
            raise ValueError(expr)
        values.update(range(first, last + 1, step))
    return values


def _cron_value(text: str, names: dict[str, int] | None) -> int:
    text = text.strip()
    if names and text in names:
        return names[text]
    return int(text)
