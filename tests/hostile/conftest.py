"""Fixtures for the hostile-network tests: misbehaving servers, and adapters on tiny limits.

`hostile(handler)` starts a `HostileServer` that is stopped when the test ends (and stops by
itself anyway). `proxy(sandbox, handler)` puts one in front of a real sandbox, so a handler
can let a write be applied by the simulator and then lose or garble its answer; the
simulator's own counters say how many times a write was applied.

Limits in these tests are tiny on purpose (a 256 KiB body cap, a 2 s request deadline, a
page cap of 40, retry waits capped at a few milliseconds): what is tested is that a limit
exists and holds, and small limits keep every test fast.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from synctui.sandbox.server import Sandbox
from synctui.services.demo import demo_accounts
from synctui.store.accounts import Account
from synctui.vendors.base import Adapter
from synctui.vendors.http import CallLog, Limits, RetrySettings
from synctui.vendors.registry import adapter_class
from tests.hostile.server import Handler, HostileServer

TOKEN = "hx7Qe2LrV9tKp4WmZs8Nd3Fb6Yc1Ga5J"  # a token every hostile server may echo back

TINY = Limits(max_body_bytes=256 * 1024, request_seconds=2.0, max_pages=40)


def fast_retry(attempts: int = 3, max_retry_after: float = 0.05) -> RetrySettings:
    return RetrySettings(
        attempts=attempts,
        base_delay=0.001,
        max_delay=0.005,
        max_retry_after=max_retry_after,
        rng=random.Random(7),
    )


Serve = Callable[..., HostileServer]


@pytest.fixture
def hostile() -> Iterator[Serve]:
    """Start hostile servers for this test: `hostile(handler, **options)` → a running one."""
    started: list[HostileServer] = []

    def serve(handler: Handler, **options: Any) -> HostileServer:
        server = HostileServer(handler, **options).__enter__()
        started.append(server)
        return server

    yield serve
    for server in started:
        server.stop()
    failures = [e for s in started for e in s.errors]
    assert not failures, f"a hostile handler failed: {failures!r}"


@pytest.fixture
def proxy(hostile: Serve) -> Callable[[Sandbox, Handler], HostileServer]:
    """A hostile server in front of `sandbox`, forwarding what its handler lets through."""

    def start(sandbox: Sandbox, handler: Handler) -> HostileServer:
        return hostile(handler, upstream=sandbox.base_url)

    return start


def account_for(vendor: str, base_url: str, **extra: Any) -> Account:
    """An account of `vendor` at `base_url` (its vendor specifics from `extra`)."""
    if vendor == "signalsmith":
        extra.setdefault("workspace", "40575814-57ae-4980-81eb-e31d80a1891d")
    if vendor == "speckle":
        extra.setdefault("projects", ("p1",))
    return Account(name=f"{vendor}-x", vendor=vendor, base_url=base_url, **extra)


def make_adapter(
    account: Account,
    token: str = TOKEN,
    *,
    limits: Limits = TINY,
    retry: RetrySettings | None = None,
    call_log: CallLog | None = None,
    on_retry: Callable[[str], None] | None = None,
) -> Adapter:
    cls = adapter_class(account.vendor)
    return cls(
        account,
        token,
        limits=limits,
        retry=retry or fast_retry(),
        call_log=call_log,
        on_retry=on_retry,
    )


def proxied_accounts(
    sandbox: Sandbox, server: HostileServer
) -> tuple[list[Account], dict[str, str]]:
    """The sandbox's demo accounts, pointed at the hostile proxy in front of it."""
    info = sandbox.info()
    for vendor in info.values():
        vendor["base_url"] = vendor["base_url"].replace(sandbox.base_url, server.url)
    return demo_accounts(info)


def proxied_adapter(sandbox: Sandbox, server: HostileServer, name: str, **options: Any) -> Adapter:
    accounts, tokens = proxied_accounts(sandbox, server)
    account = next(a for a in accounts if a.name == name)
    return make_adapter(account, tokens[name], **options)
