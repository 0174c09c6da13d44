"""A vendor that misbehaves on purpose: a raw asyncio HTTP/1.1 server on a loopback port.

The sandbox is a faithful, friendly vendor; a real network is neither. This server answers
each request with whatever its handler decides — a normal reply, a status after the request
was applied, a dropped connection, a body that never ends, a body of 200 MB, one byte every
so often, a garbage `Retry-After` — and it can forward a request to a real sandbox first
(`Exchange.forward`), so a write can be *applied* by the simulator and its answer then lost.

It is written on raw asyncio streams, not on a web framework, because the misbehaviour lives
below what frameworks let an application do (a chunked body that never ends, a connection cut
between headers and body). Every answer is bounded: a drip or an endless body stops at its own
byte or time limit or when the client goes away, and the whole server stops by itself after
`lifetime` seconds, so no test can hang on it. Tests synchronise on what the server *did*
(recorded requests, counters, `threading.Event`s it sets), never on sleeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

MiB = 1024 * 1024
CHUNK = 64 * 1024


# --- what the server was asked -------------------------------------------------------------


@dataclass
class Request:
    """One request as it arrived."""

    method: str
    target: str  # path and query, as sent
    headers: dict[str, str]  # lower-cased names
    body: bytes
    number: int = 0  # 1 for the first request this server saw

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.target).query).items()}

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    @property
    def graphql(self) -> tuple[str, str]:
        """(kind, operation name) of a GraphQL POST ('', '') for anything else."""
        payload = self.json()
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return "", ""
        query = payload["query"].lstrip()
        kind = "mutation" if query.startswith("mutation") else "query"
        name = payload.get("operationName") or query.split("{", 1)[0].split("(", 1)[0]
        return kind, str(name).replace("mutation", "").replace("query", "").strip()

    @property
    def is_write(self) -> bool:
        if self.method in ("PUT", "PATCH", "DELETE"):
            return True
        if self.method != "POST":
            return False
        kind, _ = self.graphql
        return kind != "query"


# --- how the server answers ----------------------------------------------------------------


class Answer:
    """Base of everything a handler can return."""


@dataclass
class Reply(Answer):
    """A complete, well-formed answer (whatever its status and body say)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, value: Any, status: int = 200, **headers: str) -> Reply:
        return cls(
            status,
            json.dumps(value).encode(),
            {"content-type": "application/json", **_header_names(headers)},
        )

    @classmethod
    def text(cls, text: str, status: int = 200, **headers: str) -> Reply:
        return cls(status, text.encode(), {"content-type": "text/plain", **_header_names(headers)})


@dataclass
class Drop(Answer):
    """Cut the connection: before any byte of the answer, or (`partial`) after its headers."""

    partial: bool = False


@dataclass
class Drip(Answer):
    """Headers at once, then one byte every `interval` seconds, for at most `seconds`."""

    interval: float = 0.05
    seconds: float = 10.0
    status: int = 200


@dataclass
class Endless(Answer):
    """A chunked body that goes on until the client leaves (or `max_bytes`, as a backstop)."""

    max_bytes: int = 512 * MiB
    status: int = 200
    content_type: str = "application/json"
    opening: bytes = b'{"data": ["'


@dataclass
class Huge(Answer):
    """A body of `size` bytes with its Content-Length, streamed until the client leaves."""

    size: int = 200 * 1000 * 1000
    status: int = 200
    content_type: str = "application/json"
    filler: bytes = b"x"


Handler = Callable[["Request", "Exchange"], Answer | Awaitable[Answer]]


def _header_names(headers: dict[str, str]) -> dict[str, str]:
    """Keyword arguments to header names: retry_after → retry-after."""
    return {k.replace("_", "-").lower(): v for k, v in headers.items()}


@dataclass
class Exchange:
    """What a handler can do besides answering: forward to the real vendor, count, signal."""

    server: HostileServer

    async def forward(self, request: Request) -> Reply:
        """Send the request to the upstream sandbox and return its answer (applied there)."""
        return await self.server.forward(request)


# --- the server ----------------------------------------------------------------------------


class HostileServer:
    """A misbehaving HTTP/1.1 server on 127.0.0.1 in its own thread; a context manager.

    `handler(request, exchange)` returns an `Answer` (or awaits one). `upstream`, when given,
    is the base URL requests are forwarded to by `exchange.forward` (a sandbox).
    """

    def __init__(
        self,
        handler: Handler,
        *,
        upstream: str | None = None,
        lifetime: float = 120.0,
        write_timeout: float = 5.0,
    ) -> None:
        self.handler = handler
        self.upstream = upstream
        self.lifetime = lifetime
        self.write_timeout = write_timeout
        self.requests: list[Request] = []
        self.counts: dict[str, int] = {}
        self.events: dict[str, threading.Event] = {}
        self.bytes_sent = 0
        self.errors: list[BaseException] = []  # handler failures: a test should see them
        self.port = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stopped = threading.Event()
        self._stop: asyncio.Event | None = None
        self._client: httpx.AsyncClient | None = None

    # --- for tests ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def event(self, name: str) -> threading.Event:
        with self._lock:
            return self.events.setdefault(name, threading.Event())

    def count(self, name: str, by: int = 1) -> int:
        with self._lock:
            self.counts[name] = self.counts.get(name, 0) + by
            return self.counts[name]

    def seen(self, predicate: Callable[[Request], bool] | None = None) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if predicate is None or predicate(r)]

    # --- lifecycle ------------------------------------------------------------------------
    def __enter__(self) -> HostileServer:
        self._thread = threading.Thread(target=self._run, name="hostile-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the hostile server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not self._stopped.is_set():
            with contextlib.suppress(RuntimeError):  # the loop may have ended by itself
                loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(15)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        finally:
            self._stopped.set()
            loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        tasks: set[asyncio.Task[None]] = set()

        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            tasks.add(task)
            try:
                await self._connection(reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
                pass
            finally:
                tasks.discard(task)
                writer.close()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(writer.wait_closed(), 1)

        server = await asyncio.start_server(on_connect, "127.0.0.1", 0, limit=1 * MiB)
        self.port = server.sockets[0].getsockname()[1]
        if self.upstream:
            self._client = httpx.AsyncClient(base_url=self.upstream, timeout=30.0)
        self._ready.set()
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.lifetime)  # stops by itself
        finally:
            server.close()
            for task in list(tasks):
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self._client is not None:
                await self._client.aclose()

    # --- one connection -------------------------------------------------------------------
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            request = await self._read_request(reader)
            if request is None:
                return
            with self._lock:
                request.number = len(self.requests) + 1
                self.requests.append(request)
            try:
                answer = self.handler(request, Exchange(self))
                if inspect.isawaitable(answer):
                    answer = await answer
            except Exception as exc:  # a broken test handler: say so loudly, answer 599
                self.errors.append(exc)
                answer = Reply.text(f"hostile handler failed: {exc!r}", 599)
            keep = await self._answer(writer, answer)
            if not keep:
                return

    async def _read_request(self, reader: asyncio.StreamReader) -> Request | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return None
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = [*lines[0].split(" ", 2), "", ""][:3]
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        body = b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await reader.readexactly(size + 2)
                if size == 0:
                    break
                parts.append(chunk[:-2])
            body = b"".join(parts)
        elif headers.get("content-length"):
            body = await reader.readexactly(int(headers["content-length"]))
        return Request(method, target, headers, body)

    async def _write(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        writer.write(data)
        await asyncio.wait_for(writer.drain(), self.write_timeout)
        self.bytes_sent += len(data)

    async def _answer(self, writer: asyncio.StreamWriter, answer: Answer) -> bool:
        """Write the answer; returns whether the connection may serve another request."""
        if isinstance(answer, Reply):
            headers = {"content-length": str(len(answer.body)), **answer.headers}
            await self._write(writer, _head(answer.status, headers) + answer.body)
            return True
        if isinstance(answer, Drop):
            if answer.partial:
                await self._write(
                    writer, _head(200, {"content-type": "application/json", "content-length": "99"})
                )
                await self._write(writer, b'{"data": ')
            return False
        if isinstance(answer, Drip):
            await self._write(
                writer,
                _head(
                    answer.status, {"content-type": "application/json", "content-length": "100000"}
                ),
            )
            loop = asyncio.get_running_loop()
            until = loop.time() + answer.seconds
            while loop.time() < until:
                await self._write(writer, b" ")
                await asyncio.sleep(answer.interval)
            return False
        if isinstance(answer, Endless):
            await self._write(
                writer,
                _head(
                    answer.status,
                    {"content-type": answer.content_type, "transfer-encoding": "chunked"},
                ),
            )
            sent = 0
            block = answer.opening + b"x" * (CHUNK - len(answer.opening))
            filler = b"x" * CHUNK
            while sent < answer.max_bytes:
                piece = block if sent == 0 else filler
                await self._write(writer, f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                sent += len(piece)
            await self._write(writer, b"0\r\n\r\n")
            return False
        if isinstance(answer, Huge):
            await self._write(
                writer,
                _head(
                    answer.status,
                    {"content-type": answer.content_type, "content-length": str(answer.size)},
                ),
            )
            left = answer.size
            filler = answer.filler * (CHUNK // len(answer.filler))
            while left > 0:
                piece = filler[: min(left, len(filler))]
                await self._write(writer, piece)
                left -= len(piece)
            return False
        raise TypeError(f"not an answer: {answer!r}")

    # --- forwarding -----------------------------------------------------------------------
    async def forward(self, request: Request) -> Reply:
        if self._client is None:
            raise RuntimeError("this hostile server has no upstream")
        skip = {"host", "content-length", "connection", "accept-encoding", "transfer-encoding"}
        response = await self._client.request(
            request.method,
            request.target,
            content=request.body,
            headers={k: v for k, v in request.headers.items() if k not in skip},
        )
        keep = {
            k: v
            for k, v in response.headers.items()
            if k.lower() in ("content-type", "retry-after")
        }
        return Reply(response.status_code, response.content, keep)


_REASONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 400: "Bad Request"}


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
