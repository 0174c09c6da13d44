"""One pass of a table's filter over its rows, which may stop early and resume later.

Why: at 100,000 rows, testing every row before the next repaint costs more than a frame.
A pass that stops once the screen is full shows the first matching rows at once; the rest of
the pass (and so the count) follows in small steps between keystrokes and frames. Stopping
and resuming never changes the result: the rows kept are the rows a whole pass keeps, in
the same order.

A pass reads `parts`: lists of rows in view order, each from a start index. A filter that
narrows the previous one (one more letter) reads what that pass kept so far, then what it had
not read yet — never every row again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any, Protocol, overload


class Row(Protocol):
    """All a pass reads of a table's row (`table_model.Row`): its key. A protocol, so this
    module needs nothing of the table model that uses it."""

    @property
    def key(self) -> Hashable: ...


# Rows kept by the filter among a list of rows (in order); None keeps every row.
Keep = Callable[[list["Row"]], list["Row"]] | None
Parts = list[tuple[list["Row"], int]]

FIRST_STEP = 256  # rows read before looking whether enough are kept; doubles each step


class Scan:
    """A filter pass: what it kept so far (`kept`, in view order) and what is left to read."""

    def __init__(self, keep: Keep, parts: Parts) -> None:
        self.keep = keep
        self.parts: Parts = [(rows, start) for rows, start in parts if start < len(rows)]
        self.kept: list[Row] = []
        if keep is None and len(self.parts) == 1 and self.parts[0][1] == 0:
            # Nothing to test and one whole list: that list is the result (no copy).
            self.kept = self.parts.pop()[0]

    @property
    def done(self) -> bool:
        return not self.parts

    def rest(self) -> Parts:
        """What a narrower filter reads: the rows kept so far, then the rows not yet read."""
        return [(self.kept, 0), *self.parts]

    def advance(self, enough: int | None = None, reads: int | None = None) -> list[Row]:
        """Read on until `enough` rows are kept, `reads` rows were read, or the end (both
        None): returns the rows newly kept (also appended to `kept`)."""
        new: list[Row] = []
        step = FIRST_STEP
        parts = self.parts
        while parts:
            if enough is not None and len(self.kept) + len(new) >= enough:
                break
            if reads is not None and reads <= 0:
                break
            rows, start = parts[0]
            stop = len(rows)
            if enough is not None:
                stop = min(stop, start + step)
                step *= 2
            if reads is not None:
                stop = min(stop, start + reads)
                reads -= stop - start
            chunk = rows if start == 0 and stop == len(rows) else rows[start:stop]
            new += chunk if self.keep is None else self.keep(chunk)
            if stop >= len(rows):
                parts.pop(0)
            else:
                parts[0] = (rows, stop)
        if new:
            self.kept += new
        return new


class Keys(Sequence[Hashable]):
    """The keys of a list of rows, read through: a view of 100,000 rows costs no list of
    100,000 keys per keystroke. Compares equal to a list of the same keys."""

    __slots__ = ("_rows",)

    def __init__(self, rows: list[Row]) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> Hashable: ...
    @overload
    def __getitem__(self, index: slice) -> list[Hashable]: ...
    def __getitem__(self, index: int | slice) -> Hashable | list[Hashable]:
        if isinstance(index, slice):
            return [row.key for row in self._rows[index]]
        return self._rows[index].key

    def __iter__(self) -> Iterator[Hashable]:
        return (row.key for row in self._rows)

    def index(self, key: Any, start: int = 0, stop: int | None = None) -> int:
        rows = self._rows
        for i in range(start, len(rows) if stop is None else min(stop, len(rows))):
            if rows[i].key == key:
                return i
        raise ValueError(f"{key!r} is not shown")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Keys):
            other = list(other)
        return isinstance(other, list) and list(self) == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Keys({list(self)!r})"
