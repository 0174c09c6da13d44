"""Everything the detail pane shows about one change, computed off the UI thread.

The snapshot, the entity's history (in sequence order, as the store returns it) and a diff
between this snapshot and the previous one of the same entity. A deletion carries no
snapshot, so the pane shows the last known one and the diff removes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from synctui.domain.diff import changed_paths, format_path, summarize, unified_json_diff
from synctui.store.feedstore import NULL_GUID, FeedStore, StoredChange

HISTORY_SHOWN = 40
# Fields every LetsBuild snapshot changes on every update; diffing them only adds noise.
BOOKKEEPING = frozenset({"sequenceVersion", "updatedAt", "__typename"})


@dataclass(frozen=True)
class ChangeDetail:
    change: StoredChange
    history: list[StoredChange]
    previous: StoredChange | None  # the latest earlier change of this entity with a snapshot
    snapshot: dict[str, Any] | None  # this change's data, or the last known one if deleted
    diff: list[str] = field(default_factory=list)
    summary: str = ""
    project_name: str = ""
    unknown_fields: list[str] = field(default_factory=list)  # where a partial has the null GUID

    @property
    def snapshot_is_last_known(self) -> bool:
        return self.change.data is None and self.snapshot is not None

    @property
    def position(self) -> int:
        """Where this change sits in the history (0-based)."""
        for i, item in enumerate(self.history):
            if item.id == self.change.id:
                return i
        return len(self.history) - 1


def null_guid_paths(data: Any, path: tuple[str | int, ...] = ()) -> list[str]:
    """Where a partial snapshot carries the null GUID: the fields a later update fills in."""
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in null_guid_paths(v, (*path, k))]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in null_guid_paths(v, (*path, i))]
    return [format_path(path)] if data == NULL_GUID else []


def pretty_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def without_bookkeeping(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if k not in BOOKKEEPING}
    return data


def describe_diff(before: Any, after: Any) -> tuple[list[str], str]:
    """Diff lines and a one-line summary, leaving out the bookkeeping fields."""
    old, new = without_bookkeeping(before), without_bookkeeping(after)
    changes = changed_paths(old, new)
    if not changes:
        return [], "no field changed except sequenceVersion/updatedAt"
    return unified_json_diff(old, new), summarize(changes)


def load_detail(
    store: FeedStore, account: str, change_id: int, project_names: dict[str, str]
) -> ChangeDetail | None:
    change = store.get(change_id)
    if change is None:
        return None
    history = store.history(account, change.entity_id)
    before = []
    for item in history:
        if item.id == change.id:
            break
        before.append(item)
    previous = next((item for item in reversed(before) if item.data is not None), None)
    snapshot = change.data if change.data is not None else (previous.data if previous else None)
    if change.data is None:
        diff = unified_json_diff(without_bookkeeping(previous.data), None) if previous else []
        summary = "deleted" + (" (last known snapshot shown)" if previous else "")
    elif previous is None:
        diff, summary = [], "first snapshot of this entity"
    else:
        diff, summary = describe_diff(previous.data, change.data)
    project = project_names.get(change.project_id or "", "")
    unknown = null_guid_paths(change.data) if change.partial else []
    return ChangeDetail(change, history, previous, snapshot, diff, summary, project, unknown)
