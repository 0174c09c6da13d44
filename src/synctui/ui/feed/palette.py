"""Concrete colours for the feed viewer, read from the theme's CSS variables.

The list paints Rich segments (line API), so it needs real colours rather than CSS. They come
from the active theme's variables — `$op-created`, `$op-updated`, `$op-deleted`, which a
theme may define — and fall back to the standard semantic colours when a theme does not.
Reading them here rather than writing `$op-created` in CSS matters: an undefined variable in
CSS is a parse error, and this screen is pushed by apps whose themes may not define it yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from textual.app import App
from textual.color import Color

OP_VARIABLES: dict[str, str] = {
    "created": "op-created",
    "updated": "op-updated",
    "deleted": "op-deleted",
}
# What an app may return from `get_theme_variable_defaults` to define the variables itself.
OP_VARIABLE_DEFAULTS: dict[str, str] = {
    "op-created": "#4ebf71",
    "op-updated": "#58a6ff",
    "op-deleted": "#e5534b",
}
_FALLBACKS: dict[str, tuple[str, ...]] = {
    "op-created": ("text-success", "success"),
    "op-updated": ("text-primary", "primary"),
    "op-deleted": ("text-error", "error"),
}


@dataclass(frozen=True)
class FeedPalette:
    created: Style
    updated: Style
    deleted: Style
    muted: Style
    partial: Style
    resolved: Style
    accent: Style
    error: Style
    warning: Style
    success: Style
    selected: Style  # a chosen filter chip

    def operation(self, operation: str) -> Style:
        return {"created": self.created, "updated": self.updated, "deleted": self.deleted}.get(
            operation, self.muted
        )


def _color(variables: dict[str, str], names: tuple[str, ...], default: str) -> Color:
    for name in names:
        value = variables.get(name)
        if not value:
            continue
        try:
            return Color.parse(value)
        except Exception:  # a value Textual cannot parse on its own (e.g. "auto 60%")
            continue
    return Color.parse(default)


def palette_for(app: App[object]) -> FeedPalette:
    """The palette of the app's current theme (cheap; callers cache it per theme name)."""
    variables = dict(app.theme_variables or app.get_css_variables())
    background = _color(variables, ("surface", "background"), "#1e1e1e")

    def solid(*names: str, default: str) -> Color:
        return background + _color(variables, names, default)  # blend any alpha over the bg

    def op(variable: str) -> Color:
        return solid(variable, *_FALLBACKS[variable], default=OP_VARIABLE_DEFAULTS[variable])

    muted = solid("foreground-muted", "text-muted", default="#8b949e")
    return FeedPalette(
        created=Style(color=op("op-created").rich_color, bold=True),
        updated=Style(color=op("op-updated").rich_color, bold=True),
        deleted=Style(color=op("op-deleted").rich_color, bold=True),
        muted=Style(color=muted.rich_color),
        partial=Style(color=solid("text-warning", "warning", default="#e3b341").rich_color),
        resolved=Style(color=solid("text-success", "success", default="#4ebf71").rich_color),
        accent=Style(color=solid("text-accent", "accent", default="#e3b341").rich_color, bold=True),
        error=Style(color=solid("text-error", "error", default="#e5534b").rich_color, bold=True),
        warning=Style(color=solid("text-warning", "warning", default="#e3b341").rich_color),
        success=Style(color=solid("text-success", "success", default="#4ebf71").rich_color),
        selected=Style(
            color=solid("foreground", default="#e0e0e0").rich_color,
            bgcolor=solid("primary", default="#0178d4").rich_color,
            bold=True,
        ),
    )


class PaletteCache:
    """One palette per theme name, rebuilt only when the theme changes."""

    def __init__(self) -> None:
        self._theme: str | None = None
        self._palette: FeedPalette | None = None

    def get(self, app: App[object]) -> FeedPalette:
        if self._palette is None or self._theme != app.theme:
            self._palette = palette_for(app)
            self._theme = app.theme
        return self._palette
