"""`?` / F1: the keys active on the screen you came from, and the `:` commands."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

COMMANDS_HELP = (
    (":ctx NAME  (or :NAME)", "show one account"),
    (":all", "every account in one table"),
    (":speckle  :polytomic  …", "every account of one vendor"),
    (":log  (or @)", "API call log"),
    (":attention  (or !)", "paused / failing / legacy / stuck syncs: why, and the fix"),
    (":journal  (or J)", "every write synctui made: diff, what was sent, revert"),
    (":feed [NAME]", "LetsBuild live change feed"),
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
    ("/status=paused", "a field equals (!= not, ~ contains, !~ not)"),
    ("/schedule.frequency=daily", "a path into the vendor's JSON (README: Filter language)"),
)


GENERIC = frozenset(
    {
        "focus_next",
        "focus_previous",
        "copy_text",
        "page_left",
        "page_right",
        "command_palette",
        "screen.copy_text",
        "app.copy_text",
    }
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,f1,q", "dismiss_help", "Close", id="help.close"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    HelpScreen VerticalScroll { height: auto; max-height: 100%; }
    HelpScreen #help-title { text-style: bold; color: $text-accent; }
    """

    def __init__(self, title: str, keys: list[tuple[str, str]], show_commands: bool) -> None:
        super().__init__()
        self.title_text = title
        self.keys = keys
        self.show_commands = show_commands

    @classmethod
    def for_screen(cls, screen: Screen[object]) -> HelpScreen:
        """Collect the bindings active on `screen` right now (before this modal covers it).

        Keys bound to the same action are shown together ("↑ / k  Up"); Textual's generic
        focus and text-selection bindings are left out, they are the same everywhere.
        """
        app = screen.app
        grouped: dict[tuple[int, str], tuple[list[str], str]] = {}
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or not active.enabled or binding.action in GENERIC:
                continue
            if binding.key in ("ctrl+q", "super+c", "ctrl+c"):
                continue
            slot = grouped.setdefault((id(active.node), binding.action), ([], binding.description))
            shown = app.get_key_display(binding)
            if shown not in slot[0]:
                slot[0].append(shown)
        rows = [(" / ".join(keys), text) for keys, text in grouped.values()]
        rows.append(("ctrl+p", "command palette: every action here, accounts, views"))
        title = f"Keys — {getattr(screen, 'help_title', screen.__class__.__name__)}"
        return cls(title, rows, show_commands=getattr(screen, "has_command_line", False))

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, id="help-title", markup=False)
            with VerticalScroll():
                yield Static(self._table(self.keys), id="help-keys")
                if self.show_commands:
                    yield Static(Content.styled("Commands", "bold $text-accent"))
                    yield Static(self._table(list(COMMANDS_HELP)))
                    yield Static(Content.styled("Filter", "bold $text-accent"))
                    yield Static(self._table(list(FILTER_HELP)))

    @staticmethod
    def _table(rows: list[tuple[str, str]]) -> Content:
        width = max((len(k) for k, _ in rows), default=0)
        lines = [
            Content.assemble((key.ljust(width), "bold $text-accent"), "  ", text)
            for key, text in rows
        ]
        return Content("\n").join(lines)

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
