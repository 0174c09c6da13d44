"""A cron schedule input that reads the expression back in words, with the next three runs.

The next runs are counted from the run's one clock (`Session.clock`, through the app), so a
frozen demo or a test's pinned instant shows the same runs on every capture.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from synctui.ui.editing.cron_preview import CronPreview, cron_preview
from synctui.ui.editing.form_base import Field


class CronField(Vertical):
    DEFAULT_CSS = """
    CronField { height: auto; }
    CronField #cron-reading { padding-left: 20; height: auto; }
    CronField #cron-next { padding-left: 20; height: auto; color: $text-muted; }
    """

    def __init__(self, *, name: str = "schedule") -> None:
        super().__init__(id="cron-field")
        self.path = name
        self.preview = CronPreview("")

    def compose(self) -> ComposeResult:
        yield Field(
            "Schedule (cron)",
            Input(
                placeholder="e.g. 0 */6 * * *  (empty: manual runs only)",
                compact=True,
                id="schedule",
            ),
            name=self.path,
        )
        yield Static("", id="cron-reading", markup=False)
        yield Static("", id="cron-next", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one("#schedule", Input)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show(event.value)  # the event goes on bubbling to the form

    def show(self, expr: str) -> None:
        self.preview = preview = cron_preview(expr, self.app.session.clock())  # type: ignore[attr-defined]
        reading = self.query_one("#cron-reading", Static)
        upcoming = self.query_one("#cron-next", Static)
        if preview.error:
            reading.update(Content.styled(f"✗ {preview.error}", "$text-error"))
            upcoming.update("")
        else:
            reading.update(Content.styled(f"→ {preview.reading}", "$text-success"))
            upcoming.update("next: " + ", ".join(preview.next_runs) if preview.next_runs else "")
