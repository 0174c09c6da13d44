"""Every `:` command the parser can produce has a row in the command table."""

from __future__ import annotations

import pytest

from synctui.store.accounts import VENDORS
from synctui.ui.command_line import VERBS, parse_command
from synctui.ui.command_table import COMMANDS

ACCOUNTS = ["speckle-acme", "letsbuild-site"]
TYPED = [
    *VERBS,
    *VENDORS,
    "ctx speckle-acme",
    "speckle-ac",
    "every 30",
    "feed",
    "feed letsbuild-site",
    "theme synctui-light",
]


@pytest.mark.parametrize("text", TYPED)
def test_every_parsed_verb_has_a_handler(text: str) -> None:
    assert parse_command(text, ACCOUNTS).verb in COMMANDS


def test_the_table_holds_no_verb_the_parser_never_produces() -> None:
    produced = {parse_command(text, ACCOUNTS).verb for text in TYPED}
    assert set(COMMANDS) == produced
