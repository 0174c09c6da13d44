"""`synctui feed tail|reset`: the LetsBuild change feed from the shell.

`tail` runs the same engine and store as the TUI viewer: without --from-start it prints only
what arrives after the stored position; with --from-start it first prints everything already
stored, then continues. Each change is printed after it is committed to the store.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from synctui.commands.common import Context, emit_jsonl, run_command
from synctui.domain import errors

if TYPE_CHECKING:
    from synctui.domain.models import Change


def register(sub: argparse._SubParsersAction) -> None:
    feed = sub.add_parser("feed", help="the LetsBuild change feed")
    fc = feed.add_subparsers(dest="feed_command", metavar="ACTION", required=True)

    tail = fc.add_parser("tail", help="print changes as they arrive (resumes where it stopped)")
    tail.add_argument("account")
    tail.add_argument("--feed", metavar="LIST", help="project,form,point,contact (default: all)")
    tail.add_argument("--follow", action="store_true", help="keep polling for new changes")
    tail.add_argument(
        "--from-start", action="store_true", help="print every stored change first, then continue"
    )
    tail.add_argument(
        "--poll",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="wait between polls once caught up (default 30)",
    )
    tail.add_argument("--json", action="store_true", help="one JSON object per line")
    tail.set_defaults(handler=cmd_tail)

    reset = fc.add_parser("reset", help="forget the stored position (and changes) of a feed")
    reset.add_argument("account")
    reset.add_argument("--feed", metavar="LIST", help="only these feeds (default: all)")
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    reset.set_defaults(handler=cmd_reset)


def change_json(local_id: int, account: str, change: Any) -> dict[str, Any]:
    return {
        "id": local_id,
        "account": account,
        "feed": change.feed,
        "entity_id": change.entity_id,
        "entity_type": change.entity_type,
        "operation": change.operation,
        "sequence_version": change.sequence_version,
        "partial": change.partial,
        "data": change.data,
    }


def change_line(account: str, change: Any) -> str:
    from synctui.store.feedstore import subject_of

    subject = subject_of(change.data) or change.entity_id
    flag = "  [partial]" if change.partial else ""
    seq = change.sequence_version if change.sequence_version is not None else "-"
    return f"{change.feed:<8} {change.operation:<8} {change.entity_type:<15} {seq!s:>10}  {subject}{flag}"


def _feed_account(ctx: Context, name: str):  # type: ignore[no-untyped-def]
    account = ctx.session.account(name)
    if account.vendor != "letsbuild":
        raise errors.UsageError(f"{name} is a {account.vendor} account; feeds are LetsBuild's")
    return account


def cmd_tail(args: argparse.Namespace) -> int:
    async def body(ctx: Context) -> int:
        from synctui.services.feed import FeedEngine, parse_feeds
        from synctui.store.feedstore import ChangeFilter, FeedStore

        feeds = parse_feeds(args.feed)
        if not 0 < args.poll < float("inf"):  # also refuses nan, which compares false
            raise errors.UsageError(f"--poll must be a positive number of seconds, not {args.poll}")
        _feed_account(ctx, args.account)
        store = FeedStore(ctx.demo.feed_db if ctx.demo else None)
        out = sys.stdout
        if args.from_start:
            for stored in store.iter_all(args.account, ChangeFilter(feeds=feeds)):
                _print(args, stored.id, stored)

        def on_page(feed: str, changes: list[Change], ids: list[int]) -> None:
            for local_id, change in zip(ids, changes, strict=True):
                _print(args, local_id, change)
            out.flush()

        engine = FeedEngine(
            account=args.account,
            adapter=ctx.session.adapter(args.account),
            store=store,
            feeds=feeds,
            poll_interval=args.poll,
            on_page=on_page,
            on_error=lambda feed, exc: sys.stderr.write(f"synctui: {feed} feed: {exc}\n"),
        )
        try:
            await engine.run(follow=args.follow)
        finally:
            store.close()
        return 0

    def _print(a: argparse.Namespace, local_id: int, change: Any) -> None:
        if a.json:
            emit_jsonl(change_json(local_id, a.account, change))
        else:
            sys.stdout.write(change_line(a.account, change) + "\n")

    return run_command(args, body)


def cmd_reset(args: argparse.Namespace) -> int:
    def body(ctx: Context) -> int:
        from synctui.services.feed import parse_feeds
        from synctui.store.feedstore import FeedStore

        feeds = parse_feeds(args.feed)
        _feed_account(ctx, args.account)
        if not args.yes:
            if not sys.stdin.isatty():
                raise errors.UsageError("refusing to reset without confirmation: add --yes")
            answer = input(
                f"Forget the stored position and changes of {', '.join(feeds)} for "
                f"{args.account}? The next tail starts from the beginning. [y/N] "
            )
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing changed.")
                return 0
        store = FeedStore(ctx.demo.feed_db if ctx.demo else None)
        removed = sum(store.reset(args.account, feed) for feed in feeds)
        store.close()
        print(f"Reset {', '.join(feeds)} for {args.account}: {removed} stored changes forgotten.")
        return 0

    return run_command(args, body)
