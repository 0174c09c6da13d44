"""The one HTTP policy every adapter shares: retries, limits, concurrency, the call log.

It is an httpx transport, so the REST adapters (plain `httpx.AsyncClient`) and the GraphQL
adapters (gql's `HTTPXAsyncTransport`, which accepts a `transport=`) go through exactly the
same code. Retry rules, because a retried write must never apply twice:

- A request that provably never reached the server (connection refused, connect timeout) is
  retried whatever it is.
- 429, 5xx, a dropped connection, a read timeout or an unreadable body are retried only for
  idempotent requests: GET/PUT/DELETE, GraphQL queries, and POSTs carrying an
  `Idempotency-Key`. A 429 or 503 can come from a gateway or limiter that sits *behind* the
  part of the vendor that applied the write, so a non-idempotent write is never resent here:
  its status goes back to the adapter, whose `confirm_or_retry` reads the vendor's state
  first, and a write whose answer was lost raises `UncertainOutcome`.

Limits, because a vendor (or what sits in front of it) can misbehave without end:

- every answer's body is read as a stream and counted; past `Limits.max_body_bytes` reading
  stops and the request fails (`BodyTooLarge`), so an endless body cannot fill memory;
- each request has a total deadline, `Limits.request_seconds`, over all its attempts and the
  waits between them; a server dripping a byte every few seconds (which resets every read
  timeout) fails there (`DeadlineExceeded`);
- a `Retry-After` is obeyed up to `RetrySettings.max_retry_after`, and a longer one is said
  ("server asked to wait 32 years; capped at 30 s") rather than waited out in silence;
- error text is redacted first and then cut to a few hundred characters, never a whole body.
"""

from __future__ import annotations

import asyncio
import json
import time
import zlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx

# The settings and records live apart so the session and the TUI's first frame can build
# them without httpx; they stay importable from here too.
from synctui.vendors.http_settings import (
    Attempt,
    CallLog,
    CallRecord,
    Limits,
    MiB,
    RetrySettings,
    duration,
)
from synctui.vendors.redaction import Redactor
from synctui.vendors.slots import Slots

DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0, pool=30.0)
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
EXTENSION = "synctui"  # request.extensions[EXTENSION] = {"op": ..., "idempotent": bool}
ERROR_TEXT_LIMIT = 300  # characters of a vendor's words kept in an error or the call log


class NotSent(httpx.TransportError):
    """The request never reached the server (safe to retry, nothing applied)."""


class UncertainOutcome(httpx.TransportError):
    """A non-idempotent request was sent but its answer was lost."""


class DeadlineExceeded(httpx.TransportError):
    """No complete answer within the request's deadline (`Limits.request_seconds`)."""


class BodyTooLarge(httpx.TransportError):
    """The answer's body went past `Limits.max_body_bytes`; reading stopped there."""


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


class _Budget:
    """What is left of one request's deadline (time queued for a connection slot is free)."""

    def __init__(self, seconds: float) -> None:
        self.total = seconds
        self.spent = 0.0

    def left(self) -> float:
        return self.total - self.spent

    def exceeded(self) -> DeadlineExceeded:
        return DeadlineExceeded(
            f"no complete answer within {duration(self.total)} (the request deadline)"
        )


class PolicyTransport(httpx.AsyncBaseTransport):
    """Retries, limits, Retry-After, bounded concurrency and call logging around a transport."""

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
        limits: Limits | None = None,
        inner: httpx.AsyncBaseTransport | None = None,
        on_retry: Callable[[str], None] | None = None,
    ) -> None:
        self.account = account
        self.vendor = vendor
        self.base_path = base_path.rstrip("/")
        self.call_log = call_log
        self.redact = redactor if redactor is not None else Redactor()
        self.retry = retry or RetrySettings()
        self.limits = limits or Limits()
        self.on_retry = on_retry
        self._inner = inner or httpx.AsyncHTTPTransport(retries=0)
        self.slots = Slots(max_concurrency)  # requests on the wire at once
        # Pacing hooks (a batch's controller): `gate` is awaited before every try, and every
        # observer hears every try, the 429s and 503s retried here included.
        self.gate: Callable[[], Awaitable[None]] | None = None
        self.observers: list[Callable[[Attempt], None]] = []

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        idempotent = _is_idempotent(request)
        target = _target(request, self.base_path)
        budget = _Budget(self.limits.request_seconds)
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= self.retry.attempts
            if self.gate is not None:
                await self.gate()
            started = time.perf_counter()
            try:
                async with self.slots:
                    # From here: the vendor's time, not the wait for one of our own slots
                    # (a pacer that took our queue for the vendor's would slow down for it).
                    started = time.perf_counter()
                    response = await self._attempt(request, budget)
            except (DeadlineExceeded, BodyTooLarge) as exc:
                self._log(request, target, None, started, str(exc), attempt)
                if not idempotent:
                    raise UncertainOutcome(str(exc)) from exc
                raise
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                self._log(request, target, None, started, f"could not connect: {exc}", attempt)
                delay = self.retry.backoff(attempt)
                if last or delay >= budget.left():
                    raise NotSent(f"could not reach {request.url.host}: {exc}") from exc
                await self._wait(delay, budget, "connection failed, retrying in {s}")
                continue
            except httpx.TransportError as exc:  # sent, answer lost: dropped, read timeout...
                what = _describe_transport_error(exc)
                self._log(request, target, None, started, what, attempt)
                if not idempotent:
                    raise UncertainOutcome(what) from exc
                delay = self.retry.backoff(attempt)
                if last or delay >= budget.left():
                    raise
                await self._wait(delay, budget, f"{what}; retrying in {{s}}")
                continue

            status = response.status_code
            problem = None
            if status >= 400:
                problem = self._error_text(response)
            elif idempotent and not _readable(response):
                problem = "unreadable answer (malformed body)"
            self._log(request, target, status, started, problem, attempt)

            retryable = status in RETRYABLE_STATUSES or (status < 400 and problem is not None)
            if idempotent and retryable and not last:
                delay, note = self.retry.wait_for(response.headers.get("retry-after"), attempt)
                if delay < budget.left():
                    phrase = status_phrase(status, problem)
                    said = (
                        f"{phrase}; {note}; retrying in {{s}}"
                        if note
                        else phrase + ", retrying in {s}"
                    )
                    await self._wait(delay, budget, said)
                    continue
            return response

    async def _attempt(self, request: httpx.Request, budget: _Budget) -> httpx.Response:
        """One try: send and read the whole answer, within what is left of the deadline and
        the body cap."""
        left = budget.left()
        if left <= 0:
            raise budget.exceeded()
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            async with asyncio.timeout(left):
                response = await self._inner.handle_async_request(request)
                try:
                    await _read_capped(response, self.limits.max_body_bytes)
                except BaseException:
                    await response.aclose()
                    raise
        except TimeoutError:
            raise budget.exceeded() from None
        finally:
            budget.spent += loop.time() - started
        return response

    def _error_text(self, response: httpx.Response) -> str:
        """The start of an error body, redacted and then cut (never the whole body)."""
        head = response.content[: 8 * ERROR_TEXT_LIMIT + 4 * self.redact.longest]
        text = head.decode(response.encoding or "utf-8", errors="replace")
        return self.redact(text, ERROR_TEXT_LIMIT) or f"HTTP {response.status_code}"

    async def _wait(self, seconds: float, budget: _Budget, template: str) -> None:
        """Sleep `seconds` (spent from the budget), saying `template` with `{s}` filled in."""
        if self.on_retry is not None:
            self.on_retry(template.replace("{s}", _seconds(seconds)))
        budget.spent += seconds
        await self.retry.sleep(seconds)

    async def pause(self, retry_after: float | None, attempt: int, what: str) -> None:
        """Wait before an adapter resends a write it verified was not applied: the vendor's
        Retry-After (capped, and said if capped) or the backoff."""
        text = None if retry_after is None else f"{retry_after:g}"
        delay, note = self.retry.wait_for(text, attempt)
        said = f"{what}; {note}" if note else what
        if self.on_retry is not None:  # `what` may hold a vendor's words: never a template
            self.on_retry(f"{said}; sending again in {_seconds(delay)}")
        await asyncio.sleep(delay)

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


async def _read_capped(response: httpx.Response, cap: int) -> None:
    """Read the body as a stream, counting; past `cap` bytes stop and raise BodyTooLarge.

    What is counted is the decoded body (what would be held in memory), and a gzip or
    deflate body is inflated only as far as the cap, so a small compressed answer that
    inflates to gigabytes is stopped too.
    """

    def too_large() -> BodyTooLarge:
        return BodyTooLarge(
            f"the answer went past the {_size(cap)} allowed (network.max_body_mb); "
            "reading stopped there"
        )

    if hasattr(response, "_content"):  # already in memory (a transport that is not a network)
        if len(response.content) > cap:
            raise too_large()
        return
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > cap:
        raise BodyTooLarge(
            f"the answer is {_size(int(declared))}, more than the {_size(cap)} allowed "
            "(network.max_body_mb); it was not read"
        )
    inflate = _Inflater.for_encoding(response.headers.get("content-encoding", ""))
    chunks: list[bytes] = []
    total = 0
    stream = response.aiter_bytes() if inflate is None else response.aiter_raw()
    async for piece in stream:
        chunk = piece if inflate is None else inflate.feed(piece, cap - total)
        total += len(chunk)
        if total > cap:
            raise too_large()
        chunks.append(chunk)
    response._content = b"".join(chunks)  # what `aread` would have stored


class _Inflater:
    """gzip/deflate decoding that never produces more than it is allowed to."""

    def __init__(self, wbits: int, fallback: int | None = None) -> None:
        self._engine = zlib.decompressobj(wbits)
        self._fallback = fallback  # deflate: zlib-wrapped, else raw (as httpx does)
        self._started = False

    @classmethod
    def for_encoding(cls, header: str) -> _Inflater | None:
        encoding = header.strip().lower()
        if encoding in ("gzip", "x-gzip"):
            return cls(zlib.MAX_WBITS | 16)
        if encoding == "deflate":
            return cls(zlib.MAX_WBITS, fallback=-zlib.MAX_WBITS)
        return None  # identity (or something httpx decodes itself, chunk by chunk)

    def feed(self, data: bytes, room: int) -> bytes:
        """Inflate `data`, at most `room + 1` bytes (one more says "over the cap")."""
        try:
            out = self._engine.decompress(data, room + 1)
        except zlib.error as exc:
            if self._started or self._fallback is None:
                raise httpx.DecodingError(
                    f"the answer's compressed body is corrupt: {exc}"
                ) from None
            self._engine, self._fallback = zlib.decompressobj(self._fallback), None
            return self.feed(data, room)
        self._started = True
        while self._engine.unconsumed_tail and len(out) <= room:
            out += self._engine.decompress(self._engine.unconsumed_tail, room + 1 - len(out))
        return out


def _size(count: int) -> str:
    if count >= MiB:
        return f"{count / MiB:.4g} MiB"
    if count >= 1024:
        return f"{count / 1024:.4g} KiB"
    return f"{count} bytes"


def status_phrase(status: int, problem: str | None) -> str:
    if status < 400 and problem:
        return problem
    return {
        429: "rate limited",
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


_PARSED = "_synctui_parsed_json"


def _readable(response: httpx.Response) -> bool:
    """Whether a JSON answer parses. The parse is kept on the response (`parsed_json`), so
    whoever reads the answer next does not parse the same bytes again."""
    if "json" not in response.headers.get("content-type", ""):
        return True
    if not response.content:
        return True
    try:
        value = json.loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False
    setattr(response, _PARSED, (value,))
    return True


def parsed_json(response: httpx.Response) -> tuple[Any] | None:
    """The JSON this policy parsed from the response, as a 1-tuple, handed over once (the
    value is mutable, so a second reader parses its own); None when it was not parsed."""
    found = getattr(response, _PARSED, None)
    if found is not None:
        delattr(response, _PARSED)
    return found


def op(name: str, *, idempotent: bool | None = None) -> dict[str, dict[str, object]]:
    """Per-request extensions naming the operation for the call log (and idempotency)."""
    meta: dict[str, object] = {"op": name}
    if idempotent is not None:
        meta["idempotent"] = idempotent
    return {EXTENSION: meta}
