"""Fixtures for the editing tests: sessions on the sandbox with the journal on, pilot helpers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from synctui.sandbox.core import SandboxConfig
from synctui.sandbox.server import Sandbox
from synctui.services.demo import demo_accounts
from synctui.services.session import Clock, Session, SessionOptions
from synctui.ui.app import SyncTuiApp
from synctui.vendors.http import RetrySettings
from tests.conftest import unlimit
from tests.ui.conftest import make_app, settle

__all__ = ["edit_session", "make_app", "open_editor", "settle"]


def edit_session(
    sandbox: Sandbox,
    *,
    readonly: bool = False,
    journal: bool = True,
    clock: Clock | None = None,
) -> Session:
    """The demo accounts with one attempt per call (faults surface at once) and a journal in
    the test's own data dir; `clock` pins the run's "now" (the schedule preview's next runs)."""
    accounts, tokens = demo_accounts(sandbox.info())
    options = SessionOptions(
        readonly=readonly, retry=RetrySettings(attempts=1), journal_enabled=journal
    )
    if clock is not None:
        options.clock = clock
    return Session(accounts, lambda a: tokens.get(a.name), options)


@pytest.fixture
def big_sandbox() -> Iterator[Sandbox]:
    """Scale 4: several hundred Speckle syncs for the batch tests."""
    with Sandbox(SandboxConfig(port=0, seed=7, scale=4, frozen=True, changes_per_second=0)) as sb:
        unlimit(sb)
        yield sb


async def open_editor(pilot: Any, app: SyncTuiApp, account: str, predicate: Any = None) -> Any:
    """Put the cursor on the first sync of `account` matching `predicate` and press e."""
    from synctui.ui.editing.editor_screen import EditorScreen

    await settle(pilot)
    table = app.main.table
    for key in table.visible_keys:
        sync = app.catalog.get(key)
        if sync is not None and sync.account == account and (predicate is None or predicate(sync)):
            table.move_cursor_to_key(key)
            break
    else:
        raise AssertionError(f"no sync in {account} matches")
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(app.screen, EditorScreen), app.screen
    return app.screen
