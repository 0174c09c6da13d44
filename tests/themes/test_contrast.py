"""Contrast: WCAG AA for high-contrast themes, a softer floor for the others.

Ratios are computed with the WCAG 2.x relative-luminance formula on the colours Textual will
actually paint (its generated colour system, translucent text blended over its background).
A failure prints every failing pair as a table, not just the first.
"""

from __future__ import annotations

import pytest

from synctui import theming
from tests.themes import checks


def _table(pairs: list[checks.ContrastPair]) -> str:
    rows = [f"  {'text':<26}{'on':<14}{'colours':<20}{'ratio':>8}  needs"]
    for p in pairs:
        rows.append(
            f"  ${p.text:<25}${p.background:<13}{p.text_hex} / {p.background_hex:<9}"
            f"{p.ratio:>7.2f}  {p.required}"
        )
    return "\n".join(rows)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ((0, 0, 0), (255, 255, 255), 21.0),
        ((255, 255, 255), (255, 255, 255), 1.0),
        ((0x77, 0x77, 0x77), (255, 255, 255), 4.48),  # the classic "just fails AA" grey
        ((0x76, 0x76, 0x76), (255, 255, 255), 4.54),  # ... and the one that just passes
        ((255, 0, 0), (255, 255, 255), 4.0),
        ((0, 0, 255), (0, 0, 0), 2.44),
    ],
)
def test_contrast_formula_matches_reference_values(first, second, expected) -> None:
    assert checks.contrast_ratio(first, second) == pytest.approx(expected, abs=0.01)
    assert checks.contrast_ratio(second, first) == pytest.approx(expected, abs=0.01)


def _specs(*, high_contrast: bool) -> list[theming.ThemeSpec]:
    return [s for s in theming.builtin_themes() if s.high_contrast is high_contrast]


def test_there_is_a_high_contrast_theme() -> None:
    assert theming.HIGH_CONTRAST_THEME in {s.name for s in _specs(high_contrast=True)}


@pytest.mark.parametrize("spec", _specs(high_contrast=True), ids=lambda s: s.name)
def test_high_contrast_themes_meet_wcag_aa(spec: theming.ThemeSpec) -> None:
    pairs = checks.contrast_pairs(spec)
    names = {(p.text, p.background) for p in pairs}
    # The pairs the promise is about are really measured:
    for background in ("background", "surface", "panel"):
        assert ("foreground", background) in names
        for variable in theming.TEXT_VARIABLES:
            assert (variable, background) in names
    assert ("banner-text", "banner") in names
    assert all(p.required == checks.WCAG_AA_TEXT for p in pairs)
    failing = [p for p in pairs if not p.ok]
    assert not failing, f"{spec.name} fails WCAG AA:\n{_table(failing)}"


@pytest.mark.parametrize("spec", _specs(high_contrast=False), ids=lambda s: s.name)
def test_other_themes_are_readable(spec: theming.ThemeSpec) -> None:
    """Status/op colours ≥ 3:1 on background and surface; body text and banner ≥ 4.5:1."""
    failing = [p for p in checks.contrast_pairs(spec) if not p.ok]
    assert not failing, f"{spec.name} has hard-to-read pairs:\n{_table(failing)}"


def test_the_check_catches_a_weak_high_contrast_theme() -> None:
    """A theme that claims high contrast with a dim grey and a pale banner is reported."""
    source = next(s for s in theming.builtin_themes() if s.name == theming.HIGH_CONTRAST_THEME)
    weak = theming.parse_theme(
        {
            "name": "weak",
            "high_contrast": True,
            "colors": dict(source.colors),
            "variables": {
                **source.variables,
                "status-draft": "#555555",
                "banner": "#ffd75f",
                "banner-text": "#ffffff",
            },
        },
        "weak.toml",
    )
    failing = {(p.text, p.background) for p in checks.contrast_pairs(weak) if not p.ok}
    assert ("status-draft", "background") in failing
    assert ("status-draft", "panel") in failing
    assert ("banner-text", "banner") in failing
    assert ("status-active", "background") not in failing


def test_translucent_text_is_blended_before_measuring() -> None:
    spec = theming.parse_theme(
        {
            "name": "ghost",
            "colors": {"primary": "#336699", "background": "#000000", "foreground": "#ffffff22"},
        },
        "ghost.toml",
    )
    pair = next(
        p
        for p in checks.contrast_pairs(spec)
        if (p.text, p.background) == ("foreground", "background")
    )
    assert pair.ratio < 2, "13% white on black is nearly invisible, whatever its hex says"
