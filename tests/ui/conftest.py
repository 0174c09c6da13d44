"""Fixtures for the TUI tests: a session on the real sandbox, an app factory, a settle helper."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend

from synctui.sandbox.server import Sandbox
from synctui.services.demo import demo_accounts
from synctui.services.session import Session, SessionOptions
from synctui.ui.app import SyncTuiApp
from synctui.ui.catalog import LoadState
from synctui.vendors.http import RetrySettings


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in a dict, so tests never touch (or need) a real one."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def sandbox_session(sandbox: Sandbox, *, readonly: bool = False, **kw: Any) -> Session:
    """The demo accounts for this sandbox; one attempt per call so faults surface at once."""
    accounts, tokens = demo_accounts(sandbox.info())
    options = SessionOptions(
        readonly=readonly, retry=RetrySettings(attempts=1), journal_enabled=False
    )
    session = Session(accounts, lambda a: tokens.get(a.name), options, **kw)
    session.demo_tokens = tokens  # type: ignore[attr-defined]
    return session


@pytest.fixture
def session(sandbox: Sandbox) -> Session:
    return sandbox_session(sandbox)


def make_app(session: Session, **kw: Any) -> SyncTuiApp:
    kw.setdefault("refresh_seconds", 0)
    kw.setdefault("demo_names", frozenset(a.name for a in session.accounts))
    return SyncTuiApp(session, **kw)


SETTLE_ROUNDS = 200


async def settle(pilot: Any) -> None:
    """Wait for a state that can be named: the app `settled` (every account of the view
    loaded, the table's view rebuilt), no worker running, every posted message handled; then
    one more round so that state is painted. Never for an amount of time: a machine under
    load takes more rounds, not a different path. The bound only turns a hang into an error.
    """
    from textual.worker import WorkerCancelled

    app = pilot.app
    for _ in range(SETTLE_ROUNDS):
        # A worker cancelled on purpose (its screen was dismissed, an exclusive worker was
        # superseded) has finished too: that is settled, not an error.
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause()
        loading = app.catalog.loading() if hasattr(app, "catalog") else []
        settled = getattr(app, "settled", True)
        if settled and not loading and not any(w.is_running for w in app.workers):
            break
    else:
        raise AssertionError("the app never settled (an account still loading?)")
    await pilot.pause()


async def until(pilot: Any, state: Any, what: str) -> None:
    """Wait for `state()` to hold — a state that can be named — handling messages meanwhile;
    the bound (rounds, not seconds) only turns a hang into an error."""
    for _ in range(SETTLE_ROUNDS):
        if state():
            return
        await pilot.pause()
    raise AssertionError(f"never reached: {what}")


def loaded(app: SyncTuiApp, name: str) -> bool:
    return app.catalog.entry(name).state == LoadState.READY
