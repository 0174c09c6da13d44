"""A JSON text area validated as you type, with the error's line and column under it.

Textual highlights JSON through tree-sitter, which is an optional extra. Without it the area
would be plain text, so `JsonTextArea` falls back to a small tokenizer that fills the same
highlight map tree-sitter would (labels, strings, numbers, literals): the colours then come
from the same TextArea theme either way.
"""

from __future__ import annotations

import re
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static, TextArea

from synctui.ui.editing.document import JsonProblem, parse_json_object, pretty

_TOKEN = re.compile(
    r'(?P<string>"(?:[^"\\]|\\.)*"?)(?P<colon>\s*:)?'
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
    r"|(?P<literal>\btrue\b|\bfalse\b|\bnull\b)"
)


def _tree_sitter_json() -> bool:
    try:
        from textual._tree_sitter import TREE_SITTER, get_language
    except ImportError:  # pragma: no cover - a Textual without the module
        return False
    return bool(TREE_SITTER) and get_language("json") is not None


class JsonTextArea(TextArea):
    """`TextArea` with language="json" when tree-sitter has it, else regex highlighting."""

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        native = _tree_sitter_json()
        self._fallback = not native  # read by _build_highlight_map during super().__init__
        super().__init__(
            text, language="json" if native else None, show_line_numbers=True, **kwargs
        )

    def _build_highlight_map(self) -> None:
        if not self._fallback:
            super()._build_highlight_map()
            return
        self._line_cache.clear()
        highlights = self._highlights
        highlights.clear()
        for row, line in enumerate(self.document.lines):
            for match in _TOKEN.finditer(line):
                kind = match.lastgroup
                if match.group("string") is not None:
                    start, end = match.span("string")
                    name = "json.label" if match.group("colon") else "string"
                    highlights[row].append((start, end, name))
                elif kind == "number":
                    highlights[row].append((*match.span(), "number"))
                elif kind == "literal":
                    highlights[row].append((*match.span(), "boolean"))


class JsonEditor(Vertical):
    """The text area plus one line saying whether the JSON is usable, and where it is not."""

    DEFAULT_CSS = """
    JsonEditor { height: 1fr; }
    JsonEditor JsonTextArea { height: 1fr; }
    JsonEditor #json-problem { height: auto; max-height: 3; padding: 0 1; }
    JsonEditor #json-problem.-bad { color: $text-error; }
    """

    class Edited(Message):
        """The text changed: the parsed object, or the problem that stops it parsing."""

        def __init__(
            self, editor: JsonEditor, doc: dict[str, Any] | None, problem: JsonProblem | None
        ) -> None:
            super().__init__()
            self.editor = editor
            self.doc = doc
            self.problem = problem

        @property
        def control(self) -> JsonEditor:
            return self.editor

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.problem: JsonProblem | None = None
        self._loading = False

    def compose(self) -> ComposeResult:
        yield JsonTextArea(id="json-area")
        yield Static("", id="json-problem")

    @property
    def area(self) -> JsonTextArea:
        return self.query_one(JsonTextArea)

    @property
    def text(self) -> str:
        return self.area.text

    def load(self, doc: dict[str, Any] | None = None, text: str | None = None) -> None:
        """Show `text` as typed (a draft with broken JSON) or `doc` pretty-printed."""
        self._loading = True
        self.area.load_text(text if text is not None else pretty(doc or {}))
        self._check(post=False)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self._loading:
            self._loading = False
            return
        self._check(post=True)

    def _check(self, *, post: bool) -> None:
        doc, problem = parse_json_object(self.area.text)
        self.problem = problem
        line = self.query_one("#json-problem", Static)
        line.set_class(problem is not None, "-bad")
        if problem is None:
            line.update(Content.styled("✓ valid JSON", "$text-success"))
        else:
            line.update(Content(f"✗ invalid JSON at {problem}"))
        if post:
            self.post_message(self.Edited(self, doc, problem))
