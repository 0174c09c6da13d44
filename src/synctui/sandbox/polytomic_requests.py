"""The Polytomic simulator's request plumbing: who is calling, what it keeps per sync and per
idempotency key, and the small parsers of a request (JSON body, `limit`, booleans, the opaque
`page_token`) with the error each one answers.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from synctui.sandbox.polytomic_body import ApiError
from synctui.sandbox.polytomic_runs import Execution

SYNC_PAGE_MAX = 50


@dataclass(slots=True)
class Caller:
    role: str  # "rw" or "ro"
    actor: dict[str, Any]
    scope: str  # idempotency keys are scoped per credential (hashed) and path


@dataclass(slots=True)
class SyncRecord:
    id: str
    body: dict[str, Any]  # everything the client wrote, defaults filled, extras kept
    created_at: datetime
    updated_at: datetime
    created_by: dict[str, Any]
    updated_by: dict[str, Any]
    history: dict[str, Any] | None  # seed inputs for the lazily built history
    executions: list[Execution] | None = None  # None until first needed
    puts: int = 0
    executions_started: int = 0
    activations: int = 0
    cancellations: int = 0

    @property
    def order_key(self) -> tuple[datetime, str]:
        """The list is ordered by `updated_at` descending, `id` breaking ties (`list`)."""
        return (self.updated_at, self.id)


@dataclass(slots=True)
class IdempotentAnswer:
    at: datetime
    in_flight: bool
    fingerprint: str = ""
    status: int = 0
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def credential_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:24]


def body_fingerprint(raw: bytes) -> str:
    """Same request, same fingerprint, even if the client re-serialized its JSON."""
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True).encode() if raw.strip() else b""
    except ValueError:
        canonical = raw
    return hashlib.sha256(canonical).hexdigest()


def parse_body(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ApiError(400, "bad_request", "request body is not valid JSON") from exc


def page_limit(value: str | None) -> int:
    """`limit` as the SDK documents it: "capped at 50. Values above that cap are reduced to
    50, and non-positive values fall back to the same default"; not a number → 400."""
    if value is None:
        return SYNC_PAGE_MAX
    try:
        number = int(value)
    except ValueError:
        raise ApiError(
            400, "bad_request", "limit must be an integer", {"parameter": "limit"}
        ) from None
    return SYNC_PAGE_MAX if number <= 0 else min(number, SYNC_PAGE_MAX)


def bool_param(value: str | None, name: str) -> bool | None:
    if value is None:
        return None
    lowered = value.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ApiError(400, "bad_request", f"{name} must be true or false", {"parameter": name})


def encode_page_token(kind: str, *parts: str) -> str:
    raw = json.dumps([kind, *parts], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page_token(token: str, kind: str, arity: int) -> list[str]:
    try:
        padded = token + "=" * (-len(token) % 4)
        parts = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error):
        raise bad_page_token() from None
    if (
        not isinstance(parts, list)
        or len(parts) != arity + 1
        or parts[0] != kind
        or not all(isinstance(x, str) for x in parts)
    ):
        raise bad_page_token()
    return parts[1:]


def bad_page_token() -> ApiError:
    return ApiError(
        400, "invalid_page_token", "page_token is not valid", {"parameter": "page_token"}
    )


def parse_page_instant(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise bad_page_token() from None
