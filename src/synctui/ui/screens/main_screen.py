"""The screen people live in: accounts on the left, the sync table, `/` filter, `:` commands.

It owns no vendor I/O. The app's workers load accounts and post pages; the catalog publishes
each page's diff to `apply_page` / `apply_removed` here, and this screen turns syncs into rows
with the current view's layout (`SyncRows`: lazily, and reused per sync object, so switching
back to a view is instant).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input

from synctui.domain.capabilities import Capability
from synctui.services.vendor_rules import VENDORS
from synctui.ui.catalog import ALL, Catalog, CatalogChange, SyncKey, View
from synctui.ui.columns import (
    SYNC_ROWS,
    Layout,
    merged_layout,
    normalize_key,
    vendor_layout,
)
from synctui.ui.editing import actions as editing
from synctui.ui.screens.main_keys import BINDINGS, HELP_NOTES, RUN_ACTIONS, WRITE_ACTIONS
from synctui.ui.screens.main_status import status_content
from synctui.ui.skeleton import skeleton_cells
from synctui.ui.sync_rows import DRAFT_MARK, SyncRows
from synctui.ui.widgets.account_sidebar import AccountSidebar, SidebarEntry
from synctui.ui.widgets.prompt_bar import PromptBar
from synctui.ui.widgets.status_line import StatusLine
from synctui.ui.widgets.virtual_table import VirtualTable

if TYPE_CHECKING:
    from synctui.domain.models import Sync
    from synctui.ui.editing.drafts import DraftStore
    from synctui.ui.host import Tui

# Below this width the sidebar starts hidden (`b` shows it): the All-accounts table needs
# about 110 columns to show status, account, vendor, a readable name and both times whole.
NARROW = 140

FILTER_HINT = "filter: words, !not, ~fuzzy, field=value, field~text (README: Filter language)"
__all__ = ["DRAFT_MARK", "MainScreen"]


class MainScreen(Screen[None]):
    help_title = "syncs"
    has_command_line = True
    # The keys, which of them write, and when each applies: see main_keys.
    BINDINGS = BINDINGS
    WRITE_ACTIONS = WRITE_ACTIONS
    HELP_NOTES = HELP_NOTES
    # The table has the focus whenever this screen is (re)entered, whatever was focused
    # when it was left: a person comes back to the rows, never to a stray input.
    AUTO_FOCUS = "#syncs"

    DEFAULT_CSS = """
    MainScreen { layout: vertical; }
    MainScreen #body { height: 1fr; }
    MainScreen #table-area { width: 1fr; height: 1fr; }
    MainScreen.-no-sidebar AccountSidebar { display: none; }
    """

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.view: View = ALL
        self.table_layout: Layout = merged_layout()
        self.sync_rows = SyncRows(catalog)
        self._sidebar_toggled = False
        # Each view keeps its own sort (column key, reversed): sorting one account by status
        # does not re-sort the next one a person opens.
        self._sorts: dict[View, tuple[str | None, bool]] = {}
        catalog.subscribe(self.catalog_changed)  # for the app's lifetime, like the screen
        self._bindings_state: tuple[object, ...] | None = None  # see _bindings_may_change
        self._chrome_pending = False  # see apply_page

    @property
    def tui(self) -> Tui:
        return self.app  # type: ignore[return-value]

    # --- composition ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        # Before the children exist: set once they are, the class restyles all of them.
        self._auto_sidebar(self.app.size.width)
        yield StatusLine(locked=self.tui.session.readonly, id="status")
        with Horizontal(id="body"):
            yield AccountSidebar(id="sidebar")
            with Vertical(id="table-area"):
                yield VirtualTable(
                    empty_text="No syncs (yet)",
                    no_match_text="No syncs match the filter {filter} — Esc clears it",
                    filtering=SYNC_ROWS,
                    selectable=True,
                    id="syncs",
                )
                yield PromptBar(placeholder=FILTER_HINT, id="filter", on_edit=self._filter_edited)
                yield PromptBar(
                    placeholder=f"ctx NAME, all, {VENDORS[0]}, log, accounts…", id="command"
                )
        yield Footer(compact=True)

    @property
    def table(self) -> VirtualTable:
        return self.query_one("#syncs", VirtualTable)

    @property
    def sidebar(self) -> AccountSidebar:
        return self.query_one("#sidebar", AccountSidebar)

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    def on_mount(self) -> None:
        self.tui.drafts.subscribe(self.draft_changed)
        self.bindings_updated_signal.subscribe(self, self._bindings_published, immediate=True)
        self.set_focus(self.table)
        # The first frame already shows the accounts, the columns and a placeholder row
        # per account still loading.
        self.table.set_columns(self.table_layout.columns)
        self.refresh_chrome()
        self.call_after_refresh(self.set_view, self.view)  # what arrived before we were up

    def on_resize(self) -> None:
        self._auto_sidebar(self.app.size.width)

    def _auto_sidebar(self, width: int) -> None:
        if not self._sidebar_toggled:
            self.set_class(width < NARROW, "-no-sidebar")

    # --- views ----------------------------------------------------------------------------
    def set_view(self, view: View, fresh: bool = False) -> None:
        """Show `view` from what the catalog holds; the app loads accounts not yet loaded.
        `fresh`: make every row anew (the accounts changed, and so the rows' positions)."""
        if not self.live:
            self.view = view
            return
        table = self.table
        if view != self.view:
            table.set_filter("")
            self.query_one("#filter", PromptBar).value = ""
            self.query_one("#filter", PromptBar).close()
            table.reset_cursor()
        self.view = view
        if not fresh:  # the rows this view held may serve the next (same layout and syncs)
            self.sync_rows.keep(self.table_layout, table.model.rows)
        self.table_layout = self._layout_for(view)
        rows = self.sync_rows.rows(self.table_layout, self.tui.catalog.syncs_in(view), self._drafts)
        table.set_columns(self.table_layout.columns, rows)
        self._restore_sort()
        self.refresh_chrome()

    def _layout_for(self, view: View) -> Layout:
        catalog = self.tui.catalog
        if view.kind == "all":
            return merged_layout()
        if view.kind == "vendor":
            return vendor_layout(
                view.name,
                list(catalog.syncs_in(view)),
                with_account=True,
                declared=self.tui.declared_columns(view.name),
            )
        entry = catalog.entries.get(view.name)
        vendor = entry.account.vendor if entry else ""
        return vendor_layout(
            vendor, list(catalog.syncs_in(view)), declared=self.tui.declared_columns(vendor)
        )

    def _restore_sort(self) -> None:
        key, reverse = self._sorts.get(self.view, (None, False))
        keys = [c.key for c in self.table_layout.columns]
        self.table.sort_by(keys.index(key) if key in keys else None, reverse)

    @property
    def _drafts(self) -> DraftStore | None:
        return self.tui.drafts

    def _needs_new_layout(self, syncs: Sequence[Sync]) -> bool:
        """A vendor without declared columns filled a key the table has no column for."""
        if self.view.kind == "all" or self._declared_view():
            return False
        known = {k for _, keys, _ in self.table_layout.sources for k in keys}
        return any(normalize_key(k) not in known for s in syncs for k in s.columns)

    def _declared_view(self) -> bool:
        catalog = self.tui.catalog
        if self.view.kind == "vendor":
            return bool(self.tui.declared_columns(self.view.name))
        entry = catalog.entries.get(self.view.name)
        return bool(entry and self.tui.declared_columns(entry.account.vendor))

    # --- catalog diffs from the app ---------------------------------------------------------
    @property
    def live(self) -> bool:
        """Composed and not torn down: pages may still arrive while the app exits."""
        return self.is_mounted and bool(self.query("#syncs"))

    def apply_page(self, change: CatalogChange) -> None:
        """Syncs listed, re-read or answered by a write: their rows, if this view shows them."""
        if not self.live:
            return
        account, syncs = change.account, change.syncs
        if account in self.tui.catalog.accounts_in(self.view):
            if self._needs_new_layout(syncs):
                self.set_view(self.view)
            elif change.positions:  # a listed page: fresh objects, keys and positions known
                rows = self.sync_rows.page(
                    self.table_layout, account, syncs, change.keys, change.positions, self._drafts
                )
                self.table.upsert_rows(rows, compare=False)
            else:
                self.table.upsert_rows(self.sync_rows.rows(self.table_layout, syncs, self._drafts))
        # Pages arriving between two frames update the header and the sidebar once.
        if not self._chrome_pending:
            self._chrome_pending = True
            self.call_after_refresh(self._chrome_after_pages)

    def _chrome_after_pages(self) -> None:
        self._chrome_pending = False
        self.refresh_chrome()

    def apply_removed(self, account: str, keys: list[SyncKey]) -> None:
        self.sync_rows.forget(keys)
        if keys and self.live:
            self.table.remove_rows(keys)
        self.refresh_chrome()

    def catalog_changed(self, change: CatalogChange) -> None:
        """What the catalog publishes, onto the table, the sidebar and the header."""
        if change.kind == "synced":
            self.apply_page(change)
        elif change.kind == "removed":
            self.apply_removed(change.account, list(change.keys))
        elif change.kind == "accounts":
            self.accounts_changed()

    def draft_changed(self, key: SyncKey) -> None:
        """A draft started or ended: repaint that row with (or without) its marker."""
        self.sync_rows.forget([key])
        sync = self.tui.catalog.get(key)
        if (
            sync is not None
            and self.live
            and sync.account in self.tui.catalog.accounts_in(self.view)
        ):
            self.table.upsert_rows(self.sync_rows.rows(self.table_layout, [sync], self._drafts))

    def accounts_changed(self) -> None:
        """Accounts were added, edited or removed: rebuild the table and the sidebar."""
        catalog = self.tui.catalog
        if self.view.kind == "account" and self.view.name not in catalog.entries:
            self.view = ALL
        self.sync_rows.clear()
        if not self.live:
            return
        self.set_view(self.view, fresh=True)  # no row is reused: their positions moved
        self.tui.reload_view(self.view, force=False)  # a new or edited account loads at once

    # --- chrome (header and sidebar) ------------------------------------------------------
    def refresh_chrome(self) -> None:
        if not self.live:
            return
        catalog = self.tui.catalog
        entries = [
            SidebarEntry(
                name=e.name,
                vendor=e.account.vendor,
                state=e.state,
                count=len(e.syncs),
            )
            for e in catalog.entries.values()
        ]
        total = sum(len(e.syncs) for e in catalog.entries.values())
        self.sidebar.show_entries(total, entries, self.view)
        self.status.show(self._status_content())
        self._show_skeleton()

    def _show_skeleton(self) -> None:

        columns = self.table_layout.columns
        idle = bool(getattr(self.tui, "first_view_pending", False))
        self.table.set_skeleton(skeleton_cells(columns, self.tui.catalog, self.view, idle=idle))

    def _status_content(self) -> Content:
        return status_content(self.view, self.table, self.tui.catalog)

    def on_virtual_table_view_updated(self, event: VirtualTable.ViewUpdated) -> None:
        event.stop()
        if self.live:
            self.status.show(self._status_content())
            # Which keys apply depends on the rows now shown (check_action): keep the footer
            # and help in step with the data, not with whenever focus last moved.
            self._bindings_may_change()

    def _bindings_may_change(self) -> None:
        """Refresh the footer and help when what the keys can do changed since they were
        last drawn — not on every keystroke of the filter: redrawing the footer costs more
        than filtering 100,000 rows."""
        state = tuple(
            (binding.action, self.check_action(binding.action, ()))
            for binding in self.BINDINGS
            if isinstance(binding, Binding)
        )
        if state != self._bindings_state:
            self.refresh_bindings()
            self._bindings_state = state

    def _bindings_published(self, _screen: Screen[None]) -> None:
        self._bindings_state = None  # drawn from some other state: the next change redraws

    # --- actions --------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in RUN_ACTIONS:
            if self.tui.session.readonly:
                return False  # not bound, not shown: k9s --readonly
            sync = self.selected_sync()
            if sync is None:
                return None
            needed = Capability.TRIGGER if action == "trigger" else Capability.PAUSE_RESUME
            return needed in self.tui.capabilities_of(sync.account) or None
        if action == "clear_filter":
            return bool(self.table.filter_text)
        if action == "filter":
            return not isinstance(self.focused, Input)
        if action in editing.EDITING_ACTIONS:
            return self._editing_allowed(action)
        return True

    def _editing_allowed(self, action: str) -> bool | None:
        readonly = self.tui.session.readonly
        if action == "batch_edit":
            return not readonly and bool(self.table.marked)  # shown once rows are marked
        if action == "new_sync":
            accounts = self.tui.catalog.accounts_in(self.view)
            return False if readonly else (editing.can_create(self.tui, accounts) or None)
        if action == "mark_all":
            return True
        if action == "clear_marks":
            return bool(self.table.marked) or None
        return editing.allowed(self.tui, action, self.selected_sync())

    def selected_sync(self) -> Sync | None:
        key = self.table.cursor_key
        return self.tui.catalog.get(key) if key is not None else None  # type: ignore[arg-type]

    def action_filter(self) -> None:
        self.query_one("#filter", PromptBar).open(self.table.filter_text)

    def action_clear_filter(self) -> None:
        self.table.set_filter("")
        bar = self.query_one("#filter", PromptBar)
        bar.value = ""
        bar.close()
        self.set_focus(self.table)
        self.refresh_bindings()

    def action_cycle_sort(self) -> None:
        self.table.cycle_sort()
        self._remember_sort()

    def action_reverse_sort(self) -> None:
        self.table.reverse_sort()
        self._remember_sort()

    def _remember_sort(self) -> None:
        model = self.table.model
        column = model.sort_column
        key = None if column is None else self.table_layout.columns[column].key
        self._sorts[self.view] = (key, model.sort_reverse)
        self.status.show(self._status_content())

    def action_refresh(self) -> None:
        self.tui.reload_view(self.view, force=True)

    def action_toggle_mark(self) -> None:
        self.table.toggle_mark()
        self.table.action_cursor_down()
        self.status.show(self._status_content())
        self.refresh_bindings()

    def action_mark_all(self) -> None:
        editing.mark_all_shown(self.tui)
        self.status.show(self._status_content())
        self.refresh_bindings()

    def action_clear_marks(self) -> None:
        editing.clear_marks(self.tui)
        self.status.show(self._status_content())
        self.refresh_bindings()

    def action_batch_edit(self) -> None:
        editing.batch_edit(self.tui)

    def action_new_sync(self) -> None:
        sync = self.selected_sync()
        accounts = self.tui.catalog.accounts_in(self.view)
        editing.new_sync(self.tui, accounts, sync.account if sync else None)

    def action_edit(self) -> None:
        self._on_selected("edit")

    def action_delete_sync(self) -> None:
        self._on_selected("delete")

    def action_migrate(self) -> None:
        self._on_selected("migrate")

    def action_runs(self) -> None:
        sync = self.selected_sync()
        if sync is not None:
            self.tui.open_detail(sync.key, tab="runs")

    def _on_selected(self, name: str) -> None:
        sync = self.selected_sync()
        if sync is not None:
            getattr(editing, name)(self.tui, sync)

    def action_copy_id(self) -> None:
        sync = self.selected_sync()
        if sync is not None:
            self.tui.copy_text(sync.id, f"copied id {sync.id}")

    def action_copy_json(self) -> None:
        sync = self.selected_sync()
        if sync is not None:
            self.tui.copy_text(self.tui.sync_json(sync), f"copied JSON of {sync.name}")

    def action_toggle_sidebar(self) -> None:
        self._sidebar_toggled = True
        self.toggle_class("-no-sidebar")
        if not self.has_class("-no-sidebar"):
            self.sidebar.focus()
        else:
            self.set_focus(self.table)

    def action_manage_accounts(self) -> None:
        self.tui.action_manage_accounts()

    def action_show_all(self) -> None:
        self.tui.switch_view(ALL)

    def action_trigger(self) -> None:
        self._on_selected("trigger")  # a paused sync is offered "resume, then run"

    def action_toggle_active(self) -> None:
        self._on_selected("toggle_active")

    # --- events from widgets ----------------------------------------------------------------
    def _filter_edited(self, text: str) -> None:
        if self.live:
            self.table.set_filter(text)  # on_input_changed follows: the same text, a no-op

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.table.set_filter(event.value)
            self._bindings_may_change()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        bar = event.input
        if bar.id == "filter":
            if not event.value:
                assert isinstance(bar, PromptBar)
                bar.close()
            self.set_focus(self.table)
        elif bar.id == "command":
            assert isinstance(bar, PromptBar)
            bar.close()
            self.set_focus(self.table)
            self.tui.run_command_line(event.value)

    def on_prompt_bar_cancelled(self, event: PromptBar.Cancelled) -> None:
        event.stop()
        if event.bar.id == "filter":
            self.action_clear_filter()
        else:
            event.bar.close()
            self.set_focus(self.table)

    def open_command_line(self) -> None:
        self.query_one("#command", PromptBar).open("", self.tui.command_suggestions())

    def on_account_sidebar_view_chosen(self, event: AccountSidebar.ViewChosen) -> None:
        event.stop()
        self.tui.switch_view(event.view)
        self.set_focus(self.table)

    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        event.stop()
        self.tui.open_detail(event.key)  # type: ignore[arg-type]
