"""`open_session`: the one way a run gets its session, accounts, tokens, journal and clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from synctui.services.opening import frozen_clock, open_session
from synctui.services.session import utc_now
from synctui.settings import Settings
from synctui.store.accounts import Account, AccountStore

ACCOUNT = Account(name="acme", vendor="polytomic", base_url="https://app.polytomic.com")


def test_the_users_accounts_with_the_wall_clock_and_no_demo() -> None:
    opened = open_session(accounts=[ACCOUNT], token_for=lambda a: "tok", readonly=True)
    session = opened.session
    assert opened.demo is None
    assert [a.name for a in session.accounts] == ["acme"]
    assert session.readonly and session.token_for(ACCOUNT) == "tok"
    assert session.clock is utc_now and opened.clock is utc_now
    opened.close()  # nothing started: nothing to stop


def test_accounts_come_from_the_store_and_the_network_settings_apply(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "accounts.toml")
    store.add(ACCOUNT)
    settings = Settings(max_pages=7, retry_attempts=2)
    session = open_session(accounts=store, network=settings).session
    assert [a.name for a in session.accounts] == ["acme"]
    assert session.options.limits is not None and session.options.limits.max_pages == 7
    assert session.options.retry is not None and session.options.retry.attempts == 2


def test_an_injected_clock_is_the_sessions_clock() -> None:
    instant = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
    session = open_session(accounts=[], clock=lambda: instant).session
    assert session.clock() == instant


def test_a_frozen_demo_brings_its_frozen_instant_and_its_own_journal() -> None:
    opened = open_session(frozen=True, changes_per_second=0)
    try:
        demo = opened.demo
        assert demo is not None and demo.sandbox is not None
        assert opened.clock is frozen_clock
        assert opened.session.clock() == frozen_clock()
        assert opened.session.options.journal_path == demo.journal_db
        assert {a.name for a in opened.session.accounts} == {a.name for a in demo.accounts}
        account = opened.session.accounts[0]
        assert opened.session.token_for(account) == demo.tokens[account.name]
        # The sandbox's own clock says the same instant.
        assert demo.sandbox.clock.now() == frozen_clock()
    finally:
        opened.close()
