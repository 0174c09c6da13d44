"""Faults limited to some requests (`only=` a path glob, or a GraphQL operation), so a test
can break one secondary read of a vendor and leave every other request of it working."""

from __future__ import annotations

import httpx

from synctui.sandbox.faults import FaultSpec
from tests.conftest import set_faults


def test_only_takes_vendors_paths_and_operations() -> None:
    spec = FaultSpec.parse("500=1,only=polytomic+/paragon/api/syncs/*+/speckle/graphql#SyncHistory")
    assert spec.paths == ("/paragon/api/syncs/*", "/speckle/graphql#SyncHistory")
    assert spec.applies("polytomic", "/polytomic/api/syncs")
    assert spec.applies("paragon", "/paragon/api/syncs/abc")
    assert not spec.applies("paragon", "/paragon/api/syncs")
    assert spec.applies("speckle", "/speckle/graphql#SyncHistory")
    assert not spec.applies("speckle", "/speckle/graphql#ProjectSync")
    assert not spec.applies("signalsmith", "/signalsmith/api/v1/workspaces/w/syncs")
    assert FaultSpec.parse("500=1").applies("anything", "/x")


def test_a_path_fault_breaks_only_the_requests_it_names(sandbox) -> None:
    info = sandbox.info()["paragon"]
    headers = {"Authorization": f"Bearer {info['tokens']['rw']}"}
    with httpx.Client(base_url=info["base_url"], headers=headers, timeout=10) as http:
        sid = http.get("/api/syncs").json()["data"][0]["id"]
        set_faults(sandbox, "500=1,only=/paragon/api/syncs/*")
        try:
            assert http.get("/api/syncs").status_code == 200
            assert http.get(f"/api/syncs/{sid}").status_code == 500
        finally:
            set_faults(sandbox, "")
        assert http.get(f"/api/syncs/{sid}").status_code == 200


def test_a_graphql_fault_breaks_only_the_operation_it_names(sandbox) -> None:
    info = sandbox.info()["speckle"]
    headers = {"Authorization": f"Bearer {info['tokens']['rw']}"}
    project = info["ids"]["projects"][0]
    syncs = "query ProjectSyncs($p: String!) { project(id: $p) { syncs(limit: 1) { totalCount } } }"
    history = "query SyncHistory($p: String!) { project(id: $p) { id } }"
    with httpx.Client(base_url=info["base_url"], headers=headers, timeout=10) as http:
        set_faults(sandbox, "500=1,only=/speckle/graphql#SyncHistory")
        try:
            listed = http.post("/graphql", json={"query": syncs, "variables": {"p": project}})
            assert listed.status_code == 200 and "errors" not in listed.json()
            broken = http.post("/graphql", json={"query": history, "variables": {"p": project}})
            assert broken.status_code == 500
            named = http.post(
                "/graphql",
                json={"query": syncs, "variables": {"p": project}, "operationName": "SyncHistory"},
            )
            assert named.status_code == 500  # the operation's name, as a client declares it
        finally:
            set_faults(sandbox, "")
