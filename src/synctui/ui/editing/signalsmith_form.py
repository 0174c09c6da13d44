"""Signalsmith sync form: name, description, mode, primary key, schedule, field mapping.

Signalsmith's PUT takes only the fields it is sent, so every field here maps one-to-one to a
top-level key and the adapter sends only those that changed. Status is not here: pause and
resume are their own actions (p).
"""

from __future__ import annotations

import copy
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from synctui.services.vendor_rules import rules_for
from synctui.ui.editing.cron_field import CronField
from synctui.ui.editing.form_base import DocForm, Field, select_value, set_select
from synctui.ui.editing.form_base import options as _options
from synctui.ui.editing.forms import CreateForm, IdField
from synctui.ui.editing.mapping import MappingColumn, MappingSpec, Row
from synctui.ui.editing.mapping_editor import MappingEditor

RULES = rules_for("signalsmith")
SYNC_MODES = RULES.enums["sync_mode"]
TEXT_FIELDS = ("name", "description", "primary_key")


def _primary_key_row(rows: list[Row], doc: dict[str, Any]) -> int | None:
    """The row whose source column is the sync's `primary_key`."""
    key = doc.get("primary_key")
    for index, row in enumerate(rows):
        if isinstance(row, dict) and key and row.get("source_column") == key:
            return index
    return None


def _primary_key_text(doc: dict[str, Any]) -> str:
    key = doc.get("primary_key") or "(none)"
    return f"primary key: {key}  (the source column that identifies a record)"


MAPPING = MappingSpec(
    "signalsmith",
    "field_mapping",
    (
        MappingColumn(("source_column",), "Source column", required=True, width=20),
        MappingColumn(("destination_field",), "Destination field", required=True, width=22),
        MappingColumn(("type_cast",), "Type cast", width=10),
    ),
    ("destination_field",),
    key_of=_primary_key_row,
    key_text=_primary_key_text,
)


class SignalsmithForm(DocForm):
    vendor = "signalsmith"

    def compose(self) -> ComposeResult:
        yield Static("Sync", classes="section")
        yield Field("Name", Input(compact=True, id="name"), name="name")
        yield Field("Description", Input(compact=True, id="description"), name="description")
        yield Field(
            "Sync mode",
            Select(_options(SYNC_MODES), allow_blank=False, compact=True, id="sync-mode"),
            name="sync_mode",
            hint="upsert, insert, update, mirror (also deletes) or append",
        )
        yield Field(
            "Primary key",
            Input(compact=True, id="primary_key"),
            name="primary_key",
            hint="the source column that identifies a record",
        )
        yield CronField()
        yield MappingEditor(MAPPING, id="mapping")

    def load(self, doc: dict[str, Any], before: dict[str, Any]) -> None:
        for key in TEXT_FIELDS:
            value = doc.get(key)
            self.query_one(f"#{key}", Input).value = value if isinstance(value, str) else ""
        set_select(
            self.query_one("#sync-mode", Select),
            SYNC_MODES,
            doc.get("sync_mode"),
            allow_blank=False,
        )
        schedule = doc.get("schedule")
        cron = self.query_one(CronField)
        cron.input.value = schedule if isinstance(schedule, str) else ""
        cron.show(cron.input.value)
        editor = self.query_one(MappingEditor)
        # Documented casts, the ones this sync had, and those the vendor's other syncs use.
        editor.type_casts = (
            set(RULES.documented_type_casts)
            | RULES.type_casts(before)
            | set(getattr(self.screen, "accepted_casts", ()))
        )
        editor.load(doc.get("field_mapping"), doc)

    def write(self, doc: dict[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(doc)
        for key in TEXT_FIELDS:
            value = self.query_one(f"#{key}", Input).value
            if value == "" and doc.get(key) is None:
                continue  # absent or null stays so: an untouched empty field is no change
            out[key] = value
        mode = select_value(self.query_one("#sync-mode", Select))
        if mode is not None:
            out["sync_mode"] = mode
        schedule = self.query_one(CronField).input.value.strip()
        if schedule or doc.get("schedule") is not None:
            out["schedule"] = schedule
        self.query_one(MappingEditor).write_into(out, doc)
        return out


# `n`: the documented create (POST with every required field): this form plus the two ids an
# update never changes.
CREATE = CreateForm(
    "signalsmith",
    {
        "name": "",
        "description": "",
        "sync_mode": "upsert",
        "primary_key": "",
        "schedule": "",
        "field_mapping": [{"source_column": "", "destination_field": ""}],
    },
    (
        IdField(
            "model_id",
            "model",
            "Model ID",
            "the model to read rows from (UUID; tab completes known ones)",
        ),
        IdField("destination_id", "destination", "Destination ID", "where rows are written (UUID)"),
    ),
    "create a sync (POST)",
)
