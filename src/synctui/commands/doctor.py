"""`synctui doctor`: every sync that needs a person, for cron and monitoring.

Exit code 0 when nothing needs attention, 4 when something does (1 if an account could not
be read at all), so `synctui doctor || notify` works from cron.
"""

from __future__ import annotations

import argparse
import sys

from synctui.commands.common import Context, emit_json, run_command, table

EXIT_ATTENTION = 4


def register(sub: argparse._SubParsersAction) -> None:
    doctor = sub.add_parser("doctor", help="list paused, failing, legacy and stuck syncs")
    doctor.add_argument("--account", action="append", default=[], metavar="A")
    doctor.add_argument("--json", action="store_true")
    doctor.set_defaults(handler=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    async def body(ctx: Context) -> int:
        from synctui.services.triage import scan

        session = ctx.session
        for name in args.account:
            session.account(name)
        result = await scan(session, args.account or None)
        groups = result.by_reason()
        if args.json:
            emit_json(
                {
                    "scanned": result.scanned,
                    "needs_attention": len(result.items),
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
                        }
                        for items in groups.values()
                        for i in items
                    ],
                }
            )
        else:
            for name, problem in result.failures.items():
                sys.stderr.write(f"synctui: {name}: {problem}\n")
            if not result.items:
                print(f"All clear: {result.scanned} syncs checked, none needs attention.")
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
        if result.failures and not result.scanned:
            return 1
        return EXIT_ATTENTION if result.items else 0

    return run_command(args, body)
