"""How Speckle says what went wrong: HTTP 200 with `errors[].extensions.{code, statusCode}`,
read into synctui's typed errors.

Codes for the paused-trigger and legacy cases are not public, so the wording of the message is
checked too; every error comes out as a sentence without the token (`redact`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from synctui.domain import errors
from synctui.vendors.speckle.parsers import LEGACY_REASON

PAUSED_MESSAGE = "sync is paused: resume it before triggering"
# The codes for "paused sync cannot be triggered" and "legacy sync must be migrated" are not
# public: these are the ones observed so far, and the message wording is the fallback.
PAUSED_CODES = frozenset({"SYNC_PAUSED"})
LEGACY_CODES = frozenset({"SYNC_LEGACY_MIGRATION_REQUIRED"})
AUTH_CODES = frozenset({"UNAUTHORIZED", "UNAUTHENTICATED"})
PROJECT_NOT_FOUND_CODES = frozenset({"STREAM_NOT_FOUND", "PROJECT_NOT_FOUND"})
BAD_REQUEST_CODES = frozenset(
    {"BAD_REQUEST_ERROR", "BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST"}
)


class ProjectNotFound(errors.NotFound):
    """The project itself is unknown (as opposed to a sync in it); `path` names the field."""

    def __init__(self, message: str, *, path: list[Any] | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.path = path or []


def speckle_error(
    items: list[Any], name: str, redact: Callable[[str], str]
) -> errors.SyncTuiError | None:
    """The typed error for a GraphQL `errors` list (None: none of Speckle's own cases)."""
    first = items[0] if items and isinstance(items[0], dict) else {"message": str(items)}
    message = redact(str(first.get("message") or "unknown error"))
    ext = found if isinstance(found := first.get("extensions"), dict) else {}
    code = str(ext.get("code") or "").upper()
    status = ext.get("statusCode")
    path = where if isinstance(where := first.get("path"), list) else []
    low = message.lower()
    if code in PAUSED_CODES or ("paused" in low and "trigger" in low):
        return errors.SyncPaused(PAUSED_MESSAGE)
    if code in LEGACY_CODES or ("legacy" in low and "migrat" in low):
        return errors.NeedsMigration(LEGACY_REASON)
    if code in AUTH_CODES or status == 401:
        return errors.AuthError(
            f"{name}: the token was rejected: {message}",
            hint="check or replace this account's token",
        )
    if code == "FORBIDDEN" or status == 403:
        for scope in ("streams:write", "streams:read"):
            if scope in low:
                return errors.PermissionDenied(
                    f"{name}: token lacks {scope}",
                    hint="use a personal access token with streams:read and streams:write",
                )
        return errors.PermissionDenied(f"{name}: {message}")
    if code in PROJECT_NOT_FOUND_CODES or (
        (code.endswith("NOT_FOUND") or code == "NOT_FOUND_ERROR" or status == 404)
        and len(path) == 1
    ):
        return ProjectNotFound(f"{name}: {message}", path=path)
    if code.endswith("NOT_FOUND") or code == "NOT_FOUND_ERROR" or status == 404:
        return errors.NotFound(f"{name}: {message}")
    if code in BAD_REQUEST_CODES or status == 400:
        return errors.ValidationFailed(f"{name}: {message}")
    if status == 429:
        return errors.RateLimited(f"{name}: rate limited by Speckle; try again shortly")
    return None
