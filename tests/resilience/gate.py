"""A loopback TCP proxy in front of the sandbox that can hold requests at the door.

While held, bytes from clients are not forwarded: a request sent then waits, neither
refused nor answered, for as long as the test wants — a write "in flight" that a test can
count (`wait_held`) and then release or abandon. No timing is involved: the test waits for
states ("a request is being held"), never for a duration.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit


class Gate:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self._upstream = upstream
        self._target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._loop = asyncio.new_event_loop()
        self._open = asyncio.Event()
        self._held = 0
        self._changed = threading.Condition()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    # --- control, from the test's thread ---------------------------------------------------
    def url(self, path: str = "") -> str:
        parts = urlsplit(self._upstream)
        netloc = f"127.0.0.1:{self.port}"
        return urlunsplit((parts.scheme, netloc, parts.path + path, "", ""))

    def hold(self) -> None:
        self._call(self._open.clear)

    def release(self) -> None:
        self._call(self._open.set)

    def wait_held(self, count: int = 1, timeout: float = 60.0) -> int:
        """Block until at least `count` requests wait at the door; returns how many."""
        with self._changed:
            assert self._changed.wait_for(lambda: self._held >= count, timeout), (
                f"no {count} request(s) held within {timeout} s"
            )
            return self._held

    # --- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> Gate:
        self._thread.start()
        started = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        self.port = started.result(timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def _call(self, fn) -> None:  # type: ignore[no-untyped-def]
        done = threading.Event()

        def run() -> None:
            fn()
            done.set()

        self._loop.call_soon_threadsafe(run)
        done.wait(timeout=10)

    async def _start(self) -> int:
        self._open.set()
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        return self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        """Drop every connection; held requests are abandoned, never forwarded."""
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # --- the proxy ---------------------------------------------------------------------------
    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self._target)
        self._writers |= {writer, up_writer}
        try:
            await asyncio.gather(
                self._pump(reader, up_writer, gated=True),
                self._pump(up_reader, writer, gated=False),
            )
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            for w in (writer, up_writer):
                with contextlib.suppress(Exception):
                    w.close()
            self._writers -= {writer, up_writer}

    async def _pump(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, *, gated: bool
    ) -> None:
        while True:
            data = await source.read(65536)
            if not data:
                with contextlib.suppress(Exception):
                    sink.close()
                return
            if gated and not self._open.is_set():
                self._count(+1)
                try:
                    await self._open.wait()
                finally:
                    self._count(-1)
            sink.write(data)
            await sink.drain()

    def _count(self, delta: int) -> None:
        with self._changed:
            self._held += delta
            self._changed.notify_all()


@contextlib.contextmanager
def gate_for(upstream: str) -> Iterator[Gate]:
    with Gate(upstream) as gate:
        yield gate
