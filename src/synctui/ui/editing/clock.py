"""The current time for the schedule preview — one place, so tests and screenshots pin it.

Next run times are computed from the current time; a screenshot taken tomorrow must still
match, so snapshot tests replace `now` with a fixed instant.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time in UTC (vendors run schedules in UTC)."""
    return datetime.now(UTC)
