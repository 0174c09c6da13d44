"""The bottom input used for `/` (filter as you type) and `:` (commands), k9s style."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.suggester import SuggestFromList
from textual.widgets import Input


class PromptBar(Input):
    """Hidden until opened; Esc closes it, Enter submits. The prefix shows which mode."""

    DEFAULT_CSS = """
    PromptBar {
        dock: bottom;
        height: 1;
        border: none;
        padding: 0 1;
        display: none;
        background: $panel;
    }
    PromptBar:focus { border: none; background: $panel-lighten-1; }
    PromptBar.-open { display: block; }
    """

    # Input widens its virtual size with every character typed, and by default that asks for
    # a layout of the whole screen. The bar's own size never depends on its text (one line,
    # the full width), so a keystroke repaints it and no more: the table filtering behind it
    # is painted a layout pass sooner.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    BINDINGS = [
        Binding("escape", "cancel", "Close", id="prompt.cancel"),
        Binding("tab", "complete", "Complete", show=False, id="prompt.complete"),
    ]

    def __init__(self, *args: Any, on_edit: Callable[[str], None] | None = None, **kw: Any):
        """`on_edit` is called with the text at each edit, in the same event as the key: what
        it changes (the filtered table) is painted in the same frame as the character,
        rather than a frame later when `Input.Changed` has made its way up."""
        super().__init__(*args, **kw)
        self.on_edit = on_edit

    def watch_value(self, value: str) -> None:
        if self.on_edit is not None:
            self.on_edit(value)

    def on_mount(self) -> None:
        # A blinking cursor repaints twice a second forever: bytes over SSH for nothing.
        self.cursor_blink = False

    class Cancelled(Message):
        def __init__(self, bar: PromptBar) -> None:
            super().__init__()
            self.bar = bar

        @property
        def control(self) -> PromptBar:
            return self.bar

    def open(self, value: str = "", suggestions: list[str] | None = None) -> None:
        self.suggester = SuggestFromList(suggestions, case_sensitive=False) if suggestions else None
        self.value = value
        self.cursor_position = len(value)
        self.add_class("-open")
        # At once, not after the queued events (`focus()` waits for them): keys typed right
        # after `/` (a paste, a fast typist, a busy app) must land here, not in the table.
        self.screen.set_focus(self)

    def close(self) -> None:
        self.remove_class("-open")

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def action_complete(self) -> None:
        """Tab takes the grey suggestion (k9s and shells do the same)."""
        if self._suggestion and len(self._suggestion) > len(self.value):
            self.value = self._suggestion
            self.cursor_position = len(self.value)

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled(self))
