"""The Speckle adapter against the sandbox, over real loopback HTTP.

Nothing of our own client is mocked. Where a test needs a fault on one particular request
(a dropped answer on the mutation, not on the reads around it), a thin transport under the
adapter's policy transport switches the sandbox's own fault injection on through its admin
endpoint just before that request leaves, and off once the sandbox has taken its decision.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator

import httpx
import pytest

from synctui.domain import errors
from synctui.domain.models import RunState, Sync, SyncStatus
from synctui.sandbox.core import SandboxConfig
from synctui.sandbox.server import Sandbox
from synctui.services.demo import demo_accounts
from synctui.store.accounts import Account
from synctui.vendors.http import CallLog, RetrySettings
from synctui.vendors.speckle import (
    LEGACY_REASON,
    M_UPDATE,
    PAUSED_MESSAGE,
    SpeckleAdapter,
    parse_run,
    parse_sync,
)
from tests.conftest import admin_state, advance_clock, set_faults

KNOWN_KEYS = {"referencePoint", "viewName"}


# --- helpers -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def reader() -> Iterator[Sandbox]:
    """One sandbox (same seed and frozen clock as `sandbox`) for the tests that only read."""
    with Sandbox(SandboxConfig(port=0, seed=7, frozen=True, changes_per_second=0)) as sb:
        yield sb


def operation(payload: dict) -> str:
    """'mutation UpdateSync' / 'query ProjectSync' from a GraphQL POST body."""
    head = str(payload.get("query", "")).lstrip().split("{", 1)[0].split("(", 1)[0].split()
    return " ".join(head[:2])


class Loopback(httpx.AsyncBaseTransport):
    """Real HTTP to the sandbox that records every body sent and can arm a sandbox fault.

    `fault_on("UpdateSync", "drop-after=1")` switches the fault on right before the next
    `mutation UpdateSync` leaves and (unless `keep`) off again once its answer has started,
    i.e. after the sandbox has decided what to do with that request.
    """

    def __init__(self, sandbox) -> None:
        self.sandbox = sandbox
        self.inner = httpx.AsyncHTTPTransport(retries=0)
        self.sent: list[dict] = []
        self._armed: tuple[str, str, bool] | None = None
        # A server variant: `rewrite` may change a request before it leaves, `reshape` the
        # JSON answer to one (given the request's payload and the answer's body).
        self.rewrite: Callable[[httpx.Request], httpx.Request] | None = None
        self.reshape: Callable[[dict, dict], dict] | None = None

    def fault_on(self, mutation: str, spec: str, *, keep: bool = False) -> None:
        self._armed = (f"mutation {mutation}", f"{spec},only=speckle", keep)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.rewrite is not None:
            request = self.rewrite(request)
        payload = json.loads(request.content or b"{}")
        self.sent.append(payload)
        armed = self._armed is not None and operation(payload) == self._armed[0]
        if armed:
            assert self._armed is not None
            _, spec, keep = self._armed
            self._armed = None
            set_faults(self.sandbox, spec)
        try:
            response = await self.inner.handle_async_request(request)
        finally:
            if armed and not keep:
                set_faults(self.sandbox, "")
        if self.reshape is None or response.status_code != 200:
            return response
        body = json.loads(await response.aread())
        return httpx.Response(200, json=self.reshape(payload, body))

    def mutations(self, name: str | None = None) -> list[dict]:
        return [
            p
            for p in self.sent
            if operation(p).startswith("mutation") and (name is None or operation(p).endswith(name))
        ]

    async def aclose(self) -> None:
        await self.inner.aclose()


def make_adapter(
    sandbox,
    *,
    token: str | None = None,
    readonly: bool = False,
    projects: tuple[str, ...] | None = None,
    call_log: CallLog | None = None,
    inner: httpx.AsyncBaseTransport | None = None,
    attempts: int = 5,
) -> SpeckleAdapter:
    accounts, tokens = demo_accounts(sandbox.info(), readonly_tokens=readonly)
    account = next(a for a in accounts if a.vendor == "speckle")
    if projects is not None:
        account = dataclasses.replace(account, projects=projects)
    retry = RetrySettings(attempts=attempts, base_delay=0.001, max_delay=0.01, max_retry_after=0.01)
    return SpeckleAdapter(
        account,
        token or tokens[account.name],
        call_log=call_log,
        retry=retry,
        inner_transport=inner,
    )


def state(sandbox) -> dict:
    return admin_state(sandbox, "speckle")


def pick(sandbox, *, active: bool = True, extra_keys: bool = False, view: bool = False) -> str:
    """A full PROJECT/SYNC id from the sandbox's own state (first match, so deterministic).

    Never one already on surveyPoint, so that the tests' usual edit is a real change.
    """
    for sid, s in sorted(state(sandbox)["syncs"].items()):
        if (
            s["active"] is active
            and s["context"].get("referencePoint") != "surveyPoint"
            and (not extra_keys or set(s["context"]) - KNOWN_KEYS)
            and (not view or isinstance(s["context"].get("viewName"), str))
        ):
            return f"{s['projectId']}/{sid}"
    raise AssertionError("the seed has no such sync")


def sid_of(full_id: str) -> str:
    return full_id.split("/", 1)[1]


def sync_state(sandbox, full_id: str) -> dict:
    return state(sandbox)["syncs"][sid_of(full_id)]


# --- reads ---------------------------------------------------------------------------------
async def test_lists_every_sync_and_legacy_item_page_by_page(reader) -> None:
    log = CallLog()
    adapter = make_adapter(reader, call_log=log)
    adapter.page_size = 20
    pages = [page async for page in adapter.iter_syncs()]
    await adapter.aclose()
    truth = state(reader)
    syncs = [s for page in pages for s in page]
    modern = [s for s in syncs if s.status is not SyncStatus.LEGACY]
    legacy = [s for s in syncs if s.status is SyncStatus.LEGACY]
    assert len(pages) > len(adapter.account.projects) * 2  # really paged
    assert len({s.id for s in syncs}) == len(syncs)
    assert {s.id for s in modern} == {f"{v['projectId']}/{k}" for k, v in truth["syncs"].items()}
    assert {sid_of(s.id) for s in legacy} == set(truth["legacy"])
    keys = [key for key, _ in adapter.table_columns]
    assert keys == ["file", "integration", "project", "active", "latest_ingestion"]
    assert all(list(s.columns) == keys for s in syncs)
    for sync in modern:
        expected = truth["syncs"][sid_of(sync.id)]
        assert sync.raw["context"] == expected["context"]  # untouched vendor JSON
        assert sync.columns["active"] == ("yes" if expected["active"] else "no")
        assert sync.name == sync.columns["file"] == sync.raw["fileName"]
        if not expected["active"]:
            assert sync.status is SyncStatus.PAUSED
        elif sync.latest_run is not None and sync.latest_run.state is RunState.FAILED:
            assert sync.status is SyncStatus.ERROR
            assert sync.status_reason == sync.latest_run.error and sync.status_reason
        else:
            assert sync.status is SyncStatus.ACTIVE
    assert {s.status for s in modern} == {SyncStatus.ACTIVE, SyncStatus.PAUSED, SyncStatus.ERROR}
    errored = next(s for s in modern if s.status is SyncStatus.ERROR)
    assert errored.latest_run is not None
    assert errored.columns["latest_ingestion"].startswith(errored.latest_run.vendor_status)
    assert all(s.status_reason == LEGACY_REASON and s.columns["integration"] for s in legacy)
    assert {s.vendor_status for s in legacy} >= {"succeeded", "failed", "paused"}
    assert "Harbourside Tower" in {s.columns["project"] for s in syncs}
    reads = [r for r in log.records() if r.target == "query ProjectSyncs"]
    assert len(reads) == len([p for p in pages if p[0].status is not SyncStatus.LEGACY])


async def test_check_and_get_by_full_bare_and_legacy_ids(reader) -> None:
    adapter = make_adapter(reader)
    assert "Harbourside Tower" in await adapter.check()
    full = pick(reader, extra_keys=True)
    shown = await adapter.get_sync(full)
    assert shown.id == full and shown.complete and shown.raw["id"] == sid_of(full)
    # A bare id is looked up across the account's projects...
    assert (await adapter.get_sync(sid_of(full))).id == full
    # ...and taken as is when the account has a single project.
    one = make_adapter(reader, projects=(full.split("/")[0],))
    assert (await one.get_sync(sid_of(full))).id == full
    legacy_id = state(reader)["legacy"][-1]
    legacy = await adapter.get_sync(legacy_id)
    assert legacy.status is SyncStatus.LEGACY and legacy.id.endswith("/" + legacy_id)
    assert legacy.status_reason == LEGACY_REASON
    assert (await adapter.get_sync(legacy.id)).id == legacy.id
    # The vendor's AccSyncItem as it is: its project is an object, the acc* file fields kept.
    project_id = legacy.id.split("/")[0]
    assert legacy.raw["project"]["id"] == project_id and "projectId" not in legacy.raw
    assert legacy.raw["status"] in {"failed", "paused", "pending", "succeeded", "syncing"}
    assert isinstance(legacy.raw["accFileVersionIndex"], int)
    assert legacy.raw["accFolderPath"] and legacy.raw["accFileVersionUrn"]
    assert legacy.name == legacy.raw["accFileName"]
    assert legacy.columns["project"] == legacy.raw["project"]["name"]
    await adapter.aclose()
    await one.aclose()


async def test_a_failing_legacy_listing_is_shown_not_taken_for_none(reader) -> None:
    """The deprecated `project.accSyncItems` can be refused (here: the server does not know
    a field the request asks for); that is an error to show, never "no legacy syncs"."""
    wire = Loopback(reader)

    def break_legacy(request: httpx.Request) -> httpx.Request:
        payload = json.loads(request.content or b"{}")
        if operation(payload) != "query ProjectLegacySyncs":
            return request
        payload["query"] = payload["query"].replace("status", "status projectId", 1)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
        return httpx.Request(request.method, request.url, headers=headers, json=payload)

    wire.rewrite = break_legacy
    adapter = make_adapter(reader, inner=wire)
    modern: list[Sync] = []
    with pytest.raises(errors.SyncTuiError, match="legacy ACC syncs") as info:
        async for page in adapter.iter_syncs():
            modern.extend(page)
    assert "projectId" in str(info.value)
    assert modern and all(s.status is not SyncStatus.LEGACY for s in modern)
    legacy_id = state(reader)["legacy"][0]
    with pytest.raises(errors.SyncTuiError, match="legacy ACC syncs"):
        await adapter.get_sync(legacy_id)  # not "no sync ..."
    await adapter.aclose()


async def test_runs_are_newest_first_with_mapped_states(reader) -> None:
    adapter = make_adapter(reader)
    full = pick(reader)
    runs = await adapter.list_runs(full, limit=50)
    assert runs and len(runs) <= 50
    stamps = [r.created_at for r in runs]
    assert stamps == sorted(stamps, reverse=True)
    assert runs[0].id == (await adapter.get_sync(full)).latest_run.id
    assert all(r.vendor_status and r.state is not RunState.UNKNOWN for r in runs)
    assert all(r.finished_at for r in runs if r.state.finished)
    assert all(r.error for r in runs if r.state is RunState.FAILED)
    assert len(await adapter.list_runs(full, limit=2)) == 2
    assert await adapter.list_runs(full, limit=0) == []
    await adapter.aclose()


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("queued", RunState.QUEUED),
        ("processing", RunState.RUNNING),
        ("success", RunState.SUCCESS),
        ("failed", RunState.FAILED),
        ("timeout", RunState.FAILED),
        ("invalidInput", RunState.FAILED),
        ("cancelled", RunState.CANCELLED),
        ("rehydrating", RunState.UNKNOWN),
    ],
)
def test_run_states_map_from_ingestion_status(status: str, state: RunState) -> None:
    run = parse_run(
        {
            "id": "r1",
            "createdAt": "2026-05-06T14:55:00.000Z",
            "modelIngestion": {"statusData": {"__typename": "SomeStatus", "status": status}},
        }
    )
    assert run is not None and run.state is state and run.vendor_status == status


def _item(status_data: dict) -> dict:
    return {
        "id": "r1",
        "createdAt": "2026-05-06T14:55:00.000Z",
        "updatedAt": "2026-05-06T14:58:00.000Z",
        "modelIngestion": {"id": "i1", "statusData": status_data},
    }


@pytest.mark.parametrize(
    ("status_data", "state", "error", "summary"),
    [
        (
            {
                "__typename": "ModelIngestionFailedStatus",
                "status": "failed",
                "errorReason": "locked",
            },
            RunState.FAILED,
            "locked",
            "",
        ),
        (
            {
                "__typename": "ModelIngestionInvalidStatus",
                "status": "invalidInput",
                "validationMessage": "View 'X' not found",
            },
            RunState.FAILED,
            "View 'X' not found",
            "",
        ),
        (
            {
                "__typename": "ModelIngestionCancelledStatus",
                "status": "cancelled",
                "cancellationMessage": "Cancelled by user",
            },
            RunState.CANCELLED,
            None,
            "Cancelled by user",
        ),
        (
            {
                "__typename": "ModelIngestionProcessingStatus",
                "status": "processing",
                "progressMessage": "Converting objects",
                "progress": 0.45,
            },
            RunState.RUNNING,
            None,
            "Converting objects (45%)",
        ),
        (
            {
                "__typename": "ModelIngestionQueuedStatus",
                "status": "queued",
                "progressMessage": "Waiting for a worker",
            },
            RunState.QUEUED,
            None,
            "Waiting for a worker",
        ),
        (
            {"__typename": "ModelIngestionSuccessStatus", "status": "success", "versionId": "v9"},
            RunState.SUCCESS,
            None,
            "version v9",
        ),
        # No status selected or sent: the member type still says what happened.
        (
            {"__typename": "ModelIngestionFailedStatus", "errorReason": "boom"},
            RunState.FAILED,
            "boom",
            "",
        ),
        # A member type this synctui does not know: shown as it is, never a failure to read.
        (
            {"__typename": "ModelIngestionPausedStatus", "status": "paused"},
            RunState.UNKNOWN,
            None,
            "",
        ),
    ],
)
def test_run_messages_come_from_the_status_union(
    status_data: dict, state: RunState, error: str | None, summary: str
) -> None:
    """Vendor schema: statusData is a union; the text of each member lives in its own field
    (errorReason, validationMessage, cancellationMessage, progressMessage)."""
    run = parse_run(_item(status_data))
    assert run is not None
    assert (run.state, run.error, run.summary) == (state, error, summary)


def test_sync_reason_carries_the_latest_ingestion_message() -> None:
    base = {"id": "s1", "active": True, "context": {}, "fileName": "A.rvt"}
    failed = parse_sync(
        "sp",
        {
            **base,
            "latestItem": _item(
                {
                    "__typename": "ModelIngestionInvalidStatus",
                    "status": "invalidInput",
                    "validationMessage": "View 'X' not found",
                }
            ),
        },
        "p",
        "P",
    )
    assert failed is not None and failed.status is SyncStatus.ERROR
    assert failed.status_reason == "View 'X' not found"
    cancelled = parse_sync(
        "sp",
        {
            **base,
            "latestItem": _item(
                {
                    "__typename": "ModelIngestionCancelledStatus",
                    "status": "cancelled",
                    "cancellationMessage": "Cancelled by user",
                }
            ),
        },
        "p",
        "P",
    )
    assert cancelled is not None and cancelled.status is SyncStatus.ACTIVE
    assert cancelled.status_reason == "latest ingestion cancelled: Cancelled by user"
    working = parse_sync(
        "sp",
        {
            **base,
            "latestItem": _item(
                {
                    "__typename": "ModelIngestionQueuedStatus",
                    "status": "queued",
                    "progressMessage": "Waiting",
                }
            ),
        },
        "p",
        "P",
    )
    assert working is not None and working.status_reason == "latest ingestion queued: Waiting"


# --- errors --------------------------------------------------------------------------------
async def test_bad_token_is_an_auth_error_without_the_token(reader) -> None:
    log = CallLog()
    token = "0123456789abcdef0123456789abcdef01234567zz"
    adapter = make_adapter(reader, token=token, call_log=log)
    for call in (adapter.check(), adapter.list_syncs(), adapter.get_sync(pick(reader))):
        with pytest.raises(errors.AuthError) as info:
            await call
        assert token not in str(info.value)
    assert log.records() and all(token not in repr(r) for r in log.records())
    await adapter.aclose()


async def test_read_only_token_cannot_write(sandbox) -> None:
    adapter = make_adapter(sandbox, readonly=True)
    full = pick(sandbox)
    sync = await adapter.get_sync(full)  # reading is allowed
    plan = await adapter.plan_update(sync, {"context": {"referencePoint": "surveyPoint"}})
    for call in (adapter.apply(plan), adapter.set_active(full, False), adapter.trigger(full)):
        with pytest.raises(errors.PermissionDenied) as info:
            await call
        assert "token lacks streams:write" in str(info.value)
    after = sync_state(sandbox, full)
    assert after["updates"] == 0 and after["active"] is True
    assert after["context"] == sync.raw["context"]
    await adapter.aclose()


async def test_unknown_project_and_sync_are_not_found(reader) -> None:
    adapter = make_adapter(reader)
    project = pick(reader).split("/")[0]
    with pytest.raises(errors.NotFound, match="project nope123 not found"):
        await adapter.get_sync("nope123/abcdef0123")
    with pytest.raises(errors.NotFound):
        await adapter.get_sync(f"{project}/ffffffffff")
    with pytest.raises(errors.NotFound):
        await adapter.get_sync("ffffffffff")  # bare, looked up everywhere
    with pytest.raises(errors.NotFound):
        await adapter.list_runs(f"{project}/ffffffffff")
    with pytest.raises(errors.UsageError):
        await adapter.get_sync("a/b/c")
    bogus = make_adapter(reader, projects=(project, "nope123"))
    with pytest.raises(errors.NotFound, match="nope123"):
        await bogus.check()
    with pytest.raises(errors.ConfigError):
        await make_adapter(reader, projects=()).check()
    await adapter.aclose()
    await bogus.aclose()


def test_vendor_errors_map_by_code_then_wording() -> None:
    token = "sekret-token-value-1234"
    adapter = SpeckleAdapter(
        Account(name="sp", vendor="speckle", base_url="http://127.0.0.1:9", projects=("p",)),
        token,
    )

    def mapped(message: str, code: str | None = None, status: int | None = None, path=None):
        ext = {k: v for k, v in (("code", code), ("statusCode", status)) if v is not None}
        return adapter.map_graphql_errors([{"message": message, "extensions": ext, "path": path}])

    paused = mapped("The sync is paused, so it cannot be triggered", "SOMETHING_NEW", 400)
    assert isinstance(paused, errors.SyncPaused) and str(paused) == PAUSED_MESSAGE
    assert isinstance(mapped("x", "SYNC_PAUSED"), errors.SyncPaused)
    legacy = mapped("Legacy ACC sync: must be migrated first", None, 400)
    assert isinstance(legacy, errors.NeedsMigration) and str(legacy) == LEGACY_REASON
    assert isinstance(mapped("x", "SYNC_LEGACY_MIGRATION_REQUIRED"), errors.NeedsMigration)
    assert isinstance(
        mapped("You must provide a valid auth token.", "UNAUTHORIZED"), errors.AuthError
    )
    denied = mapped("Your auth token does not have the required scope: streams:write.", "FORBIDDEN")
    assert isinstance(denied, errors.PermissionDenied) and "token lacks streams:write" in str(
        denied
    )
    assert isinstance(mapped("Project not found", "STREAM_NOT_FOUND", 404), errors.NotFound)
    assert isinstance(mapped("Sync not found", "NOT_FOUND_ERROR", 404), errors.NotFound)
    assert isinstance(
        mapped("Invalid referencePoint", "BAD_REQUEST_ERROR"), errors.ValidationFailed
    )
    boom = mapped(f"crashed near Bearer {token}", "INTERNAL_SERVER_ERROR", 500)
    assert isinstance(boom, errors.VendorError) and boom.status == 500
    assert token not in str(boom)


# --- planning ------------------------------------------------------------------------------
async def test_invalid_edits_are_refused_before_sending(reader) -> None:
    log = CallLog()
    adapter = make_adapter(reader, call_log=log)
    sync = await adapter.get_sync(pick(reader))
    with pytest.raises(errors.ValidationFailed) as info:
        await adapter.plan_update(sync, {"context": {"referencePoint": "sharedCoordinates"}})
    assert [i.path for i in info.value.issues] == ["context.referencePoint"]
    assert "referencePoint must be one of internalOrigin" in str(info.value)
    for bad in (
        {"context": {"viewName": 3}},
        {"active": "yes"},
        {"context": None},
        {"context": "wipe"},
        {"fileName": "renamed.rvt"},
    ):
        with pytest.raises(errors.ValidationFailed):
            await adapter.plan_update(sync, bad)
    with pytest.raises(errors.ValidationFailed):
        await adapter.plan_update(sync, ["not", "an", "object"])  # type: ignore[arg-type]
    assert not [r for r in log.records() if r.target.startswith("mutation")]
    assert sync_state(reader, sync.id)["updates"] == 0
    await adapter.aclose()


async def test_an_unknown_value_already_on_the_server_does_not_block_other_edits(reader) -> None:
    adapter = make_adapter(reader)
    sync = await adapter.get_sync(pick(reader))
    odd = sync.model_copy(
        update={"raw": {**sync.raw, "context": {**sync.raw["context"], "referencePoint": "gps"}}}
    )
    plan = await adapter.plan_update(odd, {"context": {"viewName": "Level 1"}})
    assert plan.after["context"]["referencePoint"] == "gps"
    await adapter.aclose()


async def test_dry_run_plan_is_exact_masked_and_sends_nothing(sandbox) -> None:
    wire = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=wire)
    token = demo_accounts(sandbox.info())[1]["speckle-demo"]
    full = pick(sandbox, active=False)
    sync = await adapter.get_sync(full)
    patch = {"active": True, "context": {"referencePoint": "surveyPoint"}}
    plan = await adapter.plan_update(sync, patch, trigger_now=True)
    assert plan.summary == "resume + update context + trigger now"
    assert [operation(r.body) for r in plan.requests] == [
        "mutation SetSyncActive",
        "mutation UpdateSync",
    ]
    for request in plan.requests:
        assert request.method == "POST" and request.url == f"{adapter.base_url}/graphql"
        assert request.headers["Authorization"] == "Bearer ****"
    assert token not in json.dumps(plan.model_dump())
    update = plan.requests[1].body["variables"]["input"]
    assert update == {
        "id": sid_of(full),
        "projectId": full.split("/")[0],
        "context": {**sync.raw["context"], "referencePoint": "surveyPoint"},
        "triggerNow": True,
    }
    assert plan.before == {"active": False, "context": sync.raw["context"]}
    assert plan.after == {"active": True, "context": update["context"]}
    assert wire.mutations() == []
    assert sync_state(sandbox, full)["updates"] == 0
    assert sync_state(sandbox, full)["active"] is False

    result = await adapter.apply(plan)
    assert result.message == "resumed, updated and triggered"
    assert wire.mutations() == [r.body for r in plan.requests]  # sent exactly as previewed
    after = sync_state(sandbox, full)
    assert after["active"] is True and after["triggers"] == 1 and after["updates"] == 1
    assert after["context"] == update["context"]
    assert result.sync is not None and result.sync.status is SyncStatus.ACTIVE
    assert result.run is not None and result.run.state is RunState.QUEUED
    assert result.sync.name == sync.name  # the short write answer merged over the read
    await adapter.aclose()


async def test_pause_goes_after_the_update_and_summaries_read_well(sandbox) -> None:
    adapter = make_adapter(sandbox, inner=(wire := Loopback(sandbox)))
    full = pick(sandbox)
    sync = await adapter.get_sync(full)
    assert (await adapter.plan_update(sync, {"active": False})).summary == "pause"
    assert (await adapter.plan_update(sync, {}, trigger_now=True)).summary == "trigger now"
    noop = await adapter.plan_update(sync, {"context": {}})
    assert noop.empty and noop.requests == [] and noop.summary == "no changes"
    patch = {"active": False, "context": {"viewName": "Level 2"}}
    plan = await adapter.plan_update(sync, patch)
    assert plan.summary == "update context + pause"
    await adapter.apply(plan)
    assert [operation(p) for p in wire.mutations()] == [
        "mutation UpdateSync",
        "mutation SetSyncActive",
    ]
    after = sync_state(sandbox, full)
    assert after["active"] is False and after["context"]["viewName"] == "Level 2"
    assert after["triggers"] == 0
    await adapter.aclose()


async def test_merge_patch_round_trips_keep_unknown_keys_and_send_null_view(sandbox) -> None:
    wire = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=wire)
    full = pick(sandbox, extra_keys=True, view=True)
    sync = await adapter.get_sync(full)
    original = sync.raw["context"]
    extra = set(original) - KNOWN_KEYS
    assert extra

    plan = await adapter.plan_update(sync, {"context": {"referencePoint": "surveyPoint"}})
    await adapter.apply(plan)
    assert sync_state(sandbox, full)["context"] == {**original, "referencePoint": "surveyPoint"}
    reloaded = await adapter.get_sync(full)
    assert adapter.editable(reloaded) == plan.after

    # "viewName": null means clear: it is sent as an explicit null, not dropped.
    plan = await adapter.plan_update(reloaded, {"context": {"viewName": None}})
    assert plan.summary == "update context"
    sent = plan.requests[0].body["variables"]["input"]["context"]
    assert "viewName" in sent and sent["viewName"] is None
    assert {k: sent[k] for k in extra} == {k: original[k] for k in extra}
    await adapter.apply(plan)
    stored = sync_state(sandbox, full)["context"]
    assert stored["viewName"] is None and {k: stored[k] for k in extra} == {
        k: original[k] for k in extra
    }
    assert wire.mutations()[-1]["variables"]["input"]["context"] == sent

    # Nested merge into a key synctui knows nothing about; other keys ride along unchanged.
    key = sorted(extra)[0]
    value = original[key]
    nested = {"synctuiProbe": 1} if isinstance(value, dict) else ["probe"]
    plan = await adapter.plan_update(await adapter.get_sync(full), {"context": {key: nested}})
    await adapter.apply(plan)
    stored = sync_state(sandbox, full)["context"]
    expected = {**value, **nested} if isinstance(value, dict) else nested
    assert stored[key] == expected and stored["referencePoint"] == "surveyPoint"
    assert sync_state(sandbox, full)["updates"] == 3
    await adapter.aclose()


async def test_a_stale_plan_is_a_conflict_and_sends_nothing(sandbox) -> None:
    adapter = make_adapter(sandbox)
    full = pick(sandbox)
    sync = await adapter.get_sync(full)
    plan = await adapter.plan_update(sync, {"context": {"referencePoint": "surveyPoint"}})
    other = make_adapter(sandbox)
    await other.apply(await other.plan_update(sync, {"context": {"viewName": "Theirs"}}))
    with pytest.raises(errors.Conflict, match="changed on the server since you loaded it"):
        await adapter.apply(plan)
    assert sync_state(sandbox, full)["updates"] == 1
    assert sync_state(sandbox, full)["context"]["viewName"] == "Theirs"
    await adapter.aclose()
    await other.aclose()


# --- actions -------------------------------------------------------------------------------
async def test_pause_resume_and_trigger(sandbox) -> None:
    adapter = make_adapter(sandbox)
    full = pick(sandbox)
    paused = await adapter.set_active(full, False)
    assert paused.message == "paused" and paused.sync is not None
    assert paused.sync.status is SyncStatus.PAUSED
    assert sync_state(sandbox, full)["active"] is False
    assert (await adapter.set_active(full, False)).message == "already paused"

    with pytest.raises(errors.SyncPaused) as info:
        await adapter.trigger(full)
    assert str(info.value) == PAUSED_MESSAGE
    with pytest.raises(errors.SyncPaused):
        await adapter.plan_update(await adapter.get_sync(full), {}, trigger_now=True)
    # The vendor refuses too, and says so in a way the adapter maps.
    project, sid = full.split("/")
    with pytest.raises(errors.SyncPaused):
        await adapter.execute(
            M_UPDATE, {"input": {"id": sid, "projectId": project, "triggerNow": True}}
        )
    assert sync_state(sandbox, full)["triggers"] == 0

    assert (await adapter.set_active(sid, True)).message == "resumed"  # bare id works too
    result = await adapter.trigger(full)
    assert result.message == "triggered" and result.run is not None
    assert result.run.state is RunState.QUEUED
    after = sync_state(sandbox, full)
    assert after["triggers"] == 1 and after["active"] is True
    runs = await adapter.list_runs(full, limit=3)
    assert runs[0].id == result.run.id
    advance_clock(sandbox, 120)
    assert (await adapter.list_runs(full, limit=1))[0].state in (RunState.SUCCESS, RunState.FAILED)
    await adapter.aclose()


async def test_legacy_sync_needs_migration_then_edits(sandbox) -> None:
    adapter = make_adapter(sandbox)
    legacy = await adapter.get_sync(state(sandbox)["legacy"][0])
    for call in (
        adapter.plan_update(legacy, {"context": {"referencePoint": "surveyPoint"}}),
        adapter.set_active(legacy.id, False),
        adapter.trigger(legacy.id),
    ):
        with pytest.raises(errors.NeedsMigration) as info:
            await call
        assert str(info.value) == LEGACY_REASON
    with pytest.raises(errors.NeedsMigration):  # the vendor's own refusal maps the same way
        project, sid = legacy.id.split("/")
        await adapter.execute(M_UPDATE, {"input": {"id": sid, "projectId": project}})
    assert await adapter.list_runs(legacy.id) == []

    migrated = await adapter.migrate(legacy.id)
    assert migrated.message == "migrated" and migrated.sync is not None
    assert migrated.sync.id == legacy.id and migrated.sync.status is not SyncStatus.LEGACY
    assert state(sandbox)["migrated"] == [sid]
    again = await adapter.migrate(legacy.id)
    assert again.message == "already migrated" and state(sandbox)["migrated"] == [sid]

    plan = await adapter.plan_update(migrated.sync, {"context": {"referencePoint": "surveyPoint"}})
    await adapter.apply(plan)
    assert state(sandbox)["syncs"][sid]["context"]["referencePoint"] == "surveyPoint"
    await adapter.aclose()


async def test_delete_modern_and_legacy(sandbox) -> None:
    adapter = make_adapter(sandbox)
    full = pick(sandbox)
    assert (await adapter.delete(full)).message == "deleted"
    legacy_id = state(sandbox)["legacy"][0]
    await adapter.delete(legacy_id)
    assert state(sandbox)["deleted"] == [sid_of(full), legacy_id]
    with pytest.raises(errors.NotFound):
        await adapter.get_sync(full)
    with pytest.raises(errors.NotFound):
        await adapter.delete(full)
    await adapter.aclose()


# --- faults --------------------------------------------------------------------------------
async def test_reads_ride_out_5xx_429_and_broken_bodies(reader) -> None:
    clean = make_adapter(reader)
    expected = [(s.id, s.status, s.vendor_status) for s in await clean.list_syncs()]
    await clean.aclose()
    log = CallLog()
    adapter = make_adapter(reader, call_log=log, attempts=10)
    adapter.page_size = 25
    full = pick(reader)
    set_faults(
        reader, "500=0.15,502=0.05,503=0.05,429=0.1,retry-after=0,malformed=0.1,only=speckle"
    )
    try:
        got = [(s.id, s.status, s.vendor_status) for s in await adapter.list_syncs()]
        run_count = len(await adapter.list_runs(full, limit=5))
    finally:
        set_faults(reader, "")
    assert got == expected and run_count == 5
    assert any(r.attempt > 1 for r in log.records())
    assert {r.status for r in log.records()} >= {200, 500, 429}
    await adapter.aclose()


@pytest.mark.parametrize(
    ("spec", "sends"),
    [
        ("drop-after=1", 1),  # applied, answer lost: verified, not resent
        ("malformed=1", 1),  # applied, answer unreadable: verified, not resent
        ("drop-before=1", 2),  # never applied: verified absent, sent once more
        ("500=1", 2),  # failed before applying: verified absent, sent once more
        ("502=1", 2),  # the same through a gateway
        ("503=1", 2),  # unavailable: nothing done, the transport resends
        ("429=1,retry-after=0", 2),  # refused up front: the transport resends
    ],
)
async def test_update_with_trigger_applies_exactly_once_under_faults(
    sandbox, spec: str, sends: int
) -> None:
    wire = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=wire)
    full = pick(sandbox)
    sync = await adapter.get_sync(full)
    plan = await adapter.plan_update(
        sync, {"context": {"referencePoint": "surveyPoint"}}, trigger_now=True
    )
    wire.fault_on("UpdateSync", spec)
    result = await adapter.apply(plan)
    after = sync_state(sandbox, full)
    assert after["updates"] == 1 and after["triggers"] == 1
    assert after["context"]["referencePoint"] == "surveyPoint"
    assert len(wire.mutations("UpdateSync")) == sends
    assert result.sync is not None and result.sync.raw["context"] == after["context"]
    assert result.run is not None and result.run.id != sync.latest_run.id
    await adapter.aclose()


@pytest.mark.parametrize(
    ("spec", "sends"), [("drop-after=1", 1), ("drop-before=1", 2), ("500=1", 2)]
)
async def test_trigger_fires_exactly_once_under_faults(sandbox, spec: str, sends: int) -> None:
    """The context sent equals the one stored, so only a new run proves a trigger applied."""
    wire = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=wire)
    full = pick(sandbox)
    wire.fault_on("UpdateSync", spec)
    result = await adapter.trigger(full)
    assert result.run is not None and result.run.state is RunState.QUEUED
    assert sync_state(sandbox, full)["triggers"] == 1
    assert len(wire.mutations("UpdateSync")) == sends
    await adapter.aclose()


@pytest.mark.parametrize("how", ["trigger", "apply"])
async def test_a_lost_trigger_is_verified_against_the_history_not_latest_item(
    sandbox, how: str
) -> None:
    """Nothing documents when `Sync.latestItem` moves after `triggerNow`; the history is the
    record of runs. On a server whose `latestItem` lags behind (a variant the docs allow),
    a trigger whose answer was lost must be found in the history, not sent again."""
    wire = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=wire)
    full = pick(sandbox)
    sync = await adapter.get_sync(full)
    stale = sync.raw["latestItem"]

    def lagging(payload: dict, body: dict) -> dict:
        project = (body.get("data") or {}).get("project") or {}
        found = project.get("sync") if isinstance(project, dict) else None
        if operation(payload) == "query ProjectSync" and isinstance(found, dict):
            found["latestItem"] = stale
        return body

    wire.reshape = lagging
    wire.fault_on("UpdateSync", "drop-after=1")
    if how == "trigger":
        result = await adapter.trigger(full)
    else:
        plan = await adapter.plan_update(
            sync, {"context": {"referencePoint": "surveyPoint"}}, trigger_now=True
        )
        result = await adapter.apply(plan)
    assert sync_state(sandbox, full)["triggers"] == 1
    assert len(wire.mutations("UpdateSync")) == 1
    # The run reported is the one the trigger started, read from the history.
    newest = (await adapter.list_runs(full, limit=1))[0]
    assert result.run is not None and result.run.id == newest.id != stale["id"]
    await adapter.aclose()


@pytest.mark.parametrize("action", ["pause", "migrate"])
async def test_other_writes_dropped_after_apply_are_confirmed_once(sandbox, action: str) -> None:
    wire = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=wire)
    if action == "pause":
        full = pick(sandbox)
        wire.fault_on("SetSyncActive", "drop-after=1")
        result = await adapter.set_active(full, False)
        assert result.message == "paused" and sync_state(sandbox, full)["active"] is False
        assert len(wire.mutations("SetSyncActive")) == 1
    else:
        legacy = await adapter.get_sync(state(sandbox)["legacy"][0])
        wire.fault_on("MigrateLegacySync", "drop-after=1")
        result = await adapter.migrate(legacy.id)
        assert result.sync is not None and result.sync.status is not SyncStatus.LEGACY
        assert state(sandbox)["migrated"] == [sid_of(legacy.id)]
        assert len(wire.mutations("MigrateLegacySync")) == 1
    await adapter.aclose()


async def test_an_unverifiable_lost_answer_is_reported_not_resent(sandbox) -> None:
    wire = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=wire, attempts=2)
    full = pick(sandbox)
    plan = await adapter.plan_update(
        await adapter.get_sync(full), {"context": {"referencePoint": "surveyPoint"}}
    )
    wire.fault_on("UpdateSync", "drop-after=1", keep=True)  # the verify reads fail too
    with pytest.raises(errors.OutcomeUnknown):
        await adapter.apply(plan)
    set_faults(sandbox, "")
    assert sync_state(sandbox, full)["updates"] == 1
    assert len(wire.mutations("UpdateSync")) == 1
    await adapter.aclose()


async def test_the_token_never_reaches_errors_or_the_call_log(sandbox) -> None:
    log = CallLog()
    token = demo_accounts(sandbox.info())[1]["speckle-demo"]
    ro_token = demo_accounts(sandbox.info(), readonly_tokens=True)[1]["speckle-demo"]
    wire = Loopback(sandbox)
    adapter = make_adapter(sandbox, call_log=log, inner=wire, attempts=2)
    readonly = make_adapter(sandbox, call_log=log, readonly=True)
    seen: list[str] = []
    full = pick(sandbox)
    sync = await adapter.get_sync(full)
    for call in (
        readonly.set_active(full, False),
        adapter.get_sync("nope123/x"),
        adapter.plan_update(sync, {"context": {"referencePoint": token}}),
    ):
        with pytest.raises(errors.SyncTuiError) as info:
            await call
        seen.append(str(info.value))
    plan = await adapter.plan_update(sync, {"context": {"viewName": "x"}})
    seen.append(json.dumps(plan.model_dump()))
    wire.fault_on("UpdateSync", "drop-after=1", keep=True)
    with pytest.raises(errors.OutcomeUnknown) as info:
        await adapter.apply(plan)
    seen.append(str(info.value))
    set_faults(sandbox, "")
    seen.extend(repr(r) for r in log.records())
    assert len(seen) > 10
    assert not [text for text in seen if token in text or ro_token in text]
    await adapter.aclose()
    await readonly.aclose()


# --- malformed data ------------------------------------------------------------------------
def test_a_malformed_item_never_breaks_a_list_nor_becomes_a_write() -> None:
    good = {
        "id": "aaaaaaaaaa",
        "active": True,
        "fileName": "A.rvt",
        "context": {"referencePoint": "internalOrigin"},
        "integration": {"slug": "acc", "name": "Autodesk Construction Cloud"},
        "latestItem": {"id": 7},  # a broken latest item is dropped, the sync stays
        "brandNewField": {"kept": True},
    }
    items = [
        good,
        {"id": "bbbbbbbbbb", "active": "maybe", "context": "nope"},
        {"active": True},
        None,
        "garbage",
    ]
    parsed = [parse_sync("sp", i, "proj", "Project") for i in items]
    assert [s.id if s else None for s in parsed] == [
        "proj/aaaaaaaaaa",
        "proj/bbbbbbbbbb",
        None,
        None,
        None,
    ]
    ok, broken = parsed[0], parsed[1]
    assert isinstance(ok, Sync) and ok.status is SyncStatus.ACTIVE and ok.latest_run is None
    assert ok.raw == good and ok.columns["latest_ingestion"] == "never"
    assert isinstance(broken, Sync) and broken.status is SyncStatus.UNKNOWN
    assert broken.status_reason and "active" in broken.status_reason
    adapter = SpeckleAdapter(
        Account(name="sp", vendor="speckle", base_url="http://127.0.0.1:9", projects=("proj",)),
        "token-1234",
    )
    assert adapter.editable(ok) == {"active": True, "context": {"referencePoint": "internalOrigin"}}
    with pytest.raises(errors.VendorError):
        adapter.editable(broken)


async def test_each_document_is_checked_and_printed_once_and_a_bad_one_refused_every_time(
    reader, monkeypatch
) -> None:
    import gql.client
    import gql.graphql_request

    checked: list[str] = []
    real = gql.client.validate

    def counting(schema, document):  # type: ignore[no-untyped-def]
        checked.append(document.loc.source.body)
        return real(schema, document)

    monkeypatch.setattr(gql.client, "validate", counting)
    printed: list[object] = []  # gql prints the document for every request unless told not to
    monkeypatch.setattr(gql.graphql_request, "print_ast", printed.append)
    log = CallLog()
    adapter = make_adapter(reader, call_log=log)
    for _ in range(3):
        await adapter.check()
    assert len(log.records()) == 3 and len(checked) == len(set(checked)) >= 1
    sync = await adapter.get_sync(pick(reader))
    plan = await adapter.plan_update(sync, {"context": {"viewName": "Printed once"}})
    assert plan.requests[0].body["query"].lstrip().startswith("mutation")
    assert printed == []
    bad = 'query Bad { project(id: "x") { noSuchField } }'
    for _ in range(2):  # refused locally each time, never sent
        with pytest.raises(errors.VendorError, match="rejected by the local schema"):
            await adapter.execute(bad)
    assert checked.count(bad) == 2 and len(log.records()) == 4
    await adapter.aclose()
