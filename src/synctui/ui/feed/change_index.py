"""Row position ↔ change id for the current filter, holding a few bytes per thousand changes.

The list is ordered by local id, oldest first, so a change that arrives later always lands
at the end: positions already on screen never move, which is what lets a paused view stay
perfectly still while ingestion continues.

The matching ids are not kept. They are cut into blocks of at most `BLOCK` consecutive
matches spanning at most `SPAN` local ids, and only each block's first id, last id and first
position are kept (24 bytes a block: 24 KB at 1,000,000 matches, where the ids themselves
would be 8 MB). A block's ids are read back from the store when a position in it is wanted
— one range read of at most `SPAN` rows, a millisecond or two at any store size — and the
last `CACHED_BLOCKS` of them are kept. The newest block, still growing, stays in memory.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import overload

from synctui.store.feedstore import ChangeFilter, FeedStore

BATCH = 20_000  # ids per query while scanning: transient, never kept
BLOCK = 1024  # matches per block at most
SPAN = 8192  # local ids a block covers at most, so reading one back is always short
CACHED_BLOCKS = 16

# (first id, last id) → the matching ids in that range, ascending.
BlockReader = Callable[[int, int], list[int]]


class IndexCancelled(Exception):
    """The filter changed while the index was being built; the result is not wanted."""


def store_reader(store: FeedStore, account: str, flt: ChangeFilter) -> BlockReader:
    """Reads a block's ids back from the store (on whichever thread asks)."""

    def read(first: int, last: int) -> list[int]:
        return store.ids(account, flt, after_id=first - 1, upto=last, limit=BLOCK)

    return read


class ChangeIndex:
    """The matching ids of one filter generation, ascending.

    Without a `reader` (ids given in memory, as tests do) every block stays cached."""

    def __init__(
        self,
        ids: Iterable[int] = (),
        generation: int = 0,
        *,
        reader: BlockReader | None = None,
    ) -> None:
        self.generation = generation
        self.reader = reader
        self._first = array("q")  # per sealed block: its first id,
        self._last = array("q")  # its last id,
        self._start = array("q")  # and the position of its first id
        self._sealed = 0  # positions in sealed blocks
        self._open = array("q")  # the newest block's ids, still growing
        self._blocks: OrderedDict[int, array[int]] = OrderedDict()  # block number → its ids
        self.extend(ids)
        # Every stored id up to here has been looked at for this filter, matching or not, so
        # the next refresh scans only beyond it (a filter matching nothing stays cheap).
        self.covered_to = self.last_id

    def __len__(self) -> int:
        return self._sealed + len(self._open)

    @property
    def last_id(self) -> int:
        if self._open:
            return self._open[-1]
        return self._last[-1] if self._last else 0

    @property
    def after_id(self) -> int:
        """Where the next scan for this filter starts: nothing at or below it is missing."""
        return max(self.last_id, self.covered_to)

    @property
    def blocks(self) -> int:
        """Sealed blocks (what the index costs: 24 bytes each, plus the cached ones)."""
        return len(self._first)

    @property
    def ids(self) -> IdsView:
        """Every id, as a read-only sequence (reading blocks back as it goes)."""
        return IdsView(self)

    def copy(self, generation: int | None = None) -> ChangeIndex:
        """The same positions and ids, sharing nothing mutable (no cached blocks)."""
        out = ChangeIndex(
            generation=self.generation if generation is None else generation, reader=self.reader
        )
        out._first, out._last, out._start = self._first[:], self._last[:], self._start[:]
        out._sealed, out._open, out.covered_to = self._sealed, self._open[:], self.covered_to
        if self.reader is None:
            out._blocks = OrderedDict(self._blocks)  # nothing to read them back from
        return out

    def id_at(self, position: int) -> int | None:
        if position < 0 or position >= len(self):
            return None
        if position >= self._sealed:
            return self._open[position - self._sealed]
        block = bisect_right(self._start, position) - 1
        ids = self._block(block)
        offset = position - self._start[block]
        return ids[offset] if offset < len(ids) else None  # short: the store lost rows

    def window(self, start: int, stop: int) -> list[int]:
        """The ids at positions [start, stop), clipped to the index."""
        start, stop = max(0, start), min(len(self), max(0, stop))
        out: list[int] = []
        position = start
        while position < stop and position < self._sealed:
            block = bisect_right(self._start, position) - 1
            begin = self._start[block]
            end = self._block_end(block)
            ids = self._block(block)
            out.extend(ids[position - begin : min(stop, end) - begin])
            position = end
        if position < stop:
            out.extend(self._open[position - self._sealed : stop - self._sealed])
        return out

    def position_of(self, change_id: int) -> int:
        """The position of `change_id`, or of the first change after it if it is not here."""
        if self._open and (not self._first or change_id > self._last[-1]):
            return self._sealed + bisect_left(self._open, change_id)
        block = bisect_right(self._first, change_id) - 1
        if block < 0:
            return 0
        if change_id > self._last[block]:
            return self._block_end(block)
        return self._start[block] + bisect_left(self._block(block), change_id)

    def extend(self, ids: Iterable[int]) -> int:
        """Append ids newer than the last one (older ones are ignored); returns how many."""
        last = self.last_id
        fresh: list[int] = []
        for i in ids:
            if i > last:
                fresh.append(i)
                last = i
        return self.extend_sorted(fresh)

    def extend_sorted(self, ids: Sequence[int]) -> int:
        """`extend` for ids known to be ascending (a store scan): whole slices at a time."""
        fresh = ids[bisect_right(ids, self.last_id) :]
        taken = 0
        while taken < len(fresh):
            if not self._open:
                self._open.append(fresh[taken])
                taken += 1
                continue
            room = BLOCK - len(self._open)
            reach = bisect_right(fresh, self._open[0] + SPAN - 1, taken)
            end = min(reach, taken + room)
            if end > taken:
                self._open.extend(fresh[taken:end])
                taken = end
            if taken < len(fresh):
                self._seal()
        return len(fresh)

    # --- blocks ---------------------------------------------------------------------------
    def _seal(self) -> None:
        """Close the newest block: keep its bounds, and its ids only as a cached block."""
        ids, block = self._open, len(self._first)
        self._first.append(ids[0])
        self._last.append(ids[-1])
        self._start.append(self._sealed)
        self._sealed += len(ids)
        self._open = array("q")
        self._remember(block, ids)

    def _block_end(self, block: int) -> int:
        return self._start[block + 1] if block + 1 < len(self._start) else self._sealed

    def _block(self, block: int) -> array[int]:
        ids = self._blocks.get(block)
        if ids is not None:
            self._blocks.move_to_end(block)
            return ids
        if self.reader is None:
            return array("q")
        ids = array("q", self.reader(self._first[block], self._last[block]))
        self._remember(block, ids)
        return ids

    def _remember(self, block: int, ids: array[int]) -> None:
        self._blocks[block] = ids
        self._blocks.move_to_end(block)
        while self.reader is not None and len(self._blocks) > CACHED_BLOCKS:
            self._blocks.popitem(last=False)


class IdsView(Sequence[int]):
    """A `ChangeIndex`'s ids as a sequence: positions, slices, iteration (block by block)."""

    def __init__(self, index: ChangeIndex) -> None:
        self._index = index

    def __len__(self) -> int:
        return len(self._index)

    @overload
    def __getitem__(self, item: int) -> int: ...
    @overload
    def __getitem__(self, item: slice) -> list[int]: ...
    def __getitem__(self, item: int | slice) -> int | list[int]:
        if isinstance(item, slice):
            start, stop, step = item.indices(len(self))
            if step != 1:
                return self._index.window(0, len(self))[item]
            return self._index.window(start, stop)
        position = item + len(self) if item < 0 else item
        found = self._index.id_at(position)
        if found is None:
            raise IndexError(item)
        return found

    def __iter__(self) -> Iterator[int]:
        for start in range(0, len(self), BLOCK):
            yield from self._index.window(start, start + BLOCK)


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
    index = ChangeIndex(generation=generation, reader=store_reader(store, account, flt))
    last = after_id
    while True:
        if cancelled():
            raise IndexCancelled()
        batch = store.ids(account, flt, after_id=last, limit=BATCH)
        if not batch:
            return index
        index.extend_sorted(batch)
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


__all__ = [
    "BLOCK",
    "SPAN",
    "BlockReader",
    "ChangeIndex",
    "IdsView",
    "IndexCancelled",
    "build_index",
    "newer_ids",
    "store_reader",
]
