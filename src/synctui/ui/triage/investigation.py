"""The investigation pane: for the selected sync, why, what changed before it, and the fix.

It only paints what it is given (the screen's workers fetch runs and journal entries);
every sentence comes from `timeline.py` or the triage service, so the pane holds no logic a
test would need a terminal for. The "and trigger a run now" checkbox is the one control:
it exists only when the remedy's trigger is optional and fixes are allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from synctui.services.triage import Attention, Recovery, describe_step
from synctui.ui.triage.board import REASON_TONE
from synctui.ui.triage.messages import Investigation
from synctui.ui.triage.timeline import build_timeline, last_error, relate, run_facts, short
from synctui.ui.widgets.toggles import Checkbox

EVENT_STYLE = {
    "ok": "$status-active",
    "error": "$status-error",
    "muted": "$text-muted",
    "live": "$status-initializing",
    "change": "$text-accent",
    "state": "bold $status-paused",
}
LABEL = "bold $text-accent"


@dataclass(frozen=True)
class PaneState:
    """Everything the pane shows for one sync."""

    item: Attention
    investigation: Investigation | None  # None while loading
    recovery: Recovery | None = None
    fix_error: str | None = None
    outcome: str | None = None  # what the last remedy sent, in words
    readonly: bool = False
    missing: tuple[str, ...] = ()  # remedy steps this adapter cannot run
    workspace: str | None = None


class InvestigationPane(VerticalScroll):
    DEFAULT_CSS = """
    InvestigationPane {
        height: 45%;
        min-height: 8;
        border-top: solid $primary 50%;
        background: $surface;
        padding: 0 1;
    }
    InvestigationPane #inv-trigger { margin: 0 0 0 5; }
    InvestigationPane #inv-trigger.-hidden { display: none; }
    InvestigationPane #inv-outcome { margin-top: 0; }
    InvestigationPane #inv-timeline { margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="inv-head", markup=False)
        yield Checkbox("and trigger a run now (t)", value=True, id="inv-trigger", compact=True)
        yield Static(id="inv-outcome", markup=False)
        yield Static(id="inv-timeline", markup=False)

    @property
    def trigger_box(self) -> Checkbox:
        return self.query_one("#inv-trigger", Checkbox)

    def show_text(self, text: str) -> None:
        """Nothing selected: one muted sentence."""
        self.query_one("#inv-head", Static).update(Content.styled(text, "$text-muted"))
        self.trigger_box.add_class("-hidden")
        self.query_one("#inv-outcome", Static).update("")
        self.query_one("#inv-timeline", Static).update("")

    def show(self, state: PaneState, now: datetime, trigger: bool) -> None:
        item, found = state.item, state.investigation
        runs = found.runs if found else None
        entries = found.entries if found else None
        self.query_one("#inv-head", Static).update(self._head(state, now))
        optional = (
            item.remedy is not None
            and item.remedy.trigger_optional
            and not state.readonly
            and state.recovery is None
            and not state.missing
        )
        box = self.trigger_box
        box.set_class(not optional, "-hidden")
        if box.value != trigger:
            with box.prevent(Checkbox.Changed):
                box.value = trigger
        self.query_one("#inv-outcome", Static).update(self._outcome(state))
        lines: list[Content] = [Content.styled("Timeline", LABEL)]
        if found is None:
            lines.append(Content.styled("loading runs and journal…", "$text-muted"))
        else:
            for event in build_timeline(item, runs, entries):
                style = EVENT_STYLE.get(event.tone, "")
                lines.append(
                    Content.assemble(
                        (short(event.time), "$text-muted"),
                        "  ",
                        (event.icon, style),
                        " ",
                        (event.text, style if event.tone in ("error", "state") else ""),
                    )
                )
            lines += [Content.styled(p, "$status-error") for p in found.problems]
        self.query_one("#inv-timeline", Static).update(Content("\n").join(lines))

    def _head(self, state: PaneState, now: datetime) -> Content:
        item, found = state.item, state.investigation
        sync = item.sync
        tone = f"bold $status-{REASON_TONE[item.reason]}"
        lines = [
            Content.assemble(
                (sync.name, "bold"),
                ("  " + f"{sync.account} · {sync.vendor} · {sync.id}", "$text-muted"),
            ),
            Content.styled(
                relate(item, found.entries if found else None, now) if found else "…", tone
            ),
            Content.assemble(("Why    ", LABEL), item.why or "-"),
        ]
        error = last_error(item, found.runs if found else None)
        if error and error not in item.why:
            lines.append(Content.assemble(("Error  ", LABEL), (error, "$status-error")))
        facts = run_facts(found.runs if found else None)
        if facts:
            lines.append(Content.assemble(("Runs   ", LABEL), facts))
        lines += self._fix_lines(state)
        return Content("\n").join(lines)

    def _fix_lines(self, state: PaneState) -> list[Content]:
        item, remedy = state.item, state.item.remedy
        if state.recovery is not None:
            return [
                Content.assemble(
                    ("Fixed  ", LABEL),
                    (state.recovery.message, "$status-initializing"),
                    " — watching until the next run or refresh confirms it",
                )
            ]
        if remedy is None:
            return [
                Content.assemble(
                    ("Fix    ", LABEL), "no automatic remedy: look at it in the vendor's app"
                )
            ]
        if state.missing:
            missing = ", ".join(state.missing)
            return [
                Content.assemble(
                    ("Fix    ", LABEL), f"{remedy.label} — this adapter cannot {missing}"
                )
            ]
        head = Content.assemble(("Fix    ", LABEL), remedy.label)
        if state.readonly:
            head = Content.assemble(head, ("  (read-only mode: not offered)", "$text-muted"))
        else:
            head = Content.assemble(head, ("  [f / enter]", "$text-muted"))
        lines = [head]
        for n, step in enumerate(remedy.steps, 1):
            text = describe_step(item.sync, step, state.workspace, compact=True)
            lines.append(Content.styled(f"       {n}. {text}", "$text-muted"))
        return lines

    @staticmethod
    def _outcome(state: PaneState) -> Content | str:
        if state.fix_error:
            return Content.assemble(
                ("✖ fix failed: ", "bold $status-error"), (state.fix_error, "$status-error")
            )
        if state.outcome and state.recovery is None:
            return Content.assemble(("✔ sent: ", "bold $status-active"), state.outcome)
        return ""
