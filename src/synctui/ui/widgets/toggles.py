"""Checkboxes and radio buttons whose state reads without colour.

Textual draws every toggle as `▐X▌` (a radio button `▐●▌`) and tells on from off by colour
alone: in 16 colours, with NO_COLOR or on a screen reader's text, a ticked and an unticked box
look the same. These draw the state itself — `[x]` / `[ ]` and `(•)` / `( )` — and keep
Textual's colours on top; the focused one's label is underlined.
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


# Focus is shown by the label's style as well as its colours: underlined, it reads in
# NO_COLOR and 16 colours too.
FOCUS_CSS = """
{name}:focus > .toggle--label,
{name}.-textual-compact:focus > .toggle--label {{ text-style: bold underline; }}
"""


class Checkbox(_Checkbox):
    """`[x] label` when ticked, `[ ] label` when not."""

    DEFAULT_CSS = FOCUS_CSS.format(name="Checkbox")

    @property
    def _button(self) -> Content:
        return _mark(self, "[", "x", "]")


class RadioButton(_RadioButton):
    """`(•) label` when chosen, `( ) label` when not."""

    DEFAULT_CSS = FOCUS_CSS.format(name="RadioButton")

    @property
    def _button(self) -> Content:
        return _mark(self, "(", "•", ")")


__all__ = ["Checkbox", "RadioButton"]
