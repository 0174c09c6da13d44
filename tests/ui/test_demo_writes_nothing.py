"""A demo run touches no user file: an account added (and a theme picked) during `--demo`
lives in the demo's scratch dir and in memory, never in ~/.config or the keyring."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from synctui.services.demo import Demo, start_demo
from synctui.services.session import Session, SessionOptions
from synctui.ui.screens.account_form_screen import AccountFormScreen
from synctui.ui.screens.accounts_screen import AccountsScreen
from tests.ui.conftest import MemoryKeyring, make_app, settle


@pytest.fixture
def demo() -> Iterator[Demo]:
    started = start_demo(frozen=True, changes_per_second=0)
    try:
        yield started
    finally:
        started.stop()


def user_files(tmp_path: Path) -> list[str]:
    """Every file under the test's home, config, data and state dirs."""
    roots = [tmp_path / name for name in ("config", "data", "state", "cache", "home")]
    return sorted(str(p) for root in roots if root.exists() for p in root.rglob("*"))


async def test_adding_an_account_in_a_demo_run_writes_no_user_file(
    demo: Demo, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    session = Session(
        list(demo.accounts),
        demo.token_for,
        SessionOptions(journal_path=demo.journal_db),
    )
    app = make_app(session, demo=demo, demo_names=frozenset(a.name for a in demo.accounts))
    paragon = demo.sandbox.info()["paragon"]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_manage_accounts()
        await settle(pilot)
        assert isinstance(app.screen, AccountsScreen)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AccountFormScreen)
        form.query_one("#name").value = "added-in-demo"
        form.query_one("#vendor").value = "paragon"
        form.query_one("#base_url").value = paragon["base_url"]
        form.query_one("#token").value = paragon["tokens"]["rw"]
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AccountsScreen), str(form.query_one("#form-result").content)
        assert "added-in-demo" in app.catalog.entries
        assert app.screen.sources["added-in-demo"] == "memory"
        app.choose_user_theme("synctui-light")
        await settle(pilot)
        assert app.theme == "synctui-light"
    assert user_files(tmp_path) == []
    assert memory_keyring.store == {}
