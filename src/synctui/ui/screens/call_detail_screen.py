"""Enter in the API call log: one call, every field the log recorded, nothing cut.

The record never holds a header, a token or a body (see `vendors.http.CallRecord`), so this
shows exactly what the log knows and nothing that could leak.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from synctui.ui.formatting import duration_ms
from synctui.vendors.http_settings import CallRecord


def call_content(record: CallRecord, sync_name: str | None = None) -> Content:
    status = str(record.status) if record.status is not None else "no answer"
    failed = record.error is not None or (record.status or 0) >= 400
    rows: list[tuple[str, str]] = [
        ("time (UTC)", record.time),
        ("account", f"{record.account} ({record.vendor})"),
        ("sync", sync_name or "-"),
        ("request", f"{record.method} {record.target}"),
        ("status", status),
        ("took", duration_ms(record.duration_ms)),
        ("attempt", str(record.attempt)),
        ("error", record.error or "-"),
    ]
    width = max(len(label) for label, _ in rows) + 2
    lines = [
        Content.assemble(
            ((label + ":").ljust(width), "bold"),
            (value, "$text-error" if failed and label in ("status", "error") else ""),
        )
        for label, value in rows
    ]
    return Content("\n").join(lines)


class CallDetailScreen(ModalScreen[None]):
    help_title = "API call"

    BINDINGS = [
        Binding("escape,enter,q", "close", "Close", key_display="esc", id="call.close"),
    ]

    DEFAULT_CSS = """
    CallDetailScreen { align: center middle; }
    CallDetailScreen > Vertical {
        width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    CallDetailScreen #call-title { text-style: bold; color: $text-accent; }
    CallDetailScreen VerticalScroll { height: auto; max-height: 1fr; }
    CallDetailScreen #call-hint { color: $text-muted; }
    """

    def __init__(self, record: CallRecord, sync_name: str | None = None) -> None:
        super().__init__()
        self.record = record
        self.sync_name = sync_name

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("API call", id="call-title")
            with VerticalScroll():
                yield Static(call_content(self.record, self.sync_name), id="call-detail")
            yield Static("Esc closes · no header, token or body is ever recorded", id="call-hint")

    def action_close(self) -> None:
        self.dismiss(None)
