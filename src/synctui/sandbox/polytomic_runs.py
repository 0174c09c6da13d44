"""The Polytomic simulator's executions: one run's life as a pure function of the clock.

Source: the vendor's SDK `polytomic` (25.9.x) — `types/get_execution_response_schema.py` (an
execution), `types/util_execution_status.py` (its statuses), `model_sync/raw_client.py`
`start` (what a run is asked for) and `cancel` ("Cancellation is asynchronous": the run reads
`canceling` until the signal is processed, then `canceled`). How long each phase lasts is
this simulator's choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from synctui.sandbox.core import iso
from synctui.sandbox.polytomic_body import ApiError, invalid
from synctui.sandbox.polytomic_seed import ms

TERMINAL = frozenset({"completed", "failed", "canceled", "interrupted"})
SOURCE_IDENTITIES_MAX = 1000
CANCEL_DELAY = timedelta(seconds=2)  # from a cancel request until the run reads "canceled"


@dataclass(slots=True)
class Execution:
    """One run. Its status is a pure function of the clock: nothing ticks in the background."""

    id: str
    sync_id: str
    type: str
    created_at: datetime
    start_after: float  # seconds from creation until it starts running
    run_for: float  # seconds of running
    outcome: str  # final status, decided at creation
    counts: dict[str, int]  # final counts
    errors: list[str]

    cancel_at: datetime | None = None  # when a cancellation was requested, if one was

    def status_at(self, now: datetime) -> str:
        """`canceling` from a cancellation request that found the run unfinished until
        CANCEL_DELAY later, then `canceled`; otherwise wherever the clock has taken it."""
        cancel = self.cancel_at
        if cancel is not None and now >= cancel and self._natural(cancel) not in TERMINAL:
            return "canceling" if now < cancel + CANCEL_DELAY else "canceled"
        return self._natural(now)

    def _natural(self, now: datetime) -> str:
        elapsed = (now - self.created_at).total_seconds()
        if elapsed < min(1.0, self.start_after):
            return "created"
        if elapsed < self.start_after:
            return "queued"
        if elapsed < self.start_after + self.run_for:
            return "running"
        return self.outcome

    def to_json(self, now: datetime) -> dict[str, Any]:
        status = self.status_at(now)
        if self.cancel_at is not None and status in ("canceling", "canceled"):
            return self._cancelled_json(status)
        started = completed = None
        counts = dict.fromkeys(self.counts, 0)
        if status not in ("created", "queued"):
            started = self.created_at + timedelta(seconds=self.start_after)
        if status in TERMINAL:
            completed = ms(started + timedelta(seconds=self.run_for))  # type: ignore[operator]
            counts = dict(self.counts)
        elif status == "running":
            counts = self._partial(now)
        return {
            "id": self.id,
            "status": status,
            "type": self.type,
            "created_at": iso(self.created_at),
            "started_at": iso(ms(started)) if started else None,
            "completed_at": iso(completed) if completed else None,
            "counts": counts,
            "errors": list(self.errors) if status == "failed" else [],
        }

    def _partial(self, now: datetime) -> dict[str, int]:
        started = self.created_at + timedelta(seconds=self.start_after)
        done = max(0.0, (now - started).total_seconds()) / self.run_for
        return {k: int(v * min(1.0, done)) for k, v in self.counts.items()}

    def _cancelled_json(self, status: str) -> dict[str, Any]:
        """A cancelled run keeps the counts it had reached when the cancellation came."""
        assert self.cancel_at is not None
        begun = self._natural(self.cancel_at) not in ("created", "queued")
        started = self.created_at + timedelta(seconds=self.start_after) if begun else None
        completed = self.cancel_at + CANCEL_DELAY if status == "canceled" else None
        return {
            "id": self.id,
            "status": status,
            "type": self.type,
            "created_at": iso(self.created_at),
            "started_at": iso(ms(started)) if started else None,
            "completed_at": iso(ms(completed)) if completed else None,
            "counts": self._partial(self.cancel_at) if begun else dict.fromkeys(self.counts, 0),
            "errors": [],
        }


def execution_options(payload: Any) -> dict[str, Any]:
    """The body of `start` (`resync`, `test`, `identities`, `source_identities`), checked."""
    payload = {} if payload is None else payload
    if not isinstance(payload, dict):
        raise ApiError(400, "bad_request", "request body must be a JSON object")
    errs: dict[str, str] = {}
    for key in ("resync", "test"):
        if payload.get(key) is not None and not isinstance(payload[key], bool):
            errs[key] = "must be a boolean"
    identities = payload.get("identities")
    if identities is not None and (
        not isinstance(identities, list)
        or not identities
        or not all(isinstance(x, str) and x for x in identities)
    ):
        errs["identities"] = "must be a non-empty list of strings"
    chosen = payload.get("source_identities")
    if chosen is not None:
        if identities is not None:
            errs["source_identities"] = "cannot be combined with identities"
        elif not _source_identities(chosen):
            errs["source_identities"] = (
                f"must be a list of 1 to {SOURCE_IDENTITIES_MAX} entries, each a non-empty "
                "list of {source: {model_id, field}, value}"
            )
    if errs:
        raise invalid(errs)
    return {
        "resync": bool(payload.get("resync")),
        "test": bool(payload.get("test")),
        "identities": identities,
        "source_identities": chosen,
    }


def _source_identities(entries: Any) -> bool:
    """`start`'s `source_identities`: lists of `ModelSyncSourceIdentity` ({source, value})."""
    if not isinstance(entries, list) or not 0 < len(entries) <= SOURCE_IDENTITIES_MAX:
        return False
    return all(
        isinstance(entry, list)
        and entry
        and all(
            isinstance(part, dict)
            and isinstance(part.get("source"), dict)
            and isinstance(part.get("value"), str)
            for part in entry
        )
        for entry in entries
    )
