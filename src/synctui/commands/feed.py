"""`synctui feed tail|reset`: the LetsBuild change feed from the shell.

`tail` runs the same engine and store as the TUI viewer: the engine fetches pages into the
store, and a printer delivers stored changes to stdout in store order. They are decoupled on
purpose: what has been fetched (the store's cursor) is not what has been printed. Each tail
prints for a named consumer (`--consumer`, default "tail") whose position per feed — the last
change it delivered — is saved after each line (see `commands.delivery` for when a line
counts as delivered). A tail killed with stored changes it had not printed prints them when
it starts again; two tails with different consumers each print the whole stream.

Delivery is at-least-once: killed between delivering a line and saving its position, a
tail prints that one line again on restart. Nothing is skipped.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import TYPE_CHECKING, Any

from synctui.commands.common import Context, refuse_if_readonly, run_command
from synctui.domain import errors
from synctui.domain.capabilities import Capability
from synctui.services.vendor_rules import feed_title, rules_for

if TYPE_CHECKING:
    from synctui.store.feedstore import FeedStore

DEFAULT_CONSUMER = "tail"
_CONSUMER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# How often a waiting printer looks for changes another process stored (a TUI viewer or
# another tail fetching the same account), when its own engine has nothing new.
LOOK_AGAIN_SECONDS = 1.0


def consumer_name(text: str) -> str:
    if not _CONSUMER_RE.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a consumer name: letters, digits, '.', '_' and '-', up to 64, "
            "starting with a letter or digit"
        )
    return text


def register(feed: argparse.ArgumentParser) -> None:
    """Fill `synctui feed` (its parser is made, with its one-line help, by the CLI)."""
    fc = feed.add_subparsers(dest="feed_command", metavar="ACTION", required=True)

    tail = fc.add_parser("tail", help="print changes as they arrive (resumes where it stopped)")
    tail.add_argument("account")
    tail.add_argument("--feed", metavar="LIST", help="project,form,point,contact (default: all)")
    tail.add_argument("--follow", action="store_true", help="keep polling for new changes")
    tail.add_argument(
        "--from-start",
        action="store_true",
        help="print every stored change first, then continue (moves the consumer back)",
    )
    tail.add_argument(
        "--consumer",
        type=consumer_name,
        default=DEFAULT_CONSUMER,
        metavar="NAME",
        help=f"whose position to resume from and save (default {DEFAULT_CONSUMER!r})",
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

    reset = fc.add_parser(
        "reset", help="forget the stored position, changes and consumer positions of a feed"
    )
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
    if Capability.CHANGE_FEED not in rules_for(account.vendor).capabilities:
        raise errors.UsageError(f"{name} is a {account.vendor} account; feeds are {feed_title()}'s")
    return account


def cmd_tail(args: argparse.Namespace) -> int:
    async def body(ctx: Context) -> int:
        import asyncio
        import threading

        from synctui.commands.delivery import LineSink
        from synctui.services.feed import FeedEngine, parse_feeds

        feeds = parse_feeds(args.feed)
        if not 0 < args.poll < float("inf"):  # also refuses nan, which compares false
            raise errors.UsageError(f"--poll must be a positive number of seconds, not {args.poll}")
        _feed_account(ctx, args.account)
        store = _open_store(ctx)
        try:
            positions = await asyncio.to_thread(
                store.start_consumer,
                args.account,
                args.consumer,
                feeds,
                from_start=args.from_start,
            )
        except BaseException:
            store.close()
            raise
        loop = asyncio.get_running_loop()
        printer = Printer(store, args.account, args.consumer, positions, LineSink(), args.json)
        engine = FeedEngine(
            account=args.account,
            adapter=ctx.session.adapter(args.account),
            store=store,
            feeds=feeds,
            poll_interval=args.poll,
            on_page=lambda feed, changes, ids: printer.wake.set(),
            on_error=lambda feed, exc: sys.stderr.write(f"synctui: {feed} feed: {exc}\n"),
        )
        printer.on_failure = lambda: loop.call_soon_threadsafe(engine.stop)
        thread = threading.Thread(target=printer.run, name="feed-printer", daemon=True)
        thread.start()
        try:
            await engine.run(follow=args.follow)
        except asyncio.CancelledError:
            printer.stop()  # Ctrl-C: the line being delivered may come again next time
            raise
        except errors.SyncTuiError:
            await _finish(printer, thread, store, args.account)  # print what was stored
            store.close_all()
            raise
        except Exception as exc:
            printer.stop()
            raise _readable(exc, store) from None
        await _finish(printer, thread, store, args.account)
        store.close_all()  # the engine's and the printer's threads are done with it
        if isinstance(printer.failure, BrokenPipeError):
            _quiet_stdout()  # the reader left (`| head`): not an error, and nothing to flush
            return 0
        if printer.failure is not None:
            raise printer.failure
        return 0

    return run_command(args, body)


async def _finish(printer: Printer, thread: Any, store: FeedStore, account: str) -> None:
    """Let the printer deliver everything stored until now, then stop it."""
    import asyncio

    last = await asyncio.to_thread(store.max_id, account)
    printer.finish(last)
    await asyncio.to_thread(thread.join)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail loudly."""
    import contextlib
    import os

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


class Printer:
    """Delivers a consumer's unread changes, oldest first, saving its position after each
    line. Runs in its own thread: a slow reader holds up printing, never fetching."""

    def __init__(
        self,
        store: FeedStore,
        account: str,
        consumer: str,
        positions: dict[str, int],
        sink: Any,
        as_json: bool,
    ) -> None:
        import threading

        self.store = store
        self.account = account
        self.consumer = consumer
        self.positions = dict(positions)
        self.sink = sink
        self.as_json = as_json
        self.wake = threading.Event()
        self.failure: BaseException | None = None
        self.on_failure: Any = None
        self._stopped = threading.Event()
        self._last: int | None = None  # set by finish(): deliver up to here, then end

    def finish(self, last: int) -> None:
        self._last = last
        self.wake.set()

    def stop(self) -> None:
        self._stopped.set()
        self.wake.set()

    def run(self) -> None:
        try:
            while not self._stopped.is_set():
                last = self._last
                self._deliver(last)
                if last is not None:
                    return
                self.wake.wait(LOOK_AGAIN_SECONDS)
                self.wake.clear()
        except BaseException as exc:  # reported by the command once the engine stopped
            self.failure = _readable(exc, self.store)
            if self.on_failure is not None:
                self.on_failure()
        finally:
            self.store.close()  # this thread's connection

    def _deliver(self, last: int | None) -> None:
        while not self._stopped.is_set():
            batch = self.store.unread(self.account, self.positions, upto=last)
            if not batch:
                return
            for change in batch:
                if self._stopped.is_set():
                    return
                self.sink.deliver(self.render(change))
                self.store.advance_consumer(self.account, self.consumer, change.feed, change.id)
                self.positions[change.feed] = change.id

    def render(self, change: Any) -> str:
        if self.as_json:
            import json

            return json.dumps(change_json(change.id, self.account, change), ensure_ascii=False)
        return change_line(self.account, change)


def _readable(exc: BaseException, store: FeedStore) -> BaseException:
    """The failure as one line for a person (a broken pipe stays what it is: not an error)."""
    import sqlite3

    from synctui.store.feedstore import FeedStoreDamaged, is_damage

    if is_damage(exc):
        return FeedStoreDamaged(store.path, exc)
    if isinstance(exc, sqlite3.Error):
        return errors.SyncTuiError(f"the feed store {store.path} failed: {exc}")
    if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):
        return errors.SyncTuiError(f"cannot write the output: {exc.strerror or exc}")
    return exc


def _open_store(ctx: Context) -> FeedStore:
    from synctui.store.feedstore import FeedStore

    return FeedStore(ctx.demo.feed_db if ctx.demo else None)


def cmd_reset(args: argparse.Namespace) -> int:
    def body(ctx: Context) -> int:
        from synctui.services.feed import parse_feeds
        from synctui.store.feedstore import FeedStore, FeedStoreDamaged, move_aside

        refuse_if_readonly(args, "feed reset")
        feeds = parse_feeds(args.feed)
        _feed_account(ctx, args.account)
        if not args.yes:
            if not sys.stdin.isatty():
                raise errors.UsageError("refusing to reset without confirmation: add --yes")
            answer = input(
                f"Forget the stored position, changes and consumer positions of "
                f"{', '.join(feeds)} for {args.account}? The next tail starts from the "
                "beginning. [y/N] "
            )
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing changed.")
                return 0
        path = ctx.demo.feed_db if ctx.demo else None
        try:
            store = FeedStore(path)
        except FeedStoreDamaged as damaged:
            # Unreadable, so nothing in it can be reset: keep it for inspection, start over.
            aside = move_aside(damaged.path)
            print(
                f"The feed store {damaged.path} was damaged: moved it to {aside}. "
                "Every feed of every account starts over."
            )
            store = FeedStore(path)
        removed = sum(store.reset(args.account, feed) for feed in feeds)
        store.close()
        print(f"Reset {', '.join(feeds)} for {args.account}: {removed} stored changes forgotten.")
        return 0

    return run_command(args, body)
