"""Rows, sorting, filtering and column widths for the virtual tables — no Textual here.

Everything is plain lists and dicts so the hot paths (sorting and filtering 100,000 rows,
applying a page of 100 changed rows) stay cheap and testable without a terminal. The widget
owns a `TableModel` and only asks it for the rows it is about to paint.

Nothing is done for every row before the first paint that can wait: a `LazyRow` makes its
cells the first time they are read (the rows on screen, a sort by a column, a filter), the
column widths take in rows as they are measured (`measure`, a few thousand at a time between
frames), and a filter pass may stop once the screen is full (`rebuild(enough=...)`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, ClassVar, Literal

from rich.cells import cell_len

from synctui.domain.errors import UsageError
from synctui.domain.filtering import (
    FieldSet,
    Filter,
    compile_for,
    haystack,
    loose_name,
    narrows,
)
from synctui.ui.table_scan import Keep, Keys, Parts, Scan

Key = Hashable

RECENT_VIEWS = 8  # filter results kept for backspacing (a list of rows each)
SHORT = 14  # cells; a column whose values all fit this is never cut (enums, flags, vendors)

__all__ = [
    "CELLS",
    "CellFields",
    "Column",
    "LazyRow",
    "Row",
    "RowFiltering",
    "TableModel",
    "narrows",
]


@dataclass(frozen=True)
class Column:
    """One column: `key` names it for settings and sorting, `title` is shown."""

    key: str
    title: str
    max_width: int = 40
    min_width: int = 4
    kind: Literal["text", "status"] = "text"
    # When space runs out, higher gives way first among the columns that may be shortened.
    give: float = 1.0
    # Where a text too long for the column is cut: at the end, or in the middle for paths,
    # whose useful part (the sync id, `/runs`) is at the end.
    clip: Literal["end", "middle"] = "end"
    # Always shown in full, never cut: a status, a timestamp ("failed 11-20 09:12" cut to
    # "failed 1…" says nothing). When even these do not fit, the table scrolls sideways.
    fixed: bool = False
    # Takes the room the others leave (the name): wider than `max_width` when there is room.
    flex: bool = False


@dataclass(slots=True)
class Row:
    """One row as painted: its cell texts, the tone that colours it, a filter haystack."""

    key: Key
    cells: tuple[str, ...]
    tone: str = ""  # e.g. "active" / "error": picks the status style
    rank: int = 0  # sort order of the status column (most urgent first)
    # Default ("as listed") position; also breaks sort ties. A tuple, or an int (packed, as
    # the sync table does: no tracked allocation per row) — one kind per table.
    order: tuple[int, ...] | int = ()
    hay: str = field(default="")  # what a bare word of the filter searches
    tip: str = ""  # why the status is what it is: shown when the pointer rests on that cell
    subject: Any = None  # what field terms read (a Sync); None: the cells themselves

    made: ClassVar[bool] = True  # its cells exist (see LazyRow)

    def __post_init__(self) -> None:
        if not self.hay:
            self.hay = haystack(self.cells)


_MADE_LATER = frozenset({"cells", "tone", "rank", "hay", "tip"})


class LazyRow(Row):
    """A row that makes its cells, tone and haystack from its subject the first time any of
    them is read: 100,000 rows cost 100,000 small objects before the first paint, and only
    the rows on screen are made then (the rest between frames, or when a sort or a filter
    reads them). Reads exactly like the `Row` that `make(subject)` returns."""

    __slots__ = ("_make", "made")

    def __init__(
        self, key: Key, order: tuple[int, ...] | int, subject: Any, make: Callable[[Any], Row]
    ) -> None:  # the dataclass __init__ is skipped on purpose: the cells come later
        self.key = key
        self.order = order
        self.subject = subject
        self._make: Callable[[Any], Row] | None = make
        self.made = False  # type: ignore[misc]  # a slot here: read for every row upserted

    def __getattr__(self, name: str) -> Any:
        # Only reached for a slot not set yet, i.e. a part not made yet.
        if name in _MADE_LATER and self._make is not None:
            made = self._make(self.subject)
            self.cells, self.tone, self.rank = made.cells, made.tone, made.rank
            self.hay, self.tip = made.hay, made.tip
            self._make = None
            self.made = True  # type: ignore[misc]
            return getattr(self, name)
        raise AttributeError(name)


@dataclass(frozen=True)
class RowFiltering:
    """How a table's `/` filter reads its rows (the language is the domain's, one for all):
    the fields its terms name, given the columns, and the subject a row stands for."""

    fields: Callable[[Sequence[Column]], FieldSet[Any]]
    subject: Callable[[Row], Any]


class CellFields(FieldSet[Sequence[str]]):
    """Fields of a row that is only text (the API call log): its columns, by key or title,
    spelled loosely. A name the table has no column for is an error, not a silent "matches
    nothing" — the columns are all there is."""

    def __init__(self, columns: Sequence[Sequence[str]]) -> None:
        """``columns``: for each cell position, the names it answers to (key, title)."""
        self.names = [names[0] for names in columns if names]
        self._index: dict[str, int] = {}
        for i, names in enumerate(columns):
            for name in names:
                self._index.setdefault(loose_name(name), i)

    def haystack(self, subject: Sequence[str]) -> str:
        return haystack(subject)

    def reader(self, field: str) -> Callable[[Sequence[str]], list[Any]]:
        index = self._index.get(loose_name(field))
        if index is None:
            raise UsageError(f"no column {field!r} here", hint="columns: " + ", ".join(self.names))

        def cell(cells: Sequence[str]) -> list[Any]:
            text = cells[index] if index < len(cells) else ""
            return [] if text in ("", "-") else [text]

        return cell


def cell_fields(columns: Sequence[Column]) -> CellFields:
    return CellFields([(c.key, c.title) for c in columns])


# A table of plain text: bare words search the cells, fields are the columns.
CELLS = RowFiltering(cell_fields, lambda row: row.cells)


class TableModel:
    """Keyed rows plus the current filtered, sorted view of their keys."""

    def __init__(self, columns: Sequence[Column] = (), filtering: RowFiltering = CELLS) -> None:
        self.columns: list[Column] = list(columns)
        self.rows: dict[Key, Row] = {}
        self.view: Keys = Keys([])  # the keys of the rows shown, in order
        self.sort_column: int | None = None
        self.sort_reverse = False
        self.filtering = filtering
        self.filter_text = ""
        self.filter_error: str | None = None  # the filter is malformed: it keeps no row
        # The compiled filter (and the tones) as one function over a list of rows; None
        # keeps every row.
        self._filter: Filter[Any] | None = None  # None: keep every row
        self._keep: Keep = None
        self.tones: frozenset[str] | None = None  # keep only rows of these tones
        self.widths: list[int] = [cell_len(c.title) for c in self.columns]
        self._unmeasured: list[Row] = []  # lazy rows not in `widths` yet, from `_measured`
        self._measured = 0
        self.dirty = True  # a new filter pass must start
        # What a keystroke in the filter reuses, so that it costs one pass over the rows it
        # can still keep, and never a sort (every row sorted once per change of rows/sort):
        self._ordered: list[Row] | None = None  # every row in view order, unfiltered
        self._scan: Scan = Scan(None, [])  # the pass behind `view` (maybe not finished)
        self._narrow_from: Parts | None = None  # a narrowing filter reads only these
        self._recent: dict[str, list[Row]] = {}  # the last few filters' rows (backspace)

    # --- data -----------------------------------------------------------------------------
    def set_columns(self, columns: Sequence[Column]) -> None:
        self.columns = list(columns)
        self.rows = {}
        self.view = Keys([])
        if self.sort_column is not None and self.sort_column >= len(self.columns):
            self.sort_column = None
        self.widths = [cell_len(c.title) for c in self.columns]
        self._unmeasured, self._measured = [], 0
        if self.filter_text:
            self._compile()  # the fields a filter names are the columns of some tables
        self._touch()

    def upsert(self, rows: Iterable[Row], compare: bool = True) -> int:
        """Add or replace rows by key; returns how many changed (a lazy row not made yet
        counts as changed unless it is the very row already held). `compare=False`: the
        rows were just made from data just read (a listed page), so none is the row held:
        each replaces its key's row unread, as comparing would find each lazy one changed."""
        table = self.rows
        rows = rows if isinstance(rows, list) else list(rows)
        keys = list(map(attrgetter("key"), rows))
        if compare and len(table) > 0 and not table.keys().isdisjoint(keys):
            return self._upsert_each(rows)
        table.update(zip(keys, rows, strict=True))  # new keys, or new rows: nothing to compare
        lazy = [row for row in rows if not row.made]  # one pass: most rows are lazy
        if lazy:
            self._unmeasured += lazy
        if len(lazy) < len(rows):
            self._measure([row for row in rows if row.made])
        if rows:
            self._touch()
        return len(rows)

    def _upsert_each(self, rows: list[Row]) -> int:
        changed = 0
        table = self.rows
        measure: list[Row] = []
        unmeasured = self._unmeasured
        for row in rows:
            old = table.get(row.key)
            if old is not None and (
                old is row or (row.made and old.cells == row.cells and old.tone == row.tone)
            ):
                continue
            table[row.key] = row
            changed += 1
            if row.made:
                measure.append(row)
            else:
                unmeasured.append(row)
        if measure:
            self._measure(measure)
        if changed:
            self._touch()
        return changed

    def _measure(self, rows: Iterable[Row]) -> bool:
        """Widen the columns to these rows' cells (making lazy ones); True when one grew."""
        widths = self.widths
        count = len(widths)
        grew = False
        for row in rows:
            for i, text in enumerate(row.cells[:count]):
                n = len(text) if text.isascii() else cell_len(text)
                if n > widths[i]:
                    widths[i] = n
                    grew = True
        return grew

    @property
    def unmeasured(self) -> int:
        """Rows whose cells are not in the column widths yet."""
        return len(self._unmeasured) - self._measured

    def measure(self, limit: int | None = None) -> bool:
        """Take up to `limit` more rows into the column widths; True when a column grew."""
        pending = self._unmeasured
        start = self._measured
        stop = len(pending) if limit is None else min(len(pending), start + limit)
        rows = self.rows
        grew = self._measure(r for r in pending[start:stop] if rows.get(r.key) is r)
        if stop >= len(pending):
            self._unmeasured, self._measured = [], 0
        else:
            self._measured = stop
        return grew

    def measure_keys(self, keys: Iterable[Key]) -> bool:
        """Take these rows (the ones on screen) into the widths now; True when one grew."""
        rows = self.rows
        return self._measure(row for key in keys if (row := rows.get(key)) is not None)

    def remove(self, keys: Iterable[Key]) -> int:
        removed = 0
        for key in keys:
            if self.rows.pop(key, None) is not None:
                removed += 1
        if removed:
            self._touch()
        return removed

    def replace(self, rows: Iterable[Row]) -> tuple[int, int]:
        """Make the rows exactly `rows`, as a diff: (changed, removed)."""
        rows = list(rows)
        keep = {row.key for row in rows}
        removed = self.remove([key for key in self.rows if key not in keep])
        return self.upsert(rows), removed

    # --- view -----------------------------------------------------------------------------
    def _touch(self) -> None:
        """Rows, sort or tones changed: the next view starts again from every row."""
        self.dirty = True
        self._ordered = None
        self._narrow_from = None
        self._recent.clear()

    @property
    def complete(self) -> bool:
        """`view` holds every row the filter keeps (no pass is pending or under way)."""
        return not self.dirty and self._scan.done

    def set_filter(self, text: str) -> None:
        if text == self.filter_text:
            return
        if self.complete:
            self._recent.pop(self.filter_text, None)
            self._recent[self.filter_text] = self._scan.kept
            if len(self._recent) > RECENT_VIEWS:
                del self._recent[next(iter(self._recent))]  # the oldest
        pending = self._narrow_from
        # A malformed filter kept no row: nothing to narrow from.
        can_narrow = self.filter_error is None and (pending is not None or not self.dirty)
        if can_narrow and narrows(self.filter_text, text):
            # What the current pass kept so far and has not read yet: the new filter keeps
            # a subset of what this one keeps.
            self._narrow_from = pending if pending is not None else self._scan.rest()
        else:
            self._narrow_from = None
        self.filter_text = text
        self._compile()
        self.dirty = True

    def _compile(self) -> None:
        """Compile the filter text for these columns, read as still being typed."""
        self.filter_error = None
        self._filter = None
        try:
            flt = compile_for(self.filtering.fields(self.columns), self.filter_text, partial=True)
        except UsageError as exc:
            self.filter_error = str(exc)
        else:
            self._filter = None if flt.empty else flt
        self._keep = self._keeper()

    def _keeper(self) -> Keep:
        """The filter and the tones as one list comprehension, compiled: the inner loop of
        every keystroke makes no call per row for word terms (the common case)."""
        if self.filter_error is not None:
            return lambda rows: []
        flt, tones = self._filter, self.tones
        if flt is None and not tones:
            return None
        names: dict[str, Any] = {"tones": tones}
        tests = ["r.tone in tones"] if tones else []
        if flt is not None:
            words, word_names = flt.words_source("r.hay")
            names.update(word_names)
            if not flt.words_only:  # field terms read the row's subject
                subject = self.filtering.subject
                names["matches"] = lambda row: flt.matches(subject(row), row.hay)
                words = "matches(r)"
            tests.append(words)
        source = f"lambda rows: [r for r in rows if {' and '.join(tests)}]"
        return eval(source, names)  # only names made here: see Filter.words_source

    def set_tones(self, tones: frozenset[str] | None) -> None:
        if tones != self.tones:
            self.tones = tones
            self._keep = self._keeper()
            self._touch()

    def sort_by(self, column: int | None, reverse: bool | None = None) -> None:
        self.sort_column = column
        if reverse is not None:
            self.sort_reverse = reverse
        self._touch()

    def cycle_sort(self) -> None:
        """None → first column → … → last column → None (insertion order)."""
        if not self.columns:
            return
        if self.sort_column is None:
            self.sort_by(0)
        elif self.sort_column + 1 < len(self.columns):
            self.sort_by(self.sort_column + 1)
        else:
            self.sort_by(None)

    def reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._touch()

    def rebuild(self, enough: int | None = None, reads: int | None = None) -> bool:
        """Bring the view up to date; True when it changed. By default the whole filter
        pass runs; with `enough` it may stop once that many rows are shown, with `reads`
        after reading that many rows (`complete` says whether it finished)."""
        began = False
        if self.dirty:
            narrow_from, self._narrow_from = self._narrow_from, None
            recent = self._recent.get(self.filter_text)
            if recent is not None:
                self._scan = Scan(None, [(recent, 0)])
            elif narrow_from is not None:
                self._scan = Scan(self._keep, narrow_from)
            else:
                ordered = self._ordered if self._ordered is not None else self._sorted()
                self._scan = Scan(self._keep, [(ordered, 0)])
            self.view = Keys(self._scan.kept)
            self.dirty = False
            began = True
        scan = self._scan
        if scan.done:
            return began
        new = scan.advance(enough, reads)
        return began or bool(new) or scan.done

    def shown(self, index: int) -> Row | None:
        """The row at `index` of the view (None past its end)."""
        kept = self._scan.kept
        return kept[index] if 0 <= index < len(kept) else None

    def _sorted(self) -> list[Row]:
        """Every row in the current sort order (cached until rows or sort change)."""
        ordered = list(self.rows.values())
        column = self.sort_column
        reverse = self.sort_reverse
        if column is not None and column < len(self.columns):
            if self.columns[column].kind == "status":
                ordered.sort(key=lambda r: (r.rank, r.cells[column], r.order), reverse=reverse)
            else:
                ordered.sort(key=lambda r: (r.cells[column].casefold(), r.order), reverse=reverse)
        else:
            ordered.sort(key=attrgetter("order"), reverse=reverse)
        self._ordered = ordered
        return ordered

    @property
    def total(self) -> int:
        return len(self.rows)

    def fitted_widths(
        self, available: int, gap: int, naturals: Sequence[int] | None = None
    ) -> list[int]:
        """Widths by content: fixed columns whole, short values whole, the rest capped at
        `max_width` and shrunk in proportion to their spare room when space runs out; room
        left over goes to the flex column. The sum may exceed `available` when even the
        floors do not fit: the table then scrolls sideways (h / l). `naturals`: widths of
        other content than the rows (placeholders), else the rows' own."""
        columns = self.columns
        naturals = self.widths if naturals is None else naturals
        caps: list[int] = []
        floors: list[int] = []
        for column, natural in zip(columns, naturals, strict=False):
            if column.fixed:
                cap = floor = natural
            else:
                cap = min(natural, max(column.max_width, cell_len(column.title)))
                # Never cut below the title, nor values up to SHORT cells (yes, mirror,
                # signalsmith): a cut there saves little and loses the meaning.
                floor = min(cap, max(column.min_width, SHORT, cell_len(column.title)))
            caps.append(cap)
            floors.append(floor)
        widths = list(caps)
        flex = next((i for i, c in enumerate(columns) if c.flex), None)
        room = available - gap * max(0, len(widths) - 1)
        spare = room - sum(widths)
        if spare > 0:
            # Room left: the name first, then any column held at its cap, up to its content.
            order = ([flex] if flex is not None else []) + [
                i for i in range(len(widths)) if i != flex
            ]
            for i in order:
                grow = min(spare, naturals[i] - widths[i])
                if grow > 0:
                    widths[i] += grow
                    spare -= grow
            return widths
        excess = -spare
        # Every shortenable column gives in proportion to its spare room, weighted by how
        # readily it gives way (the name least): all stay legible, none starves the rest.
        while excess > 0:
            shares = [(w - f) * c.give for c, w, f in zip(columns, widths, floors, strict=False)]
            pool = sum(shares)
            if pool <= 0:
                break
            taken = 0
            for i, share in enumerate(shares):
                if share <= 0 or taken >= excess:
                    continue
                take = min(
                    widths[i] - floors[i], excess - taken, max(1, round(excess * share / pool))
                )
                widths[i] -= take
                taken += take
            if taken == 0:
                break
            excess -= taken
        return widths
