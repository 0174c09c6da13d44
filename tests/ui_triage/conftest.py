"""Fixtures for the attention view: sessions on the real sandbox, the app, a settle helper."""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path
from typing import Any

from synctui.sandbox.core import FROZEN_EPOCH
from synctui.sandbox.server import Sandbox
from synctui.services.demo import demo_accounts
from synctui.services.session import Session, SessionOptions
from synctui.store.journal import Journal
from synctui.ui.app import SyncTuiApp
from synctui.ui.triage.screen import AttentionScreen
from synctui.vendors.http import RetrySettings

SIZE = (120, 40)


def frozen_now() -> datetime:
    """The sandbox's frozen clock: relative times in the view never drift between runs."""
    return FROZEN_EPOCH


def triage_session(
    sandbox: Sandbox,
    *,
    readonly: bool = False,
    journal: Journal | None = None,
    journal_path: Path | None = None,
) -> Session:
    """Demo accounts on this sandbox; one attempt per call so injected faults surface at once."""
    accounts, tokens = demo_accounts(sandbox.info())
    options = SessionOptions(readonly=readonly, retry=RetrySettings(attempts=1), clock=frozen_now)
    if journal is None and journal_path is not None:
        journal = Journal(journal_path, clock=frozen_now)
    return Session(accounts, lambda a: tokens.get(a.name), options, _journal=journal)


def make_app(session: Session, **kw: Any) -> SyncTuiApp:
    """The app opened on the attention view, as `synctui --attention` opens it."""
    return SyncTuiApp(session, open_attention=True, persist_accounts=False, **kw)


async def settle(pilot: Any) -> None:
    """Until every worker finished and every posted message was handled."""
    from textual.worker import WorkerCancelled

    app = pilot.app
    for _ in range(100):
        # An investigation superseded by the next one (exclusive workers) is expected.
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            break
    await pilot.pause()


def attention(app: SyncTuiApp) -> AttentionScreen:
    screen = next(s for s in reversed(app.screen_stack) if isinstance(s, AttentionScreen))
    return screen


def lines(app: SyncTuiApp) -> list[str]:
    return attention(app).list.line_texts()


def pane_text(app: SyncTuiApp) -> str:
    from textual.widgets import Static

    pane = attention(app).pane
    return "\n".join(str(w.content) for w in pane.query(Static))


async def select(pilot: Any, text: str) -> None:
    """Filter the list down to `text` (through the `/` bar, the text pasted in one go rather
    than typed key by key) and leave the cursor on the first match."""
    from synctui.ui.widgets.prompt_bar import PromptBar

    await pilot.press("slash")
    attention(pilot.app).query_one("#filter", PromptBar).value = text
    await pilot.press("enter")
    await settle(pilot)
