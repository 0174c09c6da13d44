"""A sync's normalized status and a run's state: plain enums, apart from the models.

The table colours and sorts rows by status on the first frame, before any sync is read;
the models (`domain.models`) need pydantic, which that frame can do without.
"""

from __future__ import annotations

from enum import StrEnum


class SyncStatus(StrEnum):
    """The normalized status, coloured the same way for every vendor."""

    ACTIVE = "active"
    PAUSED = "paused"
    ERROR = "error"
    DRAFT = "draft"
    INITIALIZING = "initializing"
    IDLE = "idle"
    LEGACY = "legacy"
    UNKNOWN = "unknown"


class RunState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"

    @property
    def finished(self) -> bool:
        return self in (RunState.SUCCESS, RunState.FAILED, RunState.CANCELLED)
