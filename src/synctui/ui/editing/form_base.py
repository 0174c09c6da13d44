"""What every vendor form has in common: labelled one-line fields and inline problems.

A form never owns the document. `load(doc)` shows it, `write(doc)` returns a copy with the
form's values applied, and any change posts `DocForm.Edited`; the editor then compares
`write(after)` with `after`, so the echo of a programmatic `load` changes nothing. Keys the
form does not show are carried through `write` untouched.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from synctui.domain.validation import ValidationIssue
from synctui.ui.widgets.toggles import Checkbox


class Field(Vertical):
    """A label, one widget, and a hint line under it for problems and explanations."""

    DEFAULT_CSS = """
    Field { height: auto; margin: 0 0 0 0; }
    Field > Horizontal { height: auto; }
    Field > Horizontal > Label { width: 20; color: $text-muted; }
    Field > Horizontal > Input, Field > Horizontal > Select { width: 1fr; }
    Field > .hint { height: auto; padding-left: 20; color: $text-muted; }
    Field > .hint.-bad { color: $text-error; }
    Field > .hint.-warn { color: $text-warning; }
    """

    def __init__(self, label: str, widget: Widget, *, name: str, hint: str = "") -> None:
        super().__init__(id=f"field-{name.replace('.', '-')}")
        self.label = label
        self.widget = widget
        self.path = name
        self.default_hint = hint

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(self.label)
            yield self.widget
        yield Static(self.default_hint, classes="hint", markup=False)

    def hint(self, text: str | None, kind: str = "") -> None:
        """Show `text` (or the default hint) under the field; kind "bad" or "warn" colours it."""
        shown = text if text is not None else self.default_hint
        state = (shown, kind)
        if getattr(self, "_hint_state", None) == state:
            return  # unchanged: no repaint, no re-layout (this runs on every keystroke)
        self._hint_state = state
        line = self.query_one(".hint", Static)
        line.update(shown)
        line.set_class(kind == "bad", "-bad")
        line.set_class(kind == "warn", "-warn")
        line.display = bool(shown)


class DocForm(Vertical):
    """Base of the vendor forms."""

    DEFAULT_CSS = """
    DocForm { height: auto; padding: 0 1; }
    DocForm .section { margin-top: 1; text-style: bold; color: $text-accent; }
    """

    vendor: ClassVar[str] = ""

    class Edited(Message):
        """Something in the form changed; the editor asks `write` for the new document."""

        def __init__(self, form: DocForm) -> None:
            super().__init__()
            self.form = form

        @property
        def control(self) -> DocForm:
            return self.form

    def load(self, doc: dict[str, Any], before: dict[str, Any]) -> None:
        raise NotImplementedError

    def write(self, doc: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def show_issues(self, issues: Iterable[ValidationIssue]) -> None:
        """Put each problem under the field whose path it names (or a parent field's)."""
        by_field: dict[str, list[str]] = {}
        fields = list(self.query(Field))
        for issue in issues:
            for field in fields:
                if issue.path == field.path or issue.path.startswith(field.path + "."):
                    by_field.setdefault(field.path, []).append(issue.message)
                    break
        for field in fields:
            messages = by_field.get(field.path)
            if messages:
                field.hint("✗ " + "; ".join(messages), "bad")
            else:
                self.default_hint_for(field)

    def default_hint_for(self, field: Field) -> None:
        field.hint(None)

    def edited(self) -> None:
        self.post_message(self.Edited(self))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.edited()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.edited()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self.edited()

    def on_mapping_editor_changed(self, event: Message) -> None:
        """A form's field mapping (`MappingEditor`) changed a row."""
        event.stop()
        self.edited()


def choice(
    values: Iterable[str], current: Any, *, allow_blank: bool, id: str | None = None
) -> Select[str]:
    """A compact Select of `values`; a current value outside them is offered too (kept)."""
    options = [(v, v) for v in values]
    if isinstance(current, str) and current and current not in dict(options):
        options.append((f"{current} (as set on the server)", current))
    return Select(options, allow_blank=allow_blank, compact=True, id=id)


def set_select(
    select: Select[str], values: Iterable[str], current: Any, *, allow_blank: bool = True
) -> None:
    """Point a Select at `current`, adding it as an option first when the vendor holds an
    unknown value (it must be shown and kept, not silently replaced)."""
    options = [(v, v) for v in values]
    if isinstance(current, str) and current and current not in dict(options):
        options.append((f"{current} (as set on the server)", current))
    select.set_options(options)
    if isinstance(current, str) and current:
        select.value = current
    elif allow_blank:
        select.clear()


def select_value(select: Select[str]) -> str | None:
    value = select.value
    return None if value is Select.NULL else str(value)


def options(values: Iterable[str]) -> list[tuple[str, str]]:
    """Select options for an enum (label = value: the vendor's own spelling)."""
    return [(v, v) for v in values]
