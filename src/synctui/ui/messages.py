"""Messages workers post to the app: the only way vendor I/O results reach widgets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from synctui.vendors.http_settings import CallRecord

if TYPE_CHECKING:
    from synctui.domain.models import Run, Sync, WriteResult


class SyncsPage(Message):
    """One page of an account's syncs (tables fill in as pages arrive)."""

    def __init__(self, account: str, generation: int, syncs: list[Sync]) -> None:
        super().__init__()
        self.account = account
        self.generation = generation
        self.syncs = syncs


class SyncsLoaded(Message):
    def __init__(self, account: str, generation: int) -> None:
        super().__init__()
        self.account = account
        self.generation = generation


class SyncsFailed(Message):
    def __init__(self, account: str, generation: int, error: BaseException) -> None:
        super().__init__()
        self.account = account
        self.generation = generation
        self.error = error


class SyncFetched(Message):
    """A complete sync (GET), for the detail pane."""

    def __init__(self, sync: Sync) -> None:
        super().__init__()
        self.sync = sync


class RunsFetched(Message):
    def __init__(self, key: tuple[str, str], runs: list[Run]) -> None:
        super().__init__()
        self.key = key
        self.runs = runs


class FetchFailed(Message):
    """A detail read failed; `what` says which ("sync", "runs")."""

    def __init__(self, what: str, error: BaseException) -> None:
        super().__init__()
        self.what = what
        self.error = error


class CallsRecorded(Message):
    """A batch of API call records, flushed on a timer."""

    def __init__(self, records: list[CallRecord]) -> None:
        super().__init__()
        self.records = records


class ConnectionChecked(Message):
    """The answer of a "connect" test: one authenticated read."""

    def __init__(self, account: str, ok: bool, message: str) -> None:
        super().__init__()
        self.account = account
        self.ok = ok
        self.message = message


class WriteFinished(Message):
    def __init__(
        self, account: str, action: str, result: WriteResult | None, error: BaseException | None
    ) -> None:
        super().__init__()
        self.account = account
        self.action = action
        self.result = result
        self.error = error
