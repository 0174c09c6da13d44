"""100,000 syncs in the All view: the virtual table paints, filters and moves."""

from __future__ import annotations

import pytest

from synctui.services.session import Session, SessionOptions
from synctui.store.accounts import Account
from synctui.vendors import registry
from tests.ui.conftest import make_app, settle
from tests.ui.fakes import FakeAdapter, make_syncs

PER_ACCOUNT = 20_000


def painted(table) -> str:
    """The lines the table paints right now (what the terminal receives)."""
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


ACCOUNTS = 5


@pytest.fixture
def big_session(monkeypatch: pytest.MonkeyPatch) -> Session:
    monkeypatch.setitem(registry.ADAPTERS, "fake", "tests.ui.fakes:FakeAdapter")
    accounts = [
        Account(name=f"big{i}", vendor="fake", base_url="http://127.0.0.1:9")
        for i in range(ACCOUNTS)
    ]
    data = {a.name: make_syncs(a.name, PER_ACCOUNT) for a in accounts}
    monkeypatch.setattr(FakeAdapter, "data", data)
    return Session(accounts, lambda a: "token", SessionOptions(journal_enabled=False))


async def test_hundred_thousand_rows_render_filter_and_scroll(big_session: Session) -> None:
    app = make_app(big_session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.main.table
        total = PER_ACCOUNT * ACCOUNTS
        assert table.row_count == total
        assert "100,000 syncs" in app.main.status.text
        screen_text = painted(table)
        assert "sync 000000" in screen_text and "big0" in screen_text
        assert len(screen_text.splitlines()) == table.size.height

        contacts = -(-PER_ACCOUNT // 3) * ACCOUNTS  # every third sync is a "contacts" one
        table.set_filter("contacts")
        assert table.row_count == contacts
        table.set_filter("!contacts")
        assert table.row_count == total - contacts
        table.set_filter("big3 019999")
        assert table.visible_keys == [("big3", "s019999")]
        table.set_filter("")

        await pilot.press("end")
        assert table.cursor_row == total - 1
        await pilot.pause()
        assert "sync 019999" in painted(table)
        await pilot.press("s", "s", "s", "s")  # sort by name: big0's last row is first
        assert table.cursor_key == ("big4", "s019999")  # the cursor follows its row
