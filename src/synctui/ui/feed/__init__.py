"""The live LetsBuild change-feed viewer.

`FeedScreen` is what the main app pushes; `FeedApp` hosts it alone (tests, benchmarks,
the screenshot). Imports are lazy so that importing this package for a name does
not pull in Textual before it is needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from synctui.ui.feed.clock import FixedClock, SystemClock
    from synctui.ui.feed.feed_app import FeedApp
    from synctui.ui.feed.feed_screen import FeedScreen

__all__ = ["FeedApp", "FeedScreen", "FixedClock", "SystemClock"]

_HOMES = {
    "FeedApp": "synctui.ui.feed.feed_app",
    "FeedScreen": "synctui.ui.feed.feed_screen",
    "FixedClock": "synctui.ui.feed.clock",
    "SystemClock": "synctui.ui.feed.clock",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
