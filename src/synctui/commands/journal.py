"""`synctui journal [show|revert]`: every write synctui made, and undoing one.

Listing and showing read the SQLite journal directly: no session, no vendor, no HTTP stack —
so they work offline and start instantly. Only `revert` builds a session, because it reads
the sync's current state and writes through the same path as any edit.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from synctui.commands.common import Context, emit_json, run_command, table
from synctui.domain import errors

OUTCOMES = ["pending", "ok", "failed", "unknown", "skipped"]

# SQLite's integers are 64-bit: a larger id or limit cannot mean anything.
_MAX = 2**63 - 1


def _whole(name: str) -> Any:
    """An argparse type: a whole number from 1 to SQLite's largest, else one clear line."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
        if not 1 <= value <= _MAX:
            raise argparse.ArgumentTypeError(
                f"{name} must be a whole number from 1 to {_MAX}, not {text}"
            )
        return value

    parse.__name__ = name  # argparse names the type in its messages
    return parse


def register(journal: argparse.ArgumentParser) -> None:
    """Fill `synctui journal` (its parser is made, with its one-line help, by the CLI)."""
    # dest names differ from the top-level --account so `synctui --account A journal` keeps A.
    journal.add_argument("--account", dest="filter_account", metavar="A")
    journal.add_argument("--sync", dest="filter_sync", metavar="ID")
    journal.add_argument("--outcome", choices=OUTCOMES)
    journal.add_argument("--batch", metavar="ID", help="only the writes of one batch update")
    journal.add_argument(
        "--limit", type=_whole("--limit"), default=50, metavar="N", help="default 50"
    )
    journal.add_argument("--json", action="store_true")
    journal.set_defaults(handler=cmd_list)
    jc = journal.add_subparsers(dest="journal_command", metavar="ACTION")

    show = jc.add_parser("show", help="one entry: before/after diff, request, outcome")
    show.add_argument("entry_id", type=_whole("ENTRY_ID"), metavar="ENTRY_ID")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_show)

    rv = jc.add_parser("revert", help="undo an update, pause or resume (asks first)")
    rv.add_argument("entry_id", type=_whole("ENTRY_ID"), metavar="ENTRY_ID")
    rv.add_argument("--dry-run", action="store_true", help="print what would be sent; send nothing")
    rv.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    rv.add_argument(
        "--force",
        action="store_true",
        help="revert even if the sync changed since (only the fields that edit touched)",
    )
    rv.set_defaults(handler=cmd_revert)


def _journal(ctx: Context) -> Any:
    """The user's journal; with --demo, that demo run's own (demo writes never mix in)."""
    if getattr(ctx.args, "demo", False):
        return ctx.session.journal
    from synctui.store.journal import Journal

    return Journal()


def entry_json(entry: Any) -> dict[str, Any]:
    import dataclasses

    return dataclasses.asdict(entry)


def _when(stamp: str | None) -> str:
    """'2026-11-20T09:30:01.123456+00:00' → '2026-11-20 09:30:01' (UTC, as stored)."""
    return (stamp or "")[:19].replace("T", " ")


def describe_change(entry: Any) -> str:
    """One line for the table: what changed, or why it failed."""
    from synctui.domain.diff import changed_paths, summarize

    prefix = f"reverts #{entry.reverts}: " if entry.reverts is not None else ""
    if entry.outcome in ("failed", "unknown") and entry.error:
        return prefix + entry.error
    if isinstance(entry.before, dict) and isinstance(entry.after, dict):
        return prefix + summarize(changed_paths(entry.before, entry.after), limit=3)
    if isinstance(entry.request, dict) and set(entry.request) == {"active"}:
        return prefix + ("resume" if entry.request["active"] else "pause")
    result = entry.result if isinstance(entry.result, dict) else {}
    return prefix + str(result.get("message") or "")


def cmd_list(args: argparse.Namespace) -> int:
    def body(ctx: Context) -> int:
        if args.limit < 1:
            raise errors.UsageError("--limit must be at least 1")
        entries = _journal(ctx).list(
            account=args.filter_account,
            sync_id=args.filter_sync,
            outcome=args.outcome,
            limit=args.limit,
            batch_id=args.batch,
        )
        if args.json:
            emit_json([entry_json(e) for e in entries])
            return 0
        if not entries:
            print("No journal entries match." if _filtered(args) else "Nothing written yet.")
            return 0
        table(
            ["id", "time (utc)", "account", "sync", "action", "outcome", "batch", "change"],
            [
                (
                    e.id,
                    _when(e.time),
                    e.account,
                    e.sync_id,
                    e.action,
                    e.outcome,
                    e.batch_id,
                    describe_change(e),
                )
                for e in entries
            ],
        )
        return 0

    return run_command(args, body)


def _filtered(args: argparse.Namespace) -> bool:
    return any((args.filter_account, args.filter_sync, args.outcome, args.batch))


def cmd_show(args: argparse.Namespace) -> int:
    def body(ctx: Context) -> int:
        journal = _journal(ctx)
        entry = journal.get(args.entry_id)
        reverted_by = [
            later.id
            for later in journal.list(account=entry.account, sync_id=entry.sync_id, limit=10_000)
            if later.reverts == entry.id
        ]
        if args.json:
            emit_json({**entry_json(entry), "reverted_by": reverted_by})
            return 0
        print_entry(entry, reverted_by)
        return 0

    return run_command(args, body)


def print_entry(entry: Any, reverted_by: list[int]) -> None:
    from synctui.domain.diff import unified_json_diff

    out = sys.stdout
    out.write(f"Entry {entry.id}: {entry.action} · {entry.outcome}\n")
    finished = f" (finished {_when(entry.finished_at)})" if entry.finished_at else ""
    rows: list[tuple[str, Any]] = [
        ("time", f"{_when(entry.time)} UTC{finished}"),
        ("account", f"{entry.account} ({entry.vendor})"),
        ("sync", entry.sync_id),
        ("batch", entry.batch_id),
        ("reverts", f"entry {entry.reverts}" if entry.reverts is not None else None),
        ("reverted", ", ".join(f"by entry {i}" for i in reverted_by) or None),
        ("error", entry.error),
        ("result", _result_text(entry.result)),
    ]
    for label, value in rows:
        if value:
            out.write(f"  {label + ':':<10}{value}\n")
    if entry.before is not None or entry.after is not None:
        lines = unified_json_diff(entry.before, entry.after)
        out.write("\nChange (before → after):\n")
        for line in lines or ["  (no difference)"]:
            out.write(f"  {line}\n")
    if entry.request is not None:
        out.write("\nRequest (credentials masked):\n")
        _print_request(entry.request)


def _result_text(result: Any) -> str | None:
    if not isinstance(result, dict):
        return None if result is None else str(result)
    parts = [str(result.get("message") or "")]
    if result.get("pending"):
        parts.append("(accepted; applied by the vendor later)")
    if result.get("run"):
        parts.append(f"run {result['run']}")
    return " ".join(p for p in parts if p) or None


def _print_request(request: Any) -> None:
    """Planned requests (updates) as on the wire; anything else as the JSON it was."""
    from pydantic import ValidationError

    from synctui.commands.sync_format import render_request
    from synctui.domain.models import PlannedRequest

    try:
        planned = [PlannedRequest.model_validate(item) for item in request]
    except (TypeError, ValidationError):
        planned = []
    if not isinstance(request, list) or not planned:
        lines = json.dumps(request, indent=2, ensure_ascii=False).splitlines()
    else:
        lines = [line for item in planned for line in [*render_request(item), ""]][:-1]
    for line in lines:
        sys.stdout.write(f"  {line}\n" if line else "\n")


def cmd_revert(args: argparse.Namespace) -> int:
    async def body(ctx: Context) -> int:
        from synctui.commands.sync_format import print_requests
        from synctui.services.revert import apply_revert, plan_revert

        session = ctx.session
        if not args.dry_run:
            session.refuse_if_readonly("revert")
        plan = await plan_revert(session, args.entry_id, force=args.force)
        entry = plan.entry
        what = (
            f"Revert entry {entry.id} ({entry.action} of {entry.sync_id} on {entry.account}): "
            f"{plan.summary}"
        )
        if plan.forced:
            what += " — forced: the sync changed since that write"
        if args.dry_run:
            print(f"Dry run — {what}; nothing was sent.")
            if plan.plan is not None:
                print_requests(plan.plan)
            return 0
        if not args.yes:
            if not sys.stdin.isatty():
                raise errors.UsageError(
                    f"refusing to revert entry {entry.id} without confirmation: add --yes"
                )
            if input(f"{what}. Send it? [y/N] ").strip().lower() not in ("y", "yes"):
                print("Nothing sent.")
                return 0
        result = await apply_revert(session, plan)
        newest = session.journal.list(account=entry.account, sync_id=entry.sync_id, limit=1)
        recorded = f"; journal entry {newest[0].id}" if newest else ""
        print(f"Reverted entry {entry.id}: {result.message}{recorded}.")
        return 0

    return run_command(args, body)
