"""Themes as files: parsing, validation, where they come from, turning them into Textual
themes, and which one is shown. One module per job: `colours` (colour values), `spec` (the
file format and its parser), `sources` (built-in and user files), `textual_theme` (Textual
themes), `choice` (the precedence rule); every name is importable from `synctui.theming`.

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
them does not import it either. Only `to_textual` and `register_all` do (and the colour
parser, for a colour given by name).
"""

from synctui.theming.choice import (
    ThemeChoice,
    choose_theme,
    resolve_theme,
    shared_account_theme,
)
from synctui.theming.colours import parse_rgba
from synctui.theming.sources import (
    LoadedThemes,
    all_themes,
    builtin_problems,
    builtin_themes,
    builtin_themes_dir,
    theme_names,
    user_themes,
    variable_defaults,
)
from synctui.theming.spec import (
    BUILTIN_THEME_NAMES,
    COLOR_KEYS,
    DEFAULT_THEME,
    HIGH_CONTRAST_THEME,
    LIGHT_THEME,
    OP_VARIABLE_NAMES,
    PALETTE_XTERM_256,
    PALETTES,
    PRODUCTION_THEME,
    STATUS_VARIABLE_NAMES,
    SYNCTUI_VARIABLES,
    TEXT_VARIABLES,
    XTERM_256_THEME,
    ThemeError,
    ThemeSpec,
    load_theme_file,
    parse_theme,
    parse_theme_bytes,
)
from synctui.theming.textual_theme import register_all, to_textual

__all__ = [
    "BUILTIN_THEME_NAMES",
    "COLOR_KEYS",
    "DEFAULT_THEME",
    "HIGH_CONTRAST_THEME",
    "LIGHT_THEME",
    "OP_VARIABLE_NAMES",
    "PALETTES",
    "PALETTE_XTERM_256",
    "PRODUCTION_THEME",
    "STATUS_VARIABLE_NAMES",
    "SYNCTUI_VARIABLES",
    "TEXT_VARIABLES",
    "XTERM_256_THEME",
    "LoadedThemes",
    "ThemeChoice",
    "ThemeError",
    "ThemeSpec",
    "all_themes",
    "builtin_problems",
    "builtin_themes",
    "builtin_themes_dir",
    "choose_theme",
    "load_theme_file",
    "parse_rgba",
    "parse_theme",
    "parse_theme_bytes",
    "register_all",
    "resolve_theme",
    "shared_account_theme",
    "theme_names",
    "to_textual",
    "user_themes",
    "variable_defaults",
]
