"""`?` / F1: every key of the screen you came from, and the `:` commands and filter syntax.

The key list is generated from the bindings in force on that screen (its focused widget, the
screen, the app), never written by hand, so it cannot drift from what the keys do. Keys that
apply only sometimes (`E` once rows are marked, `Esc` while a filter is set, `m` on a legacy
sync) are listed too, with when they apply; write keys are left out in read-only mode.
The list scrolls (`j`/`k`, PgUp/PgDn, `g`/`G`) so the last line is reachable on any terminal.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from synctui.domain.capabilities import Capability
from synctui.services.vendor_rules import VENDORS, feed_title, vendors_with
from synctui.ui.host import HasSession

COMMANDS_HELP = (
    (":ctx NAME  (or :NAME)", "show one account"),
    (":all", "every account in one table"),
    (
        "  ".join(f":{v}" for v in vendors_with(Capability.LIST)[:2]) + "  …",
        "every account of one vendor",
    ),
    (":log  (or @)", "API call log"),
    (":attention  (or !)", "syncs that need a person: why, and the fix"),
    (":journal  (or J)", "every write synctui made: diff, what was sent, revert"),
    (":feed [NAME]", f"{feed_title()} live change feed"),
    (":accounts  :add", "manage accounts / add one"),
    (":refresh", "reload what is shown"),
    (":every SECONDS", "auto-refresh interval, 0 = off"),
    (":theme NAME", "colour theme"),
    (":q", "quit"),
)

FILTER_HELP = (
    ("/acme error", "rows containing both words"),
    ("/!paused", "rows NOT containing 'paused'"),
    ("/~plmsf", "fuzzy: these letters in order, in one field"),
    ("/field=value", "a column or JSON path equals a value: /status=paused"),
    ("/field!=value", f"…does not equal it: /vendor!={VENDORS[0]}"),
    ("/field~text", "…contains the text (!~ does not): /name~level"),
    ("/a.b=value", "a path into the vendor's JSON: /integration.slug=acc"),
    ("Esc", "clears the filter"),
)

# Textual's own focus and text-selection bindings: the same everywhere, not worth a line.
GENERIC = frozenset(
    {
        "focus_next",
        "focus_previous",
        "app.focus_next",
        "app.focus_previous",
        "copy_text",
        "page_left",
        "page_right",
        "command_palette",
        "screen.copy_text",
        "app.copy_text",
    }
)
HIDDEN_KEYS = frozenset({"ctrl+q", "super+c", "ctrl+c"})


@dataclasses.dataclass(frozen=True)
class HelpLine:
    """One action: its keys as shown, what it does, and when it applies if not always."""

    keys: str
    text: str
    note: str = ""


def key_label(app: Any, binding: Binding) -> str:
    """How one key of a binding is written (`^a`, `*`, `⏎`), not the binding's group label:
    `*` and `ctrl+a` share one binding whose footer label is `*`."""
    return str(app.get_key_display(dataclasses.replace(binding, key_display=None)))


def help_lines(screen: Screen[object]) -> list[HelpLine]:
    """Every binding in force on `screen`, one line per action, in the order Textual looks
    them up (focused widget first, then the screen, then the app)."""
    app = screen.app
    readonly = isinstance(app, HasSession) and app.session is not None and app.session.readonly
    writes = getattr(screen, "WRITE_ACTIONS", frozenset())
    notes: dict[str, str] = getattr(screen, "HELP_NOTES", {})
    taken: set[str] = set()  # a key bound nearer the focus hides the same key further out
    grouped: dict[tuple[int, str], tuple[list[str], Binding, bool | None]] = {}
    for namespace, bindings in screen._modal_binding_chain:
        for key, binding in bindings:
            if key in taken and not binding.priority:
                continue
            if not binding.description or binding.action in GENERIC or key in HIDDEN_KEYS:
                continue
            state = app._check_action_state(binding.action, namespace)
            if state is False and readonly and binding.action in writes:
                continue  # read-only: the write keys are off, not merely unavailable here
            taken.add(key)
            slot = grouped.setdefault((id(namespace), binding.action), ([], binding, state))
            shown = key_label(app, binding)
            if shown not in slot[0]:
                slot[0].append(shown)
    lines = []
    for keys, binding, state in grouped.values():
        note = ""
        if not state:
            note = notes.get(binding.action, "not available here right now")
        lines.append(HelpLine(" / ".join(keys), binding.description, note))
    lines.append(HelpLine("ctrl+p", "command palette: every action here, accounts, views"))
    return lines


class HelpScreen(ModalScreen[None]):
    AUTO_FOCUS = "#help-scroll"
    BINDINGS = [
        Binding("escape,question_mark,f1,q", "dismiss_help", "Close", id="help.close"),
        Binding("j,down", "scroll(1)", "Down", show=False, id="help.down"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id="help.up"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="help.page-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="help.page-up"),
        Binding("g,home", "edge(0)", "Top", show=False, id="help.top"),
        Binding("G,end", "edge(1)", "Bottom", show=False, id="help.bottom"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen #help-scroll {
        width: 88; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; border-title-color: $text-accent; border-title-style: bold;
        border-subtitle-color: $text-muted;
        background: $surface; padding: 0 1;
    }
    HelpScreen .help-heading { text-style: bold; color: $text-accent; margin-top: 1; }
    """

    def __init__(self, title: str, lines: list[HelpLine], show_commands: bool) -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines
        self.show_commands = show_commands

    @property
    def keys(self) -> list[tuple[str, str]]:
        """(keys, what it does) for every action listed."""
        return [(line.keys, line.text) for line in self.lines]

    @classmethod
    def for_screen(cls, screen: Screen[object]) -> HelpScreen:
        """The help for `screen`, read before this modal covers it."""
        title = f"Keys — {getattr(screen, 'help_title', screen.__class__.__name__)}"
        return cls(title, help_lines(screen), getattr(screen, "has_command_line", False))

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-scroll") as scroll:
            scroll.border_title = self.title_text
            scroll.border_subtitle = "j/k scroll · Esc closes"
            yield Static(self._table(self.lines), id="help-keys")
            if self.show_commands:
                yield Static("Commands", classes="help-heading")
                yield Static(self._table([HelpLine(k, t) for k, t in COMMANDS_HELP]))
                yield Static("Filter (/ here, --where in the CLI)", classes="help-heading")
                yield Static(self._table([HelpLine(k, t) for k, t in FILTER_HELP]))

    @staticmethod
    def _table(lines: list[HelpLine]) -> Content:
        width = max((len(line.keys) for line in lines), default=0)
        rows = []
        for line in lines:
            parts: list[Content | str | tuple[str, str]] = [
                (line.keys.ljust(width), "bold $text-accent"),
                "  ",
                line.text,
            ]
            if line.note:
                parts += ["  ", (f"({line.note})", "$text-muted")]
            rows.append(Content.assemble(*parts))
        return Content("\n").join(rows)

    @property
    def scroller(self) -> VerticalScroll:
        return self.query_one("#help-scroll", VerticalScroll)

    def action_scroll(self, lines: int) -> None:
        self.scroller.scroll_relative(y=lines, animate=False)

    def action_page(self, pages: int) -> None:
        scroller = self.scroller
        step = max(1, scroller.scrollable_content_region.height - 1)
        scroller.scroll_relative(y=pages * step, animate=False)

    def action_edge(self, bottom: int) -> None:
        if bottom:
            self.scroller.scroll_end(animate=False)
        else:
            self.scroller.scroll_home(animate=False)

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
