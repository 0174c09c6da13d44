"""Rows, sorting, filtering and column widths for the virtual tables — no Textual here.

Everything is plain lists and dicts so the hot paths (sorting and filtering 100,000 rows,
applying a page of 100 changed rows) stay cheap and testable without a terminal. The widget
owns a `TableModel` and only asks it for the rows it is about to paint.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rich.cells import cell_len

from synctui.domain.errors import UsageError
from synctui.domain.filtering import FieldSet, compile_for, haystack, loose_name, narrows

Key = Hashable
RowTest = Callable[["Row"], bool]

RECENT_VIEWS = 8  # filter results kept for backspacing (a list of rows each)
SHORT = 14  # cells; a column whose values all fit this is never cut (enums, flags, vendors)

__all__ = ["CELLS", "CellFields", "Column", "Row", "RowFiltering", "TableModel", "narrows"]


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
    order: tuple[int, ...] = ()  # default ("as listed") position; also breaks sort ties
    hay: str = field(default="")  # what a bare word of the filter searches
    tip: str = ""  # why the status is what it is: shown when the pointer rests on that cell
    subject: Any = None  # what field terms read (a Sync); None: the cells themselves

    def __post_init__(self) -> None:
        if not self.hay:
            self.hay = haystack(self.cells)


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
        self.view: list[Key] = []
        self.sort_column: int | None = None
        self.sort_reverse = False
        self.filtering = filtering
        self.filter_text = ""
        self.filter_error: str | None = None  # the filter is malformed: it keeps no row
        # The compiled filter: a test of the cached text when every term is a word (the
        # fast path: one call per row), else a test of the whole row; both None: keep all.
        self._hay_test: Callable[[str], bool] | None = None
        self._needle: str | None = None  # the filter is this one plain word
        self._row_test: RowTest | None = None
        self.tones: frozenset[str] | None = None  # keep only rows of these tones
        self.widths: list[int] = [cell_len(c.title) for c in self.columns]
        self.dirty = True
        # What a keystroke in the filter reuses, so that it costs one pass over the rows it
        # can still keep, and never a sort (every row sorted once per change of rows/sort):
        self._ordered: list[Row] | None = None  # every row in view order, unfiltered
        self._selected: list[Row] = []  # the rows of `view`
        self._narrow_from: list[Row] | None = None  # a narrowing filter scans only these
        self._recent: dict[str, list[Row]] = {}  # the last few filters' rows (backspace)

    # --- data -----------------------------------------------------------------------------
    def set_columns(self, columns: Sequence[Column]) -> None:
        self.columns = list(columns)
        self.rows = {}
        self.view = []
        if self.sort_column is not None and self.sort_column >= len(self.columns):
            self.sort_column = None
        self.widths = [cell_len(c.title) for c in self.columns]
        if self.filter_text:
            self._compile()  # the fields a filter names are the columns of some tables
        self._touch()

    def upsert(self, rows: Iterable[Row]) -> int:
        """Add or replace rows by key; returns how many actually changed."""
        changed = 0
        widths = self.widths
        for row in rows:
            old = self.rows.get(row.key)
            if old is not None and old.cells == row.cells and old.tone == row.tone:
                continue
            self.rows[row.key] = row
            changed += 1
            for i, text in enumerate(row.cells[: len(widths)]):
                n = len(text) if text.isascii() else cell_len(text)
                if n > widths[i]:
                    widths[i] = n
        if changed:
            self._touch()
        return changed

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

    def set_filter(self, text: str) -> None:
        if text == self.filter_text:
            return
        if not self.dirty:
            self._recent.pop(self.filter_text, None)
            self._recent[self.filter_text] = self._selected
            if len(self._recent) > RECENT_VIEWS:
                del self._recent[next(iter(self._recent))]  # the oldest
        pending = self._narrow_from is not None
        # A malformed filter kept no row: nothing to narrow from.
        can_narrow = self.filter_error is None and (pending or not self.dirty)
        if can_narrow and narrows(self.filter_text, text):
            self._narrow_from = self._narrow_from if pending else self._selected
        else:
            self._narrow_from = None
        self.filter_text = text
        self._compile()
        self.dirty = True

    def _compile(self) -> None:
        """Compile the filter text for these columns, read as still being typed."""
        self._hay_test = self._row_test = self._needle = None
        self.filter_error = None
        try:
            flt = compile_for(self.filtering.fields(self.columns), self.filter_text, partial=True)
        except UsageError as exc:
            self.filter_error = str(exc)
            self._row_test = lambda row: False
            return
        if flt.empty:
            return
        if flt.words_only:
            self._hay_test = flt.haystack_test()
            self._needle = flt.needle
            return
        subject = self.filtering.subject
        self._row_test = lambda row: flt.matches(subject(row), row.hay)

    def set_tones(self, tones: frozenset[str] | None) -> None:
        if tones != self.tones:
            self.tones = tones
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

    def rebuild(self) -> bool:
        """Recompute the view if anything changed; True when it did."""
        if not self.dirty:
            return False
        narrow_from, self._narrow_from = self._narrow_from, None
        selected = self._recent.get(self.filter_text)
        if selected is None:
            hay_test, row_test, needle = self._hay_test, self._row_test, self._needle
            tones = self.tones
            if narrow_from is not None:
                rows = narrow_from  # already of these tones, already in order
                tones = None
            else:
                rows = self._ordered if self._ordered is not None else self._sorted()
            if needle is not None and not tones:
                selected = [r for r in rows if needle in r.hay]
            elif hay_test and tones:
                selected = [r for r in rows if r.tone in tones and hay_test(r.hay)]
            elif hay_test:
                selected = [r for r in rows if hay_test(r.hay)]
            elif row_test and tones:
                selected = [r for r in rows if r.tone in tones and row_test(r)]
            elif row_test:
                selected = [r for r in rows if row_test(r)]
            elif tones:
                selected = [r for r in rows if r.tone in tones]
            else:
                selected = rows
        self._selected = selected
        self.view = [r.key for r in selected]
        self.dirty = False
        return True

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
            ordered.sort(key=lambda r: r.order, reverse=reverse)
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
