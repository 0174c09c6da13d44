"""The TUI's door to the saved credential chain (the same `TokenStore` the CLI uses).

Every function here may block (the keyring runs with a timeout in `TokenStore`), so screens
call them from thread workers only. Screens pass the app's `token_store`, which in a demo run
keeps tokens in memory only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from synctui.store.accounts import Account
from synctui.store.secrets import KeyringUnavailable, TokenStore


@dataclass(frozen=True)
class KeyringState:
    usable: bool
    reason: str


def token_for(account: Account) -> str | None:
    """Environment variable, then keyring, then the opt-in file; None if nowhere."""
    resolved = TokenStore().get(account.name)
    return resolved.value if resolved else None


def token_source(name: str, store: Any = None) -> str:
    """'env', 'keyring', 'file' or 'missing' — never the token."""
    try:
        resolved = (store or TokenStore()).get(name)
    except Exception as exc:  # an unreadable file or a mangled variable: say so
        return f"unreadable ({exc})"
    return resolved.source if resolved else "missing"


def keyring_state(store: Any = None) -> KeyringState:
    usable, reason = (store or TokenStore()).keyring_status()
    return KeyringState(usable, reason)


def store_token(name: str, token: str, *, insecure_file: bool, store: Any = None) -> str:
    """Where it was stored, in words. Raises KeyringUnavailable with both ways forward."""
    return (store or TokenStore()).set(name, token, insecure_file=insecure_file)


def delete_token(name: str, store: Any = None) -> str:
    """Remove a stored token; returns a sentence for the notification."""
    store = store or TokenStore()
    removed = store.delete(name)
    problem = store.last_keyring_problem
    text = f"token removed from {', '.join(removed)}" if removed else "no stored token"
    if problem is not None:
        text += f" (keyring not reachable: {problem})"
    return text


def explain_no_keyring(name: str, env_var: str, reason: str) -> str:
    """The plain explanation shown in the account form when the keyring cannot be used:
    the reason (which already says there is no usable keyring) once, then the two ways out."""
    return (
        f"{reason.rstrip('.')}. Either leave the token empty and export {env_var} in the "
        "shell that starts synctui, or tick the plain-text file box below to keep it in a "
        "file only you can read (mode 0600)."
    )


__all__ = [
    "KeyringState",
    "KeyringUnavailable",
    "delete_token",
    "explain_no_keyring",
    "keyring_state",
    "store_token",
    "token_for",
    "token_source",
]
