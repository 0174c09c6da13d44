"""One change as the list shows it, and how the columns share the terminal width.

Rows are formatted once when their window is read from the store (time label, project name,
state), so painting a line is string slicing only — `render_line` runs for every visible
line on every frame that touches the list.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size

from synctui.store.feedstore import StoredChange
from synctui.ui.feed.clock import FeedClock

PARTIAL_MARK = "◐"
RESOLVED_MARK = "✓"


@dataclass(frozen=True, slots=True)
class ChangeRow:
    id: int
    time: str
    feed: str
    operation: str
    entity_type: str
    entity_id: str
    subject: str
    project: str
    partial: bool
    resolved: bool

    @property
    def state(self) -> str:
        """Partial until the completing update arrives; then resolved. Empty otherwise."""
        if self.resolved:
            return "resolved"
        return "partial" if self.partial else ""


def to_row(change: StoredChange, clock: FeedClock, project_names: dict[str, str]) -> ChangeRow:
    project = ""
    if change.project_id:
        project = project_names.get(change.project_id, change.project_id[:8])
    return ChangeRow(
        id=change.id,
        time=clock.time_label(change.received_at),
        feed=change.feed,
        operation=change.operation,
        entity_type=change.entity_type,
        entity_id=change.entity_id,
        subject=change.subject or change.entity_id,
        project=project,
        partial=change.partial,
        resolved=change.resolved,
    )


def fit(text: str, width: int) -> str:
    """Exactly `width` cells: padded, or clipped with an ellipsis."""
    if width <= 0:
        return ""
    if text.isascii():
        return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    return set_cell_size(text, width - 1) + "…"


@dataclass(frozen=True)
class Columns:
    """Cell widths of each column for one terminal width (0 = column hidden)."""

    time: int
    feed: int
    operation: int
    entity_type: int
    subject: int
    project: int
    state: int

    @property
    def state_words(self) -> bool:
        """Wide enough to say 'partial' / 'resolved' next to the symbol."""
        return self.state >= 10


GAP = 1
GUTTER = 1


def columns_for(width: int) -> Columns:
    """Fixed columns first, then the subject takes what is left (and the project a share).

    Below ~100 cells the entity type goes (the feed already implies it) and the state keeps
    only its symbol, so an 80-column terminal still shows a readable subject.
    """
    wide = width >= 100
    time, feed, operation = 8, 7, 7
    entity_type = 14 if wide else 0
    state = 10 if wide else 1
    fixed = [time, feed, operation, entity_type, state]
    gaps = GAP * (sum(1 for w in fixed if w) + 1)  # +1: between subject and project
    flexible = max(10, width - GUTTER - sum(fixed) - gaps)
    project = min(24, max(8, flexible // 3))
    subject = max(4, flexible - project)
    return Columns(time, feed, operation, entity_type, subject, project, state)
