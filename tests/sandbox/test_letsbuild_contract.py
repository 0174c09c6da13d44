"""Contract tests for the LetsBuild simulator, over real HTTP with plain httpx.

They pin what an adapter may rely on, from developers.letsbuild.com: the Sync guide (the
documented queries work verbatim, opaque cursors resume exactly, never skipping or repeating
even while the feeds grow, deletions carry no data, partial entities with the null GUID are
completed later), the Entities guide (field types: `Point.codeNum: String!`, DateTime dates)
and the reference types (`Change` and `SyncChangeSet` interfaces, the `AproplanSyncEntity`
union). Errors in GraphQL shape and the fault kinds are the sandbox's own.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLUnionType,
    build_client_schema,
    get_introspection_query,
)

from synctui.sandbox.core import FROZEN_EPOCH, SandboxClock, SandboxConfig, SimContext
from synctui.sandbox.letsbuild import LetsBuildSim
from synctui.sandbox.letsbuild_seed import FEEDS as SEED_FEEDS
from synctui.sandbox.letsbuild_seed import POINT
from synctui.sandbox.server import Sandbox
from tests.conftest import admin_state, set_faults

NULL_GUID = "00000000-0000-0000-0000-000000000000"
DATE_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
FEEDS = ("projectSync", "formSync", "pointSync", "contactDetailsSync")
ENTITY = {
    "projectSync": "Project",
    "formSync": "Form",
    "pointSync": "Point",
    "contactDetailsSync": "ContactDetails",
}

# The four queries exactly as the vendor's documentation prints them.
DOC_QUERIES = {
    "projectSync": """query ProjectSync($cursor: String) {
projectSync(cursor: $cursor) {
changes {
entityId
entityType
operationType
data {
... on Project {
id
name
code
address
city
zipCode
startDate
endDate
isArchived
}
}
}
cursor
hasMore
}
}""",
    "formSync": """query FormSync($cursor: String) {
formSync(cursor: $cursor) {
changes {
entityId
entityType
operationType
data {
... on Form {
id
subject
code
codeNum
date
type
status
isConform
isArchived
isUrgent
projectId
listId
}
}
}
cursor
hasMore
}
}""",
    "pointSync": """query PointSync($cursor: String) {
pointSync(cursor: $cursor) {
changes {
entityId
entityType
operationType
data {
... on Point {
id
subject
code
codeNum
date
isArchived
isUrgent
dueDate
projectId
listId
status {
name
color
}
}
}
}
cursor
hasMore
}
}""",
    "contactDetailsSync": """query ContactDetailsSync($cursor: String) {
contactDetailsSync(cursor: $cursor) {
changes {
entityId
entityType
operationType
data {
... on ContactDetails {
id
displayName
company
role
phone
street
city
zip
projectId
userId
isDisabled
accessRightLevel
invitationStatus
}
}
}
cursor
hasMore
}
}""",
}
DOC_FIELDS = {
    "projectSync": [
        "id",
        "name",
        "code",
        "address",
        "city",
        "zipCode",
        "startDate",
        "endDate",
        "isArchived",
    ],
    "formSync": [
        "id",
        "subject",
        "code",
        "codeNum",
        "date",
        "type",
        "status",
        "isConform",
        "isArchived",
        "isUrgent",
        "projectId",
        "listId",
    ],
    "pointSync": [
        "id",
        "subject",
        "code",
        "codeNum",
        "date",
        "isArchived",
        "isUrgent",
        "dueDate",
        "projectId",
        "listId",
        "status",
    ],
    "contactDetailsSync": [
        "id",
        "displayName",
        "company",
        "role",
        "phone",
        "street",
        "city",
        "zip",
        "projectId",
        "userId",
        "isDisabled",
        "accessRightLevel",
        "invitationStatus",
    ],
}

# Every field of each entity, including the extras. Form.status (a string) and Point.status
# (an object) cannot share one selection set, so each feed gets its own fragment.
FULL_FIELDS = {
    "projectSync": "id sequenceVersion name code address city zipCode country { name iso } startDate endDate isArchived updatedAt",
    "formSync": "id sequenceVersion subject code codeNum date type status isConform isArchived isUrgent projectId listId createdBy updatedAt",
    "pointSync": "id sequenceVersion subject code codeNum date isArchived isUrgent dueDate projectId listId status { name color } assignee updatedAt",
    "contactDetailsSync": "id sequenceVersion displayName company role phone email street city zip projectId userId isDisabled accessRightLevel invitationStatus updatedAt",
}


def fragment(feed: str) -> str:
    return f"fragment e_{feed} on {ENTITY[feed]} {{ __typename {FULL_FIELDS[feed]} }}"


def full_query(feed: str) -> str:
    """One feed with every field, including the deprecated maxSequence."""
    return (
        f"query Full($cursor: String) {{ {feed}(cursor: $cursor) {{ "
        f"changes {{ entityId entityType operationType data {{ ...e_{feed} }} }} "
        f"cursor hasMore maxSequence }} }} {fragment(feed)}"
    )


@pytest.fixture(scope="module")
def shared() -> Iterator[Sandbox]:
    """One untouched sandbox for the read-only tests (same settings as `sandbox`): start-up
    is the slow part of a test here, and reading never changes what the next test sees."""
    with Sandbox(SandboxConfig(port=0, seed=7, frozen=True, changes_per_second=0)) as sb:
        yield sb


@pytest.fixture(scope="module")
def shared_state(shared: Sandbox) -> dict[str, Any]:
    """The shared sandbox's ground truth, fetched once (it never changes)."""
    return admin_state(shared, "letsbuild")


def client(sb: Sandbox, token: str = "ro") -> httpx.Client:
    tokens = httpx.get(f"{sb.base_url}/_admin/info").json()["letsbuild"]["tokens"]
    return httpx.Client(
        base_url=sb.url("letsbuild"), headers={"Authorization": f"Bearer {tokens[token]}"}
    )


def page(c: httpx.Client, feed: str, cursor: str | None = None, query: str | None = None) -> dict:
    r = c.post(
        "/graphql", json={"query": query or full_query(feed), "variables": {"cursor": cursor}}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body
    return body["data"][feed]


def walk(c: httpx.Client, feed: str, cursor: str | None = None) -> tuple[list[dict], str, int]:
    """Every change after `cursor` until hasMore is false, the last cursor and its sequence."""
    changes: list[dict] = []
    while True:
        p = page(c, feed, cursor)
        changes.extend(p["changes"])
        assert len(p["changes"]) <= 200
        cursor = p["cursor"]
        if not p["hasMore"]:
            return changes, cursor, p["maxSequence"]


def truth(sb: Sandbox, feed: str) -> list[list[Any]]:
    return admin_state(sb, "letsbuild")["feeds"][feed]["changes"]


def generate(sb: Sandbox, count: int) -> httpx.Response:
    return httpx.post(f"{sb.url('letsbuild')}/_sim/generate", json={"count": count})


# --- identity, auth, seed -------------------------------------------------------------------
def test_info_and_seeded_history(shared: Sandbox, shared_state: dict[str, Any]) -> None:
    """Source: the sandbox's banner and seed."""
    info = httpx.get(f"{shared.base_url}/_admin/info").json()["letsbuild"]
    assert info["base_url"] == shared.url("letsbuild")
    assert info["tokens"]["rw"] != info["tokens"]["ro"]
    assert all(re.fullmatch(r"lb_pat_[0-9a-f]{32}", t) for t in info["tokens"].values())
    assert info["ids"]["feeds"] == list(FEEDS)
    state = shared_state
    assert state["total"] >= 20_000
    assert state["total"] == sum(f["count"] for f in state["feeds"].values())
    assert all(state["feeds"][f]["count"] == len(state["feeds"][f]["changes"]) for f in FEEDS)
    assert state["feeds"]["pointSync"]["count"] > state["feeds"]["projectSync"]["count"] > 100
    assert state["partials_outstanding"] == len(state["partials"])
    assert state["max_sequence"] == max(f["changes"][-1][0] for f in state["feeds"].values())


def test_bearer_token_required(shared: Sandbox) -> None:
    """Source: none public (authentication is not documented): the sandbox expects a bearer token,
    as the adapter sends."""
    url = f"{shared.url('letsbuild')}/graphql"
    query = {"query": DOC_QUERIES["projectSync"]}
    unauthorized = {
        "errors": [{"message": "Unauthorized", "extensions": {"code": "UNAUTHENTICATED"}}]
    }
    for headers in ({}, {"Authorization": "Bearer lb_pat_nope"}, {"Authorization": "token x"}):
        r = httpx.post(url, json=query, headers=headers)
        assert r.status_code == 401
        assert r.json() == unauthorized
    tokens = httpx.get(f"{shared.base_url}/_admin/info").json()["letsbuild"]["tokens"]
    for token in tokens.values():  # read-only API: both tokens read
        r = httpx.post(url, json=query, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and len(r.json()["data"]["projectSync"]["changes"]) == 200


# --- the documented queries -----------------------------------------------------------------
@pytest.mark.parametrize("feed", FEEDS)
def test_documented_query_first_page(
    shared: Sandbox, shared_state: dict[str, Any], feed: str
) -> None:
    """Source: the Sync guide, the four queries exactly as printed."""
    with client(shared) as c:
        first = page(c, feed, query=DOC_QUERIES[feed])
    assert first["hasMore"] is True
    assert set(first) == {"changes", "cursor", "hasMore"}
    expected = shared_state["feeds"][feed]["changes"][:200]
    assert [[ch["entityId"], ch["operationType"]] for ch in first["changes"]] == [
        [eid, op] for _, eid, op in expected
    ]
    assert first["changes"][0]["operationType"] == "CREATED"
    for ch in first["changes"]:
        assert ch["entityType"] == ENTITY[feed]
        assert UUID_RE.match(ch["entityId"])
        if ch["operationType"] == "DELETED":
            assert ch["data"] is None
        else:
            assert list(ch["data"]) == DOC_FIELDS[feed]  # exactly the requested fields
            assert ch["data"]["id"] == ch["entityId"]


def test_every_field_and_value_domains(shared: Sandbox) -> None:
    """Source: the Entities guide (`codeNum` a string, `DateTime` dates, `country: Country`) and
    the Sync guide's fields; the value domains are the sandbox's seed."""
    seen: dict[str, dict] = {}
    with client(shared) as c:
        for feed in FEEDS:
            for ch in page(c, feed)["changes"]:
                if ch["data"]:
                    seen.setdefault(feed, ch["data"])
                    d = ch["data"]
                    assert d["__typename"] == ENTITY[feed]
                    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", d["updatedAt"])
                    if feed == "formSync":
                        assert d["type"] in {"quality", "safety", "environmental"}
                        assert d["status"] in {"draft", "open", "closed"}
                        assert d["code"].split("-")[0] in {"QUA", "SAF", "ENV"}
                    elif feed == "pointSync":
                        assert d["status"]["name"] in {
                            "Open",
                            "In progress",
                            "Ready for review",
                            "Closed",
                        }
                        assert re.fullmatch(r"#[0-9A-F]{6}", d["status"]["color"])
                    elif feed == "contactDetailsSync":
                        assert d["accessRightLevel"] in {"admin", "write", "read"}
                        assert d["invitationStatus"] in {
                            "pending",
                            "accepted",
                            "declined",
                            "expired",
                        }
                    elif feed == "projectSync":
                        assert re.fullmatch(r"[A-Z]{2,3}-\d{4}", d["code"])
                        assert re.fullmatch(DATE_TIME, d["startDate"])
                        assert d["country"]["iso"] in {"BE", "NL", "FR", "GB"}
                    if feed in ("formSync", "pointSync"):
                        assert re.fullmatch(DATE_TIME, d["date"])
                        assert isinstance(d["codeNum"], str) and d["codeNum"].isdigit()
                        assert d["code"].endswith(d["codeNum"].zfill(4))
                    if feed == "pointSync" and d["dueDate"] is not None:
                        assert re.fullmatch(DATE_TIME, d["dueDate"])
    assert set(seen) == set(FEEDS)
    assert isinstance(seen["formSync"]["sequenceVersion"], int)


# --- pagination and cursors -----------------------------------------------------------------
def test_full_walk_matches_ground_truth(shared: Sandbox, shared_state: dict[str, Any]) -> None:
    """Source: the Sync guide (follow `hasMore`; all changes are included, no data is lost)."""
    state = shared_state
    all_sequences: list[int] = []
    partial_fixed = 0
    with client(shared) as c:
        for feed in FEEDS:
            changes, end, _ = walk(c, feed)
            expected = state["feeds"][feed]["changes"]
            assert [[ch["entityId"], ch["operationType"]] for ch in changes] == [
                [eid, op] for _, eid, op in expected
            ]
            shown = [ch["data"]["sequenceVersion"] for ch in changes if ch["data"]]
            assert shown == [seq for seq, _, op in expected if op != "DELETED"]
            assert shown == sorted(set(shown))
            all_sequences += [seq for seq, _, _ in expected]
            deleted: set[str] = set()
            partial: dict[str, str] = {}
            for ch in changes:
                assert ch["entityId"] not in deleted  # nothing comes back after a deletion
                if ch["operationType"] == "DELETED":
                    assert ch["data"] is None
                    deleted.add(ch["entityId"])
                    continue
                nulls = [k for k, v in ch["data"].items() if v == NULL_GUID]
                if ch["operationType"] == "CREATED" and nulls:
                    partial[ch["entityId"]] = nulls[0]
                elif ch["entityId"] in partial and not nulls:
                    assert UUID_RE.match(ch["data"][partial.pop(ch["entityId"])])
                    partial_fixed += 1
            # Resuming at the end: nothing new, the very same cursor, still no more.
            again = page(c, feed, end)
            assert again == {
                "changes": [],
                "cursor": end,
                "hasMore": False,
                "maxSequence": expected[-1][0],
            }
    assert len(all_sequences) == len(set(all_sequences)) == state["total"]
    assert partial_fixed >= 10  # ~1% of creations arrive partial and are completed later


def test_old_cursor_resumes_exactly_while_the_feed_grows(sandbox: Sandbox) -> None:
    """Source: the Sync guide (cursors are immutable and forward-only; resume from the last stored
    one)."""
    feed = "contactDetailsSync"
    with client(sandbox) as c:
        first = page(c, feed)
        second = page(c, feed, first["cursor"])
        _, end_before, _ = walk(c, feed, second["cursor"])
        assert generate(sandbox, 800).json()["added"] == 800
        assert page(c, feed, first["cursor"]) == second  # same cursor, same answer
        rest = walk(c, feed, first["cursor"])[0]
        new = walk(c, feed, end_before)[0]
    expected = truth(sandbox, feed)
    assert [[ch["entityId"], ch["operationType"]] for ch in rest] == [
        [eid, op] for _, eid, op in expected[200:]
    ]
    assert rest[-len(new) :] == new and len(new) > 50
    now = FROZEN_EPOCH.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert {ch["data"]["updatedAt"] for ch in new if ch["data"]} == {now}


def test_generate_helper_needs_no_token_and_checks_count(sandbox: Sandbox) -> None:
    """Source: the sandbox's own helper (not part of the LetsBuild API)."""
    total = admin_state(sandbox, "letsbuild")["total"]
    r = generate(sandbox, 0)
    assert r.status_code == 200 and r.json()["added"] == 0
    for bad in ({"count": -1}, {"count": "5"}, {"count": True}, {}, {"count": 10**9}):
        r = httpx.post(f"{sandbox.url('letsbuild')}/_sim/generate", json=bad)
        assert r.status_code == 400 and "count" in r.json()["error"]
    r = generate(sandbox, 7)
    assert r.json()["total"] == total + 7 == admin_state(sandbox, "letsbuild")["total"]


def test_cursor_is_a_string_that_never_goes_back(shared: Sandbox) -> None:
    """Source: the Sync guide and reference type SyncChangeSet (`cursor: String!`, opaque,
    forward-only)."""
    with client(shared) as c:
        empty_start = page(c, "projectSync", "")  # an empty cursor means "from the start"
        assert empty_start == page(c, "projectSync")
        p1 = page(c, "projectSync")
        p2 = page(c, "projectSync", p1["cursor"])
    assert isinstance(p1["cursor"], str) and p1["cursor"] != p2["cursor"]
    assert p1["maxSequence"] < p2["maxSequence"]
    assert p2["changes"][0]["data"]["sequenceVersion"] > p1["maxSequence"]


def test_forged_and_foreign_cursors_are_refused(shared: Sandbox) -> None:
    """Source: the Sync guide (never construct or parse a cursor); refusing a forged one is the
    sandbox's choice."""
    with client(shared) as c:
        good = page(c, "pointSync")["cursor"]
        other = page(c, "projectSync")["cursor"]
        tampered = good[:5] + ("A" if good[5] != "A" else "B") + good[6:]
        foreign_sim = make_sim(8)
        foreign = foreign_sim.sync_page(SEED_FEEDS[POINT], None)["cursor"]
        for bad in ("abc", "!!!", tampered, good + "A", foreign, other):
            r = c.post(
                "/graphql", json={"query": full_query("pointSync"), "variables": {"cursor": bad}}
            )
            assert r.status_code == 200
            body = r.json()
            assert body["data"] is None
            (error,) = body["errors"]
            assert error["extensions"]["code"] == "BAD_USER_INPUT"
            assert error["message"].startswith("Invalid cursor")
            assert error["path"] == ["pointSync"]
        mismatch = c.post(
            "/graphql", json={"query": full_query("pointSync"), "variables": {"cursor": other}}
        )
        assert "projectSync" in mismatch.json()["errors"][0]["message"]


def test_all_feeds_in_one_document_share_one_sequence(shared: Sandbox) -> None:
    """Source: the Sync guide (sequence versions are unique across the whole system; feeds can be
    synced in parallel)."""
    query = (
        "query All { "
        + " ".join(
            f"{f}: {f} {{ changes {{ data {{ ...e_{f} }} }} cursor hasMore }}" for f in FEEDS
        )
        + " }"
        + " ".join(fragment(f) for f in FEEDS)
    )
    with client(shared, "rw") as c:
        r = c.post("/graphql", json={"query": query, "operationName": "All"})
    assert r.status_code == 200
    data = r.json()["data"]
    sequences = [
        ch["data"]["sequenceVersion"] for f in FEEDS for ch in data[f]["changes"] if ch["data"]
    ]
    assert len(sequences) == len(set(sequences)) > 700


# --- GraphQL request errors -----------------------------------------------------------------
def test_bad_requests_are_http_400_with_errors(shared: Sandbox) -> None:
    """Source: GraphQL over HTTP; the error codes are the sandbox's own."""
    with client(shared) as c:
        syntax = c.post("/graphql", json={"query": "{ pointSync { changes { "})
        unknown = c.post("/graphql", json={"query": "{ pointSync { changes { colour } } }"})
        bad_var = c.post(
            "/graphql", json={"query": DOC_QUERIES["pointSync"], "variables": {"cursor": 5}}
        )
        bad_op = c.post(
            "/graphql", json={"query": DOC_QUERIES["pointSync"], "operationName": "Nope"}
        )
        not_json = c.post(
            "/graphql", content=b"{nope", headers={"content-type": "application/json"}
        )
        no_query = c.post("/graphql", json={"variables": {}})
        get = c.get("/graphql")
    assert syntax.status_code == 400
    assert syntax.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "colour" in unknown.json()["errors"][0]["message"]
    for r in (bad_var, bad_op, not_json, no_query):
        assert r.status_code == 400
        assert r.json()["errors"][0]["message"]
    assert get.status_code == 405


def test_max_sequence_is_deprecated(shared: Sandbox) -> None:
    """Source: reference type SyncChangeSet (maxSequence: "DEPRECATED, use cursor")."""
    with client(shared) as c:
        for name in ("SyncChangeSet", "PointSyncChangeSet"):
            query = (
                f'{{ __type(name: "{name}") {{ fields(includeDeprecated: true) '
                "{ name isDeprecated } } }"
            )
            r = c.post("/graphql", json={"query": query})
            fields = {f["name"]: f["isDeprecated"] for f in r.json()["data"]["__type"]["fields"]}
            assert fields == {
                "changes": False,
                "cursor": False,
                "hasMore": False,
                "maxSequence": True,
            }


def test_the_schema_follows_the_reference_types(shared: Sandbox) -> None:
    """Source: developers.letsbuild.com reference types `Change` and `SyncChangeSet`
    (interfaces, implemented per feed), `data: AproplanSyncEntity` (a nullable union of
    Project, Form, Point, ContactDetails), and the Entities guide (`Point.codeNum: String!`,
    `date: DateTime!`)."""
    with client(shared) as c:
        r = c.post("/graphql", json={"query": get_introspection_query()})
    schema = build_client_schema(r.json()["data"])
    change, change_set = schema.type_map["Change"], schema.type_map["SyncChangeSet"]
    assert isinstance(change, GraphQLInterfaceType)
    assert isinstance(change_set, GraphQLInterfaceType)
    entity = schema.type_map["AproplanSyncEntity"]
    assert isinstance(entity, GraphQLUnionType)
    assert {t.name for t in entity.types} == set(ENTITY.values())
    assert not isinstance(change.fields["data"].type, GraphQLNonNull)
    assert schema.query_type is not None
    for feed in FEEDS:
        answer = schema.query_type.fields[feed].type
        assert isinstance(answer, GraphQLNonNull)
        assert change_set in answer.of_type.interfaces
    point = schema.type_map["Point"]
    assert isinstance(point, GraphQLObjectType)
    assert str(point.fields["codeNum"].type) == "String!"
    assert str(point.fields["date"].type) == "DateTime!"
    assert str(point.fields["dueDate"].type) == "DateTime"
    project = schema.type_map["Project"]
    assert isinstance(project, GraphQLObjectType)
    assert str(project.fields["startDate"].type) == "DateTime"


# --- change generation ----------------------------------------------------------------------
def make_sim(seed: int = 7) -> LetsBuildSim:
    ctx = SimContext(seed=seed, scale=1, clock=SandboxClock(FROZEN_EPOCH), changes_per_second=0)
    return LetsBuildSim(ctx)


def test_outstanding_partial_is_completed_by_a_later_update() -> None:
    """In-process (the HTTP side of partials is covered by the full walk): grow the feeds
    until a partial entity is outstanding, then see the fix arrive as an update."""
    sim = make_sim()
    for _ in range(2000):
        sim.append_changes(1)
        if sim.world.partials:
            break
    feed_name, entity_id, field = sim.admin_state()["partials"][0]
    feed = next(f for f in SEED_FEEDS if f.query == feed_name)
    cursor = None
    latest: dict = {}
    while True:  # read the whole feed through the same code the endpoint uses
        p = sim.sync_page(feed, cursor)
        latest.update({ch["entityId"]: ch for ch in p["changes"]})
        cursor = p["cursor"]
        if not p["hasMore"]:
            break
    assert latest[entity_id]["data"][field] == NULL_GUID
    sim.append_changes(61)  # the fix is due within 60 changes
    fixes = [ch for ch in sim.sync_page(feed, cursor)["changes"] if ch["entityId"] == entity_id]
    assert fixes[-1]["operationType"] == "UPDATED"
    assert UUID_RE.match(fixes[-1]["data"][field]) and fixes[-1]["data"][field] != NULL_GUID
    assert [feed_name, entity_id, field] not in sim.admin_state()["partials"]


def test_seed_is_deterministic_and_spread_over_past_weeks() -> None:
    """Source: the sandbox's own seeding."""
    a, b, other = make_sim(7), make_sim(7), make_sim(9)
    assert a.admin_state() == b.admin_state()
    assert a.admin_state()["feeds"] != other.admin_state()["feeds"]
    assert a.tokens == b.tokens != other.tokens
    stamps = [ch[4] for log in a.world.logs for ch in log]
    oldest = datetime.fromtimestamp(min(stamps) / 1000, UTC)
    newest = datetime.fromtimestamp(max(stamps) / 1000, UTC)
    assert FROZEN_EPOCH - timedelta(days=43) <= oldest < FROZEN_EPOCH - timedelta(days=30)
    assert FROZEN_EPOCH - timedelta(hours=1) < newest < FROZEN_EPOCH
    weekdays = {datetime.fromtimestamp(s / 1000, UTC).weekday() for s in stamps}
    assert weekdays == {0, 1, 2, 3, 4}  # site teams work on weekdays
    total = a.world.total()
    top = a.append_changes(25)
    assert a.world.total() == total + 25 and top == a.world.sequence


# --- faults ---------------------------------------------------------------------------------
def test_injected_errors_in_graphql_shape(sandbox: Sandbox) -> None:
    """Source: the sandbox's fault injection (--faults), in GraphQL's error shape."""
    codes = {500: "INTERNAL_SERVER_ERROR", 502: "BAD_GATEWAY", 503: "SERVICE_UNAVAILABLE"}
    with client(sandbox) as c:
        for status, code in codes.items():
            set_faults(sandbox, f"{status}=1,only=letsbuild")
            r = c.post("/graphql", json={"query": DOC_QUERIES["formSync"]})
            assert r.status_code == status
            (error,) = r.json()["errors"]
            assert error["extensions"] == {"code": code} and "injected" in error["message"]
            assert "Retry-After" not in r.headers
        set_faults(sandbox, "429=1,retry-after=3,only=letsbuild")
        r = c.post("/graphql", json={"query": DOC_QUERIES["pointSync"]})
        assert r.status_code == 429
        assert r.headers["Retry-After"] == "3"
        assert r.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_REQUESTS"
        set_faults(sandbox, "500=1,only=speckle")  # scoped to another vendor: no effect here
        assert page(c, "formSync")["hasMore"] is True


def test_dropped_connections_and_broken_bodies(sandbox: Sandbox) -> None:
    """Source: the sandbox's fault injection (--faults)."""
    total = admin_state(sandbox, "letsbuild")["total"]
    with client(sandbox) as c:
        set_faults(sandbox, "drop-before=1,only=letsbuild")
        with pytest.raises(httpx.RemoteProtocolError):
            c.post("/graphql", json={"query": DOC_QUERIES["formSync"]})
        with pytest.raises(httpx.RemoteProtocolError):
            generate(sandbox, 10)
        assert admin_state(sandbox, "letsbuild")["total"] == total  # never ran

        set_faults(sandbox, "drop-after=1,only=letsbuild")
        with pytest.raises(httpx.RemoteProtocolError):
            c.post("/graphql", json={"query": DOC_QUERIES["formSync"]})
        with pytest.raises(httpx.RemoteProtocolError):
            generate(sandbox, 10)
        assert admin_state(sandbox, "letsbuild")["total"] == total + 10  # ran, answer lost

        set_faults(sandbox, "malformed=1,only=letsbuild")
        r = c.post("/graphql", json={"query": DOC_QUERIES["formSync"]})
        assert r.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            r.json()

        set_faults(sandbox, "latency=20ms,jitter=10ms,only=letsbuild")
        slow = page(c, "formSync", query=DOC_QUERIES["formSync"])
        set_faults(sandbox, "none")
        assert slow == page(c, "formSync", query=DOC_QUERIES["formSync"])
    faults = httpx.get(f"{sandbox.base_url}/_admin/faults").json()["counts"]
    assert faults["drop-before"] == 2 and faults["drop-after"] == 2 and faults["malformed"] == 1


# --- live generator -------------------------------------------------------------------------
def test_live_generator_appends_and_cursors_pick_it_up(live_sandbox: Sandbox) -> None:
    """Source: the sandbox's live generator (--changes-per-second)."""
    with client(live_sandbox) as c:
        _, cursor, last_seen = walk(c, "pointSync")
        seen: list[dict] = []
        deadline = time.monotonic() + 10
        while len(seen) < 10 and time.monotonic() < deadline:  # ~23 point changes a second
            time.sleep(0.1)
            got, cursor, _ = walk(c, "pointSync", cursor)
            seen += got
    assert len(seen) >= 10, "the live generator added too few point changes"
    after = [row for row in truth(live_sandbox, "pointSync") if row[0] > last_seen]
    assert [[ch["entityId"], ch["operationType"]] for ch in seen] == [
        [eid, op] for _, eid, op in after[: len(seen)]
    ]
