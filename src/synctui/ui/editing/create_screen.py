"""`n`: create a sync the vendor's documented way, where the vendor has a create form.

The form is the vendor's editing form plus the ids an update never changes (a model and a
destination, say: suggested from the syncs this account already has), as its entry in the
form registry (`ui/editing/forms.py`) says. Nothing is sent until the body passes the
vendor's create checks (its rules' `create_issues`) and the preview is confirmed; the adapter
checks again and sends it without ever creating two.
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
from synctui.domain.validation import is_uuid
from synctui.services.vendor_rules import rules_for, title_of
from synctui.ui.editing.form_base import DocForm, Field
from synctui.ui.editing.forms import CreateForm, create_form, form_class
from synctui.ui.editing.glue import show_sync
from synctui.ui.editing.messages import Created
from synctui.ui.editing.preview_screen import PreviewScreen
from synctui.ui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from synctui.ui.host import Tui


class CreateSyncScreen(Screen[None]):
    help_title = "new sync"

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

    def __init__(self, accounts: list[str], account: str, vendor: str) -> None:
        super().__init__()
        self.accounts = accounts
        self.account = account
        self.vendor = vendor
        spec = create_form(vendor)
        form = form_class(spec.form) if spec is not None else None
        if spec is None or form is None:
            raise ValueError(f"no create form for {vendor}")
        self.spec: CreateForm = spec
        self.form_type: type[DocForm] = form
        self.help_title = f"new {title_of(vendor)} sync"
        self.body: dict[str, Any] = dict(spec.template)
        self.issues: list[Any] = []
        self.sending = False

    @property
    def tui(self) -> Tui:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield StatusLine(locked=self.tui.session.readonly, id="status")
        known = self._known_ids()
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
                for id_field in self.spec.ids:
                    yield Field(
                        id_field.label,
                        _uuid_input(id_field.input_id, known.get(id_field.key, [])),
                        name=id_field.key,
                        hint=id_field.hint,
                    )
            yield self.form_type(id="form")
        yield Static("", id="create-problems")
        yield Footer(compact=True)

    def _known_ids(self) -> dict[str, list[str]]:
        """The ids (by body key) this account's syncs already use (suggestions)."""
        found: dict[str, set[str]] = {f.key: set() for f in self.spec.ids}
        entry = self.tui.catalog.entries.get(self.account)
        for sync in entry.syncs.values() if entry else ():
            for key, seen in found.items():
                if isinstance(sync.raw.get(key), str):
                    seen.add(sync.raw[key])
        return {key: sorted(seen) for key, seen in found.items()}

    def on_mount(self) -> None:
        self.query_one(self.form_type).load(self.body, {})
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
        form = self.query_one(self.form_type)
        body = form.write(self.body)
        for id_field in self.spec.ids:
            body[id_field.key] = self.query_one(f"#{id_field.input_id}", Input).value.strip()
        if not body.get("description"):
            body.pop("description", None)
        if not body.get("schedule"):
            body.pop("schedule", None)
        return body

    def _recheck(self) -> None:
        self.body = self.document()
        self.issues = rules_for(self.vendor).create_issues(self.body)
        self.query_one(self.form_type).show_issues(self.issues)
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
            vendor=self.vendor,
            sync_id="(new)",
            patch=body,
            before={},
            after=body,
            summary=self.spec.summary,
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
