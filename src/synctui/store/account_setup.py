"""Saving an account together with its token: both, or neither.

An account whose token could not be stored is a trap: the next `accounts add` is refused
because the name exists, and the TUI shows an account that cannot connect. So everything that
can refuse is asked first (the account's validity and name, without writing), then the token
is stored (the step most likely to fail: no keyring over SSH), and only then the account. If
that last write fails after all, a token stored for a new account is removed again.

Both the CLI (`synctui accounts add`) and the TUI's account form go through `save_account`.
"""

from __future__ import annotations

import contextlib

from synctui.domain.errors import SyncTuiError
from synctui.store.accounts import Account, AccountStore
from synctui.store.secrets import MemoryTokenStore, TokenStore


def save_account(
    account: Account,
    token: str | None,
    *,
    accounts: AccountStore,
    tokens: TokenStore | MemoryTokenStore,
    insecure_file: bool = False,
    replace: bool = False,
    edit: bool = False,
) -> str | None:
    """Save `account` (and `token`, if given); returns where the token went, in words.

    `edit` changes an existing account (which must exist); otherwise it is added, replacing
    one of the same name only with `replace`. Raises AccountError, KeyringUnavailable or
    InvalidToken — in every case with nothing changed on disk.
    """
    if edit:
        accounts.get(account.name)  # AccountError naming the known accounts if it is gone
        accounts.check_add(account, replace=True)
        existed = True
    else:
        existed = accounts.check_add(account, replace=replace)
    where = tokens.set(account.name, token, insecure_file=insecure_file) if token else None
    try:
        if edit:
            accounts.update(account)
        else:
            accounts.add(account, replace=replace)
    except BaseException:
        if token and not existed:
            with contextlib.suppress(SyncTuiError, OSError):
                tokens.delete(account.name)
        raise
    return where
