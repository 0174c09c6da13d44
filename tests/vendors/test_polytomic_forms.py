"""Polytomic edits written in the form the vendor reads, judged by the vendor's own SDK.

A full sync carries two settings twice (polytomic/model_sync/raw_client.py `update`):
`identities` wins over the deprecated `identity`, and `model_filters`/`target_filters` win over
the deprecated `filters`/`filter_logic` (a request whose two filter shapes disagree is
rejected). An edit must land in the live form whichever form the user changed, the other form
must never contradict it, and what cannot be said in the live form is refused before anything
is sent. `problems` is response-only. Every body the adapter plans is checked against the
parameters of the SDK method that would send it (`polytomic_oracle.request_problems`).
"""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest
from polytomic.model_sync.raw_client import RawModelSyncClient

from synctui.domain import errors
from synctui.sandbox.server import Sandbox
from synctui.vendors.polytomic import PolytomicAdapter, is_read_only
from tests.sandbox.polytomic_oracle import request_problems, response_only_fields
from tests.vendors.polytomic_support import (
    Loopback,
    ids,
    make_adapter,
    named,
    raw_get,
    state,
    sync_state,
)

TWO_MAPPINGS = "Companies → Salesforce Accounts"
MODEL_FILTERS = "Trial users → Intercom (onboarding)"
BOTH_FILTERS = "HubSpot companies enrichment"
WITH_PROBLEMS = "Legacy: Postgres subscriptions → HubSpot"


def sdk_accepts(method: str, body: dict[str, Any], read: dict[str, Any]) -> None:
    """`body` is what the SDK's `method` sends; keys it has no parameter for are only those
    read from the vendor (kept for a full replacement) that the SDK does not know at all."""
    assert request_problems(method, body, read) == []


async def plan_and_apply(adapter: PolytomicAdapter, sync_id: str, patch: dict[str, Any]) -> Any:
    sync = await adapter.get_sync(sync_id)
    plan = await adapter.plan_update(sync, patch)
    (put,) = plan.requests
    sdk_accepts("update", put.body, sync.raw)
    result = await adapter.apply(plan)
    return plan, result


# --- identity mappings ---------------------------------------------------------------------
async def test_an_identity_edit_is_written_as_identities(sandbox: Sandbox) -> None:
    sid = ids(sandbox)["sync_id"]
    adapter = make_adapter(sandbox)
    plan, result = await plan_and_apply(
        adapter, sid, {"identity": {"target": "Alternate_Email__c"}}
    )
    body = plan.requests[0].body
    assert body["identities"]["mappings"][0]["target"] == "Alternate_Email__c"
    assert "identity" not in body  # derived by Polytomic from identities
    assert "identity, filters, filter_logic not sent" in plan.requests[0].note
    now = raw_get(sandbox, sid)
    assert now["identities"]["mappings"][0]["target"] == "Alternate_Email__c"  # not ignored
    assert now["identity"] == now["identities"]["mappings"][0]
    assert result.message == "updated"
    await adapter.aclose()


async def test_an_identities_edit_is_sent_without_the_stale_identity(sandbox: Sandbox) -> None:
    sid = ids(sandbox)["sync_id"]
    adapter = make_adapter(sandbox)
    sync = await adapter.get_sync(sid)
    email = sync.raw["identities"]["mappings"][0]
    user_id = {**email, "source": {**email["source"], "field": "user_id"}, "target": "User_Id__c"}
    patch = {"identities": {"strategy": "and", "mappings": [user_id, email]}}
    plan, _ = await plan_and_apply(adapter, sid, patch)
    assert "identity" not in plan.requests[0].body  # never the stale first mapping
    assert "identity" not in adapter.editable(sync)  # nor offered for editing
    now = raw_get(sandbox, sid)
    assert now["identities"] == {"strategy": "and", "mappings": [user_id, email]}
    assert now["identity"] == user_id
    # An edit of both forms that agree is fine too.
    sync = await adapter.get_sync(sid)
    both = {"identity": email, "identities": {"strategy": "priority", "mappings": [email]}}
    await adapter.apply(await adapter.plan_update(sync, both))
    assert raw_get(sandbox, sid)["identities"]["mappings"] == [email]
    await adapter.aclose()


async def test_identity_edits_the_live_form_cannot_hold_are_refused(sandbox: Sandbox) -> None:
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    two = await adapter.get_sync(named(sandbox, TWO_MAPPINGS))
    with pytest.raises(errors.ValidationFailed) as caught:
        await adapter.plan_update(two, {"identity": {"function": "Equality"}})
    assert [i.path for i in caught.value.issues] == ["identity"]
    assert "2 identity mappings" in str(caught.value) and "identities" in str(caught.value)

    one = await adapter.get_sync(ids(sandbox)["sync_id"])
    email = one.raw["identities"]["mappings"][0]
    other, third = {**email, "target": "Other__c"}, {**email, "target": "Third__c"}
    with pytest.raises(errors.ValidationFailed, match="identity and identities"):
        await adapter.plan_update(
            one, {"identity": other, "identities": {"mappings": [third], "strategy": "priority"}}
        )
    assert inner.requests("PUT") == []
    assert sync_state(sandbox, one.id)["puts"] == sync_state(sandbox, two.id)["puts"] == 0
    await adapter.aclose()


# --- filters -------------------------------------------------------------------------------
async def test_a_model_filters_edit_is_sent_without_the_stale_old_form(sandbox: Sandbox) -> None:
    sid = named(sandbox, MODEL_FILTERS)
    adapter = make_adapter(sandbox)
    plan, result = await plan_and_apply(adapter, sid, {"model_filters": {"logic": "f1 OR f2"}})
    body = plan.requests[0].body
    assert body["model_filters"]["logic"] == "f1 OR f2"
    assert not {"filters", "filter_logic"} & set(body) and "filter_logic" not in body["target"]
    assert not {"filters", "filter_logic"} & set(plan.before)  # the diff shows the live form
    assert result.message == "updated"
    now = raw_get(sandbox, sid)
    assert now["model_filters"]["logic"] == "f1 OR f2" == now["filter_logic"]
    await adapter.aclose()


async def test_an_edit_of_the_old_filters_is_carried_into_the_live_form(sandbox: Sandbox) -> None:
    sid = named(sandbox, BOTH_FILTERS)
    adapter = make_adapter(sandbox)
    before = raw_get(sandbox, sid)
    model, target = before["filters"]
    assert (model["field_type"], target["field_type"]) == ("Model", "Target")
    patch = {"filters": [{**model, "value": 1000}, target]}
    plan, _ = await plan_and_apply(adapter, sid, patch)
    body = plan.requests[0].body
    assert body["model_filters"]["conditions"][0]["value"] == 1000
    assert body["target_filters"] == before["target_filters"]
    now = raw_get(sandbox, sid)
    assert now["model_filters"]["conditions"][0]["value"] == 1000
    assert now["filters"][0]["value"] == 1000 and now["target_filters"] == before["target_filters"]

    trial = named(sandbox, MODEL_FILTERS)
    await plan_and_apply(adapter, trial, {"filter_logic": "f2 or f1"})
    assert raw_get(sandbox, trial)["model_filters"]["logic"] == "f2 or f1"
    await adapter.aclose()


async def test_filter_edits_the_live_form_cannot_hold_are_refused(sandbox: Sandbox) -> None:
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    sync = await adapter.get_sync(named(sandbox, BOTH_FILTERS))
    model, target = sync.raw["filters"]
    unsaid = {k: v for k, v in target.items() if k != "field_type"}
    with pytest.raises(errors.ValidationFailed, match="field_type") as caught:
        await adapter.plan_update(sync, {"filters": [model, unsaid]})
    assert [i.path for i in caught.value.issues] == ["filters[1].field_type"]
    disagree = {
        "filters": [{**model, "value": 5}],
        "model_filters": {
            "conditions": [{**sync.raw["model_filters"]["conditions"][0], "value": 7}]
        },
    }
    with pytest.raises(errors.ValidationFailed, match="describe different filters"):
        await adapter.plan_update(sync, disagree)
    assert inner.requests("PUT") == [] and sync_state(sandbox, sync.id)["puts"] == 0
    await adapter.aclose()


# --- response-only fields ------------------------------------------------------------------
async def test_problems_are_shown_and_never_sent(sandbox: Sandbox) -> None:
    sid = named(sandbox, WITH_PROBLEMS)
    adapter = make_adapter(sandbox)
    sync = await adapter.get_sync(sid)
    assert sync.raw["problems"] and "problems" not in adapter.editable(sync)
    assert sync.status_reason and "legacy_plan_code" in sync.status_reason
    with pytest.raises(errors.ValidationFailed, match="set by Polytomic"):
        await adapter.plan_update(sync, {"problems": []})
    plan, _ = await plan_and_apply(adapter, sid, {"name": "Legacy (renamed)"})
    assert "problems" not in plan.requests[0].body
    await adapter.aclose()


# --- every body the adapter plans, as the SDK would send it --------------------------------
async def test_every_planned_body_is_one_the_sdk_sends(sandbox: Sandbox) -> None:
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    syncs = await adapter.list_syncs()
    assert len(syncs) == len(state(sandbox)["syncs"])
    for sync in syncs:
        fresh = raw_get(sandbox, sync.id)
        plan = await adapter.plan_update(
            sync, {"name": f"{sync.name} (checked)"}, trigger_now=fresh["active"] is True
        )
        sdk_accepts("update", plan.requests[0].body, fresh)
        for request in plan.requests[1:]:
            assert request_problems("start", request.body) == []
    sid = ids(sandbox)["hourly_sync_id"]
    await adapter.set_active(sid, False)
    await adapter.trigger(ids(sandbox)["sync_id"])
    template = raw_get(sandbox, ids(sandbox)["sync_id"])
    created = await adapter.create({**template, "name": "A copy"})
    for method, suffix, sdk_method in (
        ("POST", "/activate", "activate"),
        ("POST", "/executions", "start"),
    ):
        (sent,) = inner.requests(method, suffix)
        assert request_problems(sdk_method, json.loads(sent[3] or b"{}")) == []
    (posted,) = [r for r in inner.requests("POST") if r[1].endswith("/api/syncs")]
    sdk_accepts("create", json.loads(posted[3]), template)
    assert created.raw["name"] == "A copy"
    await adapter.aclose()


def test_what_synctui_never_sends_is_what_the_sdk_reports_but_does_not_take() -> None:
    """Response-only: in `ModelSyncV5Response`, not among `update`'s parameters."""
    reported = response_only_fields()
    assert {"problems", "id", "model_ids", "updated_at", "created_by"} <= reported
    assert all(is_read_only(key) for key in reported)
    taken = set(inspect.signature(RawModelSyncClient.update).parameters) - {
        "self",
        "id",
        "idempotency_key",
        "request_options",
    }
    assert not any(is_read_only(key) for key in taken)
