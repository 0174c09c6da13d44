"""The one-line header: where you are, how many rows, sort, filter, load state, the lock.

One line rather than Textual's `Header` because 24 rows is all an SSH session may have.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

# A section of the line: plain text, styled text, or (text, style).
Section = Content | str | tuple[str, str]


def status_text(*sections: Section | None) -> Content:
    """The line every screen shows: " synctui", then each section, " │ " between them
    (an empty or None section is left out: a state that does not hold right now)."""
    parts: list[Section] = [(" synctui", "bold $text-accent")]
    for section in sections:
        if section:
            parts += [" │ ", section]
    return Content.assemble(*parts)


class StatusLine(Horizontal):
    DEFAULT_CSS = """
    StatusLine {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    StatusLine > #status-text { width: 1fr; height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    StatusLine > #status-lock {
        width: auto;
        height: 1;
        display: none;
        background: $readonly-badge;
        color: $text;
        text-style: bold;
        padding: 0 1;
    }
    StatusLine.-locked > #status-lock { display: block; }
    """

    def __init__(self, *, locked: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_class(locked, "-locked")

    def compose(self) -> ComposeResult:
        yield Static(" synctui", id="status-text", markup=False)
        yield Static("READ-ONLY", id="status-lock", markup=False)

    def show(self, content: Content | str) -> None:
        # One line of fixed size whatever it says: no layout pass (it runs on every key).
        self.query_one("#status-text", Static).update(content, layout=False)

    @property
    def text(self) -> str:
        """Plain text of the line (tests and the help screen read it)."""
        rendered = self.query_one("#status-text", Static).content
        return str(rendered)

    @property
    def locked(self) -> bool:
        return self.has_class("-locked")
