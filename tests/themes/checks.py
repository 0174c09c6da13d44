"""Theme checks the tests hold every theme to: WCAG contrast of each text/background pair
synctui paints, and membership of the xterm 256-colour palette for themes that promise it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from synctui.theming import TEXT_VARIABLES, ThemeSpec, parse_rgba, to_textual
from synctui.theming.colours import PERCENT_RE, TEXT_STYLE_WORDS

WCAG_AA_TEXT = 4.5  # WCAG 2.x 1.4.3, normal-size text
WCAG_NON_TEXT = 3.0  # WCAG 2.x 1.4.11, symbols/badges that carry meaning


def relative_luminance(rgb: Sequence[float]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour given as 0-255 channels."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in rgb[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: Sequence[float], second: Sequence[float]) -> float:
    """WCAG contrast ratio (1 to 21) between two opaque sRGB colours."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class ContrastPair:
    """One text-on-background pair as Textual will paint it, with its measured ratio."""

    text: str  # variable names, e.g. "status-error"
    background: str
    text_hex: str
    background_hex: str
    ratio: float
    required: float

    @property
    def ok(self) -> bool:
        return self.ratio >= self.required

    def describe(self) -> str:
        return (
            f"${self.text} {self.text_hex} on ${self.background} {self.background_hex}: "
            f"{self.ratio:.2f}:1 (needs {self.required}:1)"
        )


def contrast_pairs(spec: ThemeSpec, *, strict: bool | None = None) -> list[ContrastPair]:
    """Every text/background pair synctui paints in this theme, measured.

    Values come from Textual's generated colour system (so derived colours such as
    `$text-accent` are judged as painted); translucent text is blended over its
    background first. `strict` (default: the theme's `high_contrast`) requires WCAG AA
    4.5:1 everywhere; otherwise status, operation and badge colours need 3:1 (they always
    come with a word or symbol, so colour is never the only cue), while body text and the
    banner still need 4.5:1.
    """
    from textual.color import Color

    strict = spec.high_contrast if strict is None else strict
    values = {**to_textual(spec).to_color_system().generate(), **spec.resolved_variables()}

    def colour(name: str, over: Color | None = None) -> Color:
        raw = values[name]
        if raw.startswith("auto") and over is not None:
            match = PERCENT_RE.fullmatch(raw)
            alpha = float(match.group(2)) / 100 if match else 1.0
            return over + over.get_contrast_text(alpha)
        parsed = Color.parse(raw)
        return parsed if over is None else over + parsed

    backgrounds = ("background", "surface", "panel")
    wanted: list[tuple[str, str, float]] = []
    wanted += [("foreground", bg, WCAG_AA_TEXT) for bg in backgrounds]
    meaning = WCAG_AA_TEXT if strict else WCAG_NON_TEXT
    status_backgrounds = backgrounds if strict else ("background", "surface")
    wanted += [(var, bg, meaning) for var in TEXT_VARIABLES for bg in status_backgrounds]
    wanted.append(("banner-text", "banner", WCAG_AA_TEXT))
    if strict:
        # Textual's own text colours, which synctui uses everywhere ($text-accent alone
        # 20+ times), and the table cursor's text on the primary colour.
        derived = (
            "text",
            "text-muted",
            "text-accent",
            "text-primary",
            "text-warning",
            "text-error",
            "text-success",
            "accent",
            "warning",
            "error",
            "success",
        )
        wanted += [(name, bg, WCAG_AA_TEXT) for name in derived for bg in backgrounds]
        wanted.append(("block-cursor-foreground", "block-cursor-background", WCAG_AA_TEXT))

    pairs: list[ContrastPair] = []
    for text, background, required in wanted:
        bg = colour(background)
        bg = colour("background") + bg if bg.a < 1 else bg
        fg = colour(text, over=bg)
        pairs.append(
            ContrastPair(
                text=text,
                background=background,
                text_hex=fg.hex,
                background_hex=bg.hex,
                ratio=contrast_ratio((fg.r, fg.g, fg.b), (bg.r, bg.g, bg.b)),
                required=required,
            )
        )
    return pairs


def xterm_256_palette() -> dict[str, int]:
    """Hex colour -> index for xterm's 6x6x6 cube (16-231) and grey ramp (232-255).

    The 16 system colours (0-15) are deliberately left out: every terminal theme redefines
    them, so only the cube and the ramp are the same colours everywhere.
    """
    levels = (0, 95, 135, 175, 215, 255)
    palette: dict[str, int] = {}
    index = 16
    for red in levels:
        for green in levels:
            for blue in levels:
                palette.setdefault(f"#{red:02x}{green:02x}{blue:02x}", index)
                index += 1
    for step in range(24):
        grey = 8 + 10 * step
        palette.setdefault(f"#{grey:02x}{grey:02x}{grey:02x}", 232 + step)
    return palette


def palette_problems(spec: ThemeSpec) -> list[str]:
    """Declared colours that are not exactly an xterm-256 entry (for palette = "xterm-256")."""
    palette = xterm_256_palette()
    problems: list[str] = []
    declared = [(f"colors.{k}", v) for k, v in spec.colors.items()]
    declared += [(f"variables.{k}", v) for k, v in spec.variables.items()]
    for where, value in declared:
        base = PERCENT_RE.fullmatch(value)
        text = base.group(1) if base else value
        if text == "auto" or value.split()[0] in TEXT_STYLE_WORDS:
            continue
        red, green, blue, alpha = parse_rgba(text)
        hex_value = f"#{red:02x}{green:02x}{blue:02x}"
        if alpha < 1 or base:
            problems.append(f"{where} = {value!r} is translucent, so it is painted as a blend")
        elif hex_value not in palette:
            nearest = min(
                palette,
                key=lambda h: sum(
                    (int(h[i : i + 2], 16) - c) ** 2
                    for i, c in zip((1, 3, 5), (red, green, blue), strict=True)
                ),
            )
            problems.append(
                f"{where} = {value!r} is not in the xterm-256 palette "
                f"(nearest: {nearest}, index {palette[nearest]})"
            )
    return problems
