"""`synctui --demo` paints its accounts before the sandbox answers.

The demo's sandbox is started by a function the test holds back: the first frame must
already show every demo account in the sidebar and a "… loading" placeholder row per
account in the table, with `settled` false; once the sandbox is let go, the real rows
replace the placeholders and the app settles as it always did. No sleeps: the test waits
for the start to be asked for (an event), then for `settled`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from synctui.sandbox.server import Sandbox
from synctui.services.demo import DEMO_ACCOUNTS, Demo, begin_demo, demo_accounts, start_sandbox
from synctui.services.session import Session, SessionOptions
from synctui.ui.app import SyncTuiApp
from synctui.ui.catalog import LoadState
from synctui.ui.skeleton import LOADING_CELL
from tests.ui.conftest import settle

HELD_SECONDS = 60.0  # a bound that turns a hang into a failure, never a wait


class HeldStart:
    """A sandbox start that tells when it was asked for and waits to be let go."""

    def __init__(self, start: Callable[[], Sandbox]) -> None:
        self.asked = threading.Event()
        self.release = threading.Event()
        self._start = start

    def __call__(self) -> Sandbox:
        self.asked.set()
        if not self.release.wait(HELD_SECONDS):
            raise RuntimeError("never released")
        return self._start()


def _frozen() -> Sandbox:
    return start_sandbox(frozen=True, changes_per_second=0)


def _app(demo: Demo) -> SyncTuiApp:
    options = SessionOptions(journal_path=demo.journal_db)
    session = Session(list(demo.accounts), demo.token_for, options)
    names = frozenset(a.name for a in demo.accounts)
    return SyncTuiApp(session, demo=demo, demo_names=names, refresh_seconds=0)


def _painted(app: SyncTuiApp) -> list[str]:
    table = app.main.table  # type: ignore[union-attr]
    return [table.render_line(y).text for y in range(table.size.height)]


async def test_the_first_frame_shows_accounts_and_placeholders_before_the_sandbox() -> None:
    held = HeldStart(_frozen)
    demo = begin_demo(held)
    app = _app(demo)
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            assert await asyncio.to_thread(held.asked.wait, HELD_SECONDS)
            await pilot.pause()
            assert demo.pending and demo.sandbox is None
            assert not app.settled
            lines = _painted(app)
            assert "Account" in lines[0] and "Vendor" in lines[0]
            # Every account with syncs to list (LetsBuild has a change feed instead).
            listed = [(n, v) for n, v in DEMO_ACCOUNTS if v != "letsbuild"]
            for i, (name, vendor) in enumerate(listed, start=1):
                assert app.catalog.entry(name).state == LoadState.LOADING
                cells = lines[i].split()
                assert cells[:4] == [*LOADING_CELL.split(), name, vendor], lines[i]
            options = app.main.sidebar  # type: ignore[union-attr]
            sidebar = "\n".join(
                str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
            )
            assert all(name in sidebar for name, _ in DEMO_ACCOUNTS)
            table = app.main.table  # type: ignore[union-attr]
            assert table.row_count == 0 and table.total_count == 0  # placeholders are no rows

            held.release.set()
            await settle(pilot)
            assert app.settled and not demo.pending
            assert table.total_count > 0
            assert LOADING_CELL not in "\n".join(_painted(app))
            for entry in app.catalog.entries.values():
                assert entry.state in (LoadState.READY, LoadState.FEED), entry
                assert entry.account.base_url.startswith(demo.sandbox.base_url)  # type: ignore[union-attr]
    finally:
        held.release.set()
        demo.stop()


async def test_a_sandbox_that_cannot_start_fails_each_account_with_one_sentence() -> None:
    def broken() -> Sandbox:
        raise OSError("no free port")

    demo = begin_demo(broken)
    app = _app(demo)
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(pilot)
            assert app.settled
            listed = [e for e in app.catalog.entries.values() if e.state != LoadState.FEED]
            assert listed
            for entry in listed:
                assert entry.state == LoadState.FAILED
                assert entry.message == "the demo sandbox could not start: no free port"
            assert LOADING_CELL not in "\n".join(_painted(app))
    finally:
        demo.stop()


def test_the_demo_accounts_known_before_the_start_are_the_started_ones(sandbox: Sandbox) -> None:
    accounts, tokens = demo_accounts(sandbox.info())
    assert [(a.name, a.vendor) for a in accounts] == list(DEMO_ACCOUNTS)
    assert set(tokens) == {name for name, _ in DEMO_ACCOUNTS}


def test_the_tui_imports_leave_out_the_httpx_command_line_client() -> None:
    """httpx's CLI (click, pygments' lexers) costs start-up and is never run by synctui."""
    import subprocess
    import sys

    probe = (
        "import sys, synctui.ui.app, httpx; "
        "print(sorted(m for m in ('click', 'pygments.lexers', 'rich.syntax') if m in sys.modules)); "
        "print(httpx.main.__module__)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert proc.stdout.split("\n")[:2] == ["[]", "httpx"], proc.stdout


async def test_a_feed_asked_for_while_the_sandbox_starts_opens_once_it_answers() -> None:
    """`--demo --account letsbuild-demo`: the feed viewer is opened only once the sandbox
    answers (with the account's address), and the table behind it keeps no placeholder for
    accounts that are not loading. The viewer itself is not started here: what is checked
    is when, and with what account, it is asked for."""
    held = HeldStart(_frozen)
    demo = begin_demo(held)
    options = SessionOptions(journal_path=demo.journal_db)
    session = Session(list(demo.accounts), demo.token_for, options)
    opened: list[tuple[str, bool, str]] = []

    class Recording(SyncTuiApp):
        def open_feed(self, name: str) -> None:
            opened.append((name, demo.pending, self.session.account(name).base_url))
            if demo.pending:
                super().open_feed(name)  # waits for the sandbox, then comes back here

    app = Recording(
        session,
        demo=demo,
        demo_names=frozenset(a.name for a in demo.accounts),
        initial_account="letsbuild-demo",
        refresh_seconds=0,
    )
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            assert await asyncio.to_thread(held.asked.wait, HELD_SECONDS)
            await pilot.pause()
            assert opened == [("letsbuild-demo", True, "")]
            assert app.main is not None and app.main.table.skeleton == ()
            held.release.set()
            await demo.wait_started()
            for _ in range(200):  # rounds of the event loop, not time
                if len(opened) > 1:
                    break
                await pilot.pause()
            assert demo.sandbox is not None
            assert opened[1:] == [("letsbuild-demo", False, demo.sandbox.url("letsbuild"))]
    finally:
        held.release.set()
        demo.stop()


async def test_the_attention_view_asked_for_while_the_sandbox_starts_reads_once_it_answers() -> None:
    """`synctui --demo --attention` (or `!` in the first second): the view reads the accounts
    only once the sandbox gives them addresses. Opened at once, every account "could not be
    read" (no address, no token), and the table behind it said the same on Esc."""
    from synctui.ui.triage import AttentionScreen

    held = HeldStart(_frozen)
    demo = begin_demo(held)
    options = SessionOptions(journal_path=demo.journal_db)
    session = Session(list(demo.accounts), demo.token_for, options)
    app = SyncTuiApp(
        session,
        demo=demo,
        demo_names=frozenset(a.name for a in demo.accounts),
        open_attention=True,
        refresh_seconds=0,
    )
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            assert await asyncio.to_thread(held.asked.wait, HELD_SECONDS)
            await pilot.pause()
            assert not isinstance(app.screen, AttentionScreen)  # nothing read without addresses
            held.release.set()
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, AttentionScreen)
            text = "\n".join(screen.list.line_texts())
            assert "COULD NOT BE READ" not in text and "no token" not in text, text
            assert "IN ERROR" in text
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is app.main and app.settled
            for entry in app.catalog.entries.values():
                assert entry.state in (LoadState.READY, LoadState.FEED), entry
    finally:
        held.release.set()
        demo.stop()
