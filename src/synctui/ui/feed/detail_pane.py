"""The pane under the list: the selected change's snapshot, history and diff.

It follows the cursor. Loading happens in a thread worker on the screen; this widget only
renders a `ChangeDetail`. JSON and diffs go through `textual.highlight`, whose colours come
from the theme, so the pane matches light and dark themes alike.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.highlight import highlight
from textual.widgets import Static

from synctui.ui.feed.detail_model import HISTORY_SHOWN, ChangeDetail, pretty_json
from synctui.ui.feed.palette import PaletteCache
from synctui.ui.feed.rows import PARTIAL_MARK, RESOLVED_MARK


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
    DetailPane.-empty #detail-body { display: none; }
    DetailPane #detail-summary { height: 1; color: $text-muted; }
    DetailPane #detail-body { height: 1fr; }
    DetailPane #detail-snapshot-scroll { width: 1fr; height: 1fr; }
    DetailPane #detail-side { width: 1fr; height: 1fr; border-left: vkey $primary 30%; padding-left: 1; }
    DetailPane #detail-history { height: auto; max-height: 45%; }
    DetailPane #detail-diff-title { height: 1; margin-top: 1; text-style: bold; }
    DetailPane #detail-diff-scroll { height: 1fr; }
    DetailPane .title { text-style: bold; height: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="-empty")
        self._palettes = PaletteCache()
        self.detail: ChangeDetail | None = None
        self.border_title = "Detail"

    def compose(self) -> ComposeResult:
        yield Static("Select a change to see its snapshot and history.", id="detail-summary")
        with Horizontal(id="detail-body"):
            with VerticalScroll(id="detail-snapshot-scroll"):
                yield Static("", id="detail-snapshot-title", classes="title")
                yield Static("", id="detail-snapshot")
            with Vertical(id="detail-side"):
                yield Static("", id="detail-history-title", classes="title")
                with VerticalScroll(id="detail-history"):
                    yield Static("", id="detail-history-lines")
                yield Static("", id="detail-diff-title")
                with VerticalScroll(id="detail-diff-scroll"):
                    yield Static("", id="detail-diff")

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
        line = Text()
        line.append(change.entity_id, style="bold")
        if change.sequence_version is not None:
            line.append(f"  seq {change.sequence_version}", style=palette.muted)
        if detail.project_name:
            line.append(f"  project {detail.project_name}", style=palette.muted)
        if change.resolved:
            line.append(f"  {RESOLVED_MARK} partial, resolved by #{change.resolved_by}", style=palette.resolved)
        elif change.partial:
            line.append(f"  {PARTIAL_MARK} partial: a field is still unknown", style=palette.partial)
        summary.update(line)

        title = "Last known snapshot" if detail.snapshot_is_last_known else "Snapshot"
        self.query_one("#detail-snapshot-title", Static).update(title)
        snapshot = self.query_one("#detail-snapshot", Static)
        if detail.snapshot is None:
            snapshot.update(Content("(no snapshot: deleted before any was seen)"))
        else:
            snapshot.update(highlight(pretty_json(detail.snapshot), language="json"))

        self._show_history(detail)
        self.query_one("#detail-diff-title", Static).update(
            Text.assemble(("Diff vs previous  ", "bold"), (detail.summary, palette.muted))
        )
        diff = self.query_one("#detail-diff", Static)
        diff.update(highlight("\n".join(detail.diff), language="diff") if detail.diff else "")

    def _show_history(self, detail: ChangeDetail) -> None:
        palette = self._palettes.get(self.app)
        history = detail.history
        here = detail.position
        start = max(0, min(here - HISTORY_SHOWN // 2, len(history) - HISTORY_SHOWN))
        shown = history[start : start + HISTORY_SHOWN]
        self.query_one("#detail-history-title", Static).update(f"History ({len(history)})")
        text = Text()
        if start:
            text.append(f"  … {start} earlier\n", style=palette.muted)
        for item in shown:
            current = item.id == detail.change.id
            text.append("▶ " if current else "  ", style=palette.accent)
            seq = "-" if item.sequence_version is None else str(item.sequence_version)
            text.append(f"{seq:>10} ", style=palette.muted)
            text.append(f"{item.operation:<8}", style=palette.operation(item.operation))
            text.append(f" #{item.id}", style="bold" if current else palette.muted)
            if item.resolved:
                text.append(f" {RESOLVED_MARK}", style=palette.resolved)
            elif item.partial:
                text.append(f" {PARTIAL_MARK}", style=palette.partial)
            text.append("\n")
        rest = len(history) - start - len(shown)
        if rest > 0:
            text.append(f"  … {rest} later\n", style=palette.muted)
        text.rstrip()
        self.query_one("#detail-history-lines", Static).update(text)
