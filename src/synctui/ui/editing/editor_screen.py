"""`e` on a sync: its vendor's form and a raw JSON mode over one draft, then a safe save.

The screen edits a `Draft` from the app's store, never a document of its own, so leaving and
coming back (or switching to another screen) loses nothing. Saving is: plan (the adapter
validates and says exactly what it will send) → preview → confirm → send, each vendor call in
a worker bound to this screen that only posts messages. A failed save leaves the draft open
with the error; a conflict offers to re-apply the change on the fresh version, to overwrite,
or to keep editing; a legacy Speckle sync is migrated first when the person agrees.
"""

from __future__ import annotations

import asyncio
import copy
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from synctui.domain import errors
from synctui.domain.diff import changed_paths, summarize
from synctui.domain.merge_patch import apply_merge_patch, json_equal
from synctui.domain.models import Capability, Sync, WritePlan
from synctui.domain.validation import ValidationIssue
from synctui.services.vendor_rules import rules_for, title_of
from synctui.ui.dialogs.confirm import ConfirmScreen
from synctui.ui.dialogs.conflict import ConflictScreen
from synctui.ui.editing.document import build_patch, local_issues
from synctui.ui.editing.drafts import Draft
from synctui.ui.editing.form_base import DocForm
from synctui.ui.editing.forms import form_for
from synctui.ui.editing.glue import drafts_of, refresh_detail, show_sync
from synctui.ui.editing.json_editor import JsonEditor
from synctui.ui.editing.messages import Planned, Saved, SyncLoaded
from synctui.ui.editing.preview_screen import PreviewScreen
from synctui.ui.widgets.status_line import StatusLine, status_text

if TYPE_CHECKING:
    from synctui.ui.host import Tui


class EditorScreen(Screen[None]):
    help_title = "edit sync"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save…", id="editor.save"),
        Binding("ctrl+o", "toggle_mode", "Form/JSON", id="editor.mode"),
        Binding("ctrl+r", "discard", "Discard draft", id="editor.discard"),
        Binding("escape", "back", "Back (keeps draft)", id="editor.back"),
    ]

    DEFAULT_CSS = """
    EditorScreen TabbedContent { height: 1fr; }
    EditorScreen TabPane { padding: 0; }
    EditorScreen #form-scroll { height: 1fr; }
    EditorScreen #problems {
        height: auto; max-height: 4; padding: 0 1; background: $panel;
    }
    EditorScreen #problems.-bad { color: $text-error; }
    """

    def __init__(self, sync: Sync) -> None:
        super().__init__()
        self.sync = sync
        self.key = sync.key
        self.vendor = sync.vendor
        self.draft: Draft | None = None
        self.issues: list[ValidationIssue] = []
        self.state = "loading"  # loading | ready | planning | saving | failed
        self.message = ""
        self._plan_base: Sync | None = None
        self._switching = False
        self._accepted_casts: set[str] | None = None

    @property
    def accepted_casts(self) -> set[str]:
        """Type casts the vendor's own syncs use (loaded in this session): the
        evidence, beyond its documentation, of what a type cast may be. Computed once."""
        if self._accepted_casts is None:
            rules = rules_for(self.vendor)
            found: set[str] = set()
            for entry in self.tui.catalog.entries.values():
                if entry.account.vendor == self.vendor:
                    for sync in entry.syncs.values():
                        found |= rules.type_casts(sync.raw)
            self._accepted_casts = found
        return self._accepted_casts

    @property
    def tui(self) -> Tui:
        return self.app  # type: ignore[return-value]

    # --- composition ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusLine(locked=self.tui.session.readonly, id="status")
        form = form_for(self.vendor)
        with TabbedContent(id="modes", initial="form-pane" if form else "json-pane"):
            if form is not None:
                with TabPane("Form", id="form-pane"), VerticalScroll(id="form-scroll"):
                    yield form
            with TabPane("JSON", id="json-pane"):
                yield JsonEditor(id="json")
        yield Static("", id="problems")
        yield Footer(compact=True)

    @property
    def form(self) -> DocForm | None:
        found = self.query("#form")
        return found.first(DocForm) if found else None

    @property
    def json_editor(self) -> JsonEditor:
        return self.query_one("#json", JsonEditor)

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#modes", TabbedContent)

    def on_mount(self) -> None:
        draft = drafts_of(self.app).get(self.key)
        if draft is not None:
            self.draft = draft
            self.state = "ready"
            self._show_draft()
        else:
            self._load("open")
        self.show_status()

    def on_screen_resume(self) -> None:
        self.show_status()

    # --- loading --------------------------------------------------------------------------
    @work(group="editor-load", exclusive=True, exit_on_error=False)
    async def _load(self, purpose: str, migrate: bool = False) -> None:
        """Read the full sync (lists may hold summaries) and its editable document."""
        account, sync_id = self.key
        session = self.tui.session
        self.state = "loading"
        self.show_status()
        try:
            if migrate:
                await session.migrate(account, sync_id)
            sync = await session.get_sync(account, sync_id)
            before = session.adapter(account).editable(sync)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # shown on the screen, never a crash
            self.post_message(SyncLoaded(purpose, None, None, exc))
        else:
            self.post_message(SyncLoaded(purpose, sync, before))

    def on_sync_loaded(self, message: SyncLoaded) -> None:
        message.stop()
        purpose = message.purpose
        if message.error is not None or message.sync is None or message.before is None:
            self._load_failed(purpose, message.error)
            return
        sync, before = message.sync, message.before
        self.sync = sync
        show_sync(self.tui, sync)
        store = drafts_of(self.app)
        draft = self.draft
        if purpose in ("open", "migrated") or draft is None:
            draft = Draft(base=sync, before=before, after=_copy(before))
            self.draft = draft
            store.put(draft)
            self.state = "ready"
            self._show_draft()
            if purpose == "migrated":
                self.notify(f"{sync.name}: migrated; you can edit it now")
            return
        patch = draft.patch()
        if purpose == "reapply":
            self._plan("reapply", sync, patch)
        elif purpose == "overwrite":
            mine = _copy(draft.after)
            draft.rebase(sync, before, mine)
            self._show_draft()
            self._plan("overwrite", sync, build_patch(before, mine))
        elif purpose == "retry":
            draft.rebase(sync, before, apply_merge_patch(before, patch))
            self._show_draft()
            self._plan("save", sync, draft.patch())

    def _load_failed(self, purpose: str, error: BaseException | None) -> None:
        self.state = "failed" if self.draft is None else "ready"
        if isinstance(error, errors.NeedsMigration) and not self.tui.session.readonly:
            self.message = f"{self.sync.name} is a legacy sync: it must be migrated first"
            self.show_problems()
            question = (
                f"{self.sync.name!r} is a legacy {title_of(self.vendor)} sync and cannot be "
                "edited until it is "
                "migrated. Migrate it now? A migration cannot be undone."
            )
            retry = "retry" if purpose == "retry" else "migrated"
            self.app.push_screen(
                ConfirmScreen(question, "Migrate"),
                lambda yes: self._load(retry, migrate=True) if yes else None,
            )
        else:
            self.message = f"cannot load {self.sync.name}: {error}"
            self.notify(str(error), title="Cannot edit", severity="error")
        self.show_problems()
        self.show_status()

    # --- showing the draft ------------------------------------------------------------------
    def _show_draft(self) -> None:
        draft = self.draft
        if draft is None:
            return
        form = self.form
        if form is not None:
            form.load(draft.after, draft.before)
        wants_json = draft.mode == "json" or draft.text is not None or form is None
        self._switching = True
        self.tabs.active = "json-pane" if wants_json else "form-pane"
        self.call_after_refresh(self._switched)
        if wants_json:
            self.json_editor.load(draft.after, draft.text)
        self._recheck()
        self.call_after_refresh(self._focus_first)

    def _switched(self) -> None:
        self._switching = False

    def _focus_first(self) -> None:
        if self.tabs.active == "json-pane":
            self.json_editor.area.focus()
        elif self.form is not None:
            chain = [w for w in self.focus_chain if self.form in w.ancestors]
            if chain:
                chain[0].focus()

    def _recheck(self) -> None:
        draft = self.draft
        if draft is None:
            return
        self.issues = local_issues(
            self.vendor, draft.before, draft.after, accepted_casts=self.accepted_casts
        )
        if self.form is not None:
            self.form.show_issues(self.issues)
        drafts_of(self.app).touched(self.key)
        self.show_problems()
        self.show_status()
        self.refresh_bindings()

    def show_problems(self) -> None:
        line = self.query_one("#problems", Static)
        draft = self.draft
        bad = True
        if draft is None:
            text = Content(self.message or "loading…")
        elif draft.text is not None and self.json_editor.problem is not None:
            text = Content(f"✗ invalid JSON at {self.json_editor.problem} — fix it to save")
        elif self.issues:
            text = Content("\n").join(Content(f"✗ {i.message}") for i in self.issues[:3])
        elif draft.error:
            text = Content(f"✗ last save failed: {draft.error}  (your edit is kept)")
        else:
            bad = False
            changes = changed_paths(draft.before, draft.after)
            text = Content.assemble(
                ("✓ " if changes else "", "$text-success"),
                summarize(changes, limit=4),
                ("  — ctrl+s to preview and save" if changes else "", "dim"),
            )
        line.update(text)
        line.set_class(bad, "-bad")

    def show_status(self) -> None:
        if not self.is_mounted:
            return
        draft = self.draft
        doing = {"loading": "loading…", "planning": "planning…", "saving": "saving…"}
        text = status_text(
            "edit",
            self.sync.account,
            (self.sync.name, "bold"),
            ("* unsaved draft", "$text-warning") if draft is not None and draft.dirty else None,
            (doing[self.state], "$text-accent") if self.state in doing else None,
        )
        self.query_one("#status", StatusLine).show(text)

    # --- edits ------------------------------------------------------------------------------
    def on_doc_form_edited(self, event: DocForm.Edited) -> None:
        event.stop()
        draft = self.draft
        if draft is None or self.tabs.active != "form-pane":
            return
        after = event.form.write(draft.after)
        if json_equal(after, draft.after):
            return
        draft.after = after
        draft.error = None
        self._recheck()

    def on_json_editor_edited(self, event: JsonEditor.Edited) -> None:
        event.stop()
        draft = self.draft
        if draft is None:
            return
        if event.doc is None:
            draft.text = event.editor.text
        else:
            draft.text = None
            draft.after = event.doc
            draft.error = None
        self._recheck()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        event.stop()
        draft = self.draft
        if self._switching or draft is None:
            return
        if event.pane.id == "form-pane":
            if draft.text is not None:
                self.notify(
                    "the JSON does not parse; fix it (or ctrl+r to discard) before the form",
                    severity="warning",
                )
                self._switching = True
                self.tabs.active = "json-pane"
                self.call_after_refresh(self._switched)
                return
            draft.mode = "form"
            if self.form is not None:
                self.form.load(draft.after, draft.before)
        else:
            draft.mode = "json"
            self.json_editor.load(draft.after, draft.text)
        self._recheck()

    def action_toggle_mode(self) -> None:
        if self.form is None:
            return
        self.tabs.active = "json-pane" if self.tabs.active == "form-pane" else "form-pane"
        self.call_after_refresh(self._focus_first)

    # --- saving -----------------------------------------------------------------------------
    def can_save(self) -> bool:
        draft = self.draft
        return (
            draft is not None
            and self.state == "ready"
            and draft.text is None
            and not self.issues
            and draft.dirty
            and not self.tui.session.readonly
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            if self.tui.session.readonly:
                return False
            return True if self.can_save() else None
        if action == "discard":
            return self.draft is not None and self.state != "saving"
        if action == "toggle_mode":
            return self.form is not None
        return True

    def action_save(self) -> None:
        draft = self.draft
        if draft is None or not self.can_save():
            return
        self._plan("save", draft.base, draft.patch(), draft.trigger_now)

    def _plan(self, purpose: str, sync: Sync, patch: dict[str, Any], trigger: bool = False) -> None:
        self._plan_base = sync
        self.state = "planning"
        self.show_status()
        self._plan_worker(purpose, sync, patch, trigger)

    @work(group="editor-plan", exclusive=True, exit_on_error=False)
    async def _plan_worker(
        self, purpose: str, sync: Sync, patch: dict[str, Any], trigger: bool
    ) -> None:
        try:
            plan = await self.tui.session.plan_update(
                sync.account, sync, patch, trigger_now=trigger
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.post_message(Planned(purpose, None, exc))
        else:
            self.post_message(Planned(purpose, plan))

    def on_planned(self, message: Planned) -> None:
        message.stop()
        self.state = "ready"
        draft = self.draft
        if message.error is not None or message.plan is None or draft is None:
            self._failed(message.error)
            return
        plan = message.plan
        base = self._plan_base or draft.base
        if message.purpose == "reapply":
            draft.rebase(base, plan.before, plan.after)
            self._show_draft()
        self.show_status()
        if plan.empty:
            self.notify("nothing to change: the sync already has these values")
            return
        self.app.push_screen(
            PreviewScreen(
                plan,
                title=f"Save {self.sync.name}",
                can_trigger=Capability.TRIGGER in self.tui.capabilities_of(self.key[0]),
                replan=partial(self._replan, base, plan.patch),
                overwrite=message.purpose == "overwrite",
            ),
            self._confirmed,
        )

    async def _replan(self, base: Sync, patch: dict[str, Any], trigger: bool) -> WritePlan:
        """Called from the preview's worker when "trigger now" is ticked or unticked."""
        return await self.tui.session.plan_update(base.account, base, patch, trigger_now=trigger)

    def _confirmed(self, plan: WritePlan | None) -> None:
        if plan is None or self.draft is None:
            return
        self.draft.trigger_now = plan.trigger_now
        self.state = "saving"
        self.show_status()
        self.refresh_bindings()
        self._apply(plan)

    @work(group="editor-save", exclusive=True, exit_on_error=False)
    async def _apply(self, plan: WritePlan) -> None:
        try:
            result = await self.tui.session.apply_plan(plan)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.post_message(Saved(plan, None, exc))
        else:
            self.post_message(Saved(plan, result, None))

    def on_saved(self, message: Saved) -> None:
        message.stop()
        self.state = "ready"
        self.refresh_bindings()
        if message.error is not None or message.result is None:
            self._failed(message.error)
            return
        result, plan = message.result, message.plan
        if not result.ok:
            self._failed(errors.VendorError(result.message))
            return
        drafts_of(self.app).discard(self.key)
        self.draft = None
        if result.sync is not None:
            show_sync(self.tui, result.sync)
        else:
            self.tui.load_account(self.key[0])
        note = result.message
        if result.pending:
            note += " (accepted; the vendor applies it in a moment)"
        summary = f" — {plan.summary}" if plan is not None else ""
        self.notify(f"{self.sync.name}: {note}{summary}", title="Saved")
        refresh_detail(self.tui, self.key)
        self.dismiss(None)

    def _failed(self, error: BaseException | None) -> None:
        """A plan or a save failed: keep the draft, say why, offer the way on."""
        draft = self.draft
        self.state = "ready"
        if draft is None:
            self.show_status()
            return
        draft.error = str(error) if error is not None else "unknown failure"
        if isinstance(error, errors.Conflict):
            self.app.push_screen(ConflictScreen(str(error)), self._conflict_choice)
        elif isinstance(error, errors.NeedsMigration) and not self.tui.session.readonly:
            question = (
                f"{self.sync.name!r} must be migrated from {title_of(self.vendor)}'s legacy "
                "storage before it "
                "can be changed. Migrate it now, then retry this save? A migration cannot be "
                "undone."
            )
            self.app.push_screen(
                ConfirmScreen(question, "Migrate and retry"),
                lambda yes: self._load("retry", migrate=True) if yes else None,
            )
        else:
            if isinstance(error, errors.ValidationFailed) and self.form is not None:
                issues = [i for i in error.issues if isinstance(i, ValidationIssue)]
                self.form.show_issues(issues)
            self.notify(draft.error, title="Save failed — your edit is kept", severity="error")
        self.show_problems()
        self.show_status()
        self.refresh_bindings()

    def _conflict_choice(self, choice: str | None) -> None:
        if choice == "reapply":
            self._load("reapply")
        elif choice == "overwrite":
            self._load("overwrite")

    # --- leaving ----------------------------------------------------------------------------
    def action_back(self) -> None:
        if self.state == "saving":
            self.notify("saving… wait for the answer before leaving", severity="warning")
            return
        draft = self.draft
        if draft is not None and not draft.dirty:
            drafts_of(self.app).discard(self.key)
        elif draft is not None:
            self.notify(f"draft of {self.sync.name} kept: e reopens it", timeout=3)
        self.dismiss(None)

    def action_discard(self) -> None:
        draft = self.draft
        if draft is None:
            return
        if not draft.dirty:
            self._discarded(True)
            return
        self.app.push_screen(
            ConfirmScreen(
                f"Discard your changes to {self.sync.name!r} and reload it from the server? "
                "What you typed is lost.",
                "Discard",
            ),
            self._discarded,
        )

    def _discarded(self, yes: bool | None) -> None:
        if not yes:
            return
        drafts_of(self.app).discard(self.key)
        self.draft = None
        self._load("open")


def _copy(doc: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(doc)
