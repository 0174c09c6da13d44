"""The words of triage: reasons, remedies, attention items, and time helpers.

Plain data with no I/O and no policy, shared by the assessment, the scan, the remedies, the
`doctor` command and the TUI's attention view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from synctui.domain.models import Capability, Sync


class Reason(StrEnum):
    ERROR = "in error"
    FAILED_RUN = "latest run failed"
    PAUSED = "paused"
    DISABLED = "disabled"
    LEGACY = "legacy, needs migration"
    STUCK = "stuck"


# Order of the groups in the view and in `doctor`: the most urgent first.
REASON_ORDER = (
    Reason.ERROR,
    Reason.FAILED_RUN,
    Reason.STUCK,
    Reason.DISABLED,
    Reason.PAUSED,
    Reason.LEGACY,
)


STEP_CAPABILITY = {
    "resume": Capability.PAUSE_RESUME,
    "pause": Capability.PAUSE_RESUME,
    "trigger": Capability.TRIGGER,
    "migrate": Capability.MIGRATE,
}


@dataclass(frozen=True)
class Remedy:
    """The vendor's documented way back, as steps the service layer knows how to run."""

    label: str  # "Resume, then trigger a run"
    steps: tuple[str, ...]  # of "pause", "resume", "trigger", "migrate", in order
    note: str = ""
    optional: frozenset[str] = frozenset()  # steps a person may leave out ("trigger")

    @property
    def trigger_optional(self) -> bool:
        return "trigger" in self.optional and "trigger" in self.steps

    def steps_for(self, trigger: bool) -> tuple[str, ...]:
        """The steps actually run: an optional trigger is left out when not wanted."""
        if trigger or not self.trigger_optional:
            return self.steps
        return tuple(s for s in self.steps if s != "trigger")


@dataclass(frozen=True)
class Attention:
    sync: Sync
    reason: Reason
    why: str  # plain words, from the vendor's own data
    since: str | None  # ISO time the sync entered this state, as best we know
    remedy: Remedy | None

    @property
    def key(self) -> tuple[str, str]:
        return self.sync.key


def age_key(item: Attention) -> tuple[str, str, str]:
    # Oldest first: the longest-standing trouble leads its group; ties by account and name.
    return (item.since or "9999", item.sync.account, item.sync.name.casefold())


def parse_time(ts: str | None) -> datetime | None:
    if not ts:
        return None
    try:
        value = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def human_duration(delta: timedelta) -> str:
    """'45 s', '12 min', '3.5 h', '6 d': short and stable enough for a table cell."""
    seconds = max(0.0, delta.total_seconds())
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        hours = seconds / 3600
        return f"{hours:.0f} h" if hours >= 10 else f"{hours:.1f} h".replace(".0 h", " h")
    return f"{seconds / 86400:.0f} d"
