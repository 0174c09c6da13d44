"""synctui themes as Textual themes: conversion (checked at once, so a bad value fails with
the file's name) and registration of every installed theme with an app. Textual is imported
when a theme is converted, never when this module is.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from synctui.theming.sources import all_themes, builtin_themes
from synctui.theming.spec import ThemeError, ThemeSpec

if TYPE_CHECKING:
    from textual.app import App
    from textual.theme import Theme


def to_textual(spec: ThemeSpec) -> Theme:
    """A Textual `Theme` with every synctui variable filled in.

    The colour system is generated once here, so a value Textual cannot use fails now, with
    the file's name, instead of later while the app repaints.
    """
    from textual.theme import Theme

    extra: dict[str, Any] = {}
    if spec.text_alpha is not None:
        extra["text_alpha"] = spec.text_alpha
    if spec.luminosity_spread is not None:
        extra["luminosity_spread"] = spec.luminosity_spread
    colors = spec.colors
    theme = Theme(
        name=spec.name,
        primary=colors["primary"],
        secondary=colors.get("secondary"),
        warning=colors.get("warning"),
        error=colors.get("error"),
        success=colors.get("success"),
        accent=colors.get("accent"),
        foreground=colors.get("foreground"),
        background=colors.get("background"),
        surface=colors.get("surface"),
        panel=colors.get("panel"),
        boost=colors.get("boost"),
        dark=spec.dark,
        variables=spec.resolved_variables(),
        **extra,
    )
    try:
        theme.to_color_system().generate()
    except Exception as exc:
        raise ThemeError(spec.source, f"Textual cannot use this theme: {exc}") from exc
    return theme


def register_all(app: App[Any], *, user_dir: str | Path | None = None) -> list[str]:
    """Register every built-in and user theme with `app`; return sentences to show the user.

    Call it once, before the first `app.theme = ...`. It does not choose a theme: pass
    `app.available_themes` to `choose_theme`, which falls back when the wanted one is
    missing or was broken.
    """
    specs, problems = all_themes(user_dir)
    for spec in specs.values():
        try:
            theme = to_textual(spec)
        except ThemeError as exc:
            problems.append(str(exc))
            if spec.builtin:
                continue
            # A user file that replaced a built-in but fails only now: keep the built-in.
            builtin = next((b for b in builtin_themes() if b.name == spec.name), None)
            if builtin is None:
                continue
            theme = to_textual(builtin)
        app.register_theme(theme)
    return problems
