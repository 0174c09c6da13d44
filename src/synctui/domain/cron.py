"""Five-field cron expressions: parse, explain, and compute upcoming run times.

Signalsmith schedules are cron strings. Before a user saves one we want to (a) reject typos
with a message that points at the offending character, (b) say in words what it means and
(c) show the next few run times, so a ``0 0 30 2 *`` that never fires is caught on screen
rather than discovered a month later.

Syntax (Vixie cron): ``minute hour day-of-month month day-of-week``; each field is ``*`` or a
comma list of ``n``, ``a-b``, ``*/s``, ``a-b/s`` and ``a/s`` (from ``a`` to the end of the
field). Months accept ``JAN``-``DEC`` and days ``SUN``-``SAT`` in any case; day-of-week 0 and 7
are both Sunday.

Day matching follows Vixie cron to the letter: if *either* day field starts with ``*`` a day
must match both; if neither does, matching either is enough. So ``0 0 1 * MON`` fires on the
1st *and* on every Monday, while ``0 0 */2 * MON`` fires only on odd-numbered Mondays
(``*/2`` starts with ``*``). Other cron implementations disagree on that second case; this is
what crond itself does.
"""

from __future__ import annotations

import bisect
import calendar
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

__all__ = [
    "FIELD_NAMES",
    "CronError",
    "CronSchedule",
    "describe_cron",
    "parse_cron",
]

FIELD_NAMES = ("minute", "hour", "day-of-month", "month", "day-of-week")

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")

# Far enough to cover the Gregorian 400-year cycle, so any satisfiable schedule is found.
_SEARCH_YEARS = 401
# The longest each month can be; February counts 29 because leap years exist.
_MAX_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class CronError(ValueError):
    """A cron expression is malformed, or is well formed but can never fire.

    ``field_index`` (0-4, see :data:`FIELD_NAMES`) and ``position`` (a character offset into
    the original string) are ``None`` when the problem is not tied to one place.
    """

    def __init__(
        self, message: str, field_index: int | None = None, position: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field_index = field_index
        self.position = position


@dataclass(frozen=True)
class _FieldSpec:
    index: int
    low: int
    high: int
    names: dict[str, int]

    @property
    def name(self) -> str:
        return FIELD_NAMES[self.index]


_SPECS = (
    _FieldSpec(0, 0, 59, {}),
    _FieldSpec(1, 0, 23, {}),
    _FieldSpec(2, 1, 31, {}),
    _FieldSpec(3, 1, 12, {m[:3].upper(): i for i, m in enumerate(MONTH_NAMES, start=1)}),
    _FieldSpec(4, 0, 7, {d[:3].upper(): i for i, d in enumerate(DAY_NAMES)}),
)


@dataclass(frozen=True)
class CronSchedule:
    """A parsed expression. Value sets are sorted tuples; weekdays use 0 = Sunday … 6 = Saturday.

    ``dom_star`` / ``dow_star`` record whether the day fields *start with* ``*``, which is what
    decides between "both days must match" and "either may match" (see the module docstring).
    """

    expr: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: tuple[int, ...]
    months: tuple[int, ...]
    weekdays: tuple[int, ...]
    dom_star: bool
    dow_star: bool
    field_positions: tuple[int, ...] = field(default=(0, 0, 0, 0, 0), compare=False)

    # -- matching ---------------------------------------------------------------------------

    def matches(self, dt: datetime) -> bool:
        """True if the schedule fires during the minute containing ``dt`` (wall-clock time).

        Seconds are ignored: cron works in whole minutes.
        """
        return (
            dt.minute in self.minutes
            and dt.hour in self.hours
            and dt.month in self.months
            and self._day_matches(dt.date())
        )

    def _day_matches(self, day: date) -> bool:
        dom_ok = day.day in self.days
        dow_ok = (day.weekday() + 1) % 7 in self.weekdays  # Python: Monday=0; cron: Sunday=0
        if self.dom_star or self.dow_star:
            return dom_ok and dow_ok
        return dom_ok or dow_ok

    # -- satisfiability ---------------------------------------------------------------------

    def why_never_fires(self) -> str | None:
        """Explain why the schedule can never fire, or return ``None`` if it can.

        Only one shape is impossible: both day fields must match (one starts with ``*``) and no
        selected month is long enough to have any selected day of the month. Everything else
        fires eventually: every weekday occurs in every month, and over the 400-year Gregorian
        cycle every date (29 February included) falls on every weekday.
        """
        if not (self.dom_star or self.dow_star):
            return None  # "either may match", and every month has every weekday
        if any(d <= _MAX_MONTH_DAYS[m - 1] for m in self.months for d in self.days):
            return None
        days = _join_words([str(d) for d in self.days], "and")
        months = _join_words([MONTH_NAMES[m - 1] for m in self.months], "or")
        if len(self.days) == 1:
            return f"day {days} of the month never occurs in {months}"
        return f"days {days} of the month never occur in {months}"

    # -- upcoming times ---------------------------------------------------------------------

    def next_times(self, after: datetime, count: int = 3) -> list[datetime]:
        """The next ``count`` firing times strictly after ``after``.

        Naive in, naive out; aware in, aware out in the same time zone. Schedules are read in
        local wall-clock time: a time that does not exist (skipped by a DST jump) is skipped,
        and an hour repeated when clocks go back fires only once (its first occurrence).

        The search jumps from field to field (next matching month, day, hour, minute), so even a
        ``29 2`` schedule costs a few hundred steps, not a walk over every minute.

        Raises:
            CronError: the schedule can never fire, or the next time lies beyond year 9999.
        """
        if count <= 0:
            return []
        reason = self.why_never_fires()
        if reason is not None:
            raise CronError(f"never fires: {reason}", 2, self.field_positions[2])
        tz = after.tzinfo
        cursor = after.replace(tzinfo=None, second=0, microsecond=0)
        results: list[datetime] = []
        while len(results) < count:
            cursor = self._next_wall_time(_add(cursor, timedelta(minutes=1)))
            if tz is None:
                results.append(cursor)
                continue
            candidate = cursor.replace(tzinfo=tz)
            if _exists(candidate) and candidate.astimezone(UTC) > after.astimezone(UTC):
                results.append(candidate)
        return results

    def _next_wall_time(self, start: datetime) -> datetime:
        """The first naive minute at or after ``start`` that matches."""
        t = start
        limit = start.year + _SEARCH_YEARS
        while t.year <= limit:
            if t.month not in self.months:
                t = self._next_month_start(t)
                continue
            day = self._next_day_in_month(t)
            if day is None:
                t = _month_after(t)
                continue
            if day != t.day:
                t = datetime(t.year, t.month, day)
            hour = _next_value(self.hours, t.hour)
            if hour is None:
                t = _add(datetime(t.year, t.month, t.day), timedelta(days=1))
                continue
            if hour != t.hour:
                t = t.replace(hour=hour, minute=0)
            minute = _next_value(self.minutes, t.minute)
            if minute is None:
                t = _add(t.replace(minute=0), timedelta(hours=1))
                continue
            return t.replace(minute=minute)
        raise CronError(f"never fires within {_SEARCH_YEARS} years of {start:%Y-%m-%d}")

    def _next_month_start(self, t: datetime) -> datetime:
        month = _next_value(self.months, t.month)
        if month is None:
            return _year_start(t.year + 1, self.months[0])
        return datetime(t.year, month, 1)

    def _next_day_in_month(self, t: datetime) -> int | None:
        last = calendar.monthrange(t.year, t.month)[1]
        for day in range(t.day, last + 1):
            if self._day_matches(date(t.year, t.month, day)):
                return day
        return None

    # -- words ------------------------------------------------------------------------------

    def describe(self) -> str:
        """Plain-language meaning, e.g. ``"at 09:30 on Monday to Friday"``."""
        text = _time_phrase(self.minutes, self.hours) + self._day_phrase() + self._month_phrase()
        if self.why_never_fires() is not None:
            text += " (never fires)"
        return text

    def _day_phrase(self) -> str:
        dom_all = len(self.days) == 31
        dow_all = len(self.weekdays) == 7
        dom = _dom_phrase(self.days)
        dow = " on " + _join_words(_value_words(self.weekdays, lambda d: DAY_NAMES[d]))
        if not (self.dom_star or self.dow_star):
            return f"{dom} or{dow}"
        if dom_all and dow_all:
            return ""
        if dom_all:
            return dow
        if dow_all:
            return dom
        return f"{dom}, only if it is a " + _join_words([DAY_NAMES[d] for d in self.weekdays], "or")

    def _month_phrase(self) -> str:
        if len(self.months) == 12:
            return ""
        return " in " + _join_words(_value_words(self.months, lambda m: MONTH_NAMES[m - 1]))


# -- parsing -------------------------------------------------------------------------------


def parse_cron(expr: str) -> CronSchedule:
    """Parse a five-field expression.

    Raises:
        CronError: with a sentence naming the field and a character position, e.g.
            ``"hour: 24 is out of range 0–23"``.
    """
    if not isinstance(expr, str):
        raise CronError(f"a cron expression must be a string, not {type(expr).__name__}")
    tokens = [(m.group(), m.start()) for m in re.finditer(r"\S+", expr)]
    if not tokens:
        raise CronError("the cron expression is empty", None, 0)
    if tokens[0][0].startswith("@"):
        raise CronError(
            f"shortcuts like {tokens[0][0]} are not supported; write the five fields out", None, 0
        )
    if len(tokens) != 5:
        position = tokens[5][1] if len(tokens) > 5 else len(expr)
        raise CronError(
            f"expected 5 fields ({' '.join(FIELD_NAMES)}), got {len(tokens)}", None, position
        )
    sets = [
        _parse_field(spec, text, start) for spec, (text, start) in zip(_SPECS, tokens, strict=True)
    ]
    weekdays = tuple(sorted({d % 7 for d in sets[4]}))
    return CronSchedule(
        expr=expr,
        minutes=sets[0],
        hours=sets[1],
        days=sets[2],
        months=sets[3],
        weekdays=weekdays,
        dom_star=tokens[2][0].startswith("*"),
        dow_star=tokens[4][0].startswith("*"),
        field_positions=tuple(start for _, start in tokens),
    )


def describe_cron(expr: str) -> str:
    """Plain-language meaning of ``expr``, e.g. ``"every 6 hours, at minute 0"``.

    Raises:
        CronError: the expression does not parse.
    """
    return parse_cron(expr).describe()


def _parse_field(spec: _FieldSpec, text: str, start: int) -> tuple[int, ...]:
    values: set[int] = set()
    offset = 0
    for item in text.split(","):
        if not item:
            raise CronError(f"{spec.name}: empty item in list", spec.index, start + offset)
        values.update(_parse_item(spec, item, start + offset))
        offset += len(item) + 1
    return tuple(sorted(values))


def _parse_item(spec: _FieldSpec, item: str, start: int) -> range:
    """One list item: ``*``, ``n``, ``a-b``, each optionally followed by ``/step``."""
    base, slash, step_text = item.partition("/")
    step = 1
    if slash:
        step_pos = start + len(base) + 1
        if not _is_number(step_text):
            raise CronError(
                f"{spec.name}: step {step_text or '(missing)'} is not a number",
                spec.index,
                step_pos,
            )
        step = _number(step_text)
        if step < 1:
            raise CronError(f"{spec.name}: step must be at least 1", spec.index, step_pos)
    if base == "*":
        return range(spec.low, spec.high + 1, step)
    first_text, dash, last_text = base.partition("-")
    first = _parse_value(spec, first_text, start)
    if dash:
        last = _parse_value(spec, last_text, start + len(first_text) + 1)
        if last < first:
            raise CronError(
                f"{spec.name}: range {first_text}-{last_text} runs backwards", spec.index, start
            )
    elif slash:
        last = spec.high  # "a/s" means "from a to the end of the field, every s"
    else:
        last = first
    return range(first, last + 1, step)


def _parse_value(spec: _FieldSpec, text: str, position: int) -> int:
    if _is_number(text):
        value = _number(text)
        if not spec.low <= value <= spec.high:
            shown = value if value < _HUGE else f"{text[:8]}…"
            raise CronError(
                f"{spec.name}: {shown} is out of range {spec.low}–{spec.high}",
                spec.index,
                position,
            )
        return value
    if text.upper() in spec.names:
        return spec.names[text.upper()]
    if not text:
        raise CronError(f"{spec.name}: a value is missing", spec.index, position)
    hint = " or a name (JAN–DEC)" if spec.index == 3 else " or a name (SUN–SAT)"
    raise CronError(
        f"{spec.name}: {text} is not a number{hint if spec.names else ''}", spec.index, position
    )


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


_HUGE = 10**6


def _number(text: str) -> int:
    """The value of an all-ASCII-digit text, capped at `_HUGE`: beyond every field's range and
    every useful step, and int() refuses texts of more than 4,300 digits with a ValueError."""
    digits = text.lstrip("0") or "0"
    return int(digits) if len(digits) < 7 else _HUGE


# -- date arithmetic -----------------------------------------------------------------------


def _next_value(values: Sequence[int], current: int) -> int | None:
    """The smallest value >= current, or None."""
    index = bisect.bisect_left(values, current)
    return values[index] if index < len(values) else None


def _add(t: datetime, delta: timedelta) -> datetime:
    try:
        return t + delta
    except OverflowError:
        raise CronError("the next run would be after the year 9999") from None


def _month_after(t: datetime) -> datetime:
    if t.month == 12:
        return _year_start(t.year + 1, 1)
    return datetime(t.year, t.month + 1, 1)


def _year_start(year: int, month: int) -> datetime:
    if year > datetime.max.year:
        raise CronError("the next run would be after the year 9999")
    return datetime(year, month, 1)


def _exists(aware: datetime) -> bool:
    """False for a wall-clock time inside a DST gap (it does not survive a round trip)."""
    tz: tzinfo | None = aware.tzinfo
    round_trip = aware.astimezone(UTC).astimezone(tz)
    return round_trip.replace(tzinfo=None) == aware.replace(tzinfo=None)


# -- describing ----------------------------------------------------------------------------


def _time_phrase(minutes: tuple[int, ...], hours: tuple[int, ...]) -> str:
    hours_all = len(hours) == 24
    hour_step = _step_from_start(hours, 0, 23)
    if len(minutes) == 1:
        minute = minutes[0]
        if hours_all:
            return f"every hour, at minute {minute}"
        if hour_step is not None and hour_step[0] == 0:
            return f"every {hour_step[1]} hours, at minute {minute}"
        if len(hours) <= 6:
            return "at " + _join_words([f"{h:02d}:{minute:02d}" for h in hours])
        return f"at minute {minute} of hours " + _join_words(_value_words(hours, str))
    return _minute_phrase(minutes) + _hour_suffix(hours, hour_step)


def _minute_phrase(minutes: tuple[int, ...]) -> str:
    if len(minutes) == 60:
        return "every minute"
    step = _step_from_start(minutes, 0, 59)
    if step is not None:
        first, every = step
        return f"every {every} minutes" + (f" (starting at minute {first})" if first else "")
    return "at minutes " + _join_words(_value_words(minutes, str))


def _hour_suffix(hours: tuple[int, ...], step: tuple[int, int] | None) -> str:
    if len(hours) == 24:
        return ""
    runs = _runs(hours)
    if len(runs) == 1:
        first, last = runs[0]
        return f" from {first:02d}:00 to {last:02d}:59"
    if step is not None and step[0] == 0:
        return f" of every {_ordinal(step[1])} hour"
    return " during hours " + _join_words(_value_words(hours, str))


def _dom_phrase(days: tuple[int, ...]) -> str:
    step = _step_from_start(days, 1, 31)
    if step is not None and step[0] == 1:
        return f" on every {_ordinal(step[1])} day of the month"
    noun = "day" if len(days) == 1 else "days"
    return f" on {noun} {_join_words(_value_words(days, str))} of the month"


def _step_from_start(values: tuple[int, ...], low: int, high: int) -> tuple[int, int] | None:
    """``(first, step)`` if ``values`` is exactly ``first, first+step, …`` up to the field's end.

    Only steps > 1 whose first value is the earliest such progression can reach (first - low
    < step) count: that is what ``*/s`` and ``a/s`` produce.
    """
    if len(values) < 2:
        return None
    step = values[1] - values[0]
    if step < 2 or values[0] - low >= step:
        return None
    if values == tuple(range(values[0], high + 1, step)):
        return values[0], step
    return None


def _runs(values: tuple[int, ...]) -> list[tuple[int, int]]:
    """Consecutive runs: (1, 2, 3, 7) -> [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for value in values:
        if runs and runs[-1][1] == value - 1:
            runs[-1] = (runs[-1][0], value)
        else:
            runs.append((value, value))
    return runs


def _value_words(values: tuple[int, ...], name: Callable[[int], str]) -> list[str]:
    """Words for a value set, with runs of three or more written as "a to b"."""
    words: list[str] = []
    for first, last in _runs(values):
        if last - first >= 2:
            words.append(f"{name(first)} to {name(last)}")
        else:
            words.extend(name(v) for v in range(first, last + 1))
    return words


def _join_words(words: list[str], conjunction: str = "and") -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
