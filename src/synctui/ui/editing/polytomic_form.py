"""Polytomic sync form: name, mode, active, schedule (frequency and its time parts), fields.

A Polytomic update is a PUT of the whole object, built by the adapter from a fresh read with
this edit's merge patch applied — so fields this form does not show (filters, overrides,
target configuration, notifications) are carried over as they are on the server.
"""

from __future__ import annotations

import copy
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static

from synctui.domain.validation import POLYTOMIC_FREQUENCIES, POLYTOMIC_MODES
from synctui.ui.editing.form_base import DocForm, Field, select_value, set_select
from synctui.ui.editing.form_base import options as _options
from synctui.ui.editing.mapping import POLYTOMIC_MAPPING
from synctui.ui.editing.mapping_editor import MappingEditor
from synctui.ui.widgets.toggles import Checkbox

TIME_PARTS = ("minute", "hour", "day_of_week", "day_of_month", "month")
# Which time parts a frequency uses, so the form can say which ones matter.
USED_PARTS = {
    "hourly": ("minute",),
    "daily": ("hour", "minute"),
    "weekly": ("day_of_week", "hour", "minute"),
    "custom": TIME_PARTS,
}


class PolytomicForm(DocForm):
    vendor = "polytomic"

    DEFAULT_CSS = """
    PolytomicForm #time-parts { height: auto; padding-left: 20; }
    PolytomicForm #time-parts > Vertical { width: 1fr; height: auto; margin-right: 1; }
    PolytomicForm #time-parts Label { color: $text-muted; }
    PolytomicForm #time-hint { padding-left: 20; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Sync", classes="section")
        yield Field("Name", Input(compact=True, id="name"), name="name")
        yield Field(
            "Mode",
            Select(_options(POLYTOMIC_MODES), allow_blank=False, compact=True, id="mode"),
            name="mode",
            hint="create, update, updateOrCreate, replace, append, remove or snapshot",
        )
        yield Field(
            "Active", Checkbox("runs on schedule", compact=True, id="active"), name="active"
        )
        yield Field(
            "Frequency",
            Select(
                _options(POLYTOMIC_FREQUENCIES), allow_blank=False, compact=True, id="frequency"
            ),
            name="schedule",
        )
        with Horizontal(id="time-parts"):
            for part in TIME_PARTS:
                with Vertical():
                    yield Label(part.replace("_", " "))
                    yield Input(placeholder="-", compact=True, id=f"t-{part}")
        yield Static("", id="time-hint", markup=False)
        yield MappingEditor(POLYTOMIC_MAPPING, id="mapping")

    def load(self, doc: dict[str, Any], before: dict[str, Any]) -> None:
        self.query_one("#name", Input).value = str(doc.get("name") or "")
        set_select(
            self.query_one("#mode", Select), POLYTOMIC_MODES, doc.get("mode"), allow_blank=False
        )
        self.query_one("#active", Checkbox).value = doc.get("active") is True
        schedule = doc.get("schedule") if isinstance(doc.get("schedule"), dict) else {}
        set_select(
            self.query_one("#frequency", Select),
            POLYTOMIC_FREQUENCIES,
            schedule.get("frequency"),
            allow_blank=False,
        )
        for part in TIME_PARTS:
            value = schedule.get(part)
            self.query_one(f"#t-{part}", Input).value = "" if value is None else str(value)
        self._time_hint(schedule.get("frequency"))
        self.query_one(MappingEditor).load(doc.get("fields"), doc)

    def _time_hint(self, frequency: Any) -> None:
        used = USED_PARTS.get(str(frequency), ())
        text = (
            "uses: " + ", ".join(p.replace("_", " ") for p in used)
            if used
            else "no time parts for this frequency"
        )
        self.query_one("#time-hint", Static).update(text)

    def write(self, doc: dict[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(doc)
        name = self.query_one("#name", Input).value
        if name or "name" in doc:
            out["name"] = name
        mode = select_value(self.query_one("#mode", Select))
        if mode is not None:
            out["mode"] = mode
        out["active"] = self.query_one("#active", Checkbox).value
        schedule = (
            copy.deepcopy(doc.get("schedule")) if isinstance(doc.get("schedule"), dict) else {}
        )
        frequency = select_value(self.query_one("#frequency", Select))
        if frequency is not None:
            schedule["frequency"] = frequency
        for part in TIME_PARTS:
            value = self.query_one(f"#t-{part}", Input).value.strip()
            if value:
                schedule[part] = value
            elif schedule.get(part) not in (None, ""):
                schedule.pop(part, None)
        out["schedule"] = schedule
        self._time_hint(frequency)
        editor = self.query_one(MappingEditor)
        if editor.rows or "fields" in doc:
            out["fields"] = copy.deepcopy(editor.rows)
        editor.doc = out
        return out

    def on_mapping_editor_changed(self, event: MappingEditor.Changed) -> None:
        event.stop()
        self.edited()
