"""What a batch will do, sync by sync, before anything is sent (a dry run's results).

The table lists every marked sync with what its adapter would send ("update context",
"PUT 1 field (schedule)", "trigger now") or why it would be skipped (legacy, paused for a
trigger, nothing to change); the highlighted sync's requests and diff are shown below.
A batch that triggers runs cannot be taken back, so it opens focused on Cancel.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Static

from synctui.ui.editing.diff_view import diff_content, requests_content
from synctui.ui.editing.preview_screen import base_url_of

OUTCOME_STYLE = {"planned": "$status-active", "skipped": "$status-idle", "failed": "$status-error"}


class BatchPreviewScreen(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="batch-preview.cancel")]

    DEFAULT_CSS = """
    BatchPreviewScreen { align: center middle; }
    BatchPreviewScreen > Vertical {
        width: 110; max-width: 100%; height: 95%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    BatchPreviewScreen.-irreversible > Vertical { border: thick $warning; }
    BatchPreviewScreen #bp-title { text-style: bold; height: auto; }
    BatchPreviewScreen DataTable { height: 1fr; }
    BatchPreviewScreen #bp-detail-scroll { height: 1fr; border-top: solid $panel; }
    BatchPreviewScreen #bp-warning { color: $text-warning; height: auto; }
    BatchPreviewScreen #bp-buttons { height: auto; align-horizontal: right; }
    BatchPreviewScreen #bp-buttons Button { margin-left: 2; }
    """

    def __init__(self, results: list[Any], patch: dict[str, Any], trigger: bool) -> None:
        super().__init__()
        self.results = results
        self.patch = patch
        self.trigger = trigger
        self.planned = [r for r in results if r.outcome.value == "planned"]

    def compose(self) -> ComposeResult:
        skipped = sum(1 for r in self.results if r.outcome.value == "skipped")
        failed = sum(1 for r in self.results if r.outcome.value == "failed")
        with Vertical():
            yield Static(
                f"{len(self.results)} syncs: {len(self.planned)} will be sent, "
                f"{skipped} skipped, {failed} refused by validation",
                id="bp-title",
                markup=False,
            )
            yield DataTable(id="bp-table", cursor_type="row", zebra_stripes=False)
            with VerticalScroll(id="bp-detail-scroll"):
                yield Static("", id="bp-detail")
            yield Static(
                "⚠ starts a run on every sync sent: runs cannot be taken back"
                if self.trigger
                else "",
                id="bp-warning",
                markup=False,
            )
            with Horizontal(id="bp-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(
                    f"Send to {len(self.planned)} syncs",
                    id="send",
                    variant="warning" if self.trigger else "primary",
                    disabled=not self.planned,
                )

    def on_mount(self) -> None:
        self.set_class(self.trigger, "-irreversible")
        table = self.query_one(DataTable)
        table.add_columns("Outcome", "Account", "Sync", "Will send / why not", "Run")
        for result in self.results:
            outcome = result.outcome.value
            table.add_row(
                Content.styled(
                    "send" if outcome == "planned" else outcome, OUTCOME_STYLE.get(outcome, "")
                ),
                result.sync.account,
                _clip(result.sync.name, 34),
                _clip(result.message, 50),
                "yes" if result.triggered else "",
            )
        self._detail(0)
        focus = "#cancel" if self.trigger or not self.planned else "#send"
        self.query_one(focus, Button).focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._detail(event.cursor_row)

    def _detail(self, row: int) -> None:
        if not 0 <= row < len(self.results):
            return
        result = self.results[row]
        plan = result.plan
        if plan is None:
            text = Content(f"{result.sync.name}: {result.message}")
        else:
            text = Content("\n").join(
                [
                    Content.styled(f"{result.sync.name} — {plan.summary}", "bold"),
                    diff_content(plan.before, plan.after),
                    requests_content(plan.requests, base_url_of(self.app, plan.account)),
                ]
            )
        self.query_one("#bp-detail", Static).update(text)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "send")

    def action_cancel(self) -> None:
        self.dismiss(False)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
