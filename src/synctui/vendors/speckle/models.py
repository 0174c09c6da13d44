"""The Speckle objects synctui reads, as the vendor's schema declares them.

Read-only models over `Sync.raw`: unknown fields are kept and enums stay plain text, so a
field or value Speckle adds later shows as it is instead of failing a list. Writes are built
from the vendor's own JSON, never from these models.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, StrictBool

from synctui.vendors.base import VendorModel


class SpeckleIntegration(VendorModel):
    slug: str | None = None
    name: str | None = None


class SpeckleIngestionStatus(VendorModel):
    """One member of the `ModelIngestionStatusData` union, whichever it is.

    Each member carries its own text: `errorReason` (failed), `validationMessage` (invalid
    input), `cancellationMessage` (cancelled), `progressMessage` (queued, processing).
    """

    typename: str | None = Field(default=None, alias="__typename")
    status: str | None = None
    progressMessage: str | None = None
    progress: Any = None  # a fraction of 1 when it is a number; shown only then
    errorReason: str | None = None
    validationMessage: str | None = None
    cancellationMessage: str | None = None
    versionId: str | None = None


class SpeckleIngestion(VendorModel):
    id: str | None = None
    statusData: SpeckleIngestionStatus | None = None


class SpeckleSyncItem(VendorModel):
    """One execution of a sync (a history item)."""

    id: str
    syncId: str | None = None
    context: dict[str, Any] | None = None
    createdAt: str | None = None
    updatedAt: str | None = None
    modelIngestionId: str | None = None
    modelIngestion: SpeckleIngestion | None = None


class SpeckleSync(VendorModel):
    """A cloud integration sync. `active` and `context` are what a write is built from, so
    they are checked strictly: a sync whose `active` is not a boolean or whose `context` is
    not an object is shown, but never edited."""

    id: str
    active: StrictBool
    context: dict[str, Any] | None = None
    fileName: str | None = None
    fileId: str | None = None
    fileExtension: str | None = None
    integration: SpeckleIntegration | None = None
    createdAt: str | None = None
    updatedAt: str | None = None
    # Parsed on its own (parse_run): a broken latest item must not hide the sync.
    latestItem: Any = None


class SpeckleProjectRef(VendorModel):
    id: str | None = None
    name: str | None = None


class SpeckleLegacySync(VendorModel):
    """A legacy ACC sync (`AccSyncItem`) from the deprecated `project.accSyncItems`.

    Its project is `project: Project!`; its status one of `failed paused pending succeeded
    syncing` (kept as text). The acc* fields say where the file lives in ACC.
    """

    id: str
    project: SpeckleProjectRef | None = None
    status: str | None = None
    accFileName: str | None = None
    accFileExtension: str | None = None
    accFileViewName: str | None = None
    createdAt: str | None = None
    updatedAt: str | None = None
