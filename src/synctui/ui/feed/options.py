"""How the main app opens the change-feed viewer, when a caller wants it opened differently.

By default the app keeps changes in the user's feed store (or the demo's), polls at the
`[feed]` settings' interval and reads the real clock. A caller embedding the app can give its
own store (kept open: its owner closes it), an engine it already runs and feeds (the viewer
hooks it and never stops it), a fixed poll interval, and the viewer's `FeedClock` (monotonic
seconds and the time zone of the list's times; the rest of the app reads `Session.clock`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from synctui.services.feed import FeedEngine
    from synctui.store.feedstore import FeedStore
    from synctui.ui.feed.clock import FeedClock

DEFAULT_POLL_SECONDS = 2.0  # without settings (the sandbox answers at once)


@dataclass(frozen=True)
class FeedViewerOptions:
    store: FeedStore | None = None
    poll_interval: float | None = None  # None: `[feed]` settings, else DEFAULT_POLL_SECONDS
    engine: FeedEngine | None = None
    clock: FeedClock | None = None
