"""Accounts: which vendor endpoints synctui talks to, kept in `accounts.toml`.

The file has one table per account, keyed by the account name:

    # synctui accounts. No token or password belongs in this file.
    version = 1

    [accounts.prod-speckle]
    vendor = "speckle"
    base_url = "https://app.speckle.systems"
    projects = ["3f1c0a9d2b", "77aa01ce4f"]

    [accounts."staging.polytomic"]
    vendor = "polytomic"
    base_url = "https://app.polytomic.com"
    api_version = "2025-09-18"
    auth = "deployment"

`[accounts.NAME]` tables were chosen over an `[[account]]` array because the name is the
account's identity: TOML itself then rejects a duplicate (with a line number), and a person
editing the file finds an account by its header. Keys this version does not know are kept in
`Account.extra` and written back, so an older synctui does not destroy a newer one's settings.

Tokens never go in this file. The writer refuses secret-looking keys even in `extra`, because
accounts.toml is the file people paste into bug reports and commit to dotfile repositories.
Tokens live in the environment, the OS keyring, or an explicitly opted-in 0600 file (see
`synctui.store.secrets`).

The file is also edited by hand, so a write changes only what changed (`toml_document`):
the user's comments, blank lines and order of accounts and keys survive `accounts add`,
`edit` and `remove`.
"""

from __future__ import annotations

import ipaddress
import math
import re
import tomllib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

from synctui.domain.errors import ConfigError
from synctui.store.paths import accounts_file, atomic_write_text, locked
from synctui.store.toml_document import (
    dump,
    load_document,
    sync_table,
    toml_key,
    toml_value,
)

VENDORS: tuple[str, ...] = ("speckle", "letsbuild", "polytomic", "signalsmith", "paragon")

AuthKind = Literal["bearer", "deployment"]
AUTH_KINDS: tuple[str, ...] = get_args(AuthKind)

# Polytomic versions its API by date and changes behaviour between versions; pinning one keeps
# an upgrade of the vendor's default from silently changing what our requests mean.
POLYTOMIC_DEFAULT_API_VERSION = "2025-09-18"

FILE_VERSION = 1
TOKEN_ENV_PREFIX = "SYNCTUI_TOKEN_"

# The name ends up in a TOML key, a keyring user name, an environment variable and CLI
# arguments; it must start with a letter or digit so `--account -x` is never ambiguous.
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_THEME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_DATE_VERSION_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Substrings that mark a key as holding a credential. Deliberately broad: a false positive
# costs a rename, a false negative leaks a secret into a file that gets shared.
_SECRET_KEY_RE = re.compile(
    r"token|secret|passw|passphrase|key|credential|cookie|bearer|authoriz", re.IGNORECASE
)
_BEARER_VALUE_RE = re.compile(r"^\s*bearer\s+\S", re.IGNORECASE)


class AccountError(ConfigError):
    """An account or accounts.toml cannot be used; the message says what to change."""


class AccountExists(AccountError):
    """An account of that name exists and replacing it was not asked for."""


def token_env_var(name: str) -> str:
    """The environment variable that holds `name`'s token: SYNCTUI_TOKEN_<NAME>.

    Upper-cased, with every character other than A-Z and 0-9 replaced by `_`, because shells
    only accept those in variable names. Distinct names can therefore share a variable
    ("a.b" and "a-b"); `AccountStore` refuses such pairs so one account's token can never be
    sent to another account's vendor.
    """
    return TOKEN_ENV_PREFIX + re.sub(r"[^A-Z0-9]", "_", name.upper())


@dataclass(frozen=True)
class Account:
    """One vendor endpoint plus the few settings needed to talk to it. Never a secret."""

    name: str
    vendor: str
    base_url: str
    projects: tuple[str, ...] = ()
    workspace: str | None = None
    api_version: str | None = None
    auth: AuthKind = "bearer"
    theme: str | None = None
    allow_http: bool = False
    # Excluded from the hash (dicts are unhashable); still compared for equality.
    extra: dict[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if isinstance(self.projects, str):
            raise TypeError("projects must be a sequence of project ids, not a single string")
        object.__setattr__(self, "projects", tuple(self.projects))
        # A private copy: the dataclass is frozen, and callers' dicts must not alias it.
        object.__setattr__(self, "extra", dict(self.extra))
        if self.vendor == "polytomic" and self.api_version is None:
            object.__setattr__(self, "api_version", POLYTOMIC_DEFAULT_API_VERSION)

    @property
    def token_env_var(self) -> str:
        return token_env_var(self.name)


_FIELD_NAMES = frozenset(f.name for f in fields(Account))


# --- validation ---------------------------------------------------------------------------


def validate_name(name: object) -> None:
    """Raise AccountError unless `name` is a usable account name."""
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise AccountError(
            f"{name!r} is not a valid account name: use 1 to 64 letters, digits, '.', '_' "
            "or '-', starting with a letter or digit"
        )


def is_loopback_host(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (also written as ::ffff:127.x.y.z).

    Only these are exempt from the https requirement: traffic to them never leaves the
    machine, so a token sent in clear text to the sandbox cannot be sniffed on a network.
    """
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _base_url_problem(url: object, allow_http: bool) -> str | None:
    if not isinstance(url, str) or not url:
        return "base_url is missing"
    if any(ch.isspace() for ch in url):
        return f"base_url {url!r} contains whitespace"
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return f"base_url {url!r} must start with https://"
    if not parts.hostname:
        return f"base_url {url!r} has no host name"
    if parts.username is not None or parts.password is not None:
        return "base_url must not contain a user name or password (this file is not secret)"
    if parts.query or parts.fragment:
        return "base_url must not contain a query string or fragment"
    try:
        parts.port  # noqa: B018 - evaluated for its validation only
    except ValueError:
        return f"base_url {url!r} has an invalid port"
    if scheme == "http" and not allow_http and not is_loopback_host(parts.hostname):
        return (
            f"base_url uses plain http:// to {parts.hostname}, which would send the token "
            "unencrypted; use https://, or set allow_http = true if you really mean it"
        )
    return None


def _workspace_is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _extra_problem(extra: Mapping[str, Any]) -> str | None:
    for key, value in extra.items():
        if not isinstance(key, str) or not key:
            return f"extra setting name {key!r} must be a non-empty string"
        if key in _FIELD_NAMES:
            return f"'{key}' is a regular account setting and cannot also be an extra one"
        if _SECRET_KEY_RE.search(key):
            return (
                f"'{key}' looks like a credential, and accounts.toml never holds secrets; "
                "store the token with `synctui token set` or in the "
                f"{TOKEN_ENV_PREFIX}<NAME> environment variable instead"
            )
        problem = _value_problem(key, value)
        if problem:
            return problem
    return None


def _value_problem(key: str, value: Any) -> str | None:
    if isinstance(value, str):
        if _BEARER_VALUE_RE.match(value):
            return f"'{key}' holds what looks like a bearer token; tokens never go in accounts.toml"
        return None
    if isinstance(value, bool | int):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"'{key}' must be a finite number"
    if isinstance(value, list | tuple):
        if not all(isinstance(item, str) for item in value):
            return f"'{key}' must be a list of strings"
        problems = (_value_problem(key, item) for item in value)
        return next((problem for problem in problems if problem), None)
    return f"'{key}' must be a string, number, true/false or a list of strings"


def _account_problem(account: Account) -> str | None:
    if account.vendor not in VENDORS:
        return f"unknown vendor {account.vendor!r}; expected one of {', '.join(VENDORS)}"
    if not isinstance(account.allow_http, bool):
        return "allow_http must be true or false"
    problem = _base_url_problem(account.base_url, account.allow_http)
    if problem:
        return problem
    if account.auth not in AUTH_KINDS:
        return f"auth must be one of {', '.join(AUTH_KINDS)}, not {account.auth!r}"
    if account.auth == "deployment" and account.vendor != "polytomic":
        return "auth = 'deployment' is only available for polytomic accounts"
    if not all(isinstance(p, str) and p.strip() for p in account.projects):
        return "projects must be non-empty strings"
    if account.vendor == "speckle" and not account.projects:
        return "a speckle account needs at least one project id in projects"
    if account.workspace is not None and (
        not isinstance(account.workspace, str) or not account.workspace.strip()
    ):
        return "workspace must be a non-empty string"
    if account.vendor == "signalsmith" and (
        account.workspace is None or not _workspace_is_uuid(account.workspace)
    ):
        return "a signalsmith account needs its workspace id (a UUID) in workspace"
    if account.api_version is not None and (
        not isinstance(account.api_version, str) or not account.api_version.strip()
    ):
        return "api_version must be a non-empty string"
    if account.vendor == "polytomic" and not _DATE_VERSION_RE.fullmatch(account.api_version or ""):
        return f"polytomic api_version must be a date like {POLYTOMIC_DEFAULT_API_VERSION}"
    if account.theme is not None and (
        not isinstance(account.theme, str) or not _THEME_RE.fullmatch(account.theme)
    ):
        return f"theme {account.theme!r} is not a theme name"
    return _extra_problem(account.extra)


def validate_account(account: Account) -> None:
    """Raise AccountError with one sentence naming the account and what to fix."""
    validate_name(account.name)
    problem = _account_problem(account)
    if problem:
        raise AccountError(f"Account '{account.name}': {problem}.")


def _validate_collection(accounts: Sequence[Account]) -> None:
    """Names must be unique, and so must the environment variables derived from them."""
    seen_names: set[str] = set()
    seen_vars: dict[str, str] = {}
    for account in accounts:
        if account.name in seen_names:
            raise AccountError(f"There are two accounts named '{account.name}'.")
        seen_names.add(account.name)
        var = account.token_env_var
        if var in seen_vars:
            raise AccountError(
                f"Accounts '{seen_vars[var]}' and '{account.name}' would share the token "
                f"variable {var}; rename one of them."
            )
        seen_vars[var] = account.name


# --- TOML writing -------------------------------------------------------------------------


def _account_items(account: Account) -> list[tuple[str, Any]]:
    """The keys worth writing, in a stable, readable order; defaults are left out."""
    items: list[tuple[str, Any]] = [("vendor", account.vendor), ("base_url", account.base_url)]
    optional: list[tuple[str, Any, Any]] = [
        ("projects", list(account.projects), []),
        ("workspace", account.workspace, None),
        ("api_version", account.api_version, None),
        ("auth", account.auth, "bearer"),
        ("theme", account.theme, None),
        ("allow_http", account.allow_http, False),
    ]
    items += [(key, value) for key, value, default in optional if value != default]
    items += list(account.extra.items())
    return items


def render_accounts(accounts: Iterable[Account], existing: str | None = None) -> str:
    """The text of accounts.toml for `accounts`: `existing` (the file as it is now) with
    only what differs rewritten, so the user's comments and order survive; a new file
    without it. ValueError/TypeError for a value TOML cannot hold."""
    doc = load_document(
        existing,
        (
            "synctui accounts. No token or password belongs in this file:",
            f"tokens live in the OS keyring or in {TOKEN_ENV_PREFIX}<NAME> variables.",
        ),
    )
    for account in accounts:  # the same refusals as always, whatever the document keeps
        for _key, value in _account_items(account):
            toml_value(value)
    wanted = {
        "version": FILE_VERSION,
        "accounts": {a.name: dict(_account_items(a)) for a in accounts},
    }
    sync_table(doc, wanted)
    return dump(doc)


# --- TOML reading -------------------------------------------------------------------------

_DECODE_POSITION_RE = re.compile(
    r"^(?P<problem>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$"
)

_STRING_FIELDS = ("workspace", "api_version", "theme")


def _decode_error_message(path: Path, exc: tomllib.TOMLDecodeError) -> str:
    text = str(exc)
    match = _DECODE_POSITION_RE.match(text)
    if match:
        problem = match["problem"].rstrip(".")
        return (
            f"Cannot read the accounts file {path}: line {match['line']}, "
            f"column {match['col']}: {problem}."
        )
    return f"Cannot read the accounts file {path}: {text}."


def _header_line(text: str, name: str) -> int | None:
    """Line number of `[accounts.NAME]`, found by parsing candidate header lines with tomllib
    itself so that every quoting style of the name is recognised."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("[") or "accounts" not in stripped:
            continue
        try:
            parsed = tomllib.loads(stripped)
        except tomllib.TOMLDecodeError:
            continue
        if name in parsed.get("accounts", {}):
            return number
    return None


def _account_from_table(name: str, table: Any) -> Account:
    """Build an Account from its TOML table, checking each known key's type."""
    if not isinstance(table, dict):
        raise AccountError(f"account '{name}' must be a table like [accounts.{toml_key(name)}]")
    if "name" in table:
        raise AccountError("the account name comes from the table header; remove the name key")
    data = dict(table)
    for key in ("vendor", "base_url", *_STRING_FIELDS, "auth"):
        if key in data and not isinstance(data[key], str):
            raise AccountError(f"{key} must be a string")
    for key in ("vendor", "base_url"):
        if key not in data:
            raise AccountError(f"{key} is missing")
    projects = data.pop("projects", [])
    if not isinstance(projects, list) or not all(isinstance(p, str) for p in projects):
        raise AccountError("projects must be a list of strings")
    if not isinstance(data.get("allow_http", False), bool):
        raise AccountError("allow_http must be true or false")
    known = {key: data.pop(key) for key in list(data) if key in _FIELD_NAMES}
    return Account(name=name, projects=tuple(projects), extra=data, **known)


def parse_accounts(text: str, path: Path) -> list[Account]:
    """Parse and validate accounts.toml text; every problem names the file (and the line)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AccountError(_decode_error_message(path, exc)) from None
    version = data.get("version", FILE_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise AccountError(f"{path}: version must be a positive whole number.")
    if version > FILE_VERSION:
        raise AccountError(
            f"{path} was written by a newer synctui (file version {version}); upgrade synctui."
        )
    unexpected = sorted(set(data) - {"version", "accounts"})
    if unexpected:
        raise AccountError(
            f"{path}: unexpected top-level setting {unexpected[0]!r}; each account is a "
            "table named [accounts.NAME]."
        )
    tables = data.get("accounts", {})
    if not isinstance(tables, dict):
        raise AccountError(f"{path}: 'accounts' must be tables named [accounts.NAME].")
    accounts = []
    for name, table in tables.items():
        try:
            account = _account_from_table(name, table)
            validate_account(account)
        except AccountError as exc:
            line = _header_line(text, name)
            where = f"{path}, line {line}" if line else str(path)
            problem = exc.message.removeprefix(f"Account '{name}': ").rstrip(".")
            raise AccountError(f"{where}: account '{name}': {problem}.") from None
        accounts.append(account)
    try:
        _validate_collection(accounts)
    except AccountError as exc:
        raise AccountError(f"{path}: {exc.message}") from None
    return accounts


# --- the store ----------------------------------------------------------------------------


class AccountStore:
    """Reads and writes accounts.toml. Every call re-reads the file, so a CLI command run
    while the TUI is open is seen by the next operation instead of being overwritten by a
    stale in-memory copy. Each change is one read-modify-write under an OS file lock
    (`paths.locked`), so parallel processes never lose each other's accounts."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = Path(path) if path is not None else None

    @property
    def path(self) -> Path:
        # Resolved per call: the default location depends on the environment at that moment.
        return self._path if self._path is not None else accounts_file()

    def load(self) -> list[Account]:
        """All accounts, in file order; no file yet means no accounts."""
        path = self.path
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise AccountError(f"Cannot read the accounts file {path}: {exc.strerror}.") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise AccountError(
                f"Cannot read the accounts file {path}: it is not UTF-8 text."
            ) from None
        return parse_accounts(text, path)

    def save(self, accounts: Iterable[Account]) -> None:
        """Validate everything, then replace the file atomically (mode 0600)."""
        with locked(self.path):
            self._write(accounts)

    def _write(self, accounts: Iterable[Account]) -> None:
        """`save` for a caller that already holds the lock."""
        accounts = list(accounts)
        for account in accounts:
            validate_account(account)
        _validate_collection(accounts)
        try:
            text = render_accounts(accounts, self._current_text())
        except (TypeError, ValueError) as exc:
            raise AccountError(f"Cannot write the accounts file: {exc}.") from None
        atomic_write_text(self.path, text, mode=0o600)

    def _current_text(self) -> str | None:
        """The file as it is (to keep its comments), None if absent or unreadable."""
        try:
            return self.path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def names(self) -> list[str]:
        return [account.name for account in self.load()]

    def get(self, name: str) -> Account:
        """The account called `name`; AccountError (listing the known names) if none."""
        accounts = self.load()
        for account in accounts:
            if account.name == name:
                return account
        raise AccountError(_not_found(name, accounts))

    def add(self, account: Account, replace: bool = False) -> None:
        """Append `account`; an existing name is an error unless `replace` is true."""
        with locked(self.path):
            accounts, _ = self._with_added(account, replace)
            self._write(accounts)

    def check_add(self, account: Account, replace: bool = False) -> bool:
        """Raise AccountError if `add` would refuse `account`, writing nothing; else return
        whether an account of that name exists already. Callers that must store something
        else first (a token) check here, so that a refusal leaves nothing half-saved."""
        accounts, existed = self._with_added(account, replace)
        _validate_collection(accounts)
        return existed

    def _with_added(self, account: Account, replace: bool) -> tuple[list[Account], bool]:
        validate_account(account)
        accounts = self.load()
        index = _index_of(accounts, account.name)
        if index is None:
            accounts.append(account)
        elif replace:
            accounts[index] = account
        else:
            raise AccountExists(
                f"An account named '{account.name}' already exists; choose another name "
                "or replace it."
            )
        return accounts, index is not None

    def update(self, account: Account) -> None:
        """Replace the account with the same name (names are identities: no renames here)."""
        validate_account(account)
        with locked(self.path):
            accounts = self.load()
            index = _index_of(accounts, account.name)
            if index is None:
                raise AccountError(_not_found(account.name, accounts))
            accounts[index] = account
            self._write(accounts)

    def remove(self, name: str) -> Account:
        """Delete the account and return it, so the caller can also delete its token."""
        with locked(self.path):
            accounts = self.load()
            index = _index_of(accounts, name)
            if index is None:
                raise AccountError(_not_found(name, accounts))
            removed = accounts.pop(index)
            self._write(accounts)
        return removed


def _index_of(accounts: Sequence[Account], name: str) -> int | None:
    return next((i for i, account in enumerate(accounts) if account.name == name), None)


def _not_found(name: str, accounts: Sequence[Account]) -> str:
    if not accounts:
        return f"There is no account named '{name}' (no accounts are configured yet)."
    known = ", ".join(account.name for account in accounts)
    return f"There is no account named '{name}'; known accounts: {known}."
