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

from synctui.domain.validation import is_uuid
from synctui.services.vendor_rules import rules_for
from synctui.ui.editing.form_base import DocForm, Field, select_value, set_select
from synctui.ui.editing.form_base import options as _options
from synctui.ui.editing.mapping import MappingColumn, MappingSpec, Row, get_cell
from synctui.ui.editing.mapping_editor import MappingEditor
from synctui.ui.widgets.toggles import Checkbox

RULES = rules_for("polytomic")
MODES = RULES.enums["mode"]
FREQUENCIES = RULES.enums["schedule.frequency"]


def identities(doc: dict[str, Any]) -> tuple[str | None, list[Any]]:
    """(strategy, mappings) of a sync: its `identities` where it has them (the live form),
    else the deprecated `identity` (the first mapping only)."""
    found = doc.get("identities")
    if isinstance(found, dict) and isinstance(found.get("mappings"), list):
        strategy = found.get("strategy")
        return (strategy if isinstance(strategy, str) else None), found["mappings"]
    identity = doc.get("identity")
    return None, [identity] if isinstance(identity, dict) else []


def _row_problems(row: Row) -> list[str]:
    """A row maps a source (a model by UUID and a field) or an override value."""
    problems: list[str] = []
    model = get_cell(row, ("source", "model_id"))
    field = get_cell(row, ("source", "field"))
    if model is not None and not is_uuid(model):
        problems.append("source model must be a UUID")
    if "override_value" not in row and not (model and field):
        problems.append("needs a source (model and field) or an override value")
    return problems


def _identity_row(rows: list[Row], doc: dict[str, Any]) -> int | None:
    """The row writing the target of the sync's (first) identity mapping."""
    identity = identities(doc)[1][:1]
    if not identity or not isinstance(identity[0], dict):
        return None
    target = identity[0].get("target")
    for index, row in enumerate(rows):
        if isinstance(row, dict) and target and row.get("target") == target:
            return index
    return None


def _identity_text(mapping: Any) -> str:
    """'email → Email (Equality)': one identity mapping in words."""
    if not isinstance(mapping, dict):
        return "?"
    source = mapping.get("source") if isinstance(mapping.get("source"), dict) else {}
    function = mapping.get("function", "Equality")
    return f"{source.get('field', '?')} → {mapping.get('target', '?')}  ({function})"


def _identities_text(doc: dict[str, Any]) -> str:
    strategy, mappings = identities(doc)
    shown = [_identity_text(m) for m in mappings]
    if len(shown) > 1:
        return f"identities ({strategy or '?'}): " + ", ".join(shown)
    if shown:
        return f"identity: {shown[0]}"
    return "identity: none (this mode does not match existing records)"


MAPPING = MappingSpec(
    "polytomic",
    "fields",
    (
        MappingColumn(("target",), "Target", required=True, width=18),
        MappingColumn(("source", "model_id"), "Source model", width=36),  # a UUID
        MappingColumn(("source", "field"), "Source field", width=16),
        MappingColumn(("override_value",), "Override", width=12),
        MappingColumn(("sync_mode",), "Sync mode", width=10),
    ),
    ("target",),
    row_problems=_row_problems,
    key_of=_identity_row,
    key_text=_identities_text,
)

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
            Select(_options(MODES), allow_blank=False, compact=True, id="mode"),
            name="mode",
            hint="create, update, updateOrCreate, replace, append, remove or snapshot",
        )
        yield Field(
            "Active", Checkbox("runs on schedule", compact=True, id="active"), name="active"
        )
        yield Field(
            "Frequency",
            Select(_options(FREQUENCIES), allow_blank=False, compact=True, id="frequency"),
            name="schedule",
        )
        with Horizontal(id="time-parts"):
            for part in TIME_PARTS:
                with Vertical():
                    yield Label(part.replace("_", " "))
                    yield Input(placeholder="-", compact=True, id=f"t-{part}")
        yield Static("", id="time-hint", markup=False)
        yield MappingEditor(MAPPING, id="mapping")

    def load(self, doc: dict[str, Any], before: dict[str, Any]) -> None:
        self.query_one("#name", Input).value = str(doc.get("name") or "")
        set_select(self.query_one("#mode", Select), MODES, doc.get("mode"), allow_blank=False)
        self.query_one("#active", Checkbox).value = doc.get("active") is True
        schedule = doc.get("schedule") if isinstance(doc.get("schedule"), dict) else {}
        set_select(
            self.query_one("#frequency", Select),
            FREQUENCIES,
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
        self.query_one(MappingEditor).write_into(out, doc)
        return out
