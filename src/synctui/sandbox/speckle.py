"""Speckle simulator: cloud integration syncs over GraphQL at `POST /speckle/graphql`.

Queries and mutations run through graphql-core against the sandbox's own SDL
(`schemas/speckle.graphql`), which declares the sync API exactly as the vendor's generated
client schema does (a union for an ingestion's status, `AccSyncItem.project`, a required
`CreateSyncInput.fileExtension`) plus the `activeUser`, `serverInfo` and `Project` fields
specklepy asks for. A client that sends a field Speckle does not have gets the same HTTP 400
validation error it would get from the real server. Business errors come back the Speckle
way: HTTP 200, `data: null`, `errors[].extensions.{code, statusCode}`.

Executions (history items) are never advanced by a timer: their status is computed from the
sandbox clock on every read, and their outcome is fixed when they are created.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
from bisect import bisect_left, bisect_right, insort
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    build_schema,
    execute_sync,
    parse,
    validate,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from synctui.sandbox.core import SimContext, VendorSim, iso, retry_after_header
from synctui.sandbox.responses import JSONResponse
from synctui.sandbox.speckle_seed import (
    INTEGRATIONS,
    REFERENCE_POINTS,
    build_seed,
    failure_message,
    model_of,
    new_item,
    seed_history,
    short_id,
)

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


def _unauthorized() -> SpeckleError:
    return SpeckleError("UNAUTHORIZED", 401, "You must provide a valid auth token.")


def _forbidden() -> SpeckleError:
    return SpeckleError(
        "FORBIDDEN", 403, f"Your auth token does not have the required scope: {WRITE_SCOPE}."
    )


def _bad_request(message: str) -> SpeckleError:
    return SpeckleError("BAD_REQUEST_ERROR", 400, message)


def _sync_not_found() -> SpeckleError:
    return SpeckleError("NOT_FOUND_ERROR", 404, "Sync not found")


def _migration_required() -> SpeckleError:
    return SpeckleError(
        "SYNC_LEGACY_MIGRATION_REQUIRED",
        400,
        "This ACC sync is stored in legacy storage and must be migrated first: "
        "run syncMutations.migrateLegacy, then retry.",
    )


def _paused() -> SpeckleError:
    return SpeckleError(
        "SYNC_PAUSED",
        400,
        "The sync is paused, so it cannot be triggered: "
        "call syncMutations.setActive with active: true first.",
    )


# --- cursors --------------------------------------------------------------------------------
def _ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def _key(record: dict[str, Any]) -> Key:
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
        raise _bad_request("Invalid cursor")
    return payload


def _limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if limit < 0:
        raise _bad_request("limit must not be negative")
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
            raise _bad_request("Invalid cursor") from None
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
def _document(query: str) -> tuple[DocumentNode | None, list[GraphQLError]]:
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
            raise _bad_request("Invalid cursor") from None
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


def _validate_context(context: Any) -> dict[str, Any]:
    if not isinstance(context, dict):
        raise _bad_request("context must be a JSON object")
    if "referencePoint" in context and context["referencePoint"] not in REFERENCE_POINTS:
        raise _bad_request(
            f"Invalid referencePoint {context['referencePoint']!r}: expected one of "
            + ", ".join(REFERENCE_POINTS)
        )
    view = context.get("viewName")
    if view is not None and not isinstance(view, str):
        raise _bad_request("viewName must be a string or null")
    return context


def _token(seed: str) -> str:
    """A fixed demo token shaped like a Speckle personal access token (42 characters)."""
    return hashlib.sha256(f"synctui-sandbox:speckle:{seed}".encode()).hexdigest()[:42]


def _request_error(
    status: int, code: str, errors: list[GraphQLError] | list[dict[str, Any]]
) -> Response:
    formatted = [e.formatted if isinstance(e, GraphQLError) else e for e in errors]
    for error in formatted:
        error.setdefault("extensions", {})
        error["extensions"] = {**error["extensions"], "code": code}
    return JSONResponse({"errors": formatted}, status_code=status)


# --- the simulator --------------------------------------------------------------------------
class SpeckleSim(VendorSim):
    name = "speckle"
    title = "Speckle"

    def __init__(self, ctx: SimContext) -> None:
        super().__init__(ctx)
        seed = build_seed(ctx.rng, ctx.scale, self.now())
        self.users: dict[str, str] = seed["users"]
        self.projects: dict[str, dict[str, Any]] = seed["projects"]
        self.syncs: dict[str, dict[str, Any]] = seed["syncs"]
        self.legacy: dict[str, dict[str, Any]] = seed["legacy"]
        self._taken: set[str] = seed["ids"]
        self._id_rng = ctx.rng("speckle:created")
        self.owner = next(iter(self.users))
        self.rw_token, self.ro_token = _token("rw"), _token("ro")
        self.tokens = {self.rw_token: {READ_SCOPE, WRITE_SCOPE}, self.ro_token: {READ_SCOPE}}
        self.project_keys: list[Key] = sorted(_key(p) for p in self.projects.values())
        # (projectId, None) holds every sync of a project; (projectId, slug) one integration.
        self.order: dict[tuple[str, str | None], list[Key]] = {}
        for sync in self.syncs.values():
            for slot in ((sync["projectId"], None), (sync["projectId"], sync["integration"])):
                self.order.setdefault(slot, []).append(_key(sync))
        for keys in self.order.values():
            keys.sort()
        self.legacy_order: dict[str, list[Key]] = {}
        for item in self.legacy.values():
            self.legacy_order.setdefault(item["projectId"], []).append(_key(item))
        for keys in self.legacy_order.values():
            keys.sort()
        self.migrated: list[str] = []
        self.created: list[str] = []
        self.deleted: list[str] = []
        # modelIngestionId → (sync id, position in its history), filled as histories expand.
        self.ingestions: dict[str, tuple[str, int]] = {}

    # --- frame ------------------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return [Route("/graphql", self.graphql, methods=["POST"])]

    def info(self, base_url: str) -> dict[str, Any]:
        return {
            "base_url": base_url,
            "tokens": {"rw": self.rw_token, "ro": self.ro_token},
            "ids": {"projects": list(self.projects)},
        }

    def error_response(self, status: int, message: str, retry_after: float | None) -> Response:
        headers = {"Retry-After": retry_after_header(retry_after)} if status == 429 else None
        body = {
            "errors": [
                {
                    "message": message,
                    "extensions": {"code": "INTERNAL_SERVER_ERROR", "statusCode": status},
                }
            ]
        }
        return JSONResponse(body, status_code=status, headers=headers)

    def admin_state(self) -> dict[str, Any]:
        return {
            "syncs": {
                sid: {
                    "projectId": sync["projectId"],
                    "updates": sync.get("updates", 0),
                    "triggers": sync.get("triggers", 0),
                    "active": sync["active"],
                    "context": sync["context"],
                }
                for sid, sync in self.syncs.items()
            },
            "legacy": list(self.legacy),
            "migrated": list(self.migrated),
            "created": list(self.created),
            "deleted": list(self.deleted),
        }

    # --- HTTP -------------------------------------------------------------------------------
    async def graphql(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return _request_error(
                400, "BAD_REQUEST", [{"message": "POST body must be a JSON object with a query."}]
            )
        variables = body.get("variables") or {}
        if not isinstance(variables, dict):
            return _request_error(400, "BAD_REQUEST", [{"message": "variables must be an object."}])
        document, errors = _document(body["query"])
        if document is None:
            return _request_error(400, "GRAPHQL_PARSE_FAILED", errors)
        if errors:
            return _request_error(400, "GRAPHQL_VALIDATION_FAILED", errors)
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        context = {
            "sim": self,
            "token": token.strip() if scheme.lower() == "bearer" and token.strip() else None,
            "now": self.now(),
        }
        with self.lock:
            result = execute_sync(
                schema(),
                document,
                context_value=context,
                variable_values=variables,
                operation_name=body.get("operationName"),
            )
        if result.errors and result.data is None and all(e.path is None for e in result.errors):
            # Variables that do not fit their types, or an unknown operationName.
            return _request_error(400, "BAD_USER_INPUT", result.errors)
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [self._format(e) for e in result.errors]
        return JSONResponse(payload)

    @staticmethod
    def _format(error: GraphQLError) -> dict[str, Any]:
        formatted = dict(error.formatted)
        if "code" not in formatted.get("extensions", {}):
            formatted["extensions"] = {"code": "INTERNAL_SERVER_ERROR", "statusCode": 500}
        return formatted

    # --- lookups ----------------------------------------------------------------------------
    def require(self, info: GraphQLResolveInfo, scope: str) -> None:
        scopes = self.tokens.get(info.context["token"] or "")
        if scopes is None:
            raise _unauthorized()
        if scope not in scopes:
            raise _forbidden()

    def project(self, project_id: str) -> dict[str, Any]:
        project = self.projects.get(project_id)
        if project is None:
            raise SpeckleError("STREAM_NOT_FOUND", 404, "Project not found")
        return project

    def sync(self, project_id: str, sync_id: str) -> dict[str, Any]:
        sync = self.syncs.get(sync_id)
        if sync is None or sync["projectId"] != project_id:
            raise _sync_not_found()
        return sync

    def legacy_item(self, project_id: str, item_id: str) -> dict[str, Any]:
        item = self.legacy.get(item_id)
        if item is None or item["projectId"] != project_id:
            raise SpeckleError("NOT_FOUND_ERROR", 404, "ACC sync item not found")
        return item

    def ingestion_item(self, project_id: str, ingestion_id: str) -> dict[str, Any]:
        """The history item behind an ingestion id; histories are expanded as needed."""
        self.project(project_id)
        found = self.ingestions.get(ingestion_id)
        if found is None:
            for key in self.order.get((project_id, None), []):
                self.history(self.syncs[key[1]])
            found = self.ingestions.get(ingestion_id)
        if found is not None:
            sync = self.syncs.get(found[0])
            if sync is not None and sync["projectId"] == project_id:
                return self.history(sync)[found[1]]
        raise SpeckleError("NOT_FOUND_ERROR", 404, "Model ingestion not found")

    def _writable_sync(self, data: dict[str, Any]) -> dict[str, Any]:
        """The sync a write names, or why it cannot be written."""
        project = self.project(data["projectId"])
        legacy = self.legacy.get(data["id"])
        if legacy is not None and legacy["projectId"] == project["id"]:
            raise _migration_required()
        return self.sync(project["id"], data["id"])

    def history(self, sync: dict[str, Any]) -> list[dict[str, Any]]:
        if sync["history"] is None:
            sync["history"] = seed_history(sync, self.ctx.rng(f"speckle:history:{sync['id']}"))
            for item in sync["history"]:
                self.ingestions[item["modelIngestionId"]] = (sync["id"], item["seq"])
        return sync["history"]

    def _index(self, sync: dict[str, Any]) -> None:
        for slot in ((sync["projectId"], None), (sync["projectId"], sync["integration"])):
            insort(self.order.setdefault(slot, []), _key(sync))

    def _unindex(self, sync: dict[str, Any]) -> None:
        key = _key(sync)
        for slot in ((sync["projectId"], None), (sync["projectId"], sync["integration"])):
            keys = self.order[slot]
            del keys[bisect_left(keys, key)]

    def _run(self, sync: dict[str, Any], now: datetime) -> dict[str, Any]:
        """Start an execution: queued → processing → outcome over a few seconds of clock."""
        history = self.history(sync)
        seq = len(history)
        rng = self.ctx.rng(f"speckle:run:{sync['id']}:{seq}")
        outcome = "success" if rng.random() < 0.85 else "failed"
        item = new_item(
            sync,
            seq,
            now,
            outcome,
            failure_message(rng, sync, outcome),
            queued_for=rng.uniform(1, 3),
            run_for=rng.uniform(3, 9),
            objects=rng.randint(800, 250_000),
        )
        history.append(item)
        self.ingestions[item["modelIngestionId"]] = (sync["id"], seq)
        return item

    # --- mutations --------------------------------------------------------------------------
    def update(self, data: dict[str, Any], now: datetime) -> dict[str, Any]:
        sync = self._writable_sync(data)
        context = data.get("context")  # omitted or null: leave the context as it is
        if context is not None:
            _validate_context(context)
        if data.get("triggerNow") and not sync["active"]:
            raise _paused()
        if context is not None:
            sync["context"] = context
        sync["updatedAt"] = now
        sync["updates"] = sync.get("updates", 0) + 1
        if data.get("triggerNow"):
            self._run(sync, now)
            sync["triggers"] = sync.get("triggers", 0) + 1
        return sync

    def set_active(self, data: dict[str, Any], now: datetime) -> dict[str, Any]:
        sync = self._writable_sync(data)
        if sync["active"] != data["active"]:
            sync["active"] = data["active"]
            sync["updatedAt"] = now
        return sync

    def migrate_legacy(self, data: dict[str, Any], now: datetime) -> dict[str, Any]:
        project = self.project(data["projectId"])
        item = self.legacy.get(data["id"])
        if item is None or item["projectId"] != project["id"]:
            return self.sync(project["id"], data["id"])  # already migrated: unchanged
        model_id, model_name = (
            (item["model"]["id"], item["model"]["name"])
            if item["model"]
            else model_of(item["id"], item["accFileName"])
        )
        sync = {
            "id": item["id"],
            "projectId": project["id"],
            "integration": "acc",
            "active": item["status"] != "paused",
            "context": {
                "referencePoint": "internalOrigin",
                "viewName": item["accFileViewName"],
                "accRegion": item["accRegion"],
                "accHubId": item["accHubId"],
                "accProjectId": item["accProjectId"],
            },
            "fileName": item["accFileName"],
            "fileId": item["accFileLineageUrn"],
            "fileExtension": item["accFileExtension"],
            "fileFolderPath": list(item["accFolderPath"]),
            "fileParentFolderId": None,
            "modelId": model_id,
            "modelName": model_name,
            "createdAt": item["createdAt"],
            "updatedAt": now,
            "authorId": item["authorId"],
            "history": [],
        }
        ending = {"succeeded": "success", "failed": "failed"}.get(item["status"])
        if ending:
            # Keep the last legacy outcome visible as the sync's latest execution.
            reason = "Legacy ACC sync failed before migration" if ending == "failed" else None
            first = new_item(sync, 0, item["updatedAt"], ending, reason, 0.0, 0.0, 0)
            sync["history"].append(first)
            self.ingestions[first["modelIngestionId"]] = (sync["id"], 0)
        del self.legacy[item["id"]]
        keys = self.legacy_order[project["id"]]
        del keys[bisect_left(keys, _key(item))]
        self.syncs[sync["id"]] = sync
        self._index(sync)
        self.migrated.append(sync["id"])
        return sync

    def create(self, data: dict[str, Any], now: datetime) -> dict[str, Any]:
        project = self.project(data["projectId"])
        slug = data["integration"]
        if slug not in INTEGRATIONS:
            raise _bad_request(
                f"Unknown integration {slug!r}: expected one of " + ", ".join(INTEGRATIONS)
            )
        context = data.get("context")
        context = _validate_context(context) if context is not None else {}
        name = data["fileName"]
        extension = data["fileExtension"].strip().lower().lstrip(".")
        if not extension:
            raise _bad_request("fileExtension must not be empty")
        sid = short_id(self._id_rng, self._taken)
        model_id, model_name = model_of(sid, name)
        sync = {
            "id": sid,
            "projectId": project["id"],
            "integration": slug,
            "active": True,  # CreateSyncInput has no `active`: a new sync runs
            "context": context,
            "fileName": name,
            "fileId": data["fileId"],
            "fileExtension": extension,
            "fileFolderPath": data.get("fileFolderPath"),
            "fileParentFolderId": data.get("fileParentFolderId"),
            "modelId": model_id,
            "modelName": model_name,
            "createdAt": now,
            "updatedAt": now,
            "authorId": self.owner,
            "history": [],
        }
        self.syncs[sid] = sync
        self._index(sync)
        self._run(sync, now)  # a new sync imports its file at once
        self.created.append(sid)
        return sync

    def update_legacy(self, data: dict[str, Any], now: datetime) -> dict[str, Any]:
        """The deprecated `accSyncItemMutations.update`: sets a legacy item's status."""
        item = self.legacy_item(self.project(data["projectId"])["id"], data["id"])
        if item["status"] != data["status"]:
            item["status"] = data["status"]
            item["updatedAt"] = now
        return item

    def delete(self, data: dict[str, Any], now: datetime) -> bool:
        project = self.project(data["projectId"])
        item = self.legacy.get(data["id"])
        if item is not None and item["projectId"] == project["id"]:
            del self.legacy[item["id"]]
            keys = self.legacy_order[project["id"]]
            del keys[bisect_left(keys, _key(item))]
        else:
            sync = self.sync(project["id"], data["id"])
            self._unindex(sync)
            del self.syncs[sync["id"]]
        self.deleted.append(data["id"])
        return True
