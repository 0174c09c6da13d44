"""Colour values in theme files: which strings Textual will accept, and their RGBA.

Hex and rgb() are read here, without Textual, so that loading the (hex-only) built-in files
stays fast; anything else (colour names) is asked of Textual's own parser, which is what
will read it in the end.
"""

from __future__ import annotations

import re

_HEX_RE = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_RGB_RE = re.compile(r"rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)")
PERCENT_RE = re.compile(r"(.+?)\s+(\d{1,3}(?:\.\d+)?)%")
TEXT_STYLE_WORDS = frozenset(
    {"none", "bold", "dim", "italic", "underline", "underline2", "reverse", "strike", "blink"}
)
_COLOUR_FORMS = "use #rgb, #rrggbb, rgb(r, g, b) or a colour name such as 'red'"


def colour_problem(value: object) -> str | None:
    """None if `value` is a colour Textual will accept, else the reason it is not.

    Hex and rgb() are checked here so that loading the (hex-only) built-in files does not
    import Textual; anything else is asked of Textual's own parser, which is what will read
    it in the end.
    """
    if not isinstance(value, str):
        return f"{value!r} is not a colour (colours are strings; {_COLOUR_FORMS})"
    text = value.strip()
    if _HEX_RE.fullmatch(text):
        return None
    if match := _RGB_RE.fullmatch(text):
        if all(int(part) <= 255 for part in match.groups()):
            return None
        return f"{value!r} is not a colour (rgb() parts go from 0 to 255)"
    if text.startswith("#"):
        return f"{value!r} is not a colour ({_COLOUR_FORMS})"
    from textual.color import Color, ColorParseError

    try:
        Color.parse(text)
    except ColorParseError as exc:
        suggestion = getattr(exc, "suggested_color", None)
        if suggestion:
            return f"{value!r} is not a colour (did you mean {suggestion!r}?)"
        return f"{value!r} is not a colour ({_COLOUR_FORMS})"
    return None


def textual_value_problem(name: str, value: object) -> str | None:
    """Check an override of one of Textual's own variables (loosely, but safely).

    A value Textual's CSS parser rejects would break every stylesheet at the moment the
    theme is applied, so only the forms Textual's own themes use are allowed.
    """
    if not isinstance(value, str) or not value.strip():
        return f"{value!r} is not a valid value (use a colour, or style words for *-text-style)"
    text = value.strip()
    if name.endswith("-text-style"):
        words = text.split()
        if all(word in TEXT_STYLE_WORDS for word in words):
            return None
        return (
            f"{value!r} is not a text style (use words from: {', '.join(sorted(TEXT_STYLE_WORDS))})"
        )
    if match := PERCENT_RE.fullmatch(text):
        base, percent = match.groups()
        if float(percent) > 100:
            return f"{value!r}: the opacity goes from 0% to 100%"
        if base == "auto":
            return None
        return colour_problem(base)
    return colour_problem(text)


def parse_rgba(value: str) -> tuple[int, int, int, float]:
    """RGBA of a colour string (hex and rgb() without Textual; names through Textual)."""
    text = value.strip()
    if _HEX_RE.fullmatch(text):
        digits = text[1:]
        if len(digits) == 3:
            digits = "".join(ch * 2 for ch in digits)
        alpha = int(digits[6:8], 16) / 255 if len(digits) == 8 else 1.0
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16), alpha
    if match := _RGB_RE.fullmatch(text):
        red, green, blue = (int(part) for part in match.groups())
        return red, green, blue, 1.0
    from textual.color import Color

    colour = Color.parse(text)
    return colour.r, colour.g, colour.b, colour.a
