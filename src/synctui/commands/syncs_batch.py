"""`synctui syncs update ACCOUNT --where FILTER`: one merge patch for every matching sync.

Prints one line per sync on stdout as each finishes — text, or JSON Lines with `--json` —
and keeps the progress line and the summary on stderr, so `> results.jsonl` captures exactly
the per-sync record. Ctrl-C stops sending new writes and lets the ones in flight finish.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from synctui.commands.common import Context, emit_jsonl, run_command
from synctui.commands.sync_format import load_patch, plan_json, print_requests
from synctui.domain import errors

if TYPE_CHECKING:  # the batch service is imported only by the command that runs one
    from collections.abc import Callable

    from synctui.services.batch import BatchCounts, BatchUpdate, SyncResult


# --- batch update (--where) ------------------------------------------------------------------


class BatchReporter:
    """Per-sync lines on stdout, one progress line on stderr.

    On a terminal the progress line rewrites itself and is wiped before each stdout line, so
    the two streams never garble each other. Elsewhere (logs, CI) progress is written at
    most about ten times, and never mixed into stdout.
    """

    def __init__(self, as_json: bool, verb: str) -> None:
        self.as_json = as_json
        self.verb = verb
        self.tty = sys.stderr.isatty()
        self._shown = False
        self._step = -1
        self.pace: Callable[[], str] | None = None  # the batch's live concurrency, in words
        self.printed: set[tuple[str, str]] = set()  # syncs that have their line

    def __call__(self, done: int, total: int, counts: BatchCounts, latest: SyncResult) -> None:
        self.result(latest)
        self.progress(done, total, counts)

    def result(self, result: SyncResult) -> None:
        self._wipe()
        self.printed.add(result.key)
        if self.as_json:
            emit_jsonl(result.as_json())
        else:
            sys.stdout.write(f"{result.outcome.value:<8} {result.sync.id}  {result.message}\n")
            sys.stdout.flush()

    def progress(self, done: int, total: int, counts: BatchCounts) -> None:
        text = f"{self.verb} {done}/{total}: {counts.describe()}"
        if self.pace is not None:
            text += f" · {self.pace()}"
        if self.tty:
            sys.stderr.write("\r\x1b[2K" + text)
            sys.stderr.flush()
            self._shown = True
            return
        step = done * 10 // max(total, 1)
        if step != self._step:
            self._step = step
            sys.stderr.write(text + "\n")

    def rest(self, results: list[SyncResult]) -> None:
        """The line of every sync that has none yet (after an abrupt stop)."""
        for result in results:
            if result.key not in self.printed:
                self.result(result)

    def note(self, text: str) -> None:
        self._wipe()
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def _wipe(self) -> None:
        if self._shown:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()
            self._shown = False


def cmd_update_where(args: argparse.Namespace) -> int:
    """List the account's syncs, keep those the filter matches, and update each."""

    async def body(ctx: Context) -> int:
        import asyncio

        from synctui.domain.filtering import compile_filter
        from synctui.domain.models import Capability
        from synctui.services.batch import BatchUpdate, Outcome

        if args.sync_id is not None:
            raise errors.UsageError("give either a SYNC_ID or --where FILTER, not both")
        if args.concurrency is not None and not 1 <= args.concurrency <= 32:
            raise errors.UsageError("--concurrency must be between 1 and 32")
        predicate = compile_filter(args.where)  # a malformed filter fails before any I/O
        patch = load_patch(args)
        session = ctx.session
        if not args.dry_run:
            session.refuse_if_readonly("update")
        account = session.account(args.account)
        if Capability.EDIT not in session.capabilities(args.account):
            raise errors.Unsupported(f"{account.vendor} syncs cannot be edited")
        syncs = await session.guard(session.adapter(args.account).list_syncs())
        targets = [s for s in syncs if predicate(s)]
        reporter = BatchReporter(args.json, "planning" if args.dry_run else "updating")
        reporter.note(
            f"{len(targets)} of {len(syncs)} syncs of {args.account} match: {predicate.describe()}"
        )
        if not targets:
            return 0
        batch = BatchUpdate(
            session,
            targets,
            patch,
            trigger_now=args.trigger_now,
            concurrency=args.concurrency,
            dry_run=args.dry_run,
        )
        reporter.pace = batch.describe_concurrency
        if args.dry_run:
            results = await batch.run()
            _print_dry_run(results, args.json)
        else:
            interrupt = GracefulInterrupt(batch, reporter)
            try:
                with interrupt:
                    results = await batch.run(reporter)
            except asyncio.CancelledError:
                reporter.rest(batch.results)  # every sync gets its line, even now
                reporter.note(
                    f"Stopped at once: {batch.counts.describe()}. Writes that were in flight "
                    f"are journaled as unknown: synctui journal --batch {batch.batch_id}"
                )
                return interrupt.exit_code
        counts = batch.counts
        if args.dry_run:
            reporter.note(f"Dry run: {counts.describe()}; nothing was sent.")
        else:
            reporter.note(
                f"Batch {batch.batch_id}: {counts.describe()}. "
                f"Journal: synctui journal --batch {batch.batch_id}"
            )
        if batch.cancelled:
            return interrupt.exit_code
        return 1 if any(r.outcome in (Outcome.FAILED, Outcome.UNKNOWN) for r in results) else 0

    return run_command(args, body)


def _print_dry_run(results: list[SyncResult], as_json: bool) -> None:
    for result in results:
        if as_json:
            record = result.as_json()
            if result.plan is not None:
                record["plan"] = plan_json(result.plan)
            emit_jsonl(record)
            continue
        print(f"== {result.sync.id} ({result.sync.name}): {result.outcome.value}: {result.message}")
        if result.plan is not None:
            print_requests(result.plan)
            print()


class GracefulInterrupt:
    """First Ctrl-C or SIGTERM: send nothing new and let in-flight writes finish (and be
    journaled). A second one stops at once (in-flight writes are then journaled as unknown).

    SIGTERM is what `kill`, service managers and container runtimes send before SIGKILL: it
    gets the same graceful stop as Ctrl-C, so a batch stopped that way still prints its
    summary and leaves no journal entry pending. The exit code says which signal it was
    (130 for SIGINT, 143 for SIGTERM, as a shell reports them).
    """

    def __init__(self, batch: BatchUpdate, reporter: BatchReporter) -> None:
        self.batch = batch
        self.reporter = reporter
        self.installed: list[int] = []
        self.exit_code = 130

    def __enter__(self) -> GracefulInterrupt:
        import asyncio
        import signal

        loop = asyncio.get_running_loop()
        task = asyncio.current_task()

        def on_signal(signum: int) -> None:
            if self.batch.cancelled:
                if task is not None:
                    task.cancel()
                return
            self.exit_code = 128 + signum
            self.batch.cancel()
            name = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
            self.reporter.note(
                f"Cancelling ({name}): waiting for the writes already sent "
                "(Ctrl-C again to stop now)"
            )

        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(signum, on_signal, signum)
            except (NotImplementedError, RuntimeError, ValueError):
                continue  # not the main thread, or no signals here: the default stays
            self.installed.append(signum)
        return self

    def __exit__(self, *exc: object) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        for signum in self.installed:
            loop.remove_signal_handler(signum)
        self.installed = []
