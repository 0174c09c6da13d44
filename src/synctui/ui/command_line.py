"""The `:` command language (k9s style), parsed into a small action value — no Textual.

:ctx NAME | :account NAME | :NAME   show one account
:all                                every account merged into one table
:speckle (any vendor name)          every account of that vendor
:log | :calls                       the API call log
:attention | :doctor | :triage      syncs that need a person, why, and the fix
:accounts | :add                    manage accounts / add one
:refresh | :r                       reload what is shown
:every SECONDS                      auto-refresh interval (0 = off)
:theme NAME                         colour theme
:help | :q | :quit
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from synctui.store.accounts import VENDORS


@dataclass(frozen=True)
class Command:
    verb: str  # view-all | view-vendor | view-account | log | accounts | add | refresh | ...
    argument: str = ""


class CommandError(ValueError):
    """A command that cannot be run; the message is shown as a notification."""


VERBS: dict[str, str] = {
    "all": "view-all",
    "log": "log",
    "calls": "log",
    "attention": "attention",
    "doctor": "attention",
    "triage": "attention",
    "accounts": "accounts",
    "add": "add",
    "refresh": "refresh",
    "r": "refresh",
    "help": "help",
    "q": "quit",
    "quit": "quit",
}


def parse_command(text: str, accounts: Sequence[str]) -> Command:
    words = text.strip().lstrip(":").split()
    if not words:
        raise CommandError("empty command (try :all, :ctx NAME, :log, :help)")
    head, rest = words[0], words[1:]
    low = head.lower()
    if low in ("ctx", "context", "account"):
        if not rest:
            raise CommandError(f"which account? {', '.join(accounts) or 'none configured'}")
        return _account(rest[0], accounts)
    if low in ("every", "interval"):
        if not rest:
            raise CommandError("give a number of seconds, e.g. :every 30 (0 turns it off)")
        try:
            seconds = float(rest[0])
        except ValueError:
            raise CommandError(f"not a number of seconds: {rest[0]!r}") from None
        if seconds < 0:
            raise CommandError("the interval cannot be negative")
        return Command("every", str(seconds))
    if low == "feed":
        return Command("feed", _account(rest[0], accounts).argument if rest else "")
    if low == "theme":
        if not rest:
            raise CommandError("which theme? e.g. :theme synctui-light")
        return Command("theme", rest[0])
    if low in VERBS:
        return Command(VERBS[low])
    if low in VENDORS:
        return Command("view-vendor", low)
    return _account(head, accounts)


def _account(name: str, accounts: Sequence[str]) -> Command:
    if name in accounts:
        return Command("view-account", name)
    folded = [a for a in accounts if a.casefold() == name.casefold()]
    if len(folded) == 1:
        return Command("view-account", folded[0])
    prefixed = [a for a in accounts if a.casefold().startswith(name.casefold())]
    if len(prefixed) == 1:
        return Command("view-account", prefixed[0])
    known = ", ".join(accounts) or "none configured"
    raise CommandError(f"no command or account {name!r} (accounts: {known})")


def suggestions(accounts: Sequence[str]) -> list[str]:
    """Completions offered while typing after `:`."""
    words = ["all", "log", "feed", "accounts", "add", "refresh", "every ", "theme ", "help", "quit"]
    words += list(VENDORS)
    words += [f"ctx {name}" for name in accounts]
    return words
