"""Speckle simulator: cloud integration syncs over GraphQL at `POST /speckle/graphql`.

Queries and mutations run through graphql-core against the sandbox's own SDL
(`schemas/speckle.graphql`), which declares the sync API exactly as the vendor's generated
client schema does (a union for an ingestion's status, `AccSyncItem.project`, a required
`CreateSyncInput.fileExtension`) plus the `activeUser`, `serverInfo` and `Project` fields
specklepy asks for. A client that sends a field Speckle does not have gets the same HTTP 400
validation error it would get from the real server. Business errors come back the Speckle
way: HTTP 200, `data: null`, `errors[].extensions.{code, statusCode}`.

Executions (history items) are never advanced by a timer: their status is computed from the
sandbox clock on every read, and their outcome is fixed when they are created. The schema,
resolvers, cursors and errors are `speckle_graphql`; this module holds the state and the
writes.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, insort
from datetime import datetime
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLResolveInfo,
    execute_sync,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from synctui.sandbox.core import SimContext, VendorSim, retry_after_header
from synctui.sandbox.responses import JSONResponse
from synctui.sandbox.speckle_graphql import (
    READ_SCOPE,
    WRITE_SCOPE,
    Key,
    SpeckleError,
    bad_request,
    forbidden,
    migration_required,
    parse_document,
    paused_error,
    request_error,
    schema,
    sync_key,
    sync_not_found,
    unauthorized,
    validate_context,
)
from synctui.sandbox.speckle_seed import (
    INTEGRATIONS,
    build_seed,
    failure_message,
    model_of,
    new_item,
    seed_history,
    short_id,
)


def _token(seed: str) -> str:
    """A fixed demo token shaped like a Speckle personal access token (42 characters)."""
    return hashlib.sha256(f"synctui-sandbox:speckle:{seed}".encode()).hexdigest()[:42]


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
        self.project_keys: list[Key] = sorted(sync_key(p) for p in self.projects.values())
        # (projectId, None) holds every sync of a project; (projectId, slug) one integration.
        self.order: dict[tuple[str, str | None], list[Key]] = {}
        for sync in self.syncs.values():
            for slot in ((sync["projectId"], None), (sync["projectId"], sync["integration"])):
                self.order.setdefault(slot, []).append(sync_key(sync))
        for keys in self.order.values():
            keys.sort()
        self.legacy_order: dict[str, list[Key]] = {}
        for item in self.legacy.values():
            self.legacy_order.setdefault(item["projectId"], []).append(sync_key(item))
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
            return request_error(
                400, "BAD_REQUEST", [{"message": "POST body must be a JSON object with a query."}]
            )
        variables = body.get("variables") or {}
        if not isinstance(variables, dict):
            return request_error(400, "BAD_REQUEST", [{"message": "variables must be an object."}])
        document, errors = parse_document(body["query"])
        if document is None:
            return request_error(400, "GRAPHQL_PARSE_FAILED", errors)
        if errors:
            return request_error(400, "GRAPHQL_VALIDATION_FAILED", errors)
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
            return request_error(400, "BAD_USER_INPUT", result.errors)
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
            raise unauthorized()
        if scope not in scopes:
            raise forbidden()

    def project(self, project_id: str) -> dict[str, Any]:
        project = self.projects.get(project_id)
        if project is None:
            raise SpeckleError("STREAM_NOT_FOUND", 404, "Project not found")
        return project

    def sync(self, project_id: str, sync_id: str) -> dict[str, Any]:
        sync = self.syncs.get(sync_id)
        if sync is None or sync["projectId"] != project_id:
            raise sync_not_found()
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
            raise migration_required()
        return self.sync(project["id"], data["id"])

    def history(self, sync: dict[str, Any]) -> list[dict[str, Any]]:
        if sync["history"] is None:
            sync["history"] = seed_history(sync, self.ctx.rng(f"speckle:history:{sync['id']}"))
            for item in sync["history"]:
                self.ingestions[item["modelIngestionId"]] = (sync["id"], item["seq"])
        return sync["history"]

    def _index(self, sync: dict[str, Any]) -> None:
        for slot in ((sync["projectId"], None), (sync["projectId"], sync["integration"])):
            insort(self.order.setdefault(slot, []), sync_key(sync))

    def _unindex(self, sync: dict[str, Any]) -> None:
        key = sync_key(sync)
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
            validate_context(context)
        if data.get("triggerNow") and not sync["active"]:
            raise paused_error()
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
        del keys[bisect_left(keys, sync_key(item))]
        self.syncs[sync["id"]] = sync
        self._index(sync)
        self.migrated.append(sync["id"])
        return sync

    def create(self, data: dict[str, Any], now: datetime) -> dict[str, Any]:
        project = self.project(data["projectId"])
        slug = data["integration"]
        if slug not in INTEGRATIONS:
            raise bad_request(
                f"Unknown integration {slug!r}: expected one of " + ", ".join(INTEGRATIONS)
            )
        context = data.get("context")
        context = validate_context(context) if context is not None else {}
        name = data["fileName"]
        extension = data["fileExtension"].strip().lower().lstrip(".")
        if not extension:
            raise bad_request("fileExtension must not be empty")
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
            del keys[bisect_left(keys, sync_key(item))]
        else:
            sync = self.sync(project["id"], data["id"])
            self._unindex(sync)
            del self.syncs[sync["id"]]
        self.deleted.append(data["id"])
        return True
