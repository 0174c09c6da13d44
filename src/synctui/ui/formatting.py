"""Short, stable text for timestamps, durations and cells.

Tables show absolute timestamps from the vendor (trimmed to the minute) rather than "3 min
ago": relative times drift on every repaint, which both wastes bandwidth over SSH and makes
screenshots differ between two runs of the same data.
"""

from __future__ import annotations

import re
from typing import Any

_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")


def short_time(value: str | None) -> str:
    """'2025-03-01T10:22:33.123Z' → '2025-03-01 10:22'; anything else is returned as is."""
    if not value:
        return "-"
    match = _ISO.match(value.strip())
    if not match:
        return one_line(value)
    return f"{match.group(1)} {match.group(2)}"


def one_line(value: Any, limit: int = 200) -> str:
    """A single display line: newlines and tabs folded, very long values clipped."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text or "-"


def duration_ms(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 1000:
        return f"{value:.0f} ms"
    return f"{value / 1000:.1f} s"
