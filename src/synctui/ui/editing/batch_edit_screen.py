"""`E` with rows marked: one change for all of them — a small form or a JSON merge patch.

Nothing is sent from here. "Preview" runs the batch as a dry run (every sync planned by its
adapter, in a worker) and shows what each sync would send; only after that is confirmed does
the batch run, on its own screen with progress, cancel and retry.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Select, Static, TabbedContent, TabPane

from synctui.domain.merge_patch import MergePatchError, require_object_patch
from synctui.domain.models import Capability, Sync
from synctui.services.batch import BatchUpdate
from synctui.ui.editing.batch_fields import (
    BATCH_FIELDS,
    CLEAR,
    BatchField,
    apply_field,
    field_value,
)
from synctui.ui.editing.batch_preview_screen import BatchPreviewScreen
from synctui.ui.editing.batch_run_screen import BatchRunScreen
from synctui.ui.editing.json_editor import JsonEditor
from synctui.ui.editing.messages import BatchPlanned
from synctui.ui.widgets.status_line import StatusLine
from synctui.ui.widgets.toggles import Checkbox

if TYPE_CHECKING:
    from synctui.ui.host import Tui

CONCURRENCY = None  # adaptive per account (services.pacing); a number pins it


class BatchEditScreen(Screen[None]):
    help_title = "batch edit"

    BINDINGS = [
        Binding("ctrl+s", "preview", "Preview…", id="batch.preview"),
        Binding("ctrl+o", "toggle_mode", "Form/JSON", id="batch.mode"),
        Binding("escape", "back", "Back", id="batch.back"),
    ]

    DEFAULT_CSS = """
    BatchEditScreen #batch-head { height: auto; padding: 0 1; }
    BatchEditScreen TabbedContent { height: 1fr; }
    BatchEditScreen .bf { height: auto; padding: 0 1; }
    BatchEditScreen .bf Label { width: 20; color: $text-muted; }
    BatchEditScreen .bf Select, BatchEditScreen .bf Input { width: 1fr; }
    BatchEditScreen #trigger-row { height: auto; padding: 0 1; }
    BatchEditScreen #batch-problems { height: auto; padding: 0 1; background: $panel; }
    BatchEditScreen #batch-problems.-bad { color: $text-error; }
    """

    def __init__(self, targets: list[Sync]) -> None:
        super().__init__()
        self.targets = targets
        self.vendors = sorted({s.vendor for s in targets})
        self.fields: tuple[BatchField, ...] = (
            BATCH_FIELDS.get(self.vendors[0], ()) if len(self.vendors) == 1 else ()
        )
        self.patch: dict[str, Any] = {}
        self.json_problem: str | None = None
        self.planning = False

    @property
    def tui(self) -> Tui:
        return self.app  # type: ignore[return-value]

    @property
    def can_trigger(self) -> bool:
        accounts = {s.account for s in self.targets}
        return all(Capability.TRIGGER in self.tui.capabilities_of(a) for a in accounts)

    def compose(self) -> ComposeResult:
        yield StatusLine(locked=self.tui.session.readonly, id="status")
        accounts = sorted({s.account for s in self.targets})
        yield Static(
            f"{len(self.targets)} marked syncs in {', '.join(accounts)} — one change for all",
            id="batch-head",
            markup=False,
        )
        with TabbedContent(id="batch-modes", initial="bform" if self.fields else "bjson"):
            if self.fields:
                with TabPane("Form", id="bform"), VerticalScroll():
                    for field in self.fields:
                        yield self._field_widget(field)
            with TabPane("JSON patch", id="bjson"):
                yield JsonEditor(id="patch-json")
        with Horizontal(id="trigger-row"):
            if self.can_trigger:
                yield Checkbox(
                    "Trigger a run now on each (paused syncs are skipped and reported)",
                    compact=True,
                    id="trigger",
                )
        yield Static("", id="batch-problems")
        yield Footer(compact=True)

    def _field_widget(self, field: BatchField) -> Vertical:
        if field.kind == "choice":
            options = [(c, c) for c in field.choices]
            widget: Any = Select(options, prompt="(leave as is)", compact=True, id=field.id)
        else:
            widget = Input(placeholder="(leave as is)", compact=True, id=field.id)
        children: list[Any] = [Label(field.label), widget]
        if field.clearable:
            children.append(Checkbox("clear (null)", compact=True, id=field.id + "-clear"))
        return Vertical(Horizontal(*children, classes="bf"), classes="bf")

    def on_mount(self) -> None:
        self.query_one("#patch-json", JsonEditor).load(self.patch)
        self._show_status()
        self._recheck()
        first = f"#{self.fields[0].id}" if self.fields else "#json-area"
        self.call_after_refresh(self.query_one(first).focus)

    def _show_status(self) -> None:
        parts: list[Content | str | tuple[str, str]] = [
            (" synctui", "bold $text-accent"),
            " │ batch edit │ ",
            (f"{len(self.targets)} syncs", "bold"),
        ]
        if self.planning:
            parts += [" │ ", ("planning every sync…", "$text-accent")]
        self.query_one("#status", StatusLine).show(Content.assemble(*parts))

    # --- the patch ------------------------------------------------------------------------------
    def _form_changed(self) -> None:
        patch = dict(self.patch)
        for field in self.fields:
            patch = apply_field(patch, field, self._form_value(field))
        self.patch = patch
        self.query_one("#patch-json", JsonEditor).load(self.patch)
        self._recheck()

    def _form_value(self, field: BatchField) -> str | None:
        if field.clearable and self.query_one(f"#{field.id}-clear", Checkbox).value:
            return CLEAR
        if field.kind == "choice":
            value = self.query_one(f"#{field.id}", Select).value
            return None if value is Select.NULL else str(value)
        text = self.query_one(f"#{field.id}", Input).value
        return text or None

    def _load_form(self) -> None:
        for field in self.fields:
            value = field_value(self.patch, field)
            if field.clearable:
                self.query_one(f"#{field.id}-clear", Checkbox).value = value == CLEAR
            if value == CLEAR:
                continue
            if field.kind == "choice":
                select = self.query_one(f"#{field.id}", Select)
                if value in field.choices:
                    select.value = value
                else:
                    select.clear()
            else:
                self.query_one(f"#{field.id}", Input).value = value or ""

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if self.query_one("#batch-modes", TabbedContent).active == "bform":
            self._form_changed()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.query_one("#batch-modes", TabbedContent).active == "bform":
            self._form_changed()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        if event.checkbox.id != "trigger" and (
            self.query_one("#batch-modes", TabbedContent).active == "bform"
        ):
            self._form_changed()
        self._recheck()

    def on_json_editor_edited(self, event: JsonEditor.Edited) -> None:
        event.stop()
        if event.doc is None:
            self.json_problem = str(event.problem)
        else:
            self.json_problem = None
            self.patch = event.doc
        self._recheck()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        event.stop()
        if event.pane.id == "bform" and self.json_problem is None:
            self._load_form()

    def action_toggle_mode(self) -> None:
        if self.fields:
            tabs = self.query_one("#batch-modes", TabbedContent)
            tabs.active = "bjson" if tabs.active == "bform" else "bform"

    def trigger_now(self) -> bool:
        found = self.query("#trigger")
        return bool(found) and found.first(Checkbox).value

    def problem(self) -> str | None:
        if self.json_problem is not None:
            return f"invalid JSON at {self.json_problem}"
        try:
            require_object_patch(self.patch)
        except MergePatchError as exc:
            return str(exc)
        if not self.patch and not self.trigger_now():
            return "choose a change (or trigger now)"
        return None

    def _recheck(self) -> None:
        line = self.query_one("#batch-problems", Static)
        problem = self.problem()
        if problem:
            line.update(Content(f"✗ {problem}"))
        else:
            line.update(
                Content.assemble(
                    ("✓ patch: ", "$text-success"),
                    _one_line(self.patch),
                    (" + trigger now" if self.trigger_now() else "", "bold"),
                    ("  — ctrl+s to preview every sync", "dim"),
                )
            )
        line.set_class(problem is not None, "-bad")
        self.refresh_bindings()

    # --- preview: a dry run ---------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "preview":
            if self.tui.session.readonly:
                return False
            return (self.problem() is None and not self.planning) or None
        if action == "toggle_mode":
            return bool(self.fields)
        return True

    def action_preview(self) -> None:
        if self.problem() is not None or self.planning:
            return
        self.planning = True
        self._show_status()
        self.refresh_bindings()
        self._dry_run(dict(self.patch), self.trigger_now())

    @work(group="batch-plan", exclusive=True, exit_on_error=False)
    async def _dry_run(self, patch: dict[str, Any], trigger: bool) -> None:
        try:
            batch = BatchUpdate(
                self.tui.session,
                self.targets,
                patch,
                trigger_now=trigger,
                concurrency=CONCURRENCY,
                dry_run=True,
            )
            results = await batch.run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.post_message(BatchPlanned(None, exc))
        else:
            self.post_message(BatchPlanned(results, None))

    def on_batch_planned(self, message: BatchPlanned) -> None:
        message.stop()
        self.planning = False
        self._show_status()
        self.refresh_bindings()
        if message.error is not None or message.results is None:
            self.notify(str(message.error), title="Cannot plan the batch", severity="error")
            return
        patch, trigger = dict(self.patch), self.trigger_now()
        self.app.push_screen(
            BatchPreviewScreen(message.results, patch, trigger),
            lambda go: self._start(patch, trigger) if go else None,
        )

    def _start(self, patch: dict[str, Any], trigger: bool) -> None:
        batch = BatchUpdate(
            self.tui.session, self.targets, patch, trigger_now=trigger, concurrency=CONCURRENCY
        )
        self.app.switch_screen(BatchRunScreen(batch))

    def action_back(self) -> None:
        self.dismiss(None)


def _one_line(patch: dict[str, Any]) -> str:
    text = json.dumps(patch, ensure_ascii=False)
    return text if len(text) <= 80 else text[:79] + "…"
