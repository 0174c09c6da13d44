"""The one HTTP policy every adapter shares: timeouts, retries, concurrency, the call log.

It is an httpx transport, so the REST adapters (plain `httpx.AsyncClient`) and the GraphQL
adapters (gql's `HTTPXAsyncTransport`, which accepts a `transport=`) go through exactly the
same code. Retry rules, because a retried write must never apply twice:

- A request that provably never reached the server (connection refused, connect timeout) is
  retried whatever it is.
- 429 and 503 are retried for everything: the vendor refused the request before doing
  anything (and for 429 says when to come back, in `Retry-After`).
- 5xx, a dropped connection, a read timeout or an unreadable body are retried only for
  idempotent requests: GET/PUT/DELETE, GraphQL queries, and POSTs carrying an
  `Idempotency-Key`. A non-idempotent write that lost its answer raises `UncertainOutcome`.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0, pool=30.0)
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
EXTENSION = "synctui"  # request.extensions[EXTENSION] = {"op": ..., "idempotent": bool}


class NotSent(httpx.TransportError):
    """The request never reached the server (safe to retry, nothing applied)."""


class UncertainOutcome(httpx.TransportError):
    """A non-idempotent request was sent but its answer was lost."""


@dataclass(frozen=True)
class CallRecord:
    """One vendor call, for the API call log. Never holds a header or a token."""

    time: str
    account: str
    vendor: str
    method: str
    target: str  # path, or the GraphQL operation name
    status: int | None
    duration_ms: float
    error: str | None = None
    attempt: int = 1


@dataclass(frozen=True)
class Attempt:
    """One try of one request, as a pacing controller hears it (no URL, no header)."""

    method: str
    status: int | None  # None: no answer (could not connect, dropped, timed out)
    seconds: float


class CallLog:
    """A bounded, thread-safe record of calls that the UI can subscribe to."""

    def __init__(self, maxlen: int = 5000) -> None:
        self._records: deque[CallRecord] = deque(maxlen=maxlen)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[CallRecord], None]] = []

    def add(self, record: CallRecord) -> None:
        with self._lock:
            self._records.append(record)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(record)

    def records(self) -> list[CallRecord]:
        with self._lock:
            return list(self._records)

    def subscribe(self, listener: Callable[[CallRecord], None]) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe


class Redactor:
    """Replaces every known secret in a text: error bodies can echo what we sent."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        self._secrets = [s for s in (secrets or []) if s and len(s) >= 4]

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 4 and secret not in self._secrets:
            self._secrets.append(secret)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "****")
        return text


def mask_headers(headers: dict[str, str] | httpx.Headers) -> dict[str, str]:
    """Headers safe to print: credentials shown as their scheme and a mask."""
    out: dict[str, str] = {}
    for key, value in dict(headers).items():
        if key.lower() in ("authorization", "proxy-authorization", "cookie", "x-api-key"):
            scheme = value.split(" ", 1)[0] if " " in value else ""
            out[key] = f"{scheme} ****".strip()
        else:
            out[key] = value
    return out


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now if now is not None else time.time()
    return max(0.0, when.timestamp() - current)


@dataclass
class RetrySettings:
    attempts: int = 5  # total tries, the first included
    base_delay: float = 0.2
    max_delay: float = 5.0
    max_retry_after: float = 30.0
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter (attempt counts from 1)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return self.rng.uniform(0, ceiling)


def _is_idempotent(request: httpx.Request) -> bool:
    meta = request.extensions.get(EXTENSION, {})
    if "idempotent" in meta:
        return bool(meta["idempotent"])
    if request.method in IDEMPOTENT_METHODS:
        return True
    if request.headers.get("idempotency-key"):
        return True
    graphql = _graphql_operation(request)
    return graphql is not None and graphql[0] == "query"


def _graphql_operation(request: httpx.Request) -> tuple[str, str] | None:
    """(kind, name) of a GraphQL POST body, or None for anything else."""
    if request.method != "POST" or not request.url.path.endswith("graphql"):
        return None
    try:
        payload = json.loads(request.content or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    query = payload.get("query", "") if isinstance(payload, dict) else ""
    stripped = query.lstrip()
    kind = "mutation" if stripped.startswith("mutation") else "query"
    name = payload.get("operationName") if isinstance(payload, dict) else None
    if not name:
        head = stripped.split("{", 1)[0].split("(", 1)[0].split()
        name = head[1] if len(head) > 1 else kind
    return kind, str(name)


def _target(request: httpx.Request, base_path: str) -> str:
    meta = request.extensions.get(EXTENSION, {})
    if meta.get("op"):
        return str(meta["op"])
    graphql = _graphql_operation(request)
    if graphql is not None:
        return f"{graphql[0]} {graphql[1]}"
    path = request.url.path
    if base_path and path.startswith(base_path):
        path = path[len(base_path) :] or "/"
    return path  # the query string is left out on purpose: it may carry cursors and filters


class PolicyTransport(httpx.AsyncBaseTransport):
    """Retries, Retry-After, bounded concurrency and call logging around a real transport."""

    def __init__(
        self,
        *,
        account: str,
        vendor: str,
        base_path: str = "",
        call_log: CallLog | None = None,
        redactor: Redactor | None = None,
        max_concurrency: int = 6,
        retry: RetrySettings | None = None,
        inner: httpx.AsyncBaseTransport | None = None,
        on_retry: Callable[[str], None] | None = None,
    ) -> None:
        self.account = account
        self.vendor = vendor
        self.base_path = base_path.rstrip("/")
        self.call_log = call_log
        self.redact = redactor or Redactor()
        self.retry = retry or RetrySettings()
        self.on_retry = on_retry
        self._inner = inner or httpx.AsyncHTTPTransport(retries=0)
        self._limit = asyncio.Semaphore(max_concurrency)
        # Pacing hooks (a batch's controller): `gate` is awaited before every try, and every
        # observer hears every try, the 429s and 503s retried here included.
        self.gate: Callable[[], Awaitable[None]] | None = None
        self.observers: list[Callable[[Attempt], None]] = []

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        idempotent = _is_idempotent(request)
        target = _target(request, self.base_path)
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= self.retry.attempts
            if self.gate is not None:
                await self.gate()
            started = time.perf_counter()
            try:
                async with self._limit:
                    response = await self._inner.handle_async_request(request)
                    await response.aread()
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                self._log(request, target, None, started, f"could not connect: {exc}", attempt)
                if last:
                    raise NotSent(f"could not reach {request.url.host}: {exc}") from exc
                await self._wait(self.retry.backoff(attempt), "connection failed, retrying in {s}")
                continue
            except httpx.TransportError as exc:  # sent, answer lost: dropped, read timeout...
                what = _describe_transport_error(exc)
                self._log(request, target, None, started, what, attempt)
                if not idempotent:
                    raise UncertainOutcome(what) from exc
                if last:
                    raise
                await self._wait(self.retry.backoff(attempt), f"{what}; retrying in {{s}}")
                continue

            status = response.status_code
            problem = None
            if status >= 400:
                problem = self.redact(_short_body(response))
            elif idempotent and not _readable(response):
                problem = "unreadable answer (malformed body)"
            self._log(request, target, status, started, problem, attempt)

            if status in (429, 503) and not last:
                delay = parse_retry_after(response.headers.get("retry-after"))
                delay = min(
                    delay if delay is not None else self.retry.backoff(attempt),
                    self.retry.max_retry_after,
                )
                what = "rate limited" if status == 429 else "service unavailable (503)"
                await self._wait(delay, what + ", retrying in {s}")
                continue
            if (
                idempotent
                and not last
                and (status in RETRYABLE_STATUSES or (status < 400 and problem is not None))
            ):
                delay = parse_retry_after(response.headers.get("retry-after"))
                if delay is None:
                    delay = self.retry.backoff(attempt)
                await self._wait(
                    min(delay, self.retry.max_retry_after),
                    f"{status_phrase(status, problem)}, retrying in {{s}}",
                )
                continue
            return response

    async def _wait(self, seconds: float, template: str) -> None:
        if self.on_retry is not None:
            self.on_retry(template.format(s=_seconds(seconds)))
        await asyncio.sleep(seconds)

    def _log(
        self,
        request: httpx.Request,
        target: str,
        status: int | None,
        started: float,
        error: str | None,
        attempt: int,
    ) -> None:
        seconds = time.perf_counter() - started
        for observer in list(self.observers):
            observer(Attempt(request.method, status, seconds))
        if self.call_log is None:
            return
        self.call_log.add(
            CallRecord(
                time=datetime.now(UTC).strftime("%H:%M:%S.%f")[:-3],
                account=self.account,
                vendor=self.vendor,
                method=request.method,
                target=target,
                status=status,
                duration_ms=seconds * 1000.0,
                error=self.redact(error) if error else None,
                attempt=attempt,
            )
        )


def status_phrase(status: int, problem: str | None) -> str:
    if status < 400 and problem:
        return problem
    return {
        500: "server error (500)",
        502: "bad gateway (502)",
        503: "service unavailable (503)",
        504: "gateway timeout (504)",
    }.get(status, f"HTTP {status}")


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value >= 1 else f"{value * 1000:.0f} ms"


def _describe_transport_error(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ReadTimeout):
        return "timed out waiting for the answer"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "connection dropped before the answer arrived"
    return f"network error: {exc.__class__.__name__}"


def _short_body(response: httpx.Response, limit: int = 300) -> str:
    try:
        text = response.text
    except UnicodeDecodeError:
        return f"HTTP {response.status_code}"
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "")


def _readable(response: httpx.Response) -> bool:
    if "json" not in response.headers.get("content-type", ""):
        return True
    if not response.content:
        return True
    try:
        json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return False
    return True


def op(name: str, *, idempotent: bool | None = None) -> dict[str, dict[str, object]]:
    """Per-request extensions naming the operation for the call log (and idempotency)."""
    meta: dict[str, object] = {"op": name}
    if idempotent is not None:
        meta["idempotent"] = idempotent
    return {EXTENSION: meta}
