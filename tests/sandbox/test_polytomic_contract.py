"""Contract of the Polytomic simulator, exercised the way an adapter would: plain httpx over HTTP.

Every documented operation, pagination, each error path, the full-replacement PUT semantics,
both forms of identity mappings and filters, lazy execution progress driven by the sandbox
clock, cancellation, idempotent POSTs, and each kind of injected fault. Where a test asserts a
documented shape or rule, its docstring names the module of Polytomic's SDK (`polytomic` on
PyPI, 25.9.x) that documents it; `test_polytomic_sdk.py` checks every answer against the SDK's
models and drives the SDK's own client against the simulator.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from synctui.sandbox.core import FROZEN_EPOCH, SandboxClock, SandboxConfig, SimContext
from synctui.sandbox.polytomic import PolytomicSim
from synctui.sandbox.server import Sandbox
from tests.conftest import admin_state, advance_clock, set_faults

VERSION = "2025-09-18"
MODES = {"create", "update", "updateOrCreate", "replace", "append", "remove", "snapshot"}
MS_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@dataclass
class Poly:
    sb: Sandbox
    info: dict[str, Any]
    rw: httpx.Client
    ro: httpx.Client

    @property
    def ids(self) -> dict[str, str]:
        return self.info["ids"]

    def state(self) -> dict[str, Any]:
        return admin_state(self.sb, "polytomic")

    def sync_state(self, sync_id: str) -> dict[str, Any]:
        return self.state()["syncs"][sync_id]

    def raw(self, **headers: str) -> httpx.Client:
        return httpx.Client(base_url=self.info["base_url"], headers=headers, timeout=10)


@contextmanager
def connect(sb: Sandbox) -> Iterator[Poly]:
    info = httpx.get(f"{sb.base_url}/_admin/info").json()["polytomic"]
    tokens = info["tokens"]

    def client(token: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}", "X-Polytomic-Version": VERSION}
        return httpx.Client(base_url=info["base_url"], headers=headers, timeout=10)

    with client(tokens["rw"]) as rw, client(tokens["ro"]) as ro:
        yield Poly(sb, info, rw, ro)


@pytest.fixture
def poly(sandbox: Sandbox) -> Iterator[Poly]:
    """A fresh sandbox, for tests that change state or move the clock."""
    with connect(sandbox) as p:
        yield p


@pytest.fixture(scope="module")
def shared() -> Iterator[Poly]:
    """One sandbox (same config as the `sandbox` fixture) shared by the tests that only read
    or get refused: starting a sandbox per test would make this file slow. Nothing here may
    change state or move the clock; each such test asserts the state it relies on."""
    config = SandboxConfig(port=0, seed=7, frozen=True, changes_per_second=0)
    with Sandbox(config) as sb, connect(sb) as p:
        yield p


@pytest.fixture(scope="module")
def shared_sync(shared: Poly) -> dict[str, Any]:
    return shared.rw.get(f"/api/syncs/{shared.ids['sync_id']}").json()["data"]


@pytest.fixture
def shared_faults(shared: Poly) -> Iterator[Poly]:
    """The shared sandbox with faults switched off again afterwards, whatever happens."""
    try:
        yield shared
    finally:
        set_faults(shared.sb, "none")


def all_summaries(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    token = None
    for _ in range(100):
        query = {**params, **({"page_token": token} if token else {})}
        page = client.get("/api/syncs", params=query)
        assert page.status_code == 200, page.text
        body = page.json()
        out.extend(body["data"])
        token = body["pagination"]["next_page_token"]
        if not token:
            return out
    raise AssertionError("pagination never ended")


def assert_error(response: httpx.Response, status: int, key: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"status", "message", "key", "metadata"}
    assert body["status"] == status and body["key"] == key and body["message"]
    return body


def writable(sync: dict[str, Any]) -> dict[str, Any]:
    """What a careful client PUTs back: everything it read (read-only fields are ignored)."""
    return json.loads(json.dumps(sync))


# --- seed and listing ---------------------------------------------------------------------
def test_seed_is_a_believable_workspace(shared: Poly) -> None:
    """Source: polytomic/types/list_sync_item.py (flat rows) and
    polytomic/types/model_sync_v5response.py (a full sync, both identity forms, `problems`).
    The workspace itself (names, connectors, counts) is this simulator's."""
    summaries = all_summaries(shared.rw)
    assert len(summaries) >= 25
    assert {s["mode"] for s in summaries} == MODES
    assert len({s["schedule"]["frequency"] for s in summaries}) >= 8
    assert any(not s["active"] for s in summaries)
    assert len({s["target_connection_id"] for s in summaries}) >= 6
    names = {s["name"] for s in summaries}
    assert "Snowflake users → Salesforce Contacts" in names
    assert "HubSpot companies enrichment" in names
    for s in summaries:  # flat summaries (`types/list_sync_item.py`), not full syncs
        assert not {"fields", "filters", "identity", "identities", "target"} & set(s)
        assert not {"model_filters", "target_filters", "bulk_settings"} & set(s)
        assert s["target_connection_id"] and "target_object" in s

    full = shared.rw.get(f"/api/syncs/{shared.ids['sync_id']}").json()["data"]
    assert full["fields"] and all("target" in f and "source" in f for f in full["fields"])
    assert full["identity"]["function"] == "Equality"
    assert full["identities"] == {"strategy": "priority", "mappings": [full["identity"]]}
    assert full["problems"] == []
    assert full["target"]["configuration"]["use_bulk_api"] is True  # nested, not modeled
    assert "bulk_settings" in full and "encryption_enabled" in full
    assert full["model_ids"] == [shared.ids["model_id"]]
    assert all(isinstance(full["schedule"][p], str) for p in ("minute",))
    assert MS_STAMP.match(full["updated_at"]) and MS_STAMP.match(full["created_at"])
    assert full["updated_by"]["name"] and full["organization_id"] == shared.ids["organization_id"]

    status = shared.rw.get(f"/api/syncs/{shared.ids['failing_sync_id']}/status").json()["data"]
    assert status["last_execution"]["status"] == "failed"
    assert "INVALID_FIELD: No such column 'Region__c'" in status["last_execution"]["errors"][0]


def test_seed_is_deterministic_and_scales() -> None:
    """The simulator's own promise (seeded, scalable); the stored body keeps only the
    live forms (`polytomic_body`)."""

    def build(scale: int) -> PolytomicSim:
        clock = SandboxClock(FROZEN_EPOCH)
        return PolytomicSim(SimContext(seed=7, scale=scale, clock=clock, changes_per_second=0))

    one, again, triple = build(1), build(1), build(3)
    assert one.info("x") == again.info("x")
    assert [r.body for r in one._syncs.values()] == [r.body for r in again._syncs.values()]
    assert len(triple._syncs) == 3 * len(one._syncs)
    bodies = [r.body for r in one._syncs.values()]
    items = [f for b in bodies for f in b["fields"]]
    assert any("override_value" in f and "source" not in f for f in items)
    assert any(f.get("sync_mode") == "create" for f in items)
    assert any(b["model_filters"] and b["model_filters"]["logic"] for b in bodies)
    assert any(b["target_filters"] for b in bodies)
    assert any(b["identities"] and len(b["identities"]["mappings"]) > 1 for b in bodies)
    assert not any(k in b for b in bodies for k in ("identity", "filters", "filter_logic"))
    assert any(b["policies"] for b in bodies) and any(b["overrides"] for b in bodies)
    assert sum("bulk_settings" in b for b in bodies) >= 3


def test_list_pages_with_opaque_token_and_limits(shared: Poly) -> None:
    """Source: polytomic/model_sync/raw_client.py `list` — "ordered by `updated_at`
    descending, with `id` used as a tiebreaker"; "The `limit` is capped at 50. Values above
    that cap are reduced to 50, and non-positive values fall back to the same default"."""
    everything = all_summaries(shared.rw)
    paged = all_summaries(shared.rw, limit=7)
    assert [s["id"] for s in paged] == [s["id"] for s in everything]
    assert len({s["id"] for s in paged}) == len(paged)
    keys = [(s["updated_at"], s["id"]) for s in everything]
    assert keys == sorted(keys, reverse=True)

    first = shared.rw.get("/api/syncs").json()
    assert len(first["data"]) == min(50, len(everything))
    for silently in (51, 1000, 0, -5):
        capped = shared.rw.get("/api/syncs", params={"limit": silently})
        assert capped.status_code == 200 and capped.json()["data"] == first["data"]
    assert_error(shared.rw.get("/api/syncs", params={"limit": "ten"}), 400, "bad_request")
    bad = shared.rw.get("/api/syncs", params={"page_token": "not-a-token"})
    assert_error(bad, 400, "invalid_page_token")


def test_list_filters(shared: Poly) -> None:
    """Source: polytomic/model_sync/raw_client.py `list` (`active`, `mode`,
    `target_connection_id`; mode one of types/modelsync_sync_target_mode.py)."""
    inactive = all_summaries(shared.rw, active="false")
    active = all_summaries(shared.rw, active="true")
    assert inactive and all(not s["active"] for s in inactive)
    assert len(inactive) + len(active) == len(all_summaries(shared.rw))
    updates = all_summaries(shared.rw, mode="update", limit=3)
    assert updates and all(s["mode"] == "update" for s in updates)
    conn = shared.ids["connection_id"]
    to_sf = all_summaries(shared.rw, target_connection_id=conn)
    assert to_sf and all(s["target_connection_id"] == conn for s in to_sf)
    assert_error(shared.rw.get("/api/syncs", params={"mode": "upsert"}), 400, "bad_request")
    assert_error(shared.rw.get("/api/syncs", params={"active": "maybe"}), 400, "bad_request")


# --- auth, versions, routing --------------------------------------------------------------
def test_credentials_and_version_header(shared: Poly) -> None:
    """Source: polytomic/core/client_wrapper.py (Bearer API key, `X-Polytomic-Version`) and
    ../shared/vendor-docs/polytomic-update-sync.txt (Basic deployment key, on premises). The
    error keys are this simulator's."""
    tokens = shared.info["tokens"]
    assert_error(
        shared.raw(**{"X-Polytomic-Version": VERSION}).get("/api/syncs"), 401, "unauthorized"
    )
    wrong = shared.raw(Authorization="Bearer nope", **{"X-Polytomic-Version": VERSION})
    assert_error(wrong.get("/api/syncs"), 401, "unauthorized")

    def basic(user_pass: str) -> httpx.Client:
        encoded = base64.b64encode(user_pass.encode()).decode()
        return shared.raw(Authorization=f"Basic {encoded}", **{"X-Polytomic-Version": VERSION})

    assert basic(f"{tokens['deployment']}:").get("/api/syncs").status_code == 200
    assert_error(basic(tokens["deployment"]).get("/api/syncs"), 401, "unauthorized")
    assert_error(basic(f"{tokens['rw']}:").get("/api/syncs"), 401, "unauthorized")
    # The API key is a bearer token only; the deployment key is basic auth only.
    bearer_deploy = shared.raw(
        Authorization=f"Bearer {tokens['deployment']}", **{"X-Polytomic-Version": VERSION}
    )
    assert_error(bearer_deploy.get("/api/syncs"), 401, "unauthorized")

    no_version = shared.raw(Authorization=f"Bearer {tokens['rw']}")
    body = assert_error(no_version.get("/api/syncs"), 400, "missing_version")
    assert VERSION in body["metadata"]["supported"]
    for version in body["metadata"]["supported"]:
        older = shared.raw(
            Authorization=f"Bearer {tokens['rw']}", **{"X-Polytomic-Version": version}
        )
        assert older.get("/api/syncs", params={"limit": 1}).status_code == 200
    unknown = shared.raw(
        Authorization=f"Bearer {tokens['rw']}", **{"X-Polytomic-Version": "2099-01-01"}
    )
    assert_error(unknown.get("/api/syncs"), 400, "unsupported_version")


def test_read_only_key_reads_but_cannot_write(shared: Poly) -> None:
    """Source: polytomic/model_sync/raw_client.py (403 ForbiddenError on writes). A
    read-only key is this simulator's way to get one."""
    sid = shared.ids["sync_id"]
    sync = shared.ro.get(f"/api/syncs/{sid}").json()["data"]
    assert shared.ro.get(f"/api/syncs/{sid}/status").status_code == 200
    assert_error(shared.ro.put(f"/api/syncs/{sid}", json=writable(sync)), 403, "forbidden")
    assert_error(
        shared.ro.post(f"/api/syncs/{sid}/activate", json={"active": False}), 403, "forbidden"
    )
    assert_error(shared.ro.post(f"/api/syncs/{sid}/executions", json={}), 403, "forbidden")
    assert_error(shared.ro.post("/api/syncs", json=writable(sync)), 403, "forbidden")
    assert_error(shared.ro.delete(f"/api/syncs/{sid}"), 403, "forbidden")
    state = shared.sync_state(sid)
    assert state["puts"] == state["executions_started"] == state["activations"] == 0
    assert state["active"] is True and state["updated_at"] == sync["updated_at"]


def test_unknown_ids_paths_and_methods(shared: Poly) -> None:
    """Source: polytomic/model_sync/raw_client.py (404 NotFoundError) and
    polytomic/types/api_error.py (the body). The 405 is this simulator's."""
    missing = "00000000-0000-4000-8000-000000000000"
    sync = shared.rw.get(f"/api/syncs/{shared.ids['sync_id']}").json()["data"]
    assert_error(shared.rw.get(f"/api/syncs/{missing}"), 404, "not_found")
    assert_error(shared.rw.put(f"/api/syncs/{missing}", json=writable(sync)), 404, "not_found")
    assert_error(shared.rw.delete(f"/api/syncs/{missing}"), 404, "not_found")
    assert_error(
        shared.rw.post(f"/api/syncs/{missing}/activate", json={"active": True}), 404, "not_found"
    )
    assert_error(shared.rw.post(f"/api/syncs/{missing}/executions", json={}), 404, "not_found")
    assert_error(shared.rw.get(f"/api/syncs/{missing}/executions"), 404, "not_found")
    assert_error(shared.rw.get(f"/api/syncs/{missing}/status"), 404, "not_found")
    sid = shared.ids["sync_id"]
    assert_error(shared.rw.get(f"/api/syncs/{sid}/executions/{missing}"), 404, "not_found")
    assert_error(shared.rw.get("/api/connections"), 404, "not_found")
    assert_error(shared.rw.patch(f"/api/syncs/{sid}", json={}), 405, "method_not_allowed")


# --- PUT: full replacement ----------------------------------------------------------------
def test_put_round_trips_everything_including_unknown_fields(poly: Poly) -> None:
    """Source: polytomic/model_sync/raw_client.py `update` ("Every field in the request
    body is written to the sync"); unknown fields kept is the simulator's stand-in for fields
    a newer API version adds."""
    sid = poly.ids["sync_id"]
    before = poly.rw.get(f"/api/syncs/{sid}").json()["data"]
    body = writable(before)
    body["fields"][0]["x_note"] = "kept"  # unknown nested key inside a list item
    body["target"]["configuration"]["x_flag"] = {"deep": [1, 2]}
    body["x_custom"] = {"owner": "revops"}
    first = poly.rw.put(f"/api/syncs/{sid}", json=body)
    assert first.status_code == 200, first.text
    after = first.json()["data"]
    assert after == poly.rw.get(f"/api/syncs/{sid}").json()["data"]
    for key in ("updated_at", "updated_by"):
        assert after.pop(key) != before.pop(key)
    del body["updated_at"], body["updated_by"]
    assert after == body  # everything else exactly as sent, unknown fields included

    second = poly.rw.put(f"/api/syncs/{sid}", json=body).json()["data"]  # frozen clock
    assert MS_STAMP.match(second["updated_at"])
    assert second["updated_at"] > first.json()["data"]["updated_at"]
    assert second["updated_by"]["type"] == "apikey"
    state = poly.sync_state(sid)
    assert state["puts"] == 2 and state["updated_at"] == second["updated_at"]


def test_put_resets_every_omitted_optional_field(poly: Poly) -> None:
    """Source: polytomic/model_sync/raw_client.py `update` ("any field you omit is cleared
    or reset to its default value")."""
    sid = poly.ids["sync_id"]
    sync = poly.rw.get(f"/api/syncs/{sid}").json()["data"]
    assert sync["active"] and sync["override_fields"] and "bulk_settings" in sync
    minimal = {k: sync[k] for k in ("name", "mode", "schedule", "target", "fields", "identity")}
    minimal["x_new"] = 1
    minimal["id"] = "ignored-read-only"
    after = poly.rw.put(f"/api/syncs/{sid}", json=minimal).json()["data"]
    assert after["id"] == sid
    assert after["active"] is False  # omitted → default: a lazy PUT pauses the sync
    assert after["override_fields"] == [] and after["overrides"] == [] and after["filters"] == []
    assert after["policies"] == [] and after["filter_logic"] is None
    assert after["skip_initial_backfill"] is False and after["only_enrich_updates"] is False
    assert after["organization_id"] == poly.ids["organization_id"]
    assert "bulk_settings" not in after and "notifications" not in after
    assert after["x_new"] == 1
    assert poly.sync_state(sid)["active"] is False


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b.pop("name"), "name"),
        (lambda b: b.pop("mode"), "mode"),
        (lambda b: b.pop("schedule"), "schedule"),
        (lambda b: b.pop("target"), "target"),
        (lambda b: b.pop("fields"), "fields"),
        (lambda b: b["target"].pop("connection_id"), "target.connection_id"),
        (lambda b: b["fields"][1].pop("target"), "fields[1].target"),
        (lambda b: b.update(mode="upsert"), "mode"),
        (lambda b: b["schedule"].update(frequency="fortnightly"), "schedule.frequency"),
        (lambda b: b["schedule"].update(minute=15), "schedule.minute"),
        (
            lambda b: b["identities"]["mappings"][0].update(function="Fuzzy"),
            "identities.mappings[0].function",
        ),
        (lambda b: (b.pop("identity"), b.pop("identities")), "identity"),  # mode needs one
        (lambda b: b.update(active="yes"), "active"),
    ],
)
def test_put_validation_names_the_field(
    shared: Poly, shared_sync: dict[str, Any], mutate: Any, field: str
) -> None:
    """Source: polytomic/model_sync/raw_client.py `update` (422
    UnprocessableEntityError; required `fields`, `mode`, `name`, `schedule`, `target`) and
    polytomic/types/schedule.py (time parts are strings). `metadata.errors` is this
    simulator's."""
    sid = shared.ids["sync_id"]
    body = writable(shared_sync)
    mutate(body)
    error = assert_error(shared.rw.put(f"/api/syncs/{sid}", json=body), 422, "validation_error")
    assert error["metadata"]["field"] == field and field in error["metadata"]["errors"]
    assert shared.sync_state(sid)["puts"] == 0


def test_put_rejects_non_json_and_wrapped_bodies(shared: Poly) -> None:
    """Source: polytomic/model_sync/raw_client.py `update` (400 BadRequestError, 422)."""
    sid = shared.ids["sync_id"]
    sync = shared.rw.get(f"/api/syncs/{sid}").json()["data"]
    assert_error(shared.rw.put(f"/api/syncs/{sid}", content=b"{nope"), 400, "bad_request")
    wrapped = shared.rw.put(f"/api/syncs/{sid}", json={"data": sync})
    assert assert_error(wrapped, 422, "validation_error")["metadata"]["field"] == "name"


# --- two forms of identity mappings and filters -------------------------------------------
def named(poly: Poly, name: str) -> dict[str, Any]:
    """The full sync of that name."""
    row = next(s for s in all_summaries(poly.rw) if s["name"] == name)
    return poly.rw.get(f"/api/syncs/{row['id']}").json()["data"]


def test_identities_win_over_identity(poly: Poly) -> None:
    """Source: polytomic/model_sync/raw_client.py `update` — `identities`: "When this is
    omitted, 'identity' is used instead; updating a sync with more than one mapping requires
    this property"; `identity`: "Reports and accepts the first identity mapping only";
    polytomic/types/model_sync_identities.py — `strategy` "Required when there is more than
    one mapping; a single mapping is always 'priority'"."""
    sid = poly.ids["sync_id"]
    sync = poly.rw.get(f"/api/syncs/{sid}").json()["data"]
    email = sync["identities"]["mappings"][0]
    other = {**email, "target": "Alternate_Email__c"}

    # An edited deprecated identity next to the unchanged live form is ignored.
    ignored = poly.rw.put(f"/api/syncs/{sid}", json={**writable(sync), "identity": other})
    assert ignored.status_code == 200 and ignored.json()["data"]["identity"] == email
    # The live form is what counts, whatever stale identity travels with it.
    body = {**writable(sync), "identities": {"strategy": "and", "mappings": [other]}}
    applied = poly.rw.put(f"/api/syncs/{sid}", json=body).json()["data"]
    assert applied["identities"] == {"strategy": "priority", "mappings": [other]}
    assert applied["identity"] == other
    # Without identities, identity is used.
    body = {k: v for k, v in writable(applied).items() if k != "identities"}
    alone = poly.rw.put(f"/api/syncs/{sid}", json={**body, "identity": email}).json()["data"]
    assert alone["identities"]["mappings"] == [email]

    two = named(poly, "Companies → Salesforce Accounts")
    assert (
        len(two["identities"]["mappings"]) == 2
        and two["identity"] == two["identities"]["mappings"][0]
    )
    without = {k: v for k, v in writable(two).items() if k != "identities"}
    refused = poly.rw.put(f"/api/syncs/{two['id']}", json=without)
    assert assert_error(refused, 422, "validation_error")["metadata"]["field"] == "identities"
    unsaid = {**writable(two), "identities": {"mappings": two["identities"]["mappings"]}}
    refused = poly.rw.put(f"/api/syncs/{two['id']}", json=unsaid)
    assert assert_error(refused, 422, "validation_error")["metadata"]["field"] == (
        "identities.strategy"
    )
    assert poly.rw.put(f"/api/syncs/{two['id']}", json=writable(two)).status_code == 200


def test_filters_in_both_forms(poly: Poly) -> None:
    """Source: polytomic/model_sync/raw_client.py `update` — `filters` is "Ignored when
    either of those is present, except that a request carrying both shapes is rejected if
    they describe different filters"; `filter_logic` "Combines the model filters in 'filters'
    only"; polytomic/types/model_filters.py and target_filters.py (labels, logic);
    polytomic/types/model_sync_v5response.py (`filters` reports both kinds by `field_type`)."""
    sync = named(poly, "Trial users → Intercom (onboarding)")
    sid = sync["id"]
    model = sync["model_filters"]
    assert [c["label"] for c in model["conditions"]] == ["f1", "f2"]
    assert model["logic"] == "f1 AND f2" == sync["filter_logic"]
    assert [f["field_type"] for f in sync["filters"]] == ["Model", "Model"]

    # Round trip: both forms as read describe the same filters.
    assert poly.rw.put(f"/api/syncs/{sid}", json=writable(sync)).status_code == 200
    # The live form edited, the deprecated one left stale: rejected.
    edited = {**model, "logic": "f1 OR f2"}
    stale = {**writable(sync), "model_filters": edited}
    error = assert_error(poly.rw.put(f"/api/syncs/{sid}", json=stale), 422, "validation_error")
    assert error["metadata"]["field"] == "filters"
    # The live form edited and the deprecated one left out: applied, the old form derived.
    fresh = {k: v for k, v in stale.items() if k not in ("filters", "filter_logic")}
    after = poly.rw.put(f"/api/syncs/{sid}", json=fresh).json()["data"]
    assert after["model_filters"]["logic"] == "f1 OR f2" == after["filter_logic"]
    # Only the deprecated form: it is converted, a target filter told apart by field_type.
    only_old = {k: v for k, v in writable(after).items() if k not in ("model_filters",)}
    only_old.pop("target_filters")
    only_old["filters"] = [
        *after["filters"],
        {"field_id": "role", "field_type": "Target", "function": "Equality", "value": "admin"},
    ]
    only_old["filter_logic"] = "f2 and f1"
    converted = poly.rw.put(f"/api/syncs/{sid}", json=only_old).json()["data"]
    assert converted["model_filters"]["logic"] == "f2 and f1"
    assert converted["target_filters"] == {
        "conditions": [{"field": "role", "function": "Equality", "value": "admin", "label": "A"}],
        "logic": None,
    }

    # Labels: all or none (none: A, B, … by position); the logic names every one.
    def put_model(group: dict[str, Any]) -> httpx.Response:
        body = {k: v for k, v in writable(converted).items() if k not in ("filters",)}
        return poly.rw.put(f"/api/syncs/{sid}", json={**body, "model_filters": group})

    bare = [{k: v for k, v in c.items() if k != "label"} for c in model["conditions"]]
    labelled = put_model({"conditions": bare, "logic": "A or B"}).json()["data"]
    assert [c["label"] for c in labelled["model_filters"]["conditions"]] == ["A", "B"]
    for group, why in (
        ({"conditions": [bare[0], {**bare[1], "label": "x"}]}, "label every condition"),
        ({"conditions": model["conditions"], "logic": "f1"}, "leaves out f2"),
        ({"conditions": model["conditions"], "logic": "f1 and f3"}, "'f3'"),
        ({"conditions": model["conditions"], "logic": "(f1 and f2"}, "parenthesis"),
    ):
        error = assert_error(put_model(group), 422, "validation_error")
        assert why in json.dumps(error["metadata"]["errors"]), why


def test_problems_are_reported_and_ignored_on_input(poly: Poly) -> None:
    """Source: polytomic/types/model_sync_v5response.py `problems` — "Parts of this
    configuration which could not be resolved when it was read. The configuration is reported
    unchanged, references included, so it can be corrected and written back; this property
    is ignored on input"; polytomic/types/model_sync_problem.py (code, message, path,
    severity: "Every problem reported today is an error, which stops the sync from running")."""
    sync = named(poly, "Legacy: Postgres subscriptions → HubSpot")
    sid = sync["id"]
    assert sync["problems"] == [
        {
            "code": "model_field_not_found",
            "message": "model field 'legacy_plan_code' no longer exists in Subscriptions",
            "path": "fields[1].source.field",
            "severity": "error",
        }
    ]
    assert sync["fields"][1]["source"]["field"] == "legacy_plan_code"  # reported unchanged
    ignored = poly.rw.put(f"/api/syncs/{sid}", json={**writable(sync), "problems": []})
    assert ignored.json()["data"]["problems"] == sync["problems"]
    assert poly.rw.post(f"/api/syncs/{sid}/activate", json={"active": True}).status_code == 200
    stopped = poly.rw.post(f"/api/syncs/{sid}/executions", json={})
    assert assert_error(stopped, 409, "sync_has_problems")["metadata"]["problems"]
    fixed = {**writable(ignored.json()["data"]), "active": True}
    fixed["fields"][1]["source"]["field"] = "plan"
    corrected = poly.rw.put(f"/api/syncs/{sid}", json=fixed).json()["data"]
    assert corrected["problems"] == []
    assert poly.rw.post(f"/api/syncs/{sid}/executions", json={}).status_code == 200


def test_a_write_moves_the_sync_to_the_top_of_the_list(poly: Poly) -> None:
    """Source: polytomic/model_sync/raw_client.py `list` ("ordered by `updated_at`
    descending")."""
    last = all_summaries(poly.rw)[-1]
    poly.rw.post(f"/api/syncs/{last['id']}/activate", json={"active": not last["active"]})
    top = all_summaries(poly.rw, limit=1)[0]
    assert top["id"] == last["id"] and top["updated_at"] > last["updated_at"]


def test_schedule_options(shared: Poly) -> None:
    """Source: polytomic/model_sync/raw_client.py `get_schedule_options`
    (`GET /api/syncs/schedules`) and polytomic/types/schedule_frequency.py."""
    options = shared.rw.get("/api/syncs/schedules").json()["data"]["schedule_options"]
    assert [o["frequency"] for o in options] == [
        "manual", "continuous", "hourly", "daily", "weekly",
        "custom", "builder", "runafter", "multi", "dbtcloud",
    ]  # fmt: skip
    assert all(
        o["label"] and o["description"] and "properties" in o["configuration"] for o in options
    )
    assert_error(shared.raw().get("/api/syncs/schedules"), 401, "unauthorized")


# --- create, delete, activate -------------------------------------------------------------
def test_create_then_delete(poly: Poly) -> None:
    """Source: polytomic/model_sync/raw_client.py `create` and `delete` (a 2xx with no
    body); polytomic/types/model_sync_v5response.py (the created sync)."""
    template = poly.rw.get(f"/api/syncs/{poly.ids['sync_id']}").json()["data"]
    body = {k: template[k] for k in ("mode", "schedule", "target", "fields", "identity")}
    body["name"] = "Snowflake users → Salesforce Contacts (copy)"
    created = poly.rw.post("/api/syncs", json=body)
    assert created.status_code == 200, created.text
    sync = created.json()["data"]
    assert sync["active"] is False and sync["created_at"] == sync["updated_at"]
    assert sync["created_by"]["type"] == "apikey"
    assert sync["id"] in {s["id"] for s in all_summaries(poly.rw)}
    assert poly.rw.get(f"/api/syncs/{sync['id']}/status").json()["data"]["last_execution"] is None
    assert poly.rw.get(f"/api/syncs/{sync['id']}/executions").json()["data"] == []

    assert poly.rw.delete(f"/api/syncs/{sync['id']}").status_code == 204
    assert_error(poly.rw.get(f"/api/syncs/{sync['id']}"), 404, "not_found")
    assert sync["id"] not in {s["id"] for s in all_summaries(poly.rw)}
    state = poly.state()
    assert state["created"] == [sync["id"]] and state["deleted"] == [sync["id"]]
    assert_error(poly.rw.post("/api/syncs", json={"name": "x"}), 422, "validation_error")


def test_activate_and_inactive_syncs_refuse_runs(poly: Poly) -> None:
    """Source: polytomic/model_sync/raw_client.py `activate` ("Only active syncs execute
    on schedule or in response to a manual trigger") and types/activate_sync_output.py. The
    409 key `sync_inactive` is this simulator's."""
    sid = poly.ids["sync_id"]
    before = poly.rw.get(f"/api/syncs/{sid}").json()["data"]["updated_at"]
    off = poly.rw.post(f"/api/syncs/{sid}/activate", json={"active": False})
    assert off.status_code == 200 and off.json() == {"data": {"id": sid, "active": False}}
    sync = poly.rw.get(f"/api/syncs/{sid}").json()["data"]
    assert sync["active"] is False and sync["updated_at"] > before
    assert poly.rw.get(f"/api/syncs/{sid}/status").json()["data"]["next_execution_time"] is None
    refused = assert_error(
        poly.rw.post(f"/api/syncs/{sid}/executions", json={}), 409, "sync_inactive"
    )
    assert refused["message"] == "sync is not active"
    assert_error(poly.rw.post(f"/api/syncs/{sid}/activate", json={}), 422, "validation_error")
    on = poly.rw.post(f"/api/syncs/{sid}/activate", json={"active": True})
    assert on.json()["data"]["active"] is True
    state = poly.sync_state(sid)
    assert state["activations"] == 2 and state["executions_started"] == 0 and state["active"]


# --- executions ---------------------------------------------------------------------------
def test_execution_progresses_with_the_clock(poly: Poly) -> None:
    """Source: polytomic/model_sync/raw_client.py `start` (`resync`, `test`,
    `identities`; 409 ConflictError), types/start_sync_response_schema.py,
    types/get_execution_response_schema.py and types/util_execution_status.py. Timing is this
    simulator's."""
    sid = poly.ids["sync_id"]
    started = poly.rw.post(f"/api/syncs/{sid}/executions", json={})
    assert started.status_code == 200, started.text
    run = started.json()["data"]
    assert set(run) == {"id", "status", "created_at"} and run["status"] == "created"

    def look() -> dict[str, Any]:
        return poly.rw.get(f"/api/syncs/{sid}/executions/{run['id']}").json()["data"]

    assert look()["started_at"] is None
    busy = assert_error(poly.rw.post(f"/api/syncs/{sid}/executions", json={}), 409, "conflict")
    assert busy["metadata"]["execution_id"] == run["id"]
    advance_clock(poly.sb, 1.5)
    assert look()["status"] == "queued"
    advance_clock(poly.sb, 3.0)
    running = look()
    assert running["status"] == "running" and running["started_at"] and not running["completed_at"]
    status = poly.rw.get(f"/api/syncs/{sid}/status").json()["data"]
    assert status["current_execution"]["id"] == run["id"]
    advance_clock(poly.sb, 10)
    done = look()
    assert done["status"] == "completed" and done["type"] == "manual" and done["errors"] == []
    counts = done["counts"]
    assert (
        counts["total"] == counts["insert"] + counts["update"] + counts["delete"] + counts["error"]
    )
    assert counts["total"] > 0 and done["completed_at"] > done["started_at"]
    status = poly.rw.get(f"/api/syncs/{sid}/status").json()["data"]
    assert status["current_execution"] is None and status["last_execution"]["id"] == run["id"]
    newest = poly.rw.get(f"/api/syncs/{sid}/executions").json()["data"][0]
    assert newest == done
    assert poly.sync_state(sid)["executions_started"] == 1

    resync = poly.rw.post(f"/api/syncs/{sid}/executions", json={"resync": True}).json()["data"]
    advance_clock(poly.sb, 15)
    resynced = poly.rw.get(f"/api/syncs/{sid}/executions/{resync['id']}").json()["data"]
    assert resynced["type"] == "resync" and resynced["counts"]["total"] > counts["total"]
    test_run = poly.rw.post(f"/api/syncs/{sid}/executions", json={"test": True}).json()["data"]
    advance_clock(poly.sb, 15)
    tested = poly.rw.get(f"/api/syncs/{sid}/executions/{test_run['id']}").json()["data"]
    assert tested["type"] == "test" and tested["counts"]["total"] <= 10
    picked = poly.rw.post(
        f"/api/syncs/{sid}/executions", json={"identities": ["a@x.io", "b@x.io"]}
    ).json()["data"]
    advance_clock(poly.sb, 15)
    only = poly.rw.get(f"/api/syncs/{sid}/executions/{picked['id']}").json()["data"]
    assert only["counts"]["total"] == 2
    bad = poly.rw.post(f"/api/syncs/{sid}/executions", json={"identities": "a@x.io"})
    assert assert_error(bad, 422, "validation_error")["metadata"]["field"] == "identities"


def test_cancel_is_asynchronous(poly: Poly) -> None:
    """Source: polytomic/model_sync/raw_client.py `cancel` — "Cancellation is asynchronous.
    A successful response means the cancellation signal has been queued ... Poll `GET
    /api/syncs/{id}/status` until the current execution reaches a terminal state"."""
    sid = poly.ids["sync_id"]
    assert_error(poly.ro.post(f"/api/syncs/{sid}/cancel"), 403, "forbidden")
    idle = poly.rw.post(f"/api/syncs/{sid}/cancel")
    assert idle.status_code == 200 and idle.json()["data"]["message"]
    run = poly.rw.post(f"/api/syncs/{sid}/executions", json={}).json()["data"]
    advance_clock(poly.sb, 5)
    asked = poly.rw.post(f"/api/syncs/{sid}/cancel", headers={"Idempotency-Key": "cancel-0001"})
    assert asked.status_code == 200 and run["id"] in asked.json()["data"]["message"]
    status = poly.rw.get(f"/api/syncs/{sid}/status").json()["data"]
    assert status["current_execution"]["status"] == "canceling"
    advance_clock(poly.sb, 3)
    status = poly.rw.get(f"/api/syncs/{sid}/status").json()["data"]
    assert status["current_execution"] is None
    done = status["last_execution"]
    assert done["id"] == run["id"] and done["status"] == "canceled" and done["completed_at"]
    assert poly.sync_state(sid)["cancellations"] == 1
    assert_error(
        poly.rw.post("/api/syncs/00000000-0000-4000-8000-000000000000/cancel"), 404, "not_found"
    )


def test_start_names_records_by_their_identities(poly: Poly) -> None:
    """Source: polytomic/model_sync/raw_client.py `start` — `identities`: "A sync with more
    than one identity mapping requires 'source_identities' instead"; `source_identities`:
    "Cannot be combined with 'identities'; at most 1000 entries"."""
    two = named(poly, "Companies → Salesforce Accounts")
    path = f"/api/syncs/{two['id']}/executions"
    refused = poly.rw.post(path, json={"identities": ["acme.io"]})
    assert assert_error(refused, 422, "validation_error")["metadata"]["field"] == "identities"
    source = two["identities"]["mappings"][0]["source"]
    entry = [{"source": source, "value": "acme.io"}]
    both = poly.rw.post(path, json={"identities": ["a"], "source_identities": [entry]})
    assert_error(both, 422, "validation_error")
    too_many = poly.rw.post(path, json={"source_identities": [entry] * 1001})
    assert_error(too_many, 422, "validation_error")
    started = poly.rw.post(path, json={"source_identities": [entry, entry]})
    assert started.status_code == 200, started.text
    advance_clock(poly.sb, 15)
    run = poly.rw.get(f"{path}/{started.json()['data']['id']}").json()["data"]
    assert run["counts"]["total"] == 2


def test_broken_mapping_fails_until_the_field_is_removed(poly: Poly) -> None:
    """The simulator's own failing data (a destination field that no longer exists);
    the execution's shape is types/get_execution_response_schema.py."""
    sid = poly.ids["failing_sync_id"]
    first = poly.rw.post(f"/api/syncs/{sid}/executions", json={}).json()["data"]
    advance_clock(poly.sb, 15)
    failed = poly.rw.get(f"/api/syncs/{sid}/executions/{first['id']}").json()["data"]
    assert failed["status"] == "failed" and failed["counts"]["error"] > 0
    assert any("Region__c" in e for e in failed["errors"])

    sync = writable(poly.rw.get(f"/api/syncs/{sid}").json()["data"])
    sync["fields"] = [f for f in sync["fields"] if f["target"] != "Region__c"]
    assert poly.rw.put(f"/api/syncs/{sid}", json=sync).status_code == 200
    second = poly.rw.post(f"/api/syncs/{sid}/executions", json={}).json()["data"]
    advance_clock(poly.sb, 15)
    fixed = poly.rw.get(f"/api/syncs/{sid}/executions/{second['id']}").json()["data"]
    assert fixed["status"] == "completed" and fixed["errors"] == []


def test_execution_history_pages_newest_first(shared: Poly) -> None:
    """Source: polytomic/model_sync/executions/raw_client.py `list` ("ordered by start
    time descending", opaque `page_token`, `ascending`)."""
    sid = shared.ids["hourly_sync_id"]
    runs: list[dict[str, Any]] = []
    token = None
    pages = 0
    while True:
        params = {"page_token": token} if token else {}
        body = shared.rw.get(f"/api/syncs/{sid}/executions", params=params).json()
        runs.extend(body["data"])
        pages += 1
        token = body["pagination"]["next_page_token"]
        if not token:
            break
    assert pages >= 2 and len({r["id"] for r in runs}) == len(runs)
    stamps = [r["created_at"] for r in runs]
    assert stamps == sorted(stamps, reverse=True)
    assert all(r["status"] in {"completed", "failed", "canceled"} for r in runs)
    assert any(r["status"] == "failed" and r["errors"] for r in runs)
    oldest = shared.rw.get(f"/api/syncs/{sid}/executions", params={"ascending": "true"}).json()
    assert oldest["data"][0]["id"] == runs[-1]["id"]
    bad = shared.rw.get(f"/api/syncs/{sid}/executions", params={"page_token": "zzz"})
    assert_error(bad, 400, "invalid_page_token")


def test_status_reports_running_and_next_time(shared: Poly) -> None:
    """Source: polytomic/model_sync/raw_client.py `get_status` and
    types/sync_status_response.py."""
    hourly = shared.rw.get(f"/api/syncs/{shared.ids['sync_id']}/status").json()["data"]
    assert hourly["next_execution_time"] == "2026-11-20T10:15:00.000Z"  # minute "15", UTC
    running = shared.rw.get(f"/api/syncs/{shared.ids['running_sync_id']}/status").json()["data"]
    assert running["current_execution"]["status"] == "running"
    assert running["last_execution"]["status"] in {"completed", "failed", "canceled"}
    busy = shared.rw.post(f"/api/syncs/{shared.ids['running_sync_id']}/executions", json={})
    assert_error(busy, 409, "conflict")
    paused = shared.rw.get(f"/api/syncs/{shared.ids['inactive_sync_id']}/status").json()["data"]
    assert paused["next_execution_time"] is None and paused["current_execution"] is None


# --- idempotency --------------------------------------------------------------------------
def test_idempotency_key_replays_the_first_answer(poly: Poly) -> None:
    """Source: polytomic/model_sync/raw_client.py (`idempotency_key` on `create`,
    `start`, `activate`, `cancel`). Replay, mismatch and scoping are not in the SDK: they are
    this simulator's reading of the vendor's idempotency keys (../shared/vendor-contracts.md)."""
    sid = poly.ids["sync_id"]
    path = f"/api/syncs/{sid}/executions"
    key = {"Idempotency-Key": "run-2026-11-20_0001"}
    first = poly.rw.post(path, json={}, headers=key)
    again = poly.rw.post(path, json={}, headers=key)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and again.headers["Idempotent-Replayed"] == "true"
    assert poly.sync_state(sid)["executions_started"] == 1
    assert poly.state()["idempotent_replays"] == 1
    assert_error(
        poly.rw.post(path, json={"resync": True}, headers=key), 422, "idempotency_key_mismatch"
    )

    for bad in ("short", "has space!!", "x" * 256):
        assert_error(
            poly.rw.post(path, json={}, headers={"Idempotency-Key": bad}),
            400,
            "invalid_idempotency_key",
        )
    # Scoped per path: the same key on another sync is a different request.
    other = poly.ids["hourly_sync_id"]
    assert poly.rw.post(f"/api/syncs/{other}/executions", json={}, headers=key).status_code == 200
    assert poly.sync_state(other)["executions_started"] == 1

    # Scoped per credential: the deployment key's request with the same key is its own.
    activate = f"/api/syncs/{sid}/activate"
    encoded = base64.b64encode(f"{poly.info['tokens']['deployment']}:".encode()).decode()
    deploy = poly.raw(Authorization=f"Basic {encoded}", **{"X-Polytomic-Version": VERSION})
    assert poly.rw.post(activate, json={"active": True}, headers=key).status_code == 200
    mine = deploy.post(activate, json={"active": True}, headers=key)
    assert mine.status_code == 200 and "Idempotent-Replayed" not in mine.headers
    assert poly.sync_state(sid)["activations"] == 2

    # Errors are not stored: a failed attempt can be retried with the same key.
    created_key = {"Idempotency-Key": "create-sync-0001"}
    assert poly.rw.post("/api/syncs", json={}, headers=created_key).status_code == 422
    body = {k: v for k, v in poly.rw.get(f"/api/syncs/{sid}").json()["data"].items() if k != "id"}
    made = poly.rw.post("/api/syncs", json=body, headers=created_key)
    remade = poly.rw.post("/api/syncs", json=body, headers=created_key)
    assert made.status_code == 200 and remade.json() == made.json()
    assert len(poly.state()["created"]) == 1


def test_concurrent_duplicate_gets_409(poly: Poly) -> None:
    """Not in the SDK: the simulator's answer to a duplicate still in flight
    (../shared/vendor-contracts.md), in the shape of polytomic/types/api_error.py."""
    sid = poly.ids["sync_id"]
    key = "concurrent-0001"
    body = b"{}"
    head = (
        f"POST /polytomic/api/syncs/{sid}/executions HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nAuthorization: Bearer {poly.info['tokens']['rw']}\r\n"
        f"X-Polytomic-Version: {VERSION}\r\nIdempotency-Key: {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", poly.sb.port), timeout=10) as sock:
        sock.sendall(head)  # headers only: the first request is now in flight
        for _ in range(200):
            if poly.state()["idempotency_in_flight"] == 1:
                break
            time.sleep(0.01)
        else:
            pytest.fail("the first request never reached the simulator")
        duplicate = poly.rw.post(
            f"/api/syncs/{sid}/executions", json={}, headers={"Idempotency-Key": key}
        )
        assert_error(duplicate, 409, "idempotency_key_in_use")
        sock.sendall(body)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200")
    first = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    retry = poly.rw.post(f"/api/syncs/{sid}/executions", json={}, headers={"Idempotency-Key": key})
    assert retry.status_code == 200 and retry.json() == first
    assert poly.sync_state(sid)["executions_started"] == 1
    assert poly.state()["idempotency_in_flight"] == 0


# --- injected faults ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "key"),
    [(500, "internal_error"), (502, "bad_gateway"), (503, "service_unavailable")],
)
def test_injected_server_errors_use_the_vendor_shape(
    shared_faults: Poly, status: int, key: str
) -> None:
    """Injected faults, in the shape of polytomic/types/api_error.py."""
    set_faults(shared_faults.sb, f"{status}=1,only=polytomic")
    assert_error(shared_faults.rw.get("/api/syncs"), status, key)
    assert "Retry-After" not in shared_faults.rw.get("/api/syncs").headers


def test_injected_429_carries_retry_after(shared_faults: Poly) -> None:
    """An injected fault, in the shape of polytomic/types/api_error.py."""
    set_faults(shared_faults.sb, "429=1,retry-after=2,only=polytomic")
    response = shared_faults.rw.get(f"/api/syncs/{shared_faults.ids['sync_id']}")
    assert_error(response, 429, "rate_limited")
    assert response.headers["Retry-After"] == "2"


def test_drop_before_changes_nothing(poly: Poly) -> None:
    """The fault injector's promise: a dropped request changes nothing."""
    sid = poly.ids["sync_id"]
    sync = poly.rw.get(f"/api/syncs/{sid}").json()["data"]
    set_faults(poly.sb, "drop-before=1,only=polytomic")
    with pytest.raises(httpx.RemoteProtocolError):
        poly.rw.put(f"/api/syncs/{sid}", json={**writable(sync), "name": "renamed"})
    set_faults(poly.sb, "none")
    assert poly.rw.get(f"/api/syncs/{sid}").json()["data"] == sync
    assert poly.sync_state(sid)["puts"] == 0


def test_drop_after_applies_and_an_idempotent_retry_replays(poly: Poly) -> None:
    """The fault injector's promise, and the simulator's idempotency replay."""
    sid = poly.ids["sync_id"]
    key = {"Idempotency-Key": "lost-answer-0001"}
    set_faults(poly.sb, "drop-after=1,only=polytomic")
    with pytest.raises(httpx.RemoteProtocolError):
        poly.rw.post(f"/api/syncs/{sid}/executions", json={}, headers=key)
    set_faults(poly.sb, "none")
    assert poly.sync_state(sid)["executions_started"] == 1  # it happened; the client never knew
    retry = poly.rw.post(f"/api/syncs/{sid}/executions", json={}, headers=key)
    assert retry.status_code == 200 and retry.headers["Idempotent-Replayed"] == "true"
    newest = poly.rw.get(f"/api/syncs/{sid}/executions").json()["data"][0]
    assert newest["id"] == retry.json()["data"]["id"]
    assert poly.sync_state(sid)["executions_started"] == 1


def test_malformed_body_and_latency(shared_faults: Poly) -> None:
    """The fault injector's promise."""
    set_faults(shared_faults.sb, "malformed=1,only=polytomic")
    broken = shared_faults.rw.get("/api/syncs")
    assert broken.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        broken.json()
    set_faults(shared_faults.sb, "latency=30ms,jitter=10ms,only=polytomic")
    slow = shared_faults.rw.get("/api/syncs", params={"limit": 2})
    assert slow.status_code == 200 and len(slow.json()["data"]) == 2
    assert (
        httpx.get(f"{shared_faults.sb.base_url}/_admin/faults").json()["spec"]["latency_ms"] == 30
    )
