"""Themes as files: parsing, validation, and turning them into Textual themes.

Every synctui theme — the five built-in ones and any a user writes — is a small TOML file, so
there is exactly one format to document, test and copy. It maps one-to-one onto
`textual.theme.Theme`:

    name = "ocean"                  # required; what `--theme`, `:theme` and accounts refer to
    description = "Deep blue"       # optional, shown nowhere critical
    dark = true                     # optional, default true; picks the fallback variables too
    high_contrast = false           # optional; true promises WCAG AA (4.5:1) for every
                                    # text/background pair synctui paints — the tests hold
                                    # every theme that says so to it
    palette = "xterm-256"           # optional; promises that every colour is an entry of
                                    # the xterm 256-colour cube/grey ramp (indices 16-255)
    text_alpha = 0.95               # optional, Textual's Theme.text_alpha
    luminosity_spread = 0.15        # optional, Textual's Theme.luminosity_spread

    [colors]                        # Textual's base colours; only `primary` is required,
    primary = "#2f81f7"             # Textual derives any other one that is left out
    secondary = "#1f6feb"
    accent = "#e3b341"
    foreground = "#d8dee4"
    background = "#0d1117"
    surface = "#161b22"
    panel = "#1c2330"
    boost = "#ffffff0a"             # rarely needed: Textual ignores it when panel is set
    warning = "#e3b341"
    error = "#e5534b"
    success = "#4ebf71"

    [variables]                     # synctui's own CSS variables (below); any left out
    status-active = "#4ebf71"       # fall back to synctui-dark's (dark = true) or
                                    # synctui-light's (dark = false) values

A colour is `#rgb`, `#rrggbb`, `#rrggbbaa`, `rgb(r, g, b)` or any colour name Textual knows
("red", "ansi_bright_blue"). synctui's variables, and what each one paints:

    status-active        a sync that runs (text, on background/surface/panel)
    status-paused        paused by a person
    status-error         failing; also "N failed" counters
    status-draft         never activated
    status-initializing  first run / backfill in progress
    status-idle          enabled, nothing to do right now
    status-legacy        needs migration to the vendor's current model
    status-unknown       a status synctui does not recognise
    readonly-badge       the read-only lock in the header
    op-created           feed viewer: a record was created
    op-updated           feed viewer: a record was changed
    op-deleted           feed viewer: a record was deleted
    banner               background of the production warning strip
    banner-text          text on that strip

`[variables]` may also override one of Textual's own variables (`text-muted`,
`footer-background`, `block-cursor-text-style`, ...): such a value must be a colour, a colour
followed by an opacity (`#ffffff 60%`), `auto 87%`, or — for `*-text-style` — style words.
A name that looks like synctui's but is not one of the above (`status-actve`) is reported and
ignored rather than silently passed on, because that is always a typo.

Where themes come from, and who wins:

* built-in files ship in the wheel as `synctui/themes/*.toml` and live in the repository's
  top-level `themes/` folder; an editable install reads them from there;
* user files are `*.toml` in `user_themes_dir()` (`~/.config/synctui/themes/` on Linux). A user
  theme with a built-in's name replaces it — copying `synctui-dark.toml` there and editing it is
  the simplest customisation there is. A broken user file never replaces anything: it is
  reported and the built-in stays.

Which theme is shown (`choose_theme`): the active account's theme, else `--theme`, else the
saved default (settings.toml), else `synctui-dark`. The account wins over `--theme` on purpose,
as a k9s context skin does: a per-account theme exists so that production never looks like
staging, and a theme flag typed out of habit (or baked into a shell alias) must not be able to
silently remove that warning. A theme name that is not installed is reported and the next rule
applies.

Nothing here imports Textual at module import time — `synctui --version` and the headless
commands must stay fast — and the built-in files use hex colours only, so listing or loading
them does not import it either. Only `to_textual`, `register_all` and the contrast report do.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from synctui.domain.errors import ConfigError
from synctui.store.paths import user_themes_dir

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from textual.app import App
    from textual.theme import Theme

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

WCAG_AA_TEXT = 4.5  # WCAG 2.x 1.4.3, normal-size text
WCAG_NON_TEXT = 3.0  # WCAG 2.x 1.4.11, symbols/badges that carry meaning

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
_HEX_RE = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_RGB_RE = re.compile(r"rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)")
_PERCENT_RE = re.compile(r"(.+?)\s+(\d{1,3}(?:\.\d+)?)%")
_TEXT_STYLE_WORDS = frozenset(
    {"none", "bold", "dim", "italic", "underline", "underline2", "reverse", "strike", "blink"}
)
_MAX_FILE_BYTES = 256 * 1024  # a theme is ~1 KB; anything huge is not a theme
_COLOUR_FORMS = "use #rgb, #rrggbb, rgb(r, g, b) or a colour name such as 'red'"

# The last resort for the fallback variables, used only if the built-in files cannot be
# read at all (a broken install): without them any CSS that mentions `$status-active`
# would fail to parse and the app would not start. A test keeps this equal to
# themes/synctui-dark.toml.
_LAST_RESORT_VARIABLES: dict[str, str] = {
    "status-active": "#4ebf71",
    "status-paused": "#e0b341",
    "status-error": "#e5534b",
    "status-draft": "#8b949e",
    "status-initializing": "#39c5cf",
    "status-idle": "#6e9fff",
    "status-legacy": "#c678dd",
    "status-unknown": "#8b949e",
    "readonly-badge": "#e5534b",
    "op-created": "#4ebf71",
    "op-updated": "#58a6ff",
    "op-deleted": "#e5534b",
    "banner": "#b62324",
    "banner-text": "#ffffff",
}


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
        return {**variable_defaults(dark=self.dark), **self.variables}


class LoadedThemes(NamedTuple):
    """Themes that loaded, plus one sentence per file that did not (or has a remark)."""

    themes: list[ThemeSpec]
    problems: list[str]


class ThemeChoice(NamedTuple):
    """The theme to show, which rule picked it, and why higher rules were skipped."""

    name: str
    source: str  # "account", "cli", "settings" or "default"
    problems: list[str]


# --- colours ----------------------------------------------------------------------------


def _colour_problem(value: object) -> str | None:
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


def _textual_value_problem(name: str, value: object) -> str | None:
    """Check an override of one of Textual's own variables (loosely, but safely).

    A value Textual's CSS parser rejects would break every stylesheet at the moment the
    theme is applied, so only the forms Textual's own themes use are allowed.
    """
    if not isinstance(value, str) or not value.strip():
        return f"{value!r} is not a valid value (use a colour, or style words for *-text-style)"
    text = value.strip()
    if name.endswith("-text-style"):
        words = text.split()
        if all(word in _TEXT_STYLE_WORDS for word in words):
            return None
        return f"{value!r} is not a text style (use words from: {', '.join(sorted(_TEXT_STYLE_WORDS))})"
    if match := _PERCENT_RE.fullmatch(text):
        base, percent = match.groups()
        if float(percent) > 100:
            return f"{value!r}: the opacity goes from 0% to 100%"
        if base == "auto":
            return None
        return _colour_problem(base)
    return _colour_problem(text)


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


# --- parsing ----------------------------------------------------------------------------


def _suggest(word: str, choices: Iterable[str]) -> str:
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
                f"{source}: unknown setting {key!r} ignored{_suggest(key, _TOP_LEVEL_KEYS)}"
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
                f"{source}: colors.{key} is not a theme colour, ignored{_suggest(key, COLOR_KEYS)}"
            )
            continue
        if problem := _colour_problem(value):
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
            if problem := _colour_problem(value):
                raise fail(f"variables.{key}: {problem}")
        elif key.startswith(_SYNCTUI_PREFIXES):
            warnings.append(
                f"{source}: variables.{key} is not a synctui variable, "
                f"ignored{_suggest(key, SYNCTUI_VARIABLES)}"
            )
            continue
        elif problem := _textual_value_problem(key, value):
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


def _display(path: Path) -> str:
    """A path as a person would type it: `~/...` under the home directory."""
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def load_theme_file(path: str | Path) -> ThemeSpec:
    """Read and validate one theme file; ThemeError says which file and what is wrong."""
    path = Path(path)
    shown = _display(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ThemeError(shown, "does not exist") from None
    except OSError as exc:
        raise ThemeError(shown, f"cannot be read ({exc.strerror or exc})") from None
    return parse_theme_bytes(raw, shown)


# --- where themes live -------------------------------------------------------------------


def builtin_themes_dir() -> Traversable | None:
    """The folder of built-in theme files, wherever this install keeps it.

    A wheel carries them as the package resource `synctui/themes` (pyproject's
    force-include); an editable install has no such folder inside the package, so the
    repository's top-level `themes/` is used instead. None means a broken install.
    """
    from importlib import resources

    try:
        packaged = resources.files("synctui") / "themes"
        if packaged.is_dir():
            return packaged
    except (ModuleNotFoundError, OSError):  # pragma: no cover - defensive
        pass
    repo = Path(__file__).resolve().parents[2] / "themes"
    return repo if repo.is_dir() else None


@functools.lru_cache(maxsize=1)
def _load_builtins() -> tuple[tuple[ThemeSpec, ...], tuple[str, ...]]:
    folder = builtin_themes_dir()
    if folder is None:
        return (), (
            "the built-in theme files are missing from this installation; reinstall synctui",
        )
    specs: list[ThemeSpec] = []
    problems: list[str] = []
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".toml") or entry.name.startswith("."):
            continue
        try:
            spec = parse_theme_bytes(entry.read_bytes(), f"built-in {entry.name}", builtin=True)
        except ThemeError as exc:
            problems.append(str(exc))
            continue
        specs.append(spec)
        problems.extend(spec.warnings)
    return tuple(specs), tuple(problems)


def builtin_themes() -> list[ThemeSpec]:
    """The themes shipped with synctui, read once per process (they cannot change)."""
    return list(_load_builtins()[0])


def builtin_problems() -> list[str]:
    """Problems with the shipped files: empty unless the installation is broken."""
    return list(_load_builtins()[1])


def user_themes(directory: str | Path | None = None) -> LoadedThemes:
    """Every `*.toml` theme in the user's themes folder, and a sentence per broken file.

    Never raises: a bad file must not keep synctui from starting, it is reported and
    skipped. Two files with the same theme name keep the first (by file name) and report
    the second.
    """
    folder = Path(directory) if directory is not None else user_themes_dir()
    themes: list[ThemeSpec] = []
    problems: list[str] = []
    if not folder.exists():
        return LoadedThemes(themes, problems)
    if not folder.is_dir():
        return LoadedThemes(themes, [f"{_display(folder)}: is not a folder; no user themes loaded"])
    try:
        paths = sorted(p for p in folder.iterdir() if p.suffix == ".toml")
    except OSError as exc:
        return LoadedThemes(themes, [f"{_display(folder)}: cannot be listed ({exc.strerror})"])
    seen: dict[str, str] = {}
    for path in paths:
        if path.name.startswith("."):
            continue  # editor swap files and the like
        try:
            spec = load_theme_file(path)
        except ThemeError as exc:
            problems.append(str(exc))
            continue
        if spec.name in seen:
            problems.append(
                f"{spec.source}: theme {spec.name!r} is already defined by {seen[spec.name]}; "
                "this file is ignored"
            )
            continue
        seen[spec.name] = spec.source
        themes.append(spec)
        problems.extend(spec.warnings)
    return LoadedThemes(themes, problems)


def all_themes(user_dir: str | Path | None = None) -> tuple[dict[str, ThemeSpec], list[str]]:
    """Built-in and user themes by name (a user theme replaces a built-in of its name)."""
    merged = {spec.name: spec for spec in builtin_themes()}
    loaded = user_themes(user_dir)
    for spec in loaded.themes:
        merged[spec.name] = spec
    return merged, [*builtin_problems(), *loaded.problems]


def theme_names(user_dir: str | Path | None = None) -> list[str]:
    """Names a person may pass to `--theme` or `accounts add --theme` (without Textual's)."""
    return sorted(all_themes(user_dir)[0])


def variable_defaults(*, dark: bool = True) -> dict[str, str]:
    """synctui's variables for a theme that leaves some out: synctui-dark's or -light's.

    The fallback follows the theme's darkness because a dark theme's bright status colours
    would be unreadable on a light background (and the other way round).
    """
    wanted = DEFAULT_THEME if dark else LIGHT_THEME
    for spec in builtin_themes():
        if spec.name == wanted:
            return {**_LAST_RESORT_VARIABLES, **spec.variables}
    return dict(_LAST_RESORT_VARIABLES)


# --- Textual -----------------------------------------------------------------------------


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


# --- which theme ----------------------------------------------------------------------------


def choose_theme(
    cli_theme: str | None,
    account_theme: str | None,
    settings_default: str | None,
    *,
    available: Iterable[str] | None = None,
    account_name: str | None = None,
) -> ThemeChoice:
    """Apply the precedence rule: account > `--theme` > saved default > synctui-dark.

    `account_theme` is the theme of the account on screen (None when no single account is,
    e.g. the all-accounts view; see `shared_account_theme`). With `available` (the app's
    `available_themes`), a name that is not installed is skipped with a sentence saying so;
    without it every name is taken at its word.
    """
    known = None if available is None else set(available)
    problems: list[str] = []
    whose = f"set on account {account_name!r}" if account_name else "set on the account"
    candidates = (
        ("account", account_theme, whose),
        ("cli", cli_theme, "from --theme"),
        ("settings", settings_default, "your saved default"),
    )
    for source, name, where in candidates:
        if not name:
            continue
        if known is None or name in known:
            return ThemeChoice(name, source, problems)
        problems.append(f"theme {name!r} ({where}) is not installed{_suggest(name, known or ())}")
    if problems:
        problems[-1] += f"; using {DEFAULT_THEME}"
    return ThemeChoice(DEFAULT_THEME, "default", problems)


def resolve_theme(
    cli_theme: str | None,
    account_theme: str | None,
    settings_default: str | None,
    *,
    available: Iterable[str] | None = None,
) -> str:
    """Just the name from `choose_theme` (same precedence, same fallback)."""
    return choose_theme(cli_theme, account_theme, settings_default, available=available).name


def shared_account_theme(themes: Iterable[str | None]) -> str | None:
    """The one theme every account on screen asks for, else None.

    For views that show several accounts: if all of them are production accounts the
    production skin still applies; a mix (or an account without a theme) gets the user's
    theme, since no single account's look would be honest.
    """
    distinct = set(themes)
    if len(distinct) == 1:
        return next(iter(distinct))
    return None


# --- checks (tests, `themes check`-style tools) --------------------------------------------


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
            match = _PERCENT_RE.fullmatch(raw)
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
        base = _PERCENT_RE.fullmatch(value)
        text = base.group(1) if base else value
        if text == "auto" or value.split()[0] in _TEXT_STYLE_WORDS:
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
