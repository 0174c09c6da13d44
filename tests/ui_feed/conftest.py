"""Fixtures for the feed viewer: a store already holding the sandbox's seeded changes.

Ingesting the 21,000 seeded changes takes a few seconds, so it happens once per session
into a template file; each test copies it. The template is ingested from a sandbox built
like the `sandbox` fixture (seed 7, frozen clock, no live generator). Cursors are signed per
seed, so an engine started on a copy resumes against any seed-7 sandbox (frozen or live)
exactly where the template stopped.

`received_at` is the wall-clock time of ingestion; the template rewrites it to a fixed,
id-derived time so that screenshots are identical on every run.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from synctui.sandbox.core import SandboxConfig
from synctui.sandbox.server import Sandbox
from synctui.services.demo import demo_accounts
from synctui.services.feed import FEEDS, FeedEngine
from synctui.services.session import Session, SessionOptions
from synctui.store.accounts import Account
from synctui.store.feedstore import ChangeFilter, FeedStore
from synctui.ui.app import SyncTuiApp
from synctui.ui.feed import FeedScreen, FeedViewerOptions
from synctui.ui.feed.clock import FeedClock
from synctui.vendors.http import RetrySettings
from tests.waits import no_wait

ACCOUNT = "letsbuild-demo"


def fast_retry() -> RetrySettings:
    return RetrySettings(
        attempts=2, base_delay=0.001, max_delay=0.01, max_retry_after=0.01, sleep=no_wait
    )


def session_for(sandbox: Sandbox, *, token: str | None = None) -> Session:
    accounts, tokens = demo_accounts(sandbox.info())
    if token is not None:
        tokens = {name: token for name in tokens}
    options = SessionOptions(retry=fast_retry(), journal_enabled=False)
    return Session(accounts, lambda account: tokens.get(account.name), options)


def offline_session() -> Session:
    """The LetsBuild account at an address nobody answers: for a viewer whose engine is given
    (and never run), which must not reach any vendor."""
    account = Account(name=ACCOUNT, vendor="letsbuild", base_url="http://127.0.0.1:9")
    return Session([account], lambda _account: None, SessionOptions(journal_enabled=False))


def feed_app(
    session: Session | None,
    store: FeedStore,
    *,
    poll_interval: float | None = None,
    engine: FeedEngine | None = None,
    clock: FeedClock | None = None,
) -> SyncTuiApp:
    """The app as `synctui --account letsbuild-demo` opens it: straight onto the feed viewer,
    on this store (the test closes it), polling every `poll_interval` seconds."""
    options = FeedViewerOptions(
        store=store, poll_interval=poll_interval, engine=engine, clock=clock
    )
    return SyncTuiApp(
        session or offline_session(), initial_account=ACCOUNT, persist_accounts=False, feed=options
    )


async def opened_feed(pilot: object) -> FeedScreen:
    """The viewer, once the app has opened it (it does so after its first frame)."""
    app = pilot.app  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: isinstance(app.screen, FeedScreen), "the feed viewer opened")
    screen = app.screen
    assert isinstance(screen, FeedScreen)
    return screen


def stored_ids(store: FeedStore, flt: ChangeFilter | None = None) -> list[int]:
    return store.ids(ACCOUNT, flt or ChangeFilter(), limit=10_000_000)


async def wait_for(
    pilot: object, condition: Callable[[], bool], what: str, *, limit: float = 30.0
) -> None:
    """Let the app run until `condition` holds. The limit only turns a hang into a failure
    with a message; no assertion depends on how long anything took."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"gave up waiting for: {what}")
        await pilot.pause(0.05)  # type: ignore[attr-defined]


async def _ingest(sandbox: Sandbox, path: Path) -> None:
    """One feed after the other: parallel feeds would interleave local ids differently on
    every run, and the list (ordered by local id) would never look the same twice."""
    session = session_for(sandbox)
    store = FeedStore(path)
    for feed in FEEDS:
        engine = FeedEngine(ACCOUNT, session.adapter(ACCOUNT), store, feeds=(feed,))
        await engine.run(follow=False)
    await session.aclose()
    store.close()


@pytest.fixture(scope="session")
def feed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("feed-template") / "feeds.sqlite3"
    with Sandbox(SandboxConfig(port=0, seed=7, frozen=True, changes_per_second=0)) as sb:
        asyncio.run(_ingest(sb, path))
    db = sqlite3.connect(path)
    db.execute(
        "UPDATE changes SET received_at = strftime('%Y-%m-%dT%H:%M:%S', "
        "'2025-03-14 08:00:00', '+' || (id / 4) || ' seconds') || '.000+00:00'"
    )
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture
def feed_db(feed_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "feeds.sqlite3"
    shutil.copyfile(feed_template, target)
    return target


@pytest.fixture
def feed_store(feed_db: Path) -> Iterator[FeedStore]:
    store = FeedStore(feed_db)
    yield store
    store.close()


def visible_rows(screen: object) -> list[str]:
    """The list's painted lines below its header, as plain text."""
    change_list = screen.change_list  # type: ignore[attr-defined]
    height = change_list.scrollable_content_region.height
    return [change_list.render_line(y).text for y in range(1, height)]


def notifications(app: object) -> list[str]:
    return [n.message for n in app._notifications]  # type: ignore[attr-defined]
