"""`synctui accounts add`: all or nothing, and a message that says how to get there.

A machine without a keyring (SSH, containers) used to end up with an account saved and its
token not, and the re-run with `--insecure-storage` was then refused because the account
existed. Now nothing is saved unless the whole add succeeds, and the messages name the flag
that fixes it. Ctrl-C at the hidden prompt (a real terminal) saves nothing either.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from synctui.store import paths
from tests.cli.conftest import Run
from tests.ui.conftest import MemoryKeyring

ADD = ("accounts", "add", "ssh-box", "--vendor", "paragon", "--url", "https://p.example")
TOKEN = "tok-0123456789abcdef"


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def with_stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def test_without_a_keyring_nothing_is_saved_and_the_fix_is_named(
    run: Run, no_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_stdin(monkeypatch, TOKEN + "\n")
    refused = run(*ADD, "--token-stdin")
    assert refused.code == 2
    assert refused.out == ""
    assert refused.err.count("\n") == 1, refused.err
    assert "Nothing was saved" in refused.err
    assert "--insecure-storage" in refused.err and "SYNCTUI_TOKEN_SSH_BOX" in refused.err
    assert TOKEN not in refused.err
    assert not paths.accounts_file().exists()
    assert not paths.tokens_file().exists()

    # The re-run the message suggests now simply works.
    with_stdin(monkeypatch, TOKEN + "\n")
    added = run(*ADD, "--token-stdin", "--insecure-storage")
    assert added.code == 0, added.err
    listed = run("accounts", "list", "--json")
    assert '"token": "file"' in listed.out and '"name": "ssh-box"' in listed.out


def test_an_existing_account_names_replace(run: Run, memory_keyring: MemoryKeyring) -> None:
    assert run(*ADD).code == 0
    again = run(*ADD)
    assert again.code == 2
    assert again.err.count("\n") == 1
    assert "already exists" in again.err and "--replace" in again.err


def test_a_refused_token_keeps_the_old_account_as_it_was(
    run: Run, no_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(*ADD).code == 0
    before = paths.accounts_file().read_text()
    with_stdin(monkeypatch, TOKEN + "\n")
    refused = run(
        "accounts", "add", "ssh-box", "--vendor", "paragon", "--url", "https://other.example",
        "--token-stdin", "--replace",
    )  # fmt: skip
    assert refused.code == 2
    assert paths.accounts_file().read_text() == before


def test_a_clash_found_by_the_store_stores_no_token(
    run: Run, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`team.a` and `team-a` would share SYNCTUI_TOKEN_TEAM_A: refused before any token."""
    assert (
        run("accounts", "add", "team.a", "--vendor", "paragon", "--url", "https://a.example").code
        == 0
    )
    with_stdin(monkeypatch, TOKEN + "\n")
    clash = run(
        "accounts", "add", "team-a", "--vendor", "paragon", "--url", "https://a.example",
        "--token-stdin",
    )  # fmt: skip
    assert clash.code == 2 and "SYNCTUI_TOKEN_TEAM_A" in clash.err
    assert memory_keyring.store == {}


def test_with_a_keyring_account_and_token_are_saved(
    run: Run, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_stdin(monkeypatch, TOKEN + "\n")
    added = run(*ADD, "--token-stdin")
    assert added.code == 0, added.err
    assert memory_keyring.store[("synctui", "ssh-box")] == TOKEN
    assert "ssh-box" in paths.accounts_file().read_text()


def test_ctrl_c_at_the_hidden_prompt_saves_nothing(tmp_path: Path) -> None:
    """On a real terminal: the prompt appears, Ctrl-C, and no file was written."""
    import fcntl
    import pty
    import termios

    def controlling_terminal() -> None:
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    master, slave = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "synctui", *ADD],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        preexec_fn=controlling_terminal,
    )
    os.close(slave)
    seen = b""
    try:
        deadline = time.monotonic() + 60
        while b"input hidden" not in seen:
            assert time.monotonic() < deadline, seen
            if select.select([master], [], [], 1.0)[0]:
                seen += os.read(master, 4096)
        os.write(master, b"\x03")  # the terminal turns ^C into SIGINT for the process
        code = child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            child.wait()
        os.close(master)
    assert code == 130
    config = tmp_path / "config" / "synctui"
    assert not (config / "accounts.toml").exists()
    assert not (config / "tokens.toml").exists()


def test_demo_cli_refuses_to_change_saved_accounts(run: Run, tmp_path: Path) -> None:
    added = run("--demo", "accounts", "add", "x", "--vendor", "paragon", "--url", "https://x.io")
    assert added.code == 2 and added.err.count("\n") == 1 and "--demo saves nothing" in added.err
    removed = run("--demo", "accounts", "remove", "x")
    assert removed.code == 2 and "--demo saves nothing" in removed.err
    assert not (tmp_path / "config").exists()
