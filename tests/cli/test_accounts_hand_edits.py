"""`synctui accounts add`, `add --replace` and `remove` keep what a person wrote in
accounts.toml: its comments, blank lines and the order of accounts and keys."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator

import keyring
import pytest

from synctui.store import paths
from tests.cli.conftest import Run
from tests.ui.conftest import MemoryKeyring

HAND_WRITTEN = """\
# Our accounts; the on-call rota is in the wiki.
version = 1

# the customer's own Paragon
[accounts.acme]
base_url = "https://pg.acme.example"  # behind the VPN
vendor = "paragon"
"""


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def test_add_replace_and_remove_keep_the_comments(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = paths.accounts_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    comments = [
        "# Our accounts; the on-call rota is in the wiki.",
        "# the customer's own Paragon",
        "# behind the VPN",
    ]

    def assert_kept() -> str:
        text = path.read_text(encoding="utf-8")
        for comment in comments:
            assert comment in text, text
        return text

    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("tok-0123456789abcdef\n"))
    added = run(
        "accounts", "add", "ls", "--vendor", "letsbuild", "--url", "https://lb.example",
        "--token-stdin",
    )  # fmt: skip
    assert added.code == 0, added.err
    text = assert_kept()
    assert list(tomllib.loads(text)["accounts"]) == ["acme", "ls"]

    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("tok-0123456789abcdef\n"))
    replaced = run(
        "accounts", "add", "acme", "--vendor", "paragon", "--url", "https://pg.acme.example",
        "--theme", "synctui-production", "--token-stdin", "--replace",
    )  # fmt: skip
    assert replaced.code == 0, replaced.err
    text = assert_kept()
    assert tomllib.loads(text)["accounts"]["acme"]["theme"] == "synctui-production"
    assert text.index("base_url = ") < text.index('vendor = "paragon"')  # the user's order

    removed = run("accounts", "remove", "ls")
    assert removed.code == 0, removed.err
    text = assert_kept()
    assert list(tomllib.loads(text)["accounts"]) == ["acme"]
