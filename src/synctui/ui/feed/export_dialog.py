"""`x`: choose a format and a path for exporting the filtered changes.

The dialog only asks; the export itself runs on the feed screen in a thread worker with a
progress bar, so closing the dialog never cancels or blocks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioSet

from synctui.ui.feed.export import default_export_path, with_format
from synctui.ui.widgets.toggles import RadioButton


@dataclass(frozen=True)
class ExportRequest:
    fmt: str
    path: Path


class ExportDialog(ModalScreen[ExportRequest | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="feed.export.cancel"),
    ]
    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > Vertical {
        width: 72; max-width: 100%; height: auto;
        border: round $primary; background: $surface; padding: 0 1;
    }
    ExportDialog #export-title { text-style: bold; color: $text-accent; margin-bottom: 1; }
    ExportDialog RadioSet { width: 100%; layout: horizontal; border: none; padding: 0; }
    ExportDialog RadioButton { width: auto; margin-right: 2; }
    ExportDialog Input { margin: 1 0; }
    ExportDialog #export-buttons { height: auto; align-horizontal: right; }
    ExportDialog Button { margin-left: 1; }
    """

    def __init__(self, account: str, count: int, fmt: str = "jsonl") -> None:
        super().__init__()
        self.account = account
        self.count = count
        self.fmt = fmt

    def compose(self) -> ComposeResult:
        with Vertical():
            noun = "change" if self.count == 1 else "changes"
            yield Label(f"Export {self.count:,} filtered {noun}", id="export-title")
            with RadioSet(id="export-format"):
                yield RadioButton("JSON Lines", value=self.fmt == "jsonl", id="format-jsonl")
                yield RadioButton("CSV", value=self.fmt == "csv", id="format-csv")
            yield Input(
                str(default_export_path(self.account, self.fmt)),
                placeholder="file to write",
                id="export-path",
            )
            with Horizontal(id="export-buttons"):
                yield Button("Cancel", id="export-cancel")
                yield Button("Export", variant="primary", id="export-go")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.fmt = "csv" if event.pressed.id == "format-csv" else "jsonl"
        path = self.query_one("#export-path", Input)
        path.value = with_format(path.value, self.fmt)

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export-go":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _submit(self) -> None:
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            self.notify("Choose a file to write.", severity="warning")
            return
        path = Path(raw).expanduser()
        if path.is_dir():
            path = default_export_path(self.account, self.fmt, path)
        self.dismiss(ExportRequest(self.fmt, path))
