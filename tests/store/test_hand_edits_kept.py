"""A hand-edited accounts.toml, settings.toml or tokens.toml keeps its comments, blank lines and order
through every write synctui makes to it.

Both files are rewritten on deliberate changes (an account added, edited or removed, a theme
picked, a setting changed) and edited by hand in between; a rewrite that renders the file
from data erases the user's notes every time. Each test writes through one path and then
checks that every comment line is still there, where it was, and that the data is right.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from synctui import settings as settings_module
from synctui.settings import Settings, load_settings, save_settings, set_default_theme
from synctui.store.accounts import Account, AccountStore

ACCOUNTS = """\
# My vendors. Ask Dana before touching prod.
version = 1

# --- production ---
[accounts.prod]
base_url = "https://app.speckle.systems"   # the EU tenant
vendor = "speckle"
projects = ["3f1c0a9d2b"]  # only the tower
team_note = "ops"  # a key this version does not know

# --- staging ---
[accounts."staging.poly"]
vendor = "polytomic"
base_url = "https://app.polytomic.com"
api_version = "2025-09-18"
# end of staging
"""

SETTINGS = """\
# Kept in dotfiles; see the wiki page "terminal setup".
version = 1

[tui]
# light for the office, dark at home
theme = "synctui-light"   # changed by :theme
refresh_seconds = 30      # the default, written out on purpose

[keymap]
# my muscle memory
app.call-log = "ctrl+l"   # like my editor
"main.delete" = "ctrl+d,shift+delete"

[network]
max_pages = 500  # our proxy times out on long listings
"""


def comment_lines(text: str) -> list[str]:
    """Every comment in the file (whole lines and trailing ones), in order."""
    found = []
    for line in text.splitlines():
        if "#" in line:
            found.append(line[line.index("#") :].strip())
    return found


def assert_comments_kept(before: str, after: str, dropped: tuple[str, ...] = ()) -> None:
    wanted = [c for c in comment_lines(before) if c not in dropped]
    assert [c for c in comment_lines(after) if c in wanted] == wanted, after


# --- accounts.toml -------------------------------------------------------------------------


@pytest.fixture
def accounts_path(tmp_path: Path) -> Path:
    path = tmp_path / "accounts.toml"
    path.write_text(ACCOUNTS, encoding="utf-8")
    os.chmod(path, 0o600)
    return path


def _add(store: AccountStore) -> None:
    store.add(Account("new-pg", "paragon", "https://pg.example"))


def _edit(store: AccountStore) -> None:
    prod = store.get("prod")
    store.update(
        Account(
            "prod",
            "speckle",
            prod.base_url,
            projects=("3f1c0a9d2b", "77aa01ce4f"),
            theme="synctui-production",
            extra=prod.extra,
        )
    )


def _replace(store: AccountStore) -> None:
    store.add(
        Account("staging.poly", "polytomic", "https://app.polytomic.com", auth="deployment"),
        replace=True,
    )


def _save_same(store: AccountStore) -> None:
    store.save(store.load())


@pytest.mark.parametrize(
    "write", [_add, _edit, _replace, _save_same], ids=["add", "edit", "replace", "save"]
)
def test_accounts_writes_keep_comments_and_order(
    accounts_path: Path, write: Callable[[AccountStore], None]
) -> None:
    store = AccountStore(accounts_path)
    before_accounts = store.load()
    write(store)
    after = accounts_path.read_text(encoding="utf-8")
    assert_comments_kept(ACCOUNTS, after)
    # prod's keys stay in the user's order (base_url before vendor), nothing reformatted
    assert after.index("base_url = ") < after.index('vendor = "speckle"')
    assert '[accounts."staging.poly"]' in after
    assert tomllib.loads(after)["accounts"]["prod"]["team_note"] == "ops"
    assert stat.S_IMODE(accounts_path.stat().st_mode) == 0o600
    assert len(store.load()) >= len(before_accounts)


def test_edit_changes_only_the_changed_lines(accounts_path: Path) -> None:
    store = AccountStore(accounts_path)
    _edit(store)
    after = accounts_path.read_text(encoding="utf-8")
    assert 'projects = ["3f1c0a9d2b", "77aa01ce4f"]  # only the tower' in after
    assert 'base_url = "https://app.speckle.systems"   # the EU tenant' in after
    prod = store.get("prod")
    assert prod.theme == "synctui-production"
    assert prod.projects == ("3f1c0a9d2b", "77aa01ce4f")


def test_remove_keeps_the_other_accounts_comments(accounts_path: Path) -> None:
    store = AccountStore(accounts_path)
    store.remove("staging.poly")
    after = accounts_path.read_text(encoding="utf-8")
    assert_comments_kept(ACCOUNTS, after, dropped=("# end of staging",))
    assert [a.name for a in store.load()] == ["prod"]
    store.remove("prod")
    assert store.load() == []
    assert "# My vendors. Ask Dana before touching prod." in accounts_path.read_text()


def test_a_new_file_is_still_written_whole(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "accounts.toml")
    _add(store)
    text = (tmp_path / "accounts.toml").read_text(encoding="utf-8")
    assert text.startswith("# synctui accounts. No token or password belongs in this file:")
    assert tomllib.loads(text) == {
        "version": 1,
        "accounts": {"new-pg": {"vendor": "paragon", "base_url": "https://pg.example"}},
    }


# --- settings.toml -------------------------------------------------------------------------


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(SETTINGS, encoding="utf-8")
    os.chmod(path, 0o600)
    return path


def test_theme_pick_keeps_comments(settings_path: Path) -> None:
    set_default_theme("synctui-high-contrast", settings_path)
    after = settings_path.read_text(encoding="utf-8")
    assert_comments_kept(SETTINGS, after)
    assert 'theme = "synctui-high-contrast"   # changed by :theme' in after
    assert "refresh_seconds = 30      # the default, written out on purpose" in after
    loaded = load_settings(settings_path)
    assert loaded.theme == "synctui-high-contrast"
    assert loaded.keymap == {"app.call-log": "ctrl+l", "main.delete": "ctrl+d,shift+delete"}
    assert loaded.max_pages == 500
    assert stat.S_IMODE(settings_path.stat().st_mode) == 0o600


def test_forgetting_the_theme_removes_only_its_line(settings_path: Path) -> None:
    set_default_theme(None, settings_path)
    after = settings_path.read_text(encoding="utf-8")
    assert_comments_kept(SETTINGS, after, dropped=("# changed by :theme",))
    assert "theme =" not in after
    assert load_settings(settings_path).theme is None


def test_update_settings_keeps_comments(settings_path: Path) -> None:
    settings_module.update_settings(settings_path, refresh_seconds=0.0, feed_poll_seconds=60.0)
    after = settings_path.read_text(encoding="utf-8")
    assert_comments_kept(SETTINGS, after)
    loaded = load_settings(settings_path)
    assert (loaded.refresh_seconds, loaded.feed_poll_seconds) == (0.0, 60.0)
    assert loaded.max_pages == 500


def test_save_settings_keeps_comments(settings_path: Path) -> None:
    current = load_settings(settings_path)
    save_settings(current, settings_path)
    assert settings_path.read_text(encoding="utf-8") == SETTINGS  # nothing changed: same bytes


def test_a_new_settings_file_omits_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    save_settings(Settings(theme="synctui-256"), path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# synctui settings.")
    assert tomllib.loads(text) == {"version": 1, "tui": {"theme": "synctui-256"}}


# --- tokens.toml (opted in with --insecure-storage) ------------------------------------------

TOKENS = """\
# Tokens for the CI box only; rotated every quarter.
[tokens]
prod = "tok-prod-1"   # the read-only one
# staging shares the sandbox token
"staging.poly" = "tok-staging-1"
"""


@pytest.fixture
def tokens_path(tmp_path: Path) -> Path:
    path = tmp_path / "tokens.toml"
    path.write_text(TOKENS, encoding="utf-8")
    os.chmod(path, 0o600)
    return path


@pytest.fixture
def memory_keyring() -> Iterator[None]:
    """Whatever keyring the machine has is left alone (a token written to the file is also
    removed from the keyring)."""
    import keyring
    from keyring.backends import null

    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@pytest.mark.parametrize(
    ("name", "value", "dropped"),
    [
        ("prod", "tok-prod-2", ()),  # a changed token keeps its trailing comment
        ("new-pg", "tok-pg-1", ()),  # a new one is appended
        # one removed: the others' comments stay (its own line's comment goes with it)
        ("staging.poly", None, ()),
    ],
    ids=["change", "add", "remove"],
)
def test_token_file_writes_keep_comments_and_mode_0600(
    tokens_path: Path, memory_keyring: None, name: str, value: str | None, dropped: tuple[str, ...]
) -> None:
    from synctui.store.secrets import TokenStore

    store = TokenStore(keyring_timeout=5, tokens_path=tokens_path)
    if value is None:
        assert "file" in store.delete(name)
    else:
        store.set(name, value, insecure_file=True)
    after = tokens_path.read_text(encoding="utf-8")
    assert_comments_kept(TOKENS, after, dropped)
    wanted = {"prod": "tok-prod-1", "staging.poly": "tok-staging-1"}
    if value is None:
        del wanted[name]
    else:
        wanted[name] = value
    assert tomllib.loads(after) == {"tokens": wanted}
    assert stat.S_IMODE(tokens_path.stat().st_mode) == 0o600
