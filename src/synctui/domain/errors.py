"""Typed errors, each carrying one sentence a person can act on.

Adapters translate every vendor, network and data failure into one of these; the CLI prints
`str(error)` and the TUI shows it as a notification. No traceback ever reaches a user, so the
message must stand on its own: what happened, and where useful, what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class SyncTuiError(Exception):
    """Base of every error synctui shows to a person."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UsageError(SyncTuiError):
    """The user asked for something malformed (bad JSON, unknown account...)."""

    exit_code = 2


class ConfigError(UsageError):
    """accounts.toml, settings or a theme file cannot be used."""


class AuthError(SyncTuiError):
    """The vendor rejected the token (401)."""


class PermissionDenied(SyncTuiError):
    """The token is valid but lacks a scope or role (403)."""


class NotFound(SyncTuiError):
    pass


class ValidationFailed(SyncTuiError):
    """Refused before sending (our validators) or by the vendor (400/422)."""

    exit_code = 2

    def __init__(
        self, message: str, issues: Sequence[Any] = (), *, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.issues = list(issues)


class Conflict(SyncTuiError):
    """The sync changed on the server since it was loaded; nothing was written."""

    exit_code = 3


class RateLimited(SyncTuiError):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class InvalidState(SyncTuiError):
    """The sync is in a state that forbids this action (paused, legacy, already running)."""


class SyncPaused(InvalidState):
    pass


class NeedsMigration(InvalidState):
    pass


class VendorError(SyncTuiError):
    """The vendor failed (5xx) or answered something we cannot read."""

    def __init__(self, message: str, status: int | None = None, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class NetworkError(SyncTuiError):
    """The vendor could not be reached; nothing was sent."""


class OutcomeUnknown(SyncTuiError):
    """A write was sent but the answer was lost: it may or may not have been applied."""


class ReadOnlyError(SyncTuiError):
    """synctui is in read-only mode: the service layer refuses every write."""


class Unsupported(SyncTuiError):
    """This vendor does not offer that operation."""

    exit_code = 2
