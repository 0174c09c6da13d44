"""A save hit a conflict: the sync changed on the server since it was loaded.

Three ways on, none of which loses what was typed: re-apply my change on the fresh version
(the same merge patch, planned again), overwrite with my whole document (only after a
confirmation focused on Cancel, in the preview), or go back to editing.
"""

from __future__ import annotations

from typing import Literal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

Choice = Literal["reapply", "overwrite", "edit"]


class ConflictScreen(ModalScreen[Choice]):
    BINDINGS = [Binding("escape", "keep_editing", "Keep editing", id="conflict.keep")]
    DEFAULT_CSS = """
    ConflictScreen { align: center middle; }
    ConflictScreen > Vertical {
        width: 72; max-width: 100%; height: auto;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    ConflictScreen #conflict-title { text-style: bold; color: $text-warning; }
    ConflictScreen Button { width: 100%; margin-top: 1; }
    """

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Changed on the server since you loaded it", id="conflict-title")
            yield Static(self.message, markup=False)
            yield Button("Reload and re-apply my change", id="reapply", variant="primary")
            yield Button("Overwrite with my version…", id="overwrite", variant="warning")
            yield Button("Keep editing", id="edit")

    def on_mount(self) -> None:
        self.query_one("#edit", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id)  # type: ignore[arg-type]

    def action_keep_editing(self) -> None:
        self.dismiss("edit")
