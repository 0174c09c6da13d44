"""The theme file format: the names it knows, `ThemeSpec` (a validated file) and the parser.

Parsing is pure (`parse_theme` takes a dict) so that tests and tools can validate a theme
without a file; `load_theme_file` adds the reading and says which file is wrong.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synctui.domain.errors import ConfigError
from synctui.theming.colours import colour_problem, textual_value_problem

DEFAULT_THEME = "synctui-dark"
LIGHT_THEME = "synctui-light"
HIGH_CONTRAST_THEME = "synctui-high-contrast"
XTERM_256_THEME = "synctui-256"
PRODUCTION_THEME = "synctui-production"
BUILTIN_THEME_NAMES: tuple[str, ...] = (
    DEFAULT_THEME,
    LIGHT_THEME,
    HIGH_CONTRAST_THEME,
    XTERM_256_THEME,
    PRODUCTION_THEME,
)

COLOR_KEYS: tuple[str, ...] = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "warning",
    "error",
    "success",
)

STATUS_VARIABLE_NAMES: tuple[str, ...] = (
    "status-active",
    "status-paused",
    "status-error",
    "status-draft",
    "status-initializing",
    "status-idle",
    "status-legacy",
    "status-unknown",
)
OP_VARIABLE_NAMES: tuple[str, ...] = ("op-created", "op-updated", "op-deleted")
# Every variable synctui's styles use, in documentation order. A built-in theme that is a
# fallback source (dark, light) must define all of them; the tests check it.
SYNCTUI_VARIABLES: tuple[str, ...] = (
    *STATUS_VARIABLE_NAMES,
    "readonly-badge",
    *OP_VARIABLE_NAMES,
    "banner",
    "banner-text",
)
# Variables that are painted as text on the app's backgrounds (the banner pair is checked
# on its own: banner-text on banner).
TEXT_VARIABLES: tuple[str, ...] = (*STATUS_VARIABLE_NAMES, "readonly-badge", *OP_VARIABLE_NAMES)

PALETTE_XTERM_256 = "xterm-256"
PALETTES: tuple[str, ...] = (PALETTE_XTERM_256,)

# Same rule as account names and `Account.theme` in accounts.toml, so every theme name can be
# written there and typed on a command line.
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_SYNCTUI_PREFIXES = ("status-", "op-", "banner", "readonly")
_TOP_LEVEL_KEYS = (
    "name",
    "description",
    "dark",
    "high_contrast",
    "palette",
    "text_alpha",
    "luminosity_spread",
    "colors",
    "variables",
)
_MAX_FILE_BYTES = 256 * 1024  # a theme is ~1 KB; anything huge is not a theme


class ThemeError(ConfigError):
    """A theme file cannot be used. The message names the file and the problem."""

    def __init__(self, file: str | Path, problem: str) -> None:
        self.file = str(file)
        self.problem = problem
        super().__init__(f"{self.file}: {problem}")


@dataclass(frozen=True)
class ThemeSpec:
    """A validated theme file: what it declares, before any fallback is applied.

    `colors` and `variables` hold exactly what the file says (original spelling, so Textual
    sees the same string the user wrote). Fallbacks are applied by `resolved_variables`
    and `to_textual`, so a spec can still tell "declared" from "inherited" — the palette and
    contrast checks only judge what a theme actually declares or really paints.
    """

    name: str
    colors: dict[str, str] = field(hash=False)
    variables: dict[str, str] = field(default_factory=dict, hash=False)
    dark: bool = True
    description: str = ""
    high_contrast: bool = False
    palette: str | None = None
    text_alpha: float | None = None
    luminosity_spread: float | None = None
    source: str = "<memory>"
    builtin: bool = False
    # Non-fatal remarks (unknown keys, likely typos): the theme works, the user should know.
    warnings: tuple[str, ...] = ()

    def resolved_variables(self) -> dict[str, str]:
        """Declared variables over the fallback ones for this theme's darkness."""
        # The fallbacks are themselves theme files, read as ThemeSpecs by `sources`.
        from synctui.theming.sources import variable_defaults

        return {**variable_defaults(dark=self.dark), **self.variables}


# --- parsing ----------------------------------------------------------------------------


def suggest(word: str, choices: Iterable[str]) -> str:
    import difflib  # only on the error path; it is a noticeable import otherwise

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def parse_theme(data: Mapping[str, Any], source: str, *, builtin: bool = False) -> ThemeSpec:
    """Validate the contents of a theme file; `source` names the file in every message.

    Pure (no file access) so tests and tools can validate a dict directly. Raises ThemeError
    on the first problem that makes the theme unusable; remarks that do not (an unknown
    key) end up in `ThemeSpec.warnings`.
    """
    warnings: list[str] = []

    def fail(problem: str) -> ThemeError:
        return ThemeError(source, problem)

    name = data.get("name")
    if name is None:
        raise fail('the theme has no name (add a line such as name = "ocean" at the top)')
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise fail(
            f"name: {name!r} is not a usable theme name (1 to 64 letters, digits, '.', '_' "
            "or '-', starting with a letter or digit)"
        )
    for key in data:
        if key not in _TOP_LEVEL_KEYS:
            warnings.append(
                f"{source}: unknown setting {key!r} ignored{suggest(key, _TOP_LEVEL_KEYS)}"
            )

    description = data.get("description", "")
    if not isinstance(description, str):
        raise fail(f"description: must be text, not {description!r}")
    flags: dict[str, bool] = {}
    for key, default in (("dark", True), ("high_contrast", False)):
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise fail(f"{key}: must be true or false, not {value!r}")
        flags[key] = value
    palette = data.get("palette")
    if palette is not None and palette not in PALETTES:
        raise fail(f"palette: {palette!r} is not a known palette (known: {', '.join(PALETTES)})")
    numbers: dict[str, float | None] = {}
    for key in ("text_alpha", "luminosity_spread"):
        value = data.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1
        ):
            raise fail(f"{key}: must be a number from 0 to 1, not {value!r}")
        numbers[key] = None if value is None else float(value)

    colors_table = data.get("colors")
    if colors_table is None:
        raise fail('there is no [colors] table (it needs at least primary = "#rrggbb")')
    if not isinstance(colors_table, Mapping):
        raise fail("colors: must be a table ([colors] followed by name = colour lines)")
    colors: dict[str, str] = {}
    for key, value in colors_table.items():
        if key not in COLOR_KEYS:
            warnings.append(
                f"{source}: colors.{key} is not a theme colour, ignored{suggest(key, COLOR_KEYS)}"
            )
            continue
        if problem := colour_problem(value):
            raise fail(f"colors.{key}: {problem}")
        colors[key] = value.strip()
    if "primary" not in colors:
        raise fail("colors.primary is missing (every theme needs at least a primary colour)")

    variables_table = data.get("variables", {})
    if not isinstance(variables_table, Mapping):
        raise fail("variables: must be a table ([variables] followed by name = colour lines)")
    variables: dict[str, str] = {}
    for key, value in variables_table.items():
        if key in SYNCTUI_VARIABLES:
            if problem := colour_problem(value):
                raise fail(f"variables.{key}: {problem}")
        elif key.startswith(_SYNCTUI_PREFIXES):
            warnings.append(
                f"{source}: variables.{key} is not a synctui variable, "
                f"ignored{suggest(key, SYNCTUI_VARIABLES)}"
            )
            continue
        elif problem := textual_value_problem(key, value):
            raise fail(f"variables.{key}: {problem}")
        variables[key] = value.strip()

    return ThemeSpec(
        name=name,
        colors=colors,
        variables=variables,
        dark=flags["dark"],
        description=description,
        high_contrast=flags["high_contrast"],
        palette=palette,
        text_alpha=numbers["text_alpha"],
        luminosity_spread=numbers["luminosity_spread"],
        source=source,
        builtin=builtin,
        warnings=tuple(warnings),
    )


def parse_theme_bytes(raw: bytes, source: str, *, builtin: bool = False) -> ThemeSpec:
    """Decode and validate the bytes of a theme file."""
    if len(raw) > _MAX_FILE_BYTES:
        raise ThemeError(source, f"is {len(raw)} bytes, too large to be a theme file")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ThemeError(source, "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(source, f"is not valid TOML: {exc}") from None
    return parse_theme(data, source, builtin=builtin)


def display_path(path: Path) -> str:
    """A path as a person would type it: `~/...` under the home directory."""
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def load_theme_file(path: str | Path) -> ThemeSpec:
    """Read and validate one theme file; ThemeError says which file and what is wrong."""
    path = Path(path)
    shown = display_path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ThemeError(shown, "does not exist") from None
    except OSError as exc:
        raise ThemeError(shown, f"cannot be read ({exc.strerror or exc})") from None
    return parse_theme_bytes(raw, shown)
