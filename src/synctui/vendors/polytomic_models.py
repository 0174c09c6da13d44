"""Polytomic's JSON objects, as far as synctui reads them.

Shapes from the vendor's SDK `polytomic` (25.9.x): `types/list_sync_item.py` (a list row),
`types/model_sync_v5response.py` (a full sync), `types/sync_status_response.py`,
`types/get_execution_response_schema.py`, `types/api_error.py`.

Every model keeps fields it does not declare (`extra="allow"`) and declares enums as plain
`str`: a new sync mode, frequency or execution status must show up as the vendor wrote it,
never fail a list. These models are only ever used to *read*; a write is built from the
vendor's JSON itself (`Sync.raw`), so a field missing here can never be dropped by a PUT.
"""

from __future__ import annotations

from typing import Any

from pydantic import StrictBool

from synctui.vendors.base import VendorModel


class PolytomicSchedule(VendorModel):
    """`{frequency, hour?, minute?, day_of_week?, day_of_month?, month?}`; time parts are text.

    Parts are `Any` because a schedule we cannot describe should still be shown, not refused.
    """

    frequency: str | None = None
    hour: Any = None
    minute: Any = None
    day_of_week: Any = None
    day_of_month: Any = None
    month: Any = None


class PolytomicTarget(VendorModel):
    connection_id: str | None = None
    object: str | None = None
    new_name: str | None = None


class PolytomicSyncSummary(VendorModel):
    """A list item (`GET /api/syncs`): flat `target_connection_id` and `target_object`, no
    fields, filters or identities. (`target` is declared for the full sync, which is one too.)"""

    id: str
    name: str | None = None
    active: StrictBool | None = None
    mode: str | None = None
    schedule: PolytomicSchedule | None = None
    target: PolytomicTarget | None = None
    target_connection_id: str | None = None
    target_object: str | None = None
    organization_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class PolytomicSync(PolytomicSyncSummary):
    """The full sync (`GET /api/syncs/{id}`). Only shapes are checked; content is the
    validator's business, and only when the user edits."""

    fields: list[Any] | None = None
    filters: list[Any] | None = None  # deprecated form of model_filters + target_filters
    identity: dict[str, Any] | None = None  # deprecated: the first of identities.mappings
    identities: dict[str, Any] | None = None
    model_filters: dict[str, Any] | None = None
    target_filters: dict[str, Any] | None = None
    problems: list[Any] | None = None  # response-only


class PolytomicExecution(VendorModel):
    id: str
    status: str | None = None
    type: str | None = None
    created_at: str | None = None
    started_at: str | None = None
    completed_at: str | None = None
    errors: list[Any] | None = None
    counts: dict[str, Any] | None = None


class PolytomicStatus(VendorModel):
    """`GET /api/syncs/{id}/status`. The executions are parsed one by one (`parse_run`), so a
    broken one hides only itself."""

    current_execution: Any = None
    last_execution: Any = None
    next_execution_time: str | None = None


class PolytomicError(VendorModel):
    """The error body: `{status, message, key, metadata}`."""

    status: int | None = None
    message: str | None = None
    key: str | None = None
    metadata: dict[str, Any] | None = None
