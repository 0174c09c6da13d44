"""The attention view: every sync that needs a person, across all accounts, and the fix.

Support staff start here. One list grouped by reason (oldest trouble first), counts per
reason and per account on top, the investigation pane below, one confirmed action per fix.

Workers invariant: the scan, the investigation reads and the remedies run in
`exit_on_error=False` workers that only post messages; the handlers here update the
`Board` and repaint. Destructive actions open `ConfirmScreen` (focused on Cancel). In
read-only mode the fix key is not offered, and the service refuses anyway.

`reload()` is what the main app's auto-refresh calls on the screen on top.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList

from synctui.domain.models import Capability
from synctui.services.triage import (
    Attention,
    describe_remedy,
    missing_capabilities,
    plan_scan,
    run_remedy,
    scan,
)
from synctui.ui import readonly_keys
from synctui.ui.triage.board import Board, Key
from synctui.ui.triage.confirm import RemedyConfirm
from synctui.ui.triage.header import AttentionHeader
from synctui.ui.triage.investigation import InvestigationPane, PaneState
from synctui.ui.triage.list import AttentionList
from synctui.ui.triage.messages import (
    AccountScanned,
    Investigation,
    InvestigationLoaded,
    RemedyDone,
    ScanStarted,
)
from synctui.ui.widgets.prompt_bar import PromptBar
from synctui.ui.widgets.toggles import Checkbox

Clock = Callable[[], datetime]
RUNS_SHOWN = 10
JOURNAL_SHOWN = 50
TALL_ENOUGH = 30  # below this many rows the pane starts hidden (80×24 over SSH)


def utc_now() -> datetime:
    return datetime.now(UTC)


class AttentionScreen(Screen[None]):
    """Paused, disabled, failing, legacy and stuck syncs of every account, with fixes."""

    help_title = "attention"
    AUTO_FOCUS = "#attention"
    WRITE_ACTIONS = frozenset({"fix"})  # unbound in read-only mode; the app says why

    BINDINGS = [
        Binding("f,enter", "fix", "Fix", key_display="f/⏎", id="triage.fix"),
        Binding("t", "toggle_trigger", "Trigger too", id="triage.trigger"),
        Binding("r", "refresh", "Refresh", id="triage.refresh"),
        Binding("i", "toggle_pane", "Investigate", id="triage.investigate"),
        Binding("slash", "filter", "Filter", key_display="/", id="triage.filter"),
        Binding("escape", "back", "Back", key_display="esc", id="triage.back"),
    ]

    DEFAULT_CSS = """
    AttentionScreen { layout: vertical; }
    AttentionScreen.-no-pane InvestigationPane { display: none; }
    """

    def __init__(self, session: Any, *, clock: Clock | None = None) -> None:
        super().__init__()
        self.session = session
        self.clock: Clock = clock or utc_now
        self.board = Board()
        self.trigger_now = True
        self.investigations: dict[Key, Investigation] = {}
        self.outcomes: dict[Key, str] = {}
        self.fixing: set[Key] = set()
        self._pane_chosen = False
        self._offered: tuple[bool | None, ...] = ()

    # --- composition ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield AttentionHeader(locked=self.session.readonly, id="header")
        yield AttentionList(id="attention")
        yield InvestigationPane(id="investigation")
        yield PromptBar(placeholder="filter: words, !not, ~fuzzy, field=value", id="filter")
        yield Footer(compact=True)

    @property
    def list(self) -> AttentionList:
        return self.query_one("#attention", AttentionList)

    @property
    def pane(self) -> InvestigationPane:
        return self.query_one("#investigation", InvestigationPane)

    def on_mount(self) -> None:
        self.set_class(self.app.size.height < TALL_ENOUGH, "-no-pane")
        self.pane.show_text("Scanning accounts…")
        self._paint()
        self.reload()

    def on_resize(self) -> None:
        if not self._pane_chosen:
            self.set_class(self.app.size.height < TALL_ENOUGH, "-no-pane")

    # --- scanning ---------------------------------------------------------------------------
    def reload(self) -> None:
        """Scan every account again (r, auto-refresh); rows update account by account."""
        self.board.generation += 1
        self.investigations.clear()
        self.run_worker(
            partial(
                self._scan,
                self.board.generation,
                [a.name for a in self.session.accounts],
                set(self.board.recovering),
            ),
            name="attention scan",
            group="triage-scan",
            exclusive=True,
            exit_on_error=False,
        )
        self._paint_header()

    async def _scan(self, generation: int, names: list[str], watch: set[Key]) -> None:
        try:
            wanted, failed = await asyncio.to_thread(plan_scan, self.session, names)
            self.post_message(ScanStarted(generation, wanted + [f.account for f in failed]))
            for done in failed:
                self.post_message(AccountScanned(generation, done))
            await scan(
                self.session,
                wanted,
                self.clock(),
                progress=lambda done: self.post_message(AccountScanned(generation, done)),
                watch=watch,
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug must not take the screen down: say it, keep going
            self.post_message(ScanStarted(generation, []))
            self.notify(f"scan failed: {exc}", severity="error")

    def on_scan_started(self, message: ScanStarted) -> None:
        if message.generation == self.board.generation:
            self.board.accounts = list(message.accounts)
            self.board.pending = set(message.accounts)
            self._paint_header()

    def on_account_scanned(self, message: AccountScanned) -> None:
        for note in self.board.apply(message.generation, message.result, self.clock()):
            self.notify(note, severity="error" if note.startswith("✖") else "information")
        self._paint()

    # --- painting ---------------------------------------------------------------------------
    def _paint(self) -> None:
        self._paint_header()
        board, now = self.board, self.clock()
        lines = board.lines(now)  # also says whether the filter is malformed
        if board.loading and not board.items and not board.failures:
            empty = "Scanning accounts…"
        elif board.filter_error is not None:
            empty = f"Filter error: {board.filter_error} — Esc clears it"
        elif board.filter_text:
            empty = f"No syncs match the filter {board.filter_text!r} — Esc clears it"
        else:
            total = sum(board.scanned.values())
            empty = f"✔ Nothing needs a person: {total} syncs checked"
        self.list.show_lines(lines, empty)
        self._paint_pane()

    def _paint_header(self) -> None:
        names = [a.name for a in self.session.accounts]
        self.query_one("#header", AttentionHeader).show(self.board, names)

    def _paint_pane(self) -> None:
        key = self.list.current_key
        pane = self.pane
        if key is None:
            account = self.list.current_failure
            if account is not None:
                pane.show_text(
                    f"{account} could not be read: {self.board.failures.get(account, '')}"
                )
            else:
                pane.show_text("Select a sync to see why it needs a person and how to fix it.")
            return
        item = self.board.item(key)
        if item is None:
            return
        pane.show(self._pane_state(item), self.clock(), self.trigger_now)

    def _pane_state(self, item: Attention) -> PaneState:
        key = item.key
        missing: tuple[str, ...] = ()
        if item.remedy is not None:
            missing = tuple(missing_capabilities(self._capabilities(key[0]), item.remedy))
        try:
            workspace = self.session.account(key[0]).workspace
        except Exception:
            workspace = None
        return PaneState(
            item=item,
            investigation=self.investigations.get(key),
            recovery=self.board.recovering.get(key),
            fix_error=self.board.fix_errors.get(key),
            outcome=self.outcomes.get(key),
            readonly=self.session.readonly,
            missing=missing,
            workspace=workspace,
        )

    def _capabilities(self, account: str) -> frozenset[Capability]:
        try:
            return frozenset(self.session.capabilities(account))
        except Exception:
            return frozenset()

    # --- selection and investigation --------------------------------------------------------
    @on(OptionList.OptionHighlighted, "#attention")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        key = self.list.current_key
        self._paint_pane()
        if key is not None and key not in self.investigations and not self.has_class("-no-pane"):
            self._investigate(key)
        self._refresh_offers()

    @on(OptionList.OptionSelected, "#attention")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if self.session.readonly and self._current_item() is not None:
            readonly_keys.say_refused(self.app, "Fix")
        elif self.check_action("fix", ()):
            self.action_fix()

    def _investigate(self, key: Key) -> None:
        self.run_worker(
            partial(self._load_investigation, key),
            name=f"investigate {key[1]}",
            group="triage-investigate",
            exclusive=True,
            exit_on_error=False,
        )

    async def _load_investigation(self, key: Key) -> None:
        account, sync_id = key
        runs: list[Any] | None = None
        entries: list[Any] | None = None
        problems: list[str] = []
        if Capability.RUNS in self._capabilities(account):
            try:
                runs = await self.session.list_runs(account, sync_id, RUNS_SHOWN)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                problems.append(f"runs could not be read: {exc}")
        try:
            journal = self.session.journal
            if journal is not None:
                entries = await asyncio.to_thread(
                    journal.list, account=account, sync_id=sync_id, limit=JOURNAL_SHOWN
                )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            problems.append(f"journal could not be read: {exc}")
        self.post_message(InvestigationLoaded(key, Investigation(runs, entries, tuple(problems))))

    def on_investigation_loaded(self, message: InvestigationLoaded) -> None:
        self.investigations[message.key] = message.investigation
        if self.list.current_key == message.key:
            self._paint_pane()

    # --- fixing -----------------------------------------------------------------------------
    def _current_item(self) -> Attention | None:
        key = self.list.current_key
        if key is None or key in self.board.recovering:
            return None
        return self.board.items.get(key)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "fix":
            if self.session.readonly:
                return False  # not offered at all in read-only mode
            item = self._current_item()
            if item is None or item.remedy is None or item.key in self.fixing:
                return None  # shown, greyed
            return (
                not missing_capabilities(self._capabilities(item.sync.account), item.remedy) or None
            )
        if action == "toggle_trigger":
            item = self._current_item()
            ok = item is not None and item.remedy is not None and item.remedy.trigger_optional
            return bool(ok and not self.session.readonly)
        return True

    def _refresh_offers(self) -> None:
        """Footer and help follow what can be done on this row; recomposing the footer on
        every cursor move is costly, so only when the answer changes."""
        offered = (self.check_action("fix", ()), self.check_action("toggle_trigger", ()))
        if offered != self._offered:
            self._offered = offered
            self.refresh_bindings()

    def action_fix(self) -> None:
        item = self._current_item()
        if item is None or item.remedy is None or self.session.readonly:
            return
        try:
            workspace = self.session.account(item.sync.account).workspace
        except Exception:
            workspace = None
        trigger = self.trigger_now
        question = describe_remedy(item, trigger=trigger, workspace=workspace)

        def answered(yes: bool | None) -> None:
            if yes:
                self.fixing.add(item.key)
                self._refresh_offers()
                self.run_worker(
                    partial(self._fix, item, trigger),
                    name=f"fix {item.sync.id}",
                    group=f"triage-fix:{item.sync.account}:{item.sync.id}",
                    exclusive=True,
                    exit_on_error=False,
                )

        self.app.push_screen(RemedyConfirm(question, "Fix"), answered)

    async def _fix(self, item: Attention, trigger: bool) -> None:
        try:
            outcome = await run_remedy(self.session, item, trigger=trigger)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.post_message(RemedyDone(item.key, None, exc))
        else:
            self.post_message(RemedyDone(item.key, outcome, None))

    def on_remedy_done(self, message: RemedyDone) -> None:
        key = message.key
        self.fixing.discard(key)
        self.investigations.pop(key, None)
        item = self.board.item(key)
        name = item.sync.name if item else key[1]
        if message.outcome is not None:
            self.board.fixed(message.outcome.recovery)
            self.outcomes[key] = message.outcome.recovery.message
            self.notify(f"{name}: {message.outcome.recovery.message}", title="Fix sent")
        else:
            error = str(message.error) or message.error.__class__.__name__
            self.board.fix_failed(key, error)
            self.outcomes.pop(key, None)
            self.notify(f"{name}: {error}", title="Fix failed", severity="error", timeout=8)
        self._paint()
        self._refresh_offers()

    def action_toggle_trigger(self) -> None:
        self.trigger_now = not self.trigger_now
        self._paint_pane()

    @on(Checkbox.Changed, "#inv-trigger")
    def _trigger_clicked(self, event: Checkbox.Changed) -> None:
        self.trigger_now = event.value

    # --- other keys -------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.reload()

    def action_toggle_pane(self) -> None:
        self._pane_chosen = True
        self.toggle_class("-no-pane")
        key = self.list.current_key
        if not self.has_class("-no-pane") and key is not None and key not in self.investigations:
            self._investigate(key)

    def action_filter(self) -> None:
        self.query_one("#filter", PromptBar).open(self.board.filter_text)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.board.filter_text = event.value
        self._paint()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#filter", PromptBar).close()
        self.list.focus()

    @on(PromptBar.Cancelled)
    def _filter_cancelled(self, event: PromptBar.Cancelled) -> None:
        self._clear_filter()

    def _clear_filter(self) -> None:
        bar = self.query_one("#filter", PromptBar)
        bar.value = ""
        bar.close()
        self.board.filter_text = ""
        self._paint()
        self.list.focus()

    def action_back(self) -> None:
        if self.board.filter_text:
            self._clear_filter()
        elif len(self.app.screen_stack) > 1:
            self.dismiss(None)
        else:
            self.app.exit()
