"""Paragon Managed Sync simulator contract, over real HTTP with plain httpx.

The shapes asserted here are Paragon's documented ones (docs.useparagon.com
`managed-sync/api/*.md` and `managed-sync/openapi.json`, as summarised in
`shared/vendor-schemas/README.md`); each test names the page it follows. Where the vendor
documents nothing (error bodies, 409s, how soon an accepted PATCH lands) the simulator makes a
choice of its own, and the test says so.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from synctui.sandbox.core import FROZEN_EPOCH, SandboxClock, SandboxConfig, SimContext
from synctui.sandbox.paragon import ParagonSim
from synctui.sandbox.server import Sandbox
from tests.conftest import admin_state, advance_clock, set_faults

ROW_FIELDS = {
    "id", "integration", "pipeline", "status", "configurationName", "dateCreated", "dateUpdated",
}  # fmt: skip
# Get Sync Status (`GET /api/syncs/{syncId}`) answers only these: no id, no frequency.
STATUS_FIELDS = {"status", "credentialId", "summary", "reason"}
SUMMARY_FIELDS = {"totalRecords", "syncedRecordsCount", "lastSyncedAt", "latestCursor"}
STATUSES = {"INITIALIZING", "ACTIVE", "IDLE", "DISABLED", "ERRORED"}
FREQUENCIES = ["1m", "5m", "10m", "30m", "1h", "3h", "6h", "24h"]
ACCEPTED = "Update request accepted and is being processed"
NEW_CREDENTIAL = "3f0c6a52-1d2b-4c8e-9a77-5b1e2d3c4f60"
PIPELINE_KEYS = {
    "contacts": {"firstName", "lastName", "email", "company"},
    "files": {"name", "mimeType", "size", "path"},
    "tickets": {"subject", "status", "priority", "requester"},
    "deals": {"name", "amount", "stage", "owner"},
}


@dataclass
class Api:
    base: str
    rw: str
    ro: str
    project: str
    http: httpx.Client

    def call(self, method: str, *parts: str, token: str | None = None, **kw: Any) -> httpx.Response:
        url = "/".join([f"{self.base}/api/syncs", *parts])
        headers = {"Authorization": f"Bearer {token or self.rw}"}
        return self.http.request(method, url, headers=headers, **kw)

    def rows(self) -> list[dict[str, Any]]:
        response = self.call("GET")
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def get(self, sync_id: str) -> dict[str, Any]:
        response = self.call("GET", sync_id)
        assert response.status_code == 200, response.text
        return response.json()

    def row(self, sync_id: str) -> dict[str, Any]:
        return next(r for r in self.rows() if r["id"] == sync_id)

    def find(self, status: str, pipeline: str | None = None) -> str:
        """The id of a seeded sync in `status` (list order, so deterministic)."""
        for row in self.rows():
            if row["status"] == status and pipeline in (None, row["pipeline"]):
                return row["id"]
        raise AssertionError(f"no seeded sync with status {status}")

    def patch(self, sync_id: str, body: Any, **kw: Any) -> httpx.Response:
        return self.call("PATCH", sync_id, json=body, **kw)


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    """One pooled client: a new httpx client per request costs more than the request."""
    with httpx.Client(timeout=10) as client:
        yield client


def _connect(sb: Sandbox, http: httpx.Client) -> Api:
    info = http.get(f"{sb.base_url}/_admin/info").json()["paragon"]
    tokens = info["tokens"]
    return Api(info["base_url"], tokens["rw"], tokens["ro"], info["ids"]["project"], http)


@pytest.fixture
def api(sandbox: Sandbox, http: httpx.Client) -> Api:
    """A fresh sandbox: for tests that change state."""
    return _connect(sandbox, http)


@pytest.fixture(scope="module")
def shared() -> Iterator[Sandbox]:
    """One sandbox for the tests that only read or are refused (a fresh one costs ~0.5 s)."""
    with Sandbox(SandboxConfig(port=0, seed=7, frozen=True, changes_per_second=0)) as sb:
        yield sb


@pytest.fixture
def reader(shared: Sandbox, http: httpx.Client) -> Api:
    return _connect(shared, http)


@pytest.fixture
def faults(shared: Sandbox) -> Iterator[Callable[[str], None]]:
    """Switch faults on the shared sandbox, and always off again afterwards."""
    yield lambda spec: set_faults(shared, spec)
    set_faults(shared, "")


def _error(response: httpx.Response, status: int, code: str | None = None) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"message", "code", "status"} and body["status"] == status
    assert isinstance(body["message"], str) and body["message"]
    if code:
        assert body["code"] == code
    return body["message"]


def _b64json(part: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _state(sb: Sandbox, sync_id: str) -> dict[str, Any]:
    return admin_state(sb, "paragon")["syncs"][sync_id]


# --- reading ------------------------------------------------------------------------------------
def test_list_covers_every_status_integration_and_pipeline(reader: Api) -> None:
    rows = reader.rows()
    assert len(rows) >= 15
    assert all(set(r) == ROW_FIELDS for r in rows)
    assert {r["status"] for r in rows} == STATUSES
    assert {r["pipeline"] for r in rows} == set(PIPELINE_KEYS)
    integrations = {
        "salesforce",
        "hubspot",
        "googledrive",
        "sharepoint",
        "notion",
        "jira",
        "zendesk",
    }
    assert {r["integration"] for r in rows} == integrations
    assert all(
        r["dateCreated"].endswith("Z") and r["dateCreated"] <= r["dateUpdated"] for r in rows
    )
    assert len({r["configurationName"] for r in rows}) == len(rows)


def test_list_rows_are_the_documented_row(reader: Api) -> None:
    """List Syncs (`managed-sync/api/list-syncs.md`): `{data: [{id, integration, pipeline,
    status, configurationName, dateCreated, dateUpdated}]}`, nothing else."""
    response = reader.call("GET")
    assert set(response.json()) == {"data"}
    assert all(set(row) == ROW_FIELDS for row in response.json()["data"])


def test_list_filters_by_credential(reader: Api) -> None:
    """List Syncs takes an optional `credentialId` query parameter (`list-syncs.md`)."""
    rows = reader.rows()
    credential = reader.get(rows[0]["id"])["credentialId"]
    mine = reader.call("GET", params={"credentialId": credential}).json()["data"]
    assert rows[0] in mine and all(set(r) == ROW_FIELDS for r in mine)
    assert {r["id"] for r in mine} == {
        r["id"] for r in rows if reader.get(r["id"])["credentialId"] == credential
    }
    nobody = reader.call("GET", params={"credentialId": NEW_CREDENTIAL}).json()
    assert nobody == {"data": []}


def test_get_one_is_the_documented_status_answer(reader: Api) -> None:
    """Get Sync Status (`managed-sync/api/get-sync-status.md`, `openapi.json`): only
    `{status, credentialId, summary: {totalRecords, syncedRecordsCount, lastSyncedAt,
    latestCursor}, reason}` — no id, no integration, no incrementalAccumulatorFrequency;
    `reason` explains ERRORED. (That `reason` is null, not absent, otherwise is the
    simulator's choice: the page does not say.)"""
    for row in reader.rows():
        detail = reader.get(row["id"])
        errored = row["status"] == "ERRORED"
        assert set(detail) == STATUS_FIELDS
        assert detail["status"] == row["status"]
        assert uuid.UUID(detail["credentialId"]).version == 4
        summary = detail["summary"]
        assert set(summary) == SUMMARY_FIELDS
        assert 0 <= summary["syncedRecordsCount"] <= summary["totalRecords"]
        if row["status"] == "INITIALIZING":
            assert summary["syncedRecordsCount"] < summary["totalRecords"]
        if row["status"] in {"ACTIVE", "IDLE"}:
            assert summary["syncedRecordsCount"] == summary["totalRecords"]
            assert summary["lastSyncedAt"] <= "2026-11-20T09:30:00.000Z"
        if errored:
            assert isinstance(detail["reason"], str) and detail["reason"]
        else:
            assert detail["reason"] is None


def test_tokens_look_like_jwts_naming_the_project(reader: Api) -> None:
    for token in (reader.rw, reader.ro):
        header, payload, signature = token.split(".")
        assert _b64json(header) == {"alg": "RS256", "typ": "JWT"}
        assert _b64json(payload)["aud"] == f"useparagon.com/{reader.project}"
        assert len(signature) > 40
    assert reader.rw != reader.ro


def test_missing_or_unknown_token_is_401(reader: Api) -> None:
    _error(reader.http.get(f"{reader.base}/api/syncs"), 401, "UNAUTHORIZED")
    bogus = reader.call("GET", token=reader.rw[:-4] + "AAAA")
    assert reader.rw[:20] not in _error(bogus, 401, "UNAUTHORIZED")
    basic = reader.http.get(f"{reader.base}/api/syncs", headers={"Authorization": reader.rw})
    _error(basic, 401, "UNAUTHORIZED")


def test_read_only_token_reads_but_cannot_write(shared: Sandbox, reader: Api) -> None:
    sid = reader.find("DISABLED")
    sync = reader.get(sid)
    assert reader.call("GET", sid, token=reader.ro).json() == sync
    assert reader.call("GET", sid, "records", token=reader.ro).status_code == 200
    body = {"incrementalAccumulatorFrequency": "5m"}
    _error(reader.patch(sid, body, token=reader.ro), 403, "FORBIDDEN")
    _error(reader.call("POST", sid, "reenable", token=reader.ro), 403, "FORBIDDEN")
    _error(reader.call("POST", sid, "disable", token=reader.ro), 403, "FORBIDDEN")
    _error(reader.call("DELETE", sid, token=reader.ro), 403, "FORBIDDEN")
    assert reader.get(sid) == sync
    assert _state(shared, sid)["pending"] == [] and _state(shared, sid)["patches"] == 0


def test_unknown_sync_is_404_everywhere(reader: Api) -> None:
    ghost = "00000000-0000-4000-8000-000000000000"
    _error(reader.call("GET", ghost), 404, "NOT_FOUND")
    _error(reader.patch(ghost, {"incrementalAccumulatorFrequency": "5m"}), 404, "NOT_FOUND")
    _error(reader.call("DELETE", ghost), 404, "NOT_FOUND")
    _error(reader.call("POST", ghost, "disable"), 404, "NOT_FOUND")
    _error(reader.call("POST", ghost, "reenable"), 404, "NOT_FOUND")
    _error(reader.call("GET", ghost, "records"), 404, "NOT_FOUND")


def test_unknown_path_and_method_keep_the_error_shape(reader: Api) -> None:
    _error(reader.http.get(f"{reader.base}/api/integrations"), 404, "NOT_FOUND")
    sid = reader.rows()[0]["id"]
    _error(reader.call("PUT", sid, json={}), 405, "METHOD_NOT_ALLOWED")
    _error(reader.call("GET", sid, "disable"), 405, "METHOD_NOT_ALLOWED")


# --- PATCH validation ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, "at least one"),
        ({"status": "ACTIVE"}, "Unknown field"),
        ({"incrementalAccumulatorFrequency": "5m", "pipeline": "deals"}, "pipeline"),
        ({"credentialId": "cred-123"}, "UUID"),
        ({"credentialId": None}, "UUID"),
        ({"incrementalAccumulatorFrequency": "2m"}, "1m, 5m, 10m, 30m, 1h, 3h, 6h, 24h"),
        ({"incrementalAccumulatorFrequency": 60}, "incrementalAccumulatorFrequency"),
        (["credentialId"], "JSON object"),
    ],
)
def test_patch_validation(shared: Sandbox, reader: Api, body: Any, fragment: str) -> None:
    sid = reader.find("ACTIVE")
    assert fragment in _error(reader.patch(sid, body), 400, "VALIDATION_ERROR")
    assert _state(shared, sid)["pending"] == []


def test_patch_rejects_a_broken_body(reader: Api) -> None:
    sid = reader.rows()[0]["id"]
    broken = reader.call("PATCH", sid, content=b'{"credentialId": ')
    _error(broken, 400, "VALIDATION_ERROR")


# --- PATCH is applied a moment later ---------------------------------------------------------------
# Update a Sync (`vendor-docs/paragon-update-sync.txt`): the answer is `{id, data, message}`,
# "accepted and is being processed"; how long the processing takes is not documented (the
# simulator waits `apply_delay_s`). The frequency is not readable through the API at all, so
# these tests read it from the simulator's admin state.
def test_frequency_change_applies_a_moment_later_without_resync(sandbox: Sandbox, api: Api) -> None:
    sid = api.find("ACTIVE")
    sync, row = api.get(sid), api.row(sid)
    old = _state(sandbox, sid)["incrementalAccumulatorFrequency"]
    new = "24h" if old != "24h" else "1h"
    response = api.patch(sid, {"incrementalAccumulatorFrequency": new})
    assert response.status_code == 200
    assert response.json() == {
        "id": sid, "data": {"incrementalAccumulatorFrequency": new}, "message": ACCEPTED,
    }  # fmt: skip
    assert api.get(sid) == sync and api.row(sid) == row  # accepted, not applied yet
    state = _state(sandbox, sid)
    assert state["patches"] == 0 and len(state["pending"]) == 1
    assert state["pending"][0]["changes"] == {"incrementalAccumulatorFrequency": new}
    advance_clock(sandbox, 1)
    assert _state(sandbox, sid)["incrementalAccumulatorFrequency"] == old
    advance_clock(sandbox, 1)
    applied = api.get(sid)
    assert set(applied) == STATUS_FIELDS  # the new frequency is not shown either
    assert api.row(sid)["dateUpdated"] == "2026-11-20T09:30:01.500Z"
    assert applied["status"] == "ACTIVE" and applied["credentialId"] == sync["credentialId"]
    assert applied["summary"]["syncedRecordsCount"] == sync["summary"]["syncedRecordsCount"]
    state = _state(sandbox, sid)
    assert state["patches"] == 1 and state["pending"] == []
    assert state["incrementalAccumulatorFrequency"] == new


def test_credential_change_starts_a_full_resync(sandbox: Sandbox, api: Api) -> None:
    """`paragon-update-sync.txt`: a new credentialId "will start a periodic full sync"."""
    sid = api.find("ACTIVE")
    sync = api.get(sid)
    total = sync["summary"]["totalRecords"]
    response = api.patch(sid, {"credentialId": NEW_CREDENTIAL})
    assert response.json()["data"] == {"credentialId": NEW_CREDENTIAL}
    assert api.get(sid)["credentialId"] == sync["credentialId"]
    advance_clock(sandbox, 2)
    started = api.get(sid)
    assert started["credentialId"] == NEW_CREDENTIAL and started["status"] == "INITIALIZING"
    assert started["summary"]["totalRecords"] == total
    assert started["summary"]["syncedRecordsCount"] < total
    assert api.row(sid)["status"] == "INITIALIZING"
    advance_clock(sandbox, 40)
    growing = api.get(sid)
    assert growing["status"] == "INITIALIZING"
    assert growing["summary"]["syncedRecordsCount"] > started["summary"]["syncedRecordsCount"]
    advance_clock(sandbox, 600)
    done = api.get(sid)
    assert done["status"] == "ACTIVE" and done["summary"]["syncedRecordsCount"] == total
    assert done["summary"]["lastSyncedAt"] > growing["summary"]["lastSyncedAt"]
    assert _state(sandbox, sid)["credentialId"] == NEW_CREDENTIAL


def test_same_credential_does_not_resync(sandbox: Sandbox, api: Api) -> None:
    sid = api.find("ACTIVE")
    sync = api.get(sid)
    api.patch(sid, {"credentialId": sync["credentialId"]})
    advance_clock(sandbox, 2)
    after = api.get(sid)
    assert after["status"] == "ACTIVE" and after["summary"] == sync["summary"]
    assert _state(sandbox, sid)["patches"] == 1


def test_patches_apply_in_order(sandbox: Sandbox, api: Api) -> None:
    sid = api.find("IDLE")
    current = _state(sandbox, sid)["incrementalAccumulatorFrequency"]
    first, second = [f for f in FREQUENCIES if f != current][:2]
    api.patch(sid, {"incrementalAccumulatorFrequency": first})
    advance_clock(sandbox, 1)
    api.patch(sid, {"incrementalAccumulatorFrequency": second, "credentialId": NEW_CREDENTIAL})
    assert len(_state(sandbox, sid)["pending"]) == 2
    advance_clock(sandbox, 1)
    assert _state(sandbox, sid)["incrementalAccumulatorFrequency"] == first
    assert api.get(sid)["status"] == "IDLE"
    advance_clock(sandbox, 1)
    assert _state(sandbox, sid)["incrementalAccumulatorFrequency"] == second
    assert api.get(sid)["status"] == "INITIALIZING"
    assert _state(sandbox, sid)["patches"] == 2


def test_credential_change_recovers_an_errored_sync(sandbox: Sandbox, api: Api) -> None:
    sid = api.find("ERRORED")
    api.patch(sid, {"credentialId": NEW_CREDENTIAL})
    advance_clock(sandbox, 2)
    recovered = api.get(sid)
    assert recovered["status"] == "INITIALIZING" and recovered["reason"] is None


# --- disable / reenable ----------------------------------------------------------------------------
# Disable a Sync / Re-enable a Sync (`managed-sync/api/disable-sync.md`, `reenable-sync.md`):
# a bare 200. The 409s for a sync already in that state are the simulator's own choice.
def _bare_200(response: httpx.Response) -> None:
    assert response.status_code == 200 and response.content == b"", response.text


def test_disable_and_reenable(sandbox: Sandbox, api: Api) -> None:
    sid = api.find("ACTIVE")
    sync = api.get(sid)
    advance_clock(sandbox, 10)
    _bare_200(api.call("POST", sid, "disable"))
    assert api.get(sid)["status"] == "DISABLED" and api.row(sid)["status"] == "DISABLED"
    assert api.row(sid)["dateUpdated"] == "2026-11-20T09:30:10.000Z"
    assert "already disabled" in _error(
        api.call("POST", sid, "disable"), 409, "SYNC_ALREADY_DISABLED"
    )
    _bare_200(api.call("POST", sid, "reenable"))
    reenabled = api.get(sid)
    assert reenabled["status"] == "ACTIVE"
    assert reenabled["summary"]["syncedRecordsCount"] == sync["summary"]["totalRecords"]
    assert "not disabled" in _error(api.call("POST", sid, "reenable"), 409, "SYNC_NOT_DISABLED")
    assert _state(sandbox, sid)["status"] == "ACTIVE"


def test_reenable_resumes_a_full_sync_where_it_left_off(sandbox: Sandbox, api: Api) -> None:
    sid = api.find("INITIALIZING")
    _bare_200(api.call("POST", sid, "disable"))
    stopped = api.get(sid)
    count = stopped["summary"]["syncedRecordsCount"]
    assert 0 < count < stopped["summary"]["totalRecords"]
    advance_clock(sandbox, 3600)
    idle = api.get(sid)
    assert idle["status"] == "DISABLED" and idle["summary"]["syncedRecordsCount"] == count
    _bare_200(api.call("POST", sid, "reenable"))
    resumed = api.get(sid)
    assert resumed["status"] == "INITIALIZING"
    assert resumed["summary"]["syncedRecordsCount"] == count
    advance_clock(sandbox, 5)
    assert api.get(sid)["summary"]["syncedRecordsCount"] > count


def test_credential_change_while_disabled_waits_for_reenable(sandbox: Sandbox, api: Api) -> None:
    sid = api.find("DISABLED")
    api.patch(sid, {"credentialId": NEW_CREDENTIAL})
    advance_clock(sandbox, 2)
    still = api.get(sid)
    assert still["status"] == "DISABLED" and still["credentialId"] == NEW_CREDENTIAL
    assert still["summary"]["syncedRecordsCount"] == 0
    _bare_200(api.call("POST", sid, "reenable"))
    assert api.get(sid)["status"] == "INITIALIZING"


def test_errored_sync_can_be_disabled_and_reenabled(api: Api) -> None:
    sid = api.find("ERRORED")
    _bare_200(api.call("POST", sid, "disable"))
    assert api.get(sid)["status"] == "DISABLED"
    _bare_200(api.call("POST", sid, "reenable"))
    back = api.get(sid)
    assert back["status"] in {"ACTIVE", "INITIALIZING"} and back["reason"] is None


# --- delete ---------------------------------------------------------------------------------------
def test_delete(sandbox: Sandbox, api: Api) -> None:
    sid = api.find("IDLE")
    api.patch(sid, {"incrementalAccumulatorFrequency": "5m"})
    response = api.call("DELETE", sid)
    assert response.status_code == 204 and response.content == b""
    _error(api.call("GET", sid), 404, "NOT_FOUND")
    _error(api.call("GET", sid, "records"), 404, "NOT_FOUND")
    _error(api.call("DELETE", sid), 404, "NOT_FOUND")
    assert sid not in {r["id"] for r in api.rows()}
    advance_clock(sandbox, 5)
    state = admin_state(sandbox, "paragon")
    assert sid in state["deleted"] and sid not in state["syncs"]


# --- records --------------------------------------------------------------------------------------
def test_records_walk_with_cursor(reader: Api) -> None:
    counts = {
        r["id"]: reader.get(r["id"])["summary"]["syncedRecordsCount"]
        for r in reader.rows()
        if r["status"] == "IDLE"
    }
    sid = min(counts, key=counts.__getitem__)
    synced = counts[sid]
    records, cursor, pages = [], None, 0
    while True:
        params = {"pageSize": 100, **({"cursor": cursor} if cursor else {})}
        body = reader.call("GET", sid, "records", params=params).json()
        pages += 1
        records += body["data"]
        paging = body["paging"]
        assert paging["totalRecords"] == synced
        assert paging["remainingRecords"] == synced - len(records)
        cursor = paging["cursor"]
        if cursor is None:
            break
    assert len(records) == synced and pages == -(-synced // 100)
    assert len({r["id"] for r in records}) == synced
    again = reader.call("GET", sid, "records", params={"pageSize": 100}).json()["data"]
    assert again == records[:100]
    assert len(reader.call("GET", sid, "records").json()["data"]) == min(100, synced)


@pytest.mark.parametrize("pipeline", sorted(PIPELINE_KEYS))
def test_records_look_like_their_pipeline(reader: Api, pipeline: str) -> None:
    sync = next(r for r in reader.rows() if r["pipeline"] == pipeline and r["status"] == "ACTIVE")
    records = reader.call("GET", sync["id"], "records", params={"pageSize": 5}).json()["data"]
    assert len(records) == 5
    for record in records:
        assert PIPELINE_KEYS[pipeline] <= set(record)
        assert {"id", "externalId", "createdAt", "updatedAt"} <= set(record)
        assert record["createdAt"] <= record["updatedAt"]


def test_records_reject_bad_page_size_and_cursor(reader: Api) -> None:
    a, b = (r["id"] for r in reader.rows()[:2])
    for size in ("0", "1001", "ten", "-5"):
        _error(reader.call("GET", a, "records", params={"pageSize": size}), 400, "VALIDATION_ERROR")
    _error(reader.call("GET", a, "records", params={"cursor": "not-a-cursor"}), 400)
    foreign = reader.call("GET", b, "records", params={"pageSize": 1}).json()["paging"]["cursor"]
    message = _error(reader.call("GET", a, "records", params={"cursor": foreign}), 400)
    assert "cursor" in message.lower()


def test_records_grow_during_a_full_sync(sandbox: Sandbox, api: Api) -> None:
    sid = api.find("INITIALIZING")
    sync = api.get(sid)
    paging = api.call("GET", sid, "records", params={"pageSize": 1}).json()["paging"]
    assert paging["totalRecords"] == sync["summary"]["syncedRecordsCount"]
    assert paging["totalRecords"] < sync["summary"]["totalRecords"]
    advance_clock(sandbox, 30)
    later = api.call("GET", sid, "records", params={"pageSize": 1}).json()["paging"]
    assert later["totalRecords"] > paging["totalRecords"]


# --- injected faults ------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [500, 502, 503])
def test_injected_server_errors_use_the_vendor_shape(
    faults: Callable[[str], None], reader: Api, status: int
) -> None:
    faults(f"{status}=1,only=paragon")
    _error(reader.call("GET"), status)


def test_injected_429_carries_retry_after(faults: Callable[[str], None], reader: Api) -> None:
    faults("429=1,retry-after=3,only=paragon")
    response = reader.call("GET")
    _error(response, 429, "RATE_LIMITED")
    assert response.headers["Retry-After"] == "3"
    faults("429=1,retry-after=0.25,only=paragon")
    assert reader.call("GET").headers["Retry-After"] == "0.25"  # fast retries in tests


def test_drop_before_changes_nothing(
    faults: Callable[[str], None], shared: Sandbox, reader: Api
) -> None:
    sid = reader.find("ACTIVE")
    faults("drop-before=1,only=paragon")
    # The request body is never read, so the close may reach the client as a reset.
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        reader.patch(sid, {"incrementalAccumulatorFrequency": "6h"})
    faults("")
    assert _state(shared, sid)["pending"] == []


def test_drop_after_accepts_the_patch(sandbox: Sandbox, api: Api) -> None:
    sid = api.find("ACTIVE")
    set_faults(sandbox, "drop-after=1,only=paragon")
    with pytest.raises(httpx.RemoteProtocolError):
        api.patch(sid, {"credentialId": NEW_CREDENTIAL})
    set_faults(sandbox, "")
    assert len(_state(sandbox, sid)["pending"]) == 1
    advance_clock(sandbox, 2)
    assert api.get(sid)["credentialId"] == NEW_CREDENTIAL


def test_malformed_body(faults: Callable[[str], None], reader: Api) -> None:
    faults("malformed=1,only=paragon")
    response = reader.call("GET")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_latency_still_answers_correctly(faults: Callable[[str], None], reader: Api) -> None:
    faults("latency=100ms,jitter=50ms,only=paragon")
    assert len(reader.rows()) == 16


# --- seeding ----------------------------------------------------------------------------------------
def _sim(scale: int = 1) -> ParagonSim:
    ctx = SimContext(seed=7, scale=scale, clock=SandboxClock(FROZEN_EPOCH), changes_per_second=0)
    return ParagonSim(ctx)


def test_seed_is_deterministic_and_scales() -> None:
    a, b = _sim(), _sim()
    assert a.syncs == b.syncs and a.info("x") == b.info("x")
    big = _sim(scale=3)
    assert len(big.syncs) == 3 * len(a.syncs)
    names = [s["configurationName"] for s in big.syncs.values()]
    assert len(set(names)) == len(names)
