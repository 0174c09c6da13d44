"""Results the feed screen's thread workers post back; handlers on the screen own state."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from textual.message import Message

from synctui.store.feedstore import ChangeFilter
from synctui.ui.feed.change_index import ChangeIndex
from synctui.ui.feed.detail_model import ChangeDetail


@dataclass
class IndexBuilt(Message):
    """The ids matching a new filter, ready to replace the list's index."""

    index: ChangeIndex
    flt: ChangeFilter


@dataclass
class StoreGrew(Message):
    """What a poll of the store found after the last seen id."""

    generation: int  # the filter generation the new ids belong to
    baseline: bool  # the first poll: totals, not a burst for the rate
    top_id: int
    per_feed: dict[str, int]
    new_ids: list[int] | None  # None: not asked for (paused, or index still building)


@dataclass
class ProjectsLoaded(Message):
    names: dict[str, str]


@dataclass
class DetailLoaded(Message):
    change_id: int
    detail: ChangeDetail | None


@dataclass
class ExportProgress(Message):
    done: int
    total: int


@dataclass
class ExportFinished(Message):
    path: Path
    written: int
    error: str | None = None


@dataclass
class WorkerProblem(Message):
    """A background read failed; shown as a notification, never a crash."""

    what: str
    error: str = field(default="")
