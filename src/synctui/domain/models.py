"""What synctui knows about a sync, a run and a change, independent of the vendor.

Every record keeps the vendor's own JSON untouched in `raw`: the normalized fields exist so
that one table, one triage view and one CLI can treat five vendors alike, while `raw` is what
edits are computed against, so a field we never modelled survives every write.

Every model defers building its validator to its first use (`defer_build`): building them
all cost more than Textual's own import, and the TUI's first frame needs none of them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from synctui.domain.capabilities import Capability as Capability  # re-exported
from synctui.domain.status import RunState as RunState  # re-exported
from synctui.domain.status import SyncStatus as SyncStatus  # re-exported


class Run(BaseModel):
    """One execution of a sync: a Speckle history item, a Polytomic execution, a run."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    id: str
    state: RunState
    vendor_status: str
    created_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    summary: str = ""  # "5,420 rows synced, 3 failed"
    error: str | None = None
    raw: dict[str, Any] = Field(default_factory=dict)


class Sync(BaseModel):
    """One sync of one account, as shown in tables and detail panes."""

    model_config = ConfigDict(defer_build=True)

    account: str
    vendor: str
    id: str  # what the CLI and the adapter take; Speckle: "PROJECT_ID/SYNC_ID"
    name: str
    status: SyncStatus
    vendor_status: str  # exactly as the vendor says it, unknown values included
    status_reason: str | None = None  # plain words: status_error, last execution errors...
    columns: dict[str, str] = Field(default_factory=dict)  # vendor-specific table columns
    updated_at: str | None = None
    latest_run: Run | None = None
    complete: bool = False  # raw is the full object (GET), not a list summary
    raw: dict[str, Any] = Field(default_factory=dict)
    # Parts a secondary read should have filled but could not ("status", "latest run"), with
    # why: the sync is still shown, those parts marked unavailable.
    unavailable: dict[str, str] = Field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        """Unique across accounts: the All view merges several accounts' syncs."""
        return (self.account, self.id)


class Change(BaseModel):
    """One LetsBuild change: an entity snapshot (or a deletion) at a sequence version."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    feed: str  # project | form | point | contact
    entity_id: str
    entity_type: str
    operation: str  # created | updated | deleted (lower-cased), unknown spellings kept
    data: dict[str, Any] | None = None
    sequence_version: int | None = None
    partial: bool = False  # carries the null GUID somewhere: a later update completes it


class ChangePage(BaseModel):
    model_config = ConfigDict(defer_build=True)
    changes: list[Change]
    cursor: str
    has_more: bool


class PlannedRequest(BaseModel):
    """One request a write will send, as shown by --dry-run and the diff preview.

    Headers are already masked: this object is safe to print, log and journal.
    """

    model_config = ConfigDict(defer_build=True)

    method: str
    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    body: object = None
    note: str = ""


class WritePlan(BaseModel):
    """An edit turned into the vendor-correct write, before anything is sent."""

    model_config = ConfigDict(defer_build=True)

    account: str
    vendor: str
    sync_id: str
    patch: dict[str, Any]
    before: dict[str, Any]  # the editable document as loaded
    after: dict[str, Any]  # the document once the patch is applied
    summary: str  # "PUT whole object", "PATCH 1 field", "update context + trigger now"
    requests: list[PlannedRequest]
    trigger_now: bool = False
    # Vendor-specific material the adapter needs to send exactly what was previewed.
    payload: dict[str, Any] = Field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.before == self.after and not self.trigger_now


class WriteResult(BaseModel):
    """What happened when a write was sent."""

    model_config = ConfigDict(defer_build=True)

    ok: bool = True
    message: str  # "updated", "accepted, applying", "paused"...
    sync: Sync | None = None
    run: Run | None = None
    pending: bool = False  # accepted by the vendor, applied later (Paragon)
