"""A write whose answer is a 503 or a 429 may already have been applied: look before resending.

A gateway in front of a vendor can lose the vendor's answer and say 503; a rate limiter that
sits behind the application can say 429 after the write ran. Resent blindly, a Speckle
`triggerNow` queues a second run and a Signalsmith trigger is journaled `failed` although a
run started. Here a proxy in front of the sandbox lets the write through (the simulator
applies it and counts it) and then answers 503 or 429 in the vendor's own error shape; the
simulator's counters say how often the write was applied, the journal what was reported.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from synctui.domain import errors
from synctui.sandbox.server import Sandbox
from synctui.services.session import Session, SessionOptions
from synctui.store.journal import Journal
from synctui.vendors.http import PolicyTransport
from tests.conftest import admin_state
from tests.hostile.conftest import TINY, fast_retry, proxied_accounts
from tests.hostile.server import Exchange, HostileServer, Reply, Request

# The vendors' own error bodies for a status, so the adapters read them as they would a
# real vendor's (Speckle: GraphQL errors; the REST vendors: their JSON error shapes).
ERROR_BODIES: dict[str, Callable[[int], Any]] = {
    "speckle": lambda status: {
        "errors": [
            {
                "message": "Service unavailable" if status == 503 else "Too many requests",
                "extensions": {
                    "code": "INTERNAL_SERVER_ERROR" if status == 503 else "TOO_MANY_REQUESTS",
                    "statusCode": status,
                },
            }
        ]
    },
    "signalsmith": lambda status: {
        "error": "upstream unavailable" if status == 503 else "slow down"
    },
    "polytomic": lambda status: {"status": status, "message": "unavailable"},
    "paragon": lambda status: {"message": "unavailable", "code": "UNAVAILABLE", "status": status},
}


def lose_answer_of(
    matches: Callable[[Request], bool], status: int, vendor: str, times: int = 1
) -> Callable[[Request, Exchange], Any]:
    """A proxy handler: the first `times` matching writes are applied upstream, then their
    answer is replaced by `status` (Retry-After: 0 on a 429)."""
    lost: list[Request] = []

    async def handler(request: Request, exchange: Exchange) -> Reply:
        answer = await exchange.forward(request)
        if matches(request) and len(lost) < times:
            lost.append(request)
            exchange.server.count("applied-then-lost")
            headers = {"retry_after": "0"} if status == 429 else {}
            return Reply.json(ERROR_BODIES[vendor](status), status, **headers)
        return answer

    return handler


def session_for(sandbox: Sandbox, server: HostileServer, tmp_path: Path) -> Session:
    accounts, tokens = proxied_accounts(sandbox, server)
    options = SessionOptions(
        journal_path=tmp_path / "journal.sqlite3", limits=TINY, retry=fast_retry()
    )
    return Session(accounts, lambda account: tokens.get(account.name), options)


def last_entry(tmp_path: Path) -> Any:
    entries = Journal(tmp_path / "journal.sqlite3").list(limit=1)
    assert entries, "nothing was journaled"
    return entries[0]


def speckle_trigger(request: Request) -> bool:
    payload = request.json()
    variables = payload.get("variables", {}) if isinstance(payload, dict) else {}
    body = variables.get("input") if isinstance(variables, dict) else None
    return isinstance(body, dict) and body.get("triggerNow") is True


@pytest.mark.parametrize("status", [503, 429])
async def test_speckle_trigger_answered_after_it_ran_starts_one_run(
    sandbox: Sandbox, proxy: Any, tmp_path: Path, status: int
) -> None:
    syncs = admin_state(sandbox, "speckle")["syncs"]
    sid, sync = next((k, s) for k, s in syncs.items() if s["active"])
    before = sync["triggers"]
    server = proxy(sandbox, lose_answer_of(speckle_trigger, status, "speckle"))
    session = session_for(sandbox, server, tmp_path)
    try:
        result = await session.trigger("speckle-demo", f"{sync['projectId']}/{sid}")
    finally:
        await session.aclose()
    assert server.counts.get("applied-then-lost") == 1
    assert admin_state(sandbox, "speckle")["syncs"][sid]["triggers"] == before + 1
    assert result.message == "triggered"
    assert last_entry(tmp_path).outcome == "ok"


def signalsmith_trigger(request: Request) -> bool:
    return request.method == "POST" and request.path.endswith("/trigger")


@pytest.mark.parametrize("status", [503, 429])
async def test_signalsmith_trigger_answered_after_it_ran_is_journaled_ok(
    sandbox: Sandbox, proxy: Any, tmp_path: Path, status: int
) -> None:
    state = admin_state(sandbox, "signalsmith")["syncs"]
    workspace = acme_workspace(sandbox)
    sid, sync = next(
        (k, s)
        for k, s in state.items()
        if s["status"] == "active" and s["workspace_id"] == workspace
    )
    server = proxy(sandbox, lose_answer_of(signalsmith_trigger, status, "signalsmith"))
    session = session_for(sandbox, server, tmp_path)
    try:
        result = await session.trigger("signalsmith-acme", sid)
    finally:
        await session.aclose()
    assert server.counts.get("applied-then-lost") == 1
    assert admin_state(sandbox, "signalsmith")["syncs"][sid]["triggers"] == sync["triggers"] + 1
    assert result.message == "triggered" and result.run is not None
    assert last_entry(tmp_path).outcome == "ok"


def acme_workspace(sandbox: Sandbox) -> str:
    """The workspace of the `signalsmith-acme` demo account."""
    return sandbox.info()["signalsmith"]["ids"]["workspaces"][0]


@pytest.mark.parametrize("status", [503, 429])
async def test_polytomic_and_paragon_pause_answered_after_they_ran_are_done_once(
    sandbox: Sandbox, proxy: Any, tmp_path: Path, status: int
) -> None:
    poly = admin_state(sandbox, "polytomic")["syncs"]
    poly_id = next(k for k, s in poly.items() if s["active"])
    para = admin_state(sandbox, "paragon")["syncs"]
    para_id = next(k for k, s in para.items() if s["status"] != "DISABLED")

    def pause(request: Request) -> bool:
        return request.method == "POST" and request.path.endswith(("/activate", "/disable"))

    def handler_for(vendor: str) -> Any:
        return lose_answer_of(pause, status, vendor, times=1)

    poly_server = proxy(sandbox, handler_for("polytomic"))
    session = session_for(sandbox, poly_server, tmp_path)
    try:
        result = await session.set_active("polytomic-demo", poly_id, False)
    finally:
        await session.aclose()
    assert result.message == "paused"
    assert admin_state(sandbox, "polytomic")["syncs"][poly_id]["activations"] == (
        poly[poly_id]["activations"] + 1
    )
    assert last_entry(tmp_path).outcome == "ok"

    para_server = proxy(sandbox, handler_for("paragon"))
    session = session_for(sandbox, para_server, tmp_path)
    try:
        result = await session.set_active("paragon-demo", para_id, False)
    finally:
        await session.aclose()
    assert result.message == "paused"
    disables = [r for r in para_server.seen(pause)]
    assert len(disables) == 1, "the disable was sent again after it was applied"
    assert last_entry(tmp_path).outcome == "ok"


async def test_a_503_write_not_applied_is_verified_then_sent_once_more(
    sandbox: Sandbox, proxy: Any, tmp_path: Path
) -> None:
    """A gateway that refuses without forwarding: the read shows nothing was applied, so the
    write is sent again (after a bounded wait) and lands once."""
    syncs = admin_state(sandbox, "speckle")["syncs"]
    sid, sync = next((k, s) for k, s in syncs.items() if s["active"])
    refused: list[Request] = []

    async def handler(request: Request, exchange: Exchange) -> Reply:
        if speckle_trigger(request) and not refused:
            refused.append(request)
            return Reply.json(ERROR_BODIES["speckle"](503), 503)
        return await exchange.forward(request)

    server = proxy(sandbox, handler)
    session = session_for(sandbox, server, tmp_path)
    try:
        result = await session.trigger("speckle-demo", f"{sync['projectId']}/{sid}")
    finally:
        await session.aclose()
    assert result.message == "triggered"
    assert admin_state(sandbox, "speckle")["syncs"][sid]["triggers"] == sync["triggers"] + 1
    assert len(server.seen(speckle_trigger)) == 2


async def test_a_503_write_whose_fate_cannot_be_read_is_unknown_not_failed(
    sandbox: Sandbox, proxy: Any, tmp_path: Path
) -> None:
    """Applied, answered 503, and every read after it fails too: `unknown`, never `failed`
    (the TUI's "retry failed" would start a second run)."""
    state = admin_state(sandbox, "signalsmith")["syncs"]
    workspace = acme_workspace(sandbox)
    sid = next(
        k for k, s in state.items() if s["status"] == "active" and s["workspace_id"] == workspace
    )
    applied: list[Request] = []

    async def handler(request: Request, exchange: Exchange) -> Reply:
        if applied and request.method == "GET":
            return Reply.json({"error": "unavailable"}, 503)
        answer = await exchange.forward(request)
        if signalsmith_trigger(request):
            applied.append(request)
            return Reply.json({"error": "unavailable"}, 503)
        return answer

    server = proxy(sandbox, handler)
    session = session_for(sandbox, server, tmp_path)
    try:
        with pytest.raises(errors.OutcomeUnknown):
            await session.trigger("signalsmith-acme", sid)
    finally:
        await session.aclose()
    assert len(server.seen(signalsmith_trigger)) == 1
    assert last_entry(tmp_path).outcome == "unknown"


@pytest.mark.parametrize("status", [429, 503])
async def test_the_policy_never_resends_a_non_idempotent_write_on_its_own(status: int) -> None:
    """The transport leaves a 429/503 on a write to the adapter (which reads before
    resending); reads and writes carrying an Idempotency-Key are still retried there."""
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(status, headers={"Retry-After": "0"}, json={"error": "x"})

    transport = PolicyTransport(
        account="a", vendor="v", retry=fast_retry(), inner=httpx.MockTransport(handler)
    )
    async with httpx.AsyncClient(base_url="http://v.test", transport=transport) as client:
        assert (await client.post("/trigger")).status_code == status
        assert len(calls) == 1
        mutation = {"query": "mutation M { syncMutations { update } }"}
        assert (await client.post("/graphql", json=mutation)).status_code == status
        assert len(calls) == 2
        await client.get("/syncs")
        assert len(calls) == 2 + 3  # a read: every attempt
        await client.post("/executions", headers={"Idempotency-Key": "k-12345678"})
        assert len(calls) == 5 + 3
    assert json.loads(calls[1].content)["query"].startswith("mutation")
