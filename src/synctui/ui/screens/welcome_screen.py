"""First run: no saved account yet — add one, or open the built-in demo."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from synctui.services.vendor_rules import VENDORS, titles
from synctui.ui.screens.account_form_screen import AccountFormResult, AccountFormScreen
from synctui.ui.served import refuse_in_browser

if TYPE_CHECKING:
    from synctui.ui.host import Tui

_COUNT = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_HOW_MANY = _COUNT[len(VENDORS)] if len(VENDORS) < len(_COUNT) else str(len(VENDORS))
WELCOME = "\n\n".join(
    (
        "Welcome to synctui.",
        textwrap.fill(
            f"Browse, edit and watch data syncs across {titles()} — from one "
            "keyboard-driven screen.",
            85,
        ),
        "No account is saved yet. Add one (vendor, base URL, token), or look around first with\n"
        f"the demo: a sandbox of all {_HOW_MANY} vendors running inside this process. Nothing "
        "the demo\ndoes touches your files or any real vendor.",
    )
)


class WelcomeScreen(Screen[None]):
    help_title = "welcome"

    BINDINGS = [
        Binding("a", "add", "Add an account", id="welcome.add"),
        Binding("d", "demo", "Open the demo", id="welcome.demo"),
    ]

    DEFAULT_CSS = """
    WelcomeScreen { align: center middle; }
    WelcomeScreen > Vertical {
        width: 90; max-width: 100%; height: auto;
        border: round $primary; padding: 1 2; background: $surface;
    }
    WelcomeScreen #welcome-buttons { height: auto; margin-top: 1; width: auto; }
    WelcomeScreen Button { margin: 0 1; }
    """

    @property
    def tui(self) -> Tui:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(WELCOME, id="welcome-text", markup=False)
            with Center(), Horizontal(id="welcome-buttons"):
                yield Button("Add an account [a]", id="add", variant="primary")
                yield Button("Open the demo [d]", id="demo")
                yield Button("Quit [q]", id="quit")
        yield Footer(compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "add":
            self.action_add()
        elif event.button.id == "demo":
            self.action_demo()
        else:
            self.app.exit(0)

    def action_add(self) -> None:
        if refuse_in_browser(self.app, "adding an account"):
            return
        self.app.push_screen(AccountFormScreen(), self._added)

    def _added(self, result: AccountFormResult | None) -> None:
        if result is not None:
            self.tui.accept_form(result)

    def action_demo(self) -> None:
        self.query_one("#demo", Button).disabled = True
        self.notify("starting the demo sandbox…", timeout=3)
        self._start_demo()

    @work(thread=True, exclusive=True, group="demo", exit_on_error=False)
    def _start_demo(self) -> None:
        from synctui.services.demo import start_demo

        try:
            demo = start_demo()
        except Exception as exc:
            self.app.call_from_thread(self._demo_failed, exc)
            return
        self.app.call_from_thread(self.tui.adopt_demo, demo)

    def _demo_failed(self, exc: Exception) -> None:
        self.query_one("#demo", Button).disabled = False
        self.notify(f"the demo could not start: {exc}", severity="error")
