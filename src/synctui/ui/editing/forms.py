"""The TUI's vendor → form registry: which form edits a vendor's syncs, and which creates one.

A vendor without a form here is edited as JSON (its rules still check every edit); a vendor
with a create form gets `n` (new sync). Adding a vendor's form is a module
(`ui/editing/<vendor>_form.py`) and a line here. Forms are imported only when first shown.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from synctui.ui.editing.form_base import DocForm

FORMS = {
    "speckle": "synctui.ui.editing.speckle_form:SpeckleContextForm",
    "signalsmith": "synctui.ui.editing.signalsmith_form:SignalsmithForm",
    "polytomic": "synctui.ui.editing.polytomic_form:PolytomicForm",
    "paragon": "synctui.ui.editing.paragon_form:ParagonForm",
}
CREATE_FORMS = {
    "signalsmith": "synctui.ui.editing.signalsmith_form:CREATE",
}


@dataclass(frozen=True)
class IdField:
    """An id a new sync names that the editing form never changes (a model, a destination)."""

    key: str  # the body key
    input_id: str
    label: str
    hint: str


@dataclass(frozen=True)
class CreateForm:
    """How the create screen builds a vendor's new sync: its editing form, a starting body,
    and the ids only a create sets (suggested from the account's syncs)."""

    form: str  # FORMS entry of the editing form
    template: dict[str, Any] = field(default_factory=dict)
    ids: tuple[IdField, ...] = ()
    summary: str = "create a sync"


def _load(spec: str) -> Any:
    module_name, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def form_class(vendor: str) -> type[DocForm] | None:
    spec = FORMS.get(vendor)
    return _load(spec) if spec is not None else None


def form_for(vendor: str) -> DocForm | None:
    """The vendor's form, or None when the vendor has no form (JSON mode only)."""
    cls = form_class(vendor)
    return cls(id="form") if cls is not None else None


def create_form(vendor: str) -> CreateForm | None:
    """How a new sync of this vendor is made here (None: not from the TUI)."""
    spec = CREATE_FORMS.get(vendor)
    return _load(spec) if spec is not None else None


def creatable(vendor: str) -> bool:
    return vendor in CREATE_FORMS
