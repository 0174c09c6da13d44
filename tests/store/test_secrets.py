"""Token lookup order, keyring failure modes, and the opt-in 0600 token file."""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors
import pytest

from synctui.store import paths
from synctui.store.accounts import AccountError
from synctui.store.secrets import (
    InvalidToken,
    KeyringUnavailable,
    ResolvedToken,
    TokenFileError,
    TokenStore,
    clean_token,
)

TOKEN = "tok-live-0123456789abcdef"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A working keyring that keeps passwords in a dict."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


class HangingKeyring(MemoryKeyring):
    """Blocks like Secret Service waiting on an unlock prompt nobody can see."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(10)
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait(10)
        super().set_password(service, username, password)


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")


def _use(backend: keyring.backend.KeyringBackend) -> Iterator[keyring.backend.KeyringBackend]:
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    yield from _use(MemoryKeyring())  # type: ignore[misc]


@pytest.fixture
def no_keyring(monkeypatch) -> Iterator[keyring.backend.KeyringBackend]:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    yield from _use(keyring.backends.fail.Keyring())


@pytest.fixture
def hanging() -> Iterator[HangingKeyring]:
    backend = HangingKeyring()
    try:
        yield from _use(backend)  # type: ignore[misc]
    finally:
        backend.release.set()  # let the stuck worker thread finish


@pytest.fixture
def locked() -> Iterator[LockedKeyring]:
    yield from _use(LockedKeyring())  # type: ignore[misc]


@pytest.fixture
def store() -> TokenStore:
    return TokenStore(keyring_timeout=0.2)


def file_mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- lookup order -------------------------------------------------------------------------


def test_environment_wins_over_keyring_and_file(store, memory, monkeypatch) -> None:
    store.set("prod", "from-file", insecure_file=True)
    memory.set_password("synctui", "prod", "from-keyring")
    monkeypatch.setenv("SYNCTUI_TOKEN_PROD", " from-env\n")
    found = store.get("prod")
    assert found is not None
    assert (found.value, found.source) == ("from-env", "env")
    assert "SYNCTUI_TOKEN_PROD" in found.where


def test_keyring_wins_over_file(store, memory) -> None:
    store.set("prod", "from-file", insecure_file=True)
    memory.set_password("synctui", "prod", "from-keyring\n")
    found = store.get("prod")
    assert found is not None
    assert (found.value, found.source) == ("from-keyring", "keyring")


def test_file_is_last(store, memory) -> None:
    store.set("prod", "from-file", insecure_file=True)
    found = store.get("prod")
    assert found is not None
    assert (found.value, found.source) == ("from-file", "file")


def test_env_var_name_is_derived_from_the_account_name(store, no_keyring, monkeypatch) -> None:
    monkeypatch.setenv("SYNCTUI_TOKEN_TEAM_EU_1", TOKEN)
    found = store.get("team.eu-1")
    assert found is not None and found.value == TOKEN


def test_an_empty_env_var_counts_as_unset(store, memory, monkeypatch) -> None:
    memory.set_password("synctui", "prod", TOKEN)
    monkeypatch.setenv("SYNCTUI_TOKEN_PROD", "  ")
    found = store.get("prod")
    assert found is not None and found.source == "keyring"


def test_nothing_found_is_none(store, memory) -> None:
    assert store.get("prod") is None
    assert store.last_keyring_problem is None


# --- unusable keyrings --------------------------------------------------------------------


def test_env_token_works_without_touching_a_hanging_keyring(store, hanging, monkeypatch) -> None:
    monkeypatch.setenv("SYNCTUI_TOKEN_PROD", TOKEN)
    started = time.monotonic()
    found = store.get("prod")
    assert time.monotonic() - started < 0.1
    assert found is not None and found.value == TOKEN


def test_env_token_works_without_a_keyring(store, no_keyring, monkeypatch) -> None:
    monkeypatch.setenv("SYNCTUI_TOKEN_PROD", TOKEN)
    found = store.get("prod")
    assert found is not None and found.source == "env"


def test_no_keyring_get_returns_none_and_explains(store, no_keyring) -> None:
    assert store.get("prod") is None
    problem = store.last_keyring_problem
    assert isinstance(problem, KeyringUnavailable)
    message = str(problem)
    assert message.startswith("No usable system keyring on this machine (no D-Bus session): ")
    assert "SYNCTUI_TOKEN_PROD" in message
    assert f"--insecure-storage to keep it in {paths.tokens_file()} (mode 0600)" in message


def test_no_keyring_still_finds_the_opted_in_file(store, no_keyring) -> None:
    store.set("prod", TOKEN, insecure_file=True)
    found = store.get("prod")
    assert found is not None and found.source == "file"
    assert store.last_keyring_problem is not None


def test_no_keyring_set_refuses_and_never_falls_back_to_the_file(store, no_keyring) -> None:
    with pytest.raises(KeyringUnavailable) as info:
        store.set("prod", TOKEN)
    assert "No usable system keyring" in str(info.value)
    assert "SYNCTUI_TOKEN_PROD" in str(info.value)
    assert "--insecure-storage" in str(info.value)
    assert TOKEN not in str(info.value)
    assert not paths.tokens_file().exists()


def test_hanging_keyring_times_out_quickly(store, hanging) -> None:
    started = time.monotonic()
    assert store.get("prod") is None
    assert time.monotonic() - started < 1.0
    assert "did not answer within 0.2 s" in str(store.last_keyring_problem)

    started = time.monotonic()
    with pytest.raises(KeyringUnavailable, match="has not answered an earlier request"):
        store.set("prod", TOKEN)
    assert time.monotonic() - started < 0.1  # no second wait while the first call is stuck
    assert not paths.tokens_file().exists()


def test_keyring_is_retried_once_the_stuck_call_returns(store, hanging) -> None:
    with pytest.raises(KeyringUnavailable):
        store.set("prod", TOKEN)
    hanging.release.set()
    deadline = time.monotonic() + 2
    while store._stuck_thread is not None and store._stuck_thread.is_alive():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert "keyring" in store.set("prod", TOKEN)
    found = store.get("prod")
    assert found is not None and found.source == "keyring"


def test_locked_keyring_says_so(store, locked) -> None:
    with pytest.raises(KeyringUnavailable, match="keyring is locked"):
        store.set("prod", TOKEN)
    assert store.get("prod") is None
    assert "keyring is locked" in str(store.last_keyring_problem)


def test_keyring_status(store, memory) -> None:
    usable, reason = store.keyring_status()
    assert usable
    assert "available" in reason


def test_keyring_status_without_keyring(store, no_keyring) -> None:
    usable, reason = store.keyring_status()
    assert not usable
    assert "No usable system keyring" in reason
    assert "SYNCTUI_TOKEN_<NAME>" in reason


def test_keyring_status_with_hanging_keyring(store, hanging) -> None:
    started = time.monotonic()
    usable, reason = store.keyring_status()
    assert not usable and "did not answer" in reason
    assert time.monotonic() - started < 1.0


# --- storing and deleting -----------------------------------------------------------------


def test_set_defaults_to_the_keyring_and_creates_no_file(store, memory) -> None:
    where = store.set("prod", TOKEN + "\n")
    assert "system keyring" in where
    assert memory.passwords[("synctui", "prod")] == TOKEN
    assert not paths.tokens_file().exists()


def test_insecure_file_is_created_private_even_with_a_lax_umask(store, no_keyring) -> None:
    old = os.umask(0)
    try:
        where = store.set("prod", TOKEN, insecure_file=True)
    finally:
        os.umask(old)
    path = paths.tokens_file()
    assert str(path) in where
    assert file_mode(path) == 0o600
    assert file_mode(path.parent) == 0o700


def test_insecure_file_is_opened_with_0600_from_the_start(store, no_keyring, monkeypatch) -> None:
    calls: list[tuple[int, int]] = []
    real_open = os.open

    def spy(path, flags, mode=0o777, *args, **kwargs):
        if flags & os.O_CREAT and not str(path).endswith(".lock"):  # the lock holds no data
            calls.append((flags, mode))
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(paths.os, "open", spy)
    store.set("prod", TOKEN, insecure_file=True)
    assert calls, "the token file must be created through os.open"
    for flags, mode in calls:
        assert mode == 0o600
        assert flags & os.O_EXCL


def test_insecure_file_keeps_other_accounts(store, no_keyring) -> None:
    store.set("a", "token-a", insecure_file=True)
    store.set("b.x", 'tok"en\\b', insecure_file=True)
    store.set("a", "token-a2", insecure_file=True)
    found_a, found_b = store.get("a"), store.get("b.x")
    assert found_a is not None and found_a.value == "token-a2"
    assert found_b is not None and found_b.value == 'tok"en\\b'


def test_storing_in_the_keyring_removes_a_plain_text_copy(store, memory) -> None:
    store.set("prod", "old-token", insecure_file=True)
    store.set("other", "other-token", insecure_file=True)
    store.set("prod", "new-token")
    text = paths.tokens_file().read_text()
    assert "old-token" not in text
    assert "other-token" in text


def test_storing_in_the_file_removes_a_shadowing_keyring_copy(store, memory) -> None:
    store.set("prod", "old-token")
    store.set("prod", "new-token", insecure_file=True)
    assert ("synctui", "prod") not in memory.passwords
    found = store.get("prod")
    assert found is not None and found.value == "new-token"


def test_delete_removes_every_stored_copy(store, memory) -> None:
    store.set("prod", "file-token", insecure_file=True)
    memory.set_password("synctui", "prod", "keyring-token")
    assert sorted(store.delete("prod")) == ["file", "keyring"]
    assert store.get("prod") is None
    assert store.delete("prod") == []


def test_delete_without_keyring_cleans_the_file_and_reports(store, no_keyring) -> None:
    store.set("prod", TOKEN, insecure_file=True)
    assert store.delete("prod") == ["file"]
    assert isinstance(store.last_keyring_problem, KeyringUnavailable)
    assert TOKEN not in paths.tokens_file().read_text()


def test_delete_never_creates_the_file(store, memory) -> None:
    store.delete("prod")
    assert not paths.tokens_file().exists()


def test_set_checks_the_account_name(store, memory) -> None:
    with pytest.raises(AccountError):
        store.set("bad name", TOKEN)


# --- the token file's permissions ---------------------------------------------------------


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o602])
def test_a_file_others_can_access_is_refused(store, no_keyring, mode: int) -> None:
    store.set("prod", TOKEN, insecure_file=True)
    path = paths.tokens_file()
    path.chmod(mode)
    with pytest.raises(TokenFileError) as info:
        store.get("prod")
    message = str(info.value)
    assert f"chmod 600 {path}" in message
    assert f"{mode:04o}" in message
    assert TOKEN not in message
    path.chmod(0o600)
    assert store.get("prod") is not None


def test_a_broken_token_file_does_not_echo_its_content(store, no_keyring) -> None:
    path = paths.tokens_file()
    paths.ensure_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.write(fd, f'[tokens]\nprod = "{TOKEN}\n'.encode())
    os.close(fd)
    with pytest.raises(TokenFileError) as info:
        store.get("prod")
    assert "not valid TOML (at line 2" in str(info.value)
    assert TOKEN not in str(info.value)


def test_a_token_file_of_the_wrong_shape_is_refused(store, no_keyring) -> None:
    path = paths.tokens_file()
    paths.ensure_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.write(fd, b'prod = "x"\n')
    os.close(fd)
    with pytest.raises(TokenFileError, match=r"one \[tokens\] table"):
        store.get("prod")


def test_explicit_tokens_path(tmp_path, no_keyring) -> None:
    custom = tmp_path / "elsewhere" / "t.toml"
    store = TokenStore(keyring_timeout=0.2, tokens_path=custom)
    store.set("prod", TOKEN, insecure_file=True)
    assert custom.exists()
    assert not paths.tokens_file().exists()


# --- token values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty"),
        ("  \n\t", "empty"),
        ("abc\x00def", "U+0000"),
        ("abc\x07def", "U+0007"),
        ("abc\ndef", "U+000A"),
        ("abc\x7fdef", "U+007F"),
        ("abc\u200bdef", "U+200B"),
        ("\ufeffabcdef", "U+FEFF"),
    ],
)
def test_invalid_tokens_are_refused_without_echoing_them(raw: str, message: str) -> None:
    with pytest.raises(InvalidToken) as info:
        clean_token(raw)
    assert message in str(info.value)
    if raw.strip():
        assert "def" not in str(info.value)


def test_invalid_token_is_a_usage_error_and_a_value_error() -> None:
    from synctui.domain.errors import UsageError

    with pytest.raises(UsageError):
        clean_token("")
    with pytest.raises(ValueError):
        clean_token("")


def test_tokens_are_stripped() -> None:
    assert clean_token(f"  {TOKEN}\r\n") == TOKEN


def test_set_refuses_a_bad_token_before_storing_anything(store, memory) -> None:
    with pytest.raises(InvalidToken):
        store.set("prod", "a\x00b", insecure_file=True)
    with pytest.raises(InvalidToken):
        store.set("prod", "")
    assert memory.passwords == {}
    assert not paths.tokens_file().exists()


def test_a_bad_env_token_names_the_variable(store, no_keyring, monkeypatch) -> None:
    monkeypatch.setenv("SYNCTUI_TOKEN_PROD", "abc\x01def")
    with pytest.raises(InvalidToken, match="SYNCTUI_TOKEN_PROD"):
        store.get("prod")


def test_resolved_token_never_shows_its_value() -> None:
    token = ResolvedToken(TOKEN, "keyring", "the system keyring")
    for text in (repr(token), str(token), f"{token}", f"{token!r}", repr([token])):
        assert TOKEN not in text
        assert "keyring" in text
    assert token.value == TOKEN
    assert token == ResolvedToken(TOKEN, "keyring", "elsewhere")
