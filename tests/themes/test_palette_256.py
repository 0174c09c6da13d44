"""synctui-256: every colour is exactly an xterm-256 palette entry (cube or grey ramp)."""

from __future__ import annotations

import pytest

from synctui import theming
from tests.themes import checks


def test_palette_is_the_xterm_cube_and_grey_ramp() -> None:
    palette = checks.xterm_256_palette()
    assert len(palette) == 240
    assert set(palette.values()) == set(range(16, 256))
    assert palette["#000000"] == 16
    assert palette["#ff0000"] == 196
    assert palette["#5f87ff"] == 69
    assert palette["#ffffff"] == 231
    assert palette["#080808"] == 232
    assert palette["#eeeeee"] == 255


def _declaring() -> list[theming.ThemeSpec]:
    return [s for s in theming.builtin_themes() if s.palette == theming.PALETTE_XTERM_256]


def test_synctui_256_declares_the_palette() -> None:
    assert [s.name for s in _declaring()] == [theming.XTERM_256_THEME]


@pytest.mark.parametrize("spec", _declaring(), ids=lambda s: s.name)
def test_every_colour_is_a_palette_entry(spec: theming.ThemeSpec) -> None:
    assert spec.colors and spec.variables
    problems = checks.palette_problems(spec)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("spec", _declaring(), ids=lambda s: s.name)
def test_textual_keeps_each_base_colour_on_its_palette_entry(spec: theming.ThemeSpec) -> None:
    """Textual may move a generated colour by one unit (Lab round trip); a 256-colour
    terminal then rounds it to the nearest entry, which must still be the declared one."""
    palette = checks.xterm_256_palette()
    generated = theming.to_textual(spec).to_color_system().generate()

    def nearest(value: str) -> int:
        rgb = theming.parse_rgba(value)[:3]
        best = min(
            palette,
            key=lambda h: sum(
                (int(h[i : i + 2], 16) - c) ** 2 for i, c in zip((1, 3, 5), rgb, strict=True)
            ),
        )
        return palette[best]

    for key, declared in spec.colors.items():
        assert nearest(generated[key]) == palette[declared.lower()], key


def test_an_off_palette_colour_is_reported_with_its_nearest_entry() -> None:
    spec = theming.parse_theme(
        {
            "name": "almost",
            "palette": "xterm-256",
            "colors": {"primary": "#5f88ff", "background": "#1c1c1c"},
            "variables": {"banner": "#af000080"},
        },
        "almost.toml",
    )
    problems = checks.palette_problems(spec)
    assert len(problems) == 2
    assert "colors.primary = '#5f88ff' is not in the xterm-256 palette" in problems[0]
    assert "#5f87ff, index 69" in problems[0]
    assert "variables.banner" in problems[1] and "translucent" in problems[1]
