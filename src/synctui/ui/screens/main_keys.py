"""The main screen's keys: its bindings, which of them write, and when each applies.

Kept apart from the screen (`main_screen.py`) so the screen holds behaviour and this
module the table of keys the footer, the help screen and the read-only mode read.
"""

from __future__ import annotations

from textual.binding import Binding

from synctui.domain.capabilities import Capability
from synctui.services.vendor_rules import titles, vendors_with
from synctui.ui.editing.forms import CREATE_FORMS

RUN_ACTIONS = frozenset({"trigger", "toggle_active"})  # need the account's capability

# Every action here that writes: unbound in read-only mode, where the app says so instead.
WRITE_ACTIONS = frozenset(
    {*RUN_ACTIONS, "edit", "batch_edit", "new_sync", "delete_sync", "migrate"}
)

# When a key that applies only sometimes does apply (the help lists it either way).
HELP_NOTES = {
    "clear_filter": "while a filter is set",
    "batch_edit": "once rows are marked",
    "clear_marks": "while rows are marked",
    "migrate": f"legacy {titles(vendors_with(Capability.MIGRATE), 'or')} syncs",
    "new_sync": f"{titles(tuple(CREATE_FORMS), 'or')} accounts",
    "trigger": "syncs whose vendor can start a run",
    "toggle_active": "syncs whose vendor can pause them",
    "edit": "syncs whose vendor allows edits",
    "delete_sync": "syncs whose vendor allows deletes",
    "runs": "syncs whose vendor keeps a run history",
}

BINDINGS = [
    # priority: handled when it arrives, so the keys typed right after it follow it into
    # the filter instead of going to the table (check_action: not while typing there).
    Binding("slash", "filter", "Filter", priority=True, id="main.filter"),
    Binding("escape", "clear_filter", "Clear filter", show=False, id="main.clear-filter"),
    Binding("s", "cycle_sort", "Sort", id="main.sort"),
    Binding("S", "reverse_sort", "Reverse", show=False, id="main.reverse-sort"),
    Binding("r", "refresh", "Refresh", id="main.refresh"),
    Binding("space", "toggle_mark", "Mark", show=False, id="main.mark"),
    Binding("y", "copy_id", "Copy id", show=False, id="main.copy-id"),
    Binding("Y", "copy_json", "Copy JSON", show=False, id="main.copy-json"),
    Binding("b", "toggle_sidebar", "Sidebar", show=False, id="main.sidebar"),
    Binding("a", "manage_accounts", "Manage accounts", show=False, id="main.accounts"),
    Binding("0", "show_all", "All accounts", show=False, id="main.all"),
    Binding("t", "trigger", "Run now", show=False, id="main.trigger"),
    Binding("p", "toggle_active", "Pause/resume", show=False, id="main.pause-resume"),
    Binding("e", "edit", "Edit", id="main.edit"),
    Binding("E", "batch_edit", "Batch edit", id="main.batch-edit"),
    Binding("n", "new_sync", "New sync", show=False, id="main.new-sync"),
    Binding(
        "asterisk,ctrl+a",
        "mark_all",
        "Mark all shown",
        show=False,
        key_display="*",
        id="main.mark-all",
    ),
    Binding(
        "minus",
        "clear_marks",
        "Clear marks",
        show=False,
        key_display="-",
        id="main.clear-marks",
    ),
    Binding("ctrl+d", "delete_sync", "Delete", show=False, id="main.delete"),
    Binding("m", "migrate", "Migrate legacy", show=False, id="main.migrate"),
    Binding("R", "runs", "Runs", show=False, id="main.runs"),
]
