"""Signalsmith simulator contract, over real HTTP with plain httpx, as an adapter would see it.

The shapes follow `shared/vendor-docs/signalsmith-syncs-api.txt` (the Syncs API reference) and
the notes in `shared/vendor-schemas/README.md` (composable.zeotap.com api-reference: paging
with `page`/`page_size` ≤ 100 or a bare array, the `append` mode, run statuses "queued" as
well as "pending"). Where the vendor documents nothing (the 409s on trigger, when
`last_run_id` moves) the simulator makes a choice and the test says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from synctui.sandbox.core import FROZEN_EPOCH, SandboxClock, SandboxConfig, SimContext
from synctui.sandbox.server import Sandbox
from synctui.sandbox.signalsmith import SignalsmithSim
from tests.conftest import admin_state, advance_clock, set_faults

NOW = "2026-11-20T09:30:00Z"
SYNC_FIELDS = {
    "id", "workspace_id", "model_id", "destination_id", "name", "description", "field_mapping",
    "sync_mode", "schedule", "config", "primary_key", "status", "status_error", "created_by",
    "created_at", "updated_at", "last_synced_at", "last_run_id",
}  # fmt: skip
RUN_FIELDS = {
    "id", "sync_id", "workspace_id", "status", "started_at", "completed_at", "rows_synced",
    "rows_failed", "error_message", "triggered_by", "created_at",
}  # fmt: skip
NEW_SYNC = {
    "name": "Orders to Snowflake mirror",
    "model_id": "770e8400-e29b-41d4-a716-446655440000",
    "destination_id": "880e8400-e29b-41d4-a716-446655440000",
    "field_mapping": [
        {"source_column": "email", "destination_field": "Email"},
        {"source_column": "revenue", "destination_field": "Annual_Revenue", "type_cast": "number"},
    ],
    "sync_mode": "upsert",
    "primary_key": "customer_id",
    "schedule": "0 */6 * * *",
}


@dataclass
class Api:
    """A thin client: workspace-scoped URLs and the headers Signalsmith wants."""

    base: str
    rw: str
    ro: str
    workspaces: list[str]
    http: httpx.Client

    def url(self, ws: str, *parts: str) -> str:
        return "/".join([f"{self.base}/api/v1/workspaces/{ws}/syncs", *parts]).rstrip("/")

    def headers(self, ws: str, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.rw}", "X-Workspace-ID": ws}

    def call(
        self, method: str, ws: str, *parts: str, token: str | None = None, **kw: Any
    ) -> httpx.Response:
        return self.http.request(
            method, self.url(ws, *parts), headers=self.headers(ws, token), **kw
        )

    def syncs(self, ws: str) -> list[dict[str, Any]]:
        response = self.call("GET", ws)
        assert response.status_code == 200, response.text
        return response.json()

    def find(self, status: str, *, idle: bool = False) -> dict[str, Any]:
        """A seeded sync in `status`; with idle=True one whose latest run has finished."""
        for ws in self.workspaces:
            for sync in self.syncs(ws):
                if sync["status"] != status:
                    continue
                if idle and sync["last_run_id"]:
                    run = self.call("GET", ws, sync["id"], "runs", sync["last_run_id"]).json()
                    if run["completed_at"] is None:
                        continue
                return sync
        raise AssertionError(f"no seeded sync with status {status}")


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    """One pooled client: a new httpx client per request costs more than the request."""
    with httpx.Client(timeout=10) as client:
        yield client


def _connect(sb: Sandbox, http: httpx.Client) -> Api:
    info = http.get(f"{sb.base_url}/_admin/info").json()["signalsmith"]
    tokens, ids = info["tokens"], info["ids"]
    return Api(info["base_url"], tokens["rw"], tokens["ro"], ids["workspaces"], http)


@pytest.fixture
def api(sandbox: Sandbox, http: httpx.Client) -> Api:
    """A fresh sandbox: for tests that change state."""
    return _connect(sandbox, http)


@pytest.fixture(scope="module")
def shared() -> Iterator[Sandbox]:
    """One sandbox for the tests that only read or are refused (a fresh one costs ~0.5 s).

    Its rate limits are off: dozens of tests share one frozen instant, which would trip the
    burst limit; the limits are tested on fresh sandboxes below.
    """
    with Sandbox(SandboxConfig(port=0, seed=7, frozen=True, changes_per_second=0)) as sb:
        sim = sb.sim("signalsmith")
        sim.requests_per_minute = sim.burst_per_second = None  # type: ignore[attr-defined]
        yield sb


@pytest.fixture
def reader(shared: Sandbox, http: httpx.Client) -> Api:
    return _connect(shared, http)


@pytest.fixture
def faults(shared: Sandbox) -> Iterator[Callable[[str], None]]:
    """Switch faults on the shared sandbox, and always off again afterwards."""
    yield lambda spec: set_faults(shared, spec)
    set_faults(shared, "")


def _error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and isinstance(body["error"], str) and body["error"]
    return body["error"]


def _state(sandbox: Sandbox, sync_id: str) -> dict[str, Any]:
    return admin_state(sandbox, "signalsmith")["syncs"][sync_id]


# --- reading ------------------------------------------------------------------------------------
def test_seed_is_believable(reader: Api) -> None:
    assert len(reader.workspaces) == 2
    everything = [s for ws in reader.workspaces for s in reader.syncs(ws)]
    assert len(everything) >= 30
    assert {s["status"] for s in everything} == {"active", "paused", "error", "draft"}
    names = {s["name"] for s in everything}
    assert {"Customers to Salesforce", "Churn scores → HubSpot"} <= names
    for sync in everything:
        assert set(sync) == SYNC_FIELDS
        assert sync["sync_mode"] in {"upsert", "insert", "update", "mirror", "append"}
        assert len(sync["schedule"].split()) == 5
        assert all({"source_column", "destination_field"} <= set(r) for r in sync["field_mapping"])
        assert (sync["status_error"] != "") == (sync["status"] == "error")
    assert any("type_cast" in r for s in everything for r in s["field_mapping"])
    assert any(len(s["config"]) > 1 for s in everything)
    errors = {s["status_error"] for s in everything}
    assert "Destination rejected 312 rows: REQUIRED_FIELD_MISSING: LastName" in errors


def test_get_one_matches_list(reader: Api) -> None:
    ws = reader.workspaces[1]
    listed = reader.syncs(ws)[3]
    got = reader.call("GET", ws, listed["id"])
    assert got.status_code == 200 and got.json() == listed


def test_pagination_envelope_walks_the_same_list(reader: Api) -> None:
    ws = reader.workspaces[0]
    bare = reader.syncs(ws)
    seen, page = [], 1
    while True:
        body = reader.call("GET", ws, params={"page": page, "page_size": 5}).json()
        assert body["pagination"] == {"page": page, "page_size": 5, "total": len(bare)}
        if not body["data"]:
            break
        seen += body["data"]
        page += 1
    assert [s["id"] for s in seen] == [s["id"] for s in bare]
    default = reader.call("GET", ws, params={"page": 1}).json()
    assert default["pagination"]["page_size"] == 20 and len(default["data"]) == 16


@pytest.mark.parametrize(
    "params", [{"page_size": 101}, {"page": 0}, {"page_size": "ten"}, {"page": -1}]
)
def test_pagination_rejects_bad_params(reader: Api, params: dict[str, Any]) -> None:
    _error(reader.call("GET", reader.workspaces[0], params=params), 400)


def test_runs_history_and_pagination(reader: Api) -> None:
    ws = reader.workspaces[0]
    sync = next(s for s in reader.syncs(ws) if s["status"] == "active")
    runs = reader.call("GET", ws, sync["id"], "runs").json()
    assert 3 <= len(runs) <= 6
    assert all(set(r) == RUN_FIELDS and r["sync_id"] == sync["id"] for r in runs)
    assert runs[0]["id"] == sync["last_run_id"]
    assert [r["created_at"] for r in runs] == sorted((r["created_at"] for r in runs), reverse=True)
    paged = reader.call("GET", ws, sync["id"], "runs", params={"page": 2, "page_size": 2}).json()
    assert paged["data"] == runs[2:4] and paged["pagination"]["total"] == len(runs)
    one = reader.call("GET", ws, sync["id"], "runs", runs[1]["id"])
    assert one.status_code == 200 and one.json() == runs[1]


def test_run_statuses_are_the_documented_ones_and_queued(reader: Api) -> None:
    """Sync Run Statuses (`signalsmith-syncs-api.txt`): pending, running, completed, failed,
    cancelled; the product overview also shows "queued" for a run waiting its turn (here: a
    scheduled run; one started through the API waits as "pending", as the trigger's
    documented answer shows)."""
    seen: set[str] = set()
    for ws in reader.workspaces:
        for sync in reader.syncs(ws):
            runs = reader.call("GET", ws, sync["id"], "runs").json()
            seen |= {r["status"] for r in runs}
            for run in runs:
                if run["status"] == "queued":
                    assert run["completed_at"] is None and run["rows_synced"] == 0
    assert seen <= {"pending", "queued", "running", "completed", "failed", "cancelled"}
    assert {"queued", "running", "completed", "failed"} <= seen


def test_drafts_have_no_runs(reader: Api) -> None:
    draft = reader.find("draft")
    assert draft["last_run_id"] is None and draft["last_synced_at"] is None
    assert reader.call("GET", draft["workspace_id"], draft["id"], "runs").json() == []


# --- errors: auth, headers, unknown ids ---------------------------------------------------------
def test_missing_or_unknown_token_is_401(reader: Api) -> None:
    ws = reader.workspaces[0]
    _error(reader.http.get(reader.url(ws), headers={"X-Workspace-ID": ws}), 401)
    _error(
        reader.http.get(reader.url(ws), headers={"X-Workspace-ID": ws, "Authorization": "Basic x"}),
        401,
    )
    bad = reader.call("GET", ws, token="ss_live_" + "0" * 40)
    assert "ss_live_" not in _error(bad, 401)


def test_read_only_token_reads_but_cannot_write(shared: Sandbox, reader: Api) -> None:
    ws = reader.workspaces[0]
    sync = reader.syncs(ws)[0]
    assert reader.call("GET", ws, sync["id"], token=reader.ro).status_code == 200
    _error(reader.call("PUT", ws, sync["id"], token=reader.ro, json={"name": "x"}), 403)
    _error(reader.call("POST", ws, token=reader.ro, json=NEW_SYNC), 403)
    _error(reader.call("POST", ws, sync["id"], "trigger", token=reader.ro), 403)
    _error(reader.call("DELETE", ws, sync["id"], token=reader.ro), 403)
    assert reader.call("GET", ws, sync["id"]).json() == sync
    assert len(reader.syncs(ws)) == 16
    assert _state(shared, sync["id"]) == {
        "workspace_id": ws, "status": sync["status"], "puts": 0, "triggers": 0,
    }  # fmt: skip


def test_workspace_header_must_match_the_path(reader: Api) -> None:
    ws, other = reader.workspaces
    no_header = reader.http.get(reader.url(ws), headers={"Authorization": f"Bearer {reader.rw}"})
    assert "X-Workspace-ID" in _error(no_header, 400)
    mismatch = reader.http.get(reader.url(ws), headers=reader.headers(other))
    assert "X-Workspace-ID" in _error(mismatch, 400)


def test_unknown_workspace_sync_and_run_are_404(reader: Api) -> None:
    ws = reader.workspaces[0]
    ghost = "00000000-0000-4000-8000-000000000000"
    assert _error(reader.call("GET", ghost), 404) == "workspace not found"
    for method in ("GET", "PUT", "DELETE"):
        kw = {"json": {"name": "x"}} if method == "PUT" else {}
        assert _error(reader.call(method, ws, ghost, **kw), 404) == "sync not found"
    assert _error(reader.call("POST", ws, ghost, "trigger"), 404) == "sync not found"
    assert _error(reader.call("GET", ws, ghost, "runs"), 404) == "sync not found"
    sync_a, sync_b = reader.syncs(ws)[:2]
    assert _error(reader.call("GET", ws, sync_a["id"], "runs", ghost), 404) == "run not found"
    # A run is only found below its own sync.
    foreign = reader.call("GET", ws, sync_a["id"], "runs", sync_b["last_run_id"])
    assert _error(foreign, 404) == "run not found"
    # A sync is only found below its own workspace.
    other = reader.workspaces[1]
    assert _error(reader.call("GET", other, sync_a["id"]), 404) == "sync not found"


def test_unknown_path_and_method_keep_the_error_shape(reader: Api) -> None:
    _error(
        reader.http.get(
            f"{reader.base}/api/v2/whatever", headers=reader.headers(reader.workspaces[0])
        ),
        404,
    )
    ws = reader.workspaces[0]
    sync = reader.syncs(ws)[0]
    _error(reader.call("PATCH", ws, sync["id"], json={"name": "x"}), 405)


# --- create ---------------------------------------------------------------------------------------
def test_create_returns_the_full_sync_and_keeps_unknown_fields(api: Api) -> None:
    ws = api.workspaces[1]
    created = api.call("POST", ws, json={**NEW_SYNC, "owner_team": "growth", "id": "mine"})
    assert created.status_code == 201, created.text
    sync = created.json()
    assert set(sync) >= SYNC_FIELDS and sync["owner_team"] == "growth"
    assert sync["id"] != "mine" and sync["workspace_id"] == ws
    assert sync["status"] == "active" and sync["status_error"] == ""
    assert sync["created_at"] == sync["updated_at"] == NOW
    assert sync["last_run_id"] is None and sync["last_synced_at"] is None
    assert sync["config"] == {} and sync["description"] == ""
    assert sync["field_mapping"] == NEW_SYNC["field_mapping"]
    assert api.call("GET", ws, sync["id"]).json() == sync
    assert api.syncs(ws)[-1]["id"] == sync["id"]
    again = api.call("POST", ws, json={**NEW_SYNC, "status": "draft"}).json()
    assert again["id"] != sync["id"] and again["status"] == "draft"


def test_create_requires_the_documented_fields(reader: Api) -> None:
    ws = reader.workspaces[0]
    message = _error(reader.call("POST", ws, json={"name": "only a name"}), 400)
    for field in ("model_id", "destination_id", "field_mapping", "sync_mode", "primary_key"):
        assert field in message
    assert len(reader.syncs(ws)) == 16


def test_append_is_a_sync_mode(api: Api) -> None:
    """The product overview names an `append` mode besides the four the reference lists."""
    ws = api.workspaces[0]
    created = api.call("POST", ws, json={**NEW_SYNC, "sync_mode": "append"})
    assert created.status_code == 201, created.text
    sync = created.json()
    assert sync["sync_mode"] == "append"
    changed = api.call("PUT", ws, sync["id"], json={"sync_mode": "mirror"})
    assert changed.status_code == 200 and changed.json()["sync_mode"] == "mirror"
    back = api.call("PUT", ws, sync["id"], json={"sync_mode": "append"})
    assert back.json()["sync_mode"] == "append"


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"sync_mode": "replace"}, "sync_mode"),
        ({"model_id": "770e8400"}, "model_id"),
        ({"destination_id": 42}, "destination_id"),
        ({"field_mapping": []}, "field_mapping"),
        ({"field_mapping": [{"source_column": "email"}]}, "destination_field"),
        ({"field_mapping": [{"destination_field": "Email"}]}, "source_column"),
        ({"schedule": "every day"}, "invalid cron expression"),
        ({"config": ["a"]}, "config"),
        ({"status": "running"}, "status"),
        ({"name": ""}, "name"),
    ],
)
def test_create_validates(reader: Api, change: dict[str, Any], fragment: str) -> None:
    ws = reader.workspaces[0]
    assert fragment in _error(reader.call("POST", ws, json={**NEW_SYNC, **change}), 400)
    assert len(reader.syncs(ws)) == 16


def test_writes_need_a_json_body(reader: Api) -> None:
    ws = reader.workspaces[0]
    sync = reader.syncs(ws)[0]
    url = reader.url(ws, sync["id"])
    text = reader.http.put(url, headers=reader.headers(ws), content=b'{"name": "x"}')
    _error(text, 415)
    broken = {**reader.headers(ws), "Content-Type": "application/json"}
    _error(reader.http.put(url, headers=broken, content=b'{"name": '), 400)
    _error(reader.http.put(url, headers=broken, content=b'["name"]'), 400)
    _error(reader.call("PUT", ws, sync["id"], json={}), 400)
    assert reader.call("GET", ws, sync["id"]).json() == sync


# --- update ---------------------------------------------------------------------------------------
def test_put_changes_only_the_fields_sent(sandbox: Sandbox, api: Api) -> None:
    sync = api.find("active")
    ws = sync["workspace_id"]
    advance_clock(sandbox, 90)
    response = api.call(
        "PUT", ws, sync["id"], json={"schedule": "0 */12 * * *", "status": "paused"}
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["schedule"] == "0 */12 * * *" and updated["status"] == "paused"
    assert updated["updated_at"] == "2026-11-20T09:31:30Z"
    untouched = {k for k in SYNC_FIELDS if k not in {"schedule", "status", "updated_at"}}
    for key in untouched - {"last_synced_at"}:
        assert updated[key] == sync[key], key
    assert api.call("GET", ws, sync["id"]).json() == updated
    assert _state(sandbox, sync["id"])["puts"] == 1
    assert _state(sandbox, sync["id"])["status"] == "paused"


def test_put_stores_unknown_fields_and_ignores_server_owned_ones(api: Api) -> None:
    sync = api.find("active")
    ws = sync["workspace_id"]
    echo = {**sync, "id": "other", "created_at": "1999-01-01T00:00:00Z", "x_team": "data"}
    echo["field_mapping"] = [
        *sync["field_mapping"],
        {"source_column": "a", "destination_field": "B"},
    ]
    updated = api.call("PUT", ws, sync["id"], json=echo).json()
    assert updated["id"] == sync["id"] and updated["created_at"] == sync["created_at"]
    assert updated["x_team"] == "data"
    assert updated["field_mapping"][-1] == {"source_column": "a", "destination_field": "B"}
    assert api.call("GET", ws, sync["id"]).json()["x_team"] == "data"


def test_setting_active_clears_the_status_error(api: Api) -> None:
    sync = api.find("error")
    updated = api.call("PUT", sync["workspace_id"], sync["id"], json={"status": "active"}).json()
    assert updated["status"] == "active" and updated["status_error"] == ""


def test_rejected_put_changes_nothing(shared: Sandbox, reader: Api) -> None:
    sync = reader.find("active")
    ws = sync["workspace_id"]
    bad = {"name": "Renamed", "sync_mode": "merge"}
    assert "sync_mode" in _error(reader.call("PUT", ws, sync["id"], json=bad), 400)
    assert reader.call("GET", ws, sync["id"]).json() == sync
    assert _state(shared, sync["id"])["puts"] == 0


VALID_CRONS = (
    "0 */6 * * *",
    "*/15 6-22 * * 1-5",
    "0 6 * * MON-FRI",
    "0 0 1 jan,JUL *",
    "5,35 8-18/2 * * sun",
    "0 0 * * 7",
    "59 23 31 12 6",
    "0 9 1-7/3 * 1",
)


def test_valid_cron_is_accepted(api: Api) -> None:
    sync = api.find("active")
    for cron in VALID_CRONS:
        response = api.call("PUT", sync["workspace_id"], sync["id"], json={"schedule": cron})
        assert response.status_code == 200 and response.json()["schedule"] == cron, cron


@pytest.mark.parametrize(
    "cron",
    [
        "0 */6 * *",
        "0 */6 * * * *",
        "60 * * * *",
        "* 24 * * *",
        "* * 0 * *",
        "* * 32 * *",
        "* * * 13 *",
        "* * * * 8",
        "*/0 * * * *",
        "*/x * * * *",
        "30-10 * * * *",
        "* * * FOO *",
        "* * * * MON-XYZ",
        "1,,2 * * * *",
        "? * * * *",
        "@daily",
        "-5 * * * *",
    ],
)
def test_invalid_cron_is_rejected(reader: Api, cron: str) -> None:
    sync = reader.find("active")
    response = reader.call("PUT", sync["workspace_id"], sync["id"], json={"schedule": cron})
    assert _error(response, 400).startswith("invalid cron expression: ")


# --- delete ---------------------------------------------------------------------------------------
def test_delete(sandbox: Sandbox, api: Api) -> None:
    ws = api.workspaces[0]
    sync = api.syncs(ws)[5]
    response = api.call("DELETE", ws, sync["id"])
    assert response.status_code == 200 and response.json() == {"status": "deleted"}
    _error(api.call("GET", ws, sync["id"]), 404)
    _error(api.call("GET", ws, sync["id"], "runs"), 404)
    _error(api.call("DELETE", ws, sync["id"]), 404)
    assert sync["id"] not in {s["id"] for s in api.syncs(ws)}
    state = admin_state(sandbox, "signalsmith")
    assert sync["id"] in state["deleted"] and sync["id"] not in state["syncs"]


# --- trigger and runs -----------------------------------------------------------------------------
def test_triggered_run_progresses_with_the_clock(sandbox: Sandbox, api: Api) -> None:
    sync = api.find("active", idle=True)
    ws = sync["workspace_id"]
    created = api.call("POST", ws, sync["id"], "trigger")
    assert created.status_code == 201, created.text
    run = created.json()
    assert set(run) == RUN_FIELDS
    assert run["status"] == "pending" and run["rows_synced"] == run["rows_failed"] == 0
    assert run["started_at"] == run["created_at"] == NOW and run["completed_at"] is None
    assert run["sync_id"] == sync["id"] and run["workspace_id"] == ws
    assert api.call("GET", ws, sync["id"]).json()["last_run_id"] == run["id"]
    assert _state(sandbox, sync["id"])["triggers"] == 1

    def read() -> dict[str, Any]:
        return api.call("GET", ws, sync["id"], "runs", run["id"]).json()

    advance_clock(sandbox, 5)
    running = read()
    assert running["status"] == "running" and running["completed_at"] is None
    advance_clock(sandbox, 10)
    later = read()
    assert later["status"] == "running" and later["rows_synced"] >= running["rows_synced"]
    advance_clock(sandbox, 200)
    done = read()
    assert done["status"] == "completed" and done["rows_synced"] > later["rows_synced"]
    assert done["completed_at"] > done["started_at"] and done["error_message"] == ""
    after = api.call("GET", ws, sync["id"]).json()
    assert after["last_synced_at"] == done["completed_at"]
    assert after["updated_at"] == sync["updated_at"]
    assert api.call("GET", ws, sync["id"], "runs").json()[0] == done


def test_last_run_id_may_move_only_when_the_run_completes(sandbox: Sandbox, api: Api) -> None:
    """Nothing documents whether `last_run_id` ("ID of the most recent run") moves when a run
    is triggered or when it completes; the simulator can do either. The runs list is the
    record of runs either way: the new run is in it at once."""
    sandbox.sim("signalsmith").last_run_id_moves = "completion"  # type: ignore[attr-defined]
    sync = api.find("active", idle=True)
    ws = sync["workspace_id"]
    run = api.call("POST", ws, sync["id"], "trigger").json()
    assert api.call("GET", ws, sync["id"]).json()["last_run_id"] == sync["last_run_id"]
    assert api.call("GET", ws, sync["id"], "runs").json()[0]["id"] == run["id"]
    advance_clock(sandbox, 300)
    assert api.call("GET", ws, sync["id"], "runs", run["id"]).json()["status"] == "completed"
    assert api.call("GET", ws, sync["id"]).json()["last_run_id"] == run["id"]


def test_trigger_on_an_error_sync_fails_with_its_error(sandbox: Sandbox, api: Api) -> None:
    sync = api.find("error", idle=True)
    ws = sync["workspace_id"]
    run = api.call("POST", ws, sync["id"], "trigger").json()
    advance_clock(sandbox, 300)
    done = api.call("GET", ws, sync["id"], "runs", run["id"]).json()
    assert done["status"] == "failed" and done["error_message"] == sync["status_error"]
    if "rejected 312 rows" in sync["status_error"]:
        assert done["rows_failed"] == 312
    assert api.call("GET", ws, sync["id"]).json()["last_synced_at"] == sync["last_synced_at"]


def test_trigger_refusals(api: Api) -> None:
    """Not documented: the simulator refuses a trigger of a paused or draft sync, or of one
    with a run in progress, with a 409 in Signalsmith's error shape."""
    paused, draft = api.find("paused"), api.find("draft")
    assert _error(api.call("POST", paused["workspace_id"], paused["id"], "trigger"), 409) == (
        "sync is paused"
    )
    assert "draft" in _error(api.call("POST", draft["workspace_id"], draft["id"], "trigger"), 409)
    active = api.find("active", idle=True)
    ws = active["workspace_id"]
    assert api.call("POST", ws, active["id"], "trigger").status_code == 201
    second = api.call("POST", ws, active["id"], "trigger")
    assert "in progress" in _error(second, 409)


def test_trigger_again_once_the_run_finished(sandbox: Sandbox, api: Api) -> None:
    sync = api.find("active", idle=True)
    ws = sync["workspace_id"]
    first = api.call("POST", ws, sync["id"], "trigger").json()
    advance_clock(sandbox, 300)
    second = api.call("POST", ws, sync["id"], "trigger")
    assert second.status_code == 201 and second.json()["id"] != first["id"]
    runs = api.call("GET", ws, sync["id"], "runs").json()
    assert [r["id"] for r in runs[:2]] == [second.json()["id"], first["id"]]
    assert _state(sandbox, sync["id"])["triggers"] == 2


# --- rate limits ----------------------------------------------------------------------------------
def test_burst_limit_per_workspace(sandbox: Sandbox, api: Api) -> None:
    sandbox.sim("signalsmith").burst_per_second = 3  # type: ignore[attr-defined]
    ws, other = api.workspaces
    assert [api.call("GET", ws).status_code for _ in range(3)] == [200, 200, 200]
    limited = api.call("GET", ws)
    assert _error(limited, 429) == "rate limit exceeded"
    assert limited.headers["Retry-After"] == "1"
    assert api.call("GET", other).status_code == 200
    advance_clock(sandbox, 1)
    assert api.call("GET", ws).status_code == 200
    assert admin_state(sandbox, "signalsmith")["rate_limited"] == 1


def test_minute_limit_per_workspace(sandbox: Sandbox, api: Api) -> None:
    sim = sandbox.sim("signalsmith")
    sim.requests_per_minute, sim.burst_per_second = 5, None  # type: ignore[attr-defined]
    ws = api.workspaces[0]
    for _ in range(5):
        assert api.call("GET", ws).status_code == 200
    assert api.call("GET", ws).headers["Retry-After"] == "60"
    advance_clock(sandbox, 30)
    still = api.call("GET", ws)
    assert _error(still, 429) == "rate limit exceeded" and still.headers["Retry-After"] == "30"
    advance_clock(sandbox, 30)
    assert api.call("GET", ws).status_code == 200


def test_default_burst_is_twenty_a_second(sandbox: Sandbox, api: Api) -> None:
    sim = sandbox.sim("signalsmith")
    # The shared fixture switches the limits off; put the documented defaults back.
    sim.requests_per_minute = type(sim).requests_per_minute  # type: ignore[attr-defined]
    sim.burst_per_second = type(sim).burst_per_second  # type: ignore[attr-defined]
    ws = api.workspaces[0]
    codes = [api.call("GET", ws, params={"page": 1, "page_size": 1}).status_code for _ in range(21)]
    assert codes == [200] * 20 + [429]


# --- injected faults ------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [500, 502, 503])
def test_injected_server_errors_use_the_vendor_shape(
    faults: Callable[[str], None], shared: Sandbox, reader: Api, status: int
) -> None:
    faults(f"{status}=1,only=signalsmith")
    _error(reader.call("GET", reader.workspaces[0]), status)
    assert reader.http.get(f"{shared.url('paragon')}/api/syncs").status_code == 401  # not injected


def test_injected_429_carries_retry_after(faults: Callable[[str], None], reader: Api) -> None:
    faults("429=1,retry-after=2,only=signalsmith")
    response = reader.call("GET", reader.workspaces[0])
    _error(response, 429)
    assert response.headers["Retry-After"] == "2"


def test_drop_before_leaves_state_unchanged(sandbox: Sandbox, api: Api) -> None:
    sync = api.find("active")
    set_faults(sandbox, "drop-before=1,only=signalsmith")
    # The request body is never read, so the close may reach the client as a reset.
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.call("PUT", sync["workspace_id"], sync["id"], json={"name": "Dropped"})
    set_faults(sandbox, "")
    assert api.call("GET", sync["workspace_id"], sync["id"]).json()["name"] == sync["name"]
    assert _state(sandbox, sync["id"])["puts"] == 0


def test_drop_after_applies_the_write(sandbox: Sandbox, api: Api) -> None:
    sync = api.find("active", idle=True)
    ws = sync["workspace_id"]
    set_faults(sandbox, "drop-after=1,only=signalsmith")
    with pytest.raises(httpx.RemoteProtocolError):
        api.call("PUT", ws, sync["id"], json={"name": "Applied anyway"})
    with pytest.raises(httpx.RemoteProtocolError):
        api.call("POST", ws, sync["id"], "trigger")
    set_faults(sandbox, "")
    assert api.call("GET", ws, sync["id"]).json()["name"] == "Applied anyway"
    assert _state(sandbox, sync["id"]) | {"workspace_id": ws} == {
        "workspace_id": ws, "status": "active", "puts": 1, "triggers": 1,
    }  # fmt: skip
    # A blind retry of the trigger meets the run the lost answer had created.
    assert "in progress" in _error(api.call("POST", ws, sync["id"], "trigger"), 409)


def test_malformed_body(faults: Callable[[str], None], reader: Api) -> None:
    faults("malformed=1,only=signalsmith")
    response = reader.call("GET", reader.workspaces[0])
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_latency_still_answers_correctly(faults: Callable[[str], None], reader: Api) -> None:
    faults("latency=100ms,jitter=50ms,only=signalsmith")
    assert len(reader.syncs(reader.workspaces[0])) == 16


# --- seeding ----------------------------------------------------------------------------------------
def _sim(scale: int = 1) -> SignalsmithSim:
    ctx = SimContext(seed=7, scale=scale, clock=SandboxClock(FROZEN_EPOCH), changes_per_second=0)
    return SignalsmithSim(ctx)


def test_seed_is_deterministic_and_scales() -> None:
    a, b = _sim(), _sim()
    assert a.syncs == b.syncs and a.info("x") == b.info("x")
    big = _sim(scale=3)
    syncs = [s for by_id in big.syncs.values() for s in by_id.values()]
    assert len(syncs) == 3 * sum(len(v) for v in a.syncs.values())
    assert len({(s["workspace_id"], s["name"]) for s in syncs}) == len(syncs)
