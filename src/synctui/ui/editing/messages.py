"""Messages the editing workers post: the only way their results reach the screens."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from synctui.domain.models import Sync, WritePlan, WriteResult


class SyncLoaded(Message):
    """A fresh copy of the sync and its editable document, or why it could not be read.

    `purpose` says why it was read: "open" (a new edit), "migrated" (after a legacy
    migration), "reapply" / "overwrite" (after a conflict), "retry" (migrated during a save).
    """

    def __init__(
        self,
        purpose: str,
        sync: Sync | None,
        before: dict[str, Any] | None,
        error: BaseException | None = None,
    ) -> None:
        super().__init__()
        self.purpose = purpose
        self.sync = sync
        self.before = before
        self.error = error


class Planned(Message):
    """`plan_update` answered: a plan to preview, or the error to show.

    `purpose` says what the plan is for ("save", "reapply", "overwrite", "retry").
    """

    def __init__(
        self, purpose: str, plan: WritePlan | None, error: BaseException | None = None
    ) -> None:
        super().__init__()
        self.purpose = purpose
        self.plan = plan
        self.error = error


class Saved(Message):
    """A write was sent: its result, or the error (the draft stays open on an error)."""

    def __init__(
        self, plan: WritePlan | None, result: WriteResult | None, error: BaseException | None
    ) -> None:
        super().__init__()
        self.plan = plan
        self.result = result
        self.error = error


class Created(Message):
    def __init__(self, sync: Sync | None, error: BaseException | None) -> None:
        super().__init__()
        self.sync = sync
        self.error = error


class BatchPlanned(Message):
    """A dry run of a batch finished: every target's plan or reason to skip."""

    def __init__(self, results: list[Any] | None, error: BaseException | None) -> None:
        super().__init__()
        self.results = results
        self.error = error


class BatchProgress(Message):
    def __init__(self, done: int, total: int, counts: Any, result: Any) -> None:
        super().__init__()
        self.done = done
        self.total = total
        self.counts = counts
        self.result = result


class BatchFinished(Message):
    def __init__(self, error: BaseException | None) -> None:
        super().__init__()
        self.error = error


class JournalListed(Message):
    def __init__(self, entries: list[Any], total: int, error: BaseException | None) -> None:
        super().__init__()
        self.entries = entries
        self.total = total
        self.error = error


class RevertPlanned(Message):
    def __init__(self, plan: Any, error: BaseException | None, forced: bool) -> None:
        super().__init__()
        self.plan = plan
        self.error = error
        self.forced = forced


class Reverted(Message):
    def __init__(self, result: WriteResult | None, error: BaseException | None) -> None:
        super().__init__()
        self.result = result
        self.error = error
