"""What the attention view shows, as plain data: groups, rows, counts, recovering syncs.

No Textual here. The screen feeds it scan results account by account and remedy outcomes,
and asks it for `lines()` to paint; tests drive it without a terminal. It owns the only
state that is not the vendor's: which syncs are *recovering* after a remedy, and which
remedy failed with what error, so a refresh can move rows between groups correctly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from synctui.domain.errors import UsageError
from synctui.domain.filtering import SEPARATOR, compile_filter, haystack, sync_haystack
from synctui.domain.models import Sync
from synctui.services.triage import (
    REASON_ORDER,
    AccountScan,
    Attention,
    Reason,
    Recovery,
    Verdict,
    age_key,
    parse_time,
    recovery_verdict,
)

Key = tuple[str, str]
# Does this sync, shown with these words of the board's own (age, why, group), pass the filter?
Match = Callable[[Sync, tuple[str, ...]], bool]
RECOVERING = "recovering"
UNREADABLE = "could not read"

REASON_TONE = {
    Reason.ERROR: "error",
    Reason.FAILED_RUN: "error",
    Reason.STUCK: "initializing",
    Reason.DISABLED: "paused",
    Reason.PAUSED: "paused",
    Reason.LEGACY: "legacy",
}


def tone_of(label: str) -> str:
    """The colour of a group by its label (a reason's value, "recovering", ...)."""
    for reason, tone in REASON_TONE.items():
        if reason.value == label:
            return tone
    return "initializing" if label == RECOVERING else "error"


@dataclass(frozen=True)
class Line:
    """One line of the list: a group heading, a sync, or an account that could not be read."""

    kind: Literal["group", "item", "failure"]
    id: str  # option id, unique in the list
    group: str
    tone: str  # picks the $status-* colour
    cells: tuple[str, ...] = ()  # age, account, name, why (items and failures)
    key: Key | None = None
    flagged: bool = False  # the last remedy failed: the why starts with its error


def option_id(key: Key) -> str:
    return "sync\x1f" + "\x1f".join(key)


def age(since: str | None, now: datetime) -> str:
    """'45s', '41m', '7h', '150d': fits a 5-cell column."""
    when = parse_time(since)
    if when is None:
        return "?"
    seconds = max(0.0, (now - when).total_seconds())
    for unit, size in (("d", 86400 * 2), ("h", 3600), ("m", 60)):
        if seconds >= size:
            step = 86400 if unit == "d" else size
            return f"{seconds // step:.0f}{unit}"
    return f"{seconds:.0f}s"


class Board:
    """Scan results merged account by account, plus recovering syncs and failed fixes."""

    def __init__(self) -> None:
        self.items: dict[Key, Attention] = {}
        self.failures: dict[str, str] = {}  # account → error sentence
        self.scanned: dict[str, int] = {}  # account → syncs listed
        self.accounts: list[str] = []  # of the current scan, in order
        self.pending: set[str] = set()
        self.generation = 0
        self.recovering: dict[Key, Recovery] = {}
        self.fix_errors: dict[Key, str] = {}
        self.filter_text = ""
        self.filter_error: str | None = None  # the filter is malformed: it keeps no sync

    # --- scans ------------------------------------------------------------------------------
    def begin(self, accounts: Iterable[str]) -> int:
        """A new scan: results of older ones are ignored from now on."""
        self.generation += 1
        self.accounts = list(accounts)
        self.pending = set(self.accounts)
        return self.generation

    @property
    def loading(self) -> bool:
        return bool(self.pending)

    def apply(self, generation: int, done: AccountScan, now: datetime) -> list[str]:
        """One account's results; returns sentences worth a notification (recoveries)."""
        if generation != self.generation:
            return []
        account = done.account
        self.pending.discard(account)
        for key in [k for k in self.items if k[0] == account]:
            del self.items[key]
        if done.error is not None:
            self.failures[account] = done.error
            self.scanned.pop(account, None)
            return []
        self.failures.pop(account, None)
        self.scanned[account] = done.scanned
        self.items.update((i.key, i) for i in done.items)
        notes = self._judge(account, done, now)
        for key in [k for k in self.fix_errors if k[0] == account and k not in self.items]:
            del self.fix_errors[key]
        return notes

    def _judge(self, account: str, done: AccountScan, now: datetime) -> list[str]:
        """Recovering syncs of this account: confirmed, failed again, or still waiting."""
        syncs = {s.key: s for s in done.syncs}
        notes: list[str] = []
        for key, recovery in list(self.recovering.items()):
            if key[0] != account:
                continue
            verdict, again = recovery_verdict(recovery, syncs.get(key), now)
            name = recovery.item.sync.name
            if verdict is Verdict.WAITING:
                self.items.pop(key, None)  # shown under "recovering", not in its old group
                continue
            del self.recovering[key]
            if verdict is Verdict.RECOVERED:
                notes.append(f"✔ {name} recovered")
            elif again is not None:
                self.items[key] = again
                notes.append(f"✖ {name} still needs a person: {again.why}")
        return notes

    # --- remedies ---------------------------------------------------------------------------
    def fixed(self, recovery: Recovery) -> None:
        self.recovering[recovery.key] = recovery
        self.items.pop(recovery.key, None)
        self.fix_errors.pop(recovery.key, None)

    def fix_failed(self, key: Key, error: str) -> None:
        self.fix_errors[key] = error

    def item(self, key: Key) -> Attention | None:
        if key in self.items:
            return self.items[key]
        recovery = self.recovering.get(key)
        return recovery.item if recovery is not None else None

    # --- what to paint ----------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Per reason (in REASON_ORDER, only those present) then recovering."""
        found: dict[str, int] = {}
        for reason in REASON_ORDER:
            n = sum(1 for i in self.items.values() if i.reason is reason)
            if n:
                found[reason.value] = n
        if self.recovering:
            found[RECOVERING] = len(self.recovering)
        return found

    def account_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.scanned, 0)
        for key in self.items:
            counts[key[0]] = counts.get(key[0], 0) + 1
        return counts

    def lines(self, now: datetime) -> list[Line]:
        """Groups in REASON_ORDER (oldest trouble first), recovering last, and at the top
        the accounts that could not be read. The filter applies to syncs only."""
        match = self._match()
        out: list[Line] = []
        if self.failures:
            out.append(Line("group", f"group\x1f{UNREADABLE}", UNREADABLE, "error"))
            for account, error in sorted(self.failures.items()):
                cells = ("", account, "", error)
                out.append(Line("failure", f"fail\x1f{account}", UNREADABLE, "error", cells))
        for reason in REASON_ORDER:
            group = [i for i in self.items.values() if i.reason is reason]
            rows = [
                self._item_line(i, now)
                for i in sorted(group, key=age_key)
                if match(i.sync, (age(i.since, now), self._why(i), reason.value))
            ]
            if rows:
                tone = REASON_TONE[reason]
                out.append(Line("group", f"group\x1f{reason.value}", reason.value, tone))
                out += rows
        watching = [
            self._recovering_line(r)
            for r in self.recovering.values()
            # What the row said before the fix still finds it: a fix must not hide it.
            if match(r.item.sync, (self._recovering_line(r).cells[3], RECOVERING, r.item.why))
        ]
        if watching:
            out.append(Line("group", f"group\x1f{RECOVERING}", RECOVERING, "initializing"))
            out += sorted(watching, key=lambda line: line.cells[1:3])
        return out

    def _match(self) -> Match:
        """The sync filter language (the table's and `--where`'s): field terms read the
        sync, bare words also search what the board says of it (age, why, group)."""
        self.filter_error = None
        try:
            flt = compile_filter(self.filter_text, partial=True)
        except UsageError as exc:
            self.filter_error = str(exc)
            return lambda sync, words: False
        if flt.empty:
            return lambda sync, words: True
        return lambda sync, words: flt.matches(
            sync, sync_haystack(sync) + SEPARATOR + haystack(words)
        )

    def _why(self, item: Attention) -> str:
        error = self.fix_errors.get(item.key)
        return f"fix failed: {error} │ {item.why}" if error else item.why

    def _item_line(self, item: Attention, now: datetime) -> Line:
        error = self.fix_errors.get(item.key)
        cells = (age(item.since, now), item.sync.account, item.sync.name, self._why(item))
        tone = REASON_TONE[item.reason]
        return Line(
            "item", option_id(item.key), item.reason.value, tone, cells, item.key, bool(error)
        )

    def _recovering_line(self, recovery: Recovery) -> Line:
        sync = recovery.item.sync
        wait = "waiting for the run" if recovery.expects_run else "waiting for the vendor"
        cells = ("", sync.account, sync.name, f"{recovery.message} — {wait}")
        return Line(
            "item", option_id(recovery.key), RECOVERING, "initializing", cells, recovery.key
        )
