"""`synctui doctor`: every sync that needs a person, for cron and monitoring.

It runs the same `scan` as the TUI's attention view, so both always agree on what needs a
person and why. Exit code 0 when nothing needs attention, 4 when something does, 1 when no
account could be read at all — so `synctui doctor || notify` works from cron. An account that
cannot be read is reported on stderr while the others are still checked.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from synctui.commands.common import Context, emit_json, run_command, table

EXIT_ATTENTION = 4


def register(doctor: argparse.ArgumentParser) -> None:
    """Fill `synctui doctor` (its parser is made, with its one-line help, by the CLI)."""
    doctor.add_argument(
        "--account", action="append", default=[], metavar="A", help="only this account (repeat)"
    )
    doctor.add_argument("--json", action="store_true")
    doctor.set_defaults(handler=cmd_doctor)


def exit_code(result: Any) -> int:
    """0 all clear, 4 something needs attention, 1 nothing could be read."""
    if result.failures and not result.accounts_read:
        return 1
    return EXIT_ATTENTION if result.items else 0


def cmd_doctor(args: argparse.Namespace) -> int:
    async def body(ctx: Context) -> int:
        from synctui.services.triage import scan

        session = ctx.session
        for name in args.account:
            session.account(name)
        result = await scan(session, args.account or None)
        if args.json:
            emit_json(_as_json(result))
        else:
            _print(result)
        return exit_code(result)

    return run_command(args, body)


def _as_json(result: Any) -> dict[str, Any]:
    groups = result.by_reason()
    return {
        "scanned": result.scanned,
        "needs_attention": len(result.items),
        "by_reason": {reason.value: len(items) for reason, items in groups.items()},
        "by_account": result.counts_by_account(),
        "failures": result.failures,
        "items": [
            {
                "account": i.sync.account,
                "vendor": i.sync.vendor,
                "id": i.sync.id,
                "name": i.sync.name,
                "reason": i.reason.value,
                "why": i.why,
                "since": i.since,
                "remedy": i.remedy.label if i.remedy else None,
                "remedy_steps": list(i.remedy.steps) if i.remedy else [],
            }
            for items in groups.values()
            for i in items
        ],
    }


def _print(result: Any) -> None:
    for name, problem in result.failures.items():
        sys.stderr.write(f"synctui: {name}: {problem}\n")
    if not result.items:
        print(f"All clear: {result.scanned} syncs checked, none needs attention.")
        return
    groups = result.by_reason()
    counts = ", ".join(f"{len(v)} {r.value}" for r, v in groups.items())
    accounts = ", ".join(f"{n} {c}" for n, c in sorted(result.counts_by_account().items()))
    print(f"{len(result.items)} of {result.scanned} syncs need a person: {counts}")
    print(f"by account: {accounts}")
    for reason, items in groups.items():
        print(f"\n{reason.value.upper()} ({len(items)})")
        table(
            ["account", "id", "name", "since", "why", "remedy"],
            [
                (
                    i.sync.account,
                    i.sync.id,
                    i.sync.name,
                    (i.since or "")[:16],
                    i.why,
                    i.remedy.label if i.remedy else "look in the vendor's app",
                )
                for i in items
            ],
        )
