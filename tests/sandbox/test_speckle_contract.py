"""Contract tests for the Speckle simulator, over real HTTP with plain httpx.

They pin what an adapter written from the vendor's artefacts may rely on, each test naming
its source: the vendor's generated client schema (specklesystems/speckle-connectors-dui,
kept as shared/vendor-schemas/speckle-syncs.graphql and in the package as
vendors/schemas/speckle-syncs.graphql), the "update an existing sync" guide
(docs.speckle.systems, shared/vendor-docs/speckle-update-sync.txt) and specklepy's resources.
Pagination, error codes, clock-driven execution progress and the fault kinds are the
sandbox's own behaviour where no source says more.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_client_schema,
    build_schema,
    get_introspection_query,
)

from synctui.sandbox.core import FROZEN_EPOCH, SandboxClock, SandboxConfig, SimContext
from synctui.sandbox.server import Sandbox
from synctui.sandbox.speckle import SpeckleSim
from tests.conftest import admin_state, advance_clock, set_faults

# The exact operations from the vendor's "update a sync" guide.
PROJECT_SYNCS = """
query ProjectSyncs($projectId: String!, $limit: Int, $cursor: String) {
  project(id: $projectId) {
    syncs(limit: $limit, cursor: $cursor) {
      items {
        id
        fileName
        integration {
          slug
        }
        active
        context
      }
      cursor
      totalCount
    }
  }
}
"""
PROJECT_SYNCS_CURL = (
    "query ProjectSyncs($projectId: String!, $limit: Int, $cursor: String) "
    "{ project(id: $projectId) { syncs(limit: $limit, cursor: $cursor) "
    "{ items { id fileName active context } cursor totalCount } } }"
)
UPDATE_SYNC = """
mutation UpdateSync($input: UpdateSyncInput!) {
  syncMutations {
    update(input: $input) {
      id
      active
      context
      updatedAt
    }
  }
}
"""

FULL_SYNC = """
  id active context fileName fileId fileExtension fileFolderPath fileParentFolderId
  integration { slug name description logo } createdAt updatedAt author { id name avatar }
  model { id name } project { id name } latestItemContext
  latestItem { ...Item }
"""
# statusData is a union (vendor schema): its members are read with inline fragments.
ITEM = """
fragment Item on SyncItem {
  id syncId context createdAt updatedAt modelIngestionId blobId
  modelIngestion {
    id modelId projectId userId cancellationRequested createdAt updatedAt
    statusData { ...Status }
  }
}
fragment Status on ModelIngestionStatusData {
  __typename
  ... on HasModelIngestionStatus { status }
  ... on HasProgressMessage { progressMessage }
  ... on ModelIngestionProcessingStatus { progress }
  ... on ModelIngestionFailedStatus { errorReason errorStacktrace }
  ... on ModelIngestionCancelledStatus { cancellationMessage }
  ... on ModelIngestionInvalidStatus { validationMessage validationOptions }
  ... on ModelIngestionSuccessStatus { versionId }
}
"""
ALL_SYNCS = (
    """
query All($projectId: String!, $cursor: String, $integration: String) {
  project(id: $projectId) {
    syncs(limit: 100, cursor: $cursor, integration: $integration) {
      items { SYNC_FIELDS } cursor totalCount
    }
  }
}
""".replace("SYNC_FIELDS", FULL_SYNC)
    + ITEM
)
ONE_SYNC = (
    """
query One($projectId: String!, $id: String!, $cursor: String, $limit: Int) {
  project(id: $projectId) {
    sync(id: $id) {
      SYNC_FIELDS
      history(cursor: $cursor, limit: $limit) { items { ...Item } cursor totalCount }
    }
  }
}
""".replace("SYNC_FIELDS", FULL_SYNC)
    + ITEM
)
LEGACY = """
query Legacy($projectId: String!, $limit: Int, $cursor: String) {
  project(id: $projectId) {
    accSyncItems(limit: $limit, cursor: $cursor) {
      items {
        id project { id name } accFileName accFileExtension accFileViewName accRegion accHubId
        accProjectId accFileLineageUrn accFileVersionIndex accFileVersionUrn accFolderPath
        accRootProjectFolderUrn accWebhookId model { id name } author { id name }
        status createdAt updatedAt
      }
      cursor totalCount
    }
  }
}
"""
SET_ACTIVE = """
mutation SetActive($input: SetSyncActiveInput!) {
  syncMutations { setActive(input: $input) { id active updatedAt } }
}
"""
MIGRATE = """
mutation Migrate($input: MigrateLegacySyncInput!) {
  syncMutations {
    migrateLegacy(input: $input) {
      id active context fileName fileExtension updatedAt integration { slug }
      latestItem { modelIngestion { statusData { ... on HasModelIngestionStatus { status } } } }
    }
  }
}
"""
CREATE = (
    """
mutation Create($input: CreateSyncInput!) {
  syncMutations { create(input: $input) { SYNC_FIELDS } }
}
""".replace("SYNC_FIELDS", FULL_SYNC)
    + ITEM
)
DELETE = """
mutation Delete($input: DeleteSyncInput!) { syncMutations { delete(input: $input) } }
"""
TRIGGER = (
    """
mutation Trigger($input: UpdateSyncInput!) {
  syncMutations {
    update(input: $input) {
      id updatedAt latestItem { ...Item }
      history(limit: 100) { totalCount }
    }
  }
}
"""
    + ITEM
)

STATUSES = {"queued", "processing", "success", "failed", "cancelled", "timeout", "invalidInput"}
FINAL = {"success", "failed", "cancelled", "timeout", "invalidInput"}
LEGACY_STATUSES = {"pending", "syncing", "failed", "succeeded", "paused"}
REFERENCE_POINTS = {"internalOrigin", "projectBasePoint", "surveyPoint"}
NOW = "2026-11-20T09:30:00.000Z"


# --- helpers --------------------------------------------------------------------------------
# One client for the whole file: building an httpx client (its TLS context) costs more than
# a request to the sandbox.
_HTTP = httpx.Client(timeout=10)


def _info(sb: Sandbox) -> dict[str, Any]:
    """Tokens and ids as the start-up banner prints them."""
    return sb.info()["speckle"]


def post(
    sb: Sandbox, query: str, variables: dict[str, Any] | None = None, token: str | None = "rw"
) -> httpx.Response:
    info = _info(sb)
    headers = {}
    if token in ("rw", "ro"):
        headers["Authorization"] = f"Bearer {info['tokens'][token]}"
    elif token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return _HTTP.post(
        f"{info['base_url']}/graphql",
        json={"query": query, "variables": variables or {}},
        headers=headers,
    )


def data(sb: Sandbox, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
    response = post(sb, query, variables, **kw)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def error(sb: Sandbox, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> dict:
    """The single business error of a request, checked for Speckle's shape."""
    response = post(sb, query, variables, **kw)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] is None, body
    [err] = body["errors"]
    assert err["path"] and isinstance(err["message"], str)
    assert set(err["extensions"]) >= {"code", "statusCode"}
    return err


def projects(sb: Sandbox) -> list[str]:
    return _info(sb)["ids"]["projects"]


def all_syncs(sb: Sandbox, project_id: str, integration: str | None = None) -> list[dict]:
    items: list[dict] = []
    cursor = None
    while True:
        page = data(
            sb, ALL_SYNCS, {"projectId": project_id, "cursor": cursor, "integration": integration}
        )["project"]["syncs"]
        items += page["items"]
        cursor = page["cursor"]
        if cursor is None:
            return items


def every_sync(sb: Sandbox) -> list[tuple[str, dict]]:
    return [(pid, s) for pid in projects(sb) for s in all_syncs(sb, pid)]


def status(item: dict) -> str:
    return item["modelIngestion"]["statusData"]["status"]


def pick(sb: Sandbox, active: bool) -> tuple[str, dict]:
    return next((pid, s) for pid, s in every_sync(sb) if s["active"] is active)


def one(sb: Sandbox, pid: str, sid: str, **variables: Any) -> dict:
    return data(sb, ONE_SYNC, {"projectId": pid, "id": sid, **variables})["project"]["sync"]


def legacy_items(sb: Sandbox) -> list[tuple[str, dict]]:
    return [
        (pid, item)
        for pid in projects(sb)
        for item in data(sb, LEGACY, {"projectId": pid})["project"]["accSyncItems"]["items"]
    ]


# --- discovery and reading ------------------------------------------------------------------
@pytest.fixture(scope="module")
def reader() -> Iterator[Sandbox]:
    """One sandbox shared by the tests that only read (or only fail to write): starting one
    per test costs more than the tests. Scale 3 puts more than 100 syncs in a project, so the
    page-size cap shows."""
    config = SandboxConfig(port=0, seed=7, frozen=True, scale=3, changes_per_second=0)
    with Sandbox(config) as sb:
        yield sb


def test_info_gives_pat_like_tokens_and_project_ids(reader: Sandbox) -> None:
    """Source: specklepy's active_user and server resources (activeUser with its projects,
    serverInfo readable without a token); the tokens and ids are the sandbox's own banner."""
    info = _HTTP.get(f"{reader.base_url}/_admin/info").json()["speckle"]
    assert info == _info(reader)
    assert info["base_url"].endswith("/speckle")
    for token in info["tokens"].values():
        assert len(token) == 42 and all(c in "0123456789abcdef" for c in token)
    assert info["tokens"]["rw"] != info["tokens"]["ro"]
    ids = info["ids"]["projects"]
    assert len(ids) >= 3 and all(len(i) == 10 for i in ids)
    names = {
        data(reader, "query($id: String!) { project(id: $id) { name } }", {"id": i})["project"][
            "name"
        ]
        for i in ids
    }
    assert {"Harbourside Tower", "Riverside Medical Centre", "North Depot Expansion"} <= names
    # The token's owner and their projects, as SDK helpers list them.
    me = "{ serverInfo { name } activeUser { id name projects { items { id } totalCount } } }"
    user = data(reader, me)["activeUser"]
    assert user["name"] and user["projects"]["totalCount"] == len(ids)
    assert {p["id"] for p in user["projects"]["items"]} == set(ids)
    anonymous = data(reader, me, token=None)
    assert anonymous["activeUser"] is None and anonymous["serverInfo"]["name"]


def test_documented_list_query_pages_through_every_sync(reader: Sandbox) -> None:
    """Source: the update guide, Step 1 (the ProjectSyncs query and its curl form; paging with
    cursor and limit)."""
    total = 0
    for pid in projects(reader):
        seen: list[str] = []
        cursor = None
        while True:
            page = data(reader, PROJECT_SYNCS, {"projectId": pid, "limit": 25, "cursor": cursor})[
                "project"
            ]["syncs"]
            assert len(page["items"]) <= 25
            seen += [s["id"] for s in page["items"]]
            for sync in page["items"]:
                assert sync["integration"]["slug"] in {"acc", "projectwise"}
                assert isinstance(sync["active"], bool) and isinstance(sync["context"], dict)
            cursor = page["cursor"]
            if cursor is None:
                break
            assert len(page["items"]) == 25
        assert len(seen) == len(set(seen)) == page["totalCount"]
        total += len(seen)
    assert total >= 60
    # The one-line curl form of the same query answers the same first page.
    pid = projects(reader)[0]
    curl = data(reader, PROJECT_SYNCS_CURL, {"projectId": pid, "limit": 25, "cursor": None})
    doc = data(reader, PROJECT_SYNCS, {"projectId": pid, "limit": 25, "cursor": None})
    assert [s["id"] for s in curl["project"]["syncs"]["items"]] == [
        s["id"] for s in doc["project"]["syncs"]["items"]
    ]


def test_limit_defaults_to_25_and_caps_at_100(reader: Sandbox) -> None:
    """Source: none public for the default and the cap (the sandbox's choice); BAD_REQUEST_ERROR
    as vendor-contracts.md lists it."""
    pid = projects(reader)[0]
    query = "query($p: String!, $l: Int) { project(id: $p) { syncs(limit: $l) { items { id } cursor } } }"
    default = data(reader, query, {"p": pid})["project"]["syncs"]
    assert len(default["items"]) == 25 and default["cursor"]
    assert len(data(reader, query, {"p": pid, "l": 10})["project"]["syncs"]["items"]) == 10
    capped = data(reader, query, {"p": pid, "l": 1000})["project"]["syncs"]
    assert len(capped["items"]) == 100 and capped["cursor"]
    err = error(reader, query, {"p": pid, "l": -1})
    assert err["extensions"]["code"] == "BAD_REQUEST_ERROR"
    bad_cursor = 'query($p: String!) { project(id: $p) { syncs(cursor: "bm9wZQ") { cursor } } }'
    assert error(reader, bad_cursor, {"p": pid})["extensions"]["code"] == "BAD_REQUEST_ERROR"


def test_integration_filter_splits_the_list(reader: Sandbox) -> None:
    """Source: the vendor schema, `Project.syncs(cursor, integration, limit)`."""
    pid = next(
        p
        for p in projects(reader)
        if {s["integration"]["slug"] for s in all_syncs(reader, p)} == {"acc", "projectwise"}
    )
    everything = {s["id"] for s in all_syncs(reader, pid)}
    acc = all_syncs(reader, pid, "acc")
    pw = all_syncs(reader, pid, "projectwise")
    assert {s["integration"]["slug"] for s in acc} == {"acc"}
    assert {s["integration"]["slug"] for s in pw} == {"projectwise"}
    assert {s["id"] for s in acc} | {s["id"] for s in pw} == everything
    assert all_syncs(reader, pid, "dropbox") == []


def test_seed_looks_like_a_speckle_workspace(sandbox: Sandbox) -> None:
    """What the demo shows at scale 1: real-looking files, settings and outcomes."""
    syncs = [s for _, s in every_sync(sandbox)]
    assert len(syncs) >= 60
    by_ext = {s["fileExtension"] for s in syncs}
    assert {"rvt", "nwd", "ifc", "dgn"} <= by_ext
    assert {s["fileExtension"] for s in syncs if s["integration"]["slug"] == "projectwise"} <= {
        "dgn",
        "ifc",
    }
    assert any(s["fileName"].endswith(".rvt") and s["fileName"].count("-") >= 3 for s in syncs)
    assert all(s["fileName"].endswith("." + s["fileExtension"]) for s in syncs)
    assert all(s["fileFolderPath"] and s["fileParentFolderId"] for s in syncs)
    assert any(not s["active"] for s in syncs) and sum(s["active"] for s in syncs) > len(syncs) / 2
    assert {s["context"]["referencePoint"] for s in syncs} == REFERENCE_POINTS
    views = {s["context"].get("viewName") for s in syncs}
    assert {"3D Coordination", "{3D}", "Navisworks Export", None} <= views
    extras = {k for s in syncs for k in s["context"]} - {"referencePoint", "viewName"}
    assert {"worksetFilter", "exportIfcOptions"} <= extras
    latest = [s["latestItem"] for s in syncs]
    assert all(item is not None and status(item) in STATUSES for item in latest)
    failed = [i for i in latest if status(i) == "failed"]
    assert failed and all(i["modelIngestion"]["statusData"]["errorReason"] for i in failed)
    messages = {i["modelIngestion"]["statusData"]["errorReason"] for i in failed}
    assert "Revit worksharing: central model locked" in messages
    assert sum(status(i) in {"queued", "processing"} for i in latest) >= 2  # runs in flight
    assert all(s["author"]["name"] for s in syncs)
    assert all(s["createdAt"] <= s["updatedAt"] <= NOW for s in syncs)
    counts = "query($p: String!) { project(id: $p) { syncs(limit: 100) { items { history { totalCount } } } } }"
    for pid in projects(sandbox):
        items = data(sandbox, counts, {"p": pid})["project"]["syncs"]["items"]
        assert all(3 <= s["history"]["totalCount"] <= 8 for s in items)
    legacy = legacy_items(sandbox)
    assert len(legacy) >= 4
    assert {item["status"] for _, item in legacy} <= LEGACY_STATUSES
    assert len({item["status"] for _, item in legacy}) >= 3
    assert not {item["id"] for _, item in legacy} & {s["id"] for s in syncs}


# --- the vendor's schema ---------------------------------------------------------------------
def vendor_schema() -> GraphQLSchema:
    """The vendor's generated client schema: beside the clone if it is there, else the
    package's byte-for-byte copy (a vendor test checks the two are equal)."""
    beside = (
        Path(__file__).resolve().parents[2].parent
        / "shared"
        / "vendor-schemas"
        / "speckle-syncs.graphql"
    )
    if beside.exists():
        return build_schema(beside.read_text())
    copy = resources.files("synctui.vendors").joinpath("schemas", "speckle-syncs.graphql")
    return build_schema(copy.read_text())


def served_schema(sb: Sandbox) -> GraphQLSchema:
    """What the sandbox serves, read by introspection over HTTP as any client would."""
    return build_client_schema(data(sb, get_introspection_query()))


def test_the_served_schema_holds_every_vendor_type_as_declared(reader: Sandbox) -> None:
    """Source: speckle-connectors-dui lib/common/generated/gql/graphql.ts (the subset in
    speckle-syncs.graphql). Every type, field, argument, union member, interface and enum
    value declared there is served with exactly the declared type."""
    vendor, served = vendor_schema(), served_schema(reader)
    for name, wanted in vendor.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        got = served.type_map.get(name)
        assert got is not None and type(got) is type(wanted), name
        if isinstance(wanted, GraphQLObjectType | GraphQLInterfaceType):
            assert isinstance(got, GraphQLObjectType | GraphQLInterfaceType)
            assert {i.name for i in got.interfaces} == {i.name for i in wanted.interfaces}, name
            for field_name, field in wanted.fields.items():
                mine = got.fields.get(field_name)
                assert mine is not None, f"{name}.{field_name}"
                assert str(mine.type) == str(field.type), f"{name}.{field_name}"
                assert {a: str(v.type) for a, v in mine.args.items()} == {
                    a: str(v.type) for a, v in field.args.items()
                }, f"{name}.{field_name}"
        elif isinstance(wanted, GraphQLInputObjectType):
            assert isinstance(got, GraphQLInputObjectType)
            assert {f: str(v.type) for f, v in got.fields.items()} == {
                f: str(v.type) for f, v in wanted.fields.items()
            }, name
        elif isinstance(wanted, GraphQLUnionType):
            assert isinstance(got, GraphQLUnionType)
            assert {t.name for t in got.types} == {t.name for t in wanted.types}, name
        elif isinstance(wanted, GraphQLEnumType):
            assert isinstance(got, GraphQLEnumType)
            assert set(got.values) == set(wanted.values), name


STATUS_MEMBERS = {
    # status → (member type, the fields that member must carry). timeout has no member of
    # its own in the schema; the sandbox reports it as a failure with its reason.
    "queued": ("ModelIngestionQueuedStatus", ("progressMessage",)),
    "processing": ("ModelIngestionProcessingStatus", ("progressMessage", "progress")),
    "success": ("ModelIngestionSuccessStatus", ("versionId",)),
    "failed": ("ModelIngestionFailedStatus", ("errorReason",)),
    "timeout": ("ModelIngestionFailedStatus", ("errorReason",)),
    "cancelled": ("ModelIngestionCancelledStatus", ("cancellationMessage",)),
    "invalidInput": ("ModelIngestionInvalidStatus", ("validationMessage",)),
}


def test_status_data_is_the_union_with_its_own_message_fields(reader: Sandbox) -> None:
    """Source: speckle-syncs.graphql, `union ModelIngestionStatusData` and its six members
    (HasModelIngestionStatus, HasProgressMessage); there is no errorMessage anywhere."""
    seen: set[str] = set()
    for pid in projects(reader)[:2]:
        for sync in all_syncs(reader, pid):
            items = one(reader, pid, sync["id"], limit=100)["history"]["items"]
            for item in items:
                ingestion = item["modelIngestion"]
                data = ingestion["statusData"]
                member, fields = STATUS_MEMBERS[data["status"]]
                assert data["__typename"] == member, data
                assert all(isinstance(data[f], str | float) and data[f] != "" for f in fields)
                assert ingestion["modelId"] == sync["model"]["id"]
                assert ingestion["projectId"] == pid and ingestion["id"] == item["modelIngestionId"]
                seen.add(data["status"])
    assert {"success", "failed", "cancelled", "invalidInput"} <= seen


@pytest.mark.parametrize(
    "selection",
    ["statusData { status }", "statusData { __typename errorMessage }"],
)
def test_status_data_read_as_an_object_is_refused(reader: Sandbox, selection: str) -> None:
    """Source: shared/vendor-schemas/README.md: "A plain `statusData { status }` is rejected
    by the server's validation, and so is any field that does not exist"."""
    pid = projects(reader)[0]
    query = (
        "query($p: String!) { project(id: $p) { syncs(limit: 1) { items { latestItem { "
        f"modelIngestion {{ {selection} }} }} }} }} }} }}"
    )
    response = post(reader, query, {"p": pid})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_legacy_items_carry_the_vendor_fields(reader: Sandbox) -> None:
    """Source: speckle-syncs.graphql `type AccSyncItem`: `project: Project!` (there is no
    projectId), `status: AccSyncItemStatus!` and the acc* file fields."""
    items = legacy_items(reader)
    assert items
    for pid, item in items:
        assert item["project"]["id"] == pid and item["project"]["name"]
        assert item["status"] in LEGACY_STATUSES
        assert isinstance(item["accFileVersionIndex"], int) and item["accFileVersionIndex"] >= 1
        assert item["accFileVersionUrn"].startswith("urn:adsk.wipprod:fs.file:vf.")
        assert item["accFileVersionUrn"].endswith(f"?version={item['accFileVersionIndex']}")
        assert item["accFolderPath"] and all(isinstance(p, str) for p in item["accFolderPath"])
        assert item["accRootProjectFolderUrn"].startswith("urn:adsk.wipprod:fs.folder:")
        assert item["accFileName"].endswith("." + item["accFileExtension"])
    query = "query($p: String!) { project(id: $p) { accSyncItems { items { id projectId } } } }"
    refused = post(reader, query, {"p": items[0][0]})
    assert refused.status_code == 400
    assert "projectId" in refused.json()["errors"][0]["message"]


def test_deprecated_acc_item_update_sets_its_status(sandbox: Sandbox) -> None:
    """Source: speckle-syncs.graphql `accSyncItemMutations.update(input:
    UpdateAccSyncItemInput!)`, deprecated in favour of syncMutations by the update guide."""
    pid, item = next((p, i) for p, i in legacy_items(sandbox) if i["status"] != "paused")
    mutation = (
        "mutation($input: UpdateAccSyncItemInput!) { accSyncItemMutations { "
        "update(input: $input) { id status project { id } } } }"
    )
    done = data(
        sandbox, mutation, {"input": {"id": item["id"], "projectId": pid, "status": "paused"}}
    )["accSyncItemMutations"]["update"]
    assert done == {"id": item["id"], "status": "paused", "project": {"id": pid}}
    assert dict(legacy_items(sandbox))[pid]  # still listed, as legacy
    after = next(i for _, i in legacy_items(sandbox) if i["id"] == item["id"])
    assert after["status"] == "paused"
    refused = post(
        sandbox, mutation, {"input": {"id": item["id"], "projectId": pid, "status": "gone"}}
    )
    assert refused.status_code == 400
    ro = error(
        sandbox,
        mutation,
        {"input": {"id": item["id"], "projectId": pid, "status": "pending"}},
        token="ro",
    )
    assert ro["extensions"] == {"code": "FORBIDDEN", "statusCode": 403}


def test_create_input_requires_file_extension_and_has_no_active(sandbox: Sandbox) -> None:
    """Source: speckle-syncs.graphql `input CreateSyncInput` (fileExtension: String!, no
    active field): both are refused as input that does not fit the type."""
    pid = projects(sandbox)[0]
    base = {"projectId": pid, "integration": "acc", "fileId": "urn:x", "fileName": "a.rvt"}
    for variables in (
        {"input": base},
        {"input": {**base, "fileExtension": "rvt", "active": False}},
    ):
        response = post(sandbox, CREATE, variables)
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert not admin_state(sandbox, "speckle")["created"]


def test_seed_is_deterministic_and_scales() -> None:
    """Source: the sandbox's own seeding (deterministic per --seed; --scale multiplies the syncs)."""

    def build(seed: int, scale: int = 1) -> SpeckleSim:
        clock = SandboxClock(FROZEN_EPOCH)
        return SpeckleSim(SimContext(seed=seed, scale=scale, clock=clock, changes_per_second=0))

    a, b = build(7), build(7)
    assert a.admin_state() == b.admin_state()
    sid = next(iter(a.syncs))
    assert a.history(a.syncs[sid]) == b.history(b.syncs[sid])
    assert build(8).admin_state() != a.admin_state()
    assert len(build(7, scale=3).syncs) == 3 * len(a.syncs)


def test_sync_by_id_with_history_newest_first(reader: Sandbox) -> None:
    """Source: the vendor schema, `Project.sync(id)` and `Sync.history(cursor, limit)` (newest
    first, as vendor-contracts.md reads it)."""
    pid, listed = next((p, s) for p, s in every_sync(reader))
    sync = one(reader, pid, listed["id"], limit=2)
    assert {k: sync[k] for k in listed} == listed
    assert sync["integration"]["name"] in {"Autodesk Construction Cloud", "Bentley ProjectWise"}
    history = sync["history"]
    items, cursor = list(history["items"]), history["cursor"]
    while cursor:
        page = one(reader, pid, listed["id"], limit=2, cursor=cursor)["history"]
        items += page["items"]
        cursor = page["cursor"]
    assert len(items) == history["totalCount"] == len({i["id"] for i in items})
    stamps = [i["createdAt"] for i in items]
    assert stamps == sorted(stamps, reverse=True)
    assert items[0] == sync["latestItem"]
    assert all(i["syncId"] == listed["id"] and i["modelIngestionId"] for i in items)
    assert all(i["modelIngestion"]["id"] == i["modelIngestionId"] for i in items)
    assert all(status(i) in FINAL for i in items[1:])


# --- update ---------------------------------------------------------------------------------
def test_documented_update_replaces_the_context(sandbox: Sandbox) -> None:
    """Source: the update guide, Step 2 (UpdateSync with the whole context, and the fields it
    answers with)."""
    pid, sync = next(
        (p, s) for p, s in every_sync(sandbox) if set(s["context"]) - {"referencePoint", "viewName"}
    )
    merged = {**sync["context"], "referencePoint": "surveyPoint", "viewName": None}
    result = data(
        sandbox,
        UPDATE_SYNC,
        {"input": {"id": sync["id"], "projectId": pid, "context": merged, "triggerNow": False}},
    )["syncMutations"]["update"]
    assert result == {
        "id": sync["id"],
        "active": sync["active"],
        "context": merged,
        "updatedAt": NOW,
    }
    state = admin_state(sandbox, "speckle")["syncs"][sync["id"]]
    assert state["updates"] == 1 and state["triggers"] == 0 and state["context"] == merged
    # Replacement, not a merge: keys left out are gone.
    slim = {"referencePoint": "internalOrigin", "viewName": "3D Coordination"}
    data(sandbox, UPDATE_SYNC, {"input": {"id": sync["id"], "projectId": pid, "context": slim}})
    assert one(sandbox, pid, sync["id"])["context"] == slim
    assert admin_state(sandbox, "speckle")["syncs"][sync["id"]]["updates"] == 2


def test_trigger_now_runs_from_the_clock(sandbox: Sandbox) -> None:
    """Source: the update guide (`triggerNow` requests an immediate execution); how long a run
    queues and processes is the sandbox's own."""
    pid, sync = pick(sandbox, active=True)
    before = one(sandbox, pid, sync["id"])["history"]["totalCount"]
    result = data(
        sandbox, TRIGGER, {"input": {"id": sync["id"], "projectId": pid, "triggerNow": True}}
    )["syncMutations"]["update"]
    item = result["latestItem"]
    assert status(item) == "queued" and item["createdAt"] == NOW
    assert result["history"]["totalCount"] == before + 1
    assert item["context"] == sync["context"]
    advance_clock(sandbox, 3.5)  # queued for 1-3 s, then processing for 3-9 s
    running = one(sandbox, pid, sync["id"])["latestItem"]
    assert running["id"] == item["id"] and status(running) == "processing"
    assert running["updatedAt"] > item["updatedAt"]
    advance_clock(sandbox, 60)
    done = one(sandbox, pid, sync["id"])["latestItem"]
    assert status(done) in {"success", "failed"}
    assert bool(done["modelIngestion"]["statusData"].get("errorReason")) == (
        status(done) == "failed"
    )
    advance_clock(sandbox, 3600)
    assert one(sandbox, pid, sync["id"])["latestItem"] == done  # the outcome does not change
    state = admin_state(sandbox, "speckle")["syncs"][sync["id"]]
    assert state["triggers"] == 1 and state["updates"] == 1


def test_triggered_runs_mostly_succeed(sandbox: Sandbox) -> None:
    """Source: the update guide, Step 3 (no bulk mutation: one update per sync). The mix of
    outcomes is the sandbox's."""
    active = [(p, s) for p, s in every_sync(sandbox) if s["active"]][:20]
    # Twenty updates in one document (aliases; mutation fields run one after the other).
    params = ", ".join(f"$i{n}: UpdateSyncInput!" for n in range(len(active)))
    fields = " ".join(f"u{n}: update(input: $i{n}) {{ id }}" for n in range(len(active)))
    inputs = {
        f"i{n}": {"id": s["id"], "projectId": p, "triggerNow": True}
        for n, (p, s) in enumerate(active)
    }
    data(sandbox, f"mutation Many({params}) {{ syncMutations {{ {fields} }} }}", inputs)
    advance_clock(sandbox, 30)
    latest = {s["id"]: status(s["latestItem"]) for _, s in every_sync(sandbox)}
    outcomes = [latest[s["id"]] for _, s in active]
    assert set(outcomes) <= {"success", "failed"}
    assert outcomes.count("success") >= 14
    assert all(
        v["triggers"] == 1
        for k, v in admin_state(sandbox, "speckle")["syncs"].items()
        if k in {s["id"] for _, s in active}
    )


def test_trigger_on_a_paused_sync_is_rejected_and_changes_nothing(sandbox: Sandbox) -> None:
    """Source: the update guide, operational notes (a paused sync rejects `triggerNow`;
    `setActive` first). The error code is not public: the sandbox's."""
    pid, sync = pick(sandbox, active=False)
    before = one(sandbox, pid, sync["id"])
    new_context = {**sync["context"], "referencePoint": "surveyPoint"}
    err = error(
        sandbox,
        UPDATE_SYNC,
        {
            "input": {
                "id": sync["id"],
                "projectId": pid,
                "context": new_context,
                "triggerNow": True,
            }
        },
    )
    assert err["extensions"] == {"code": "SYNC_PAUSED", "statusCode": 400}
    assert "setActive" in err["message"] and err["path"] == ["syncMutations", "update"]
    assert one(sandbox, pid, sync["id"]) == before
    assert admin_state(sandbox, "speckle")["syncs"][sync["id"]]["updates"] == 0
    # Resume, then the same request goes through.
    data(sandbox, SET_ACTIVE, {"input": {"id": sync["id"], "projectId": pid, "active": True}})
    done = data(
        sandbox,
        TRIGGER,
        {"input": {"id": sync["id"], "projectId": pid, "context": new_context, "triggerNow": True}},
    )["syncMutations"]["update"]
    assert status(done["latestItem"]) == "queued"
    assert admin_state(sandbox, "speckle")["syncs"][sync["id"]]["triggers"] == 1


def test_set_active_pauses_and_resumes(sandbox: Sandbox) -> None:
    """Source: the vendor schema, `syncMutations.setActive(input: SetSyncActiveInput!)`; the
    update guide (pause and resume are this one mutation)."""
    pid, sync = pick(sandbox, active=True)
    ref = {"id": sync["id"], "projectId": pid}
    paused = data(sandbox, SET_ACTIVE, {"input": {**ref, "active": False}})
    assert paused["syncMutations"]["setActive"] == {
        "id": sync["id"],
        "active": False,
        "updatedAt": NOW,
    }
    assert admin_state(sandbox, "speckle")["syncs"][sync["id"]]["active"] is False
    advance_clock(sandbox, 5)
    resumed = data(sandbox, SET_ACTIVE, {"input": {**ref, "active": True}})
    assert resumed["syncMutations"]["setActive"]["active"] is True
    assert one(sandbox, pid, sync["id"])["active"] is True
    assert admin_state(sandbox, "speckle")["syncs"][sync["id"]]["context"] == sync["context"]


# --- legacy ACC storage ---------------------------------------------------------------------
def test_legacy_sync_must_be_migrated_before_update(sandbox: Sandbox) -> None:
    """Source: the update guide (run `syncMutations.migrateLegacy` first, then retry the update)
    and the vendor schema (`migrateLegacy(input: MigrateLegacySyncInput!)`). The error code is
    not public: the sandbox's."""
    pid, item = legacy_items(sandbox)[0]
    assert item["project"]["id"] == pid and item["accFileLineageUrn"].startswith("urn:adsk")
    assert item["id"] not in {s["id"] for s in all_syncs(sandbox, pid)}
    ref = {"id": item["id"], "projectId": pid}
    for query, extra in (
        (UPDATE_SYNC, {"context": {"referencePoint": "surveyPoint"}}),
        (SET_ACTIVE, {"active": False}),
    ):
        err = error(sandbox, query, {"input": {**ref, **extra}})
        assert err["extensions"] == {"code": "SYNC_LEGACY_MIGRATION_REQUIRED", "statusCode": 400}
        assert "migrateLegacy" in err["message"]
    assert item["id"] in admin_state(sandbox, "speckle")["legacy"]

    migrated = data(sandbox, MIGRATE, {"input": ref})["syncMutations"]["migrateLegacy"]
    assert migrated["id"] == item["id"] and migrated["integration"]["slug"] == "acc"
    assert migrated["fileName"] == item["accFileName"]
    assert migrated["fileExtension"] == item["accFileExtension"]
    assert migrated["context"]["viewName"] == item["accFileViewName"]
    assert migrated["context"]["referencePoint"] in REFERENCE_POINTS
    assert migrated["active"] == (item["status"] != "paused")
    state = admin_state(sandbox, "speckle")
    assert item["id"] not in state["legacy"] and item["id"] in state["syncs"]
    remaining = data(sandbox, LEGACY, {"projectId": pid})["project"]["accSyncItems"]["items"]
    assert item["id"] not in {i["id"] for i in remaining}
    assert item["id"] in {s["id"] for s in all_syncs(sandbox, pid)}

    advance_clock(sandbox, 60)
    again = data(sandbox, MIGRATE, {"input": ref})["syncMutations"]["migrateLegacy"]
    assert again == migrated  # already migrated: unchanged, updatedAt included

    context = {**migrated["context"], "referencePoint": "projectBasePoint"}
    updated = data(sandbox, UPDATE_SYNC, {"input": {**ref, "context": context}})
    assert updated["syncMutations"]["update"]["context"] == context


def test_legacy_list_paginates(reader: Sandbox) -> None:
    """Source: the vendor schema, `Project.accSyncItems(cursor, limit): AccSyncItemCollection!`."""
    pid, _ = legacy_items(reader)[0]
    full = data(reader, LEGACY, {"projectId": pid})["project"]["accSyncItems"]
    first = data(reader, LEGACY, {"projectId": pid, "limit": 1})["project"]["accSyncItems"]
    assert first["totalCount"] == full["totalCount"] >= 2 and first["cursor"]
    second = data(reader, LEGACY, {"projectId": pid, "limit": 1, "cursor": first["cursor"]})
    assert second["project"]["accSyncItems"]["items"][0] == full["items"][1]


# --- create and delete ----------------------------------------------------------------------
def test_create_then_delete(sandbox: Sandbox) -> None:
    """Source: the vendor schema, `syncMutations.create(input: CreateSyncInput!)` and
    `delete(input: DeleteSyncInput!): Boolean!`."""
    pid = projects(sandbox)[0]
    total = len(all_syncs(sandbox, pid))
    created = data(
        sandbox,
        CREATE,
        {
            "input": {
                "projectId": pid,
                "integration": "acc",
                "fileId": "urn:adsk.wipprod:dm.lineage:NewFileLineage0000000",
                "fileName": "HT-STR-L12-R01.rvt",
                "fileExtension": "rvt",
                "fileFolderPath": ["Project Files", "01 WIP", "Structure"],
                "context": {"referencePoint": "projectBasePoint", "viewName": "{3D}"},
            }
        },
    )["syncMutations"]["create"]
    assert len(created["id"]) == 10 and created["fileExtension"] == "rvt"
    assert created["active"] is True and created["createdAt"] == NOW
    assert status(created["latestItem"]) == "queued"
    listed = all_syncs(sandbox, pid)
    assert len(listed) == total + 1 and listed[0]["id"] == created["id"]  # newest first
    ref = {"id": created["id"], "projectId": pid}
    assert data(sandbox, DELETE, {"input": ref}) == {"syncMutations": {"delete": True}}
    assert len(all_syncs(sandbox, pid)) == total
    assert error(sandbox, DELETE, {"input": ref})["extensions"]["code"] == "NOT_FOUND_ERROR"
    query = "query($p: String!, $id: String!) { project(id: $p) { sync(id: $id) { id } } }"
    err = error(sandbox, query, {"p": pid, "id": created["id"]})
    assert err["extensions"] == {"code": "NOT_FOUND_ERROR", "statusCode": 404}
    state = admin_state(sandbox, "speckle")
    assert created["id"] in state["created"] and created["id"] in state["deleted"]
    bad = {
        "projectId": pid,
        "integration": "dropbox",
        "fileId": "x",
        "fileName": "a.rvt",
        "fileExtension": "rvt",
    }
    assert error(sandbox, CREATE, {"input": bad})["extensions"]["code"] == "BAD_REQUEST_ERROR"


def test_deleting_during_paging_keeps_the_cursor_valid(sandbox: Sandbox) -> None:
    """Source: none public (the vendor's cursor is opaque): the sandbox's keyset cursors stay
    valid while rows go."""
    pid = projects(sandbox)[0]
    query = "query($p: String!, $c: String) { project(id: $p) { syncs(limit: 10, cursor: $c) { items { id } cursor } } }"
    first = data(sandbox, query, {"p": pid})["project"]["syncs"]
    expected = [s["id"] for s in all_syncs(sandbox, pid)][10:20]
    data(sandbox, DELETE, {"input": {"id": first["items"][-1]["id"], "projectId": pid}})
    second = data(sandbox, query, {"p": pid, "c": first["cursor"]})["project"]["syncs"]
    assert [s["id"] for s in second["items"]] == expected


# --- errors ---------------------------------------------------------------------------------
def test_missing_or_unknown_token_is_unauthorized(reader: Sandbox) -> None:
    """Source: the update guide (`Authorization: Bearer`) and the error codes in vendor-
    contracts.md (UNAUTHORIZED, 401)."""
    pid = projects(reader)[0]
    for token in (None, "0" * 42):
        err = error(reader, PROJECT_SYNCS, {"projectId": pid}, token=token)
        assert err["extensions"] == {"code": "UNAUTHORIZED", "statusCode": 401}
        assert err["path"] == ["project"]
    # Tokens only in headers: a token in the URL or body is not accepted.
    info = _info(reader)
    response = _HTTP.post(
        f"{info['base_url']}/graphql?token={info['tokens']['rw']}",
        json={"query": PROJECT_SYNCS, "variables": {"projectId": pid}},
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"


def test_read_only_token_reads_but_cannot_write(sandbox: Sandbox) -> None:
    """Source: the update guide (the mutations are gated on streams:write, listing needs
    streams:read); the FORBIDDEN wording from vendor-contracts.md."""
    pid = projects(sandbox)[0]
    listed = data(sandbox, PROJECT_SYNCS, {"projectId": pid}, token="ro")
    sync = listed["project"]["syncs"]["items"][0]
    ref = {"id": sync["id"], "projectId": pid}
    attempts = [
        (UPDATE_SYNC, {"input": {**ref, "context": {"referencePoint": "surveyPoint"}}}),
        (SET_ACTIVE, {"input": {**ref, "active": not sync["active"]}}),
        (MIGRATE, {"input": ref}),
        (DELETE, {"input": ref}),
        (
            CREATE,
            {
                "input": {
                    "projectId": pid,
                    "integration": "acc",
                    "fileId": "x",
                    "fileName": "x.rvt",
                    "fileExtension": "rvt",
                }
            },
        ),
    ]
    for query, variables in attempts:
        err = error(sandbox, query, variables, token="ro")
        assert err["extensions"] == {"code": "FORBIDDEN", "statusCode": 403}
        assert err["message"] == "Your auth token does not have the required scope: streams:write."
    state = admin_state(sandbox, "speckle")
    assert state["syncs"][sync["id"]]["updates"] == 0 and not state["created"]
    assert state["syncs"][sync["id"]]["context"] == sync["context"]


def test_unknown_project_and_sync(reader: Sandbox) -> None:
    """Source: the error codes in vendor-contracts.md (STREAM_NOT_FOUND "Project not found",
    NOT_FOUND_ERROR)."""
    err = error(reader, PROJECT_SYNCS, {"projectId": "ffffffffff"})
    assert err == {
        **err,
        "message": "Project not found",
        "path": ["project"],
        "extensions": {"code": "STREAM_NOT_FOUND", "statusCode": 404},
    }
    pid, other = projects(reader)[0], projects(reader)[1]
    sync = all_syncs(reader, pid)[0]
    missing = {"input": {"id": "0000000000", "projectId": pid, "context": {}}}
    assert error(reader, UPDATE_SYNC, missing)["extensions"]["code"] == "NOT_FOUND_ERROR"
    wrong_project = {"input": {"id": sync["id"], "projectId": other, "context": {}}}
    assert error(reader, UPDATE_SYNC, wrong_project)["extensions"]["code"] == "NOT_FOUND_ERROR"
    no_project = {"input": {"id": sync["id"], "projectId": "ffffffffff", "context": {}}}
    assert error(reader, UPDATE_SYNC, no_project)["extensions"]["code"] == "STREAM_NOT_FOUND"
    unknown_migration = {"input": {"id": "0000000000", "projectId": pid}}
    assert error(reader, MIGRATE, unknown_migration)["extensions"]["code"] == "NOT_FOUND_ERROR"


def test_bad_input_is_rejected_and_changes_nothing(sandbox: Sandbox) -> None:
    """Source: the update guide (context is an object; referencePoint values; viewName a string or
    null); BAD_REQUEST_ERROR from vendor-contracts.md."""
    pid, sync = pick(sandbox, active=True)
    bad_contexts = [
        {"referencePoint": "origin"},
        {"referencePoint": None},
        {"viewName": 3},
        "surveyPoint",
        ["referencePoint", "surveyPoint"],
    ]
    for context in bad_contexts:
        variables = {"input": {"id": sync["id"], "projectId": pid, "context": context}}
        err = error(sandbox, UPDATE_SYNC, variables)
        assert err["extensions"] == {"code": "BAD_REQUEST_ERROR", "statusCode": 400}, context
    state = admin_state(sandbox, "speckle")["syncs"][sync["id"]]
    assert state["updates"] == 0 and state["context"] == sync["context"]


def test_invalid_graphql_is_http_400(reader: Sandbox) -> None:
    """Source: GraphQL over HTTP as a GraphQL server answers it: a document that does not parse or
    validate, or variables that do not fit, are HTTP 400."""
    pid = projects(reader)[0]
    cases = [
        ('query { project(id: "x") { nope } }', {}, "GRAPHQL_VALIDATION_FAILED"),
        ("query { project(id: ", {}, "GRAPHQL_PARSE_FAILED"),
        (PROJECT_SYNCS, {}, "BAD_USER_INPUT"),  # $projectId missing
        (PROJECT_SYNCS, {"projectId": pid, "limit": "ten"}, "BAD_USER_INPUT"),
    ]
    for query, variables, code in cases:
        response = post(reader, query, variables)
        assert response.status_code == 400, query
        body = response.json()
        assert "data" not in body and body["errors"][0]["extensions"]["code"] == code
    info = _info(reader)
    not_json = _HTTP.post(
        f"{info['base_url']}/graphql", content=b"{", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 400 and not_json.json()["errors"]


# --- faults ---------------------------------------------------------------------------------
def test_injected_server_errors(sandbox: Sandbox) -> None:
    """Source: the sandbox's fault injection (--faults), in Speckle's error shape."""
    for code in (500, 502, 503):
        set_faults(sandbox, f"{code}=1,only=speckle")
        response = post(sandbox, PROJECT_SYNCS, {"projectId": projects(sandbox)[0]})
        assert response.status_code == code
        [err] = response.json()["errors"]
        assert err["extensions"]["code"] == "INTERNAL_SERVER_ERROR" and err["message"]


def test_injected_rate_limit_carries_retry_after(sandbox: Sandbox) -> None:
    """Source: the sandbox's fault injection (--faults), in Speckle's error shape."""
    set_faults(sandbox, "429=1,retry-after=2,only=speckle")
    response = post(sandbox, PROJECT_SYNCS, {"projectId": projects(sandbox)[0]})
    assert response.status_code == 429 and response.headers["Retry-After"] == "2"
    assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"


def _update_once(sb: Sandbox) -> tuple[str, dict, dict]:
    pid, sync = pick(sb, active=True)
    context = {**sync["context"], "viewName": "Fault Test"}
    return pid, sync, {"input": {"id": sync["id"], "projectId": pid, "context": context}}


def test_drop_before_leaves_state_unchanged(sandbox: Sandbox) -> None:
    """Source: the sandbox's fault injection (--faults)."""
    _, sync, variables = _update_once(sandbox)
    set_faults(sandbox, "drop-before=1,only=speckle")
    # The request body is never read, so the close can arrive as a reset instead of a short
    # body: both are a transport failure to the client.
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        post(sandbox, UPDATE_SYNC, variables)
    set_faults(sandbox, "none")
    state = admin_state(sandbox, "speckle")["syncs"][sync["id"]]
    assert state["updates"] == 0 and state["context"] == sync["context"]


def test_drop_after_applies_the_write_but_loses_the_answer(sandbox: Sandbox) -> None:
    """Source: the sandbox's fault injection (--faults)."""
    pid, sync, variables = _update_once(sandbox)
    set_faults(sandbox, "drop-after=1,only=speckle")
    with pytest.raises(httpx.RemoteProtocolError):
        post(sandbox, UPDATE_SYNC, variables)
    set_faults(sandbox, "none")
    state = admin_state(sandbox, "speckle")["syncs"][sync["id"]]
    assert state["updates"] == 1 and state["context"] == variables["input"]["context"]
    assert one(sandbox, pid, sync["id"])["context"]["viewName"] == "Fault Test"


def test_malformed_body_after_a_write(sandbox: Sandbox) -> None:
    """Source: the sandbox's fault injection (--faults)."""
    _, sync, variables = _update_once(sandbox)
    set_faults(sandbox, "malformed=1,only=speckle")
    response = post(sandbox, UPDATE_SYNC, variables)
    with pytest.raises(json.JSONDecodeError):
        response.json()
    set_faults(sandbox, "none")
    assert admin_state(sandbox, "speckle")["syncs"][sync["id"]]["updates"] == 1


def test_latency_still_answers(sandbox: Sandbox) -> None:
    """Source: the sandbox's fault injection (--faults)."""
    set_faults(sandbox, "latency=30ms,jitter=10ms,only=speckle")
    pid = projects(sandbox)[0]
    page = data(sandbox, PROJECT_SYNCS, {"projectId": pid, "limit": 5})["project"]["syncs"]
    assert len(page["items"]) == 5
    spec = _HTTP.get(f"{sandbox.base_url}/_admin/faults").json()["spec"]
    assert spec["latency_ms"] == 30 and spec["only"] == ["speckle"]
