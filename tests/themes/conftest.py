"""Helpers for the theme tests: writing user theme files into the isolated config dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from synctui.store.paths import user_themes_dir

MINIMAL = """
name = "{name}"
[colors]
primary = "#336699"
"""


@pytest.fixture
def themes_dir() -> Path:
    """The user themes folder inside the per-test config dir (created)."""
    folder = user_themes_dir()
    folder.mkdir(parents=True)
    return folder


def write(folder: Path, filename: str, text: str) -> Path:
    path = folder / filename
    path.write_text(text, encoding="utf-8")
    return path
