"""The three header lines: totals and scan progress, counts per reason, counts per account.

Three single lines (not Textual's `Header`) because 24 rows may be all an SSH session has;
the first is the house `StatusLine`, so the READ-ONLY lock shows exactly as elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from synctui.ui.triage.board import Board, tone_of
from synctui.ui.widgets.status_line import StatusLine


class AttentionHeader(Vertical):
    DEFAULT_CSS = """
    AttentionHeader { height: auto; }
    AttentionHeader > StatusLine { dock: none; }
    AttentionHeader > #counts, AttentionHeader > #accounts {
        height: 1; padding: 0 1; background: $panel; text-wrap: nowrap; text-overflow: ellipsis;
    }
    AttentionHeader > #accounts { color: $text-muted; }
    """

    def __init__(self, *, locked: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self.locked = locked

    def compose(self) -> ComposeResult:
        yield StatusLine(locked=self.locked, id="status")
        yield Static(id="counts", markup=False)
        yield Static(id="accounts", markup=False)

    def show(self, board: Board, names: Sequence[str]) -> None:
        """Paint from the board; `names` are the accounts to list before a scan reports."""
        self.query_one("#status", StatusLine).show(self._totals(board))
        self.query_one("#counts", Static).update(self._reasons(board))
        self.query_one("#accounts", Static).update(self._accounts(board, names))

    @staticmethod
    def _totals(board: Board) -> Content:
        total = sum(board.scanned.values())
        parts: list[Any] = [" Attention │ ", (f"{len(board.items)}", "bold")]
        parts.append(f" need a person of {total} syncs")
        if board.pending:
            done = len(board.accounts) - len(board.pending)
            parts.append((f" │ scanning {done}/{len(board.accounts)} accounts…", "$text-accent"))
        if board.filter_text:
            parts += [" │ filter: ", (board.filter_text, "bold $text-accent")]
        return Content.assemble(*parts)

    @staticmethod
    def _reasons(board: Board) -> Content:
        pieces: list[Any] = []
        for label, n in board.counts().items():
            style = f"$status-{tone_of(label)}"
            pieces += [(f"{label} ", style), (str(n), f"bold {style}"), "  "]
        if not pieces:
            return Content.styled("no trouble found (yet)", "$text-muted")
        return Content.assemble(*pieces)

    @staticmethod
    def _accounts(board: Board, names: Sequence[str]) -> Content:
        pieces: list[Any] = []
        per_account = board.account_counts()
        for name in board.accounts or names:
            if name in board.failures:
                pieces += [(f"✖ {name}", "$status-error"), "  "]
            elif name in board.pending:
                pieces += [f"{name} …", "  "]
            elif name in per_account:
                pieces += [f"{name} ", (str(per_account[name]), "bold"), "  "]
        return Content.assemble(*pieces)
