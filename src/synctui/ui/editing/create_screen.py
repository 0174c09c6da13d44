"""`n` on a Signalsmith view: create a sync the documented way (POST with every required field).

The form is the Signalsmith editing form plus the two ids an update never changes (model and
destination, suggested from the syncs this account already has). Nothing is sent until the
body validates as a create (`validate_signalsmith_sync(creating=True)`) and the preview is
confirmed; the adapter checks again and sends it without ever creating two.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.validation import Function
from textual.widgets import Footer, Input, Select, Static

from synctui.domain.models import PlannedRequest, WritePlan
from synctui.domain.validation import is_uuid, validate_signalsmith_sync
from synctui.ui.editing.form_base import DocForm, Field
from synctui.ui.editing.glue import show_sync
from synctui.ui.editing.messages import Created
from synctui.ui.editing.preview_screen import PreviewScreen
from synctui.ui.editing.signalsmith_form import SignalsmithForm
from synctui.ui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from synctui.ui.host import Tui

TEMPLATE: dict[str, Any] = {
    "name": "",
    "description": "",
    "sync_mode": "upsert",
    "primary_key": "",
    "schedule": "",
    "field_mapping": [{"source_column": "", "destination_field": ""}],
}


class CreateSyncScreen(Screen[None]):
    help_title = "new Signalsmith sync"

    BINDINGS = [
        Binding("ctrl+s", "create", "Create…", id="create.create"),
        Binding("escape", "back", "Cancel", id="create.back"),
    ]

    DEFAULT_CSS = """
    CreateSyncScreen #create-scroll { height: 1fr; }
    CreateSyncScreen #ids { height: auto; padding: 0 1; }
    CreateSyncScreen #ids .section { text-style: bold; color: $text-accent; }
    CreateSyncScreen #create-problems { height: auto; max-height: 4; padding: 0 1;
        background: $panel; }
    CreateSyncScreen #create-problems.-bad { color: $text-error; }
    """

    def __init__(self, accounts: list[str], account: str) -> None:
        super().__init__()
        self.accounts = accounts
        self.account = account
        self.body: dict[str, Any] = dict(TEMPLATE)
        self.issues: list[Any] = []
        self.sending = False

    @property
    def tui(self) -> Tui:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield StatusLine(locked=self.tui.session.readonly, id="status")
        models, destinations = self._known_ids()
        with VerticalScroll(id="create-scroll"):
            with Vertical(id="ids"):
                yield Static("Where", classes="section")
                yield Field(
                    "Account",
                    Select(
                        [(a, a) for a in self.accounts],
                        value=self.account,
                        allow_blank=False,
                        compact=True,
                        id="account",
                    ),
                    name="account",
                )
                yield Field(
                    "Model ID",
                    _uuid_input("model", models),
                    name="model_id",
                    hint="the model to read rows from (UUID; tab completes known ones)",
                )
                yield Field(
                    "Destination ID",
                    _uuid_input("destination", destinations),
                    name="destination_id",
                    hint="where rows are written (UUID)",
                )
            yield SignalsmithForm(id="form")
        yield Static("", id="create-problems")
        yield Footer(compact=True)

    def _known_ids(self) -> tuple[list[str], list[str]]:
        """Model and destination ids this account's syncs already use (suggestions)."""
        models: set[str] = set()
        destinations: set[str] = set()
        entry = self.tui.catalog.entries.get(self.account)
        for sync in entry.syncs.values() if entry else ():
            if isinstance(sync.raw.get("model_id"), str):
                models.add(sync.raw["model_id"])
            if isinstance(sync.raw.get("destination_id"), str):
                destinations.add(sync.raw["destination_id"])
        return sorted(models), sorted(destinations)

    def on_mount(self) -> None:
        self.query_one(SignalsmithForm).load(self.body, {})
        self._recheck()
        self.query_one("#name", Input).focus()
        self._status()

    def _status(self) -> None:
        self.query_one("#status", StatusLine).show(
            Content.assemble(
                (" synctui", "bold $text-accent"),
                " │ new sync │ ",
                (self.account, "bold"),
                (" │ creating…", "$text-accent") if self.sending else "",
            )
        )

    # --- the body ---------------------------------------------------------------------------
    def document(self) -> dict[str, Any]:
        form = self.query_one(SignalsmithForm)
        body = form.write(self.body)
        body["model_id"] = self.query_one("#model", Input).value.strip()
        body["destination_id"] = self.query_one("#destination", Input).value.strip()
        if not body.get("description"):
            body.pop("description", None)
        if not body.get("schedule"):
            body.pop("schedule", None)
        return body

    def _recheck(self) -> None:
        self.body = self.document()
        self.issues = validate_signalsmith_sync(self.body, creating=True)
        self.query_one(SignalsmithForm).show_issues(self.issues)
        line = self.query_one("#create-problems", Static)
        if self.issues:
            line.update(Content("\n").join(Content(f"✗ {i.message}") for i in self.issues[:3]))
        else:
            line.update(Content.styled("✓ ready: ctrl+s to preview and create", "$text-success"))
        line.set_class(bool(self.issues), "-bad")
        self.refresh_bindings()

    def on_doc_form_edited(self, event: DocForm.Edited) -> None:
        event.stop()
        self._recheck()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._recheck()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id == "account" and event.value is not Select.NULL:
            self.account = str(event.value)
            self._status()

    # --- creating ---------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "create":
            if self.tui.session.readonly:
                return False
            return (not self.issues and not self.sending) or None
        return True

    def action_create(self) -> None:
        if self.issues or self.sending:
            return
        body = self.document()
        plan = WritePlan(
            account=self.account,
            vendor="signalsmith",
            sync_id="(new)",
            patch=body,
            before={},
            after=body,
            summary="create a sync (POST)",
            requests=[
                PlannedRequest(
                    method="POST",
                    url=f"{self.account}: new sync in this workspace",
                    body=body,
                    note="sent once; if the answer is lost, synctui looks before resending",
                )
            ],
        )
        self.app.push_screen(
            PreviewScreen(plan, title=f"New sync in {self.account}"),
            lambda confirmed: self._send(body) if confirmed is not None else None,
        )

    def _send(self, body: dict[str, Any]) -> None:
        self.sending = True
        self._status()
        self.refresh_bindings()
        self._create(self.account, body)

    @work(group="create", exclusive=True, exit_on_error=False)
    async def _create(self, account: str, body: dict[str, Any]) -> None:
        try:
            sync = await self.tui.session.create(account, body)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.post_message(Created(None, exc))
        else:
            self.post_message(Created(sync, None))

    def on_created(self, message: Created) -> None:
        message.stop()
        self.sending = False
        self._status()
        self.refresh_bindings()
        if message.error is not None or message.sync is None:
            self.notify(
                str(message.error), title="Create failed — the form is kept", severity="error"
            )
            line = self.query_one("#create-problems", Static)
            line.update(Content(f"✗ {message.error}"))
            line.set_class(True, "-bad")
            return
        show_sync(self.tui, message.sync)
        self.tui.load_account(message.sync.account)
        self.notify(f"created {message.sync.name} ({message.sync.id})", title="Created")
        self.dismiss(None)

    def action_back(self) -> None:
        if self.sending:
            self.notify("creating… wait for the answer", severity="warning")
            return
        self.dismiss(None)


def _uuid_input(name: str, known: list[str]) -> Input:
    return Input(
        compact=True,
        id=name,
        placeholder="123e4567-e89b-12d3-a456-426614174000",
        validators=[Function(is_uuid, "must be a UUID")],
        suggester=SuggestFromList(known, case_sensitive=False) if known else None,
    )
