"""User settings: the few preferences that are not per account, kept in `settings.toml`.

    # synctui settings. No token or password belongs in this file.
    version = 1

    [tui]
    theme = "synctui-light"     # the saved default theme (see synctui.theming for precedence)
    refresh_seconds = 30        # auto-refresh of the sync tables; 0 turns it off

    [feed]
    poll_seconds = 30           # feed polling against real vendor servers
    demo_poll_seconds = 2       # feed polling against the built-in sandbox (--demo)

    [keymap]                    # your own keys: binding id = keys (see synctui.ui.keymap)
    "app.call-log" = "ctrl+l"
    "main.delete" = "ctrl+d,shift+delete"

    [network]
    max_body_mb = 64            # the largest answer read from a vendor, in MiB
    request_seconds = 120       # one request, every retry and wait included
    command_seconds = 1800      # one CLI command (not `feed tail --follow`); 0 = no limit
    max_pages = 10000           # pages one listing (or one feed catch-up) may follow
    retry_attempts = 5          # tries of one request, the first included
    max_retry_wait_seconds = 30 # the longest Retry-After obeyed; longer ones are capped

Everything is optional: a missing file or key means the default above (theme: none saved, so
`synctui-dark`). A file that cannot be read is a `ConfigError` naming the file and the line —
never silently replaced by defaults, because the user would lose the edit they just made and
not know why. Keys this version does not know are kept and written back, so an older synctui
does not erase a newer one's settings.

Writing happens only on a deliberate change (the user picks a theme, `update_settings`): the
file is replaced atomically, and only what changed is rewritten (`store.toml_document`), so
the comments, blank lines and key order of a hand-edited file survive. A known key is
written when it differs from its default or the file already has it; unknown keys stay as
they are. The writer refuses keys that look like credentials: this file is the kind people
share.

No Textual, no pydantic: `synctui --version` and the headless commands read this file too.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from synctui.domain.errors import ConfigError
from synctui.store.paths import atomic_write_text, locked, settings_file
from synctui.store.toml_document import dump, load_document, sync_table

FILE_VERSION = 1

DEFAULT_REFRESH_SECONDS = 30.0
DEFAULT_FEED_POLL_SECONDS = 30.0
DEFAULT_DEMO_FEED_POLL_SECONDS = 2.0
DEFAULT_MAX_BODY_MB = 64.0
DEFAULT_REQUEST_SECONDS = 120.0
DEFAULT_COMMAND_SECONDS = 1800.0
DEFAULT_MAX_PAGES = 10_000
DEFAULT_RETRY_ATTEMPTS = 5
DEFAULT_MAX_RETRY_WAIT_SECONDS = 30.0

_THEME_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# Narrower than accounts.toml's list on purpose: "key" alone would refuse a future
# [keymap] section, which is exactly the kind of thing settings.toml is for.
_SECRET_KEY_RE = re.compile(
    r"token|secret|passw|passphrase|credential|api[_-]?key|bearer|cookie|authoriz", re.IGNORECASE
)
_DECODE_POSITION_RE = re.compile(
    r"^(?P<problem>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$"
)
_HINT = "fix that line, or delete the file to go back to the defaults"


class SettingsError(ConfigError):
    """settings.toml cannot be read or written; the message names the file and line."""


@dataclass(frozen=True)
class Settings:
    """The user's preferences. Every field has a default, so `Settings()` is a fresh user."""

    theme: str | None = None
    """Saved default theme; None = none saved (`synctui-dark`)."""
    refresh_seconds: float = DEFAULT_REFRESH_SECONDS
    """Auto-refresh of the sync tables, in seconds; 0 switches it off."""
    feed_poll_seconds: float = DEFAULT_FEED_POLL_SECONDS
    """Feed polling against real servers. Vendors rate-limit, hence the 1 s floor."""
    demo_feed_poll_seconds: float = DEFAULT_DEMO_FEED_POLL_SECONDS
    """Feed polling against the local sandbox, which is cheap to ask often."""
    max_body_mb: float = DEFAULT_MAX_BODY_MB
    """The largest answer body read from a vendor (MiB); past it the request fails."""
    request_seconds: float = DEFAULT_REQUEST_SECONDS
    """Total deadline of one request: every attempt and every wait between them."""
    command_seconds: float = DEFAULT_COMMAND_SECONDS
    """Deadline of one CLI command (`feed tail --follow` and the TUI have none); 0 = none."""
    max_pages: int = DEFAULT_MAX_PAGES
    """Pages one listing, run history or feed catch-up may follow before it stops."""
    retry_attempts: int = DEFAULT_RETRY_ATTEMPTS
    """Tries of one request, the first included (only requests safe to repeat are retried)."""
    max_retry_wait_seconds: float = DEFAULT_MAX_RETRY_WAIT_SECONDS
    """The longest `Retry-After` obeyed; a longer one is capped, and the cap is said."""
    extra: dict[str, Any] = field(default_factory=dict, hash=False)
    """Keys this version does not know, as nested tables, kept so they survive a save."""

    def feed_poll_for(self, *, demo: bool) -> float:
        """The poll interval for a feed, depending on whether it talks to the sandbox."""
        return self.demo_feed_poll_seconds if demo else self.feed_poll_seconds

    @property
    def keymap(self) -> dict[str, str]:
        """`[keymap]` as Textual takes it: binding id → keys ("ctrl+l", or "ctrl+l,f2").

        Kept in `extra`, so it is written back exactly as read; `app.quit = "x"` (a dotted
        TOML key) and `"app.quit" = "x"` mean the same binding.
        """
        table = self.extra.get("keymap")
        return dict(_keymap_entries(table)) if isinstance(table, dict) else {}


@dataclass(frozen=True)
class _Field:
    attr: str
    section: str
    key: str
    low: float | None = None  # numbers: allowed range, inclusive
    high: float | None = None
    unit: str = "seconds"
    integer: bool = False  # a whole number (a count), not a measure

    @property
    def dotted(self) -> str:
        return f"{self.section}.{self.key}"


_FIELDS: tuple[_Field, ...] = (
    _Field("theme", "tui", "theme"),
    _Field("refresh_seconds", "tui", "refresh_seconds", 0, 86_400),
    _Field("feed_poll_seconds", "feed", "poll_seconds", 1, 86_400),
    _Field("demo_feed_poll_seconds", "feed", "demo_poll_seconds", 0.1, 3_600),
    _Field("max_body_mb", "network", "max_body_mb", 0.001, 65_536, "MiB"),
    _Field("request_seconds", "network", "request_seconds", 0.1, 86_400),
    _Field("command_seconds", "network", "command_seconds", 0, 604_800),
    _Field("max_pages", "network", "max_pages", 1, 10_000_000, "pages", integer=True),
    _Field("retry_attempts", "network", "retry_attempts", 1, 20, "tries", integer=True),
    _Field("max_retry_wait_seconds", "network", "max_retry_wait_seconds", 0, 86_400),
)
_SECTIONS = ("tui", "feed", "network")
_DEFAULTS = Settings()


# --- reading --------------------------------------------------------------------------------


def _line_of(text: str, section: str, key: str) -> int | None:
    """Line number of `key` in `[section]` ("" = top level), for messages; None if unsure."""
    header_re = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]")
    key_re = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    dotted_re = re.compile(rf"^\s*{re.escape(section)}\s*\.\s*{re.escape(key)}\s*=")
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if header := header_re.match(line):
            current = header.group(1)
        elif (current == section and key_re.match(line)) or (
            current == "" and section and dotted_re.match(line)
        ):
            return number
    return None


def _fail(path: Path, problem: str, line: int | None = None) -> SettingsError:
    where = f"{path}, line {line}" if line else str(path)
    return SettingsError(f"Cannot use the settings file {where}: {problem}", hint=_HINT)


def _check_number(spec: _Field, value: Any) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    if spec.integer and not isinstance(value, int):
        return None
    assert spec.low is not None and spec.high is not None
    if not spec.low <= value <= spec.high:
        return None
    return value if spec.integer else float(value)


def _keymap_entries(table: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """(binding id, value) pairs of a `[keymap]` table, its dotted keys joined again."""
    entries: list[tuple[str, Any]] = []
    for key, value in table.items():
        if isinstance(value, dict):
            entries += _keymap_entries(value, f"{prefix}{key}.")
        else:
            entries.append((f"{prefix}{key}", value))
    return entries


def _check_keymap(table: Any, path: Path, text: str) -> None:
    """Each binding gets one or more keys as text; what a key is, Textual decides."""
    if not isinstance(table, dict):
        raise _fail(path, "keymap must be a table ([keymap])", _line_of(text, "", "keymap"))
    for binding, value in _keymap_entries(table):
        keys = value.split(",") if isinstance(value, str) else []
        if not keys or any(not key.strip() or " " in key.strip() for key in keys):
            line = _line_of(text, "keymap", binding) or _line_of(text, "keymap", f'"{binding}"')
            raise _fail(
                path,
                f'keymap: {binding} must be keys as text, like "ctrl+l" or "ctrl+l,f2", '
                f"not {value!r}",
                line,
            )


def parse_settings(data: Mapping[str, Any], path: Path, text: str = "") -> Settings:
    """Settings from already-parsed TOML; `path` and `text` only serve the messages."""
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {
        key: value for key, value in data.items() if key not in ("version", *_SECTIONS)
    }
    version = data.get("version", FILE_VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _fail(
            path, f"version must be a whole number, not {version!r}", _line_of(text, "", "version")
        )
    if version != FILE_VERSION:
        extra["version"] = version  # a newer file: read what we know, keep its number
    if "keymap" in data:
        _check_keymap(data["keymap"], path, text)
    for section in _SECTIONS:
        table = data.get(section, {})
        if not isinstance(table, dict):
            raise _fail(path, f"{section} must be a table ([{section}])")
        known = {spec.key for spec in _FIELDS if spec.section == section}
        unknown = {key: value for key, value in table.items() if key not in known}
        if unknown:
            extra[section] = unknown
    for spec in _FIELDS:
        table = data.get(spec.section, {})
        if spec.key not in table:
            continue
        value = table[spec.key]
        line = _line_of(text, spec.section, spec.key)
        if spec.attr == "theme":
            if not isinstance(value, str) or not _THEME_NAME_RE.fullmatch(value):
                raise _fail(path, f"{spec.dotted}: {value!r} is not a theme name", line)
            values[spec.attr] = value
            continue
        number = _check_number(spec, value)
        if number is None:
            kind = "a whole number" if spec.integer else "a number"
            raise _fail(
                path,
                f"{spec.dotted} must be {kind} of {spec.unit} from {spec.low:g} to "
                f"{spec.high:g}, not {value!r}",
                line,
            )
        values[spec.attr] = number
    return Settings(**values, extra=extra)


def load_settings(path: str | Path | None = None) -> Settings:
    """The user's settings; defaults when the file does not exist.

    Raises SettingsError (a ConfigError) naming the file, and the line when TOML or a
    value is wrong.
    """
    path = Path(path) if path is not None else settings_file()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        raise _fail(path, f"it cannot be read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _fail(path, "it is not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _DECODE_POSITION_RE.match(str(exc))
        if match:
            problem = f"column {match['col']}: {match['problem'].rstrip('.')}"
            raise _fail(path, problem, int(match["line"])) from None
        raise _fail(path, str(exc)) from None
    return parse_settings(data, path, text)


# --- writing --------------------------------------------------------------------------------


def _refuse_secrets(table: Mapping[str, Any], prefix: str = "") -> None:
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if _SECRET_KEY_RE.search(str(key)):
            raise SettingsError(
                f"settings.toml must not hold credentials, and {dotted!r} looks like one",
                hint="remove it; tokens belong in the keyring (synctui token set) or in "
                "SYNCTUI_TOKEN_<ACCOUNT> variables",
            )
        if isinstance(value, dict):
            _refuse_secrets(value, f"{dotted}.")


_HEADER = (
    "synctui settings. synctui updates this file when you change a setting in the app,",
    "keeping your comments. No token or password belongs here.",
)


def render_settings(settings: Settings, existing: str | None = None) -> str:
    """The text of settings.toml: `existing` (the file as it is now) with only what
    differs rewritten, or a new file. Known keys are written when they differ from their
    default or the file has them already; every unknown key is kept."""
    _refuse_secrets(settings.extra)
    doc = load_document(existing, _HEADER)
    extra = dict(settings.extra)
    wanted: dict[str, Any] = {"version": extra.pop("version", FILE_VERSION)}
    tables: dict[str, dict[str, Any]] = {section: {} for section in _SECTIONS}
    for spec in _FIELDS:
        value = getattr(settings, spec.attr)
        present = doc.get(spec.section)
        in_file = isinstance(present, Mapping) and spec.key in present
        if value is not None and (value != getattr(_DEFAULTS, spec.attr) or in_file):
            tables[spec.section][spec.key] = value
    for key, value in extra.items():
        if isinstance(value, dict):
            tables[key] = {**tables.get(key, {}), **value}
        else:
            wanted[key] = value
    wanted.update(tables)
    sync_table(doc, wanted)
    return dump(doc)


def save_settings(settings: Settings, path: str | Path | None = None) -> None:
    """Write `settings` atomically (readers see the old file or the new one, whole)."""
    path = Path(path) if path is not None else settings_file()
    for spec in _FIELDS:  # the same rules as reading, so what we write we can read back
        value = getattr(settings, spec.attr)
        if value == getattr(_DEFAULTS, spec.attr):
            continue
        if spec.attr == "theme":
            ok = isinstance(value, str) and _THEME_NAME_RE.fullmatch(value) is not None
        else:
            ok = _check_number(spec, value) is not None
        if not ok:
            raise SettingsError(f"{spec.dotted}: {value!r} cannot be saved (out of range)")
    try:
        existing: str | None = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        existing = None  # no file yet, or one that cannot be kept: written anew
    try:
        text = render_settings(settings, existing)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"Cannot write the settings file {path}: {exc}") from None
    atomic_write_text(path, text, mode=0o600)


def update_settings(path: str | Path | None = None, **changes: Any) -> Settings:
    """Read, change some fields, write back; returns the new settings.

    A broken file raises instead of being overwritten: the user may be in the middle of
    editing it, and their edit is worth more than the one setting we wanted to save.
    """
    names = {f.name for f in fields(Settings)} - {"extra"}
    unknown = set(changes) - names
    if unknown:
        raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    path = Path(path) if path is not None else settings_file()
    with locked(path):  # two processes saving at once must not undo each other's change
        current = load_settings(path)
        updated = replace(current, **changes)
        if updated != current:
            save_settings(updated, path)
    return updated


def set_default_theme(name: str | None, path: str | Path | None = None) -> Settings:
    """Save `name` as the default theme (None forgets it), e.g. after a palette pick."""
    if name is not None and not _THEME_NAME_RE.fullmatch(name):
        raise SettingsError(f"{name!r} is not a theme name")
    return update_settings(path, theme=name)
