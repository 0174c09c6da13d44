"""The service layer both faces (CLI and TUI) stand on.

A `Session` owns the accounts, one adapter per account, the API call log and the journal.
Every write goes through `Session.write`, the one path that refuses writes in read-only mode,
journals the intent *before* sending and the outcome after, and maps failures to typed errors.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from synctui.domain import errors
from synctui.domain.models import Capability, Run, Sync, WritePlan, WriteResult
from synctui.services.pacing import pacer_for
from synctui.store.accounts import Account
from synctui.vendors.base import Adapter
from synctui.vendors.http import CallLog, RetrySettings
from synctui.vendors.registry import adapter_class

T = TypeVar("T")

TokenProvider = Callable[[Account], str | None]


@dataclass
class SessionOptions:
    readonly: bool = False
    max_concurrency: int = 6
    retry: RetrySettings | None = None
    journal_enabled: bool = True
    journal_path: Path | None = None  # None: the user's journal in the data dir


@dataclass
class Session:
    """Accounts + adapters + call log + journal for one run of synctui."""

    accounts: list[Account]
    token_for: TokenProvider
    options: SessionOptions = field(default_factory=SessionOptions)
    call_log: CallLog = field(default_factory=CallLog)
    on_retry: Callable[[str, str], None] | None = None  # (account, message)
    _adapters: dict[str, Adapter] = field(default_factory=dict)
    _journal: Any = None

    # --- accounts and adapters ----------------------------------------------------------
    @property
    def readonly(self) -> bool:
        return self.options.readonly

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
        cls = adapter_class(account.vendor)
        adapter = cls(
            account,
            token,
            call_log=self.call_log,
            retry=self.options.retry,
            max_concurrency=self.options.max_concurrency,
            on_retry=(lambda msg, n=name: self.on_retry(n, msg)) if self.on_retry else None,
        )
        self._adapters[name] = adapter
        pacer_for(adapter)  # hears the account's requests from the first (services.pacing)
        return adapter

    def forget(self, name: str) -> None:
        """Drop a cached adapter (account edited or removed)."""
        adapter = self._adapters.pop(name, None)
        if adapter is not None:
            _close_soon(adapter)

    def capabilities(self, name: str) -> frozenset[Capability]:
        return adapter_class(self.account(name).vendor).capabilities

    async def aclose(self) -> None:
        adapters, self._adapters = list(self._adapters.values()), {}
        for adapter in adapters:
            await adapter.aclose()

    @property
    def journal(self) -> Any:
        if self._journal is None and self.options.journal_enabled:
            from synctui.store.journal import Journal

            self._journal = Journal(self.options.journal_path)
        return self._journal

    # --- reads ----------------------------------------------------------------------------
    async def guard(self, call: Awaitable[T]) -> T:
        """Await a vendor call, turning any stray failure into a typed, readable error."""
        try:
            return await call
        except errors.SyncTuiError:
            raise
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise errors.VendorError(
                f"unexpected failure: {exc.__class__.__name__}: {exc}"
            ) from exc

    async def get_sync(self, account: str, sync_id: str) -> Sync:
        return await self.guard(self.adapter(account).get_sync(sync_id))

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
            return WriteResult(message="nothing to change", sync=sync)
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
            return WriteResult(message="created", sync=created)

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
        before: Any = None,
        after: Any = None,
        request: Any = None,
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
            # Synchronous on purpose: a few milliseconds, and with no await between the
            # intent and the outcome no cancellation can strand an entry as pending.
            entry_id = journal.begin(
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

        def finish(outcome: str, **details: Any) -> None:
            if journal is not None and entry_id is not None:
                journal.finish(entry_id, outcome, **details)

        try:
            result = await self.guard(send())
        except errors.OutcomeUnknown as exc:
            finish("unknown", error=str(exc))
            raise
        except errors.SyncTuiError as exc:
            finish("failed", error=str(exc))
            raise
        except asyncio.CancelledError:
            finish("unknown", error="cancelled while sending")
            raise
        summary: dict[str, Any] = {"message": result.message, "pending": result.pending}
        if result.run is not None:
            summary["run"] = result.run.id
        extra: dict[str, Any] = {}
        if action == "create" and result.sync is not None:
            extra["sync_id"] = result.sync.id  # the id exists only once the vendor made it
        finish("ok", result=summary, **extra)
        return result


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
