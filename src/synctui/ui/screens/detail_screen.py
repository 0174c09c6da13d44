"""Enter on a sync: every field, the latest run, the run list and the vendor's raw JSON.

It opens at once with what the table already holds, then re-reads the sync (the list
endpoints of some vendors return summaries) and its runs in workers bound to this screen, so
leaving with Esc cancels them.

Only the sync's own record must be read. A secondary read that fails (Polytomic's status,
Signalsmith's latest run, Paragon's status, any vendor's run history) leaves the sync shown
with that part marked unavailable and why — in the fields, the Runs tab and the status line —
never as an error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from synctui.domain.models import Capability, Run, RunState, Sync
from synctui.services.vendor_rules import titles, vendors_with
from synctui.ui import messages as msg
from synctui.ui.catalog import CatalogChange
from synctui.ui.columns import STATUS_SYMBOLS
from synctui.ui.editing import actions as editing
from synctui.ui.formatting import one_line, short_time
from synctui.ui.widgets.status_line import StatusLine, status_text

if TYPE_CHECKING:
    from synctui.ui.host import Tui

RUN_STATE_STYLE = {
    "success": "$status-active",
    "failed": "$status-error",
    "running": "$status-initializing",
    "queued": "$status-idle",
    "cancelled": "$status-paused",
}


class DetailScreen(Screen[None]):
    help_title = "sync detail"
    # Unbound in read-only mode, where the app says "read-only: not allowed" instead.
    WRITE_ACTIONS = frozenset({"edit", "trigger", "toggle_active", "migrate", "delete_sync"})
    HELP_NOTES = {
        "migrate": f"legacy {titles(vendors_with(Capability.MIGRATE), 'or')} syncs",
        "trigger": "if the vendor can start a run",
        "toggle_active": "if the vendor can pause it",
        "edit": "if the vendor allows edits",
        "delete_sync": "if the vendor allows deletes",
    }

    BINDINGS = [
        Binding("escape", "back", "Back", id="detail.back"),
        Binding("r", "refresh", "Refresh", id="detail.refresh"),
        Binding("y", "copy_id", "Copy id", id="detail.copy-id"),
        Binding("Y", "copy_json", "Copy JSON", id="detail.copy-json"),
        Binding("1", "tab('overview')", "Overview", show=False, id="detail.tab-overview"),
        Binding("2", "tab('runs')", "Runs", show=False, id="detail.tab-runs"),
        Binding("3", "tab('json')", "Raw JSON", show=False, id="detail.tab-json"),
        Binding("e", "edit", "Edit", id="detail.edit"),
        Binding("t", "trigger", "Run now", show=False, id="detail.trigger"),
        Binding("p", "toggle_active", "Pause/resume", show=False, id="detail.pause-resume"),
        Binding("m", "migrate", "Migrate legacy", show=False, id="detail.migrate"),
        Binding("ctrl+d", "delete_sync", "Delete", show=False, id="detail.delete"),
    ]

    DEFAULT_CSS = """
    DetailScreen TabbedContent { height: 1fr; }
    DetailScreen TabPane { padding: 0 1; }
    DetailScreen #fields { width: 1fr; }
    DetailScreen #json-scroll { height: 1fr; }
    DetailScreen #json-text { width: auto; }
    DetailScreen DataTable { height: 1fr; }
    DetailScreen #runs-note { color: $text-warning; height: auto; display: none; }
    """

    def __init__(self, sync: Sync) -> None:
        super().__init__()
        self.sync = sync
        self.key = sync.key
        self.runs: list[Run] | None = None
        self.pending: set[str] = set()
        self.problems: dict[str, str] = {}
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def tui(self) -> Tui:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield StatusLine(locked=self.tui.session.readonly, id="status")
        with TabbedContent(id="tabs", initial="overview"):
            with TabPane("Overview [1]", id="overview"), VerticalScroll():
                yield Static(id="fields")
            with TabPane("Runs [2]", id="runs"):
                yield Static("", id="runs-note", markup=False)
                yield DataTable(id="run-table", cursor_type="row", zebra_stripes=False)
            with TabPane("Raw JSON [3]", id="json"), ScrollableContainer(id="json-scroll"):
                yield Static(id="json-text")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#run-table", DataTable)
        table.add_column("Run")
        # A styled cell is not measured by the table: the width of the longest state, or
        # "success" shows as "succe".
        table.add_column("State", width=max(len(state.value) for state in RunState))
        table.add_columns("Started", "Finished", "Summary", "Error")
        self.show()
        self._unsubscribe = self.tui.catalog.subscribe(self._catalog_changed)
        self.reload()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _catalog_changed(self, change: CatalogChange) -> None:
        """A write changed this sync at the vendor: re-read it (its fields changed)."""
        if change.kind == "written" and self.key in change.keys:
            self.reload()

    # --- loading --------------------------------------------------------------------------
    def reload(self) -> None:
        account, sync_id = self.key
        capabilities = self.tui.capabilities_of(account)
        if Capability.GET in capabilities:
            self.pending.add("sync")
            self.run_worker(
                self._fetch_sync(account, sync_id),
                group="detail-sync",
                exclusive=True,
                exit_on_error=False,
            )
        if Capability.RUNS in capabilities:
            self.pending.add("runs")
            self.run_worker(
                self._fetch_runs(account, sync_id),
                group="detail-runs",
                exclusive=True,
                exit_on_error=False,
            )
        self.show_status()

    async def _fetch_sync(self, account: str, sync_id: str) -> None:
        try:
            sync = await self.tui.session.show_sync(account, sync_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.post_message(msg.FetchFailed("sync", exc))
        else:
            self.post_message(msg.SyncFetched(sync))

    async def _fetch_runs(self, account: str, sync_id: str) -> None:
        try:
            runs = await self.tui.session.list_runs(account, sync_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.post_message(msg.FetchFailed("runs", exc))
        else:
            self.post_message(msg.RunsFetched((account, sync_id), runs))

    def on_sync_fetched(self, message: msg.SyncFetched) -> None:
        message.stop()
        self.pending.discard("sync")
        self.problems.pop("sync", None)
        self.sync = message.sync
        self.tui.catalog.put(message.sync)  # the table hears of it
        self.show()

    def on_runs_fetched(self, message: msg.RunsFetched) -> None:
        message.stop()
        self.pending.discard("runs")
        self.problems.pop("runs", None)
        self.runs = message.runs
        self.show_runs()
        self.show_status()

    def on_fetch_failed(self, message: msg.FetchFailed) -> None:
        message.stop()
        self.pending.discard(message.what)
        self.problems[message.what] = str(message.error)
        if message.what == "runs":  # a secondary read: marked unavailable, not an error
            self.show()
            self.show_runs()
            return
        self.notify(str(message.error), title=f"Cannot load {message.what}", severity="error")
        self.show_status()

    @property
    def unavailable(self) -> dict[str, str]:
        """Parts that could not be read: the sync's own, and its runs if those failed."""
        parts = dict(self.sync.unavailable)
        if "runs" in self.problems:
            parts["runs"] = self.problems["runs"]
        return parts

    # --- painting -------------------------------------------------------------------------
    def show(self) -> None:
        self.query_one("#fields", Static).update(self._fields())
        self.query_one("#json-text", Static).update(
            Syntax(
                self.tui.sync_json(self.sync),
                "json",
                theme="ansi_dark" if self.app.current_theme.dark else "ansi_light",
                background_color="default",
                word_wrap=False,
            )
        )
        self.show_status()

    def show_status(self) -> None:
        if not self.is_mounted:
            return
        sync = self.sync
        failed = sorted(p for p in self.problems if p != "runs")
        text = status_text(
            sync.account,
            (sync.name, "bold"),
            (f"{STATUS_SYMBOLS.get(sync.status, '?')} {sync.status.value}", _status(sync)),
            f"{len(self.runs)} runs" if self.runs is not None else None,
            (f"loading {', '.join(sorted(self.pending))}…", "$text-accent")
            if self.pending
            else None,
            (f"failed: {', '.join(failed)}", "$status-error") if failed else None,
            (f"unavailable: {', '.join(self.unavailable)}", "$text-warning")
            if self.unavailable
            else None,
            ("* unsaved draft (e reopens it)", "$text-warning")
            if self.tui.drafts.has_changes(self.key)
            else None,
        )
        self.query_one("#status", StatusLine).show(text)

    def _fields(self) -> Content:
        sync = self.sync
        rows: list[tuple[str, Content | str]] = [
            ("Account", sync.account),
            ("Vendor", sync.vendor),
            ("ID", sync.id),
            ("Name", sync.name),
            (
                "Status",
                Content.styled(
                    f"{STATUS_SYMBOLS.get(sync.status, '?')} {sync.status.value}", _status(sync)
                ),
            ),
            ("Vendor status", sync.vendor_status or "-"),
            ("Reason", sync.status_reason or "-"),
            ("Updated", short_time(sync.updated_at)),
            ("Loaded", "full object" if sync.complete else "list summary"),
        ]
        for key, value in sync.columns.items():
            rows.append((key.replace("_", " ").capitalize(), one_line(value, 500)))
        run = sync.latest_run
        unavailable = self.unavailable
        lines = _label_rows(rows)
        lines.append(Content(""))
        lines.append(Content.styled("Latest run", "bold $text-accent"))
        if run is None and "latest run" in unavailable:
            lines.append(Content.styled("  unavailable: could not be read", "$text-warning"))
        elif run is None:
            lines.append(Content.styled("  none reported", "dim"))
        else:
            lines += _label_rows(_run_rows(run))
        if unavailable:
            lines.append(Content(""))
            lines.append(Content.styled("Unavailable (could not be read)", "bold $text-warning"))
            lines += _label_rows([(part, one_line(why, 300)) for part, why in unavailable.items()])
        return Content("\n").join(lines)

    def show_runs(self) -> None:
        note = self.query_one("#runs-note", Static)
        problem = self.problems.get("runs")
        note.update(f"Runs unavailable: {problem}" if problem else "")
        note.display = problem is not None
        table = self.query_one("#run-table", DataTable)
        table.clear()
        for run in self.runs or []:
            table.add_row(
                run.id,
                Content.styled(run.state.value, RUN_STATE_STYLE.get(run.state.value, "")),
                short_time(run.started_at or run.created_at),
                short_time(run.finished_at),
                one_line(run.summary or "-", 60),
                one_line(run.error or "", 80),
                key=run.id,
            )

    def on_screen_resume(self) -> None:
        self.show_status()  # back from the editor: the draft marker may have changed

    # --- actions --------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("trigger", "toggle_active"):
            if self.tui.session.readonly:
                return False
            needed = Capability.TRIGGER if action == "trigger" else Capability.PAUSE_RESUME
            return needed in self.tui.capabilities_of(self.key[0]) or None
        if action in editing.EDITING_ACTIONS:
            return editing.allowed(self.tui, action, self.sync)
        return True

    def action_edit(self) -> None:
        editing.edit(self.tui, self.sync)

    def action_trigger(self) -> None:
        editing.trigger(self.tui, self.sync)

    def action_toggle_active(self) -> None:
        editing.toggle_active(self.tui, self.sync)

    def action_migrate(self) -> None:
        editing.migrate(self.tui, self.sync)

    def action_delete_sync(self) -> None:
        editing.delete(self.tui, self.sync, then=lambda: self.dismiss(None))

    def action_back(self) -> None:
        self.dismiss(None)

    def action_refresh(self) -> None:
        self.reload()

    def action_copy_id(self) -> None:
        self.tui.copy_text(self.sync.id, f"copied id {self.sync.id}")

    def action_copy_json(self) -> None:
        self.tui.copy_text(self.tui.sync_json(self.sync), f"copied JSON of {self.sync.name}")

    def action_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab


def _status(sync: Sync) -> str:
    return f"$status-{sync.status.value}"


def _run_rows(run: Run) -> list[tuple[str, Content | str]]:
    return [
        ("Run", run.id),
        ("State", Content.styled(run.state.value, RUN_STATE_STYLE.get(run.state.value, ""))),
        ("Vendor status", run.vendor_status or "-"),
        ("Created", short_time(run.created_at)),
        ("Started", short_time(run.started_at)),
        ("Finished", short_time(run.finished_at)),
        ("Summary", run.summary or "-"),
        ("Error", run.error or "-"),
    ]


def _label_rows(rows: list[tuple[str, Content | str]]) -> list[Content]:
    width = max((len(label) for label, _ in rows), default=0)
    return [
        Content.assemble((label.rjust(width), "bold"), "  ", value)  # type: ignore[arg-type]
        for label, value in rows
    ]
