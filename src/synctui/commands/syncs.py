"""`synctui syncs ...`: the parser of list, show, update (one sync, or a filtered batch),
create, delete, pause/resume/trigger/migrate and runs.

Only the parser lives here: what each action does is in `syncs_run` (and a batch update in
`syncs_batch`), imported when the action runs, so `synctui syncs list --help` reads no more
than argparse and the vendors' rules (for the `--vendor` choices and the id hints).
"""

from __future__ import annotations

import argparse
import importlib

from synctui.commands.lazy_parsers import LazySubparsers
from synctui.domain.capabilities import Capability
from synctui.services.vendor_rules import VENDORS, rules_for, titles, vendors_with

TYPE_CHECKING = False  # typing costs more to import than the parser it would annotate
if TYPE_CHECKING:
    from collections.abc import Callable

STATUSES = ["active", "paused", "error", "draft", "initializing", "idle", "legacy", "unknown"]


def _runs(name: str) -> Callable[[argparse.Namespace], int]:
    """The handler `syncs_run.<name>`, its module imported only when the action runs."""

    def handler(args: argparse.Namespace) -> int:
        found: Callable[[argparse.Namespace], int] = getattr(
            importlib.import_module("synctui.commands.syncs_run"), name
        )
        return found(args)

    handler.__name__ = name
    return handler


def register(syncs: argparse.ArgumentParser) -> None:
    """Fill `synctui syncs` (its parser is made, with its one-line help, by the CLI); each
    action's options are added when that action is named."""
    sc = syncs.add_subparsers(
        dest="syncs_command", metavar="ACTION", required=True, action=LazySubparsers
    )
    assert isinstance(sc, LazySubparsers)
    sc.add_later("list", _fill_list, help="syncs of every (or the named) account")
    sc.add_later("show", _fill_show, help="one sync, every field, and its recent runs")
    sc.add_later(
        "update",
        _fill_update,
        help="apply a JSON merge patch (RFC 7386) to one sync, or to every sync --where matches",
    )
    sc.add_later("create", _fill_create, help="create a sync (vendors with a documented create)")
    sc.add_later("delete", _fill_delete, help="delete a sync (asks first)")
    for action, text in (
        ("pause", "pause a sync"),
        ("resume", "resume a paused sync"),
        ("trigger", "start a run now"),
        ("migrate", f"migrate a legacy {titles(vendors_with(Capability.MIGRATE), 'or')} sync"),
    ):
        sc.add_later(action, _fill_action, help=text)
    sc.add_later("runs", _fill_runs, help="recent runs / executions / history")


def _fill_list(ls: argparse.ArgumentParser) -> None:
    ls.add_argument("--account", action="append", default=[], metavar="NAME")
    ls.add_argument("--vendor", choices=list(vendors_with(Capability.LIST)))
    ls.add_argument("--status", choices=STATUSES, help="normalized status")
    ls.add_argument(
        "--where",
        metavar="FILTER",
        help="only syncs matching this filter (the TUI's / language), e.g. "
        "'status=paused integration.slug=acc' or 'acme !legacy'",
    )
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=_runs("cmd_list"))


def _fill_show(show: argparse.ArgumentParser) -> None:
    show.add_argument("account")
    show.add_argument(
        "sync_id", help="; ".join(h for v in VENDORS if (h := rules_for(v).id_hint)) or None
    )
    show.add_argument(
        "--runs", type=int, default=5, metavar="N", help="recent runs to show (default 5, 0: none)"
    )
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_runs("cmd_show"))


def _fill_update(up: argparse.ArgumentParser) -> None:
    up.add_argument("account")
    up.add_argument("sync_id", nargs="?", help="one sync (or use --where for many)")
    up.add_argument(
        "--where",
        metavar="FILTER",
        help="update every sync of the account matching this filter (the TUI's / language, "
        "README: Filter language), e.g. 'integration.slug=acc context.referencePoint!=surveyPoint'",
    )
    group = up.add_mutually_exclusive_group(required=True)
    group.add_argument("--patch", metavar="JSON")
    group.add_argument("--patch-file", metavar="F", help="a file, or - for stdin")
    up.add_argument("--trigger-now", action="store_true", help="start a run once updated")
    up.add_argument("--dry-run", action="store_true", help="print the requests; send no write")
    up.add_argument(
        "--concurrency",
        type=int,
        default=None,
        metavar="N",
        help="with --where: exactly N syncs in flight at once, instead of adapting to the "
        "vendor's answers (the default)",
    )
    up.add_argument("--json", action="store_true", help="JSON (with --where: one line per sync)")
    up.set_defaults(handler=_runs("cmd_update"))


def _fill_create(create: argparse.ArgumentParser) -> None:
    create.add_argument("account")
    create.add_argument("--json-file", required=True, metavar="F", help="a file, or - for stdin")
    create.add_argument("--dry-run", action="store_true", help="check and print; send nothing")
    create.add_argument("--json", action="store_true")
    create.set_defaults(handler=_runs("cmd_create"))


def _fill_delete(delete: argparse.ArgumentParser) -> None:
    delete.add_argument("account")
    delete.add_argument("sync_id")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.add_argument("--json", action="store_true")
    delete.set_defaults(handler=_runs("cmd_delete"))


def _fill_action(p: argparse.ArgumentParser) -> None:
    """pause, resume, trigger and migrate: the action is the parser's last word."""
    p.add_argument("account")
    p.add_argument("sync_id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_runs("cmd_action"), action=p.prog.rsplit(" ", 1)[-1])


def _fill_runs(runs: argparse.ArgumentParser) -> None:
    runs.add_argument("account")
    runs.add_argument("sync_id")
    runs.add_argument("--limit", type=int, default=20)
    runs.add_argument("--json", action="store_true")
    runs.set_defaults(handler=_runs("cmd_runs"))
