"""The grouped list: group headings and syncs, one line each, the cursor skipping headings.

Built on `OptionList` rather than the house `VirtualTable`: the attention list holds tens to
a few hundred rows, but needs full-width group headings the cursor passes over (disabled
options), which the table's column model has no place for. Cells are fitted to the width
here so no row ever wraps; the list is rebuilt on resize.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from synctui.ui.triage.board import UNREADABLE, Key, Line
from synctui.ui.widgets.virtual_table import fit

AGE_WIDTH = 6
GAP = 2
WIDE = 100  # below this (80×24 over SSH) account and name give room to the why


class AttentionList(OptionList):
    BINDINGS = [
        Binding("k", "cursor_up", "Up", show=False, id="triage.list.up"),
        Binding("j", "cursor_down", "Down", show=False, id="triage.list.down"),
        Binding("g", "first", "First", show=False, id="triage.list.first"),
        Binding("G", "last", "Last", show=False, id="triage.list.last"),
    ]

    DEFAULT_CSS = """
    AttentionList {
        height: 1fr;
        border: none;
        padding: 0;
        background: $surface;
        scrollbar-gutter: stable;
    }
    AttentionList:focus { border: none; }
    AttentionList > .option-list--option-disabled { color: $foreground; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[Line] = []
        self._empty_text = ""
        self._row_by_id: dict[str, Line] = {}

    # --- data -------------------------------------------------------------------------------
    def show_lines(self, lines: Sequence[Line], empty: str) -> None:
        """Replace the rows, keeping the cursor on the same sync (or the same place)."""
        previous = self.highlighted_option
        previous_id = previous.id if previous is not None else None
        previous_index = self.highlighted or 0
        enabled = [i for i, o in enumerate(self.options) if not o.disabled]
        if not enabled or self.highlighted in (None, enabled[0]):
            # At the top (or nothing yet) stays at the top: rows arriving account by
            # account must not carry the cursor off to whichever account answered first.
            previous_id, previous_index = None, 0
        old_line = self._row_by_id.get(previous_id) if previous_id else None
        self._rows, self._empty_text = list(lines), empty
        self._row_by_id = {line.id: line for line in self._rows}
        new_line = self._row_by_id.get(previous_id) if previous_id else None
        if old_line is not None and new_line is not None and old_line.group != new_line.group:
            # Fixed and moved to "recovering": stay here, on the next one needing a person.
            previous_id = None
        self._rebuild(previous_id, previous_index)

    def _rebuild(self, keep_id: str | None, keep_index: int) -> None:
        width = max(20, self.scrollable_content_region.width or self.size.width or 80)
        counts = self._group_counts()
        widths = self._widths(width)
        options = [self._option(line, widths, counts) for line in self._rows]
        if not options:
            options = [
                Option(Content.styled(self._empty_text, "italic $text-muted"), disabled=True)
            ]
        with self.prevent(OptionList.OptionHighlighted):
            self.set_options(options)
        target = None
        if keep_id is not None and keep_id in self._row_by_id:
            target = next(i for i, o in enumerate(options) if o.id == keep_id)
        else:
            enabled = [i for i, o in enumerate(options) if not o.disabled]
            after = [i for i in enabled if i >= keep_index]
            target = after[0] if after else (enabled[-1] if enabled else None)
        self.highlighted = target
        if target is not None:
            self.post_message(OptionList.OptionHighlighted(self, options[target], target))

    def _group_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for line in self._rows:
            if line.kind != "group":
                counts[line.group] = counts.get(line.group, 0) + 1
        return counts

    def _widths(self, width: int) -> tuple[int, int, int, int]:
        items = [line for line in self._rows if line.kind != "group"]
        wide = width >= WIDE
        account = min(22 if wide else 14, max((len(line.cells[1]) for line in items), default=8))
        name = min(34 if wide else 20, max((len(line.cells[2]) for line in items), default=8))
        rest = width - AGE_WIDTH - account - name - 3 * GAP - 1
        if rest < 24:  # narrow terminal: the why matters more than a long name
            name = max(12, name - (24 - rest))
            rest = width - AGE_WIDTH - account - name - 3 * GAP - 1
        return AGE_WIDTH, account, name, max(10, rest)

    def _option(
        self, line: Line, widths: tuple[int, int, int, int], counts: dict[str, int]
    ) -> Option:
        tone = f"$status-{line.tone}"
        if line.kind == "group":
            label = "could not be read" if line.group == UNREADABLE else line.group
            text = f"▾ {label.upper()} · {counts.get(line.group, 0)}"
            return Option(Content.styled(text, f"bold {tone}"), id=line.id, disabled=True)
        age, account, name, why = line.cells
        a, b, c, d = widths
        gap = " " * GAP
        why_style = "$status-error" if line.flagged or line.kind == "failure" else ""
        prompt = Content.assemble(
            (fit(age.rjust(a - 1), a - 1) + " ", tone),
            (fit(account, b), "$text-muted"),
            gap,
            (fit(name, c), "bold" if line.kind == "item" else ""),
            gap,
            (fit(why, d), why_style),
        )
        return Option(prompt, id=line.id, disabled=line.kind == "failure")

    def on_resize(self, event: events.Resize) -> None:
        if self._rows:
            option = self.highlighted_option
            self._rebuild(option.id if option else None, self.highlighted or 0)

    # --- reading ----------------------------------------------------------------------------
    def _current_line(self) -> Line | None:
        option = self.highlighted_option
        if option is None or option.id is None:
            return None
        return self._row_by_id.get(option.id)

    @property
    def current_key(self) -> Key | None:
        line = self._current_line()
        return line.key if line is not None and line.kind == "item" else None

    @property
    def current_failure(self) -> str | None:
        line = self._current_line()
        return line.cells[1] if line is not None and line.kind == "failure" else None

    def line_texts(self) -> list[str]:
        """Plain text of every line as shown (tests and screen readers of the future)."""
        return [str(option.prompt) for option in self.options]
