"""Checkboxes and radio buttons whose state reads without colour.

Textual draws every toggle as `▐X▌` (a radio button `▐●▌`) and tells on from off by colour
alone: in 16 colours, with NO_COLOR or on a screen reader's text, a ticked and an unticked box
look the same. These draw the state itself — `[x]` / `[ ]` and `(•)` / `( )` — and keep
Textual's colours on top.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox as _Checkbox
from textual.widgets import RadioButton as _RadioButton


def _mark(widget: _Checkbox | _RadioButton, left: str, on: str, right: str) -> Content:
    button_style = widget.get_visual_style("toggle--button")
    frame_style = widget.get_visual_style("toggle--label")
    return Content.assemble(
        (left, frame_style),
        (on if widget.value else " ", button_style),
        (right, frame_style),
    )


class Checkbox(_Checkbox):
    """`[x] label` when ticked, `[ ] label` when not."""

    @property
    def _button(self) -> Content:
        return _mark(self, "[", "x", "]")


class RadioButton(_RadioButton):
    """`(•) label` when chosen, `( ) label` when not."""

    @property
    def _button(self) -> Content:
        return _mark(self, "(", "•", ")")


__all__ = ["Checkbox", "RadioButton"]
