"""Messages the attention view's workers post: the only way vendor I/O reaches its widgets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from synctui.domain.models import Run
from synctui.services.triage import AccountScan, RemedyOutcome

Key = tuple[str, str]


class ScanStarted(Message):
    """The accounts this scan will report on (those that can list syncs)."""

    def __init__(self, generation: int, accounts: list[str]) -> None:
        super().__init__()
        self.generation = generation
        self.accounts = accounts


class AccountScanned(Message):
    """One account done (its items, or its error): the view fills in account by account."""

    def __init__(self, generation: int, result: AccountScan) -> None:
        super().__init__()
        self.generation = generation
        self.result = result


@dataclass(frozen=True)
class Investigation:
    """What the pane needs beyond the scan: recent runs and the local journal for the sync.

    None means "could not be read" (the reason is in `problems`), [] means "there is none".
    """

    runs: list[Run] | None
    entries: list[Any] | None
    problems: tuple[str, ...] = ()


class InvestigationLoaded(Message):
    def __init__(self, key: Key, investigation: Investigation) -> None:
        super().__init__()
        self.key = key
        self.investigation = investigation


class RemedyDone(Message):
    """A remedy finished: its outcome, or the error that stopped it."""

    def __init__(
        self, key: Key, outcome: RemedyOutcome | None, error: BaseException | None
    ) -> None:
        super().__init__()
        self.key = key
        self.outcome = outcome
        self.error = error
