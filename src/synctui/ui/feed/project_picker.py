"""`P`: narrow the feed to one project, chosen by name (type to narrow the list)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

ALL_PROJECTS = "*all*"


class ProjectPicker(ModalScreen[tuple[str, str] | None]):
    """Dismisses with (project id, name), (ALL_PROJECTS, "") for all, or None (cancelled)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="feed.project.cancel"),
        Binding("down", "focus_options", "Options", show=False, id="feed.project.down"),
    ]
    DEFAULT_CSS = """
    ProjectPicker { align: center middle; }
    ProjectPicker > Vertical {
        width: 64; max-width: 100%; height: 80%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    ProjectPicker #project-title { text-style: bold; color: $text-accent; }
    ProjectPicker OptionList { height: 1fr; }
    """

    def __init__(self, projects: list[tuple[str, str]], current: str | None) -> None:
        super().__init__()
        self.projects = projects
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Project ({len(self.projects)} known)", id="project-title")
            yield Input(placeholder="type to narrow, Enter picks the first", id="project-search")
            yield OptionList(id="project-options")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#project-search", Input).focus()

    def _fill(self, text: str) -> None:
        options = self.query_one("#project-options", OptionList)
        options.clear_options()
        needle = text.strip().lower()
        if not needle:
            options.add_option(Option("All projects", id=ALL_PROJECTS))
        highlight = 0
        for project_id, name in self.projects:
            if needle and needle not in name.lower():
                continue
            if project_id == self.current:
                highlight = options.option_count
            options.add_option(Option(name, id=project_id))
        if options.option_count:
            options.highlighted = highlight

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        options = self.query_one("#project-options", OptionList)
        if options.highlighted is not None:
            self._pick(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._pick(event.option.id)

    def _pick(self, project_id: str | None) -> None:
        if not project_id or project_id == ALL_PROJECTS:
            self.dismiss((ALL_PROJECTS, ""))
            return
        name = dict(self.projects).get(project_id, project_id)
        self.dismiss((project_id, name))

    def action_focus_options(self) -> None:
        self.query_one("#project-options", OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
