"""Which theme is shown: the account's, else `--theme`, else the saved default, else
synctui-dark (`choose_theme`), skipping names that are not installed with a sentence saying so.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from synctui.theming.spec import DEFAULT_THEME, suggest


class ThemeChoice(NamedTuple):
    """The theme to show, which rule picked it, and why higher rules were skipped."""

    name: str
    source: str  # "account", "cli", "settings" or "default"
    problems: list[str]


def choose_theme(
    cli_theme: str | None,
    account_theme: str | None,
    settings_default: str | None,
    *,
    available: Iterable[str] | None = None,
    account_name: str | None = None,
) -> ThemeChoice:
    """Apply the precedence rule: account > `--theme` > saved default > synctui-dark.

    `account_theme` is the theme of the account on screen (None when no single account is,
    e.g. the all-accounts view; see `shared_account_theme`). With `available` (the app's
    `available_themes`), a name that is not installed is skipped with a sentence saying so;
    without it every name is taken at its word.
    """
    known = None if available is None else set(available)
    problems: list[str] = []
    whose = f"set on account {account_name!r}" if account_name else "set on the account"
    candidates = (
        ("account", account_theme, whose),
        ("cli", cli_theme, "from --theme"),
        ("settings", settings_default, "your saved default"),
    )
    for source, name, where in candidates:
        if not name:
            continue
        if known is None or name in known:
            return ThemeChoice(name, source, problems)
        problems.append(f"theme {name!r} ({where}) is not installed{suggest(name, known or ())}")
    if problems:
        problems[-1] += f"; using {DEFAULT_THEME}"
    return ThemeChoice(DEFAULT_THEME, "default", problems)


def resolve_theme(
    cli_theme: str | None,
    account_theme: str | None,
    settings_default: str | None,
    *,
    available: Iterable[str] | None = None,
) -> str:
    """Just the name from `choose_theme` (same precedence, same fallback)."""
    return choose_theme(cli_theme, account_theme, settings_default, available=available).name


def shared_account_theme(themes: Iterable[str | None]) -> str | None:
    """The one theme every account on screen asks for, else None.

    For views that show several accounts: if all of them are production accounts the
    production skin still applies; a mix (or an account without a theme) gets the user's
    theme, since no single account's look would be honest.
    """
    distinct = set(themes)
    if len(distinct) == 1:
        return next(iter(distinct))
    return None
