"""The adapter contract every vendor module fulfils, and the plumbing they share.

An adapter speaks one vendor's wire protocol and returns domain objects. It never imports
Textual and never decides policy (read-only mode, journaling, batching): the services layer
does that once for every vendor, so the CLI and the TUI cannot drift apart.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, ClassVar, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from synctui.domain import errors
from synctui.domain.merge_patch import MergePatchError, require_object_patch
from synctui.domain.models import (
    Capability,
    ChangePage,
    PlannedRequest,
    Run,
    RunState,
    Sync,
    SyncStatus,
    WritePlan,
    WriteResult,
)
from synctui.domain.pacing import WritePacing
from synctui.domain.validation import ValidationIssue
from synctui.store.accounts import Account
from synctui.vendors.http import (
    DEFAULT_TIMEOUT,
    BodyTooLarge,
    CallLog,
    DeadlineExceeded,
    Limits,
    NotSent,
    PolicyTransport,
    Redactor,
    RetrySettings,
    UncertainOutcome,
    mask_headers,
)
from synctui.vendors.paging import PageGuard
from synctui.vendors.rules import NEUTRAL, VendorRules

USER_AGENT = "synctui"
T = TypeVar("T")


class VendorModel(BaseModel):
    """A vendor's JSON object, as far as synctui reads it.

    Unknown fields are kept (`extra="allow"`) and enums are declared as plain `str`: a field or
    value the vendor adds later must show up as the vendor wrote it, never fail a list. Models
    only read; a write is built from the vendor's own JSON (`Sync.raw`), so a field a model
    does not declare can never be dropped by a write. Each builds its validator on first
    use (`defer_build`): an adapter is imported for its capabilities before any page.
    """

    model_config = ConfigDict(extra="allow", defer_build=True)


# Statuses a write can get *after* the vendor applied it: a gateway or limiter behind the
# part that did the work lost or replaced the answer (None: no readable answer at all).
OPEN_STATUSES = frozenset({None, 429, 500, 502, 503, 504})


def outcome_open(failure: errors.SyncTuiError) -> bool:
    """Could the write that failed like this have been applied anyway?"""
    if isinstance(failure, errors.OutcomeUnknown | errors.RateLimited):
        return True
    return isinstance(failure, errors.VendorError) and failure.status in OPEN_STATUSES


def _unknown(failure: errors.SyncTuiError) -> errors.OutcomeUnknown:
    """A write's failure whose outcome could not be checked, said as what it is."""
    if isinstance(failure, errors.OutcomeUnknown):
        return failure
    return errors.OutcomeUnknown(
        f"{failure.message}; it may or may not have been applied (checking failed too)",
        hint="reload the sync to see its current state",
    )


class PlanDraft:
    """A write plan while `plan_update` builds it: the edit, the requests in the order they
    go, and what they do in words ("PUT 2 fields", "trigger now"); `write_plan` ends it."""

    def __init__(
        self, sync: Sync, patch: dict[str, Any], before: dict[str, Any], after: dict[str, Any]
    ) -> None:
        self.sync = sync
        self.patch = patch
        self.before = before
        self.after = after
        self.requests: list[PlannedRequest] = []
        self.summary: list[str] = []

    def summary_text(self) -> str:
        """The parts as they read in a preview: "A + B", or "no changes"."""
        return " + ".join(self.summary) or "no changes"


class Adapter:
    """Base class: one instance per account, holding one pooled HTTP client."""

    vendor: ClassVar[str] = ""
    rules: ClassVar[VendorRules] = NEUTRAL  # what the vendor refuses, known without a session
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    feeds: ClassVar[tuple[str, ...]] = ()  # change feeds, for vendors that have them
    # (key in Sync.columns, column title) in table order; the TUI shows exactly these.
    table_columns: ClassVar[tuple[tuple[str, str], ...]] = ()
    # How hard a batch may push one account: where it starts, its ceiling and the vendor's
    # documented rate limits (the batch adapts within these; see domain.pacing).
    write_pacing: ClassVar[WritePacing] = WritePacing()

    def __init__(
        self,
        account: Account,
        token: str,
        *,
        call_log: CallLog | None = None,
        retry: RetrySettings | None = None,
        limits: Limits | None = None,
        max_concurrency: int = 6,
        inner_transport: httpx.AsyncBaseTransport | None = None,
        on_retry: Callable[[str], None] | None = None,
    ) -> None:
        self.account = account
        self._token = token
        self.redact = Redactor([token])
        base = httpx.URL(account.base_url.rstrip("/"))
        self.transport = PolicyTransport(
            account=account.name,
            vendor=self.vendor,
            base_path=base.path,
            call_log=call_log,
            redactor=self.redact,
            max_concurrency=max_concurrency,
            retry=retry,
            limits=limits,
            inner=inner_transport,
            on_retry=on_retry,
        )
        self.base_url = str(base)
        self.limits = self.transport.limits

    # --- shared plumbing ----------------------------------------------------------------
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def masked(self, headers: dict[str, str]) -> dict[str, str]:
        return mask_headers(headers)

    def pages(self, what: str) -> PageGuard:
        """The stops of one page loop (repeated cursor, pages with nothing new, page cap)."""
        return PageGuard(
            self.account.name,
            self.rules.title or self.vendor,
            what,
            max_pages=self.limits.max_pages,
        )

    def http_client(self, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
        """A pooled client on the shared policy (the caller keeps and closes it)."""
        return httpx.AsyncClient(
            base_url=self.base_url,
            headers={"User-Agent": USER_AGENT, **self.auth_headers(), **(headers or {})},
            timeout=DEFAULT_TIMEOUT,
            transport=self.transport,
        )

    def network_error(self, exc: BaseException) -> errors.SyncTuiError:
        """Map a transport failure (possibly wrapped by gql) to a typed, token-free error."""
        seen: BaseException | None = exc
        while seen is not None:
            if isinstance(seen, UncertainOutcome):
                return errors.OutcomeUnknown(
                    f"{self.account.name}: the request was sent but {self.redact(str(seen))}; "
                    "it may or may not have been applied",
                    hint="reload the sync to see its current state",
                )
            if isinstance(seen, NotSent | DeadlineExceeded):
                return errors.NetworkError(f"{self.account.name}: {self.redact(str(seen))}")
            if isinstance(seen, BodyTooLarge):
                return errors.VendorError(
                    f"{self.account.name}: {self.redact(str(seen))}",
                    hint="raise network.max_body_mb in settings.toml if this answer is expected",
                )
            if isinstance(seen, httpx.TimeoutException):
                return errors.NetworkError(
                    f"{self.account.name}: the vendor did not answer in time"
                )
            if isinstance(seen, httpx.TransportError):
                return errors.NetworkError(
                    f"{self.account.name}: network error ({seen.__class__.__name__})"
                )
            seen = seen.__cause__ or seen.__context__
        return errors.VendorError(f"{self.account.name}: {self.redact(str(exc))}")

    async def confirm_or_retry(
        self,
        send: Callable[[], Awaitable[T]],
        verify: Callable[[], Awaitable[T | None]],
        *,
        sends: int = 3,
    ) -> T:
        """Send a write; whenever its outcome is unknown, look before sending it again.

        A write whose answer was lost (dropped connection, 429, 500, 502, 503, 504, an
        unreadable body, a deadline or size limit hit) may or may not have been applied: a
        gateway or rate limiter can answer after the vendor did the work. Re-sending blindly
        could apply it twice (a second run triggered, a second journal-worthy change), so
        `verify` reads the vendor's state: it returns the result if the write is visibly
        applied, or None if it visibly is not, in which case the write is sent again after a
        bounded wait (the vendor's Retry-After, capped) — at most `sends` times in all. Every
        open outcome is verified, the last one included: a write that failed that way is
        reported as failed only once the vendor visibly does not have it. If verification
        itself fails, the write is reported as `OutcomeUnknown`, never as a plain failure.
        """
        failure: errors.SyncTuiError | None = None
        attempt = 0
        while True:
            attempt += 1
            try:
                return await send()
            except errors.SyncTuiError as exc:
                if not outcome_open(exc):
                    raise
                failure = exc
            try:
                confirmed = await verify()
            except errors.SyncTuiError:
                raise _unknown(failure) from None
            if confirmed is not None:
                return confirmed
            # A rate limit that visibly refused the write may take the policy's full number
            # of tries, as a read would; anything else is sent at most `sends` times.
            limited = isinstance(failure, errors.RateLimited)
            tries = max(sends, self.transport.retry.attempts) if limited else sends
            if attempt >= max(1, tries):
                break
            retry_after = getattr(failure, "retry_after", None)
            await self.transport.pause(
                retry_after if isinstance(retry_after, int | float) else None,
                attempt,
                f"{failure.message}; not applied",
            )
        assert failure is not None
        raise failure  # sent as often as allowed, and each time visibly not applied

    def write_plan(
        self, draft: PlanDraft, *, trigger_now: bool = False, **payload: Any
    ) -> WritePlan:
        """What `plan_update` returns: the edit, the exact requests, and what `apply` needs."""
        return WritePlan(
            account=self.account.name,
            vendor=self.vendor,
            sync_id=draft.sync.id,
            patch=draft.patch,
            before=draft.before,
            after=draft.after,
            summary=draft.summary_text(),
            requests=draft.requests,
            trigger_now=trigger_now,
            payload=payload,
        )

    def own_patch(self, sync: Sync, patch: Any) -> dict[str, Any]:
        """The patch, once it is known to be a JSON object for a sync of this account."""
        name = self.account.name
        if sync.account != name or sync.vendor != self.vendor:
            raise errors.UsageError(f"{sync.id} belongs to {sync.account}, not {name}")
        try:
            return require_object_patch(patch)
        except MergePatchError as exc:
            raise errors.ValidationFailed(
                f"{name}: {exc}", [ValidationIssue("", str(exc))]
            ) from None

    def own_plan(self, plan: WritePlan) -> None:
        """Refuse a plan made by another account's adapter: its requests name other syncs."""
        if plan.vendor != self.vendor or plan.account != self.account.name:
            raise errors.UsageError(f"this plan is for {plan.account}, not {self.account.name}")

    # --- the contract -------------------------------------------------------------------
    async def aclose(self) -> None:
        await self.transport.aclose()

    async def check(self) -> str:
        """One authenticated read; returns a short human description of what was seen."""
        raise errors.Unsupported(f"{self.vendor} cannot be checked")

    def iter_syncs(self) -> AsyncIterator[list[Sync]]:
        """Syncs page by page, so a table fills in as pages arrive."""
        raise errors.Unsupported(f"{self.vendor} has no syncs to list")

    async def list_syncs(self) -> list[Sync]:
        out: list[Sync] = []
        async for page in self.iter_syncs():
            out.extend(page)
        return out

    async def get_sync(self, sync_id: str) -> Sync:
        raise errors.Unsupported(f"{self.vendor} cannot show a sync")

    # A sync shown in full may take more than one read: its own record, then secondary reads
    # (Polytomic's /status, Signalsmith's latest run, Paragon's status). The services read
    # them apart, so that a failed secondary read leaves the sync shown with that part marked
    # unavailable (see services/detail.py); `get_sync` is the all-or-nothing read writes use.
    async def read_sync(self, sync_id: str) -> Sync:
        """The sync's own record, without the parts `side_reads` fills (default: get_sync)."""
        return await self.get_sync(sync_id)

    def side_reads(self, sync: Sync) -> dict[str, Callable[[], Awaitable[Any]]]:
        """The secondary reads that complete `sync` for display, by the part each fills."""
        return {}

    def with_parts(self, sync: Sync, parts: dict[str, Any]) -> Sync:
        """`sync` completed with what its secondary reads returned; a part missing from
        `parts` could not be read."""
        return sync

    def editable(self, sync: Sync) -> dict[str, Any]:
        """The document a merge patch applies to, in the vendor's own field names."""
        raise errors.Unsupported(f"{self.vendor} syncs cannot be edited")

    async def plan_update(
        self, sync: Sync, patch: dict[str, Any], *, trigger_now: bool = False
    ) -> WritePlan:
        """Validate and turn a merge patch into the exact request(s); sends no write."""
        raise errors.Unsupported(f"{self.vendor} syncs cannot be edited")

    async def apply(self, plan: WritePlan) -> WriteResult:
        """Send a plan made by plan_update."""
        raise errors.Unsupported(f"{self.vendor} syncs cannot be edited")

    async def set_active(self, sync_id: str, active: bool) -> WriteResult:
        raise errors.Unsupported(f"{self.vendor} syncs cannot be paused or resumed")

    async def trigger(self, sync_id: str) -> WriteResult:
        raise errors.Unsupported(f"{self.vendor} syncs cannot be triggered")

    async def list_runs(self, sync_id: str, limit: int = 20) -> list[Run]:
        raise errors.Unsupported(f"{self.vendor} has no run history")

    async def migrate(self, sync_id: str) -> WriteResult:
        raise errors.Unsupported(f"{self.vendor} has no legacy syncs to migrate")

    async def delete(self, sync_id: str) -> WriteResult:
        raise errors.Unsupported(f"{self.vendor} syncs cannot be deleted")

    async def create(self, body: dict[str, Any]) -> Sync:
        raise errors.Unsupported(f"{self.vendor} syncs cannot be created here")

    async def fetch_changes(self, feed: str, cursor: str | None) -> ChangePage:
        raise errors.Unsupported(f"{self.vendor} has no change feed")

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities


# --- reading a vendor's JSON: the helpers every parser shares ------------------------------
M = TypeVar("M", bound=BaseModel)


def read_model(model: type[M], item: Any) -> M | None:
    """`item` as the vendor's model, or None when it cannot be read (the caller leaves it out)."""
    try:
        return model.model_validate(item)
    except ValidationError:
        return None


def word_in(table: Mapping[str, T], word: Any, unknown: T) -> T:
    """A vendor's status word in our terms (any case, spaces around ignored), else `unknown`."""
    if not isinstance(word, str):
        return unknown
    return table.get(word.strip().lower(), unknown)


def synced_words(synced: int, failed: int, noun: str) -> str:
    """'5,420 records synced, 3 failed' (no "failed" part when none did)."""
    text = f"{synced:,} {noun}{'s' if synced != 1 else ''} synced"
    return f"{text}, {failed:,} failed" if failed else text


def timed_run(model: Any, item: Any, state: RunState, *, summary: str, error: str | None) -> Run:
    """A run from a model with the usual fields (`id`, `status`, `created_at`, `started_at`,
    `completed_at`), keeping the vendor's JSON."""
    return Run(
        id=model.id,
        state=state,
        vendor_status=model.status or "",
        created_at=model.created_at,
        started_at=model.started_at,
        finished_at=model.completed_at,
        summary=summary,
        error=error,
        raw=item,
    )


def short_when(value: Any) -> str:
    """'2026-05-06T14:55:00.000Z' → '2026-05-06 14:55'; anything else as text."""
    if not isinstance(value, str) or not value:
        return ""
    if len(value) >= 16 and value[10] in "T ":
        return f"{value[:10]} {value[11:16]}"
    return value


def unreadable_sync(
    item: Any,
    exc: Exception,
    *,
    account: str,
    vendor: str,
    title: str,
    name_key: str = "name",
    updated_key: str = "updated_at",
    id_prefix: str = "",
    columns: dict[str, str] | None = None,
    complete: bool = False,
) -> Sync | None:
    """A row for a vendor item our model cannot read, so one bad item never hides a list.

    It keeps the vendor's JSON and says what could not be read; `editable` refuses it, so no
    write is ever built from it. Without an id it cannot be addressed and is left out (None).
    """
    ident = item.get("id") if isinstance(item, dict) else None
    if not isinstance(ident, str) or not ident:
        return None
    details = exc.errors()[:3] if hasattr(exc, "errors") else []
    problems = ", ".join(".".join(map(str, e["loc"])) or "item" for e in details) or "item"
    name = item.get(name_key)
    shown = name if isinstance(name, str) and name else ident
    updated = item.get(updated_key)
    return Sync(
        account=account,
        vendor=vendor,
        id=f"{id_prefix}{ident}",
        name=shown,
        status=SyncStatus.UNKNOWN,
        vendor_status="unreadable",
        status_reason=f"{title} sent a sync synctui cannot read ({problems})",
        columns=columns if columns is not None else {name_key: shown},
        updated_at=updated if isinstance(updated, str) else None,
        complete=complete,
        raw=item,
    )
