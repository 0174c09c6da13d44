"""Tokens: where synctui finds an account's secret, and where it keeps one.

Lookup order, first hit wins:

1. the environment variable `SYNCTUI_TOKEN_<NAME>` (CI, containers, one-off runs; synctui
   never writes it);
2. the OS keyring, service "synctui", user name = account name;
3. `tokens.toml` in the config dir — a plain-text file that exists only because the user asked
   for it (`--insecure-storage`). Its mode is checked on every read: if anyone but the owner
   can access it, it is refused with the `chmod 600` command that fixes it.

Keyring calls run in a daemon worker thread with a timeout. Over SSH, Secret Service can
block forever on an unlock prompt that is shown on a screen nobody is looking at; a TUI that
freezes on start-up is worse than one that says what happened. A daemon thread (rather than a
ThreadPoolExecutor, whose workers are joined at exit) lets the process quit even if the
keyring call never returns.

When the keyring cannot be used, storing a token fails with `KeyringUnavailable`, whose
message names both ways forward. It never falls back to the plain-text file by itself: the
user must choose to keep a secret unencrypted on disk.

`keyring` is imported inside the worker only, so importing this module (and starting the
CLI) stays fast.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import threading
import tomllib
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from synctui.domain.errors import ConfigError, SyncTuiError, UsageError
from synctui.store.accounts import token_env_var, validate_name
from synctui.store.paths import atomic_write_text, locked, tokens_file
from synctui.store.toml_document import dump, load_document, sync_table

KEYRING_SERVICE = "synctui"
# The first lines of a token file synctui creates.
_TOKEN_FILE_HEADER = (
    "synctui tokens in plain text, kept here because --insecure-storage was chosen.",
    "Anyone who can read this file can use these accounts: keep it mode 0600.",
)
# A user name no account can have (names start with a letter or digit), for status probes.
_PROBE_USER = "__synctui_probe__"

TokenSource = Literal["env", "keyring", "file", "memory"]

# Characters a pasted token may pick up and that no vendor token contains: control
# characters, zero-width/format characters (BOM, ZWSP), line/paragraph separators.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


class SecretsError(SyncTuiError):
    """Base for token storage problems."""


class InvalidToken(SecretsError, UsageError, ValueError):
    """A token value that cannot be right (empty, control characters). Never quotes it.

    Also a ValueError, so callers validating input generically catch it too."""


class TokenFileError(SecretsError, ConfigError):
    """tokens.toml exists but must not or cannot be used."""


class KeyringUnavailable(SecretsError):
    """The OS keyring cannot be used; the message says why and what to do instead."""

    def __init__(self, reason: str, *, account_name: str | None, tokens_path: Path) -> None:
        env = token_env_var(account_name) if account_name else "SYNCTUI_TOKEN_<NAME>"
        super().__init__(
            f"{reason}. To use a token without the keyring, either set {env} in the "
            f"environment, or re-run with --insecure-storage to keep it in {tokens_path} "
            "(mode 0600)."
        )
        self.reason = reason
        self.account_name = account_name


class ResolvedToken:
    """A token and where it came from. Its repr and str never show the value, so logging or
    printing one by accident (tracebacks, debug views) does not leak it."""

    __slots__ = ("source", "value", "where")

    def __init__(self, value: str, source: TokenSource, where: str) -> None:
        self.value = value
        self.source: TokenSource = source
        self.where = where  # for people: "the SYNCTUI_TOKEN_PROD environment variable"

    def __repr__(self) -> str:
        return f"ResolvedToken(source={self.source!r}, value='****')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ResolvedToken):
            return NotImplemented
        return (self.value, self.source) == (other.value, other.source)

    def __hash__(self) -> int:
        return hash((self.value, self.source))


def clean_token(token: object, source: str = "The token") -> str:
    """Strip surrounding whitespace (pasted newlines) and refuse values that cannot be a
    token. Messages describe the problem by position, never by quoting the secret."""
    if not isinstance(token, str):
        raise InvalidToken(f"{source} must be text.")
    value = token.strip()
    if not value:
        raise InvalidToken(f"{source} is empty.")
    for position, ch in enumerate(value, start=1):
        if unicodedata.category(ch) in _FORBIDDEN_CATEGORIES:
            raise InvalidToken(
                f"{source} contains an invisible or control character (U+{ord(ch):04X}) at "
                f"position {position}; copy it again without it."
            )
    return value


def _describe_keyring_error(exc: BaseException) -> str:
    """One sentence (no trailing period) saying what went wrong with the keyring."""
    from keyring import errors as kr_errors

    detail = str(exc).split(". ")[0].strip().rstrip(".") or type(exc).__name__
    if isinstance(exc, kr_errors.NoKeyringError):
        no_bus = sys.platform.startswith("linux") and not os.environ.get("DBUS_SESSION_BUS_ADDRESS")
        where = " (no D-Bus session)" if no_bus else ""
        return f"No usable system keyring on this machine{where}: {detail}"
    if isinstance(exc, kr_errors.KeyringLocked):
        return f"The system keyring is locked and could not be unlocked: {detail}"
    if isinstance(exc, kr_errors.InitError):
        return f"The system keyring could not be started: {detail}"
    if isinstance(exc, kr_errors.KeyringError):
        return f"The system keyring refused the request: {detail}"
    return f"The system keyring failed ({type(exc).__name__}: {detail})"


class TokenStore:
    """Finds, stores and deletes account tokens (see the module docstring for the order)."""

    def __init__(self, keyring_timeout: float = 3.0, *, tokens_path: Path | None = None) -> None:
        self.keyring_timeout = keyring_timeout
        self._tokens_path = Path(tokens_path) if tokens_path is not None else None
        self._file_lock = threading.Lock()
        self._keyring_lock = threading.Lock()
        # A keyring call that timed out may still be blocked; until it returns, new calls fail
        # at once instead of stacking up more blocked threads and more waits.
        self._stuck_thread: threading.Thread | None = None
        self._local = threading.local()

    @property
    def tokens_path(self) -> Path:
        return self._tokens_path if self._tokens_path is not None else tokens_file()

    @property
    def last_keyring_problem(self) -> KeyringUnavailable | None:
        """Why the keyring could not be consulted by this thread's last get/delete, if so.

        `get` does not raise for an unusable keyring (the token may well be in the
        environment or the file); a caller that found no token shows this to explain why.
        Per thread, so concurrent lookups for different accounts do not overwrite it.
        """
        return getattr(self._local, "problem", None)

    def _set_problem(self, problem: KeyringUnavailable | None) -> None:
        self._local.problem = problem

    # --- lookup -------------------------------------------------------------------------

    def get(self, account_name: str) -> ResolvedToken | None:
        """The token for `account_name` from the first place that has one, or None.

        An empty environment variable counts as unset (the usual `VAR=` idiom). A value
        found anywhere that is not a plausible token raises InvalidToken naming the place.
        """
        self._set_problem(None)
        env = token_env_var(account_name)
        raw = os.environ.get(env)
        if raw is not None and raw.strip():
            where = f"the {env} environment variable"
            return ResolvedToken(clean_token(raw, f"The {env} variable"), "env", where)
        try:
            value = self._keyring(
                account_name, lambda kr: kr.get_password(KEYRING_SERVICE, account_name)
            )
        except KeyringUnavailable as problem:
            self._set_problem(problem)
        else:
            if value is not None:
                where = "the system keyring"
                return ResolvedToken(
                    clean_token(value, "The token in the keyring"), "keyring", where
                )
        value = self._read_file().get(account_name)
        if value is not None:
            path = self.tokens_path
            return ResolvedToken(clean_token(value, f"The token in {path}"), "file", str(path))
        return None

    # --- storing ------------------------------------------------------------------------

    def set(self, account_name: str, token: str, *, insecure_file: bool = False) -> str:
        """Store a token; returns where, in words ("the system keyring", or the file path).

        Default: the keyring, and KeyringUnavailable if it cannot be used — never the file.
        With `insecure_file` the 0600 token file is written instead. Either way any copy in
        the other place is removed, so an old token cannot linger or shadow the new one.
        """
        validate_name(account_name)
        value = clean_token(token)
        if insecure_file:
            self._update_file(account_name, value)
            self._forget_in_keyring(account_name)
            return f"{self.tokens_path} (mode 0600)"
        self._keyring(
            account_name, lambda kr: kr.set_password(KEYRING_SERVICE, account_name, value)
        )
        self._update_file(account_name, None)
        return f"the system keyring (service '{KEYRING_SERVICE}', user '{account_name}')"

    def delete(self, account_name: str) -> list[TokenSource]:
        """Remove the token from the keyring and the file; returns where one was removed.

        An unreachable keyring does not raise — removing an account must work on machines
        without one — but is reported through `last_keyring_problem`, which the caller
        should show. The environment cannot be changed from here; `get` afterwards tells
        whether a variable still provides a token.
        """
        self._set_problem(None)
        removed: list[TokenSource] = []
        if self._update_file(account_name, None):
            removed.append("file")
        try:
            if self._keyring(account_name, lambda kr: _delete_password(kr, account_name)):
                removed.append("keyring")
        except KeyringUnavailable as problem:
            self._set_problem(problem)
        return removed

    def keyring_status(self) -> tuple[bool, str]:
        """(usable, reason): one real read, so a locked or hanging keyring shows up here."""
        try:
            backend = self._keyring(None, _probe)
        except KeyringUnavailable as problem:
            return False, str(problem)
        return True, f"The system keyring is available ({backend})."

    # --- keyring plumbing ---------------------------------------------------------------

    def _keyring(self, account_name: str | None, call: Callable[[Any], Any]) -> Any:
        """Run `call(keyring_module)` in a daemon thread; KeyringUnavailable on any failure
        or if it takes longer than `keyring_timeout`."""
        with self._keyring_lock:
            stuck = self._stuck_thread
            if stuck is not None and stuck.is_alive():
                raise self._unavailable(
                    account_name,
                    "The system keyring has not answered an earlier request yet (it may be "
                    "waiting for an unlock prompt that cannot be shown here, e.g. over SSH)",
                )
            self._stuck_thread = None
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                import keyring

                outcome["value"] = call(keyring)
            except BaseException as exc:
                outcome["error"] = exc

        thread = threading.Thread(target=work, name="synctui-keyring", daemon=True)
        thread.start()
        thread.join(self.keyring_timeout)
        if thread.is_alive():
            with self._keyring_lock:
                self._stuck_thread = thread
            raise self._unavailable(
                account_name,
                f"The system keyring did not answer within {self.keyring_timeout:g} s (it may "
                "be waiting for an unlock prompt that cannot be shown here, e.g. over SSH)",
            )
        if "error" in outcome:
            error = outcome["error"]
            raise self._unavailable(account_name, _describe_keyring_error(error)) from error
        return outcome.get("value")

    def _unavailable(self, account_name: str | None, reason: str) -> KeyringUnavailable:
        return KeyringUnavailable(reason, account_name=account_name, tokens_path=self.tokens_path)

    def _forget_in_keyring(self, account_name: str) -> None:
        """Best effort: a keyring we cannot reach cannot shadow the file right now either."""
        with contextlib.suppress(KeyringUnavailable):
            self._keyring(account_name, lambda kr: _delete_password(kr, account_name))

    # --- token file ---------------------------------------------------------------------

    def _read_file(self) -> dict[str, str]:
        """The opted-in token file's entries; {} if there is none."""
        raw = self._read_raw()
        return {} if raw is None else _parse_token_file(raw, self.tokens_path)

    def _read_raw(self) -> bytes | None:
        """The token file's bytes; None if there is none. Refuses a file that other users
        can access, checking the open file itself (fstat) so it cannot be swapped between
        the check and the read."""
        path = self.tokens_path
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TokenFileError(f"Cannot open the token file {path}: {exc.strerror}.") from None
        with os.fdopen(fd, "rb") as fh:
            _check_private(os.fstat(fh.fileno()), path)
            return fh.read()

    def _update_file(self, account_name: str, value: str | None) -> bool:
        """Set (or with None, remove) one entry; returns whether the file changed. Never
        creates the file just to remove something from it.

        The file may be edited by hand too: only the entry changes, and the user's comments,
        blank lines and order stay (`toml_document`)."""
        if value is None and not self.tokens_path.exists():
            return False  # nothing to remove, and no reason to create a lock file either
        with self._file_lock, locked(self.tokens_path):  # this process's threads, then others
            raw = self._read_raw()
            tokens = {} if raw is None else _parse_token_file(raw, self.tokens_path)
            if value is None:
                if account_name not in tokens:
                    return False
                del tokens[account_name]
            elif tokens.get(account_name) == value:
                return False
            else:
                tokens[account_name] = value
            # Valid UTF-8 and TOML: `_parse_token_file` refused anything else.
            doc = load_document(None if raw is None else raw.decode("utf-8"), _TOKEN_FILE_HEADER)
            sync_table(doc, {"tokens": tokens})
            atomic_write_text(self.tokens_path, dump(doc), mode=0o600)
            return True


def _delete_password(kr: Any, account_name: str) -> bool:
    """True if a password was deleted; False if there was none (PasswordDeleteError)."""
    try:
        kr.delete_password(KEYRING_SERVICE, account_name)
    except kr.errors.PasswordDeleteError:
        return False
    return True


def _probe(kr: Any) -> str:
    backend = kr.get_keyring()
    backend.get_password(KEYRING_SERVICE, _PROBE_USER)
    return getattr(backend, "name", type(backend).__name__)


def _check_private(st: os.stat_result, path: Path) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise TokenFileError(f"The token file {path} is not a regular file.")
    getuid = getattr(os, "getuid", None)
    if getuid is not None and st.st_uid != getuid():
        raise TokenFileError(
            f"The token file {path} belongs to another user; synctui will not read tokens from it."
        )
    if st.st_mode & 0o077:
        mode = stat.S_IMODE(st.st_mode)
        raise TokenFileError(
            f"The token file {path} can be accessed by other users (mode {mode:04o}), so "
            f"synctui will not use it. Make it private with: chmod 600 {path}"
        )


def _parse_token_file(raw: bytes, path: Path) -> dict[str, str]:
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        # The decoder's message may quote the line it choked on; that line holds a token.
        position = str(exc).rpartition("(")[2].rstrip(")") if "(at " in str(exc) else ""
        where = f" ({position})" if position else ""
        raise TokenFileError(f"The token file {path} is not valid TOML{where}.") from None
    tokens = data.get("tokens", {})
    if set(data) - {"tokens"} or not isinstance(tokens, dict):
        raise TokenFileError(f"The token file {path} must hold one [tokens] table.")
    for name, value in tokens.items():
        if not isinstance(value, str):
            raise TokenFileError(f"The token file {path}: the entry for '{name}' is not text.")
    return dict(tokens)


class MemoryTokenStore:
    """Tokens kept in this process only: what `--demo` uses, so that adding an account
    during a demo run stores its token in no file and no keyring. Same calls as TokenStore.
    """

    where = "memory (this demo run only; forgotten on quit)"
    last_keyring_problem: KeyringUnavailable | None = None

    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, account_name: str) -> ResolvedToken | None:
        with self._lock:
            value = self._tokens.get(account_name)
        return None if value is None else ResolvedToken(value, "memory", self.where)

    def set(self, account_name: str, token: str, *, insecure_file: bool = False) -> str:
        validate_name(account_name)
        value = clean_token(token)
        with self._lock:
            self._tokens[account_name] = value
        return self.where

    def delete(self, account_name: str) -> list[TokenSource]:
        with self._lock:
            return ["memory"] if self._tokens.pop(account_name, None) is not None else []

    def keyring_status(self) -> tuple[bool, str]:
        return True, "Demo run: tokens are kept in memory and forgotten when synctui quits."
