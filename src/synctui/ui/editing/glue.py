"""How editing screens hand results back to the app's catalog (and so to the table and
any detail pane, which subscribe to it).

Kept in one place so every write (save, batch, action, revert) updates what is on screen the
same way: the sync the vendor answered with goes into the catalog at once, and the account
is re-read when the vendor did not answer with the sync.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from synctui.domain.models import Sync, WriteResult
from synctui.ui.editing.drafts import DraftStore

if TYPE_CHECKING:
    from synctui.ui.host import Tui

SyncKey = tuple[str, str]


def drafts_of(app: Tui) -> DraftStore:
    """The app's draft store."""
    return app.drafts


def show_sync(app: Tui, sync: Sync) -> None:
    """A sync read or returned by a write: into the catalog (the table hears of it)."""
    app.catalog.put(sync)


def apply_result(app: Tui, account: str, result: WriteResult | None) -> None:
    if result is not None and result.sync is not None:
        show_sync(app, result.sync)
    else:
        app.load_account(account)


def refresh_detail(app: Tui, key: SyncKey) -> None:
    """A write changed this sync at the vendor: any detail pane showing it re-reads it."""
    app.catalog.written(key)
