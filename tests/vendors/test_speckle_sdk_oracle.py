"""specklepy, Speckle's own Python SDK, against the sandbox's Speckle: an oracle no one here
wrote. Its client asks for `activeUser`, `serverInfo` and `Project` fields a real server has,
and parses the answers with its own models; the sync API it has no helpers for yet goes
through its GraphQL client, as the vendor's update guide says to do.

Source: specklepy (PyPI) api/client.py, api/resources/current/{active_user,server,project,
model_ingestion}_resource.py, api/models/current.py; docs.speckle.systems "updating syncs".
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gql import gql
from specklepy.api.client import SpeckleClient
from specklepy.api.models.current import ModelIngestion, Project, ServerInfo
from specklepy.logging import metrics
from specklepy.logging.exceptions import GraphQLException

from synctui.sandbox.core import SandboxConfig
from synctui.sandbox.server import Sandbox
from synctui.vendors.speckle import queries
from tests.conftest import admin_state


@pytest.fixture(scope="module")
def sdk_sandbox() -> Iterator[Sandbox]:
    metrics.disable()  # no analytics from a test (specklepy only tracks its own cloud anyway)
    with Sandbox(SandboxConfig(port=0, seed=7, frozen=True, changes_per_second=0)) as sb:
        yield sb


def client_for(sb: Sandbox, token: str = "rw") -> SpeckleClient:
    info = sb.info()["speckle"]
    client = SpeckleClient(host=info["base_url"], use_ssl=False)
    client.authenticate_with_token(info["tokens"][token])
    return client


def test_authenticate_with_token_reads_the_user_and_server(sdk_sandbox: Sandbox) -> None:
    client = client_for(sdk_sandbox)
    user = client.account.userInfo
    assert user.id and user.name and user.email
    server = client.account.serverInfo
    assert isinstance(server, ServerInfo) and server.name and server.version
    assert client.server.version()[:2] >= (2, 0)
    assert client.active_user.get() is not None


def test_project_get_parses_under_the_sdk_model(sdk_sandbox: Sandbox) -> None:
    client = client_for(sdk_sandbox, token="ro")
    for project_id in sdk_sandbox.info()["speckle"]["ids"]["projects"]:
        project = client.project.get(project_id)
        assert isinstance(project, Project) and project.id == project_id
        assert project.name and project.created_at <= project.updated_at
    with pytest.raises(GraphQLException):
        client.project.get("ffffffffff")


def test_raw_sync_queries_through_the_sdk_graphql_client(sdk_sandbox: Sandbox) -> None:
    """The documented list query, then synctui's own documents, sent by specklepy's client."""
    client = client_for(sdk_sandbox)
    project_id = sdk_sandbox.info()["speckle"]["ids"]["projects"][0]
    documented = gql(
        "query ProjectSyncs($projectId: String!, $limit: Int, $cursor: String) "
        "{ project(id: $projectId) { syncs(limit: $limit, cursor: $cursor) "
        "{ items { id fileName integration { slug } active context } cursor totalCount } } }"
    )
    documented.variable_values = {"projectId": project_id, "limit": 25, "cursor": None}
    page = client.httpclient.execute(documented)["project"]["syncs"]
    assert len(page["items"]) == 25 and page["cursor"] and page["totalCount"] > 25

    ours = gql(queries.Q_SYNCS)
    ours.variable_values = {"projectId": project_id, "limit": 5, "cursor": None}
    items = client.httpclient.execute(ours)["project"]["syncs"]["items"]
    assert [i["id"] for i in items] == [i["id"] for i in page["items"][:5]]
    for item in items:
        data = item["latestItem"]["modelIngestion"]["statusData"]
        assert data["__typename"].startswith("ModelIngestion") and data["status"]

    legacy = gql(queries.Q_LEGACY)
    legacy.variable_values = {"projectId": project_id, "limit": 10, "cursor": None}
    listed = client.httpclient.execute(legacy)["project"]["accSyncItems"]["items"]
    assert {i["id"] for i in listed} <= set(admin_state(sdk_sandbox, "speckle")["legacy"])
    assert all(i["project"]["id"] == project_id for i in listed)


def test_ingestions_parse_under_the_sdk_model(sdk_sandbox: Sandbox) -> None:
    """specklepy's own ingestion read (inline fragments on the status union) and model."""
    client = client_for(sdk_sandbox)
    project_id = sdk_sandbox.info()["speckle"]["ids"]["projects"][0]
    request = gql(queries.Q_SYNCS)
    request.variable_values = {"projectId": project_id, "limit": 40, "cursor": None}
    items = client.httpclient.execute(request)["project"]["syncs"]["items"]
    # specklepy's enum knows five of the seven statuses; those it knows must parse.
    known = {"queued", "processing", "success", "failed", "cancelled"}
    checked: set[str] = set()
    for item in items:
        latest = item["latestItem"]
        status = latest["modelIngestion"]["statusData"]["status"]
        if status not in known or status in checked:
            continue
        ingestion = client.model_ingestion.get_ingestion(project_id, latest["modelIngestionId"])
        assert isinstance(ingestion, ModelIngestion)
        assert ingestion.id == latest["modelIngestionId"]
        assert ingestion.status_data.status.value == status
        checked.add(status)
    assert {"success", "failed"} <= checked
