"""Random server misbehaviour against every read and write path of every adapter.

A hostile proxy stands in front of one sandbox. For each example, hypothesis picks an
operation of one vendor's adapter (list, get, runs, update, trigger, pause, resume, delete,
create, migrate, a feed page) and a script of misbehaviour for its requests: a status
before the request reaches the vendor (not applied) or after it did (applied, answer lost),
a connection cut before or after, a garbage, `null`, huge, endless or dripping answer after
the vendor applied the write, a 429 with a nonsensical `Retry-After`, the previous page
served again. Whatever happens, the promises hold:

- the operation ends (a hang guard far above the tiny limits) with its result or a
  `SyncTuiError` — never another exception;
- no write is applied twice: the proxy counts the writes the simulator accepted (a 2xx, and
  for GraphQL no errors), per distinct write (a Polytomic POST per `Idempotency-Key`, which
  the vendor replays);
- a write reported done was applied;
- memory stays bounded (the peak resident size of the process, reset before each example).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synctui.domain import errors
from synctui.domain.models import WriteResult
from synctui.sandbox.core import SandboxConfig
from synctui.sandbox.server import Sandbox
from synctui.vendors.base import Adapter
from synctui.vendors.http import Limits
from tests.conftest import admin_state, unlimit
from tests.hostile.conftest import fast_retry, proxied_adapter
from tests.hostile.server import (
    Answer,
    Drip,
    Drop,
    Endless,
    Exchange,
    HostileServer,
    Huge,
    MiB,
    Reply,
    Request,
)

LIMITS = Limits(max_body_bytes=256 * 1024, request_seconds=1.0, max_pages=30)
HANG_GUARD = 60.0  # seconds; only a client without limits gets near it
MEMORY_GROWTH = 96 * MiB  # the body cap is 256 KiB; the hostile bodies are 200 MB and more

# --- misbehaviour ---------------------------------------------------------------------------

AFTER_STATUSES = (429, 500, 502, 503, 504)
FAULTS = st.one_of(
    st.just(("pass",)),
    st.tuples(st.just("status-before"), st.sampled_from((400, *AFTER_STATUSES))),
    st.tuples(st.just("status-after"), st.sampled_from(AFTER_STATUSES)),
    st.sampled_from(
        [
            ("drop-before",),
            ("drop-after",),
            ("drop-partial-after",),
            ("garbage-after",),
            ("broken-json-after",),
            ("null-after",),
            ("huge-after",),
            ("endless-after",),
            ("drip-after",),
            ("replay-previous",),
        ]
    ),
    st.tuples(
        st.just("retry-after-before"),
        st.sampled_from(["1e9", "nan", "-1", "soon", "9" * 40, "Fri, 31 Dec 9999 23:59:59 GMT"]),
    ),
)


@dataclass
class Script:
    """What the proxy does to the n-th read and the n-th write of one example."""

    reads: list[tuple[Any, ...]] = field(default_factory=list)
    writes: list[tuple[Any, ...]] = field(default_factory=list)
    read_count: int = 0
    write_count: int = 0
    applied: list[str] = field(default_factory=list)  # one key per write the vendor accepted
    previous: dict[str, Reply] = field(default_factory=dict)

    def next_fault(self, request: Request) -> tuple[Any, ...]:
        if request.is_write:
            self.write_count += 1
            pool, index = self.writes, self.write_count - 1
        else:
            self.read_count += 1
            pool, index = self.reads, self.read_count - 1
        return pool[index] if index < len(pool) else ("pass",)


def write_key(request: Request) -> str:
    """One distinct write: a POST with an Idempotency-Key is one write however often sent."""
    key = request.headers.get("idempotency-key")
    if key:
        return f"{request.path} key={key}"
    payload = request.json()
    if request.graphql[0]:
        variables = payload.get("variables") if isinstance(payload, dict) else None
        return f"{request.graphql[1]} {json.dumps(variables, sort_keys=True)}"
    return f"{request.method} {request.path} {request.body.decode(errors='replace')}"


def accepted(request: Request, answer: Reply) -> bool:
    if not 200 <= answer.status < 300:
        return False
    if request.graphql[0] == "mutation":
        body = json.loads(answer.body or b"null")
        return isinstance(body, dict) and not body.get("errors")
    return True


class Proxy:
    """The module's one hostile proxy; each example installs its own script."""

    def __init__(self) -> None:
        self.script = Script()

    async def __call__(self, request: Request, exchange: Exchange) -> Answer:
        script = self.script
        fault = script.next_fault(request)
        kind = fault[0]
        if kind == "drop-before":
            return Drop()
        if kind == "status-before":
            return Reply.json({"error": "refused", "message": "refused"}, fault[1])
        if kind == "retry-after-before":
            return Reply.json({"error": "slow down"}, 429, retry_after=fault[1])
        if kind == "replay-previous" and request.path in script.previous:
            return script.previous[request.path]
        answer = await exchange.forward(request)
        if request.is_write and accepted(request, answer):
            key = write_key(request)
            # The vendor replays a keyed POST (Polytomic's Idempotency-Key) instead of
            # running it again: however often it is accepted, it is one write.
            if not (request.headers.get("idempotency-key") and key in script.applied):
                script.applied.append(key)
        if not request.is_write:
            script.previous[request.path] = answer
        return {
            "status-after": lambda: Reply.json(
                {"error": "lost"}, fault[1] if len(fault) > 1 else 500
            ),
            "drop-after": lambda: Drop(),
            "drop-partial-after": lambda: Drop(partial=True),
            "garbage-after": lambda: Reply(
                200, b"<html>502 Bad Gateway</html>", {"content-type": "text/html"}
            ),
            "broken-json-after": lambda: Reply(
                200, b'{"data": [', {"content-type": "application/json"}
            ),
            "null-after": lambda: Reply.json(None),
            "huge-after": lambda: Huge(size=200 * 1000 * 1000),
            "endless-after": lambda: Endless(max_bytes=256 * MiB),
            "drip-after": lambda: Drip(interval=0.05, seconds=4),
        }.get(kind, lambda: answer)()


# --- the world the operations run in -------------------------------------------------------


@dataclass
class World:
    sandbox: Sandbox
    server: HostileServer
    proxy: Proxy
    ids: dict[str, list[str]]
    legacy: list[str]
    templates: dict[str, dict[str, Any]]
    serial: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def __repr__(self) -> str:
        return f"World(sandbox at {self.sandbox.base_url}, proxy at {self.server.url})"


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    config = SandboxConfig(port=0, seed=11, frozen=True, changes_per_second=0)
    with Sandbox(config) as sandbox:
        unlimit(sandbox)
        proxy = Proxy()
        with HostileServer(proxy, upstream=sandbox.base_url, lifetime=600) as server:
            info = sandbox.info()
            speckle = admin_state(sandbox, "speckle")
            workspace = info["signalsmith"]["ids"]["workspaces"][0]
            ids = {
                "speckle": [f"{s['projectId']}/{k}" for k, s in speckle["syncs"].items()],
                "polytomic": sorted(admin_state(sandbox, "polytomic")["syncs"]),
                "signalsmith": sorted(
                    k
                    for k, s in admin_state(sandbox, "signalsmith")["syncs"].items()
                    if s["workspace_id"] == workspace
                ),
                "paragon": sorted(admin_state(sandbox, "paragon")["syncs"]),
            }
            legacy = [
                f"{item['projectId']}/{ident}"
                for ident, item in sandbox.sim("speckle").legacy.items()  # type: ignore[attr-defined]
            ]
            templates = asyncio.run(_templates(sandbox, server, ids))
            yield World(sandbox, server, proxy, ids, legacy, templates)
            assert not server.errors, server.errors


async def _templates(sandbox: Sandbox, server: HostileServer, ids: dict[str, list[str]]) -> Any:
    """A valid body to create a Signalsmith and a Polytomic sync from (an existing one's)."""
    out = {}
    for vendor, account in (("signalsmith", "signalsmith-acme"), ("polytomic", "polytomic-demo")):
        adapter = proxied_adapter(sandbox, server, account, retry=fast_retry())
        try:
            out[vendor] = (await adapter.get_sync(ids[vendor][0])).raw
        finally:
            await adapter.aclose()
    return out


ACCOUNTS = {
    "speckle": "speckle-demo",
    "letsbuild": "letsbuild-demo",
    "polytomic": "polytomic-demo",
    "signalsmith": "signalsmith-acme",
    "paragon": "paragon-demo",
}


def patch_for(vendor: str, n: int) -> dict[str, Any]:
    return {
        "speckle": {"context": {"viewName": f"Hostile view {n}"}},
        "polytomic": {"name": f"Hostile sync {n}"},
        "signalsmith": {"name": f"Hostile sync {n}"},
        "paragon": {"incrementalAccumulatorFrequency": ["HOURLY", "DAILY", "WEEKLY"][n % 3]},
    }[vendor]


Operation = Callable[[Adapter, World, str, int], Awaitable[Any]]


async def _update(adapter: Adapter, world: World, sid: str, n: int) -> Any:
    plan = await adapter.plan_update(await adapter.get_sync(sid), patch_for(adapter.vendor, n))
    return await adapter.apply(plan)


async def _create(adapter: Adapter, world: World, sid: str, n: int) -> Any:
    body = {**world.templates[adapter.vendor], "name": f"Hostile new {n}"}
    return await adapter.create(body)


OPERATIONS: dict[str, Operation] = {
    "list": lambda a, w, sid, n: a.list_syncs(),
    "get": lambda a, w, sid, n: a.get_sync(sid),
    "runs": lambda a, w, sid, n: a.list_runs(sid, 5),
    "update": _update,
    "trigger": lambda a, w, sid, n: a.trigger(sid),
    "pause": lambda a, w, sid, n: a.set_active(sid, False),
    "resume": lambda a, w, sid, n: a.set_active(sid, True),
    "delete": lambda a, w, sid, n: a.delete(sid),
    "create": _create,
    "migrate": lambda a, w, sid, n: a.migrate(w.legacy[n % len(w.legacy)] if w.legacy else sid),
    "feed": lambda a, w, sid, n: a.fetch_changes(
        ["project", "form", "point", "contact"][n % 4], None
    ),
}
PATHS = {
    "speckle": ["list", "get", "runs", "update", "trigger", "pause", "resume", "delete", "migrate"],
    "letsbuild": ["feed"],
    "polytomic": [
        "list",
        "get",
        "runs",
        "update",
        "trigger",
        "pause",
        "resume",
        "delete",
        "create",
    ],
    "signalsmith": [
        "list",
        "get",
        "runs",
        "update",
        "trigger",
        "pause",
        "resume",
        "delete",
        "create",
    ],
    "paragon": ["list", "get", "update", "pause", "resume", "delete"],
}


def _peak_kib() -> int:
    with open("/proc/self/status") as handle:
        match = re.search(r"VmHWM:\s+(\d+)", handle.read())
    assert match
    return int(match.group(1))


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")  # resets VmHWM to the current resident size


async def _run(world: World, vendor: str, operation: str, pick: int, n: int) -> Any:
    adapter = proxied_adapter(
        world.sandbox,
        world.server,
        ACCOUNTS[vendor],
        limits=LIMITS,
        retry=fast_retry(attempts=3, max_retry_after=0.02),
    )
    ids = world.ids.get(vendor) or [""]
    sid = ids[pick % len(ids)]
    try:
        return await asyncio.wait_for(OPERATIONS[operation](adapter, world, sid, n), HANG_GUARD)
    finally:
        await adapter.aclose()


HYPOTHESIS = {
    "deadline": None,
    "derandomize": True,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


@pytest.mark.parametrize("vendor", ["paragon", "polytomic", "signalsmith", "speckle"])
@given(data=st.data())
@settings(max_examples=20, **HYPOTHESIS)  # type: ignore[arg-type]
def test_random_misbehaviour_never_crashes_doubles_or_runs_away(
    world: World, vendor: str, data: st.DataObject
) -> None:
    check(world, vendor, data)


@given(data=st.data())
@settings(max_examples=6, **HYPOTHESIS)  # type: ignore[arg-type]
def test_random_misbehaviour_on_the_change_feed(world: World, data: st.DataObject) -> None:
    check(world, "letsbuild", data)


def check(world: World, vendor: str, data: st.DataObject) -> None:
    """One example: an operation of `vendor` under a drawn script of misbehaviour."""
    operation = data.draw(st.sampled_from(PATHS[vendor]), label="operation")
    pick = data.draw(st.integers(min_value=0, max_value=10_000), label="pick")
    script = Script(
        reads=data.draw(st.lists(FAULTS, max_size=4), label="read faults"),
        writes=data.draw(st.lists(FAULTS, min_size=1, max_size=3), label="write faults"),
    )
    world.proxy.script = script
    n = next(world.serial)
    target = _target(world, vendor, pick)
    counted = _counters(world, vendor, target)
    _reset_peak()
    before = _peak_kib()
    try:
        result: Any = asyncio.run(_run(world, vendor, operation, pick, n))
    except errors.SyncTuiError:
        result = None  # a typed, readable failure is an allowed outcome
    grown = (_peak_kib() - before) * 1024
    assert grown < MEMORY_GROWTH, f"memory grew by {grown / MiB:.0f} MiB"
    counts: dict[str, int] = {}
    for key in script.applied:
        counts[key] = counts.get(key, 0) + 1
    doubled = {key: count for key, count in counts.items() if count > 1}
    assert not doubled, f"{vendor} {operation}: applied more than once: {doubled}"
    after = _counters(world, vendor, target)
    grew = {name: after[name] - counted.get(name, 0) for name in after}
    assert all(delta <= 1 for delta in grew.values()), (
        f"{vendor} {operation}: the vendor's own counters moved by more than one: {grew}"
    )
    # A delete is settled by absence, which a sync deleted by an earlier example also shows.
    if isinstance(result, WriteResult) and operation != "delete" and _claims_a_write(result):
        assert script.applied, f"{vendor} {operation} said {result.message!r}, nothing applied"
    assert not world.server.errors, world.server.errors


# The simulators' own counts of applied writes, per sync: the outside witness.
COUNTERS = {
    "speckle": ("updates", "triggers"),
    "polytomic": ("puts", "executions_started", "activations"),
    "signalsmith": ("puts", "triggers"),
    "paragon": ("patches",),
}


def _target(world: World, vendor: str, pick: int) -> str:
    ids = world.ids.get(vendor) or [""]
    return ids[pick % len(ids)].rsplit("/", 1)[-1]


def _counters(world: World, vendor: str, sync_id: str) -> dict[str, int]:
    if vendor not in COUNTERS:
        return {}
    sync = admin_state(world.sandbox, vendor)["syncs"].get(sync_id) or {}
    return {name: int(sync.get(name) or 0) for name in COUNTERS[vendor]}


def _claims_a_write(result: WriteResult) -> bool:
    message = result.message.lower()
    return not (message.startswith("already") or message == "nothing to change")
