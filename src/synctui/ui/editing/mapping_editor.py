"""The field-mapping editor: a table of rows, one line of inputs for the chosen row.

Signalsmith and Polytomic replace the mapping whole, so the table is the mapping: add, remove
and move rows, edit the highlighted row's cells below the table. Problems a vendor would
refuse (a missing destination, the same destination twice, a Polytomic row that maps
nothing) show in the row's last column as you type; the row that carries the sync's primary
key or identity is marked "key".
"""

from __future__ import annotations

import copy
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, Static

from synctui.ui.editing.mapping import (
    MappingSpec,
    add_row,
    cell_text,
    key_row,
    move_row,
    remove_row,
    row_issues,
    set_cell,
)

Row = dict[str, Any]


class MappingEditor(Vertical):
    BINDINGS = [
        Binding("a", "add_row", "Add row", id="mapping.add"),
        Binding("x,delete", "remove_row", "Remove row", id="mapping.remove"),
        Binding(
            "left_square_bracket,shift+up", "move(-1)", "Move up", key_display="[", id="mapping.up"
        ),
        Binding(
            "right_square_bracket,shift+down",
            "move(1)",
            "Move down",
            key_display="]",
            id="mapping.down",
        ),
    ]

    DEFAULT_CSS = """
    MappingEditor { height: auto; }
    MappingEditor #mapping-title { text-style: bold; color: $text-accent; margin-top: 1; }
    MappingEditor #mapping-key { color: $text-muted; }
    MappingEditor DataTable { height: auto; max-height: 12; }
    MappingEditor #row-inputs { height: auto; margin-top: 1; }
    MappingEditor #row-inputs > Vertical { width: 1fr; height: auto; margin-right: 2; }
    MappingEditor #row-inputs Input { background: $boost; }
    MappingEditor #row-inputs Label { color: $text-muted; }
    MappingEditor #row-buttons { height: auto; }
    MappingEditor #row-buttons Button { margin-right: 1; min-width: 8; }
    MappingEditor #mapping-problems { color: $text-error; height: auto; }
    """

    class Changed(Message):
        """The rows changed (a cell, an added, removed or moved row)."""

        def __init__(self, editor: MappingEditor) -> None:
            super().__init__()
            self.editor = editor

        @property
        def control(self) -> MappingEditor:
            return self.editor

    def __init__(self, spec: MappingSpec, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.spec = spec
        self.rows: list[Row] = []
        self.doc: dict[str, Any] = {}
        self._filled = -1
        # Type casts a row may use (None: no check); set by the vendor's form.
        self.type_casts: set[str] | None = None

    def compose(self) -> ComposeResult:
        yield Static(f"Field mapping ({self.spec.field})", id="mapping-title", markup=False)
        yield Static("", id="mapping-key", markup=False)
        yield DataTable(id="mapping-table", cursor_type="row", zebra_stripes=False)
        with Horizontal(id="row-inputs"):
            for column in self.spec.columns:
                # Each field as wide as its values need (a model id is a 36-character UUID),
                # apart from the next: a long value never reads as running into its neighbour.
                with Vertical() as cell:
                    cell.styles.width = f"{column.width}fr"
                    yield Label(column.title + (" *" if column.required else ""))
                    yield Input(compact=True, id=f"cell-{column.name.replace('.', '-')}")
        with Horizontal(id="row-buttons"):
            yield Button("+ Add [a]", id="add", compact=True)
            yield Button("− Remove [x]", id="remove", compact=True)
            yield Button("↑ Up [", id="up", compact=True)
            yield Button("↓ Down ]", id="down", compact=True)
        yield Static("", id="mapping-problems", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("#", key="n")
        table.add_column("Key", key="key")
        for column in self.spec.columns:
            table.add_column(column.title, key=column.name)
        table.add_column("Problems", key="problems")

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one(DataTable)

    @property
    def cursor(self) -> int:
        return self.table.cursor_row if self.rows else -1

    # --- data -----------------------------------------------------------------------------
    def load(self, rows: Any, doc: dict[str, Any], *, keep_cursor: bool = True) -> None:
        """Show `rows` (the document's mapping) and what the document says the key is."""
        self.rows = copy.deepcopy(rows) if isinstance(rows, list) else []
        self.doc = doc
        self._refresh(self.cursor if keep_cursor else 0)

    def write_into(self, out: dict[str, Any], doc: dict[str, Any]) -> None:
        """Put the rows in `out`, the form's new document, under the vendor's mapping key:
        when there are rows, or the document had the key (so emptying it is an edit, and a
        sync without one gets none); the key row is then read from `out`."""
        if self.rows or self.spec.field in doc:
            out[self.spec.field] = copy.deepcopy(self.rows)
        self.doc = out

    def _refresh(self, cursor: int) -> None:
        table = self.table
        issues = row_issues(self.spec, self.rows, self.type_casts)
        key_index = key_row(self.spec, self.rows, self.doc)
        table.clear()
        for index, row in enumerate(self.rows):
            cells = [cell_text(row, c) if isinstance(row, dict) else "" for c in self.spec.columns]
            problems = issues.get(index, [])
            table.add_row(
                str(index + 1),
                Content.styled("key", "bold $text-accent") if index == key_index else "",
                *cells,
                Content.styled("✗ " + "; ".join(problems), "$text-error") if problems else "",
            )
        if self.rows:
            table.move_cursor(row=max(0, min(cursor, len(self.rows) - 1)))
        self._show_key()
        problems = sum(len(p) for p in issues.values())
        self.query_one("#mapping-problems", Static).update(
            f"✗ {problems} problem(s) in the mapping" if problems else ""
        )
        self._fill_inputs()

    def _show_key(self) -> None:
        self.query_one("#mapping-key", Static).update(self.spec.key_text(self.doc))

    def _fill_inputs(self, *, force: bool = True) -> None:
        """The highlighted row's cells into the inputs (empty and disabled with no rows).

        A fill's own Input.Changed echoes are ignored by `on_input_changed` because they
        equal the row's cells; an unforced fill (a highlight event) leaves the inputs alone
        when the row did not change, so a highlight that arrives late never overwrites what
        is being typed.
        """
        index = self.cursor
        if not force and index == self._filled:
            return
        self._filled = index
        for column in self.spec.columns:
            field = self.query_one(f"#cell-{column.name.replace('.', '-')}", Input)
            row = self.rows[index] if 0 <= index < len(self.rows) else None
            field.disabled = row is None
            value = cell_text(row, column) if isinstance(row, dict) else ""
            if field.value != value:
                field.value = value

    def _changed(self, cursor: int) -> None:
        self._refresh(cursor)
        self.post_message(self.Changed(self))

    # --- events -----------------------------------------------------------------------------
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._fill_inputs(force=False)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if not (event.input.id or "").startswith("cell-"):
            return
        index = self.cursor
        if not 0 <= index < len(self.rows):
            return
        name = (event.input.id or "")[5:]
        column = next(c for c in self.spec.columns if c.name.replace(".", "-") == name)
        if cell_text(self.rows[index], column) == event.value:
            return
        self.rows = set_cell(self.rows, index, column, event.value)
        self._update_row(index)
        self.post_message(self.Changed(self))

    def _update_row(self, index: int) -> None:
        """Repaint one row and every row's problems (a duplicate involves two rows)."""
        table = self.table
        issues = row_issues(self.spec, self.rows, self.type_casts)
        for i, row in enumerate(self.rows):
            row_key = table.coordinate_to_cell_key((i, 0)).row_key
            if i == index:
                for column in self.spec.columns:
                    table.update_cell(row_key, column.name, cell_text(row, column))
            problems = issues.get(i, [])
            table.update_cell(
                row_key,
                "problems",
                Content.styled("✗ " + "; ".join(problems), "$text-error") if problems else "",
            )
        total = sum(len(p) for p in issues.values())
        self.query_one("#mapping-problems", Static).update(
            f"✗ {total} problem(s) in the mapping" if total else ""
        )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        action = {"add": self.action_add_row, "remove": self.action_remove_row}
        if event.button.id in action:
            action[event.button.id]()
        elif event.button.id == "up":
            self.action_move(-1)
        elif event.button.id == "down":
            self.action_move(1)

    # --- actions ----------------------------------------------------------------------------
    def action_add_row(self) -> None:
        after = self.cursor if self.rows else None
        self.rows = add_row(self.rows, after)
        self._changed(after + 1 if after is not None else 0)
        first = self.spec.columns[0].name.replace(".", "-")
        self.query_one(f"#cell-{first}", Input).focus()

    def action_remove_row(self) -> None:
        index = self.cursor
        if 0 <= index < len(self.rows):
            self.rows = remove_row(self.rows, index)
            self._changed(index)

    def action_move(self, delta: int) -> None:
        index = self.cursor
        if 0 <= index < len(self.rows):
            self.rows, target = move_row(self.rows, index, delta)
            self._changed(target)
