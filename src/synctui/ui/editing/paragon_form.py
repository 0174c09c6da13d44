"""Paragon form: the two fields Paragon's PATCH accepts, and the cost of changing one.

A new `credentialId` makes Paragon re-read every record of the integration (a full re-sync),
so the form says so as soon as the value differs from the loaded one, and the save preview
asks for confirmation focused on Cancel.

Paragon reports no current `incrementalAccumulatorFrequency`, so the frequency starts blank
("not reported by Paragon") and is sent only when one is chosen.
"""

from __future__ import annotations

import copy
from typing import Any

from textual.app import ComposeResult
from textual.validation import Function
from textual.widgets import Input, Select, Static

from synctui.domain.validation import PARAGON_FREQUENCIES, is_uuid
from synctui.ui.editing.form_base import DocForm, Field, select_value, set_select
from synctui.ui.editing.form_base import options as _options

FREQUENCY_PROMPT = "not reported by Paragon"
CREDENTIAL_WARNING = (
    "⚠ a new credential starts a full re-sync: Paragon re-reads every record of this integration"
)


class ParagonForm(DocForm):
    vendor = "paragon"

    DEFAULT_CSS = """
    ParagonForm #credential-warning { color: $text-warning; padding-left: 20; height: auto; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.loaded_credential: Any = None

    def compose(self) -> ComposeResult:
        yield Static("Sync", classes="section")
        yield Field(
            "Credential ID",
            Input(
                compact=True,
                id="credential",
                validators=[Function(is_uuid, "must be a UUID")],
                placeholder="123e4567-e89b-12d3-a456-426614174000",
            ),
            name="credentialId",
            hint="the connected user's credential (a UUID)",
        )
        yield Static("", id="credential-warning", markup=False)
        yield Field(
            "Check for changes",
            Select(
                _options(PARAGON_FREQUENCIES),
                prompt=FREQUENCY_PROMPT,
                allow_blank=True,
                compact=True,
                id="frequency",
            ),
            name="incrementalAccumulatorFrequency",
            hint="how often Paragon looks for new records: "
            + ", ".join(PARAGON_FREQUENCIES)
            + " (Paragon does not report the current one; leave blank to keep it)",
        )

    def load(self, doc: dict[str, Any], before: dict[str, Any]) -> None:
        self.loaded_credential = before.get("credentialId")
        credential = doc.get("credentialId")
        self.query_one("#credential", Input).value = (
            credential if isinstance(credential, str) else ""
        )
        set_select(
            self.query_one("#frequency", Select),
            PARAGON_FREQUENCIES,
            doc.get("incrementalAccumulatorFrequency"),
            allow_blank=True,
        )
        self._warn(credential)

    def _warn(self, credential: Any) -> None:
        changed = credential != self.loaded_credential
        warning = self.query_one("#credential-warning", Static)
        warning.update(CREDENTIAL_WARNING if changed else "")
        warning.display = changed

    @property
    def credential_changed(self) -> bool:
        return self.query_one("#credential", Input).value != (self.loaded_credential or "")

    def write(self, doc: dict[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(doc)
        credential = self.query_one("#credential", Input).value.strip()
        if credential or "credentialId" in doc:
            out["credentialId"] = credential
        frequency = select_value(self.query_one("#frequency", Select))
        if frequency is not None:
            out["incrementalAccumulatorFrequency"] = frequency
        else:
            out.pop("incrementalAccumulatorFrequency", None)  # blank: not sent
        self._warn(out.get("credentialId"))
        return out
