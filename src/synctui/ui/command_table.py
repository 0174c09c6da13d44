"""What each `:` command does: one table from verb to handler, instead of a chain of ifs.

`command_line.parse_command` turns the typed text into a `Command` (verb, argument); this
table says what the app does with it. A new command is one parser line and one row here;
`tests/ui` checks that every verb the parser can produce has a row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from synctui.ui.catalog import ALL, View
from synctui.ui.command_line import CommandError, parse_command

if TYPE_CHECKING:
    from synctui.ui.host import Tui

Handler = Callable[["Tui", str], None]


def _view_vendor(app: Tui, vendor: str) -> None:
    if not app.catalog.accounts_in(View("vendor", vendor)):
        app.notify(f"no {vendor} account configured", severity="warning")
    else:
        app.show_view(View("vendor", vendor))


def _feed(app: Tui, account: str) -> None:
    names = [account] if account else [n for n in app.catalog.names() if app.is_feed_only(n)]
    if names and names[0] in app.catalog.entries:
        app.open_feed(names[0])
    else:
        app.notify("no account with a change feed", severity="warning")


def _refresh(app: Tui, _: str) -> None:
    if app.main is not None:
        app.reload_view(app.main.view, force=True)


COMMANDS: dict[str, Handler] = {
    "view-all": lambda app, _: app.show_view(ALL),
    "view-vendor": _view_vendor,
    "view-account": lambda app, name: app.show_view(View("account", name)),
    "feed": _feed,
    "log": lambda app, _: app.action_call_log(),
    "attention": lambda app, _: app.action_attention(),
    "accounts": lambda app, _: app.action_manage_accounts(),
    "add": lambda app, _: app.action_add_account(),
    "refresh": _refresh,
    "every": lambda app, seconds: app.set_refresh_interval(float(seconds)),
    "theme": lambda app, name: app.choose_user_theme(name),
    "help": lambda app, _: app.action_help(),
    "quit": lambda app, _: app.request_quit(),
}


def run_command_line(app: Tui, text: str) -> None:
    """Run what was typed after `:`; a command that cannot run is a warning toast."""
    if text.strip().lstrip(":").split()[:1] == ["journal"]:
        app.action_journal()
        return
    try:
        command = parse_command(text, app.catalog.names())
    except CommandError as exc:
        app.notify(str(exc), title="Command", severity="warning")
        return
    COMMANDS[command.verb](app, command.argument)
