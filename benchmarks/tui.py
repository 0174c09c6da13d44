"""Helpers for the benchmarks that drive a Textual app headless (`App.run_test`).

Headless apps still lay out and render every frame (only the write to a terminal is skipped),
so wrapping a widget class's `render_line` tells when a frame really contained something.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

SIZE = (120, 40)  # the terminal every headless benchmark uses
TIMEOUT = 300.0


class PaintProbe:
    """Wraps a widget class's `render_line` to note when it first paints a data row while
    holding `rows` rows (headless apps still render every frame; they only skip the write)."""

    def __init__(self, widget_class: type, holds: Callable[[Any], int], rows: int) -> None:
        self.painted_at: float | None = None
        self.armed = False
        original = widget_class.render_line

        def render_line(widget: Any, y: int) -> Any:
            strip = original(widget, y)
            if self.armed and self.painted_at is None and y >= 1 and holds(widget) == rows:
                self.painted_at = time.perf_counter()
            return strip

        widget_class.render_line = render_line  # type: ignore[method-assign]


async def wait_until(
    pilot: Any, done: Callable[[], bool], what: str, timeout: float = TIMEOUT
) -> None:
    """Let the app run until `done()` holds; the timeout only turns a hang into an error."""
    deadline = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        await pilot.pause(0.002)


def host_app(widget_factory: Callable[[], Any]) -> Any:
    """A bare app around one widget (with synctui's status colours, which its CSS needs)."""
    from textual.app import App, ComposeResult

    class Host(App[None]):
        def get_theme_variable_defaults(self) -> dict[str, str]:
            try:  # the status colours the VirtualTable's CSS refers to
                from synctui.ui.theme import STATUS_VARIABLES
            except ImportError:
                return {}
            return dict(STATUS_VARIABLES)

        def compose(self) -> ComposeResult:
            yield widget_factory()

    return Host()
