"""settings.toml: defaults, round trip, precise errors, unknown keys kept, no secrets."""

from __future__ import annotations

import datetime as dt
import os
import stat
import tomllib
from pathlib import Path

import pytest

from synctui.domain.errors import ConfigError
from synctui.settings import (
    Settings,
    SettingsError,
    load_settings,
    render_settings,
    save_settings,
    set_default_theme,
    update_settings,
)
from synctui.store.paths import settings_file


def test_missing_file_means_defaults() -> None:
    settings = load_settings()
    assert settings == Settings()
    assert settings.theme is None
    assert settings.refresh_seconds == 30
    assert settings.feed_poll_for(demo=True) == 2
    assert settings.feed_poll_for(demo=False) == 30
    assert not settings_file().exists(), "reading never creates the file"


def test_round_trip() -> None:
    settings = Settings(
        theme="synctui-light", refresh_seconds=0, feed_poll_seconds=60, demo_feed_poll_seconds=0.5
    )
    save_settings(settings)
    assert load_settings() == settings
    text = settings_file().read_text()
    assert 'theme = "synctui-light"' in text
    assert stat.S_IMODE(os.stat(settings_file()).st_mode) == 0o600


def test_defaults_are_not_written() -> None:
    save_settings(Settings(theme="ocean"))
    data = tomllib.loads(settings_file().read_text())
    assert data == {"version": 1, "tui": {"theme": "ocean"}}


def test_the_launcher_reads_the_same_refresh_key() -> None:
    """ui/launch.py reads [tui] refresh_seconds on its own; the key must stay where it looks."""
    save_settings(Settings(refresh_seconds=12))
    assert tomllib.loads(settings_file().read_text())["tui"]["refresh_seconds"] == 12


def test_set_default_theme_keeps_everything_else() -> None:
    path = settings_file()
    path.parent.mkdir(parents=True)
    path.write_text(
        "version = 1\nfuture_flag = true\n[tui]\nrefresh_seconds = 5\nsparkles = 3\n"
        '[keymap]\nquit = "ctrl+q"\n[keymap.feed]\npause = "p"\n'
        "[feed]\ndemo_poll_seconds = 1\n[later]\nwhen = 2025-01-02\n"
    )
    settings = set_default_theme("synctui-production")
    assert settings.theme == "synctui-production"
    assert load_settings() == settings
    data = tomllib.loads(path.read_text())
    assert data["tui"] == {"theme": "synctui-production", "refresh_seconds": 5, "sparkles": 3}
    assert data["keymap"] == {"quit": "ctrl+q", "feed": {"pause": "p"}}
    assert data["feed"] == {"demo_poll_seconds": 1}
    assert data["future_flag"] is True
    assert data["later"]["when"] == dt.date(2025, 1, 2)
    assert set_default_theme(None).theme is None
    assert "theme" not in tomllib.loads(path.read_text())["tui"]


def test_broken_toml_names_file_and_line() -> None:
    path = settings_file()
    path.parent.mkdir(parents=True)
    path.write_text("version = 1\n[tui]\ntheme = synctui-dark\n")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert str(path) in message and "line 3" in message
    assert "delete the file" in message


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ('[tui]\n\nrefresh_seconds = "soon"\n', 3, "tui.refresh_seconds must be a number"),
        ("[tui]\nrefresh_seconds = -1\n", 2, "from 0 to 86400, not -1"),
        ("[feed]\npoll_seconds = 0.2\n", 2, "feed.poll_seconds must be a number of seconds from 1"),
        ("[tui]\nrefresh_seconds = true\n", 2, "not True"),
        ('# hi\n[tui]\ntheme = "my theme"\n', 3, "tui.theme: 'my theme' is not a theme name"),
        ("tui.theme = 3\n", 1, "tui.theme: 3 is not a theme name"),
        ('version = "one"\n', 1, "version must be a whole number"),
    ],
)
def test_bad_values_name_file_line_and_key(text: str, line: int, expected: str) -> None:
    path = settings_file()
    path.parent.mkdir(parents=True)
    path.write_text(text)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert f"{path}, line {line}: " in message
    assert expected in message


def test_a_broken_file_is_not_overwritten_by_a_theme_pick() -> None:
    path = settings_file()
    path.parent.mkdir(parents=True)
    path.write_text("[tui\n")
    with pytest.raises(SettingsError):
        set_default_theme("synctui-light")
    assert path.read_text() == "[tui\n"


def test_secrets_are_never_written() -> None:
    with pytest.raises(SettingsError, match=r"'speckle\.api_token' looks like one"):
        render_settings(Settings(extra={"speckle": {"api_token": "abc"}}))
    with pytest.raises(SettingsError):
        save_settings(Settings(extra={"password": "x"}))
    assert not settings_file().exists()
    # A keymap is not a secret, although it contains "key".
    save_settings(Settings(extra={"keymap": {"quit": "q"}}))


def test_out_of_range_values_are_refused_on_save() -> None:
    with pytest.raises(SettingsError):
        save_settings(Settings(refresh_seconds=-5))
    with pytest.raises(TypeError):
        update_settings(colour="red")


def test_strings_are_escaped(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    save_settings(Settings(extra={"note": 'say "hi"\\\n', "odd key": [1, 2.5, "x"]}), path)
    assert load_settings(path).extra == {"note": 'say "hi"\\\n', "odd key": [1, 2.5, "x"]}
