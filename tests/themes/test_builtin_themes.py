"""The shipped theme files: all load, all convert, the fallback sources are complete."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from textual.theme import Theme

from synctui import theming
from synctui.theming import sources

REPO_THEMES = Path(__file__).resolve().parents[2] / "themes"


def test_the_five_documented_themes_ship() -> None:
    names = {spec.name for spec in theming.builtin_themes()}
    assert set(theming.BUILTIN_THEME_NAMES) <= names
    assert theming.builtin_problems() == []


@pytest.mark.parametrize("path", sorted(REPO_THEMES.glob("*.toml")), ids=lambda p: p.stem)
def test_every_file_loads_and_converts(path: Path) -> None:
    spec = theming.load_theme_file(path)
    assert spec.warnings == ()
    assert spec.name == path.stem, "a built-in's file is named after its theme"
    theme = theming.to_textual(spec)
    assert isinstance(theme, Theme)
    assert theme.name == spec.name
    assert set(theming.SYNCTUI_VARIABLES) <= set(theme.variables)
    generated = theme.to_color_system().generate()
    # Textual round-trips base colours through Lab space, which may move a channel by one.
    painted = theming.parse_rgba(generated["primary"])[:3]
    declared = theming.parse_rgba(spec.colors["primary"])[:3]
    assert max(abs(a - b) for a, b in zip(painted, declared, strict=True)) <= 1


@pytest.mark.parametrize("name", [theming.DEFAULT_THEME, theming.LIGHT_THEME])
def test_fallback_sources_define_every_variable(name: str) -> None:
    """synctui-dark and -light are where missing variables come from: they must be complete."""
    spec = next(s for s in theming.builtin_themes() if s.name == name)
    assert set(spec.variables) == set(theming.SYNCTUI_VARIABLES)
    assert spec.colors.keys() >= set(theming.COLOR_KEYS) - {"boost"}


def test_every_builtin_declares_every_variable() -> None:
    """Built-ins do not lean on the fallback: each look is complete and deliberate."""
    for spec in theming.builtin_themes():
        missing = set(theming.SYNCTUI_VARIABLES) - set(spec.variables)
        assert not missing, f"{spec.name} leaves out {sorted(missing)}"


def test_last_resort_variables_match_the_dark_file() -> None:
    with open(REPO_THEMES / "synctui-dark.toml", "rb") as handle:
        dark = tomllib.load(handle)
    assert dark["variables"] == sources.LAST_RESORT_VARIABLES


def test_production_never_looks_like_the_default() -> None:
    """The production skin differs from synctui-dark where the eye lands first."""
    specs = {s.name: s for s in theming.builtin_themes()}
    prod, dark = specs[theming.PRODUCTION_THEME], specs[theming.DEFAULT_THEME]
    for key in ("primary", "accent", "background", "panel"):
        assert prod.colors[key] != dark.colors[key], key
    red, green, blue, _ = theming.parse_rgba(prod.variables["banner"])
    assert red > 2 * max(green, blue), "the production banner is red"
    red, green, blue, _ = theming.parse_rgba(prod.colors["panel"])
    assert red > green and red > blue, "production panels carry a red tint"


def test_ui_theme_module_keeps_its_exports() -> None:
    from synctui.ui import theme

    assert theme.DEFAULT_THEME == "synctui-dark"
    assert set(theming.SYNCTUI_VARIABLES) <= set(theme.STATUS_VARIABLES)
    assert theme.STATUS_VARIABLES["status-active"] == "#4ebf71"


def _imported_modules(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return set(out.split())


def test_parsing_and_settings_do_not_import_textual() -> None:
    """`synctui --version` and headless commands must not pay Textual's import time."""
    modules = _imported_modules(
        "from synctui import settings, theming\n"
        "assert len(theming.builtin_themes()) >= 5\n"
        "theming.theme_names(); settings.load_settings()\n"
        "theming.choose_theme(None, 'synctui-production', None)"
    )
    assert not any(m == "textual" or m.startswith("textual.") for m in modules)
    assert "pydantic" not in modules
