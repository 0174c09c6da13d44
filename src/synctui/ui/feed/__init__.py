"""The live LetsBuild change-feed viewer.

`FeedScreen` is what the main app pushes (an account with a change feed); `FeedViewerOptions`
is how a caller asks the app to open it on its own store, engine or clock. Imports are lazy so that importing this package for a name does
not pull in Textual before it is needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from synctui.ui.feed.clock import FixedClock, SystemClock
    from synctui.ui.feed.feed_screen import FeedScreen
    from synctui.ui.feed.options import FeedViewerOptions

__all__ = ["FeedScreen", "FeedViewerOptions", "FixedClock", "SystemClock"]

_HOMES = {
    "FeedScreen": "synctui.ui.feed.feed_screen",
    "FeedViewerOptions": "synctui.ui.feed.options",
    "FixedClock": "synctui.ui.feed.clock",
    "SystemClock": "synctui.ui.feed.clock",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
