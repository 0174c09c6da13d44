"""Unsaved edits, kept per sync at the app level so they survive leaving the editor.

A person opens an editor, types, goes to look at another sync's runs, comes back: what they
typed must still be there. The editor therefore never owns its document; it reads and writes
a `Draft` held here. A draft ends only when its save succeeds or the person discards it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from synctui.domain.merge_patch import json_equal
from synctui.ui.editing.document import build_patch

if TYPE_CHECKING:
    from synctui.domain.models import Sync

SyncKey = tuple[str, str]
Mode = Literal["form", "json"]

__all__ = ["Draft", "DraftStore"]


@dataclass
class Draft:
    """One sync's edit in progress.

    `base` is the sync as loaded when the edit began: a save is planned against it, so the
    adapters' conflict checks compare the server with what this person actually saw.
    `text` holds the raw JSON while it does not parse, so an unfinished brace is not lost.
    """

    base: Sync
    before: dict[str, Any]
    after: dict[str, Any]
    mode: Mode = "form"
    text: str | None = None
    trigger_now: bool = False
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def key(self) -> SyncKey:
        return self.base.key

    @property
    def vendor(self) -> str:
        return self.base.vendor

    @property
    def dirty(self) -> bool:
        """True when saving would send something, or typed JSON is pending."""
        return self.text is not None or not json_equal(self.before, self.after)

    def patch(self) -> dict[str, Any]:
        return build_patch(self.before, self.after)

    def rebase(self, sync: Sync, before: dict[str, Any], after: dict[str, Any]) -> None:
        """The sync was reloaded (conflict, migration): plan against the fresh version now."""
        self.base = sync
        self.before = copy.deepcopy(before)
        self.after = copy.deepcopy(after)
        self.text = None


class DraftStore:
    """Drafts by sync key, with a callback so tables can mark the rows that have one."""

    def __init__(self) -> None:
        self._drafts: dict[SyncKey, Draft] = {}
        self._listeners: list[Callable[[SyncKey], None]] = []
        self._marked: set[SyncKey] = set()  # keys whose marker listeners were last told of

    def __contains__(self, key: object) -> bool:
        return key in self._drafts

    def __iter__(self) -> Iterator[SyncKey]:
        return iter(list(self._drafts))

    def __len__(self) -> int:
        return len(self._drafts)

    def get(self, key: SyncKey) -> Draft | None:
        return self._drafts.get(key)

    def has_changes(self, key: SyncKey) -> bool:
        draft = self._drafts.get(key)
        return draft is not None and draft.dirty

    def put(self, draft: Draft) -> None:
        self._drafts[draft.key] = draft
        self._changed(draft.key)

    def touched(self, key: SyncKey) -> None:
        """The draft's content changed (called on every edit): listeners hear of it only
        when the marker flips, so typing does not repaint the table."""
        self._changed(key)

    def discard(self, key: SyncKey) -> Draft | None:
        draft = self._drafts.pop(key, None)
        self._changed(key)
        return draft

    def subscribe(self, listener: Callable[[SyncKey], None]) -> None:
        self._listeners.append(listener)

    def _changed(self, key: SyncKey) -> None:
        marked = self.has_changes(key)
        if marked == (key in self._marked):
            return
        if marked:
            self._marked.add(key)
        else:
            self._marked.discard(key)
        for listener in list(self._listeners):
            listener(key)
