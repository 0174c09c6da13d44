"""The TUI closes every feed-store connection it opened, on every thread, when it exits.

The feed viewer's engine stores pages on its own thread, which opens its own connection; left
to the garbage collector, that connection closes (and checkpoints the WAL into
`feeds.sqlite3`) at a moment nobody chose, after the app is gone. SQLite removes the `-wal`
file when the last connection closes, so its absence right after the exit is the proof.
"""

from __future__ import annotations

from synctui.sandbox.server import Sandbox
from synctui.ui.feed import FeedScreen
from tests.ui.conftest import make_app, sandbox_session, settle, until

FEED_ACCOUNT = "letsbuild-demo"


async def test_the_app_leaves_no_feed_connection_open(sandbox: Sandbox, no_collector: None) -> None:
    app = make_app(sandbox_session(sandbox))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_feed(FEED_ACCOUNT)
        await until(pilot, lambda: isinstance(app.screen, FeedScreen), "the feed viewer open")
        store = app.screen.store
        # A page stored by the engine, on its own thread (and so its own connection).
        await until(pilot, lambda: store.count(FEED_ACCOUNT) > 0, "a page of changes stored")
        wal = store.path.with_name(store.path.name + "-wal")
        assert wal.exists()
        app.exit()
    assert not wal.exists(), "a connection of the feed viewer is still open"
