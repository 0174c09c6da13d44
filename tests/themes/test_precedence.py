"""Which theme is shown: account > --theme > saved default > synctui-dark."""

from __future__ import annotations

import pytest

from synctui import theming

INSTALLED = {"synctui-dark", "synctui-light", "synctui-production", "ocean"}


@pytest.mark.parametrize(
    ("cli", "account", "saved", "expected", "source"),
    [
        (None, None, None, "synctui-dark", "default"),
        (None, None, "ocean", "ocean", "settings"),
        ("synctui-light", None, "ocean", "synctui-light", "cli"),
        # The account wins even over an explicit flag: production must look like production.
        ("synctui-light", "synctui-production", "ocean", "synctui-production", "account"),
        (None, "synctui-production", None, "synctui-production", "account"),
        ("", None, "", "synctui-dark", "default"),
    ],
)
def test_precedence(cli, account, saved, expected, source) -> None:
    choice = theming.choose_theme(cli, account, saved, available=INSTALLED)
    assert (choice.name, choice.source, choice.problems) == (expected, source, [])
    assert theming.resolve_theme(cli, account, saved, available=INSTALLED) == expected


def test_a_missing_account_theme_falls_through_to_the_next_rule() -> None:
    choice = theming.choose_theme(
        "synctui-light", "synctui-prodution", None, available=INSTALLED, account_name="prod"
    )
    assert choice.name == "synctui-light" and choice.source == "cli"
    assert choice.problems == [
        "theme 'synctui-prodution' (set on account 'prod') is not installed "
        "(did you mean 'synctui-production'?)"
    ]


def test_every_rule_missing_ends_at_the_default_and_says_so() -> None:
    choice = theming.choose_theme("nope", None, "gone", available=INSTALLED)
    assert choice.name == "synctui-dark" and choice.source == "default"
    assert len(choice.problems) == 2
    assert choice.problems[-1].endswith("; using synctui-dark")


def test_without_available_names_are_taken_at_their_word() -> None:
    assert theming.resolve_theme("anything", None, None) == "anything"


@pytest.mark.parametrize(
    ("themes", "expected"),
    [
        (["synctui-production", "synctui-production"], "synctui-production"),
        (["synctui-production", None], None),
        (["synctui-production", "ocean"], None),
        ([None, None], None),
        ([], None),
    ],
)
def test_shared_account_theme(themes, expected) -> None:
    assert theming.shared_account_theme(themes) == expected
