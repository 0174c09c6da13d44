"""Per-sync actions shared by the table and the detail pane: edit, delete, migrate, trigger,
pause/resume, runs, create, and the marks that batch updates use.

The one write path from a key to the service: every per-sync write asks first
(`_confirm_then`), then goes through `Session` in a worker run by the app that posts one
`WriteFinished` per step, so one handler (the app's) updates the table and says what
happened. Every action that cannot be undone asks first, focused on Cancel; in read-only
mode none of them is bound (the screens' `check_action` asks `allowed` here) and the service
refuses them anyway.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from synctui.domain.capabilities import Capability
from synctui.domain.status import SyncStatus
from synctui.services.vendor_rules import rules_for, title_of
from synctui.ui import messages as msg
from synctui.ui.dialogs.confirm import ConfirmScreen
from synctui.ui.editing.forms import CREATE_FORMS, creatable

if TYPE_CHECKING:
    from synctui.domain.models import Sync, WriteResult
    from synctui.ui.host import Tui

# Actions (as named in the screens' BINDINGS) and the capability each needs.
NEEDS: dict[str, Capability] = {
    "edit": Capability.EDIT,
    "delete_sync": Capability.DELETE,
    "migrate": Capability.MIGRATE,
    "runs": Capability.RUNS,
}
WRITES = frozenset({"edit", "delete_sync", "migrate", "new_sync", "batch_edit"})
EDITING_ACTIONS = frozenset({*NEEDS, "new_sync", "batch_edit", "mark_all", "clear_marks"})


def allowed(app: Tui, action: str, sync: Sync | None) -> bool | None:
    """`check_action` for the per-sync actions: False hides (read-only), None greys out."""
    if action in WRITES and app.session.readonly:
        return False  # not bound, not shown: k9s --readonly
    needed = NEEDS.get(action)
    if needed is None:
        return True
    if sync is None:
        return None
    if needed not in app.capabilities_of(sync.account):
        return None
    if action == "migrate" and sync.status is not SyncStatus.LEGACY:
        return None
    return True


def can_create(app: Tui, accounts: list[str]) -> bool:
    """`n` works where the view holds an account whose vendor has a create form."""
    return not app.session.readonly and bool(creatable_accounts(app, accounts))


def creatable_accounts(app: Tui, accounts: list[str]) -> list[str]:
    return [
        name
        for name in accounts
        if name in app.catalog.entries
        and creatable(app.catalog.entry(name).account.vendor)
        and Capability.CREATE in app.capabilities_of(name)
    ]


# --- the actions -------------------------------------------------------------------------------
def edit(app: Tui, sync: Sync) -> None:
    from synctui.ui.editing.editor_screen import EditorScreen  # on demand: after first paint

    if app.session.readonly:
        app.notify("read-only mode: editing is off", severity="warning")
        return
    app.push_screen(EditorScreen(sync))


def delete(app: Tui, sync: Sync, then: Callable[[], object] | None = None) -> None:
    warning = rules_for(sync.vendor).delete_warning
    extra = f" {warning}" if warning else ""
    question = (
        f"Delete {sync.name!r} on {sync.account}? This cannot be undone: the sync and its "
        f"settings are gone for good.{extra}"
    )

    def send() -> Awaitable[WriteResult]:
        return app.session.delete(sync.account, sync.id)

    _confirm_then(app, question, "Delete", sync, [("delete", send)], then)


def migrate(app: Tui, sync: Sync) -> None:
    question = (
        f"Migrate {sync.name!r} out of {title_of(sync.vendor)}'s legacy storage? It becomes an "
        "ordinary sync that can be edited, paused and run; a migration cannot be undone."
    )

    def send() -> Awaitable[WriteResult]:
        return app.session.migrate(sync.account, sync.id)

    _confirm_then(app, question, "Migrate", sync, [("migrate", send)])


# The one-step writes of the `t` and `p` keys: the verb on the button for each action.
VERBS = {"trigger": "Run", "pause": "Pause", "resume": "Resume"}


def confirm_write(app: Tui, sync: Sync, action: str) -> None:
    """Run now, pause or resume `sync`, once the person confirms."""
    verb = VERBS[action]
    question = f"{verb} {sync.name!r} on {sync.account} now?"

    def send() -> Awaitable[WriteResult]:
        if action == "trigger":
            return app.session.trigger(sync.account, sync.id)
        return app.session.set_active(sync.account, sync.id, action == "resume")

    _confirm_then(app, question, verb, sync, [(action, send)])


def toggle_active(app: Tui, sync: Sync) -> None:
    """`p`: pause an active sync, resume any other."""
    confirm_write(app, sync, "pause" if sync.status == SyncStatus.ACTIVE else "resume")


def trigger(app: Tui, sync: Sync) -> None:
    """Run now; a paused sync is offered "resume, then run" (the vendors refuse to run it)."""
    if sync.status is not SyncStatus.PAUSED:
        confirm_write(app, sync, "trigger")
        return
    if Capability.PAUSE_RESUME not in app.capabilities_of(sync.account):
        app.notify(f"{sync.name} is paused and cannot be resumed here", severity="warning")
        return
    question = (
        f"{sync.name!r} is paused, and {sync.vendor.capitalize()} runs only active syncs. "
        "Resume it, then run it now? A run cannot be taken back."
    )

    def resume() -> Awaitable[WriteResult]:
        return app.session.set_active(sync.account, sync.id, True)

    def run() -> Awaitable[WriteResult]:
        return app.session.trigger(sync.account, sync.id)

    _confirm_then(app, question, "Resume and run", sync, [("resume", resume), ("trigger", run)])


def _confirm_then(
    app: Tui,
    question: str,
    verb: str,
    sync: Sync,
    steps: list[tuple[str, Callable[[], Awaitable[WriteResult]]]],
    then: Callable[[], object] | None = None,
) -> None:
    if app.session.readonly:
        app.notify("read-only mode: writes are refused", severity="warning")
        return

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        app.run_worker(
            _send(app, sync.account, steps),
            group=f"write:{sync.account}:{sync.id}",
            exclusive=True,
            exit_on_error=False,
        )
        if then is not None:
            then()

    app.push_screen(ConfirmScreen(question, verb), answered)


async def _send(
    app: Tui, account: str, steps: list[tuple[str, Callable[[], Awaitable[WriteResult]]]]
) -> None:
    """Send each step in order, one `WriteFinished` per step; stop at the first failure."""
    for action, step in steps:
        try:
            result = await step()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            app.post_message(msg.WriteFinished(account, action, None, exc))
            return
        app.post_message(msg.WriteFinished(account, action, result, None))


# --- marks (batch updates) -----------------------------------------------------------------------
def mark_all_shown(app: Tui) -> int:
    """Mark every row the current filter shows; returns how many are marked now."""
    if app.main is None:
        return 0
    table = app.main.table
    table.marked.update(table.visible_keys)
    table.refresh()
    return len(table.marked)


def clear_marks(app: Tui) -> None:
    if app.main is not None:
        app.main.table.clear_marks()


def marked_syncs(app: Tui) -> list[Sync]:
    """The marked syncs the catalog still holds, in table order."""
    if app.main is None:
        return []
    table = app.main.table
    order = {key: i for i, key in enumerate(table.visible_keys)}
    keys = sorted(table.marked, key=lambda k: (order.get(k, len(order)), str(k)))
    found = (app.catalog.get(k) for k in keys)  # type: ignore[arg-type]
    return [s for s in found if s is not None]


def batch_edit(app: Tui) -> None:
    from synctui.ui.editing.batch_edit_screen import BatchEditScreen  # on demand

    syncs = marked_syncs(app)
    editable = [s for s in syncs if Capability.EDIT in app.capabilities_of(s.account)]
    if not editable:
        app.notify("mark syncs first (space, or * for every shown row)", severity="warning")
        return
    if len(editable) < len(syncs):
        app.notify(f"{len(syncs) - len(editable)} marked sync(s) cannot be edited: left out")
    app.push_screen(BatchEditScreen(editable))


def new_sync(app: Tui, accounts: list[str], preferred: str | None = None) -> None:
    from synctui.ui.editing.create_screen import CreateSyncScreen  # on demand

    choices = creatable_accounts(app, accounts)
    if not choices:
        vendors = " or ".join(title_of(v) for v in CREATE_FORMS)
        app.notify(f"open a {vendors} account to create a sync there", severity="warning")
        return
    first = preferred if preferred in choices else choices[0]
    vendor = app.catalog.entry(first).account.vendor
    same = [name for name in choices if app.catalog.entry(name).account.vendor == vendor]
    app.push_screen(CreateSyncScreen(same, first, vendor))
