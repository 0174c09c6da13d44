"""`synctui syncs ...`: list, show, update, pause/resume/trigger/migrate and runs."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from synctui.commands.common import (
    Context,
    emit_json,
    parse_json_arg,
    read_json_file,
    run_command,
    table,
)
from synctui.domain import errors
from synctui.domain.models import Run, Sync, WritePlan, WriteResult

STATUSES = ["active", "paused", "error", "draft", "initializing", "idle", "legacy", "unknown"]


def register(sub: argparse._SubParsersAction) -> None:
    syncs = sub.add_parser("syncs", help="list, show and change syncs")
    sc = syncs.add_subparsers(dest="syncs_command", metavar="ACTION", required=True)

    ls = sc.add_parser("list", help="syncs of every (or the named) account")
    ls.add_argument("--account", action="append", default=[], metavar="NAME")
    ls.add_argument("--vendor", choices=["speckle", "polytomic", "signalsmith", "paragon"])
    ls.add_argument("--status", choices=STATUSES, help="normalized status")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=cmd_list)

    show = sc.add_parser("show", help="one sync, every field")
    show.add_argument("account")
    show.add_argument("sync_id", help="Speckle ids may be PROJECT_ID/SYNC_ID")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_show)

    up = sc.add_parser("update", help="apply a JSON merge patch (RFC 7386)")
    up.add_argument("account")
    up.add_argument("sync_id")
    group = up.add_mutually_exclusive_group(required=True)
    group.add_argument("--patch", metavar="JSON")
    group.add_argument("--patch-file", metavar="F", help="a file, or - for stdin")
    up.add_argument("--trigger-now", action="store_true", help="start a run once updated")
    up.add_argument("--dry-run", action="store_true", help="print the requests; send no write")
    up.add_argument("--json", action="store_true")
    up.set_defaults(handler=cmd_update)

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
    async def body(ctx: Context) -> int:
        sync = await ctx.session.get_sync(args.account, args.sync_id)
        if args.json:
            emit_json(sync_json(sync))
            return 0
        print(f"{sync.name}  [{sync.vendor} · {sync.account}]")
        print(f"  id:      {sync.id}")
        print(f"  status:  {sync.status.value} (vendor: {sync.vendor_status})")
        if sync.status_reason:
            print(f"  why:     {sync.status_reason}")
        for key, value in sync.columns.items():
            print(f"  {key + ':':<9}{value}")
        if sync.latest_run:
            run = sync.latest_run
            print(f"  latest:  {run.state.value} {run.created_at or ''} {run.summary}".rstrip())
        print("  raw:")
        import json

        for line in json.dumps(sync.raw, indent=2, ensure_ascii=False).splitlines():
            print(f"    {line}")
        return 0

    return run_command(args, body)


def _load_patch(args: argparse.Namespace) -> dict[str, Any]:
    if args.patch is not None:
        patch = parse_json_arg(args.patch, "--patch")
    else:
        patch = read_json_file(args.patch_file, "--patch-file")
    if not isinstance(patch, dict):
        raise errors.UsageError('a merge patch must be a JSON object, e.g. \'{"name": "New"}\'')
    return patch


def print_plan(plan: WritePlan, as_json: bool) -> None:
    if as_json:
        emit_json(
            {
                "dry_run": True,
                "account": plan.account,
                "sync_id": plan.sync_id,
                "summary": plan.summary,
                "before": plan.before,
                "after": plan.after,
                "requests": [r.model_dump() for r in plan.requests],
            }
        )
        return
    import json

    print(f"Dry run — {plan.summary}; nothing was sent.")
    for request in plan.requests:
        print(f"\n{request.method} {request.url}")
        for key, value in request.headers.items():
            print(f"{key}: {value}")
        if request.body is not None:
            print()
            print(json.dumps(request.body, indent=2, ensure_ascii=False))
        if request.note:
            print(f"# {request.note}")


def cmd_update(args: argparse.Namespace) -> int:
    async def body(ctx: Context) -> int:
        patch = _load_patch(args)
        session = ctx.session
        if not args.dry_run:
            session.refuse_if_readonly("update")
        sync = await session.get_sync(args.account, args.sync_id)
        plan = await session.plan_update(args.account, sync, patch, trigger_now=args.trigger_now)
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
