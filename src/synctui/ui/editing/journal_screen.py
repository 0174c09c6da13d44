"""`J` / `:journal`: every write synctui made, what it changed, what it sent, and revert.

The journal is the TUI's face of `store.journal` (the CLI's `synctui journal`): entries are
read in a thread worker (SQLite) and filtered by account, outcome and text. Revert is
`services.revert`: planned first with its conflict check (the sync must still look the way
that edit left it), confirmed in a dialog focused on Cancel, then sent through the one write
path — so the revert is journaled too, pointing at the entry it undid.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Select, Static

from synctui.domain import errors
from synctui.services.revert import apply_revert, plan_revert, undone_action
from synctui.ui.dialogs.confirm import ConfirmScreen
from synctui.ui.editing.diff_view import diff_content, requests_content
from synctui.ui.editing.glue import apply_result
from synctui.ui.editing.messages import JournalListed, Reverted, RevertPlanned
from synctui.ui.sync_names import sync_label, sync_name
from synctui.ui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from synctui.ui.host import Tui

LIMIT = 500
OUTCOMES = ("ok", "failed", "unknown", "pending", "skipped")
OUTCOME_STYLE = {
    "ok": "$status-active",
    "failed": "$status-error",
    "unknown": "$status-paused",
    "pending": "$status-initializing",
    "skipped": "$status-idle",
}


def short_iso(value: str | None) -> str:
    """'2026-11-20T09:30:00.123456+00:00' → '2026-11-20 09:30:00' (UTC, as stored)."""
    if not value:
        return "-"
    return value[:19].replace("T", " ")


class JournalScreen(Screen[None]):
    help_title = "write journal"
    AUTO_FOCUS = "#entries"
    WRITE_ACTIONS = frozenset({"revert"})  # unbound in read-only mode; the app says why
    HELP_NOTES = {"revert": "on an entry; says why when it cannot be reverted"}

    BINDINGS = [
        Binding("escape", "back", "Back", id="journal.back"),
        Binding("r", "refresh", "Refresh", id="journal.refresh"),
        # priority: handled when it arrives, before the keys typed after it are sent on to
        # the focused list (they follow it into the text box); not while typing in a box.
        Binding("slash", "find", "Filter text", key_display="/", priority=True, id="journal.find"),
        Binding("u", "revert", "Revert…", id="journal.revert"),
        Binding("j", "move(1)", "Down", show=False, id="journal.down"),
        Binding("k", "move(-1)", "Up", show=False, id="journal.up"),
    ]

    DEFAULT_CSS = """
    JournalScreen #journal-filters { height: 1; padding: 0 1; }
    JournalScreen #journal-filters Select { width: 26; margin-right: 1; }
    JournalScreen #journal-filters Input { width: 1fr; }
    JournalScreen #entries { height: 1fr; }
    JournalScreen #entry-scroll { height: 1fr; border-top: solid $panel; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[Any] = []
        self.total = 0
        # Not `loading`: that is Textual's reactive, which covers the whole screen with a
        # loading indicator, hiding (and blurring) the text box while someone types in it.
        self.listing = False
        self.busy = False
        self._sending_account = ""

    @property
    def tui(self) -> Tui:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield StatusLine(locked=self.tui.session.readonly, id="status")
        accounts = [(a.name, a.name) for a in self.tui.session.accounts]
        with Horizontal(id="journal-filters"):
            yield Select(accounts, prompt="all accounts", compact=True, id="account")
            yield Select(
                [(o, o) for o in OUTCOMES], prompt="any outcome", compact=True, id="outcome"
            )
            yield Input(placeholder="text: sync id, field, error…", compact=True, id="text")
        yield DataTable(id="entries", cursor_type="row", zebra_stripes=False)
        with VerticalScroll(id="entry-scroll"):
            yield Static("", id="entry")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#entries", DataTable)
        table.add_column("#", key="id")
        table.add_column("Time (UTC)", key="time")
        table.add_column("Outcome", key="outcome")
        table.add_column("Action", key="action")
        table.add_column("Account", key="account")
        table.add_column("Sync", key="sync")
        self.set_focus(table)  # at once: a `/` pressed right away must not be undone by it
        self.reload()

    # --- listing ----------------------------------------------------------------------------
    def filters(self) -> tuple[str | None, str | None, str | None]:
        account = self.query_one("#account", Select).value
        outcome = self.query_one("#outcome", Select).value
        text = self.query_one("#text", Input).value.strip()
        return (
            None if account is Select.NULL else str(account),
            None if outcome is Select.NULL else str(outcome),
            text or None,
        )

    def reload(self) -> None:
        self.listing = True
        self.show_status()
        self._list(*self.filters())

    @work(thread=True, group="journal-list", exclusive=True, exit_on_error=False)
    def _list(self, account: str | None, outcome: str | None, text: str | None) -> None:
        journal = self.tui.session.journal
        if journal is None:
            self.post_message(JournalListed([], 0, errors.UsageError("the journal is off")))
            return
        try:
            entries = journal.list(account=account, outcome=outcome, text=text, limit=LIMIT)
            total = journal.count(account=account, outcome=outcome, text=text)
        except Exception as exc:
            self.post_message(JournalListed([], 0, exc))
        else:
            self.post_message(JournalListed(entries, total, None))

    def on_journal_listed(self, message: JournalListed) -> None:
        message.stop()
        self.listing = False
        if message.error is not None:
            self.notify(str(message.error), title="Journal", severity="error")
        self.entries, self.total = message.entries, message.total
        table = self.query_one("#entries", DataTable)
        current = self.selected()
        table.clear()
        for entry in self.entries:
            table.add_row(
                str(entry.id),
                short_iso(entry.time),
                Content.styled(entry.outcome, OUTCOME_STYLE.get(entry.outcome, "")),
                entry.action + (f" of #{entry.reverts}" if entry.reverts else ""),
                entry.account,
                self.label(entry),
                key=str(entry.id),
            )
        if current is not None:
            ids = [e.id for e in self.entries]
            if current.id in ids:
                table.move_cursor(row=ids.index(current.id))
        self.show_entry()
        self.show_status()

    def label(self, entry: Any) -> str:
        """The sync's name (its id is in the entry's detail)."""
        return sync_label(self.tui.catalog, entry.account, entry.sync_id, entry.after, entry.before)

    def show_status(self) -> None:
        parts: list[Content | str | tuple[str, str]] = [
            (" synctui", "bold $text-accent"),
            " │ journal │ ",
        ]
        shown = len(self.entries)
        if shown < self.total:
            parts += [(f"{shown:,}", "bold"), f" of {self.total:,} entries (newest first)"]
        else:
            parts += [(f"{self.total:,}", "bold"), " entries"]
        if self.listing:
            parts += [" │ ", ("loading…", "$text-accent")]
        if self.busy:
            parts += [" │ ", ("reverting…", "$text-accent")]
        self.query_one("#status", StatusLine).show(Content.assemble(*parts))

    def selected(self) -> Any:
        table = self.query_one("#entries", DataTable)
        row = table.cursor_row
        return self.entries[row] if self.entries and 0 <= row < len(self.entries) else None

    def show_entry(self) -> None:
        entry = self.selected()
        base = None
        if entry is not None:
            known = {a.name: a.base_url for a in self.tui.session.accounts}
            base = known.get(entry.account)
        name = None
        if entry is not None:
            name = sync_name(
                self.tui.catalog, entry.account, entry.sync_id, entry.after, entry.before
            )
        self.query_one("#entry", Static).update(entry_content(entry, base, name))
        self.refresh_bindings()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.show_entry()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.reload()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.set_focus(self.query_one("#entries", DataTable))

    # --- revert -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "revert":
            if self.tui.session.readonly:
                return False  # not shown; the app says "read-only: not allowed"
            # Enabled on every entry: one that cannot be reverted says why, not nothing.
            return self.selected() is not None or None
        if action == "find":
            return not isinstance(self.focused, Input)
        return True

    def action_revert(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        reason = why_not_revertible(entry) if not self.busy else "a revert is already running"
        if reason:
            self.notify(reason, title="Cannot revert", severity="warning")
            return
        self._plan(entry.id, False)

    def _plan(self, entry_id: int, force: bool) -> None:
        self.busy = True
        self.show_status()
        self._plan_worker(entry_id, force)

    @work(group="journal-revert", exclusive=True, exit_on_error=False)
    async def _plan_worker(self, entry_id: int, force: bool) -> None:
        try:
            self.tui.session.refuse_if_readonly("revert")
            plan = await plan_revert(self.tui.session, entry_id, force=force)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.post_message(RevertPlanned(None, exc, force))
        else:
            self.post_message(RevertPlanned(plan, None, force))

    def on_revert_planned(self, message: RevertPlanned) -> None:
        message.stop()
        self.busy = False
        self.show_status()
        entry = self.selected()
        if message.error is not None:
            if isinstance(message.error, errors.Conflict) and not message.forced and entry:
                question = (
                    f"{message.error}\n\nRevert anyway? Only the fields entry #{entry.id} "
                    "changed are put back; later changes to other fields stay."
                )
                self.app.push_screen(
                    ConfirmScreen(question, "Revert anyway"),
                    lambda yes, i=entry.id: self._plan(i, True) if yes else None,
                )
            else:
                self.notify(str(message.error), title="Cannot revert", severity="error")
            return
        plan = message.plan
        forced = " (forced: the sync changed since)" if plan.forced else ""
        name = sync_name(self.tui.catalog, plan.account, plan.sync_id, plan.entry.after)
        shown = f"{name!r} ({plan.sync_id})" if name else plan.sync_id
        question = (
            f"Revert journal entry #{plan.entry.id} on {shown} ({plan.account}): "
            f"{plan.summary}{forced}?"
        )
        self.app.push_screen(
            ConfirmScreen(question, "Revert"),
            lambda yes: self._send(plan) if yes else None,
        )

    def _send(self, plan: Any) -> None:
        self._sending_account = plan.account
        self.busy = True
        self.show_status()
        self._send_worker(plan)

    @work(group="journal-revert", exclusive=True, exit_on_error=False)
    async def _send_worker(self, plan: Any) -> None:
        try:
            result = await apply_revert(self.tui.session, plan)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.post_message(Reverted(None, exc))
        else:
            self.post_message(Reverted(result, None))

    def on_reverted(self, message: Reverted) -> None:
        message.stop()
        self.busy = False
        if message.error is not None:
            self.notify(str(message.error), title="Revert failed", severity="error")
        else:
            assert message.result is not None
            self.notify(f"reverted: {message.result.message}", title="Revert")
            apply_result(self.tui, self._sending_account, message.result)
        self.reload()

    # --- other keys -------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.reload()

    def action_find(self) -> None:
        # At once: `focus()` would wait behind keys already queued, and those would go to
        # the list (typing fast, or while a long list is being filled in).
        self.set_focus(self.query_one("#text", Input))

    def action_move(self, delta: int) -> None:
        table = self.query_one("#entries", DataTable)
        if delta > 0:
            table.action_cursor_down()
        else:
            table.action_cursor_up()

    def action_back(self) -> None:
        if self.focused is not None and self.focused.id == "text":
            self.set_focus(self.query_one("#entries", DataTable))
            return
        self.dismiss(None)


def why_not_revertible(entry: Any) -> str | None:
    """Why `u` cannot revert this entry, in a sentence; None when it can be planned (the
    plan's own checks — conflicts, an earlier revert — answer after a read)."""
    try:
        undone_action(entry)
    except errors.SyncTuiError as exc:
        return str(exc)
    if entry.outcome in ("failed", "skipped"):
        return (
            f"journal entry {entry.id} {entry.outcome}: it changed nothing, so there is "
            "nothing to revert"
        )
    if entry.outcome == "pending":
        return f"journal entry {entry.id} is still being sent: wait until it finishes"
    return None


def entry_content(entry: Any, base: str | None = None, name: str | None = None) -> Content:
    """One entry in full: what, when, outcome, the diff, what was sent, what came back."""
    if entry is None:
        return Content.styled("no entry selected (nothing journaled yet?)", "dim")
    which = f"{name} (id {entry.sync_id})" if name else entry.sync_id
    lines: list[Content] = [
        Content.assemble(
            (f"#{entry.id} {entry.action} ", "bold"),
            f"{which} on {entry.account} ({entry.vendor}) — ",
            (entry.outcome, OUTCOME_STYLE.get(entry.outcome, "") + " bold"),
        ),
        Content.styled(
            f"started {short_iso(entry.time)}, finished {short_iso(entry.finished_at)} UTC"
            + (f" · batch {entry.batch_id}" if entry.batch_id else "")
            + (f" · reverts #{entry.reverts}" if entry.reverts else ""),
            "dim",
        ),
    ]
    if entry.error:
        lines.append(Content.styled(f"error: {entry.error}", "$text-error"))
    if isinstance(entry.before, dict) and isinstance(entry.after, dict):
        lines += [
            Content.styled("What changed", "bold $text-accent"),
            diff_content(entry.before, entry.after),
        ]
    request = entry.request
    if request:
        lines.append(Content.styled("What was sent", "bold $text-accent"))
        if isinstance(request, list) and all(isinstance(r, dict) for r in request):
            lines.append(requests_content(request, base))
        else:
            lines.append(Content(json.dumps(request, indent=2, ensure_ascii=False)))
    if entry.result:
        lines += [
            Content.styled("Answer", "bold $text-accent"),
            Content(json.dumps(entry.result, ensure_ascii=False)),
        ]
    return Content("\n").join(lines)
