"""`python -m synctui.ui.feed [--demo]`: the change-feed viewer on its own.

With --demo an in-process sandbox generates live LetsBuild changes (--rate per second) into
a scratch store that disappears with it. Without it, the account comes from accounts.toml and
its token from the usual chain (environment, keyring, token file), and changes are stored in
the same file `synctui feed tail` uses.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from synctui.services.vendor_rules import feed_title, feed_vendors


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m synctui.ui.feed", description=f"Watch a {feed_title()} change feed live."
    )
    parser.add_argument(
        "account", nargs="?", help=f"{feed_title()} account (default: the only one)"
    )
    parser.add_argument("--demo", action="store_true", help="run against a built-in sandbox")
    parser.add_argument(
        "--rate", type=float, default=12.0, metavar="N", help="demo: live changes per second"
    )
    parser.add_argument(
        "--poll", type=float, default=2.0, metavar="SECONDS", help="wait between polls"
    )
    parser.add_argument("--db", type=Path, metavar="PATH", help="the feed store to use")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if os.environ.get("SSH_CONNECTION") and "TEXTUAL_FPS" not in os.environ:
        os.environ["TEXTUAL_FPS"] = "15"  # a burst over SSH costs far fewer bytes

    from synctui.services.session import Session
    from synctui.store.feedstore import FeedStore

    demo = None
    if args.demo:
        from synctui.services.demo import start_demo

        demo = start_demo(changes_per_second=args.rate)
        accounts = list(demo.accounts)
        session = Session(accounts, demo.token_for)
        db = args.db or demo.feed_db
    else:
        from synctui.domain.errors import SyncTuiError
        from synctui.store.accounts import AccountStore
        from synctui.store.secrets import TokenStore

        try:
            accounts = AccountStore().load()
        except SyncTuiError as exc:
            sys.stderr.write(f"synctui: error: {exc}\n")
            return 2
        tokens = TokenStore()

        def token_for(account):  # type: ignore[no-untyped-def]
            resolved = tokens.get(account.name)
            return resolved.value if resolved else None

        session = Session(accounts, token_for)
        db = args.db
    feeding = [a.name for a in accounts if a.vendor in feed_vendors()]
    name = args.account or (feeding[0] if len(feeding) == 1 else None)
    if name is None or name not in feeding:
        known = ", ".join(feeding) or "none"
        title = feed_title()
        sys.stderr.write(f"synctui: choose a {title} account ({title} accounts: {known})\n")
        if demo is not None:
            demo.stop()
        return 2

    from synctui.ui.feed.feed_app import FeedApp

    store = FeedStore(db)
    try:
        FeedApp(session, name, store, poll_interval=args.poll).run()
    finally:
        store.close()
        if demo is not None:
            demo.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
