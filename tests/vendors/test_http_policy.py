"""The shared HTTP policy: what is retried, what is not, and what the call log shows.

The network is scripted with httpx.MockTransport *below* our transport, so these tests
exercise the real retry code; the adapters' own tests then run it over loopback against the
sandbox's fault injection.
"""

from __future__ import annotations

import asyncio
import json
import random

import httpx
import pytest

from synctui.vendors.http import (
    CallLog,
    NotSent,
    PolicyTransport,
    Redactor,
    RetrySettings,
    UncertainOutcome,
    mask_headers,
    op,
    parsed_json,
)
from synctui.vendors.http_settings import parse_retry_after
from tests.waits import Waits, no_wait

TOKEN = "sekret-token-123456"


def scripted(*steps):
    """A network that answers each request with the next step (a Response or an exception)."""
    calls: list[httpx.Request] = []
    queue = list(steps)

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        step = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(step, Exception):
            raise step
        return step

    return httpx.MockTransport(handler), calls


def client(inner, log=None, waits=None, attempts=4, sleep=no_wait) -> httpx.AsyncClient:
    transport = PolicyTransport(
        account="acme",
        vendor="polytomic",
        call_log=log,
        redactor=Redactor([TOKEN]),
        retry=RetrySettings(
            attempts=attempts,
            base_delay=0.001,
            max_delay=0.002,
            rng=random.Random(1),
            sleep=sleep,
        ),
        inner=inner,
        on_retry=(waits.append if waits is not None else None),
    )
    return httpx.AsyncClient(base_url="http://vendor.test", transport=transport)


async def test_get_retried_on_5xx_then_succeeds() -> None:
    inner, calls = scripted(
        httpx.Response(503), httpx.Response(502), httpx.Response(200, json={"ok": 1})
    )
    log = CallLog()
    async with client(inner, log) as c:
        response = await c.get("/api/syncs")
    assert response.json() == {"ok": 1}
    assert len(calls) == 3
    assert [r.status for r in log.records()] == [503, 502, 200]


async def test_429_honours_retry_after_for_a_read() -> None:
    inner, calls = scripted(
        httpx.Response(429, headers={"Retry-After": "0"}, json={"error": "slow down"}),
        httpx.Response(200, json={"id": "run"}),
    )
    waits: list[str] = []
    async with client(inner, waits=waits) as c:
        response = await c.get("/runs")
    assert response.status_code == 200
    assert len(calls) == 2
    assert waits == ["rate limited, retrying in 0 ms"]


async def test_429_on_a_post_goes_back_to_the_adapter() -> None:
    """A limiter may answer 429 after the write ran: the adapter verifies before resending."""
    inner, calls = scripted(
        httpx.Response(429, headers={"Retry-After": "0"}, json={"error": "slow down"}),
        httpx.Response(201, json={"id": "run"}),
    )
    async with client(inner) as c:
        response = await c.post("/trigger")
    assert response.status_code == 429
    assert len(calls) == 1


async def test_waits_pass_through_the_injected_sleep() -> None:
    """Retry-After and the backoff are asked of `RetrySettings.sleep`, so no test spends them;
    Retry-After is capped by `max_retry_after`, the backoff by `max_delay`."""
    inner, calls = scripted(
        httpx.Response(429, headers={"Retry-After": "7"}),
        httpx.Response(429, headers={"Retry-After": "3600"}),
        httpx.Response(503),
        httpx.Response(200, json={}),
    )
    waits = Waits()
    async with client(inner, sleep=waits) as c:
        response = await c.get("/api/syncs")
    assert response.status_code == 200
    assert len(calls) == 4
    assert waits.asked[:2] == [7.0, 30.0]
    assert 0 <= waits.asked[2] <= 0.002


def test_the_real_policy_really_waits() -> None:
    assert RetrySettings().sleep is asyncio.sleep


async def test_post_not_retried_on_5xx() -> None:
    inner, calls = scripted(httpx.Response(500, json={"error": "boom"}))
    async with client(inner) as c:
        response = await c.post("/trigger")
    assert response.status_code == 500
    assert len(calls) == 1


async def test_post_with_idempotency_key_is_retried() -> None:
    inner, calls = scripted(httpx.Response(500), httpx.Response(201, json={}))
    async with client(inner) as c:
        response = await c.post("/executions", headers={"Idempotency-Key": "abcdefgh12"})
    assert response.status_code == 201
    assert len(calls) == 2


async def test_dropped_answer_on_post_is_uncertain_not_retried() -> None:
    inner, calls = scripted(httpx.RemoteProtocolError("peer closed"))
    async with client(inner) as c:
        with pytest.raises(UncertainOutcome):
            await c.post("/trigger")
    assert len(calls) == 1


async def test_dropped_answer_on_put_is_retried() -> None:
    inner, calls = scripted(httpx.RemoteProtocolError("peer closed"), httpx.Response(200, json={}))
    async with client(inner) as c:
        response = await c.put("/api/syncs/1", json={})
    assert response.status_code == 200
    assert len(calls) == 2


async def test_connect_error_retried_even_for_post_then_not_sent() -> None:
    inner, calls = scripted(httpx.ConnectError("refused"))
    async with client(inner, attempts=3) as c:
        with pytest.raises(NotSent):
            await c.post("/trigger")
    assert len(calls) == 3


async def test_graphql_query_retried_mutation_not() -> None:
    query = {"query": 'query ProjectSyncs { project(id: "x") { id } }'}
    mutation = {
        "query": "mutation UpdateSync($input: X!) { syncMutations { update } }",
        "operationName": "UpdateSync",
    }
    inner, calls = scripted(httpx.Response(502), httpx.Response(200, json={"data": {}}))
    log = CallLog()
    async with client(inner, log) as c:
        assert (await c.post("/graphql", json=query)).status_code == 200
    assert len(calls) == 2
    assert log.records()[0].target == "query ProjectSyncs"
    inner, calls = scripted(httpx.Response(502))
    async with client(inner, log) as c:
        assert (await c.post("/graphql", json=mutation)).status_code == 502
    assert len(calls) == 1
    assert log.records()[-1].target == "mutation UpdateSync"


async def test_malformed_body_on_read_is_retried() -> None:
    broken = httpx.Response(
        200, content=b'{"data": [', headers={"content-type": "application/json"}
    )
    inner, calls = scripted(broken, httpx.Response(200, json={"data": []}))
    async with client(inner) as c:
        response = await c.get("/api/syncs")
    assert response.json() == {"data": []}
    assert len(calls) == 2


async def test_call_log_never_holds_the_token() -> None:
    body = json.dumps({"error": f"bad token {TOKEN}"})
    inner, _ = scripted(
        httpx.Response(401, content=body, headers={"content-type": "application/json"})
    )
    log = CallLog()
    async with client(inner, log) as c:
        await c.get("/api/syncs?page_token=abc", headers={"Authorization": f"Bearer {TOKEN}"})
    record = log.records()[0]
    assert TOKEN not in repr(record)
    assert "****" in (record.error or "")
    assert record.target == "/api/syncs"


async def test_op_extension_names_the_call() -> None:
    inner, _ = scripted(httpx.Response(200, json={}))
    log = CallLog()
    async with client(inner, log) as c:
        await c.get("/api/syncs", extensions=op("list syncs"))
    assert log.records()[0].target == "list syncs"


def test_parse_retry_after() -> None:
    assert parse_retry_after("3") == 3
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10


def test_mask_headers() -> None:
    masked = mask_headers({"Authorization": f"Bearer {TOKEN}", "X-Polytomic-Version": "2025-09-18"})
    assert masked == {"Authorization": "Bearer ****", "X-Polytomic-Version": "2025-09-18"}


async def test_a_read_answers_json_is_parsed_once_and_handed_over_once() -> None:
    """The policy parses a read's JSON to see that it is readable; whoever reads the answer
    next (gql) takes that parse instead of parsing the same bytes again — once only, since
    the value is mutable."""
    query = {"query": "query Feed { pointSync { cursor } }"}
    inner, _ = scripted(httpx.Response(200, json={"data": {"pointSync": {"cursor": "c1"}}}))
    async with client(inner) as c:
        response = await c.post("/graphql", json=query)
    assert parsed_json(response) == ({"data": {"pointSync": {"cursor": "c1"}}},)
    assert parsed_json(response) is None
    mutation = {"query": "mutation Go { go }"}
    inner, _ = scripted(httpx.Response(200, json={"data": {"go": True}}))
    async with client(inner) as c:
        response = await c.post("/graphql", json=mutation)
    assert parsed_json(response) is None  # not parsed by the policy: nothing to hand over
    assert response.json() == {"data": {"go": True}}
