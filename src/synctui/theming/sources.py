"""Where themes come from: the built-in files shipped with synctui and the user's folder,
merged by name (a user theme replaces a built-in of its name), and the fallback variables
for a theme that leaves some out.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from synctui.store.paths import user_themes_dir
from synctui.theming.spec import (
    DEFAULT_THEME,
    LIGHT_THEME,
    ThemeError,
    ThemeSpec,
    display_path,
    load_theme_file,
    parse_theme_bytes,
)

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

# The last resort for the fallback variables, used only if the built-in files cannot be
# read at all (a broken install): without them any CSS that mentions `$status-active`
# would fail to parse and the app would not start. A test keeps this equal to
# themes/synctui-dark.toml.
LAST_RESORT_VARIABLES: dict[str, str] = {
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


class LoadedThemes(NamedTuple):
    """Themes that loaded, plus one sentence per file that did not (or has a remark)."""

    themes: list[ThemeSpec]
    problems: list[str]


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
    repo = Path(__file__).resolve().parents[3] / "themes"
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
        return LoadedThemes(
            themes, [f"{display_path(folder)}: is not a folder; no user themes loaded"]
        )
    try:
        paths = sorted(p for p in folder.iterdir() if p.suffix == ".toml")
    except OSError as exc:
        return LoadedThemes(themes, [f"{display_path(folder)}: cannot be listed ({exc.strerror})"])
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
            return {**LAST_RESORT_VARIABLES, **spec.variables}
    return dict(LAST_RESORT_VARIABLES)
