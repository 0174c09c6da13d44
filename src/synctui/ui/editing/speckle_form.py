"""The Speckle context editor's form: reference point, view name, and every other key kept.

Speckle replaces a sync's `context` whole on update, so keys this form does not know
(`exportIfcOptions`, filters an integration added) are listed read-only and always sent back
as they were. Clearing the view name sends an explicit `null`, which is how Speckle turns
view scoping off.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, Input, Select, Static

from synctui.services.vendor_rules import rules_for
from synctui.ui.editing.document import unknown_keys
from synctui.ui.editing.form_base import DocForm, Field, select_value, set_select
from synctui.ui.formatting import one_line
from synctui.ui.widgets.toggles import Checkbox

REFERENCE_POINTS = rules_for("speckle").enums["context.referencePoint"]
# The context keys this form knows; every other key is shown and sent back untouched.
FORM_KEYS = ("referencePoint", "viewName")
VIEW_HINT = "empty, or Clear: view scoping off (sent as null)"


class SpeckleContextForm(DocForm):
    vendor = "speckle"

    DEFAULT_CSS = """
    SpeckleContextForm #view-row { height: auto; }
    SpeckleContextForm #view-row Input { width: 1fr; }
    SpeckleContextForm #clear-view { margin-left: 1; min-width: 14; }
    SpeckleContextForm #unknown { height: auto; padding-left: 2; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Context", classes="section")
        yield Field(
            "Reference point",
            Select([], allow_blank=True, compact=True, id="reference-point"),
            name="context.referencePoint",
            hint="where the model is placed: " + ", ".join(REFERENCE_POINTS),
        )
        with Horizontal(id="view-row"):
            yield Field(
                "View name",
                Input(placeholder="(not set)", compact=True, id="view-name"),
                name="context.viewName",
                hint=VIEW_HINT,
            )
            yield Button("Clear (null)", id="clear-view", compact=True)
        yield Field(
            "Active",
            Checkbox("runs on changes", compact=True, id="active"),
            name="active",
            hint="saving an inactive sync active resumes it first",
        )
        yield Static("Other context keys (shown, kept as they are)", classes="section")
        yield Static("", id="unknown", markup=False)

    def load(self, doc: dict[str, Any], before: dict[str, Any]) -> None:
        context = doc.get("context") if isinstance(doc.get("context"), dict) else {}
        set_select(
            self.query_one("#reference-point"),  # type: ignore[arg-type]
            REFERENCE_POINTS,
            context.get("referencePoint"),
        )
        view = context.get("viewName")
        self.query_one("#view-name", Input).value = view if isinstance(view, str) else ""
        self.query_one("#active", Checkbox).value = bool(doc.get("active"))
        self._show_unknown(context)

    def _show_unknown(self, context: dict[str, Any]) -> None:
        keys = unknown_keys(context, FORM_KEYS)
        if not keys:
            text = Content.styled("none", "dim")
        else:
            width = max(len(k) for k in keys)
            text = Content("\n").join(
                Content.assemble(
                    (key.ljust(width), "bold"), "  ", one_line(_json(context[key]), 90)
                )
                for key in keys
            )
        self.query_one("#unknown", Static).update(text)

    def write(self, doc: dict[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(doc)
        context = out.get("context")
        if not isinstance(context, dict):
            context = {}
            out["context"] = context
        point = select_value(self.query_one("#reference-point"))  # type: ignore[arg-type]
        if point is None:
            context.pop("referencePoint", None)
        else:
            context["referencePoint"] = point
        view = self.query_one("#view-name", Input).value
        if view:
            context["viewName"] = view
        elif "viewName" in context or "viewName" in (doc.get("context") or {}):
            context["viewName"] = None  # cleared: Speckle wants an explicit null
        out["active"] = self.query_one("#active", Checkbox).value
        return out

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "clear-view":
            event.stop()
            self.query_one("#view-name", Input).value = ""
            self.edited()


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
