"""`@` / `:log`: every vendor call since start, newest at the bottom (lazygit's command log).

Records come from `Session.call_log` (which never holds a header or a token); the app drains
its subscription on a 100 ms timer and hands batches to `add_calls`, so a burst of calls costs
one table update, not one per call. The table is the same virtual table as the syncs, so a
long session's 5,000 records stay cheap.

A call about one sync shows that sync's name (found from the id in its path); a path too long
for its column is cut in the middle, keeping the end that tells calls apart (`…/syncs/ID/runs`).
Enter opens everything recorded about the call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input

from synctui.ui.formatting import duration_ms, one_line
from synctui.ui.screens.call_detail_screen import CallDetailScreen
from synctui.ui.sync_names import name_in_path
from synctui.ui.table_model import Column, Row
from synctui.ui.widgets.prompt_bar import PromptBar
from synctui.ui.widgets.status_line import StatusLine
from synctui.ui.widgets.virtual_table import VirtualTable
from synctui.vendors.http_settings import CallRecord

if TYPE_CHECKING:
    from synctui.ui.host import Tui

COLUMNS = (
    Column("time", "Time (UTC)", max_width=12, min_width=8),
    Column("account", "Account", max_width=20),
    Column("sync", "Sync", max_width=28, min_width=6),
    Column("method", "Method", max_width=6, min_width=4),
    Column("target", "Path / operation", max_width=44, min_width=12, give=0.5, clip="middle"),
    Column("status", "Status", max_width=6, min_width=6, kind="status"),
    Column("duration", "Took", max_width=8, min_width=6),
    Column("error", "Error", max_width=60, min_width=8),
)


def call_row(index: int, record: CallRecord, sync_name: str | None = None) -> Row:
    status = str(record.status) if record.status is not None else "-"
    failed = record.error is not None or (record.status or 0) >= 400
    retry = f" (try {record.attempt})" if record.attempt > 1 else ""
    return Row(
        key=index,
        cells=(
            record.time,
            record.account,
            sync_name or "",
            record.method,
            " ".join(record.target.split()) + retry,
            status,
            duration_ms(record.duration_ms),
            one_line(record.error) if record.error else "",
        ),
        tone="error" if failed else "active",
    )


class CallLogScreen(Screen[None]):
    help_title = "API call log"

    BINDINGS = [
        Binding("escape", "back", "Back", id="calls.back"),
        Binding("slash", "filter", "Filter", id="calls.filter"),
        Binding("e", "errors_only", "Errors only", id="calls.errors"),
    ]

    def __init__(self, records: list[CallRecord]) -> None:
        super().__init__()
        self._initial = records
        self._count = 0
        self.records: list[CallRecord] = []  # by row key

    def compose(self) -> ComposeResult:
        yield StatusLine(locked=self.app.session.readonly, id="status")  # type: ignore[attr-defined]
        yield VirtualTable(
            COLUMNS,
            empty_text="No calls yet",
            no_match_text="No calls match the filter {filter} — Esc clears it",
            follow_tail=True,
            selectable=True,
            id="calls",
        )
        yield PromptBar(placeholder="filter: words, !not, ~fuzzy, status=500, error~…", id="filter")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.add_calls(self._initial)
        self._initial = []
        self.query_one(VirtualTable).focus()
        self._show_status()

    def add_calls(self, records: list[CallRecord]) -> None:
        rows = [call_row(self._count + i, r, self.sync_name(r)) for i, r in enumerate(records)]
        self._count += len(records)
        self.records.extend(records)
        self.query_one(VirtualTable).upsert_rows(rows)

    def sync_name(self, record: CallRecord) -> str | None:
        return name_in_path(self.tui.catalog, record.account, record.target)

    @property
    def tui(self) -> Tui:
        return self.app  # type: ignore[return-value]

    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        """Enter on a call: everything recorded about it, uncut."""
        event.stop()
        index = event.key
        if isinstance(index, int) and 0 <= index < len(self.records):
            record = self.records[index]
            self.app.push_screen(CallDetailScreen(record, self.sync_name(record)))

    def on_virtual_table_view_updated(self, event: VirtualTable.ViewUpdated) -> None:
        event.stop()
        self._show_status()

    def _show_status(self) -> None:
        table = self.query_one(VirtualTable)
        errors = sum(1 for row in table.model.rows.values() if row.tone == "error")
        parts: list[Content | str | tuple[str, str]] = [
            (" synctui", "bold $text-accent"),
            " │ ",
            ("API calls", "bold"),
            " │ ",
            f"{table.total_count:,} calls",
            " │ ",
            (f"{errors} failed", "$status-error" if errors else "$text-muted"),
            " │ no token or header is ever recorded",
        ]
        if table.filter_text:
            parts += [" │ filter: ", (table.filter_text, "bold $text-accent")]
        if table.tones:
            parts += [" │ ", ("errors only", "bold $status-error")]
        self.query_one(StatusLine).show(Content.assemble(*parts))

    def action_back(self) -> None:
        bar = self.query_one(PromptBar)
        if bar.is_open or self.query_one(VirtualTable).filter_text:
            self._set_filter("")
            return
        self.dismiss(None)

    def action_filter(self) -> None:
        self.query_one(PromptBar).open(self.query_one(VirtualTable).filter_text)

    def action_errors_only(self) -> None:
        """Failed calls: a status of 400 or more, or a transport error."""
        table = self.query_one(VirtualTable)
        table.set_tones(None if table.tones else frozenset({"error"}))
        self._show_status()

    def _set_filter(self, text: str) -> None:
        bar = self.query_one(PromptBar)
        bar.value = text
        if not text:
            bar.close()
        self.query_one(VirtualTable).set_filter(text)
        self.query_one(VirtualTable).focus()
        self._show_status()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_one(VirtualTable).set_filter(event.value)
        self._show_status()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value:
            self.query_one(PromptBar).close()
        self.query_one(VirtualTable).focus()

    def on_prompt_bar_cancelled(self, event: PromptBar.Cancelled) -> None:
        event.stop()
        self._set_filter("")
