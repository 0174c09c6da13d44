"""The account list on the left: "All accounts", then each account with its state.

It shows what the catalog says (vendor, sync count, loading / unavailable / failed) and posts
`ViewChosen`; it never loads anything itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from synctui.ui.catalog import ALL, LoadState, View

STATE_MARKS = {
    LoadState.IDLE: ("○", "$text-muted"),
    LoadState.LOADING: ("…", "$text-accent"),
    LoadState.READY: ("●", "$status-active"),
    LoadState.UNAVAILABLE: ("-", "$status-unknown"),
    LoadState.FAILED: ("✗", "$status-error"),
    LoadState.FEED: ("~", "$status-initializing"),
}


@dataclass(frozen=True)
class SidebarEntry:
    name: str
    vendor: str
    state: LoadState
    count: int


class AccountSidebar(OptionList):
    DEFAULT_CSS = """
    AccountSidebar {
        width: 26;
        height: 1fr;
        border: none;
        border-right: vkey $panel-lighten-2;
        background: $surface;
        padding: 0;
    }
    AccountSidebar:focus { border-right: vkey $primary; }
    """

    class ViewChosen(Message):
        def __init__(self, view: View) -> None:
            super().__init__()
            self.view = view

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._views: list[View] = []
        self._signature: tuple[str, ...] = ()

    def show_entries(self, total: int, entries: list[SidebarEntry], current: View) -> None:
        """Rebuild only when the account list changed; otherwise update prompts in place."""
        views = [ALL] + [View("account", e.name) for e in entries]
        prompts = [self._all_prompt(total)] + [self._prompt(e) for e in entries]
        signature = tuple(v.name for v in views)
        if signature != self._signature:
            self._signature = signature
            self._views = views
            self.clear_options()
            self.add_options([Option(p, id=f"view-{i}") for i, p in enumerate(prompts)])
        else:
            for index, prompt in enumerate(prompts):
                self.replace_option_prompt_at_index(index, prompt)
        if current in self._views:
            self.highlighted = self._views.index(current)

    def view_at(self, index: int) -> View | None:
        return self._views[index] if 0 <= index < len(self._views) else None

    @staticmethod
    def _all_prompt(total: int) -> Content:
        return Content.assemble(("All accounts", "bold"), " ", (f"{total:,}", "$text-muted"))

    @staticmethod
    def _prompt(entry: SidebarEntry) -> Content:
        mark, style = STATE_MARKS.get(entry.state, ("?", ""))
        if entry.state == LoadState.READY:
            state = f"{entry.count:,} syncs"
        elif entry.state == LoadState.LOADING:
            state = f"loading {entry.count:,}" if entry.count else "loading"
        else:
            state = entry.state.value
        line2 = f"{entry.vendor} · {state}"
        return Content.assemble((mark, style), " ", (entry.name, "bold"), "\n  ", (line2, "dim"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        view = self.view_at(event.option_index)
        if view is not None:
            self.post_message(self.ViewChosen(view))
