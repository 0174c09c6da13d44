"""Colours of synctui, as Textual theme variables — the one place a themes feature extends.

Status colours are CSS variables (`$status-active`, `$status-error`, ...) so every table,
badge and detail pane colours a status the same way, and a theme only overrides variables.
`get_theme_variable_defaults` (on the App) supplies the defaults below for Textual's built-in
themes; a synctui theme is a `Theme` whose `variables` override some of them. A later themes
feature adds files (user themes, per-account skins) and calls `register_themes` — no widget
needs to change.

Every status is also spelled out in words next to a symbol, so nothing depends on colour
(16-colour terminals, `NO_COLOR`).
"""

from __future__ import annotations

from textual.app import App
from textual.theme import Theme

STATUS_VARIABLES: dict[str, str] = {
    "status-active": "#4ebf71",
    "status-paused": "#e0b341",
    "status-error": "#e5534b",
    "status-draft": "#8b949e",
    "status-initializing": "#39c5cf",
    "status-idle": "#6e9fff",
    "status-legacy": "#c678dd",
    "status-unknown": "#8b949e",
    "readonly-badge": "#e5534b",
}

SYNCTUI_DARK = Theme(
    name="synctui-dark",
    primary="#2f81f7",
    secondary="#1f6feb",
    accent="#e3b341",
    warning="#e3b341",
    error="#e5534b",
    success="#4ebf71",
    foreground="#d8dee4",
    background="#0d1117",
    surface="#161b22",
    panel="#1c2330",
    dark=True,
    variables=dict(STATUS_VARIABLES),
)

SYNCTUI_LIGHT = Theme(
    name="synctui-light",
    primary="#0969da",
    secondary="#0550ae",
    accent="#9a6700",
    warning="#9a6700",
    error="#cf222e",
    success="#1a7f37",
    foreground="#1f2328",
    background="#ffffff",
    surface="#f6f8fa",
    panel="#eaeef2",
    dark=False,
    variables={
        **STATUS_VARIABLES,
        "status-active": "#1a7f37",
        "status-paused": "#9a6700",
        "status-error": "#cf222e",
        "status-draft": "#57606a",
        "status-initializing": "#0a7c86",
        "status-idle": "#0550ae",
        "status-legacy": "#8250df",
        "status-unknown": "#57606a",
        "readonly-badge": "#cf222e",
    },
)

THEMES: tuple[Theme, ...] = (SYNCTUI_DARK, SYNCTUI_LIGHT)
DEFAULT_THEME = SYNCTUI_DARK.name


def register_themes(app: App[object]) -> None:
    for theme in THEMES:
        app.register_theme(theme)


def pick_theme(app: App[object], requested: str | None) -> str | None:
    """Apply `requested` if it is known; returns a warning sentence when it is not."""
    name = requested or DEFAULT_THEME
    if name not in app.available_themes:
        app.theme = DEFAULT_THEME
        known = ", ".join(sorted(app.available_themes))
        return f"unknown theme {requested!r}; using {DEFAULT_THEME} (themes: {known})"
    app.theme = name
    return None
