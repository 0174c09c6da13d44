"""What `synctui syncs ...` does once its command line is read: list, show, update one sync
(a filtered batch is in `syncs_batch`), create, delete, pause/resume/trigger/migrate and runs.

Kept apart from the parser (`syncs.py`) so that `synctui syncs list --help` imports none of
it; how syncs, runs and plans are printed is in `sync_format`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from synctui.commands.common import (
    Context,
    emit_json,
    read_json_file,
    run_command,
    table,
)
from synctui.commands.sync_format import (
    answer,
    load_patch,
    print_plan,
    result_json,
    run_json,
    run_line,
    sync_json,
)
from synctui.domain import errors
from synctui.domain.capabilities import Capability
from synctui.services.vendor_rules import rules_for

if TYPE_CHECKING:
    from synctui.domain.models import Sync


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
            if Capability.LIST in rules_for(session.account(n).vendor).capabilities
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
            rows.append(("latest run", run_line(sync.latest_run)))
        rows += [("unavailable", f"{part} ({why})") for part, why in detail.unavailable.items()]
        width = max(len(label) for label, _ in rows) + 2
        print(f"{sync.name}  [{sync.vendor} · {sync.account}]")
        for label, value in rows:
            print(f"  {(label + ':').ljust(width)}{value}")
        if detail.runs is not None:
            print(f"  recent runs ({len(detail.runs)}):" if detail.runs else "  recent runs: none")
            for run in detail.runs:
                print(f"    {run.id}  {run_line(run)}")
        print("  raw:")
        for line in json.dumps(sync.raw, indent=2, ensure_ascii=False).splitlines():
            print(f"    {line}")
        return 0

    return run_command(args, body)


def cmd_update(args: argparse.Namespace) -> int:
    if args.where is not None:
        from synctui.commands.syncs_batch import cmd_update_where  # only a batch needs it

        return cmd_update_where(args)

    async def body(ctx: Context) -> int:
        if args.sync_id is None:
            raise errors.UsageError(
                "name the sync to update, or select several with --where FILTER"
            )
        patch = load_patch(args)
        session = ctx.session
        if not args.dry_run:
            session.refuse_if_readonly("update")
        sync = await session.get_sync(args.account, args.sync_id)
        plan = await session.plan_update(args.account, sync, patch, trigger_now=args.trigger_now)
        for note in rules_for(plan.vendor).undocumented_notes(plan.before, plan.after):
            sys.stderr.write(f"synctui: note: {note}\n")
        if args.dry_run:
            print_plan(plan, args.json)
            return 0
        if plan.empty:
            print("Nothing to change: the patch leaves the sync as it is.")
            return 0
        result = await session.apply_plan(plan)
        return answer(
            args,
            result_json(result),
            f"{args.account} {args.sync_id}: {result.message} ({plan.summary})",
        )

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
        extra = f" (run {result.run.id}: {result.run.state.value})" if result.run else ""
        return answer(
            args, result_json(result), f"{args.account} {args.sync_id}: {result.message}{extra}"
        )

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
    """Local checks for a create body: what the vendor's rules refuse in a new sync."""
    return rules_for(vendor).create_issues(body)


def cmd_create(args: argparse.Namespace) -> int:
    async def body(ctx: Context) -> int:

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
        return answer(
            args, sync_json(created), f"{args.account}: created {created.id} ({created.name})"
        )

    return run_command(args, body)


def cmd_delete(args: argparse.Namespace) -> int:
    async def body(ctx: Context) -> int:

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
            warning = rules_for(account.vendor).delete_warning
            extra = f" {warning}" if warning else ""
            reply = input(
                f"Delete {sync.name} ({sync.id}) from {args.account}? "
                f"This cannot be undone.{extra} [y/N] "
            )
            if reply.strip().lower() not in ("y", "yes"):
                print("Nothing deleted.")
                return 0
        result = await session.delete(args.account, sync.id)
        return answer(args, result_json(result), f"{args.account} {sync.id}: {result.message}")

    return run_command(args, body)
