"""The Speckle adapter: cloud integration syncs (ACC, ProjectWise) over GraphQL at `{host}/graphql`.

A Speckle sync lives inside a project, so the id synctui shows is `PROJECT_ID/SYNC_ID`; a bare
`SYNC_ID` is accepted when the account names one project, or looked up across its projects.

Editing follows the vendor's documented flow: `syncMutations.update` takes the *whole*
`context` (a JSON object whose keys are integration-specific), so the adapter merges the
user's patch into the context as loaded and sends all of it; keys synctui does not know
survive because they are sent back untouched. Pausing and resuming are `setActive`. A paused
sync rejects `triggerNow`, so a resume is sent before an update that triggers. Legacy ACC
syncs exist only in the deprecated `project.accSyncItems` until `migrateLegacy` promotes them;
a failure to list them is reported, never taken for "there are none".

Mutations are not idempotent and the shared transport never resends one whose answer was
lost; every write goes through `confirm_or_retry` with a verify step that reads the vendor's
record of that action: the sync itself for its context and `active`, and the sync's history
(the record of runs) for a trigger. `latestItem` is never trusted for that: nothing documents
when it moves.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import aclosing
from typing import Any, ClassVar

from pydantic import ValidationError

from synctui.domain import errors
from synctui.domain.merge_patch import (
    apply_merge_patch,
    json_equal,
)
from synctui.domain.models import PlannedRequest, Run, Sync, SyncStatus, WritePlan, WriteResult
from synctui.vendors.base import PlanDraft
from synctui.vendors.graphql import GraphQLAdapter, request_body
from synctui.vendors.speckle.errors import PAUSED_MESSAGE, ProjectNotFound, speckle_error
from synctui.vendors.speckle.models import SpeckleSync
from synctui.vendors.speckle.parsers import (
    LEGACY_REASON,
    full_id,
    latest_item,
    parse_legacy,
    parse_run,
    parse_sync,
    same_context,
    split_id,
)
from synctui.vendors.speckle.queries import (
    M_DELETE,
    M_MIGRATE,
    M_SET_ACTIVE,
    M_UPDATE,
    Q_HISTORY,
    Q_LEGACY,
    Q_SYNC,
    Q_SYNCS,
    check_query,
)
from synctui.vendors.speckle_rules import RULES, edit_issues

PAGE_SIZE = 100
# How much of the history a trigger's verification compares: a triggered run is the newest
# item, so it shows on the first page however long the history is.
HISTORY_HEAD = 10
LEGACY_LIST_FAILED = "legacy ACC syncs could not be listed"

MUTATIONS = {"update": M_UPDATE, "setActive": M_SET_ACTIVE}


# --- the adapter ---------------------------------------------------------------------------
class SpeckleAdapter(GraphQLAdapter):
    vendor = "speckle"
    sdl_name = "speckle-syncs"
    rules = RULES
    capabilities = RULES.capabilities
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
        """Speckle's own error codes first (`speckle/errors.py`), then the generic mapping."""
        found = speckle_error(items, self.account.name, self.redact)
        return found if found is not None else super().map_graphql_errors(items)

    # --- ids and projects -----------------------------------------------------------------
    def _projects(self) -> tuple[str, ...]:
        if not self.account.projects:
            raise errors.ConfigError(
                f"{self.account.name}: no Speckle project ids configured",
                hint='add projects = ["PROJECT_ID"] to this account in accounts.toml',
            )
        return self.account.projects

    async def _resolve(self, sync_id: str) -> tuple[str, str]:
        """(project, sync) for an id, reading only when a bare id needs looking up."""
        project, sid = split_id(sync_id)
        if project is not None:
            return project, sid
        projects = self._projects()
        if len(projects) == 1:
            return projects[0], sid
        return full_id(await self.get_sync(sync_id))

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
            result = await self.execute(check_query(len(projects)), variables)
        except ProjectNotFound as exc:
            alias = str(exc.path[0]) if exc.path else ""
            missing = variables.get(alias, "one of the configured projects")
            raise errors.NotFound(
                f"{self.account.name}: Speckle project {missing} not found",
                hint="check the project ids of this account and the token's access",
            ) from None
        parts = []
        for alias, pid in variables.items():
            project = found if isinstance(found := result.get(alias), dict) else {}
            syncs = listed if isinstance(listed := project.get("syncs"), dict) else {}
            total = syncs.get("totalCount")
            parts.append(f"{project.get('name') or pid} ({total if total is not None else '?'})")
        noun = "project" if len(parts) == 1 else "projects"
        return f"{len(parts)} {noun} readable, syncs per project: {', '.join(parts)}"

    async def iter_syncs(self) -> AsyncIterator[list[Sync]]:
        for project_id in self._projects():
            async for page in self._pages(project_id, Q_SYNCS, "syncs", parse_sync):
                yield page
            async for page in self._legacy_pages(project_id):
                yield page

    async def _legacy_pages(self, project_id: str) -> AsyncGenerator[list[Sync]]:
        """The deprecated `project.accSyncItems`, pages as they come. A failure says that it
        was the legacy listing that failed: an empty answer and a refused one are not alike,
        and legacy syncs that silently vanish cannot be migrated."""
        pages = self._pages(project_id, Q_LEGACY, "accSyncItems", parse_legacy)
        async with aclosing(pages):
            try:
                async for page in pages:
                    yield page
            except ProjectNotFound:
                raise
            except errors.SyncTuiError as exc:
                prefix = f"{self.account.name}: "
                detail = exc.message.removeprefix(prefix)
                exc.message = f"{prefix}{LEGACY_LIST_FAILED} in project {project_id}: {detail}"
                raise

    async def _pages(
        self,
        project_id: str,
        source: str,
        field: str,
        parse: Callable[[str, Any, str, str | None], Sync | None],
    ) -> AsyncGenerator[list[Sync]]:
        """Follow the vendor's cursor until it stops, within the page guard's stops (a repeated
        cursor, pages with nothing new, the page cap); items already listed are dropped."""
        cursor: str | None = None
        guard = self.pages(field)
        while True:
            project = await self._project_data(
                project_id, source, {"limit": self.page_size, "cursor": cursor}
            )
            collection = project.get(field)
            items = collection.get("items") if isinstance(collection, dict) else None
            if not isinstance(collection, dict) or not isinstance(items, list):
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
        pages = self._legacy_pages(project_id)
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
        project, sid = split_id(sync_id)
        projects = (project,) if project is not None else self._projects()
        for candidate in projects:
            found = await self._find(candidate, sid)
            if found is not None:
                return found
        where = f"project {project}" if project else "the account's projects"
        raise errors.NotFound(f"{self.account.name}: no sync {sid} in {where}")

    async def _history_page(
        self, project_id: str, sid: str, limit: int, cursor: str | None = None
    ) -> tuple[list[Any], str | None]:
        """One page of the sync's history (newest first): its items and the next cursor."""
        project = await self._project_data(
            project_id, Q_HISTORY, {"syncId": sid, "limit": limit, "cursor": cursor}
        )
        sync = found if isinstance(found := project.get("sync"), dict) else {}
        history = kept if isinstance(kept := sync.get("history"), dict) else {}
        items = history.get("items")
        if not isinstance(items, list):
            raise errors.VendorError(f"{self.account.name}: unreadable history from Speckle")
        following = history.get("cursor")
        return items, following if isinstance(following, str) and following else None

    async def list_runs(self, sync_id: str, limit: int = 20) -> list[Run]:
        if limit <= 0:
            return []
        project_id, sid = await self._resolve(sync_id)
        runs: list[Run] = []
        cursor: str | None = None
        guard = self.pages("history")
        while len(runs) < limit:
            try:
                items, cursor = await self._history_page(
                    project_id, sid, min(PAGE_SIZE, limit - len(runs)), cursor
                )
            except ProjectNotFound:
                raise
            except errors.NotFound:
                if await self._find_legacy(project_id, sid) is not None:
                    return []  # legacy storage keeps no execution history
                raise
            runs.extend(r for r in map(parse_run, guard.fresh(items)) if r is not None)
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

    def _request(self, op: str, variables: dict[str, Any], note: str = "") -> PlannedRequest:
        """Exactly what `execute` will POST: the same payload for the same document."""
        body = request_body(MUTATIONS[op], copy.deepcopy(variables))
        headers = self.masked({**self.graphql_headers(), "Content-Type": "application/json"})
        return PlannedRequest(
            method="POST", url=f"{self.base_url}/graphql", headers=headers, body=body, note=note
        )

    async def plan_update(
        self, sync: Sync, patch: dict[str, Any], *, trigger_now: bool = False
    ) -> WritePlan:
        patch = self.own_patch(sync, patch)
        before = self.editable(sync)
        project_id, sid = full_id(sync)
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
        issues = edit_issues(before, after)
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
        draft = PlanDraft(sync, patch, before, after)
        ident = {"id": sid, "projectId": project_id}
        if resume:
            variables = {**ident, "active": True}
            steps.append({"op": "setActive", "variables": variables, "done": "resumed"})
            draft.requests.append(self._request("setActive", variables, "resume first"))
            draft.summary.append("resume")
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
            draft.requests.append(self._request("update", variables, "the whole context is sent"))
            if context_changed:
                draft.summary.append("update context")
            if trigger_now:
                draft.summary.append("trigger now")
        if pause:
            variables = {**ident, "active": False}
            steps.append({"op": "setActive", "variables": variables, "done": "paused"})
            draft.requests.append(self._request("setActive", variables, "pause after the update"))
            draft.summary.append("pause")
        if draft.requests:
            draft.requests[0].note = (
                draft.requests[0].note + "; " if draft.requests[0].note else ""
            ) + "sent only if the sync still matches what was loaded"
        return self.write_plan(
            draft,
            trigger_now=trigger_now,
            projectId=project_id,
            syncId=sid,
            steps=steps,
        )

    async def apply(self, plan: WritePlan) -> WriteResult:
        self.own_plan(plan)
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
        triggers = any(
            s["op"] == "update" and s["variables"]["input"].get("triggerNow") for s in steps
        )
        known = await self._run_ids(project_id, sid) if triggers else frozenset()
        done: list[str] = []
        raw, started = current, None
        for step in steps:
            try:
                raw, run = await self._send(project_id, sid, step, known, raw)
            except errors.SyncTuiError as exc:
                if done and exc.hint is None:
                    exc.hint = f"already applied: {', '.join(done)}"
                raise
            started = run or started
            done.append(str(step.get("done") or step["op"]))
        sync = self._parse(raw, project_id)
        return WriteResult(message=", ".join(done), sync=sync, run=started)

    # --- writes ---------------------------------------------------------------------------
    async def _send(
        self,
        project_id: str,
        sid: str,
        step: dict[str, Any],
        known: frozenset[str],
        base: dict[str, Any],
    ) -> tuple[dict[str, Any], Run | None]:
        """Send one planned step: the sync as it stands after it, and the run it started."""
        if step["op"] == "setActive":
            active = bool(step["variables"]["active"])
            return await self._send_set_active(project_id, sid, active, base), None
        return await self._send_update(project_id, sid, step["variables"], known, base)

    def _mutation_result(self, result: dict[str, Any], field: str) -> Any:
        """The payload of `syncMutations.<field>`; an unreadable one leaves the outcome open."""
        mutations = result.get("syncMutations")
        value = mutations.get(field) if isinstance(mutations, dict) else None
        if value is None or (isinstance(value, dict) and not isinstance(value.get("id"), str)):
            # status None: confirm_or_retry reads the sync to learn whether it was applied.
            raise errors.VendorError(f"{self.account.name}: unreadable answer to {field}")
        return value

    async def _run_ids(self, project_id: str, sid: str) -> frozenset[str]:
        """The ids at the head of the sync's history: the runs that exist before a trigger."""
        items, _ = await self._history_page(project_id, sid, HISTORY_HEAD)
        return frozenset(
            i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)
        )

    async def _new_run(self, project_id: str, sid: str, known: frozenset[str]) -> Run | None:
        """The newest run in the history that was not there before, if there is one."""
        items, _ = await self._history_page(project_id, sid, HISTORY_HEAD)
        for item in items:  # newest first
            if isinstance(item, dict) and item.get("id") not in known:
                run = parse_run(item)
                if run is not None:
                    return run
        return None

    async def _send_update(
        self,
        project_id: str,
        sid: str,
        variables: dict[str, Any],
        known: frozenset[str],
        base: dict[str, Any],
    ) -> tuple[dict[str, Any], Run | None]:
        """Send one `update`; the answer is merged over `base`, the sync as read before.

        For a trigger, `known` holds the runs the history had before: the run it started is
        the one that was not among them. Whether `latestItem` already shows that run is not
        documented, so only the answer's own item or the history is taken as proof.
        """
        sent = variables["input"].get("context")
        trigger = bool(variables["input"].get("triggerNow"))

        async def send() -> tuple[dict[str, Any], Run | None]:
            answer = self._mutation_result(await self.execute(M_UPDATE, variables), "update")
            raw = {**base, **answer}
            if not trigger:
                return raw, None
            latest = latest_item(answer)
            if latest is not None and latest.get("id") not in known:
                return raw, parse_run(latest)
            try:
                return raw, await self._new_run(project_id, sid, known)
            except errors.SyncTuiError:
                return raw, None  # applied for sure; only which run it started is unknown

        async def verify() -> tuple[dict[str, Any], Run | None] | None:
            # Applied iff the sync holds the context sent and, for a trigger, the history
            # has a run it did not have before.
            now = await self._read_raw(project_id, sid)
            if sent is not None and not same_context(now.get("context"), sent):
                return None
            if not trigger:
                return now, None
            run = await self._new_run(project_id, sid, known)
            return (now, run) if run is not None else None

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
        project_id, sid = full_id(sync)
        if model.active is active:
            return WriteResult(message=f"already {'active' if active else 'paused'}", sync=sync)
        raw = await self._send_set_active(project_id, sid, active, sync.raw)
        return WriteResult(
            message="resumed" if active else "paused", sync=self._parse(raw, project_id)
        )

    async def trigger(self, sync_id: str) -> WriteResult:
        sync = await self.get_sync(sync_id)
        model = self._model(sync)
        project_id, sid = full_id(sync)
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
        known = await self._run_ids(project_id, sid)
        raw, run = await self._send_update(project_id, sid, variables, known, sync.raw)
        return WriteResult(message="triggered", sync=self._parse(raw, project_id), run=run)

    async def migrate(self, sync_id: str) -> WriteResult:
        sync = await self.get_sync(sync_id)
        project_id, sid = full_id(sync)
        if sync.status is not SyncStatus.LEGACY:
            return WriteResult(message="already migrated", sync=sync)
        variables = {"id": sid, "projectId": project_id}

        async def send() -> Any:
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
        project_id, sid = full_id(sync)
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
