"""The service layer both faces (CLI and TUI) stand on.

A `Session` owns the accounts, one adapter per account, the API call log and the journal.
Every write goes through `Session.write`, the one path that refuses writes in read-only mode,
journals the intent *before* sending and the outcome after, and maps failures to typed errors.
Every error that leaves the session, and every error text it journals, has been through the
redactor that knows every token the session handed to an adapter (in all its echoed forms).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from synctui.domain import errors
from synctui.domain.capabilities import Capability
from synctui.services.detail import SyncDetail, read_detail, read_sync
from synctui.store.accounts import Account
from synctui.vendors.http_settings import CallLog, Limits, MiB, RetrySettings
from synctui.vendors.redaction import Redactor
from synctui.vendors.registry import adapter_class, capabilities_of

if TYPE_CHECKING:  # at run time the journal (and sqlite3) is imported when first used
    from synctui.domain.models import Run, Sync, WritePlan, WriteResult
    from synctui.store.journal import FinalOutcome, Journal
    from synctui.vendors.base import Adapter

T = TypeVar("T")

TokenProvider = Callable[[Account], str | None]
# The one clock of a run: what "now" is for ages, next runs and the attention view.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The wall clock in UTC (vendors run schedules in UTC)."""
    return datetime.now(UTC)


class CancelledBeforeSending(asyncio.CancelledError):
    """A write cancelled before any of it was sent (journaled as skipped, not unknown)."""


class NetworkSettings(Protocol):
    """The `[network]` settings, as `synctui.settings.Settings` holds them."""

    max_body_mb: float
    request_seconds: float
    max_pages: int
    retry_attempts: int
    max_retry_wait_seconds: float


@dataclass
class SessionOptions:
    readonly: bool = False
    max_concurrency: int = 6
    retry: RetrySettings | None = None
    limits: Limits | None = None
    journal_enabled: bool = True
    journal_path: Path | None = None  # None: the user's journal in the data dir
    # Told (attempt, message) each time the journal waited in vain for another writer's lock.
    on_journal_busy: Callable[[int, str], None] | None = None
    # What "now" is for this run; a frozen demo pins it (services.opening).
    clock: Clock = utc_now


def network_options(settings: NetworkSettings) -> tuple[Limits, RetrySettings]:
    """The limits and retry policy a user's settings (`[network]`) ask for."""
    limits = Limits(
        max_body_bytes=max(1, int(settings.max_body_mb * MiB)),
        request_seconds=settings.request_seconds,
        max_pages=settings.max_pages,
    )
    retry = RetrySettings(
        attempts=settings.retry_attempts, max_retry_after=settings.max_retry_wait_seconds
    )
    return limits, retry


@dataclass
class Session:
    """Accounts + adapters + call log + journal for one run of synctui."""

    accounts: list[Account]
    token_for: TokenProvider
    options: SessionOptions = field(default_factory=SessionOptions)
    call_log: CallLog = field(default_factory=CallLog)
    on_retry: Callable[[str, str], None] | None = None  # (account, message)
    redact: Redactor = field(default_factory=Redactor)  # every token handed out so far
    _adapters: dict[str, Adapter] = field(default_factory=dict)
    _journal: Journal | None = None
    _retry_listeners: list[Callable[[str, str], None]] = field(default_factory=list)

    def subscribe_retries(self, listener: Callable[[str, str], None]) -> Callable[[], None]:
        """Hear (account, message) each time the HTTP policy waits to send again, besides
        `on_retry`; returns the unsubscribe. A face listens without replacing the hook."""
        self._retry_listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._retry_listeners:
                self._retry_listeners.remove(listener)

        return unsubscribe

    def _retrying(self, account: str, message: str) -> None:
        if self.on_retry is not None:
            self.on_retry(account, message)
        for listener in list(self._retry_listeners):
            listener(account, message)

    # --- accounts and adapters ----------------------------------------------------------
    @property
    def readonly(self) -> bool:
        return self.options.readonly

    @property
    def clock(self) -> Clock:
        return self.options.clock

    def account(self, name: str) -> Account:
        for account in self.accounts:
            if account.name == name:
                return account
        known = ", ".join(a.name for a in self.accounts) or "none yet"
        raise errors.UsageError(f"no account named {name!r} (accounts: {known})")

    def adapter(self, name: str) -> Adapter:
        if name in self._adapters:
            return self._adapters[name]
        account = self.account(name)
        token = self.token_for(account)
        if not token:
            raise errors.AuthError(
                f"no token for account {name!r}",
                hint=f"set {account.token_env_var} or run: synctui accounts add {name} "
                f"--vendor {account.vendor} --url {account.base_url} --token-stdin",
            )
        self.redact.add(token)
        cls = adapter_class(account.vendor)
        adapter = cls(
            account,
            token,
            call_log=self.call_log,
            retry=self.options.retry,
            limits=self.options.limits,
            max_concurrency=self.options.max_concurrency,
            on_retry=partial(self._retrying, name),
        )
        self._adapters[name] = adapter
        # Imported with the first adapter, as the adapter's own modules are: the TUI's
        # first frame builds a session and no adapter, and goes without both.
        from synctui.services.pacing import pacer_for

        pacer_for(adapter)  # hears the account's requests from the first (services.pacing)
        return adapter

    def forget(self, name: str) -> None:
        """Drop a cached adapter (account edited or removed)."""
        adapter = self._adapters.pop(name, None)
        if adapter is not None:
            _close_soon(adapter)

    def capabilities(self, name: str) -> frozenset[Capability]:
        return capabilities_of(self.account(name).vendor)

    async def aclose(self) -> None:
        adapters, self._adapters = list(self._adapters.values()), {}
        for adapter in adapters:
            await adapter.aclose()
        if self._journal is not None:
            await asyncio.to_thread(self._journal.close)

    @property
    def journal(self) -> Journal | None:
        if self._journal is None and self.options.journal_enabled:
            from synctui.store.journal import Journal

            self._journal = Journal(self.options.journal_path, on_busy=self.options.on_journal_busy)
        return self._journal

    # --- reads ----------------------------------------------------------------------------
    async def guard(self, call: Awaitable[T]) -> T:
        """Await a vendor call, turning any stray failure into a typed, readable error, and
        any error's text into one without a token."""
        try:
            return await call
        except errors.SyncTuiError as exc:
            self.redacted(exc)
            raise
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise errors.VendorError(
                self.redact(f"unexpected failure: {exc.__class__.__name__}: {exc}")
            ) from exc

    def redacted(self, exc: errors.SyncTuiError) -> errors.SyncTuiError:
        """The same error, its message and hint redacted (in place: its type is kept)."""
        message = self.redact(exc.message, None)
        hint = self.redact(exc.hint, None) if exc.hint else exc.hint
        if message != exc.message or hint != exc.hint:
            exc.message, exc.hint = message, hint
            exc.args = (message, *exc.args[1:])
        return exc

    async def get_sync(self, account: str, sync_id: str) -> Sync:
        """The whole sync or a failure: what a write is planned and checked against."""
        return await self.guard(self.adapter(account).get_sync(sync_id))

    async def show_sync(self, account: str, sync_id: str) -> Sync:
        """The sync for display: a secondary read that fails leaves its part marked
        unavailable instead of failing the read (see services/detail.py)."""
        return await read_sync(self.adapter(account), sync_id, self.guard)

    async def detail(self, account: str, sync_id: str, *, runs: int = 0) -> SyncDetail:
        """`show_sync` and, for vendors that keep runs, up to `runs` recent ones."""
        return await read_detail(self.adapter(account), sync_id, self.guard, runs=runs)

    async def list_runs(self, account: str, sync_id: str, limit: int = 20) -> list[Run]:
        return await self.guard(self.adapter(account).list_runs(sync_id, limit))

    # --- writes: the one path -------------------------------------------------------------
    def refuse_if_readonly(self, what: str) -> None:
        if self.readonly:
            raise errors.ReadOnlyError(f"read-only mode: {what} refused")

    async def plan_update(
        self, account: str, sync: Sync, patch: dict[str, Any], *, trigger_now: bool = False
    ) -> WritePlan:
        return await self.guard(
            self.adapter(account).plan_update(sync, patch, trigger_now=trigger_now)
        )

    async def apply_plan(
        self,
        plan: WritePlan,
        *,
        batch_id: str | None = None,
        action: str = "update",
        reverts: int | None = None,
    ) -> WriteResult:
        adapter = self.adapter(plan.account)
        request = [r.model_dump() for r in plan.requests]
        return await self.write(
            plan.account,
            plan.sync_id,
            action,
            lambda: adapter.apply(plan),
            before=plan.before,
            after=plan.after,
            request=request,
            batch_id=batch_id,
            reverts=reverts,
        )

    async def update(
        self,
        account: str,
        sync_id: str,
        patch: dict[str, Any],
        *,
        trigger_now: bool = False,
        loaded: Sync | None = None,
    ) -> WriteResult:
        self.refuse_if_readonly("update")
        sync = loaded or await self.get_sync(account, sync_id)
        plan = await self.plan_update(account, sync, patch, trigger_now=trigger_now)
        if plan.empty:
            return _result(message="nothing to change", sync=sync)
        return await self.apply_plan(plan)

    async def set_active(
        self,
        account: str,
        sync_id: str,
        active: bool,
        *,
        action: str | None = None,
        reverts: int | None = None,
    ) -> WriteResult:
        adapter = self.adapter(account)
        return await self.write(
            account,
            sync_id,
            action or ("resume" if active else "pause"),
            lambda: adapter.set_active(sync_id, active),
            request={"active": active},
            reverts=reverts,
        )

    async def trigger(self, account: str, sync_id: str) -> WriteResult:
        adapter = self.adapter(account)
        return await self.write(account, sync_id, "trigger", lambda: adapter.trigger(sync_id))

    async def migrate(self, account: str, sync_id: str) -> WriteResult:
        adapter = self.adapter(account)
        return await self.write(account, sync_id, "migrate", lambda: adapter.migrate(sync_id))

    async def delete(self, account: str, sync_id: str) -> WriteResult:
        adapter = self.adapter(account)
        return await self.write(account, sync_id, "delete", lambda: adapter.delete(sync_id))

    async def create(self, account: str, body: dict[str, Any]) -> Sync:
        adapter = self.adapter(account)

        async def send() -> WriteResult:
            created = await adapter.create(body)
            return _result(message="created", sync=created)

        result = await self.write(account, "", "create", send, after=body, request=body)
        assert result.sync is not None
        return result.sync

    async def write(
        self,
        account: str,
        sync_id: str,
        action: str,
        send: Callable[[], Awaitable[WriteResult]],
        *,
        before: object = None,
        after: object = None,
        request: object = None,
        batch_id: str | None = None,
        reverts: int | None = None,
    ) -> WriteResult:
        """Read-only check, journal intent, send, journal outcome. Nothing bypasses this.

        `reverts` names the journal entry this write undoes (recorded with the new entry).
        """
        self.refuse_if_readonly(action)
        vendor = self.account(account).vendor
        journal = self.journal
        entry_id = None
        if journal is not None:
            # Committed by the journal's writer thread (with the other writes in flight;
            # another process's lock may make it wait), and awaited to the end even through
            # a cancellation, so an intent is never half-recorded and never skipped.
            entry_id, cancelled = await _to_the_end(
                journal.begin_soon,
                account,
                vendor,
                sync_id,
                action,
                before,
                after,
                request,
                batch_id=batch_id,
                reverts=reverts,
            )
            if cancelled:  # nothing was sent: the entry says so
                await _to_the_end(
                    journal.finish_soon, entry_id, "skipped", error="cancelled before it was sent"
                )
                raise CancelledBeforeSending

        async def finish(outcome: FinalOutcome, **details: Any) -> str | None:
            """Record the outcome; the journal's error text if it could not (the write's
            own outcome stands either way: the vendor's answer is the truth)."""
            if journal is None or entry_id is None:
                return None
            try:
                _, cancelled = await _to_the_end(journal.finish_soon, entry_id, outcome, **details)
            except errors.SyncTuiError as exc:
                return str(exc)
            if cancelled:
                # Stopped while recording: the outcome is recorded and returned first, the
                # cancellation then takes effect at the caller's next await.
                task = asyncio.current_task()
                if task is not None:
                    task.cancel()
            return None

        try:
            result = await self.guard(send())
        except errors.OutcomeUnknown as exc:
            await finish("unknown", error=self.redact(str(exc), None))
            raise
        except errors.SyncTuiError as exc:
            await finish("failed", error=self.redact(str(exc), None))
            raise
        except asyncio.CancelledError:
            await finish("unknown", error="cancelled while sending")
            raise
        summary: dict[str, Any] = {
            "message": self.redact(result.message, None),
            "pending": result.pending,
        }
        if result.run is not None:
            summary["run"] = result.run.id
        extra: dict[str, Any] = {}
        if action == "create" and result.sync is not None:
            extra["sync_id"] = result.sync.id  # the id exists only once the vendor made it
        problem = await finish("ok", result=summary, **extra)
        if problem is not None:
            # Applied by the vendor: a success, whatever the journal says. Never report it
            # as failed (a retry would send it again); say what the journal is missing.
            note = f"{result.message} (not recorded in the journal: {problem})"
            return result.model_copy(update={"message": note})
        return result


async def _to_the_end(
    submit: Callable[..., concurrent.futures.Future[T]], *args: Any, **kwargs: Any
) -> tuple[T, bool]:
    """Hand a journal write over and wait for its commit even if cancelled meanwhile.

    Returns (its result, whether a cancellation arrived while waiting): the caller decides
    what the cancellation means once the write is done. If the write failed, its exception
    propagates, and a cancellation that arrived meanwhile is requested again so that it
    still takes effect at the caller's next await.
    """
    future = asyncio.wrap_future(submit(*args, **kwargs))
    cancelled = False
    while not future.done():
        try:
            await asyncio.shield(future)
        except asyncio.CancelledError:
            cancelled = True  # ours: nothing else can cancel the shielded write
        except BaseException:
            pass  # the write's own failure, raised from the future below
    if cancelled and future.exception() is not None:
        task = asyncio.current_task()
        if task is not None:
            task.cancel()
    return future.result(), cancelled


def new_batch_id() -> str:
    return uuid.uuid4().hex[:12]


_closing: set[asyncio.Task[None]] = set()


def _close_soon(adapter: Adapter) -> None:
    """Close a dropped adapter in the background (keeping a reference until it is done)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    task = loop.create_task(adapter.aclose())
    _closing.add(task)
    task.add_done_callback(_closing.discard)


def _result(message: str, sync: Sync) -> WriteResult:
    """A write's result built here, not by an adapter. The models (pydantic) are imported
    by the adapters, which a write has loaded already; the module does not import them, so
    a TUI's first frame, which builds a session and never a model, goes without them."""
    from synctui.domain.models import WriteResult

    return WriteResult(message=message, sync=sync)
