"""`synctui accounts ...`: saved accounts and their tokens.

Tokens are read from stdin or a masked prompt, never from an argument (arguments end up in
shell history and `ps`).
"""

from __future__ import annotations

import argparse
import sys

from synctui.commands.common import (
    Context,
    emit_json,
    load_accounts,
    refuse_if_readonly,
    run_command,
    table,
)
from synctui.domain import errors
from synctui.services.vendor_rules import VENDORS, rules_for, titles, using


def register(accounts: argparse.ArgumentParser) -> None:
    """Fill `synctui accounts` (its parser is made, with its one-line help, by the CLI)."""
    acc = accounts.add_subparsers(dest="accounts_command", metavar="ACTION", required=True)

    add = acc.add_parser("add", help="add (or with --replace, change) an account")
    add.add_argument("name")
    add.add_argument(
        "--vendor",
        required=True,
        choices=list(VENDORS),
    )
    add.add_argument("--url", required=True, metavar="BASE_URL")
    add.add_argument(
        "--project",
        action="append",
        default=[],
        metavar="ID",
        help=f"{titles(using('projects'), 'or')} project id (repeat for several)",
    )
    add.add_argument(
        "--workspace", metavar="ID", help=f"{titles(using('workspace'), 'or')} workspace id"
    )
    versioned = using("api_version")
    header = " or ".join(rules_for(v).api_version_header for v in versioned)
    add.add_argument("--api-version", metavar="V", help=f"{titles(versioned, 'or')} {header}")
    add.add_argument(
        "--auth",
        choices=["bearer", "deployment"],
        default="bearer",
        help=f"{titles(using('auth'), 'or')}: API key (bearer) or on-prem deployment key",
    )
    add.add_argument("--theme", metavar="NAME", help="theme used whenever this account is shown")
    add.add_argument(
        "--allow-http", action="store_true", help="allow plain http:// to a non-loopback host"
    )
    add.add_argument("--token-stdin", action="store_true", help="read the token from stdin")
    add.add_argument(
        "--insecure-storage",
        action="store_true",
        help="keep the token in a 0600 file when no keyring is usable",
    )
    add.add_argument("--replace", action="store_true", help="overwrite an existing account")
    add.set_defaults(handler=cmd_add)

    ls = acc.add_parser("list", help="list saved accounts and where each token comes from")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=cmd_list)

    rm = acc.add_parser("remove", help="remove an account and its stored token")
    rm.add_argument("name")
    rm.set_defaults(handler=cmd_remove)

    test = acc.add_parser("test", help="one authenticated read against the vendor")
    test.add_argument("name")
    test.set_defaults(handler=cmd_test)


def _read_token(args: argparse.Namespace) -> str | None:
    if args.token_stdin:
        token = sys.stdin.readline().strip()
        if not token:
            raise errors.UsageError("--token-stdin given but stdin held no token")
        return token
    if sys.stdin.isatty():
        import getpass

        token = getpass.getpass(f"Token for {args.name} (input hidden, Enter to skip): ").strip()
        return token or None
    return None


def refuse_in_demo(args: argparse.Namespace, verb: str) -> None:
    """A demo run writes no user file, so it cannot change the saved accounts either."""
    if getattr(args, "demo", False):
        raise errors.UsageError(
            f"--demo saves nothing, so it cannot {verb} a saved account; "
            f"run 'synctui accounts {verb}' without --demo"
        )


def cmd_add(args: argparse.Namespace) -> int:
    """All or nothing: the account is checked, then the token stored, then the account saved;
    any refusal (or Ctrl-C at the prompt) leaves both files as they were."""

    def body(ctx: Context) -> int:
        refuse_in_demo(args, "add")
        from synctui.store.account_setup import save_account
        from synctui.store.accounts import Account, AccountError, AccountExists, AccountStore
        from synctui.store.secrets import KeyringUnavailable, TokenStore

        refuse_if_readonly(args, "accounts add")
        account = Account(
            name=args.name,
            vendor=args.vendor,
            base_url=args.url,
            projects=tuple(args.project),
            workspace=args.workspace,
            api_version=args.api_version,
            auth=args.auth,
            theme=args.theme,
            allow_http=args.allow_http,
        )
        store = AccountStore()
        try:
            store.check_add(account, replace=args.replace)
        except AccountExists:
            raise errors.UsageError(
                f"an account named '{account.name}' already exists; add --replace to change "
                f"it, or remove it first (synctui accounts remove {account.name})"
            ) from None
        except AccountError as exc:
            raise errors.UsageError(str(exc)) from None
        token = _read_token(args)
        try:
            where = save_account(
                account,
                token,
                accounts=store,
                tokens=TokenStore(),
                insecure_file=args.insecure_storage,
                replace=args.replace,
            )
        except KeyringUnavailable as exc:
            raise errors.ConfigError(f"Nothing was saved. {exc}") from None
        except (AccountError, ValueError) as exc:
            raise errors.UsageError(f"Nothing was saved. {exc}") from None
        if where is None:
            print(
                f"Added {account.name} ({account.vendor}). No token stored: "
                f"set {account.token_env_var} or re-run with --token-stdin --replace."
            )
            return 0
        print(f"Added {account.name} ({account.vendor}); token stored in {where}.")
        return 0

    return run_command(args, body)


def cmd_list(args: argparse.Namespace) -> int:
    def body(ctx: Context) -> int:
        from synctui.store.accounts import AccountStore
        from synctui.store.secrets import TokenStore

        accounts = load_accounts(AccountStore())
        tokens = TokenStore()
        rows = []
        for account in accounts:
            resolved = tokens.get(account.name)
            rows.append((account, resolved.source if resolved else None))
        if args.json:
            emit_json(
                [
                    {
                        "name": a.name,
                        "vendor": a.vendor,
                        "base_url": a.base_url,
                        "projects": list(a.projects),
                        "workspace": a.workspace,
                        "api_version": a.api_version,
                        "auth": a.auth,
                        "theme": a.theme,
                        "token": source or "missing",
                    }
                    for a, source in rows
                ]
            )
            return 0
        if not rows:
            print(
                "No accounts yet. Add one with: synctui accounts add NAME --vendor V --url URL "
                "--token-stdin  (or try: synctui --demo)"
            )
            return 0
        table(
            ["name", "vendor", "base url", "details", "token"],
            [
                (a.name, a.vendor, a.base_url, _details(a), source or "missing")
                for a, source in rows
            ],
        )
        return 0

    return run_command(args, body)


def _details(account) -> str:  # type: ignore[no-untyped-def]
    parts = []
    if account.projects:
        parts.append("projects " + ",".join(account.projects))
    if account.workspace:
        parts.append(f"workspace {account.workspace}")
    if "auth" in rules_for(account.vendor).account_fields:
        parts.append(f"{account.auth}, v{account.api_version or 'default'}")
    if account.theme:
        parts.append(f"theme {account.theme}")
    return "; ".join(parts) or "-"


def cmd_remove(args: argparse.Namespace) -> int:
    def body(ctx: Context) -> int:
        refuse_in_demo(args, "remove")
        from synctui.store.accounts import AccountError, AccountStore
        from synctui.store.secrets import KeyringUnavailable, TokenStore

        refuse_if_readonly(args, "accounts remove")
        try:
            AccountStore().remove(args.name)
        except AccountError as exc:
            raise errors.UsageError(str(exc)) from None
        note = ""
        try:
            TokenStore().delete(args.name)
        except KeyringUnavailable:
            note = " (the keyring is unusable here, so no keyring entry was touched)"
        print(f"Removed {args.name}{note}.")
        return 0

    return run_command(args, body)


def cmd_test(args: argparse.Namespace) -> int:
    async def body(ctx: Context) -> int:
        adapter = ctx.session.adapter(args.name)
        description = await ctx.session.guard(adapter.check())
        print(f"{args.name}: OK — {description}")
        return 0

    return run_command(args, body)
