"""The app and the main screen offer everything the screens ask of them through the
Protocols of `synctui.ui.host` (screens never import the app, so nothing else checks it)."""

from __future__ import annotations

import typing

from synctui.services.session import Session, SessionOptions
from synctui.ui.app import SyncTuiApp
from synctui.ui.catalog import Catalog
from synctui.ui.host import MainView, Reloadable, ShowsCalls, Tui
from synctui.ui.screens.call_log_screen import CallLogScreen
from synctui.ui.screens.detail_screen import DetailScreen
from synctui.ui.screens.main_screen import MainScreen


def _members(protocol: type) -> set[str]:
    return set(typing._get_protocol_attrs(protocol))  # type: ignore[attr-defined]


def test_the_app_offers_every_member_of_tui() -> None:
    app = SyncTuiApp(Session([], lambda a: None, SessionOptions(journal_enabled=False)))
    missing = sorted(name for name in _members(Tui) if name not in dir(app))
    assert "catalog" in _members(Tui) and not missing, missing


def test_the_main_screen_offers_every_member_of_mainview() -> None:
    screen = MainScreen(Catalog([]))
    missing = sorted(name for name in _members(MainView) if name not in dir(screen))
    assert "table" in _members(MainView) and not missing, missing


def test_the_optional_abilities_are_recognised() -> None:
    assert issubclass(DetailScreen, Reloadable)
    assert issubclass(CallLogScreen, ShowsCalls)
    assert not issubclass(MainScreen, ShowsCalls)
