"""Row position ↔ change id for the current filter, without loading any row.

The list is ordered by local id, oldest first, so a change that arrives later always lands
at the end: positions already on screen never move, which is what lets a paused view stay
perfectly still while ingestion continues. The ids of every matching change are kept in a
compact `array('q')` (8 bytes each: 8 MB at 1,000,000), which makes a position lookup O(1)
and lets a window of rows be read by primary key in well under a millisecond.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable

from synctui.store.feedstore import ChangeFilter, FeedStore

BATCH = 20_000  # ids per query: the list of a batch is transient, the array is kept


class IndexCancelled(Exception):
    """The filter changed while the index was being built; the result is not wanted."""


class ChangeIndex:
    """The matching ids of one filter generation, ascending."""

    def __init__(self, ids: Iterable[int] = (), generation: int = 0) -> None:
        self.ids = array("q", ids)
        self.generation = generation
        # Every stored id up to here has been looked at for this filter, matching or not, so
        # the next refresh scans only beyond it (a filter matching nothing stays cheap).
        self.covered_to = self.last_id

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def last_id(self) -> int:
        return self.ids[-1] if self.ids else 0

    @property
    def after_id(self) -> int:
        """Where the next scan for this filter starts: nothing at or below it is missing."""
        return max(self.last_id, self.covered_to)

    def id_at(self, position: int) -> int | None:
        return self.ids[position] if 0 <= position < len(self.ids) else None

    def window(self, start: int, stop: int) -> list[int]:
        return self.ids[max(0, start) : max(0, stop)].tolist()

    def position_of(self, change_id: int) -> int:
        """The position of `change_id`, or of the first change after it if it is not here."""
        return bisect_left(self.ids, change_id)

    def extend(self, ids: Iterable[int]) -> int:
        """Append ids newer than the last one (older ones are ignored); returns how many."""
        last = self.last_id
        before = len(self.ids)
        self.ids.extend(i for i in ids if i > last)
        return len(self.ids) - before


def build_index(
    store: FeedStore,
    account: str,
    flt: ChangeFilter,
    *,
    generation: int = 0,
    after_id: int = 0,
    cancelled: Callable[[], bool] = lambda: False,
) -> ChangeIndex:
    """Scan the matching ids in batches, checking `cancelled` between them (thread workers
    cannot be interrupted, but a stale filter's scan can stop at the next batch)."""
    index = ChangeIndex(generation=generation)
    last = after_id
    while True:
        if cancelled():
            raise IndexCancelled()
        batch = store.ids(account, flt, after_id=last, limit=BATCH)
        if not batch:
            return index
        index.ids.extend(batch)
        last = batch[-1]
        if len(batch) < BATCH:
            return index


def newer_ids(store: FeedStore, account: str, flt: ChangeFilter, after_id: int) -> list[int]:
    """Every matching id after `after_id` (the tail a follow-mode refresh appends)."""
    out: list[int] = []
    last = after_id
    while True:
        batch = store.ids(account, flt, after_id=last, limit=BATCH)
        out.extend(batch)
        if len(batch) < BATCH:
            return out
        last = batch[-1]
