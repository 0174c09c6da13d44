"""Plumbing shared by the REST vendors (Polytomic, Signalsmith, Paragon).

Each of them speaks JSON over one pooled HTTP client on the shared policy, and each needs the
same few guarantees, which are easy to get subtly different when written three times:

- A write is sent marked non-idempotent (`write=True`), so the policy transport never resends
  one whose answer was lost: the caller's `confirm_or_retry` reads the vendor's state first.
- An answer that cannot be read raises `VendorError(status=None)`. For a write, that status is
  what tells `confirm_or_retry` the outcome is open (settle it by reading, never resend blind).
- Every 4xx/5xx comes out typed, in the vendor's own words, without the token. *Which* type is
  decided here once (by status, or by the code a vendor puts in its body, see `Kind`); what
  is particular to one vendor (Polytomic's `sync_inactive`, Signalsmith's read-only token,
  Paragon's 409 "already disabled") is that vendor's `vendor_error`.

What stays in each vendor module is that vendor's rules: paths and headers, envelopes, what a
write means and how its lost answer is settled, and how its error bodies read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from synctui.domain import errors
from synctui.domain.merge_patch import json_equal
from synctui.domain.models import Sync, WriteResult
from synctui.domain.validation import ValidationIssue
from synctui.vendors.base import Adapter, VendorModel
from synctui.vendors.http import op
from synctui.vendors.http_settings import parse_retry_after

MESSAGE_LIMIT = 300  # characters of a vendor's message kept in an error


class Kind(Enum):
    """What a refusal means, whichever status or body code the vendor used to say it."""

    AUTH = "auth"  # 401: the credential was rejected
    FORBIDDEN = "forbidden"  # 403: a valid credential, not allowed to do this
    NOT_FOUND = "not found"  # 404
    CONFLICT = "conflict"  # 409: the sync's state forbids it
    INVALID = "invalid"  # 400/422: the request itself was refused
    RATE_LIMITED = "rate limited"  # 429, still there after the transport's retries
    SERVER = "server"  # 5xx, still there after the retries the transport could safely make
    OTHER = "other"


# Tried in this order, each matched by its statuses or by a body code (`code_kinds`); the first
# match wins, so a 409 whose body code says UNAUTHORIZED is an auth failure.
_STATUS_KINDS: tuple[tuple[Kind, frozenset[int]], ...] = (
    (Kind.AUTH, frozenset({401})),
    (Kind.FORBIDDEN, frozenset({403})),
    (Kind.NOT_FOUND, frozenset({404})),
    (Kind.CONFLICT, frozenset({409})),
    (Kind.INVALID, frozenset({400, 422})),
    (Kind.RATE_LIMITED, frozenset({429})),
)


@dataclass(frozen=True)
class Problem:
    """A vendor's error answer, read once; what the shared mapping and the vendor's own
    refinements (`vendor_error`) decide on."""

    status: int
    kind: Kind
    message: str  # the vendor's words: one line, token-free, at most MESSAGE_LIMIT characters
    code: str = ""  # the vendor's machine-readable key or code, if its body has one
    metadata: dict[str, Any] = field(default_factory=dict)  # anything else the vendor needs
    retry_after: float | None = None  # seconds, from a Retry-After header


MAX_ID_LENGTH = 1000  # far beyond any vendor's ids; httpx refuses URLs over 64 KB outright


def id_segment(sync_id: Any, title: str) -> str:
    """A sync id as exactly one path segment under the syncs collection, or a UsageError.

    The id comes from the user or from the vendor's own JSON, and either may be odd. Quoting
    keeps `/`, `?` and `#` inside the segment, but `.` and `..` are left as they are and
    httpx resolves them: `DELETE /api/syncs/..` would be sent as `DELETE /api`. A lone
    surrogate cannot be quoted at all, and a huge id is not a URL httpx will build.
    """
    text = sync_id.strip() if isinstance(sync_id, str) else ""
    if not text:
        raise errors.UsageError(f"a {title} sync id cannot be empty")
    shown = text if len(text) <= 40 else text[:39] + "…"
    if text in (".", "..") or len(text) > MAX_ID_LENGTH:
        raise errors.UsageError(f"{shown!r} cannot be a {title} sync id")
    try:
        return quote(text, safe="")
    except UnicodeEncodeError:  # a lone surrogate, from a vendor's JSON or a shell
        raise errors.UsageError(f"{shown!r} cannot be a {title} sync id") from None


def json_or_none(response: httpx.Response) -> Any:
    """The body's JSON, or None: an error body is read for its words, never required."""
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None


class RestAdapter(Adapter):
    """An adapter whose vendor speaks JSON over REST, through one lazily opened client.

    A subclass names the vendor (`vendor_title`), says where a sync lives (`sync_path`), how
    its error bodies read (`read_problem`) and, where it has any, its special cases
    (`vendor_error`, `issues_for`, `field_of`, `client_headers`).
    """

    vendor_title: ClassVar[str] = ""  # the vendor's name as messages write it ("Polytomic")
    # Said by the 429 error after the vendor's name, e.g. the documented limits.
    rate_limit_note: ClassVar[str] = ""
    # Body codes that say what a refusal is whatever its status (Paragon's "FORBIDDEN").
    code_kinds: ClassVar[dict[str, Kind]] = {}
    # The credential as the user knows it, for a 401 ("rejected the token"), and what the 401's
    # hint asks to check or replace (None: the same words).
    credential: str = "token"
    credential_hint: str | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._client: httpx.AsyncClient | None = None

    # --- the client -----------------------------------------------------------------------
    def client_headers(self) -> dict[str, str]:
        """Headers every request of this account carries besides User-Agent and auth."""
        return {"Accept": "application/json"}

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = self.http_client(self.client_headers())
        return self._client

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
        await super().aclose()

    def sync_path(self, sync_id: str, suffix: str = "") -> str:
        """The path of one sync (plus `suffix`); refuses an empty id before anything is sent."""
        raise NotImplementedError

    # --- requests and answers -------------------------------------------------------------
    async def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        write: bool = False,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """One request through the shared policy; any failure comes out typed and token-free.

        `write=True` marks it non-idempotent, so the transport never resends it once it may
        have arrived: a lost answer reaches the caller, whose `confirm_or_retry` reads before
        sending again. A write that is safe to resend says so another way (Polytomic's
        `Idempotency-Key`) and is then left to the transport.
        """
        if body is not None:
            headers = {"Content-Type": "application/json", **(headers or {})}
        try:
            response = await self._http().request(
                method,
                path,
                params=params,
                json=body,
                headers=headers,
                extensions=op(path, idempotent=False) if write else None,
            )
        except httpx.HTTPError as exc:
            raise self.network_error(exc) from None
        if response.status_code >= 400:
            raise self.error_for(response)
        return response

    def unreadable(self, what: str) -> errors.VendorError:
        """`status=None` on purpose: after a write it means "outcome open", see the module."""
        return errors.VendorError(
            f"{self.account.name}: unreadable answer from {self.vendor_title} ({what})",
            status=None,
        )

    def read_json(self, response: httpx.Response, what: str) -> Any:
        """The answer's JSON; unreadable → `unreadable(what)`."""
        try:
            return response.json()
        except (ValueError, UnicodeDecodeError):
            raise self.unreadable(what) from None

    def read_object(self, response: httpx.Response, what: str) -> dict[str, Any]:
        """The answer as one vendor object (a JSON object with a string `id`), or unreadable:
        a write is never reported as done on an answer that does not say what was written."""
        data = self.read_json(response, what)
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise self.unreadable(what)
        return data

    # --- reads and writes every REST vendor has -------------------------------------------
    async def read_raw(self, sync_id: str) -> dict[str, Any]:
        """The sync exactly as the vendor sent it (writes are built from this, not a model)."""
        return self.read_object(await self.request("GET", self.sync_path(sync_id)), "sync")

    async def get_or_none(self, sync_id: str) -> Sync | None:
        """After a write: the sync if it can be read (a failed read is not a failed write)."""
        try:
            return await self.get_sync(sync_id)
        except errors.SyncTuiError:
            return None

    async def delete_verified(self, sync_id: str) -> WriteResult:
        """DELETE, never resent blind: a lost answer is settled by whether the sync can still be
        read (NotFound: it is gone; still there: the DELETE did not land and is sent again)."""
        path = self.sync_path(sync_id)

        async def send() -> dict[str, Any]:
            await self.request("DELETE", path, write=True)
            return {}

        async def verify() -> dict[str, Any] | None:
            try:
                await self.read_raw(sync_id)
            except errors.NotFound:
                return {}
            return None

        await self.confirm_or_retry(send, verify)
        return WriteResult(message="deleted")

    # --- editing preambles ----------------------------------------------------------------
    def require_readable(self, model: type[VendorModel], sync: Sync) -> None:
        """Refuse to edit a sync that did not parse as `model` when loaded: it is shown, but a
        write built from fields synctui could not read might send them back wrong."""
        try:
            model.model_validate(sync.raw)
        except ValidationError:
            raise errors.VendorError(
                f"{self.account.name}: {sync.id} was not readable when loaded; "
                "reload it before changing it"
            ) from None

    def refuse_if_moved(
        self, sync_id: str, body: dict[str, Any], before: dict[str, Any], fresh: dict[str, Any]
    ) -> None:
        """For a partial write (only `body`'s fields are sent): refuse, sending nothing, if one
        of those fields changed on the server since it was loaded (`before`), unless it already
        holds the value being sent. A change to a field not sent is no conflict: the write
        leaves it alone."""
        moved = [
            key
            for key, value in body.items()
            if not json_equal(fresh.get(key), before.get(key))
            and not json_equal(fresh.get(key), value)
        ]
        if moved:
            raise errors.Conflict(
                f"{self.account.name}: {', '.join(moved)} of {sync_id} changed on the server "
                "since you loaded it; nothing was sent",
                hint="reload it and edit again",
            )

    # --- errors ---------------------------------------------------------------------------
    def read_problem(self, response: httpx.Response) -> Problem:
        """Read the vendor's error body (its shape is the vendor's): build it with `problem`."""
        raise NotImplementedError

    def problem(
        self,
        response: httpx.Response,
        text: Any,
        code: str = "",
        metadata: dict[str, Any] | None = None,
    ) -> Problem:
        """A Problem from the vendor's words: redacted (error bodies can echo what we sent),
        then folded to one line and cut short; its kind from the status or, first, the code."""
        status = response.status_code
        by_code = self.code_kinds.get(code)
        kind = next(
            (k for k, statuses in _STATUS_KINDS if status in statuses or by_code is k),
            Kind.SERVER if status >= 500 else Kind.OTHER,
        )
        return Problem(
            status=status,
            kind=kind,
            message=self.redact(text, MESSAGE_LIMIT),
            code=code,
            metadata=metadata or {},
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )

    def vendor_error(self, problem: Problem) -> errors.SyncTuiError | None:
        """The vendor's special cases, or None for the shared mapping (`generic_error`)."""
        return None

    def issues_for(self, problem: Problem) -> list[ValidationIssue]:
        """A 400/422 as validation issues: by default one, naming the field it is about."""
        return [ValidationIssue(self.field_of(problem.message), problem.message)]

    def field_of(self, message: str) -> str:
        """The field a vendor's validation message is about ('' when it cannot be told)."""
        return ""

    def error_for(self, response: httpx.Response) -> errors.SyncTuiError:
        """A 4xx/5xx answer → a typed error a person can act on."""
        problem = self.read_problem(response)
        special = self.vendor_error(problem)
        return special if special is not None else self.generic_error(problem)

    def generic_error(self, problem: Problem) -> errors.SyncTuiError:
        """The mapping every REST vendor shares, in its own name and words."""
        name, title, message = self.account.name, self.vendor_title, problem.message
        status = problem.status
        match problem.kind:
            case Kind.AUTH:
                what = self.credential_hint or self.credential
                return errors.AuthError(
                    f"{name}: {title} rejected the {self.credential} ({message})",
                    hint=f"check or replace this account's {what}",
                )
            case Kind.FORBIDDEN:
                return errors.PermissionDenied(f"{name}: not allowed by {title} ({message})")
            case Kind.NOT_FOUND:
                return errors.NotFound(f"{name}: {message}")
            case Kind.CONFLICT:
                return errors.InvalidState(f"{name}: {title} refused: {message}")
            case Kind.INVALID:
                return errors.ValidationFailed(
                    f"{name}: {title} refused the request: {message}", self.issues_for(problem)
                )
            case Kind.RATE_LIMITED:
                return errors.RateLimited(
                    f"{name}: rate limited by {title}{self.rate_limit_note}; try again shortly",
                    retry_after=problem.retry_after,
                )
            case Kind.SERVER:
                return errors.VendorError(f"{name}: {title} failed ({status}); try again", status)
        return errors.VendorError(f"{name}: {title} answered {status}: {message}", status)
