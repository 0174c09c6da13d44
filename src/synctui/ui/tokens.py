"""Token look-up for the TUI: in-memory tokens first, then the saved credential chain.

The credential chain may reach the OS keyring, which can block (a Secret Service unlock prompt
over SSH) — so the first look-up per account runs in a thread with a timeout before the
adapter is built, and `Session` then reads the cached answer synchronously.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from synctui.domain import errors
from synctui.store.accounts import Account

KEYRING_TIMEOUT = 10.0


class TokenResolver:
    """A `Session.token_for` that caches, holds demo/just-typed tokens, and can prefetch."""

    def __init__(self, fallback: Callable[[Account], str | None] | None = None) -> None:
        self._fallback = fallback
        self._memory: dict[str, str] = {}
        self._cache: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def remember(self, name: str, token: str) -> None:
        """A token that lives only in this process (demo accounts, a just-entered token)."""
        with self._lock:
            self._memory[name] = token
            self._cache.pop(name, None)

    def forget(self, name: str) -> None:
        with self._lock:
            self._memory.pop(name, None)
            self._cache.pop(name, None)

    def __call__(self, account: Account) -> str | None:
        with self._lock:
            if account.name in self._memory:
                return self._memory[account.name]
            if account.name in self._cache:
                return self._cache[account.name]
        token = self._fallback(account) if self._fallback else None
        with self._lock:
            self._cache[account.name] = token
        return token

    async def prefetch(self, account: Account, timeout: float = KEYRING_TIMEOUT) -> None:
        """Resolve off the event loop, so a hanging keyring never freezes the screen."""
        with self._lock:
            if account.name in self._memory or account.name in self._cache:
                return
        try:
            await asyncio.wait_for(asyncio.to_thread(self, account), timeout)
        except TimeoutError:
            raise errors.AuthError(
                f"the OS keyring did not answer within {timeout:.0f} s for {account.name!r}",
                hint=f"unlock it, or set {account.token_env_var}",
            ) from None
