"""What the REST adapter tests share: a loopback transport that can fail one chosen request,
adapters on the demo accounts with fast retries, and the checks every vendor must pass
(reads failing for good end typed, the token reaches neither the call log nor an error).

Nothing of our own client is mocked: requests go over real loopback HTTP to the sandbox, and
faults are the sandbox's own, switched through its admin endpoint as an outside test would.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar

import httpx
import pytest

from synctui.domain import errors
from synctui.sandbox.server import Sandbox
from synctui.services.demo import demo_accounts
from synctui.vendors.base import Adapter
from synctui.vendors.http import CallLog, RetrySettings
from tests.conftest import set_faults
from tests.waits import no_wait

A = TypeVar("A", bound=Adapter)

# Every fault kind at once, each now and then: reads must still come through in the end.
FAULT_STORM = "500=0.1,502=0.05,429=0.05,retry-after=0,malformed=0.05,drop-after=0.05"


def fast_retry(attempts: int = 5) -> RetrySettings:
    """The shared retry policy, its waits passing at once, so retries cost a test nothing."""
    return RetrySettings(
        attempts=attempts, base_delay=0.001, max_delay=0.01, max_retry_after=0.01, sleep=no_wait
    )


def demo_adapter(
    cls: type[A],
    sandbox: Sandbox,
    account: str,
    *,
    token: str | None = None,
    readonly: bool = False,
    call_log: CallLog | None = None,
    inner: httpx.AsyncBaseTransport | None = None,
    attempts: int = 5,
    retry: RetrySettings | None = None,
    on_retry: Callable[[str], None] | None = None,
    changes: dict[str, Any] | None = None,
) -> A:
    """An adapter on the sandbox's demo `account` (with `changes` made to it), the way the app
    builds one; its token unless `token` is given, the read-only one if `readonly`."""
    accounts, tokens = demo_accounts(sandbox.info(), readonly_tokens=readonly)
    found = next(a for a in accounts if a.name == account)
    if changes:
        found = dataclasses.replace(found, **changes)
    return cls(
        found,
        token or tokens[found.name],
        call_log=call_log,
        retry=retry or fast_retry(attempts),
        inner_transport=inner,
        on_retry=on_retry,
    )


class Loopback(httpx.AsyncBaseTransport):
    """Real HTTP to the sandbox that records every request and can arm a sandbox fault.

    `fault_on("PUT", "/syncs/ID", "drop-after=1")` switches the fault on (for this vendor only)
    right before the next matching request leaves and off again once its answer has started,
    i.e. after the sandbox has decided what to do with that request. `after` runs at that
    moment too (e.g. to have someone else edit the sync while our answer is lost); `rewrite`
    may change a request before it leaves (a server variant); `on_response` sees each answer.
    A test module subclasses it to name its `vendor`.
    """

    vendor: ClassVar[str] = ""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.inner = httpx.AsyncHTTPTransport(retries=0)
        self.sent: list[tuple[str, str, dict[str, str], bytes]] = []
        self._armed: tuple[str, str, str, Callable[[], None] | None] | None = None
        self.rewrite: Callable[[httpx.Request], httpx.Request] | None = None
        self.on_response: Callable[[httpx.Response], None] | None = None

    def fault_on(
        self, method: str, suffix: str, spec: str, after: Callable[[], None] | None = None
    ) -> None:
        self._armed = (method, suffix, f"{spec},only={self.vendor}", after)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.rewrite is not None:
            request = self.rewrite(request)
        self.sent.append((request.method, request.url.path, dict(request.headers), request.content))
        armed = self._armed
        hit = (
            armed is not None and request.method == armed[0] and request.url.path.endswith(armed[1])
        )
        if hit:
            assert armed is not None
            self._armed = None
            set_faults(self.sandbox, armed[2])
        try:
            response = await self.inner.handle_async_request(request)
        finally:
            if hit:
                assert armed is not None
                set_faults(self.sandbox, "")
                if armed[3] is not None:
                    armed[3]()
        if self.on_response is not None:
            self.on_response(response)
        return response

    def requests(self, method: str, suffix: str = "") -> list[tuple[str, str, dict, bytes]]:
        return [r for r in self.sent if r[0] == method and r[1].endswith(suffix)]

    async def aclose(self) -> None:
        await self.inner.aclose()


@contextmanager
def faults(sandbox: Sandbox, vendor: str, spec: str) -> Iterator[None]:
    """The sandbox's faults `spec` on `vendor` for the block, and none after it."""
    set_faults(sandbox, f"{spec},only={vendor}")
    try:
        yield
    finally:
        set_faults(sandbox, "")


async def check_failing_reads(
    sandbox: Sandbox,
    vendor: str,
    *,
    rate_limited: Callable[[], Awaitable[Any]],
    server: Callable[[], Awaitable[Any]],
    unreadable: Callable[[], Awaitable[Any]],
    unreachable: Callable[[], Awaitable[Any]],
    server_status: int = 500,
) -> None:
    """Reads that fail on every attempt end in the typed error for their failure: a rate
    limit, a server error (with its status), an unreadable answer (status None: nothing is
    known) and a vendor that cannot be reached."""
    try:
        set_faults(sandbox, f"429=1,retry-after=0,only={vendor}")
        with pytest.raises(errors.RateLimited):
            await rate_limited()
        set_faults(sandbox, f"{server_status}=1,only={vendor}")
        with pytest.raises(errors.VendorError) as failed:
            await server()
        assert failed.value.status == server_status
        set_faults(sandbox, f"malformed=1,only={vendor}")
        with pytest.raises(errors.VendorError, match="unreadable") as garbled:
            await unreadable()
        assert garbled.value.status is None
        set_faults(sandbox, f"drop-before=1,only={vendor}")
        with pytest.raises(errors.NetworkError):
            await unreachable()
    finally:
        set_faults(sandbox, "")


def assert_token_kept_out(token: str, log: CallLog, texts: Iterable[str] = ()) -> None:
    """Calls were logged, and neither a log record nor any of `texts` shows the token."""
    records = log.records()
    assert records and all(token not in repr(r) for r in records)
    assert all(token not in text for text in texts)
