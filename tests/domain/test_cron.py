"""Cron: parsing errors with positions, hand-checked next run times, words, and properties
checked against an independent brute-force oracle."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synctui.domain.cron import CronError, describe_cron, parse_cron

# Saturday 9 May 2026, noon.
SAT_NOON = datetime(2026, 5, 9, 12, 0)
NEW_YORK = ZoneInfo("America/New_York")


def dt(*args: int) -> datetime:
    return datetime(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("expr", "after", "expected"),
    [
        ("0 */6 * * *", SAT_NOON, [dt(2026, 5, 9, 18), dt(2026, 5, 10, 0), dt(2026, 5, 10, 6)]),
        (
            "30 9 * * 1-5",  # Saturday -> Monday
            SAT_NOON,
            [dt(2026, 5, 11, 9, 30), dt(2026, 5, 12, 9, 30), dt(2026, 5, 13, 9, 30)],
        ),
        (
            "*/15 * * * *",
            SAT_NOON,
            [dt(2026, 5, 9, 12, 15), dt(2026, 5, 9, 12, 30), dt(2026, 5, 9, 12, 45)],
        ),
        (
            "*/15 * * * *",  # seconds past a firing minute still mean "after"
            dt(2026, 5, 9, 12, 14, 59),
            [dt(2026, 5, 9, 12, 15), dt(2026, 5, 9, 12, 30), dt(2026, 5, 9, 12, 45)],
        ),
        ("0 0 1 * *", SAT_NOON, [dt(2026, 6, 1), dt(2026, 7, 1), dt(2026, 8, 1)]),
        ("0 0 31 * *", SAT_NOON, [dt(2026, 5, 31), dt(2026, 7, 31), dt(2026, 8, 31)]),
        ("0 0 29 2 *", SAT_NOON, [dt(2028, 2, 29), dt(2032, 2, 29), dt(2036, 2, 29)]),
        ("0 0 29 2 *", dt(2096, 3, 1), [dt(2104, 2, 29), dt(2108, 2, 29), dt(2112, 2, 29)]),
        # Both day fields restricted: the 13th (a Wednesday) OR any Friday.
        ("0 0 13 * FRI", SAT_NOON, [dt(2026, 5, 13), dt(2026, 5, 15), dt(2026, 5, 22)]),
        # "*/2" starts with "*": odd-numbered days AND Mondays (11th, 25th, 1 June).
        ("0 0 */2 * MON", SAT_NOON, [dt(2026, 5, 11), dt(2026, 5, 25), dt(2026, 6, 1)]),
        ("0 12 * * 7", SAT_NOON, [dt(2026, 5, 10, 12), dt(2026, 5, 17, 12), dt(2026, 5, 24, 12)]),
        ("0 12 * * sun", SAT_NOON, [dt(2026, 5, 10, 12), dt(2026, 5, 17, 12), dt(2026, 5, 24, 12)]),
        (
            "59 23 31 12 *",
            SAT_NOON,
            [dt(2026, 12, 31, 23, 59), dt(2027, 12, 31, 23, 59), dt(2028, 12, 31, 23, 59)],
        ),
        ("0 0 1 1 *", dt(2026, 12, 31, 23, 59), [dt(2027, 1, 1), dt(2028, 1, 1), dt(2029, 1, 1)]),
        (
            "5-10/2 8 * mar *",
            SAT_NOON,
            [dt(2027, 3, 1, 8, 5), dt(2027, 3, 1, 8, 7), dt(2027, 3, 1, 8, 9)],
        ),
        (
            "50/5 23 28-31 2 *",  # "a/s" runs to the end of the field; leap-year rollover
            dt(2028, 2, 28, 23, 55),
            [dt(2028, 2, 29, 23, 50), dt(2028, 2, 29, 23, 55), dt(2029, 2, 28, 23, 50)],
        ),
    ],
)
def test_next_times(expr: str, after: datetime, expected: list[datetime]) -> None:
    assert parse_cron(expr).next_times(after, count=len(expected)) == expected


def test_count_is_honoured() -> None:
    schedule = parse_cron("0 * * * *")
    assert len(schedule.next_times(SAT_NOON, count=10)) == 10
    assert schedule.next_times(SAT_NOON, count=0) == []


def test_fixed_offset_timezone_is_kept() -> None:
    plus_two = timezone(timedelta(hours=2))
    times = parse_cron("0 9 * * *").next_times(datetime(2026, 5, 9, 10, tzinfo=plus_two))
    assert times[0] == datetime(2026, 5, 10, 9, tzinfo=plus_two)
    assert all(t.tzinfo is plus_two for t in times)


def test_spring_forward_skips_a_time_that_does_not_exist() -> None:
    # 8 March 2026: New York clocks jump from 02:00 to 03:00.
    times = parse_cron("30 2 * * *").next_times(datetime(2026, 3, 7, 12, tzinfo=NEW_YORK), 2)
    assert times == [
        datetime(2026, 3, 9, 2, 30, tzinfo=NEW_YORK),
        datetime(2026, 3, 10, 2, 30, tzinfo=NEW_YORK),
    ]


def test_fall_back_fires_once_in_the_repeated_hour() -> None:
    # 1 November 2026: New York clocks go back from 02:00 EDT to 01:00 EST.
    times = parse_cron("30 1 * * *").next_times(datetime(2026, 10, 31, 12, tzinfo=NEW_YORK), 2)
    assert [t.utcoffset() for t in times] == [timedelta(hours=-4), timedelta(hours=-5)]
    assert [t.day for t in times] == [1, 2]


def test_after_in_the_second_pass_of_a_repeated_hour() -> None:
    after = datetime(2026, 11, 1, 1, 10, fold=1, tzinfo=NEW_YORK)  # 01:10 EST
    times = parse_cron("*/15 * * * *").next_times(after)
    assert [t.astimezone(UTC) for t in times] == [
        datetime(2026, 11, 1, 7, 0, tzinfo=UTC),
        datetime(2026, 11, 1, 7, 15, tzinfo=UTC),
        datetime(2026, 11, 1, 7, 30, tzinfo=UTC),
    ]


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ("0 0 30 2 *", "day 30 of the month never occurs in February"),
        ("0 0 31 4,jun *", "day 31 of the month never occurs in April or June"),
        ("0 0 30,31 2 */2", "days 30 and 31 of the month never occur in February"),
    ],
)
def test_impossible_schedules_never_fire(expr: str, reason: str) -> None:
    schedule = parse_cron(expr)
    assert schedule.why_never_fires() == reason
    with pytest.raises(CronError, match="never fires") as caught:
        schedule.next_times(SAT_NOON)
    assert (caught.value.field_index, caught.value.position) == (2, 4)


def test_restricted_weekday_rescues_an_impossible_date() -> None:
    # Neither day field starts with "*", so any Monday in February matches.
    assert parse_cron("0 0 30 2 MON").why_never_fires() is None
    assert parse_cron("0 0 30 2 MON").next_times(SAT_NOON, 1) == [dt(2027, 2, 1)]


@pytest.mark.parametrize(
    ("expr", "message", "field_index", "position"),
    [
        ("0 24 * * *", "hour: 24 is out of range 0–23", 1, 2),
        ("60 * * * *", "minute: 60 is out of range 0–59", 0, 0),
        ("* * 0 * *", "day-of-month: 0 is out of range 1–31", 2, 4),
        ("* * * 13 *", "month: 13 is out of range 1–12", 3, 6),
        ("* * * * 8", "day-of-week: 8 is out of range 0–7", 4, 8),
        ("1,2,99 * * * *", "minute: 99 is out of range 0–59", 0, 4),
        ("  0   9-25 * * *", "hour: 25 is out of range 0–23", 1, 8),
        ("5-1 * * * *", "minute: range 5-1 runs backwards", 0, 0),
        ("*/0 * * * *", "minute: step must be at least 1", 0, 2),
        ("*/x * * * *", "minute: step x is not a number", 0, 2),
        ("1/ * * * *", "minute: step (missing) is not a number", 0, 2),
        ("a * * * *", "minute: a is not a number", 0, 0),
        ("* * * FOO *", "month: FOO is not a number or a name (JAN–DEC)", 3, 6),
        ("* * * * MON-FUN", "day-of-week: FUN is not a number or a name (SUN–SAT)", 4, 12),
        ("* * MON * *", "day-of-month: MON is not a number", 2, 4),
        ("1,,2 * * * *", "minute: empty item in list", 0, 2),
        ("5- * * * *", "minute: a value is missing", 0, 2),
        (
            "* * * *",
            "expected 5 fields (minute hour day-of-month month day-of-week), got 4",
            None,
            7,
        ),
        (
            "* * * * * 2026",
            "expected 5 fields (minute hour day-of-month month day-of-week), got 6",
            None,
            10,
        ),
        ("", "the cron expression is empty", None, 0),
        ("@daily", "shortcuts like @daily are not supported; write the five fields out", None, 0),
    ],
)
def test_parse_errors(expr: str, message: str, field_index: int | None, position: int) -> None:
    with pytest.raises(CronError) as caught:
        parse_cron(expr)
    assert str(caught.value) == message
    assert (caught.value.field_index, caught.value.position) == (field_index, position)


def test_non_string_is_an_error_not_a_crash() -> None:
    with pytest.raises(CronError, match="must be a string"):
        parse_cron(None)  # type: ignore[arg-type]


def test_parse_normalises_names_and_sunday() -> None:
    schedule = parse_cron("0 9 * jan,Mar-may 5-7")
    assert schedule.months == (1, 3, 4, 5)
    assert schedule.weekdays == (0, 5, 6)
    assert parse_cron("0 0 * * 0").weekdays == parse_cron("0 0 * * 7").weekdays == (0,)


@pytest.mark.parametrize(
    ("expr", "moment", "expected"),
    [
        ("30 9 * * 1-5", dt(2026, 5, 11, 9, 30), True),  # Monday
        ("30 9 * * 1-5", dt(2026, 5, 11, 9, 30, 45), True),  # seconds do not matter
        ("30 9 * * 1-5", dt(2026, 5, 9, 9, 30), False),  # Saturday
        ("30 9 * * 1-5", dt(2026, 5, 11, 9, 31), False),
        ("0 0 13 * FRI", dt(2026, 5, 13), True),  # the 13th, a Wednesday
        ("0 0 13 * FRI", dt(2026, 5, 15), True),  # a Friday, not the 13th
        ("0 0 13 * FRI", dt(2026, 5, 14), False),
        ("0 0 */2 * MON", dt(2026, 5, 11), True),  # odd-numbered Monday
        ("0 0 */2 * MON", dt(2026, 5, 18), False),  # even-numbered Monday
        ("0 0 */2 * MON", dt(2026, 5, 13), False),  # odd day, not a Monday
        ("0 0 * 2 *", dt(2026, 3, 1), False),
    ],
)
def test_matches(expr: str, moment: datetime, expected: bool) -> None:
    assert parse_cron(expr).matches(moment) is expected


@pytest.mark.parametrize(
    ("expr", "words"),
    [
        ("0 */6 * * *", "every 6 hours, at minute 0"),
        ("30 9 * * 1-5", "at 09:30 on Monday to Friday"),
        ("*/15 * * * *", "every 15 minutes"),
        ("0 0 1 * *", "at 00:00 on day 1 of the month"),
        ("* * * * *", "every minute"),
        ("15 * * * *", "every hour, at minute 15"),
        ("0 9,17 * * *", "at 09:00 and 17:00"),
        ("*/10 9-17 * * *", "every 10 minutes from 09:00 to 17:59"),
        ("5/20 * * * *", "every 20 minutes (starting at minute 5)"),
        ("0,30 */2 * * *", "every 30 minutes of every 2nd hour"),
        ("0,20,45 8,12 * * *", "at minutes 0, 20 and 45 during hours 8 and 12"),
        ("0 0 1,15 * *", "at 00:00 on days 1 and 15 of the month"),
        ("0 0 */2 * *", "at 00:00 on every 2nd day of the month"),
        (
            "0 8 * jan-mar,dec mon,wed,fri",
            "at 08:00 on Monday, Wednesday and Friday in January to March and December",
        ),
        ("0 0 13 * 5", "at 00:00 on day 13 of the month or on Friday"),
        ("0 0 */2 * MON", "at 00:00 on every 2nd day of the month, only if it is a Monday"),
        ("0 0 30 2 *", "at 00:00 on day 30 of the month in February (never fires)"),
    ],
)
def test_describe(expr: str, words: str) -> None:
    assert describe_cron(expr) == words


def test_describe_propagates_parse_errors() -> None:
    with pytest.raises(CronError, match="hour: 24"):
        describe_cron("0 24 * * *")


# -- properties, checked against an independent oracle -------------------------------------

MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
# (low, high, names) per field; names[i] stands for the value low + i.
FIELDS = [(0, 59, []), (0, 23, []), (1, 31, []), (1, 12, MONTHS), (0, 7, DAYS)]


@st.composite
def cron_field(draw: st.DrawFn, index: int) -> tuple[str, set[int]]:
    """A field's text together with the values it must select, built without the parser."""
    low, high, names = FIELDS[index]

    def show(value: int) -> str:
        if names and value - low < len(names) and draw(st.booleans()):
            name = names[value - low]
            return draw(st.sampled_from([name, name.lower(), name.title()]))
        return str(value)

    items: list[str] = []
    values: set[int] = set()
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["*", "*/s", "n", "a-b", "a-b/s", "a/s"]))
        step = draw(st.integers(1, high - low + 2))
        a = draw(st.integers(low, high))
        b = draw(st.integers(a, high))
        if kind == "*":
            items.append("*")
            values |= set(range(low, high + 1))
        elif kind == "*/s":
            items.append(f"*/{step}")
            values |= set(range(low, high + 1, step))
        elif kind == "n":
            items.append(show(a))
            values.add(a)
        elif kind == "a-b":
            items.append(f"{show(a)}-{show(b)}")
            values |= set(range(a, b + 1))
        elif kind == "a-b/s":
            items.append(f"{show(a)}-{show(b)}/{step}")
            values |= set(range(a, b + 1, step))
        else:
            items.append(f"{a}/{step}")
            values |= set(range(a, high + 1, step))
    if index == 4:
        values = {v % 7 for v in values}
    return ",".join(items), values


@st.composite
def cron_case(draw: st.DrawFn) -> tuple[str, list[set[int]], bool]:
    fields = [draw(cron_field(i)) for i in range(5)]
    texts = [text for text, _ in fields]
    either_day = not (texts[2].startswith("*") or texts[4].startswith("*"))
    return " ".join(texts), [values for _, values in fields], either_day


def oracle_day(sets: list[set[int]], either_day: bool, day: date) -> bool:
    dom = day.day in sets[2]
    dow = day.isoweekday() % 7 in sets[4]
    return day.month in sets[3] and ((dom or dow) if either_day else (dom and dow))


def oracle_next(sets: list[set[int]], either_day: bool, after: datetime, until: date) -> datetime:
    """Walk day by day (dates up to ``until``) for the first matching minute after ``after``."""
    day = after.date()
    while day <= until:
        if oracle_day(sets, either_day, day):
            for hour in sorted(sets[1]):
                for minute in sorted(sets[0]):
                    moment = datetime(day.year, day.month, day.day, hour, minute)
                    if moment > after:
                        return moment
        day += timedelta(days=1)
    raise AssertionError(f"oracle found nothing up to {until}")


def can_fire(sets: list[set[int]], either_day: bool) -> bool:
    longest = {m: 29 if m == 2 else calendar.monthrange(2001, m)[1] for m in range(1, 13)}
    return either_day or any(d <= longest[m] for m in sets[3] for d in sets[2])


AFTER = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 12, 31))


@settings(max_examples=150, deadline=None)
@given(case=cron_case(), after=AFTER)
def test_random_schedules_agree_with_the_oracle(
    case: tuple[str, list[set[int]], bool], after: datetime
) -> None:
    expr, sets, either_day = case
    schedule = parse_cron(expr)
    assert [set(schedule.minutes), set(schedule.hours), set(schedule.days)] == sets[:3]
    assert [set(schedule.months), set(schedule.weekdays)] == sets[3:]
    describe_cron(expr)  # must not raise
    if not can_fire(sets, either_day):
        assert schedule.why_never_fires() is not None
        with pytest.raises(CronError, match="never fires"):
            schedule.next_times(after)
        return

    times = schedule.next_times(after, count=3)

    assert len(times) == 3
    assert all(a < b for a, b in pairwise(times))
    assert all(schedule.matches(t) and t.second == t.microsecond == 0 for t in times)
    previous = after
    for t in times:
        assert oracle_next(sets, either_day, previous, t.date()) == t
        previous = t


@settings(max_examples=50, deadline=None)
@given(
    case=cron_case(),
    after=AFTER,
    zone=st.sampled_from(["America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC"]),
)
def test_aware_times_stay_in_zone_and_increase(
    case: tuple[str, list[set[int]], bool], after: datetime, zone: str
) -> None:
    expr, sets, either_day = case
    if not can_fire(sets, either_day):
        return
    tz = ZoneInfo(zone)
    start = after.replace(tzinfo=tz)
    times = parse_cron(expr).next_times(start, count=3)
    instants = [start.astimezone(UTC)] + [t.astimezone(UTC) for t in times]
    assert all(a < b for a, b in pairwise(instants))
    assert all(t.tzinfo is tz and parse_cron(expr).matches(t) for t in times)
