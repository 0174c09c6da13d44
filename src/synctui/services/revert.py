"""Revert a journaled write: undo one edit, pause or resume, through the normal write path.

A revert is an ordinary write built from the journal: for an update, the merge patch that
turns the entry's `after` back into its `before` (`create_merge_patch(after, before)`), planned
against the sync *as it is now* and sent through `Session.apply_plan` — so validation,
read-only mode, the adapter's own conflict check and the journal apply exactly as for an edit.
The new entry records `reverts=<entry id>`.

Before planning, the sync must still look the way that edit left it. If someone changed it
since, putting the old values back would silently undo their change too, so the revert is
refused with `Conflict` naming what differs; `force=True` reverts anyway (only the fields the
edit touched are reset, later changes to other fields survive).

Runs, deletions, migrations and creations cannot be taken back and are refused plainly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from synctui.domain import errors
from synctui.domain.diff import FieldChange, changed_paths
from synctui.domain.merge_patch import create_merge_patch
from synctui.domain.models import SyncStatus, WritePlan, WriteResult
from synctui.services.session import Session
from synctui.store.journal import Journal, JournalEntry

__all__ = ["RevertPlan", "apply_revert", "plan_revert", "revert"]

RevertAction = Literal["update", "pause", "resume"]

NOT_REVERTIBLE = {
    "trigger": "a run that was started cannot be taken back",
    "delete": "a deleted sync cannot be restored from here",
    "migrate": "a legacy migration cannot be undone",
    "create": "delete the created sync instead (synctui syncs delete)",
}


@dataclass(frozen=True)
class RevertPlan:
    """What a revert will do, for a preview (`--dry-run`) before anything is sent."""

    entry: JournalEntry
    action: RevertAction  # what the revert itself does to the sync
    summary: str  # "context.referencePoint back to internalOrigin", "resume"
    plan: WritePlan | None = None  # the update to send (action "update")
    forced: bool = False  # sent although the sync changed since that edit

    @property
    def account(self) -> str:
        return self.entry.account

    @property
    def sync_id(self) -> str:
        return self.entry.sync_id


def undone_action(entry: JournalEntry) -> RevertAction:
    """What kind of change the entry made (a revert of a pause is a resume, and so on).

    Raises:
        Unsupported: the entry cannot be reverted.
    """
    action = entry.action
    if action == "revert":
        # A revert records what it did: an update carries before/after, a pause or resume
        # its {"active": ...} request.
        request = entry.request
        if isinstance(request, dict) and set(request) == {"active"}:
            return "resume" if request["active"] else "pause"
        return "update"
    if action in ("update", "pause", "resume"):
        return action  # type: ignore[return-value]
    reason = NOT_REVERTIBLE.get(action, "synctui does not know how to undo it")
    raise errors.Unsupported(
        f"journal entry {entry.id} is a {action}, which cannot be reverted: {reason}"
    )


async def plan_revert(session: Session, entry_id: int, *, force: bool = False) -> RevertPlan:
    """Look up the entry and the sync's current state, and plan the revert; sends nothing.

    Raises:
        Unsupported: the entry's action cannot be reverted.
        UsageError: the entry changed nothing (it failed), or the journal is off.
        Conflict: the sync changed since that write, or it was already reverted (unless
            ``force``).
    """
    journal = session.journal
    if journal is None:
        raise errors.UsageError("the journal is turned off, so there is nothing to revert")
    entry: JournalEntry = journal.get(entry_id)
    undone = undone_action(entry)
    if entry.outcome in ("failed", "skipped"):
        raise errors.UsageError(
            f"journal entry {entry.id} {entry.outcome}: it changed nothing, so there is "
            "nothing to revert"
        )
    if not force:
        _refuse_if_already_reverted(journal, entry)
    if undone == "update":
        return await _plan_update_revert(session, entry, force)
    return await _plan_active_revert(session, entry, undone, force)


def _refuse_if_already_reverted(journal: Journal, entry: JournalEntry) -> None:
    history = journal.list(account=entry.account, sync_id=entry.sync_id, limit=10_000)
    for later in history:
        if later.reverts == entry.id and later.outcome == "ok":
            raise errors.Conflict(
                f"journal entry {entry.id} was already reverted by entry {later.id}",
                hint="revert that entry to redo the change, or use --force",
            )


async def _plan_update_revert(session: Session, entry: JournalEntry, force: bool) -> RevertPlan:
    if not isinstance(entry.before, dict) or not isinstance(entry.after, dict):
        raise errors.Unsupported(
            f"journal entry {entry.id} does not hold the sync's settings before and after, "
            "so it cannot be reverted"
        )
    inverse = create_merge_patch(entry.after, entry.before)
    if not inverse:
        raise errors.UsageError(f"journal entry {entry.id} changed nothing; nothing to revert")
    sync = await session.get_sync(entry.account, entry.sync_id)
    current = session.adapter(entry.account).editable(sync)
    drift = changed_paths(_without_nulls(entry.after), _without_nulls(current))
    if drift and not force:
        raise errors.Conflict(
            f"{entry.sync_id} changed since that edit: {_describe_drift(drift)}; nothing was sent",
            hint="look at it with `synctui syncs show`, or revert anyway with --force",
        )
    plan = await session.plan_update(entry.account, sync, inverse)
    if plan.empty:
        raise errors.UsageError(
            f"{entry.sync_id} already has the settings it had before entry {entry.id}; "
            "nothing to revert"
        )
    summary = "; ".join(
        f"{change.path_str} back to {_short(change.after)}"
        for change in changed_paths(plan.before, plan.after)
    )
    return RevertPlan(entry, "update", summary or plan.summary, plan=plan, forced=bool(drift))


async def _plan_active_revert(
    session: Session, entry: JournalEntry, undone: RevertAction, force: bool
) -> RevertPlan:
    sync = await session.get_sync(entry.account, entry.sync_id)
    paused = sync.status is SyncStatus.PAUSED
    left_paused = undone == "pause"
    drift = paused != left_paused
    if drift and not force:
        now = "paused" if paused else "not paused"
        raise errors.Conflict(
            f"{entry.sync_id} changed since that {undone}: it is {now} now; nothing was sent",
            hint="revert anyway with --force",
        )
    action: RevertAction = "resume" if undone == "pause" else "pause"
    return RevertPlan(entry, action, action, forced=drift)


async def apply_revert(session: Session, plan: RevertPlan) -> WriteResult:
    """Send a planned revert through the one write path, journaled with `reverts`."""
    if plan.action == "update":
        assert plan.plan is not None
        return await session.apply_plan(plan.plan, action="revert", reverts=plan.entry.id)
    return await session.set_active(
        plan.account,
        plan.sync_id,
        plan.action == "resume",
        action="revert",
        reverts=plan.entry.id,
    )


async def revert(session: Session, entry_id: int, *, force: bool = False) -> WriteResult:
    """Plan and send in one go (read-only mode is refused before anything is read)."""
    session.refuse_if_readonly("revert")
    return await apply_revert(session, await plan_revert(session, entry_id, force=force))


def _without_nulls(value: Any) -> Any:
    """Null object members dropped: a vendor may store `"viewName": null` or omit it, and
    that difference is not someone else's change."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _describe_drift(drift: list[FieldChange]) -> str:
    """'context.viewName is now "B" (the edit left "A")', at most three, then a count."""
    parts = [
        f"{c.path_str} is now {_short(c.after)} (the edit left {_short(c.before)})"
        for c in drift[:3]
    ]
    if len(drift) > 3:
        parts.append(f"and {len(drift) - 3} more")
    return "; ".join(parts)


def _short(value: Any, limit: int = 40) -> str:
    text = "(absent)" if value is None else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"
