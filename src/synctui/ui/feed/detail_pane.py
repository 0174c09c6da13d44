"""The pane under the list: the selected change's snapshot, history and diff.

It follows the cursor. Loading happens in a thread worker on the screen; this widget only
renders a `ChangeDetail`. JSON and diffs go through `textual.highlight`, whose colours come
from the theme, so the pane matches light and dark themes alike. Lines never wrap (a wrapped
UUID reads as two values); long ones scroll sideways instead.

Wide terminals show the snapshot beside history and diff; below 100 columns the three are
stacked in one scrollable column, because two 38-column halves cut every value in two.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.content import Content
from textual.highlight import highlight
from textual.widgets import Static

from synctui.ui.feed.clock import FeedClock, SystemClock
from synctui.ui.feed.detail_model import HISTORY_SHOWN, ChangeDetail, pretty_json
from synctui.ui.feed.palette import PaletteCache
from synctui.ui.feed.rows import PARTIAL_MARK, RESOLVED_MARK

NARROW_BELOW = 100


class DetailPane(Vertical):
    DEFAULT_CSS = """
    DetailPane {
        height: 50%;
        min-height: 8;
        border: round $primary 60%;
        border-title-color: $text-accent;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    DetailPane #detail-summary { height: 1; }
    DetailPane #detail-wide { height: 1fr; }
    DetailPane #detail-narrow { height: 1fr; display: none; }
    DetailPane.-narrow #detail-wide { display: none; }
    DetailPane.-narrow #detail-narrow { display: block; }
    DetailPane.-empty #detail-wide, DetailPane.-empty #detail-narrow { display: none; }
    DetailPane ScrollableContainer { overflow: auto auto; scrollbar-size: 1 1; }
    DetailPane .snapshot-scroll { width: 1fr; height: 1fr; }
    DetailPane .side { width: 1fr; height: 1fr; border-left: vkey $primary 30%; padding-left: 1; }
    DetailPane .history-scroll { height: auto; max-height: 45%; }
    DetailPane .diff-scroll { height: 1fr; }
    DetailPane .snapshot, DetailPane .history, DetailPane .diff { width: auto; text-wrap: nowrap; }
    DetailPane .title { text-style: bold; height: 1; color: $text-accent; }
    DetailPane .diff-title { height: auto; margin-top: 1; }
    """

    def __init__(self, clock: FeedClock | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="-empty")
        self._palettes = PaletteCache()
        self.clock = clock or SystemClock()
        self.detail: ChangeDetail | None = None
        self.border_title = "Detail"

    def compose(self) -> ComposeResult:
        yield Static("Select a change to see its snapshot and history.", id="detail-summary")
        with Horizontal(id="detail-wide"):
            with ScrollableContainer(classes="snapshot-scroll"):
                yield Static("", classes="title snapshot-title")
                yield Static("", classes="snapshot")
            with Vertical(classes="side"):
                yield Static("", classes="title history-title")
                with ScrollableContainer(classes="history-scroll"):
                    yield Static("", classes="history")
                yield Static("", classes="diff-title")
                with ScrollableContainer(classes="diff-scroll"):
                    yield Static("", classes="diff")
        with ScrollableContainer(id="detail-narrow"):
            yield Static("", classes="title snapshot-title")
            yield Static("", classes="snapshot")
            yield Static("", classes="title history-title")
            yield Static("", classes="history")
            yield Static("", classes="diff-title")
            yield Static("", classes="diff")

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW_BELOW, "-narrow")

    def _update(self, selector: str, content: object) -> None:
        for static in self.query(selector).results(Static):
            static.update(content)  # type: ignore[arg-type]

    def show(self, detail: ChangeDetail | None) -> None:
        self.detail = detail
        self.set_class(detail is None, "-empty")
        summary = self.query_one("#detail-summary", Static)
        if detail is None:
            self.border_title = "Detail"
            summary.update("No change selected.")
            return
        palette = self._palettes.get(self.app)
        change = detail.change
        self.border_title = f"{change.entity_type} · {change.operation} · #{change.id}"
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(change.entity_id, style="bold")
        if change.sequence_version is not None:
            line.append(f"  seq {change.sequence_version}", style=palette.muted)
        if detail.project_name:
            line.append(f"  {detail.project_name}", style=palette.muted)
        unknown = ", ".join(detail.unknown_fields) or "a field"
        if change.resolved:
            line.append(
                f"  {RESOLVED_MARK} {unknown} was unknown; completed by #{change.resolved_by}",
                style=palette.resolved,
            )
        elif change.partial:
            line.append(f"  {PARTIAL_MARK} partial: {unknown} not known yet", style=palette.partial)
        summary.update(line)

        last_known = detail.snapshot_is_last_known
        self._update(".snapshot-title", "Last known snapshot" if last_known else "Snapshot")
        if detail.snapshot is None:
            self._update(".snapshot", Content("(no snapshot: deleted before any was seen)"))
        else:
            self._update(".snapshot", highlight(pretty_json(detail.snapshot), language="json"))
        self._update(".history-title", f"History ({len(detail.history)})")
        self._update(".history", self._history_text(detail))
        self._update(
            ".diff-title",
            Text.assemble(("Diff vs previous  ", palette.accent), (detail.summary, palette.muted)),
        )
        diff = highlight("\n".join(detail.diff), language="diff") if detail.diff else ""
        self._update(".diff", diff)

    def _history_text(self, detail: ChangeDetail) -> Text:
        palette = self._palettes.get(self.app)
        history = detail.history
        here = detail.position
        start = max(0, min(here - HISTORY_SHOWN // 2, len(history) - HISTORY_SHOWN))
        shown = history[start : start + HISTORY_SHOWN]
        text = Text()
        if start:
            text.append(f"  … {start} earlier\n", style=palette.muted)
        for item in shown:
            current = item.id == detail.change.id
            text.append("▶ " if current else "  ", style=palette.accent)
            text.append(self.clock.time_label(item.received_at), style=palette.muted)
            seq = "-" if item.sequence_version is None else str(item.sequence_version)
            text.append(f" {seq:>10} ", style="bold" if current else palette.muted)
            text.append(f"{item.operation:<8}", style=palette.operation(item.operation))
            if item.resolved:
                text.append(f" {RESOLVED_MARK} resolved", style=palette.resolved)
            elif item.partial:
                text.append(f" {PARTIAL_MARK} partial", style=palette.partial)
            text.append("\n")
        rest = len(history) - start - len(shown)
        if rest > 0:
            text.append(f"  … {rest} later\n", style=palette.muted)
        text.rstrip()
        return text
