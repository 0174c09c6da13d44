"""The Speckle simulator's GraphQL face: the schema, its resolvers, cursors and the errors a
request gets, the Speckle way (HTTP 200, `data: null`, `errors[].extensions.{code,
statusCode}`); the state they read is `SpeckleSim`'s.
"""

from __future__ import annotations

import base64
import binascii
import functools
from bisect import bisect_right
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    build_schema,
    parse,
    validate,
)
from starlette.responses import Response

from synctui.sandbox.core import iso
from synctui.sandbox.responses import JSONResponse
from synctui.sandbox.speckle_seed import (
    INTEGRATIONS,
    REFERENCE_POINTS,
)

if TYPE_CHECKING:
    from synctui.sandbox.speckle import SpeckleSim

SCHEMA_PATH = Path(__file__).with_name("schemas") / "speckle.graphql"
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
WRITE_SCOPE = "streams:write"
READ_SCOPE = "streams:read"

Key = tuple[int, str]  # (-createdAt in ms, id): newest first, ties broken by id


# --- errors ---------------------------------------------------------------------------------
class SpeckleError(GraphQLError):
    """A business error in Speckle's shape; graphql-core adds `path` and `locations`."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(message, extensions={"code": code, "statusCode": status})


def unauthorized() -> SpeckleError:
    return SpeckleError("UNAUTHORIZED", 401, "You must provide a valid auth token.")


def forbidden() -> SpeckleError:
    return SpeckleError(
        "FORBIDDEN", 403, f"Your auth token does not have the required scope: {WRITE_SCOPE}."
    )


def bad_request(message: str) -> SpeckleError:
    return SpeckleError("BAD_REQUEST_ERROR", 400, message)


def sync_not_found() -> SpeckleError:
    return SpeckleError("NOT_FOUND_ERROR", 404, "Sync not found")


def migration_required() -> SpeckleError:
    return SpeckleError(
        "SYNC_LEGACY_MIGRATION_REQUIRED",
        400,
        "This ACC sync is stored in legacy storage and must be migrated first: "
        "run syncMutations.migrateLegacy, then retry.",
    )


def paused_error() -> SpeckleError:
    return SpeckleError(
        "SYNC_PAUSED",
        400,
        "The sync is paused, so it cannot be triggered: "
        "call syncMutations.setActive with active: true first.",
    )


# --- cursors --------------------------------------------------------------------------------
def _ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def sync_key(record: dict[str, Any]) -> Key:
    return (-_ms(record["createdAt"]), record["id"])


def _encode_cursor(kind: str, payload: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}|{payload}".encode()).decode().rstrip("=")


def _decode_cursor(kind: str, cursor: str) -> str:
    """The payload of a cursor this server issued for the same kind of list."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    prefix, _, payload = raw.partition("|")
    if prefix != kind or not payload:
        raise bad_request("Invalid cursor")
    return payload


def _limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if limit < 0:
        raise bad_request("limit must not be negative")
    return min(limit, MAX_LIMIT)


def _page(
    kind: str, keys: list[Key], limit: int | None, cursor: str | None
) -> tuple[list[str], str | None]:
    """Keyset page over a sorted key list: stable while rows are added or removed."""
    size = _limit(limit)
    start = 0
    if cursor:
        ms, _, ident = _decode_cursor(kind, cursor).partition(":")
        try:
            start = bisect_right(keys, (int(ms), ident))
        except ValueError:
            raise bad_request("Invalid cursor") from None
    chunk = keys[start : start + size]
    more = start + size < len(keys)
    next_cursor = _encode_cursor(kind, f"{chunk[-1][0]}:{chunk[-1][1]}") if chunk and more else None
    return [ident for _, ident in chunk], next_cursor


# --- schema ---------------------------------------------------------------------------------
def _date_time(value: Any) -> Any:
    return iso(value) if isinstance(value, datetime) else value


@functools.cache
def schema() -> GraphQLSchema:
    """The SDL with resolvers and scalars attached; built once, shared by every sandbox."""
    built = build_schema(SCHEMA_PATH.read_text())
    # JSONObject keeps graphql-core's pass-through defaults on purpose: a non-object context
    # must reach the resolver, which answers BAD_REQUEST_ERROR the way Speckle does, rather
    # than fail input coercion with an HTTP 400.
    date_time = built.type_map["DateTime"]
    # graphql-core 3.3 reads coerce_output_value, 3.2 reads serialize.
    date_time.serialize = date_time.coerce_output_value = _date_time  # type: ignore[attr-defined]
    for type_name, fields in RESOLVERS.items():
        gql_type = built.type_map[type_name]
        for field_name, resolver in fields.items():
            gql_type.fields[field_name].resolve = resolver  # type: ignore[attr-defined]
    return built


@functools.lru_cache(maxsize=512)
def parse_document(query: str) -> tuple[DocumentNode | None, list[GraphQLError]]:
    """Parse and validate once per distinct query text: clients repeat the same few queries."""
    try:
        document = parse(query)
    except GraphQLError as exc:
        return None, [exc]
    return document, validate(schema(), document)


def _sim(info: GraphQLResolveInfo) -> SpeckleSim:
    return info.context["sim"]


# --- resolvers ------------------------------------------------------------------------------
SERVER_INFO: dict[str, Any] = {
    "name": "Speckle Sandbox",
    "company": "synctui sandbox",
    "description": "A local simulator of Speckle's cloud integration syncs.",
    "adminContact": None,
    "canonicalUrl": None,
    "version": "2.26.4",
    "scopes": [
        {"name": READ_SCOPE, "description": "Read your projects and their syncs."},
        {"name": WRITE_SCOPE, "description": "Create, update and delete syncs."},
        {"name": "profile:read", "description": "Read your profile."},
    ],
    "authStrategies": [],
    "workspaces": {"workspacesEnabled": False},
}


def _server_info(_root: Any, _info: GraphQLResolveInfo) -> dict[str, Any]:
    return SERVER_INFO


def _active_user(_root: Any, info: GraphQLResolveInfo) -> dict[str, Any] | None:
    if info.context["token"] is None:
        return None  # anonymous: no user, as Speckle answers
    sim = _sim(info)
    sim.require(info, READ_SCOPE)
    name = sim.users[sim.owner]
    return {
        "id": sim.owner,
        "name": name,
        "email": name.lower().replace(" ", ".") + "@sandbox.example",
        "bio": None,
        "company": "synctui sandbox",
        "avatar": None,
        "verified": True,
        "role": "server:user",
    }


def _user_projects(
    _user: Any, info: GraphQLResolveInfo, limit: int | None = None, cursor: str | None = None
) -> dict[str, Any]:
    sim = _sim(info)
    ids, next_cursor = _page("project", sim.project_keys, limit, cursor)
    return {
        "items": [sim.projects[i] for i in ids],
        "cursor": next_cursor,
        "totalCount": len(sim.project_keys),
    }


def _project(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any]:
    sim = _sim(info)
    sim.require(info, READ_SCOPE)
    return sim.project(id)


def _project_syncs(
    project: dict[str, Any],
    info: GraphQLResolveInfo,
    limit: int | None = None,
    cursor: str | None = None,
    integration: str | None = None,
) -> dict[str, Any]:
    sim = _sim(info)
    keys = sim.order.get((project["id"], integration), [])
    ids, next_cursor = _page("sync", keys, limit, cursor)
    return {"items": [sim.syncs[i] for i in ids], "cursor": next_cursor, "totalCount": len(keys)}


def _project_sync(project: dict[str, Any], info: GraphQLResolveInfo, id: str) -> dict[str, Any]:
    return _sim(info).sync(project["id"], id)


def _project_acc_sync_items(
    project: dict[str, Any],
    info: GraphQLResolveInfo,
    limit: int | None = None,
    cursor: str | None = None,
) -> dict[str, Any]:
    sim = _sim(info)
    keys = sim.legacy_order.get(project["id"], [])
    ids, next_cursor = _page("acc", keys, limit, cursor)
    return {"items": [sim.legacy[i] for i in ids], "cursor": next_cursor, "totalCount": len(keys)}


def _project_acc_sync_item(
    project: dict[str, Any], info: GraphQLResolveInfo, id: str
) -> dict[str, Any]:
    return _sim(info).legacy_item(project["id"], id)


def _project_ingestion(
    project: dict[str, Any], info: GraphQLResolveInfo, id: str
) -> dict[str, Any]:
    item = _sim(info).ingestion_item(project["id"], id)
    return _ingestion(item, info)


def _author(record: dict[str, Any], info: GraphQLResolveInfo) -> dict[str, Any] | None:
    author = record.get("authorId")
    name = _sim(info).users.get(author) if author else None
    return {"id": author, "name": name, "avatar": None} if name else None


def _owning_project(record: dict[str, Any], info: GraphQLResolveInfo) -> dict[str, Any]:
    return _sim(info).project(record["projectId"])


def _integration(sync: dict[str, Any], _info: GraphQLResolveInfo) -> dict[str, Any]:
    return INTEGRATIONS[sync["integration"]]


def _sync_model(sync: dict[str, Any], _info: GraphQLResolveInfo) -> dict[str, Any]:
    return {"id": sync["modelId"], "name": sync["modelName"]}


def _latest_item(sync: dict[str, Any], info: GraphQLResolveInfo) -> dict[str, Any] | None:
    history = _sim(info).history(sync)
    return history[-1] if history else None


def _latest_item_context(sync: dict[str, Any], info: GraphQLResolveInfo) -> Any:
    latest = _latest_item(sync, info)
    return latest["context"] if latest else None


def _sync_ingestion(sync: dict[str, Any], info: GraphQLResolveInfo) -> dict[str, Any] | None:
    latest = _latest_item(sync, info)
    return _ingestion(latest, info) if latest else None


def _history(
    sync: dict[str, Any],
    info: GraphQLResolveInfo,
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    history = _sim(info).history(sync)
    size = _limit(limit)
    end = len(history)  # items are stored oldest first and seq == index
    if cursor:
        try:
            end = max(0, min(end, int(_decode_cursor(f"history:{sync['id']}", cursor))))
        except ValueError:
            raise bad_request("Invalid cursor") from None
    start = max(0, end - size)
    items = history[start:end][::-1]
    next_cursor = (
        _encode_cursor(f"history:{sync['id']}", str(start)) if items and start > 0 else None
    )
    return {"items": items, "cursor": next_cursor, "totalCount": len(history)}


def _progress(item: dict[str, Any], now: datetime) -> tuple[str, datetime, float]:
    """(status, time of the last transition, fraction of processing done) at `now`."""
    created: datetime = item["createdAt"]
    elapsed = (now - created).total_seconds()
    queued, running = item["queuedFor"], item["runFor"]
    if elapsed < queued:
        return "queued", created, 0.0
    if elapsed < queued + running:
        return "processing", created + timedelta(seconds=queued), (elapsed - queued) / running
    return item["outcome"], created + timedelta(seconds=queued + running), 1.0


def _item_updated_at(item: dict[str, Any], info: GraphQLResolveInfo) -> datetime:
    return _progress(item, info.context["now"])[1]


def _status_data(item: dict[str, Any], status: str, done: float) -> dict[str, Any]:
    """The member of the `ModelIngestionStatusData` union for this status, with its text."""
    if status == "queued":
        return {
            "__typename": "ModelIngestionQueuedStatus",
            "status": status,
            "progressMessage": "Waiting for an available worker",
        }
    if status == "processing":
        return {
            "__typename": "ModelIngestionProcessingStatus",
            "status": status,
            "progress": round(done, 2),
            "progressMessage": f"Converting objects from {item['objects']:,} elements",
        }
    if status == "success":
        return {
            "__typename": "ModelIngestionSuccessStatus",
            "status": status,
            "versionId": item["versionId"],
        }
    if status == "cancelled":
        return {
            "__typename": "ModelIngestionCancelledStatus",
            "status": status,
            "cancellationMessage": item["message"] or "Cancelled",
        }
    if status == "invalidInput":
        return {
            "__typename": "ModelIngestionInvalidStatus",
            "status": status,
            "validationMessage": item["message"] or "Invalid input",
            "validationOptions": None,
        }
    # failed, and timeout (which has no member of its own in the schema).
    return {
        "__typename": "ModelIngestionFailedStatus",
        "status": status,
        "errorReason": item["message"] or "Ingestion failed",
        "errorStacktrace": None,
    }


def _ingestion(item: dict[str, Any], info: GraphQLResolveInfo) -> dict[str, Any]:
    """One model ingestion: the import run behind a history item."""
    status, changed, done = _progress(item, info.context["now"])
    return {
        "id": item["modelIngestionId"],
        "cancellationRequested": status == "cancelled",
        "createdAt": item["createdAt"],
        "updatedAt": changed,
        "modelId": item["modelId"],
        "projectId": item["projectId"],
        "userId": item["userId"],
        "statusData": _status_data(item, status, done),
    }


def _model_ingestion(item: dict[str, Any], info: GraphQLResolveInfo) -> dict[str, Any]:
    return _ingestion(item, info)


def _mutation_group(_root: Any, _info: GraphQLResolveInfo) -> dict[str, Any]:
    return {}


def _mutation(method: str) -> Any:
    """A syncMutations field: scope check first, then the simulator method with the input."""

    def resolve(_root: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> Any:
        sim = _sim(info)
        sim.require(info, WRITE_SCOPE)
        return getattr(sim, method)(input, info.context["now"])

    return resolve


RESOLVERS: dict[str, dict[str, Any]] = {
    "Query": {"serverInfo": _server_info, "activeUser": _active_user, "project": _project},
    "User": {"projects": _user_projects},
    "Project": {
        "syncs": _project_syncs,
        "sync": _project_sync,
        "accSyncItems": _project_acc_sync_items,
        "accSyncItem": _project_acc_sync_item,
        "ingestion": _project_ingestion,
    },
    "Sync": {
        "integration": _integration,
        "author": _author,
        "model": _sync_model,
        "project": _owning_project,
        "latestItem": _latest_item,
        "latestItemContext": _latest_item_context,
        "modelIngestion": _sync_ingestion,
        "history": _history,
    },
    "SyncItem": {"updatedAt": _item_updated_at, "modelIngestion": _model_ingestion},
    "AccSyncItem": {"author": _author, "project": _owning_project},
    "Mutation": {"syncMutations": _mutation_group, "accSyncItemMutations": _mutation_group},
    "SyncMutations": {
        "update": _mutation("update"),
        "setActive": _mutation("set_active"),
        "migrateLegacy": _mutation("migrate_legacy"),
        "create": _mutation("create"),
        "delete": _mutation("delete"),
    },
    "AccSyncItemMutations": {"update": _mutation("update_legacy")},
}


def validate_context(context: Any) -> dict[str, Any]:
    if not isinstance(context, dict):
        raise bad_request("context must be a JSON object")
    if "referencePoint" in context and context["referencePoint"] not in REFERENCE_POINTS:
        raise bad_request(
            f"Invalid referencePoint {context['referencePoint']!r}: expected one of "
            + ", ".join(REFERENCE_POINTS)
        )
    view = context.get("viewName")
    if view is not None and not isinstance(view, str):
        raise bad_request("viewName must be a string or null")
    return context


def request_error(
    status: int, code: str, errors: list[GraphQLError] | list[dict[str, Any]]
) -> Response:
    formatted = [e.formatted if isinstance(e, GraphQLError) else e for e in errors]
    for error in formatted:
        error.setdefault("extensions", {})
        error["extensions"] = {**error["extensions"], "code": code}
    return JSONResponse({"errors": formatted}, status_code=status)
