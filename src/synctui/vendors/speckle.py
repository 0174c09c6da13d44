"""Speckle: cloud integration syncs (ACC, ProjectWise) over GraphQL at `{host}/graphql`.

A Speckle sync lives inside a project, so the id synctui shows is `PROJECT_ID/SYNC_ID`; a bare
`SYNC_ID` is accepted when the account names one project, or looked up across its projects.

Editing follows the vendor's documented flow: `syncMutations.update` takes the *whole*
`context` (a JSON object whose keys are integration-specific), so the adapter merges the
user's patch into the context as loaded and sends all of it; keys synctui does not know
survive because they are sent back untouched. Pausing and resuming are `setActive`. A paused
sync rejects `triggerNow`, so a resume is sent before an update that triggers. Legacy ACC
syncs exist only in the deprecated `project.accSyncItems` until `migrateLegacy` promotes them.

Mutations are not idempotent and the shared transport never resends one whose answer was
lost; every write goes through `confirm_or_retry` with a verify step that re-reads the sync,
so a write is applied once and a run is triggered once even when connections drop.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from typing import Any, ClassVar

from gql import GraphQLRequest
from pydantic import BaseModel, ConfigDict, StrictBool, ValidationError

from synctui.domain import errors
from synctui.domain.merge_patch import (
    MergePatchError,
    apply_merge_patch,
    json_equal,
    require_object_patch,
)
from synctui.domain.models import (
    Capability,
    PlannedRequest,
    Run,
    RunState,
    Sync,
    SyncStatus,
    WritePlan,
    WriteResult,
)
from synctui.domain.validation import ValidationIssue, validate_speckle_context
from synctui.vendors.base import short_when, unreadable_sync
from synctui.vendors.graphql import GraphQLAdapter, document

PAGE_SIZE = 100
EDITABLE_KEYS = ("active", "context")
LEGACY_REASON = "legacy ACC sync: migrate it before editing"
PAUSED_MESSAGE = "sync is paused: resume it before triggering"
PAUSED_REASON = "paused: file changes trigger no runs"

# The codes for "paused sync cannot be triggered" and "legacy sync must be migrated" are not
# public: these are the ones observed so far, and the message wording is the fallback.
PAUSED_CODES = frozenset({"SYNC_PAUSED"})
LEGACY_CODES = frozenset({"SYNC_LEGACY_MIGRATION_REQUIRED"})
AUTH_CODES = frozenset({"UNAUTHORIZED", "UNAUTHENTICATED"})
PROJECT_NOT_FOUND_CODES = frozenset({"STREAM_NOT_FOUND", "PROJECT_NOT_FOUND"})
BAD_REQUEST_CODES = frozenset(
    {"BAD_REQUEST_ERROR", "BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST"}
)

# modelIngestion.statusData.status → RunState; matched case-insensitively, shown verbatim.
RUN_STATES: dict[str, RunState] = {
    "queued": RunState.QUEUED,
    "processing": RunState.RUNNING,
    "success": RunState.SUCCESS,
    "failed": RunState.FAILED,
    "timeout": RunState.FAILED,
    "invalidinput": RunState.FAILED,
    "cancelled": RunState.CANCELLED,
}


# --- the vendor's objects ------------------------------------------------------------------
class _VendorModel(BaseModel):
    """Vendor JSON: unknown fields are kept, enums stay plain text so new values show as is."""

    model_config = ConfigDict(extra="allow")


class SpeckleIntegration(_VendorModel):
    slug: str | None = None
    name: str | None = None


class SpeckleIngestionStatus(_VendorModel):
    status: str | None = None
    progressMessage: str | None = None
    errorMessage: str | None = None


class SpeckleIngestion(_VendorModel):
    id: str | None = None
    statusData: SpeckleIngestionStatus | None = None


class SpeckleSyncItem(_VendorModel):
    """One execution of a sync (a history item)."""

    id: str
    syncId: str | None = None
    context: dict[str, Any] | None = None
    createdAt: str | None = None
    updatedAt: str | None = None
    modelIngestionId: str | None = None
    modelIngestion: SpeckleIngestion | None = None


class SpeckleSync(_VendorModel):
    """A cloud integration sync. `active` and `context` are what a write is built from, so
    they are checked strictly: a sync whose `active` is not a boolean or whose `context` is
    not an object is shown, but never edited."""

    id: str
    active: StrictBool
    context: dict[str, Any] | None = None
    fileName: str | None = None
    fileId: str | None = None
    fileExtension: str | None = None
    integration: SpeckleIntegration | None = None
    createdAt: str | None = None
    updatedAt: str | None = None
    # Parsed on its own (parse_run): a broken latest item must not hide the sync.
    latestItem: Any = None


class SpeckleLegacySync(_VendorModel):
    """A legacy ACC sync from the deprecated `project.accSyncItems`."""

    id: str
    projectId: str | None = None
    accFileName: str | None = None
    accFileExtension: str | None = None
    status: str | None = None
    createdAt: str | None = None
    updatedAt: str | None = None


# --- GraphQL documents ---------------------------------------------------------------------
_ITEM_FIELDS = """
fragment SyncItemFields on SyncItem {
  id
  syncId
  createdAt
  updatedAt
  modelIngestionId
  modelIngestion { id statusData { status progressMessage errorMessage } }
}
"""

_SYNC_FIELDS = (
    """
fragment SyncFields on Sync {
  id
  fileName
  fileId
  fileExtension
  fileFolderPath
  fileParentFolderId
  integration { slug name }
  active
  context
  createdAt
  updatedAt
  author { id name }
  latestItem { ...SyncItemFields }
}
"""
    + _ITEM_FIELDS
)

Q_SYNCS = (
    """
query ProjectSyncs($projectId: String!, $limit: Int, $cursor: String) {
  project(id: $projectId) {
    id
    name
    syncs(limit: $limit, cursor: $cursor) { items { ...SyncFields } cursor totalCount }
  }
}
"""
    + _SYNC_FIELDS
)

Q_SYNC = (
    """
query ProjectSync($projectId: String!, $syncId: String!) {
  project(id: $projectId) { id name sync(id: $syncId) { ...SyncFields } }
}
"""
    + _SYNC_FIELDS
)

Q_LEGACY = """
query ProjectLegacySyncs($projectId: String!, $limit: Int, $cursor: String) {
  project(id: $projectId) {
    id
    name
    accSyncItems(limit: $limit, cursor: $cursor) {
      items {
        id
        projectId
        accFileName
        accFileExtension
        accFileLineageUrn
        accRegion
        accHubId
        accProjectId
        status
        author { id name }
        createdAt
        updatedAt
      }
      cursor
      totalCount
    }
  }
}
"""

Q_HISTORY = (
    """
query SyncHistory($projectId: String!, $syncId: String!, $limit: Int, $cursor: String) {
  project(id: $projectId) {
    id
    sync(id: $syncId) {
      id
      history(limit: $limit, cursor: $cursor) {
        items { ...SyncItemFields context }
        cursor
        totalCount
      }
    }
  }
}
"""
    + _ITEM_FIELDS
)

# The documented mutation takes `$input: UpdateSyncInput!`. The other inputs' type names are
# not public, so they are written as inline objects of plain variables: a renamed input type
# on the server cannot break them.
# What a write answers with: the fields it changes and the run it may start. The rest of the
# sync is already known from the read before it, which keeps a dry run's query short.
_WRITE_FIELDS = """
  id
  active
  context
  updatedAt
  latestItem {
    id
    syncId
    createdAt
    updatedAt
    modelIngestionId
    modelIngestion { id statusData { status progressMessage errorMessage } }
  }
"""

M_UPDATE = (
    "mutation UpdateSync($input: UpdateSyncInput!) {\n"
    "  syncMutations { update(input: $input) {" + _WRITE_FIELDS + "} }\n}\n"
)

M_SET_ACTIVE = (
    "mutation SetSyncActive($id: ID!, $projectId: String!, $active: Boolean!) {\n"
    "  syncMutations {\n"
    "    setActive(input: { id: $id, projectId: $projectId, active: $active }) {"
    + _WRITE_FIELDS
    + "}\n  }\n}\n"
)

M_MIGRATE = (
    """
mutation MigrateLegacySync($id: ID!, $projectId: String!) {
  syncMutations { migrateLegacy(input: { id: $id, projectId: $projectId }) { ...SyncFields } }
}
"""
    + _SYNC_FIELDS
)

M_DELETE = """
mutation DeleteSync($id: ID!, $projectId: String!) {
  syncMutations { delete(input: { id: $id, projectId: $projectId }) }
}
"""

MUTATIONS = {"update": M_UPDATE, "setActive": M_SET_ACTIVE}


def _check_query(count: int) -> str:
    """One read covering every configured project (aliased), so `check` is a single call."""
    params = ", ".join(f"$p{i}: String!" for i in range(count))
    fields = " ".join(
        f"p{i}: project(id: $p{i}) {{ id name syncs(limit: 1) {{ totalCount }} }}"
        for i in range(count)
    )
    return f"query CheckProjects({params}) {{ {fields} }}"


# --- parsing (pure) ------------------------------------------------------------------------


def run_state(status: Any) -> RunState:
    if not isinstance(status, str):
        return RunState.UNKNOWN
    return RUN_STATES.get(status.strip().lower(), RunState.UNKNOWN)


def parse_run(item: Any) -> Run | None:
    """A history item as a Run, or None if it cannot be read (it is then left out)."""
    try:
        model = SpeckleSyncItem.model_validate(item)
    except ValidationError:
        return None
    data = model.modelIngestion.statusData if model.modelIngestion else None
    status = data.status if data and data.status is not None else ""
    state = run_state(status)
    return Run(
        id=model.id,
        state=state,
        vendor_status=status,
        created_at=model.createdAt,
        finished_at=model.updatedAt if state.finished else None,
        summary=(data.progressMessage or "") if data else "",
        error=data.errorMessage if data else None,
        raw=item,
    )


def _sync_status(model: SpeckleSync, run: Run | None) -> tuple[SyncStatus, str | None]:
    if not model.active:
        return SyncStatus.PAUSED, PAUSED_REASON
    if run is not None and run.state is RunState.FAILED:
        return SyncStatus.ERROR, run.error or f"latest ingestion ended {run.vendor_status}"
    return SyncStatus.ACTIVE, None


def _vendor_status(model: SpeckleSync, run: Run | None) -> str:
    text = f"active={'true' if model.active else 'false'}"
    return f"{text}, ingestion={run.vendor_status}" if run and run.vendor_status else text


def _latest_column(status: str, when: Any) -> str:
    stamp = short_when(when)
    return f"{status} · {stamp}" if status and stamp else status or stamp or "never"


def parse_sync(account: str, item: Any, project_id: str, project_name: str | None) -> Sync | None:
    """A `Sync` from one vendor sync object.

    An item that cannot be read still shows up (status unknown, the reason saying why) as
    long as it has an id, so one bad row never hides the rest of a list; `editable` refuses it.
    An item without an id cannot be addressed at all and is left out (None).
    """
    project = project_name or project_id
    try:
        model = SpeckleSync.model_validate(item)
    except ValidationError as exc:
        return unreadable_sync(
            item,
            exc,
            account=account,
            vendor="speckle",
            title="Speckle",
            name_key="fileName",
            updated_key="updatedAt",
            id_prefix=f"{project_id}/",
            columns={"project": project},
        )
    run = parse_run(model.latestItem) if model.latestItem is not None else None
    status, reason = _sync_status(model, run)
    integration = model.integration
    columns = {
        "file": model.fileName or model.fileId or model.id,
        "integration": (integration.name or integration.slug or "") if integration else "",
        "project": project,
        "active": "yes" if model.active else "no",
        "latest_ingestion": _latest_column(
            run.vendor_status if run else "",
            (run.raw.get("updatedAt") or run.created_at) if run else None,
        ),
    }
    return Sync(
        account=account,
        vendor="speckle",
        id=f"{project_id}/{model.id}",
        name=model.fileName or model.fileId or model.id,
        status=status,
        vendor_status=_vendor_status(model, run),
        status_reason=reason,
        columns=columns,
        updated_at=model.updatedAt,
        latest_run=run,
        complete=True,
        raw=item,
    )


def parse_legacy(account: str, item: Any, project_id: str, project_name: str | None) -> Sync | None:
    """A legacy ACC sync: listed so it can be found and migrated, never edited as is."""
    try:
        model = SpeckleLegacySync.model_validate(item)
    except ValidationError:
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(ident, str) or not ident:
            return None
        model = SpeckleLegacySync(id=ident)
    status = model.status if model.status is not None else ""
    return Sync(
        account=account,
        vendor="speckle",
        id=f"{project_id}/{model.id}",
        name=model.accFileName or model.id,
        status=SyncStatus.LEGACY,
        vendor_status=status,
        status_reason=LEGACY_REASON,
        columns={
            "file": model.accFileName or model.id,
            "integration": "ACC (legacy)",
            "project": project_name or project_id,
            "active": "no" if status.lower() == "paused" else "yes",
            "latest_ingestion": _latest_column(status, model.updatedAt),
        },
        updated_at=model.updatedAt,
        complete=True,
        raw=item if isinstance(item, dict) else {"value": item},
    )


def _strip_nulls(value: Any) -> Any:
    """A context with null members dropped: a server may store `"viewName": null` or omit it."""
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    return value


def same_context(a: Any, b: Any) -> bool:
    return json_equal(_strip_nulls(a or {}), _strip_nulls(b or {}))


def _latest_id(raw: dict[str, Any]) -> str | None:
    latest = raw.get("latestItem")
    return latest.get("id") if isinstance(latest, dict) else None


class ProjectNotFound(errors.NotFound):
    """The project itself is unknown (as opposed to a sync in it); `path` names the field."""

    def __init__(self, message: str, *, path: list[Any] | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.path = path or []


# --- the adapter ---------------------------------------------------------------------------
class SpeckleAdapter(GraphQLAdapter):
    vendor = "speckle"
    sdl_name = "speckle"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.LIST,
            Capability.GET,
            Capability.EDIT,
            Capability.PAUSE_RESUME,
            Capability.TRIGGER,
            Capability.RUNS,
            Capability.MIGRATE,
            Capability.DELETE,
        }
    )
    table_columns: ClassVar[tuple[tuple[str, str], ...]] = (
        ("file", "File"),
        ("integration", "Integration"),
        ("project", "Project"),
        ("active", "Active"),
        ("latest_ingestion", "Latest ingestion"),
    )
    page_size = PAGE_SIZE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._project_names: dict[str, str] = {}

    # --- errors ---------------------------------------------------------------------------
    def map_graphql_errors(self, items: list[Any]) -> errors.SyncTuiError:
        """Speckle answers HTTP 200 with `errors[].extensions.{code, statusCode}`.

        Codes for the paused-trigger and legacy cases are not public, so the wording of the
        message is checked too; every error comes out as a sentence without the token.
        """
        first = items[0] if items and isinstance(items[0], dict) else {"message": str(items)}
        message = self.redact(str(first.get("message") or "unknown error"))
        ext = first.get("extensions") if isinstance(first.get("extensions"), dict) else {}
        code = str(ext.get("code") or "").upper()
        status = ext.get("statusCode")
        path = first.get("path") if isinstance(first.get("path"), list) else []
        low = message.lower()
        name = self.account.name
        if code in PAUSED_CODES or ("paused" in low and "trigger" in low):
            return errors.SyncPaused(PAUSED_MESSAGE)
        if code in LEGACY_CODES or ("legacy" in low and "migrat" in low):
            return errors.NeedsMigration(LEGACY_REASON)
        if code in AUTH_CODES or status == 401:
            return errors.AuthError(
                f"{name}: the token was rejected: {message}",
                hint="check or replace this account's token",
            )
        if code == "FORBIDDEN" or status == 403:
            for scope in ("streams:write", "streams:read"):
                if scope in low:
                    return errors.PermissionDenied(
                        f"{name}: token lacks {scope}",
                        hint="use a personal access token with streams:read and streams:write",
                    )
            return errors.PermissionDenied(f"{name}: {message}")
        if code in PROJECT_NOT_FOUND_CODES or (
            (code.endswith("NOT_FOUND") or code == "NOT_FOUND_ERROR" or status == 404)
            and len(path) == 1
        ):
            return ProjectNotFound(f"{name}: {message}", path=path)
        if code.endswith("NOT_FOUND") or code == "NOT_FOUND_ERROR" or status == 404:
            return errors.NotFound(f"{name}: {message}")
        if code in BAD_REQUEST_CODES or status == 400:
            return errors.ValidationFailed(f"{name}: {message}")
        if status == 429:
            return errors.RateLimited(f"{name}: rate limited by Speckle; try again shortly")
        return super().map_graphql_errors(items)

    # --- ids and projects -----------------------------------------------------------------
    def _projects(self) -> tuple[str, ...]:
        if not self.account.projects:
            raise errors.ConfigError(
                f"{self.account.name}: no Speckle project ids configured",
                hint='add projects = ["PROJECT_ID"] to this account in accounts.toml',
            )
        return self.account.projects

    def _split(self, sync_id: str) -> tuple[str | None, str]:
        """`PROJECT/SYNC` → (project, sync); a bare id → (None, sync)."""
        text = sync_id.strip()
        if "/" not in text:
            if not text:
                raise errors.UsageError("a Speckle sync id cannot be empty")
            return None, text
        project, _, sync = text.partition("/")
        if not project or not sync or "/" in sync:
            raise errors.UsageError(
                f"{sync_id!r} is not a Speckle sync id: use PROJECT_ID/SYNC_ID or SYNC_ID"
            )
        return project, sync

    def _full_id(self, sync: Sync) -> tuple[str, str]:
        project, sid = self._split(sync.id)
        if project is None:
            raise errors.UsageError(f"{sync.id!r} does not name its project (PROJECT_ID/SYNC_ID)")
        return project, sid

    async def _resolve(self, sync_id: str) -> tuple[str, str]:
        """(project, sync) for an id, reading only when a bare id needs looking up."""
        project, sid = self._split(sync_id)
        if project is not None:
            return project, sid
        projects = self._projects()
        if len(projects) == 1:
            return projects[0], sid
        return self._full_id(await self.get_sync(sync_id))

    async def _project_data(
        self, project_id: str, source: str, variables: dict[str, Any]
    ) -> dict[str, Any]:
        """Run a `project(id)` query; the project object, its name remembered for columns."""
        try:
            result = await self.execute(source, {"projectId": project_id, **variables})
        except ProjectNotFound:
            raise ProjectNotFound(
                f"{self.account.name}: Speckle project {project_id} not found",
                hint="check the project ids of this account and the token's access",
            ) from None
        project = result.get("project")
        if not isinstance(project, dict):
            raise errors.VendorError(f"{self.account.name}: unreadable answer from Speckle")
        if isinstance(project.get("name"), str):
            self._project_names[project_id] = project["name"]
        return project

    def _parse(self, raw: dict[str, Any], project_id: str) -> Sync:
        sync = parse_sync(self.account.name, raw, project_id, self._project_names.get(project_id))
        if sync is None:
            raise errors.VendorError(f"{self.account.name}: unreadable sync from Speckle")
        return sync

    # --- reads ----------------------------------------------------------------------------
    async def check(self) -> str:
        projects = self._projects()
        variables = {f"p{i}": pid for i, pid in enumerate(projects)}
        try:
            result = await self.execute(_check_query(len(projects)), variables)
        except ProjectNotFound as exc:
            alias = str(exc.path[0]) if exc.path else ""
            missing = variables.get(alias, "one of the configured projects")
            raise errors.NotFound(
                f"{self.account.name}: Speckle project {missing} not found",
                hint="check the project ids of this account and the token's access",
            ) from None
        parts = []
        for alias, pid in variables.items():
            project = result.get(alias) if isinstance(result.get(alias), dict) else {}
            syncs = project.get("syncs") if isinstance(project.get("syncs"), dict) else {}
            total = syncs.get("totalCount")
            parts.append(f"{project.get('name') or pid} ({total if total is not None else '?'})")
        noun = "project" if len(parts) == 1 else "projects"
        return f"{len(parts)} {noun} readable, syncs per project: {', '.join(parts)}"

    async def iter_syncs(self) -> AsyncIterator[list[Sync]]:
        for project_id in self._projects():
            async for page in self._pages(project_id, Q_SYNCS, "syncs", parse_sync):
                yield page
            async for page in self._pages(
                project_id, Q_LEGACY, "accSyncItems", parse_legacy, optional=True
            ):
                yield page

    async def _pages(
        self,
        project_id: str,
        source: str,
        field: str,
        parse: Callable[[str, Any, str, str | None], Sync | None],
        *,
        optional: bool = False,
    ) -> AsyncIterator[list[Sync]]:
        """Follow the vendor's cursor until it stops, within the page guard's stops (a repeated
        cursor, pages with nothing new, the page cap); items already listed are dropped.

        `optional`: a first page the server refuses as invalid means the (deprecated) field is
        gone, i.e. there is nothing of that kind left to list.
        """
        cursor: str | None = None
        guard = self.pages(field)
        while True:
            try:
                project = await self._project_data(
                    project_id, source, {"limit": self.page_size, "cursor": cursor}
                )
            except errors.ValidationFailed:
                if optional and cursor is None:
                    return
                raise
            collection = project.get(field)
            items = collection.get("items") if isinstance(collection, dict) else None
            if not isinstance(items, list):
                raise errors.VendorError(
                    f"{self.account.name}: Speckle sent an unreadable page of {field}"
                )
            name = self._project_names.get(project_id)
            fresh = guard.fresh(items)
            page = [s for s in (parse(self.account.name, i, project_id, name) for i in fresh) if s]
            if page:
                yield page
            cursor = collection.get("cursor")
            if not items or not isinstance(cursor, str) or not cursor:
                return
            guard.follow(cursor)

    async def _read_raw(self, project_id: str, sync_id: str) -> dict[str, Any]:
        """The sync as Speckle has it now; NotFound if it is not (or no longer) a sync."""
        project = await self._project_data(project_id, Q_SYNC, {"syncId": sync_id})
        raw = project.get("sync")
        if not isinstance(raw, dict):
            raise errors.VendorError(f"{self.account.name}: unreadable sync from Speckle")
        return raw

    async def _find_legacy(self, project_id: str, sync_id: str) -> Sync | None:
        pages = self._pages(project_id, Q_LEGACY, "accSyncItems", parse_legacy, optional=True)
        async with aclosing(pages):
            async for page in pages:
                for sync in page:
                    if sync.id == f"{project_id}/{sync_id}":
                        return sync
        return None

    async def _find(self, project_id: str, sync_id: str) -> Sync | None:
        try:
            return self._parse(await self._read_raw(project_id, sync_id), project_id)
        except ProjectNotFound:
            raise
        except errors.NotFound:
            return await self._find_legacy(project_id, sync_id)

    async def get_sync(self, sync_id: str) -> Sync:
        project, sid = self._split(sync_id)
        projects = (project,) if project is not None else self._projects()
        for candidate in projects:
            found = await self._find(candidate, sid)
            if found is not None:
                return found
        where = f"project {project}" if project else "the account's projects"
        raise errors.NotFound(f"{self.account.name}: no sync {sid} in {where}")

    async def list_runs(self, sync_id: str, limit: int = 20) -> list[Run]:
        if limit <= 0:
            return []
        project_id, sid = await self._resolve(sync_id)
        runs: list[Run] = []
        cursor: str | None = None
        guard = self.pages("history")
        while len(runs) < limit:
            try:
                project = await self._project_data(
                    project_id,
                    Q_HISTORY,
                    {"syncId": sid, "limit": min(PAGE_SIZE, limit - len(runs)), "cursor": cursor},
                )
            except ProjectNotFound:
                raise
            except errors.NotFound:
                if await self._find_legacy(project_id, sid) is not None:
                    return []  # legacy storage keeps no execution history
                raise
            sync = project.get("sync") if isinstance(project.get("sync"), dict) else {}
            history = sync.get("history") if isinstance(sync.get("history"), dict) else {}
            items = history.get("items")
            if not isinstance(items, list):
                raise errors.VendorError(f"{self.account.name}: unreadable history from Speckle")
            runs.extend(r for r in map(parse_run, guard.fresh(items)) if r is not None)
            cursor = history.get("cursor")
            if not items or not isinstance(cursor, str) or not cursor or guard.stops(cursor):
                break
        return runs[:limit]

    # --- editing --------------------------------------------------------------------------
    def _model(self, sync: Sync) -> SpeckleSync:
        if sync.status is SyncStatus.LEGACY:
            raise errors.NeedsMigration(LEGACY_REASON)
        try:
            return SpeckleSync.model_validate(sync.raw)
        except ValidationError:
            raise errors.VendorError(
                f"{self.account.name}: {sync.id} was not readable when loaded; "
                "reload it before changing it"
            ) from None

    def editable(self, sync: Sync) -> dict[str, Any]:
        model = self._model(sync)
        return {"active": model.active, "context": copy.deepcopy(model.context or {})}

    def _issues(self, before: dict[str, Any], after: Any) -> list[ValidationIssue]:
        """What is wrong with the edited document; values the edit did not touch never are."""
        issues: list[ValidationIssue] = []
        if not isinstance(after, dict):
            return [ValidationIssue("", "the edited sync must be a JSON object")]
        for key in after:
            if key not in EDITABLE_KEYS:
                issues.append(
                    ValidationIssue(key, f"{key} cannot be edited: only active and context can")
                )
        if not isinstance(after.get("active"), bool):
            issues.append(ValidationIssue("active", "active must be true or false"))
        if "context" not in after:
            issues.append(
                ValidationIssue(
                    "context", "context cannot be removed: set single keys to null instead"
                )
            )
            return issues
        context, old = after["context"], before.get("context") or {}
        for issue in validate_speckle_context(context):
            key = issue.path.split(".", 1)[0].split("[", 1)[0]
            untouched = (
                key
                and isinstance(context, dict)
                and key in context
                and key in old
                and json_equal(context[key], old[key])
            )
            if not untouched:  # an unknown enum value the vendor already holds is kept
                path = f"context.{issue.path}" if issue.path else "context"
                issues.append(ValidationIssue(path, issue.message))
        return issues

    def _request(self, op: str, variables: dict[str, Any], note: str = "") -> PlannedRequest:
        """Exactly what `execute` will POST: gql's own payload for the same document."""
        body = GraphQLRequest(
            document(MUTATIONS[op]), variable_values=copy.deepcopy(variables)
        ).payload
        headers = self.masked({**self.graphql_headers(), "Content-Type": "application/json"})
        return PlannedRequest(
            method="POST", url=f"{self.base_url}/graphql", headers=headers, body=body, note=note
        )

    async def plan_update(
        self, sync: Sync, patch: dict[str, Any], *, trigger_now: bool = False
    ) -> WritePlan:
        before = self.editable(sync)
        project_id, sid = self._full_id(sync)
        try:
            patch = require_object_patch(patch)
        except MergePatchError as exc:
            raise errors.ValidationFailed(
                f"{self.account.name}: {exc}", [ValidationIssue("", str(exc))]
            ) from None
        after = apply_merge_patch(before, patch)
        context_patch = patch.get("context")
        if (
            isinstance(context_patch, dict)
            and "viewName" in context_patch
            and context_patch["viewName"] is None
            and "viewName" in before["context"]
            and isinstance(after.get("context"), dict)
        ):
            # The vendor clears view scoping with an explicit null, so it is sent, not dropped.
            after["context"]["viewName"] = None
        issues = self._issues(before, after)
        if issues:
            raise errors.ValidationFailed(
                f"{self.account.name}: " + "; ".join(i.message for i in issues), issues
            )

        was_active, will_be_active = before["active"], after["active"]
        resume, pause = will_be_active and not was_active, was_active and not will_be_active
        context_changed = not json_equal(before["context"], after["context"])
        if trigger_now and not was_active and not resume:
            raise errors.SyncPaused(PAUSED_MESSAGE)

        steps: list[dict[str, Any]] = []
        requests: list[PlannedRequest] = []
        summary: list[str] = []
        ident = {"id": sid, "projectId": project_id}
        if resume:
            variables = {**ident, "active": True}
            steps.append({"op": "setActive", "variables": variables, "done": "resumed"})
            requests.append(self._request("setActive", variables, "resume first"))
            summary.append("resume")
        if context_changed or trigger_now:
            # The context goes whole: the vendor replaces it, so untouched keys are sent back.
            context = copy.deepcopy(
                after["context"] if context_changed else sync.raw.get("context")
            )
            variables = {"input": {**ident, "context": context, "triggerNow": bool(trigger_now)}}
            done = " and ".join(
                word
                for word, flag in (("updated", context_changed), ("triggered", trigger_now))
                if flag
            )
            steps.append({"op": "update", "variables": variables, "done": done})
            requests.append(self._request("update", variables, "the whole context is sent"))
            if context_changed:
                summary.append("update context")
            if trigger_now:
                summary.append("trigger now")
        if pause:
            variables = {**ident, "active": False}
            steps.append({"op": "setActive", "variables": variables, "done": "paused"})
            requests.append(self._request("setActive", variables, "pause after the update"))
            summary.append("pause")
        if requests:
            requests[0].note = (
                requests[0].note + "; " if requests[0].note else ""
            ) + "sent only if the sync still matches what was loaded"
        return WritePlan(
            account=self.account.name,
            vendor=self.vendor,
            sync_id=sync.id,
            patch=patch,
            before=before,
            after=after,
            summary=" + ".join(summary) or "no changes",
            requests=requests,
            trigger_now=trigger_now,
            payload={"projectId": project_id, "syncId": sid, "steps": steps},
        )

    async def apply(self, plan: WritePlan) -> WriteResult:
        if plan.vendor != self.vendor or plan.account != self.account.name:
            raise errors.UsageError(f"this plan is for {plan.account}, not {self.account.name}")
        steps = plan.payload.get("steps") or []
        project_id, sid = plan.payload.get("projectId"), plan.payload.get("syncId")
        if not steps:
            return WriteResult(message="nothing to change")
        if not isinstance(project_id, str) or not isinstance(sid, str):
            raise errors.UsageError("this plan does not name its sync")
        current = await self._read_raw(project_id, sid)
        now = self.editable(self._parse(current, project_id))
        if not json_equal(now, plan.before):
            raise errors.Conflict(
                f"{self.account.name}: {plan.sync_id} changed on the server since you loaded it; "
                "nothing was sent",
                hint="reload it and edit again",
            )
        latest_before = _latest_id(current)
        done: list[str] = []
        raw = current
        for step in steps:
            try:
                raw = await self._send(project_id, sid, step, latest_before, raw)
            except errors.SyncTuiError as exc:
                if done and exc.hint is None:
                    exc.hint = f"already applied: {', '.join(done)}"
                raise
            done.append(str(step.get("done") or step["op"]))
        sync = self._parse(raw, project_id)
        run = sync.latest_run if plan.trigger_now else None
        return WriteResult(message=", ".join(done), sync=sync, run=run)

    # --- writes ---------------------------------------------------------------------------
    async def _send(
        self,
        project_id: str,
        sid: str,
        step: dict[str, Any],
        latest_before: str | None,
        base: dict[str, Any],
    ) -> dict[str, Any]:
        if step["op"] == "setActive":
            active = bool(step["variables"]["active"])
            return await self._send_set_active(project_id, sid, active, base)
        return await self._send_update(project_id, sid, step["variables"], latest_before, base)

    def _mutation_result(self, result: dict[str, Any], field: str) -> Any:
        """The payload of `syncMutations.<field>`; an unreadable one leaves the outcome open."""
        mutations = result.get("syncMutations")
        value = mutations.get(field) if isinstance(mutations, dict) else None
        if value is None or (isinstance(value, dict) and not isinstance(value.get("id"), str)):
            # status None: confirm_or_retry reads the sync to learn whether it was applied.
            raise errors.VendorError(f"{self.account.name}: unreadable answer to {field}")
        return value

    async def _send_update(
        self,
        project_id: str,
        sid: str,
        variables: dict[str, Any],
        latest_before: str | None,
        base: dict[str, Any],
    ) -> dict[str, Any]:
        """Send one `update`; the answer is merged over `base`, the sync as read before."""
        sent = variables["input"].get("context")
        trigger = bool(variables["input"].get("triggerNow"))

        async def send() -> dict[str, Any]:
            answer = self._mutation_result(await self.execute(M_UPDATE, variables), "update")
            return {**base, **answer}

        async def verify() -> dict[str, Any] | None:
            # Applied iff the context is what was sent and, for a trigger, a new run exists.
            now = await self._read_raw(project_id, sid)
            if sent is not None and not same_context(now.get("context"), sent):
                return None
            if trigger and _latest_id(now) == latest_before:
                return None
            return now

        return await self.confirm_or_retry(send, verify)

    async def _send_set_active(
        self, project_id: str, sid: str, active: bool, base: dict[str, Any]
    ) -> dict[str, Any]:
        variables = {"id": sid, "projectId": project_id, "active": active}

        async def send() -> dict[str, Any]:
            answer = self._mutation_result(await self.execute(M_SET_ACTIVE, variables), "setActive")
            return {**base, **answer}

        async def verify() -> dict[str, Any] | None:
            now = await self._read_raw(project_id, sid)
            return now if now.get("active") is active else None

        return await self.confirm_or_retry(send, verify)

    async def set_active(self, sync_id: str, active: bool) -> WriteResult:
        sync = await self.get_sync(sync_id)
        model = self._model(sync)
        project_id, sid = self._full_id(sync)
        if model.active is active:
            return WriteResult(message=f"already {'active' if active else 'paused'}", sync=sync)
        raw = await self._send_set_active(project_id, sid, active, sync.raw)
        return WriteResult(
            message="resumed" if active else "paused", sync=self._parse(raw, project_id)
        )

    async def trigger(self, sync_id: str) -> WriteResult:
        sync = await self.get_sync(sync_id)
        model = self._model(sync)
        project_id, sid = self._full_id(sync)
        if not model.active:
            raise errors.SyncPaused(PAUSED_MESSAGE)
        # An update carrying the current context unchanged, with triggerNow.
        variables = {
            "input": {
                "id": sid,
                "projectId": project_id,
                "context": copy.deepcopy(sync.raw.get("context")),
                "triggerNow": True,
            }
        }
        raw = await self._send_update(project_id, sid, variables, _latest_id(sync.raw), sync.raw)
        updated = self._parse(raw, project_id)
        return WriteResult(message="triggered", sync=updated, run=updated.latest_run)

    async def migrate(self, sync_id: str) -> WriteResult:
        sync = await self.get_sync(sync_id)
        project_id, sid = self._full_id(sync)
        if sync.status is not SyncStatus.LEGACY:
            return WriteResult(message="already migrated", sync=sync)
        variables = {"id": sid, "projectId": project_id}

        async def send() -> dict[str, Any]:
            return self._mutation_result(await self.execute(M_MIGRATE, variables), "migrateLegacy")

        async def verify() -> dict[str, Any] | None:
            # Applied iff it is now a sync in project.syncs.
            try:
                return await self._read_raw(project_id, sid)
            except ProjectNotFound:
                raise
            except errors.NotFound:
                return None

        raw = await self.confirm_or_retry(send, verify)
        return WriteResult(message="migrated", sync=self._parse(raw, project_id))

    async def delete(self, sync_id: str) -> WriteResult:
        sync = await self.get_sync(sync_id)
        project_id, sid = self._full_id(sync)
        variables = {"id": sid, "projectId": project_id}

        async def send() -> dict[str, Any]:
            result = await self.execute(M_DELETE, variables)
            mutations = result.get("syncMutations")
            deleted = mutations.get("delete") if isinstance(mutations, dict) else None
            if deleted is False:
                raise errors.InvalidState(f"{self.account.name}: Speckle did not delete {sync.id}")
            if deleted is not True:
                raise errors.VendorError(f"{self.account.name}: unreadable answer to delete")
            return {}

        async def verify() -> dict[str, Any] | None:
            # Applied iff it is found neither among syncs nor in legacy storage.
            return None if await self._find(project_id, sid) is not None else {}

        await self.confirm_or_retry(send, verify)
        return WriteResult(message="deleted")
