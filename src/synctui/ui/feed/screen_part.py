"""What a part of the feed screen (export, detail) may read of the screen it is mixed into.

`FeedScreen` is assembled from these parts; each declares nothing of its own about the
screen, so what they share is said once here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:
    from synctui.store.feedstore import FeedStore
    from synctui.ui.feed.change_list import ChangeList


class FeedScreenPart(Screen[None]):
    """The feed screen as its parts see it: its store, account, list and project names."""

    store: FeedStore
    account: str
    project_names: dict[str, str]

    @property
    def change_list(self) -> ChangeList:
        raise NotImplementedError
