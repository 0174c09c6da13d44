"""What an adapter can do, apart from the models: light enough for the CLI's parser, which
offers a vendor's commands from its declared capabilities without loading pydantic."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Capability"]


class Capability(StrEnum):
    """What an adapter can do; the UI and CLI offer only what the adapter declares."""

    LIST = "list"
    GET = "get"
    EDIT = "edit"
    PAUSE_RESUME = "pause/resume"
    TRIGGER = "trigger"
    RUNS = "runs"
    MIGRATE = "migrate"
    DELETE = "delete"
    CREATE = "create"
    CHANGE_FEED = "change feed"
