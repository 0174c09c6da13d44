"""The screen's side of a `FeedEngine`: hooks that only flag and queue, and what to show.

The engine calls `on_page`/`on_error` from its own task; touching widgets there is how a
viewer stutters under load. So the hooks here set a flag and queue error texts, and the
screen's timer collects them. Hooks chain onto whatever callbacks the engine already had
(an app may run the engine and listen too) and are removed when the screen leaves.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from synctui.domain import errors
from synctui.services.feed import FEEDS, FeedEngine
from synctui.ui.feed.clock import format_ago
from synctui.ui.feed.header import FeedStatus


class EngineLink:
    def __init__(self, engine: FeedEngine | None, on_page: Callable[[], None]) -> None:
        self.engine = engine
        self.owned = engine is None  # built (and stopped) by the screen, not by the app
        self._on_page = on_page
        self._errors: deque[tuple[str, str]] = deque()
        self._notified: dict[str, str] = {}  # feed -> error text already shown in a toast
        self._unhook: Callable[[], None] | None = None

    def attach(self, engine: FeedEngine) -> None:
        self.detach()
        self.engine = engine
        previous_page, previous_error = engine.on_page, engine.on_error

        def on_page(feed: str, changes: list[Any], ids: list[int]) -> None:
            self._on_page()
            if previous_page is not None:
                previous_page(feed, changes, ids)

        def on_error(feed: str, exc: errors.SyncTuiError) -> None:
            self._errors.append((feed, str(exc)))
            if previous_error is not None:
                previous_error(feed, exc)

        engine.on_page, engine.on_error = on_page, on_error

        def unhook() -> None:
            engine.on_page, engine.on_error = previous_page, previous_error

        self._unhook = unhook

    def detach(self) -> None:
        if self._unhook is not None:
            self._unhook()
            self._unhook = None

    def forget(self) -> None:
        """Before a restart: a new engine, and old outages may be toasted again."""
        self.detach()
        self.engine = None
        self._notified.clear()

    def new_errors(self) -> list[tuple[str, str]]:
        """(feed, error) worth a toast: one per distinct error until that feed recovers, so a
        shared outage of four feeds is one notification, not four every backoff."""
        fresh: list[tuple[str, str]] = []
        while self._errors:
            feed, text = self._errors.popleft()
            if text not in self._notified.values():
                fresh.append((feed, text))
            self._notified[feed] = text
        if self.engine is not None:
            for feed, state in self.engine.states.items():
                if state.last_error is None:
                    self._notified.pop(feed, None)
        return fresh

    def caught_up(self) -> bool:
        """Every feed has drained its backlog once (or is failing and will not soon)."""
        if self.engine is None:
            return True
        return all(
            not state.has_more or state.consecutive_errors for state in self.engine.states.values()
        )

    def statuses(self, totals: dict[str, int], now: float) -> list[FeedStatus]:
        states = self.engine.states if self.engine is not None else {}
        out = []
        for feed in FEEDS:
            state = states.get(feed)
            if state is None:
                out.append(FeedStatus(feed, totals.get(feed, 0), False, "not polled"))
                continue
            ago = None if state.last_success is None else now - state.last_success
            out.append(
                FeedStatus(
                    feed,
                    totals.get(feed, 0),
                    state.has_more,
                    format_ago(ago),
                    state.last_error,
                    state.consecutive_errors,
                )
            )
        return out
