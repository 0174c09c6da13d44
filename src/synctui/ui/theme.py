"""Colours of synctui, as Textual theme variables — the one place a themes feature extends.

Status colours are CSS variables (`$status-active`, `$status-error`, ...) so every table,
badge and detail pane colours a status the same way, and a theme only overrides variables.
`get_theme_variable_defaults` (on the App) supplies the defaults below for Textual's built-in
themes; a synctui theme is a `Theme` whose `variables` override some of them. A later themes
feature adds files (user themes, per-account skins) and calls `register_themes` — no widget
needs to change.

The themes themselves are TOML files (the top-level `themes/` folder, user themes in
`~/.config/synctui/themes/`), parsed and validated by `synctui.theming`.

Every status is also spelled out in words next to a symbol, so nothing depends on colour
(16-colour terminals, `NO_COLOR`).
"""

from __future__ import annotations

from textual.app import App
from textual.theme import BUILTIN_THEMES

from synctui import theming

# Every synctui variable (status colours, read-only badge, feed operations, banner), as
# synctui-dark's file defines them: what the app hands Textual as variable defaults, so a
# Textual built-in theme (textual-light, nord...) can be picked without a CSS parse error.
STATUS_VARIABLES: dict[str, str] = theming.variable_defaults(dark=True)
DEFAULT_THEME = theming.DEFAULT_THEME


def register_themes(app: App[object]) -> list[str]:
    """Register the built-in theme files and the user's themes (see `synctui.theming`).

    Broken user theme files are reported here as warnings and skipped; the sentences are
    also returned so a caller can log them. Choosing which theme to show is separate
    (`theming.choose_theme`, or `pick_theme` below).
    """
    problems = theming.register_all(app)
    for problem in problems:
        app.notify(problem, title="Theme", severity="warning", timeout=10)
    return problems


def own_themes(app: App[object]) -> list[str]:
    """The themes synctui offers (palette, `:theme` completion): its built-in ones and the
    user's, default first — not the ~20 stock themes Textual registers by itself."""
    stock = set(BUILTIN_THEMES) - set(theming.theme_names())
    names = sorted(name for name in app.available_themes if name not in stock)
    if DEFAULT_THEME in names:
        names.remove(DEFAULT_THEME)
        names.insert(0, DEFAULT_THEME)
    return names


def pick_theme(app: App[object], requested: str | None) -> str | None:
    """Apply `requested` if it is known; returns a warning sentence when it is not."""
    name = requested or DEFAULT_THEME
    if name not in app.available_themes:
        app.theme = DEFAULT_THEME
        known = ", ".join(sorted(app.available_themes))
        return f"unknown theme {requested!r}; using {DEFAULT_THEME} (themes: {known})"
    app.theme = name
    return None
