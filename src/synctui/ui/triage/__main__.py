"""`python -m synctui.ui.triage [--demo] [--readonly]`: the attention view on its own."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m synctui.ui.triage")
    parser.add_argument("--demo", action="store_true", help="the built-in sandbox and accounts")
    parser.add_argument("--frozen", action="store_true", help="demo with a frozen clock")
    parser.add_argument("--readonly", action="store_true", help="refuse every write")
    parser.add_argument("--refresh", type=float, default=None, metavar="SECONDS")
    parser.add_argument("--theme", metavar="NAME")
    args = parser.parse_args(argv)

    from synctui.ui.launch import refresh_seconds, tune_for_ssh

    tune_for_ssh(os.environ)
    interval = refresh_seconds(args, os.environ)

    from synctui.services.session import Session, SessionOptions

    options = SessionOptions(readonly=args.readonly)
    demo = None
    clock = None
    if args.demo or args.frozen:
        from synctui.services.demo import start_demo

        demo = start_demo(frozen=args.frozen)
        session = Session(list(demo.accounts), demo.token_for, options)
        if args.frozen:
            from synctui.sandbox.core import FROZEN_EPOCH

            def clock():  # type: ignore[no-untyped-def]
                return FROZEN_EPOCH
    else:
        from synctui.store.accounts import AccountError, AccountStore
        from synctui.ui.credentials import token_for

        try:
            accounts = AccountStore().load()
        except AccountError as exc:
            sys.stderr.write(f"synctui: error: {exc}\n")
            return 2
        session = Session(accounts, token_for, options)

    from synctui.ui.triage.app import TriageApp

    app = TriageApp(session, clock=clock, refresh_seconds=interval, theme_name=args.theme)
    try:
        return int(app.run() or 0)
    finally:
        if demo is not None:
            demo.stop()


if __name__ == "__main__":
    raise SystemExit(main())
