"""How editing screens hand results back to the app's catalog, table and detail pane.

Kept in one place so every write (save, batch, action, revert) updates what is on screen the
same way: the sync the vendor answered with goes into the catalog and the table at once, and
the account is re-read when the vendor did not answer with the sync.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synctui.domain.models import Sync, WriteResult
from synctui.ui.editing.drafts import DraftStore

if TYPE_CHECKING:
    from synctui.ui.app import SyncTuiApp

SyncKey = tuple[str, str]


def drafts_of(app: Any) -> DraftStore:
    """The app's draft store (created on first use for apps that predate it)."""
    store = getattr(app, "drafts", None)
    if store is None:
        store = DraftStore()
        app.drafts = store
    return store


def show_sync(app: SyncTuiApp, sync: Sync) -> None:
    """A sync read or returned by a write: into the catalog and the table."""
    app.catalog.put(sync)
    if app.main is not None:
        app.main.apply_page(sync.account, [sync])


def apply_result(app: SyncTuiApp, account: str, result: WriteResult | None) -> None:
    if result is not None and result.sync is not None:
        show_sync(app, result.sync)
    else:
        app.load_account(account)


def refresh_detail(app: SyncTuiApp, key: SyncKey) -> None:
    """Re-read the sync in any detail pane showing it (its fields changed)."""
    from synctui.ui.screens.detail_screen import DetailScreen

    for screen in app.screen_stack:
        if isinstance(screen, DetailScreen) and screen.key == key:
            screen.reload()
