"""The Polytomic simulator judged by Polytomic's own SDK (`polytomic` on PyPI, 25.9.x).

Two witnesses no one here wrote: the SDK's response models (`polytomic.types`), walked
strictly by `polytomic_oracle.undeclared`, and the SDK's own client (`polytomic.Polytomic`),
driven end to end against the running sandbox exactly as a Polytomic customer would.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from polytomic import Polytomic
from polytomic.core.api_error import ApiError as SdkApiError
from polytomic.errors.conflict_error import ConflictError
from polytomic.errors.not_found_error import NotFoundError
from polytomic.errors.unprocessable_entity_error import UnprocessableEntityError
from polytomic.types.activate_sync_envelope import ActivateSyncEnvelope
from polytomic.types.api_error import ApiError
from polytomic.types.cancel_sync_response_envelope import CancelSyncResponseEnvelope
from polytomic.types.get_execution_response_envelope import GetExecutionResponseEnvelope
from polytomic.types.list_execution_response_envelope import ListExecutionResponseEnvelope
from polytomic.types.list_sync_response_envelope import ListSyncResponseEnvelope
from polytomic.types.model_sync_v5response_envelope import ModelSyncV5ResponseEnvelope
from polytomic.types.schedule_frequency import ScheduleFrequency
from polytomic.types.schedule_option_response_envelope import ScheduleOptionResponseEnvelope
from polytomic.types.start_sync_response_envelope import StartSyncResponseEnvelope
from polytomic.types.sync_status_envelope import SyncStatusEnvelope

from synctui.sandbox.core import SandboxConfig
from synctui.sandbox.server import Sandbox
from tests.conftest import admin_state, advance_clock
from tests.sandbox.polytomic_oracle import allowed, parse, request_problems, undeclared

VERSION = "2025-09-18"
# Top-level fields the SDK does not declare, seeded on purpose: a client doing a full
# replacement must send them back untouched (a newer API version may add fields like these).
UNMODELLED = r"\$\.data(\[\d+\])?\.(encryption_enabled|bulk_settings|notifications|labels):"
# A `multi` schedule's own schedules: the SDK names the frequency but no field for them.
MULTI = r"\$\.data(\[\d+\])?\.schedule\.multi:"


@pytest.fixture(scope="module")
def shared() -> Iterator[Sandbox]:
    """One sandbox for the tests that only read; scale 2 has more syncs (56) than a page."""
    config = SandboxConfig(port=0, seed=7, scale=2, frozen=True, changes_per_second=0)
    with Sandbox(config) as sb:
        yield sb


def info(sb: Sandbox) -> dict[str, Any]:
    return sb.info()["polytomic"]


def http(sb: Sandbox) -> httpx.Client:
    headers = {
        "Authorization": f"Bearer {info(sb)['tokens']['rw']}",
        "X-Polytomic-Version": VERSION,
    }
    return httpx.Client(base_url=info(sb)["base_url"], headers=headers, timeout=10)


def sdk(sb: Sandbox) -> Polytomic:
    """The vendor's own client, pointed at the sandbox (no retries: an error must show)."""
    return Polytomic(base_url=info(sb)["base_url"], token=info(sb)["tokens"]["rw"], max_retries=0)


def judged(model: Any, body: Any, *extras: str) -> None:
    """`body` parses as the SDK's `model` and steps nowhere outside it but `extras`."""
    parse(model, body)
    assert allowed(undeclared(model, body), *extras) == []


# --- every answer, as the SDK's models declare it -----------------------------------------
def test_every_answer_is_declared_by_the_sdk_models(shared: Sandbox) -> None:
    """Source: polytomic/types/{list_sync_response_envelope, list_sync_item,
    model_sync_v5response, sync_status_response, get_execution_response_schema,
    schedule_option_response, api_error}.py."""
    with http(shared) as client:
        token = None
        rows: list[dict[str, Any]] = []
        while True:
            page = client.get("/api/syncs", params={"page_token": token} if token else {}).json()
            judged(ListSyncResponseEnvelope, page, MULTI)
            rows.extend(page["data"])
            token = page["pagination"]["next_page_token"]
            if not token:
                break
        assert len(rows) == len(admin_state(shared, "polytomic")["syncs"])
        for row in rows:
            sync = client.get(f"/api/syncs/{row['id']}").json()
            judged(ModelSyncV5ResponseEnvelope, sync, UNMODELLED, MULTI)
            status = client.get(f"/api/syncs/{row['id']}/status").json()
            judged(SyncStatusEnvelope, status)
        hourly = info(shared)["ids"]["hourly_sync_id"]
        token, statuses = None, set()
        while True:
            params = {"page_token": token} if token else {}
            runs = client.get(f"/api/syncs/{hourly}/executions", params=params).json()
            judged(ListExecutionResponseEnvelope, runs)
            statuses |= {r["status"] for r in runs["data"]}
            token = runs["pagination"]["next_page_token"]
            if not token:
                break
        assert {"completed", "failed"} <= statuses
        runs = client.get(f"/api/syncs/{info(shared)['ids']['sync_id']}/executions").json()
        run = runs["data"][0]["id"]
        one = client.get(f"/api/syncs/{info(shared)['ids']['sync_id']}/executions/{run}").json()
        judged(GetExecutionResponseEnvelope, one)
        judged(ScheduleOptionResponseEnvelope, client.get("/api/syncs/schedules").json())
        for failed in (
            client.get("/api/syncs/00000000-0000-4000-8000-000000000000"),
            client.put(f"/api/syncs/{row['id']}", json={"name": "incomplete"}),
            client.post(f"/api/syncs/{info(shared)['ids']['inactive_sync_id']}/executions"),
        ):
            assert failed.status_code >= 400
            judged(ApiError, failed.json())


def test_the_sdk_models_see_both_forms_of_identity_and_filters(shared: Sandbox) -> None:
    """Source: polytomic/types/model_sync_v5response.py — `identity` "reports the first
    identity mapping only"; `filters` "reports the same filters, with the two kinds
    interleaved and told apart by 'field_type'"; `filter_logic` is `model_filters.logic`."""
    with http(shared) as client:
        rows = client.get("/api/syncs").json()["data"]
        syncs = [
            parse(ModelSyncV5ResponseEnvelope, client.get(f"/api/syncs/{r['id']}").json()).data
            for r in rows
        ]
    with_identity = [s for s in syncs if s.identities is not None and s.identities.mappings]
    assert with_identity and any(len(s.identities.mappings) > 1 for s in with_identity)
    for s in syncs:
        mappings = s.identities.mappings if s.identities is not None else []
        assert s.identity == (mappings[0] if mappings else None)
        model = s.model_filters.conditions or [] if s.model_filters else []
        target = s.target_filters.conditions or [] if s.target_filters else []
        kinds = [f.field_type for f in s.filters or []]
        assert sorted(kinds) == sorted(["Model"] * len(model) + ["Target"] * len(target))
        assert s.filter_logic == (s.model_filters.logic if s.model_filters else None)
    assert any(s.target_filters and s.target_filters.conditions for s in syncs)
    assert any(s.problems for s in syncs)  # a sync whose configuration names a retired field


# --- the SDK's own client, end to end ------------------------------------------------------
def test_the_sdk_client_lists_pages_and_the_limit_is_capped(shared: Sandbox) -> None:
    """Source: polytomic/model_sync/raw_client.py `list` — ordered by `updated_at`
    descending with `id` as tie-breaker; `limit` capped at 50, non-positive → the default."""
    client = sdk(shared)
    seen: list[Any] = []
    token = None
    while True:
        page = client.model_sync.list(limit=7, page_token=token)
        assert page.data is not None and len(page.data) <= 7
        seen.extend(page.data)
        token = page.pagination.next_page_token if page.pagination else None
        if not token:
            break
    assert {s.id for s in seen} == set(admin_state(shared, "polytomic")["syncs"])
    keys = [(s.updated_at, s.id) for s in seen]
    assert keys == sorted(keys, reverse=True)
    assert all(s.target_connection_id and s.target_object for s in seen)
    assert len(client.model_sync.list(limit=500).data or []) == 50
    assert len(client.model_sync.list(limit=0).data or []) == 50
    assert len(client.model_sync.list(limit=-3).data or []) == 50
    one = client.model_sync.list(active=False, limit=50).data or []
    assert one and all(s.active is False for s in one)


def test_the_sdk_client_drives_a_sync_through_its_life(sandbox: Sandbox) -> None:
    """Source: polytomic/model_sync/client.py (get, update, activate, start with
    `idempotency_key`, get_status, cancel, get_schedule_options, delete, create) and
    polytomic/model_sync/executions/client.py (list, get)."""
    client = sdk(sandbox)
    sid = info(sandbox)["ids"]["sync_id"]
    sync = client.model_sync.get(sid).data
    assert sync is not None and sync.identities is not None and sync.problems == []
    assert sync.identity == sync.identities.mappings[0]

    updated = client.model_sync.update(
        sid,
        name="Contacts, written by the vendor's SDK",
        mode=sync.mode,
        schedule=sync.schedule,
        target=sync.target,
        fields=sync.fields,
        identities=sync.identities,
        active=True,
        override_fields=sync.override_fields,
    ).data
    assert updated is not None and updated.name == "Contacts, written by the vendor's SDK"
    assert updated.identities == sync.identities and updated.active is True
    assert updated.updated_at is not None and updated.updated_at > sync.updated_at

    off = client.model_sync.activate(sid, active=False).data
    assert off is not None and (off.id, off.active) == (sid, False)
    with pytest.raises(ConflictError) as inactive:
        client.model_sync.start(sid)
    assert inactive.value.body.key == "sync_inactive"
    assert client.model_sync.activate(sid, active=True).data.active is True

    first = client.model_sync.start(sid, idempotency_key="sdk-run-0001").data
    again = client.model_sync.start(sid, idempotency_key="sdk-run-0001").data
    assert first is not None and again is not None and first.id == again.id
    assert admin_state(sandbox, "polytomic")["syncs"][sid]["executions_started"] == 1
    runs = client.model_sync.executions.list(sid).data or []
    assert runs[0].id == first.id
    assert client.model_sync.executions.get(sid, first.id).data.id == first.id
    advance_clock(sandbox, 5)
    status = client.model_sync.get_status(sid).data
    assert status is not None and status.current_execution.id == first.id

    cancelled = client.model_sync.cancel(sid).data
    assert cancelled is not None and cancelled.message
    assert client.model_sync.get_status(sid).data.current_execution.status == "canceling"
    advance_clock(sandbox, 5)
    status = client.model_sync.get_status(sid).data
    assert status.current_execution is None and status.last_execution.status == "canceled"
    assert client.model_sync.executions.get(sid, first.id).data.status == "canceled"

    options = client.model_sync.get_schedule_options().data
    frequencies = {o.frequency for o in options.schedule_options or []}
    assert frequencies == set(typing.get_args(typing.get_args(ScheduleFrequency)[0]))

    made = client.model_sync.create(
        name="Made by the SDK",
        mode="create",
        schedule={"frequency": "manual"},
        target={"connection_id": sync.target.connection_id, "object": "Lead"},
        fields=[{"source": {"model_id": sync.model_ids[0], "field": "email"}, "target": "Email"}],
        idempotency_key="sdk-create-0001",
    ).data
    assert made is not None and made.id and made.identities is None
    client.model_sync.delete(made.id)
    with pytest.raises(NotFoundError) as gone:
        client.model_sync.get(made.id)
    assert gone.value.body.key == "not_found"


def test_the_sdk_sees_the_documented_refusals(shared: Sandbox) -> None:
    """Source: polytomic/model_sync/raw_client.py — `update` raises 422 as
    UnprocessableEntityError; every error body is `types/api_error.py`."""
    client = sdk(shared)
    sync = client.model_sync.get(info(shared)["ids"]["sync_id"]).data
    with pytest.raises(UnprocessableEntityError) as refused:
        client.model_sync.update(
            sync.id,
            name=sync.name,
            mode=sync.mode,
            schedule=sync.schedule,
            target=sync.target,
            fields=sync.fields,
            identities={"mappings": [], "strategy": "priority"},
        )
    assert refused.value.body.key == "validation_error"
    assert isinstance(refused.value, SdkApiError)


# --- the oracle itself ---------------------------------------------------------------------
def test_the_oracle_refuses_what_the_sdk_does_not_declare() -> None:
    """A judge that accepted everything would prove nothing."""
    assert undeclared(ListSyncResponseEnvelope, {"data": [{"id": "a", "target": {}}]})
    assert undeclared(ModelSyncV5ResponseEnvelope, {"data": {"schedule": {"hour": 9}}})
    assert undeclared(ModelSyncV5ResponseEnvelope, {"data": {"mode": "teleport"}})
    assert undeclared(StartSyncResponseEnvelope, {"data": {"status": "evaporated"}})
    assert not undeclared(ActivateSyncEnvelope, {"data": {"id": "a", "active": True}})
    assert not undeclared(CancelSyncResponseEnvelope, {"data": {"message": "ok"}})
    assert request_problems("update", {"name": "x"})
    assert request_problems("activate", {"active": "yes"})
    assert not request_problems("activate", {"active": True})
    assert "problems" in str(request_problems("update", {"problems": []}))
    assert inspect.isfunction(undeclared)
