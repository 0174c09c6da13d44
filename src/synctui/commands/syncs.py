"""`synctui syncs ...`: list, show, update (one sync or a filtered batch), create, delete,
pause/resume/trigger/migrate and runs.

A batch update (`--where`) prints one line per sync on stdout as each finishes — text, or JSON
Lines with `--json`, like every other command — and keeps the progress line and the summary
on stderr, so `> results.jsonl` captures exactly the per-sync record.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from synctui.commands.common import (
    Context,
    emit_json,
    emit_jsonl,
    parse_json_arg,
    read_json_file,
    run_command,
    table,
)
from synctui.domain import errors

if TYPE_CHECKING:  # the batch service is imported only by the command that runs one
    from synctui.domain.models import Capability, PlannedRequest, Run, Sync, WritePlan, WriteResult
    from synctui.services.batch import BatchCounts, BatchUpdate, SyncResult

STATUSES = ["active", "paused", "error", "draft", "initializing", "idle", "legacy", "unknown"]


def register(syncs: argparse.ArgumentParser) -> None:
    """Fill `synctui syncs` (its parser is made, with its one-line help, by the CLI)."""
    sc = syncs.add_subparsers(dest="syncs_command", metavar="ACTION", required=True)

    ls = sc.add_parser("list", help="syncs of every (or the named) account")
    ls.add_argument("--account", action="append", default=[], metavar="NAME")
    ls.add_argument("--vendor", choices=["speckle", "polytomic", "signalsmith", "paragon"])
    ls.add_argument("--status", choices=STATUSES, help="normalized status")
    ls.add_argument(
        "--where",
        metavar="FILTER",
        help="only syncs matching this filter (the TUI's / language), e.g. "
        "'status=paused integration.slug=acc' or 'acme !legacy'",
    )
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=cmd_list)

    show = sc.add_parser("show", help="one sync, every field, and its recent runs")
    show.add_argument("account")
    show.add_argument("sync_id", help="Speckle ids may be PROJECT_ID/SYNC_ID")
    show.add_argument(
        "--runs", type=int, default=5, metavar="N", help="recent runs to show (default 5, 0: none)"
    )
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_show)

    up = sc.add_parser(
        "update",
        help="apply a JSON merge patch (RFC 7386) to one sync, or to every sync --where matches",
    )
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
        default=4,
        metavar="N",
        help="with --where: syncs in flight at once (default 4)",
    )
    up.add_argument("--json", action="store_true", help="JSON (with --where: one line per sync)")
    up.set_defaults(handler=cmd_update)

    create = sc.add_parser("create", help="create a sync (vendors with a documented create)")
    create.add_argument("account")
    create.add_argument("--json-file", required=True, metavar="F", help="a file, or - for stdin")
    create.add_argument("--dry-run", action="store_true", help="check and print; send nothing")
    create.add_argument("--json", action="store_true")
    create.set_defaults(handler=cmd_create)

    delete = sc.add_parser("delete", help="delete a sync (asks first)")
    delete.add_argument("account")
    delete.add_argument("sync_id")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.add_argument("--json", action="store_true")
    delete.set_defaults(handler=cmd_delete)

    for action, text in (
        ("pause", "pause a sync"),
        ("resume", "resume a paused sync"),
        ("trigger", "start a run now"),
        ("migrate", "migrate a legacy Speckle sync"),
    ):
        p = sc.add_parser(action, help=text)
        p.add_argument("account")
        p.add_argument("sync_id")
        p.add_argument("--json", action="store_true")
        p.set_defaults(handler=cmd_action, action=action)

    runs = sc.add_parser("runs", help="recent runs / executions / history")
    runs.add_argument("account")
    runs.add_argument("sync_id")
    runs.add_argument("--limit", type=int, default=20)
    runs.add_argument("--json", action="store_true")
    runs.set_defaults(handler=cmd_runs)


def sync_json(sync: Sync) -> dict[str, Any]:
    return {
        "account": sync.account,
        "vendor": sync.vendor,
        "id": sync.id,
        "name": sync.name,
        "status": sync.status.value,
        "vendor_status": sync.vendor_status,
        "status_reason": sync.status_reason,
        "updated_at": sync.updated_at,
        "columns": sync.columns,
        "latest_run": run_json(sync.latest_run) if sync.latest_run else None,
        "unavailable": sync.unavailable,
        "raw": sync.raw,
    }


def run_json(run: Run) -> dict[str, Any]:
    return {
        "id": run.id,
        "state": run.state.value,
        "vendor_status": run.vendor_status,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "summary": run.summary,
        "error": run.error,
        "raw": run.raw,
    }


def result_json(result: WriteResult) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "message": result.message,
        "pending": result.pending,
        "sync": sync_json(result.sync) if result.sync else None,
        "run": run_json(result.run) if result.run else None,
    }


def cmd_list(args: argparse.Namespace) -> int:
    async def body(ctx: Context) -> int:
        import asyncio

        from synctui.domain.filtering import compile_filter

        # A malformed filter is a usage error before any account is read.
        matches = compile_filter(args.where) if args.where else None
        session = ctx.session
        if not session.accounts:
            import sys

            sys.stderr.write(
                "No accounts yet: add one with `synctui accounts add`, or try `synctui --demo syncs list`.\n"
            )
            return 0
        names = args.account or [a.name for a in session.accounts]
        for name in names:
            session.account(name)  # unknown names fail before any I/O
        targets = [
            n
            for n in names
            if session.account(n).vendor != "letsbuild"
            and (args.vendor is None or session.account(n).vendor == args.vendor)
        ]

        async def one(name: str) -> tuple[str, list[Sync] | errors.SyncTuiError]:
            try:
                return name, await session.guard(session.adapter(name).list_syncs())
            except errors.SyncTuiError as exc:
                return name, exc

        results = await asyncio.gather(*(one(n) for n in targets))
        syncs: list[Sync] = []
        failures = 0
        for name, outcome in results:
            if isinstance(outcome, errors.SyncTuiError):
                failures += 1
                import sys

                sys.stderr.write(f"synctui: {name}: {outcome}\n")
            else:
                syncs.extend(outcome)
        if args.status:
            syncs = [s for s in syncs if s.status.value == args.status]
        if matches is not None:
            syncs = [s for s in syncs if matches(s)]
        if args.json:
            emit_json([sync_json(s) for s in syncs])
        else:
            table(
                ["account", "vendor", "id", "name", "status", "vendor status", "updated"],
                [
                    (
                        s.account,
                        s.vendor,
                        s.id,
                        s.name,
                        s.status.value,
                        s.vendor_status,
                        (s.updated_at or "")[:19],
                    )
                    for s in syncs
                ],
            )
        return 1 if failures and not syncs else 0

    return run_command(args, body)


def cmd_show(args: argparse.Namespace) -> int:
    """The sync, its recent runs, and — never as a failure — any part that could not be read.

    Only the sync's own record must be read; a secondary read that fails (Polytomic's status,
    Signalsmith's runs, Paragon's status, Speckle's history) is named as unavailable, and the
    command still exits 0.
    """

    async def body(ctx: Context) -> int:
        if args.runs < 0 or args.runs > 100:
            raise errors.UsageError("--runs must be between 0 and 100")
        detail = await ctx.session.detail(args.account, args.sync_id, runs=args.runs)
        sync = detail.sync
        if args.json:
            emit_json(
                {
                    **sync_json(sync),
                    "unavailable": detail.unavailable,
                    "runs": [run_json(r) for r in detail.runs] if detail.runs is not None else None,
                }
            )
            return 0
        titles = dict(ctx.session.adapter(args.account).table_columns)
        rows: list[tuple[str, str]] = [
            ("id", sync.id),
            ("status", f"{sync.status.value} (vendor: {sync.vendor_status})"),
        ]
        if sync.status_reason:
            rows.append(("why", sync.status_reason))
        rows += [
            (titles.get(key, key.replace("_", " ")), value) for key, value in sync.columns.items()
        ]
        if sync.latest_run:
            rows.append(("latest run", _run_line(sync.latest_run)))
        rows += [("unavailable", f"{part} ({why})") for part, why in detail.unavailable.items()]
        width = max(len(label) for label, _ in rows) + 2
        print(f"{sync.name}  [{sync.vendor} · {sync.account}]")
        for label, value in rows:
            print(f"  {(label + ':').ljust(width)}{value}")
        if detail.runs is not None:
            print(f"  recent runs ({len(detail.runs)}):" if detail.runs else "  recent runs: none")
            for run in detail.runs:
                print(f"    {run.id}  {_run_line(run)}")
        print("  raw:")
        for line in json.dumps(sync.raw, indent=2, ensure_ascii=False).splitlines():
            print(f"    {line}")
        return 0

    return run_command(args, body)


def _run_line(run: Run) -> str:
    when = run.finished_at or run.started_at or run.created_at or ""
    return " ".join(p for p in (run.state.value, when[:19], run.error or run.summary) if p)


def _load_patch(args: argparse.Namespace) -> dict[str, Any]:
    if args.patch is not None:
        patch = parse_json_arg(args.patch, "--patch")
    else:
        patch = read_json_file(args.patch_file, "--patch-file")
    if not isinstance(patch, dict):
        raise errors.UsageError('a merge patch must be a JSON object, e.g. \'{"name": "New"}\'')
    where = _lone_surrogate_at(patch)
    if where is not None:
        raise errors.UsageError(
            f"the patch holds an unpaired surrogate (half of a UTF-16 pair, like \\ud83d) at "
            f"{where}: it is not text any request can carry; write the whole character"
        )
    return patch


def _lone_surrogate_at(value: Any, path: str = "") -> str | None:
    """Where in a JSON value a lone surrogate sits (its dotted path), if anywhere.

    `json.loads` accepts the escape "\\ud83d" alone and gives a str that has no UTF-8 form.
    """
    if isinstance(value, str):
        return (path or "the top level") if any(0xD800 <= ord(c) <= 0xDFFF for c in value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            found = _lone_surrogate_at(key, here) or _lone_surrogate_at(item, here)
            if found is not None:
                return found.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _lone_surrogate_at(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def plan_json(plan: WritePlan) -> dict[str, Any]:
    return {
        "account": plan.account,
        "sync_id": plan.sync_id,
        "summary": plan.summary,
        "before": plan.before,
        "after": plan.after,
        "requests": [r.model_dump() for r in plan.requests],
    }


def print_plan(plan: WritePlan, as_json: bool) -> None:
    if as_json:
        emit_json({"dry_run": True, **plan_json(plan)})
        return
    print(f"Dry run — {plan.summary}; nothing was sent.")
    print_requests(plan)


def print_requests(plan: WritePlan, out: TextIO | None = None, indent: str = "") -> None:
    """Each request as it would go on the wire (headers already masked by the adapter)."""
    stream = out or sys.stdout
    for request in plan.requests:
        stream.write("\n")
        for line in render_request(request):
            stream.write(f"{indent}{line}\n" if line else "\n")


def render_request(request: PlannedRequest) -> list[str]:
    """A request as text; a GraphQL body shows its query as GraphQL, not as one JSON string."""
    lines = [f"{request.method} {request.url}"]
    lines += [f"{key}: {value}" for key, value in request.headers.items()]
    body = request.body
    if isinstance(body, dict) and isinstance(body.get("query"), str):
        lines += ["", *body["query"].rstrip().splitlines()]
        rest = {key: value for key, value in body.items() if key != "query"}
        if rest:
            lines += ["", *json.dumps(rest, indent=2, ensure_ascii=False).splitlines()]
    elif body is not None:
        lines += ["", *json.dumps(body, indent=2, ensure_ascii=False).splitlines()]
    if request.note:
        lines.append(f"# {request.note}")
    return lines


def cmd_update(args: argparse.Namespace) -> int:
    if args.where is not None:
        return cmd_update_where(args)

    async def body(ctx: Context) -> int:
        if args.sync_id is None:
            raise errors.UsageError(
                "name the sync to update, or select several with --where FILTER"
            )
        patch = _load_patch(args)
        session = ctx.session
        if not args.dry_run:
            session.refuse_if_readonly("update")
        sync = await session.get_sync(args.account, args.sync_id)
        plan = await session.plan_update(args.account, sync, patch, trigger_now=args.trigger_now)
        from synctui.domain.undocumented import notes

        for note in notes(plan.vendor, plan.before, plan.after):
            sys.stderr.write(f"synctui: note: {note}\n")
        if args.dry_run:
            print_plan(plan, args.json)
            return 0
        if plan.empty:
            print("Nothing to change: the patch leaves the sync as it is.")
            return 0
        result = await session.apply_plan(plan)
        if args.json:
            emit_json(result_json(result))
        else:
            print(f"{args.account} {args.sync_id}: {result.message} ({plan.summary})")
        return 0

    return run_command(args, body)


def cmd_action(args: argparse.Namespace) -> int:
    async def body(ctx: Context) -> int:
        session = ctx.session
        if args.action in ("pause", "resume"):
            result = await session.set_active(args.account, args.sync_id, args.action == "resume")
        elif args.action == "trigger":
            result = await session.trigger(args.account, args.sync_id)
        else:
            result = await session.migrate(args.account, args.sync_id)
        if args.json:
            emit_json(result_json(result))
        else:
            extra = f" (run {result.run.id}: {result.run.state.value})" if result.run else ""
            print(f"{args.account} {args.sync_id}: {result.message}{extra}")
        return 0

    return run_command(args, body)


def cmd_runs(args: argparse.Namespace) -> int:
    async def body(ctx: Context) -> int:
        runs = await ctx.session.list_runs(args.account, args.sync_id, args.limit)
        if args.json:
            emit_json([run_json(r) for r in runs])
            return 0
        if not runs:
            print("No runs yet.")
            return 0
        table(
            ["id", "state", "vendor status", "created", "finished", "summary"],
            [
                (
                    r.id,
                    r.state.value,
                    r.vendor_status,
                    (r.created_at or "")[:19],
                    (r.finished_at or "")[:19],
                    r.error or r.summary,
                )
                for r in runs
            ],
        )
        return 0

    return run_command(args, body)


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
        if args.concurrency < 1 or args.concurrency > 32:
            raise errors.UsageError("--concurrency must be between 1 and 32")
        predicate = compile_filter(args.where)  # a malformed filter fails before any I/O
        patch = _load_patch(args)
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


# --- create and delete -------------------------------------------------------------------------


def _require(ctx: Context, account: str, capability: Capability, what: str) -> Any:
    """The account, or Unsupported when its vendor does not offer `capability`."""
    found = ctx.session.account(account)
    if capability not in ctx.session.capabilities(account):
        raise errors.Unsupported(
            f"{account} is a {found.vendor} account, and synctui cannot {what} {found.vendor} "
            "syncs: the vendor documents no API for it"
        )
    return found


def _create_issues(vendor: str, body: dict[str, Any]) -> list[Any]:
    """Local checks for a create body, where synctui has a validator for the vendor."""
    from synctui.domain import validation

    if vendor == "signalsmith":
        return validation.validate_signalsmith_sync(body, creating=True)
    if vendor == "polytomic":
        return validation.validate_polytomic_sync(body)
    return []


def cmd_create(args: argparse.Namespace) -> int:
    async def body(ctx: Context) -> int:
        from synctui.domain.models import Capability

        document = read_json_file(args.json_file, "--json-file")
        if not isinstance(document, dict):
            raise errors.UsageError("--json-file must hold one JSON object: the new sync")
        account = _require(ctx, args.account, Capability.CREATE, "create")
        issues = _create_issues(account.vendor, document)
        if issues:
            raise errors.ValidationFailed(
                "the new sync is not valid: " + "; ".join(str(i) for i in issues), issues
            )
        if args.dry_run:
            if args.json:
                emit_json({"dry_run": True, "account": args.account, "body": document})
            else:
                print(f"Dry run — would create a {account.vendor} sync in {args.account}:")
                print(json.dumps(document, indent=2, ensure_ascii=False))
                print("Nothing was sent.")
            return 0
        created = await ctx.session.create(args.account, document)
        if args.json:
            emit_json(sync_json(created))
        else:
            print(f"{args.account}: created {created.id} ({created.name})")
        return 0

    return run_command(args, body)


def cmd_delete(args: argparse.Namespace) -> int:
    async def body(ctx: Context) -> int:
        from synctui.domain.models import Capability

        account = _require(ctx, args.account, Capability.DELETE, "delete")
        session = ctx.session
        session.refuse_if_readonly("delete")  # before asking, not after
        sync = await session.get_sync(args.account, args.sync_id)
        if not args.yes:
            if not sys.stdin.isatty():
                raise errors.UsageError(
                    "refusing to delete without confirmation: add --yes to delete "
                    f"{sync.id} ({sync.name})"
                )
            extra = (
                " Paragon deletes the synced records too." if account.vendor == "paragon" else ""
            )
            answer = input(
                f"Delete {sync.name} ({sync.id}) from {args.account}? "
                f"This cannot be undone.{extra} [y/N] "
            )
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing deleted.")
                return 0
        result = await session.delete(args.account, sync.id)
        if args.json:
            emit_json(result_json(result))
        else:
            print(f"{args.account} {sync.id}: {result.message}")
        return 0

    return run_command(args, body)
