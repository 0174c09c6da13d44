"""What the viewer narrows by, as an immutable value the keys toggle.

A selection that is empty means "all": pressing `1` on the full list shows only projects,
pressing `3` then adds points, pressing both again returns to everything. That keeps the
common cases (one feed, one operation) to a single key and `0` always resets the feeds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from synctui.services.feed import FEEDS
from synctui.store.feedstore import ChangeFilter

OPERATIONS: tuple[str, ...] = ("created", "updated", "deleted")


def _toggle(selected: frozenset[str], item: str) -> frozenset[str]:
    return selected - {item} if item in selected else selected | {item}


@dataclass(frozen=True)
class FeedFilter:
    feeds: frozenset[str] = frozenset()
    operations: frozenset[str] = frozenset()
    project_id: str | None = None
    project_name: str | None = None
    text: str = ""
    partial_only: bool = False

    def toggle_feed(self, feed: str) -> FeedFilter:
        selected = _toggle(self.feeds, feed)
        return replace(self, feeds=frozenset() if selected == set(FEEDS) else selected)

    def all_feeds(self) -> FeedFilter:
        return replace(self, feeds=frozenset())

    def toggle_operation(self, operation: str) -> FeedFilter:
        selected = _toggle(self.operations, operation)
        return replace(self, operations=frozenset() if selected == set(OPERATIONS) else selected)

    def with_project(self, project_id: str | None, name: str | None = None) -> FeedFilter:
        return replace(
            self, project_id=project_id or None, project_name=name if project_id else None
        )

    def with_text(self, text: str) -> FeedFilter:
        return replace(self, text=text.strip())

    def toggle_partial(self) -> FeedFilter:
        return replace(self, partial_only=not self.partial_only)

    def shows_feed(self, feed: str) -> bool:
        return not self.feeds or feed in self.feeds

    def shows_operation(self, operation: str) -> bool:
        return not self.operations or operation in self.operations

    @property
    def is_narrowed(self) -> bool:
        return self != FeedFilter()

    def to_change_filter(self) -> ChangeFilter:
        """The store's filter; feeds and operations in a fixed order so equal filters match."""
        return ChangeFilter(
            feeds=tuple(f for f in FEEDS if f in self.feeds),
            operations=tuple(o for o in OPERATIONS if o in self.operations),
            project_id=self.project_id,
            text=self.text or None,
            partial_only=self.partial_only,
        )
