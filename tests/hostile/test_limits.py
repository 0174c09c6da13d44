"""Every request is bounded in bytes and in time, and error text never carries a whole body.

An endless chunked answer once took 23.8 GB for one `syncs list`; a 200 MB body took 1.5 GB
and its "not JSON" error printed all 200 MB; a server dripping a byte every few seconds held
a command forever (each byte reset the read timeout). Here each of those servers runs for
real on loopback, bounded itself (it stops at its own byte or time limit, so a client without
limits would finish — and fail these tests — rather than hang), and the client runs with a
256 KiB body cap and a 2 s (or smaller) request deadline.
"""

from __future__ import annotations

import gzip
import tracemalloc
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from synctui.cli import main
from synctui.domain import errors
from synctui.vendors.http import Limits
from tests.hostile.conftest import TINY, Serve, account_for, make_adapter
from tests.hostile.server import Drip, Endless, Exchange, Huge, MiB, Reply, Request

T = TypeVar("T")
MEMORY_BOUND = 16 * MiB  # the cap is 256 KiB; anything near the server's output is a leak


async def peak_memory(call: Awaitable[T]) -> tuple[T | BaseException, int]:
    """Run `call` and return (its result or exception, the peak of traced allocations)."""
    tracemalloc.start()
    try:
        try:
            outcome: Any = await call
        except BaseException as exc:  # the test decides what it expected
            outcome = exc
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def always(answer: Any) -> Any:
    return lambda request, exchange: answer


async def list_against(server_url: str, vendor: str = "polytomic", **options: Any) -> Any:
    adapter = make_adapter(account_for(vendor, server_url), **options)
    try:
        return await adapter.list_syncs()
    finally:
        await adapter.aclose()


async def test_an_endless_body_stops_at_the_cap_with_bounded_memory(hostile: Serve) -> None:
    server = hostile(always(Endless(max_bytes=48 * MiB)))
    outcome, peak = await peak_memory(list_against(server.url))
    assert isinstance(outcome, errors.VendorError), outcome
    assert "256 KiB allowed" in str(outcome) and "network.max_body_mb" in str(outcome)
    assert peak < MEMORY_BOUND, f"peak {peak / MiB:.1f} MiB"
    assert server.bytes_sent < 48 * MiB  # the client went away, the server did not finish


async def test_a_200_mb_body_is_refused_from_its_length(hostile: Serve) -> None:
    server = hostile(always(Huge(size=200 * 1000 * 1000)))
    outcome, peak = await peak_memory(list_against(server.url, "signalsmith"))
    assert isinstance(outcome, errors.VendorError), outcome
    assert "more than the 256 KiB allowed" in str(outcome)
    assert peak < MEMORY_BOUND, f"peak {peak / MiB:.1f} MiB"


async def test_a_body_that_inflates_past_the_cap_is_stopped(hostile: Serve) -> None:
    """What is counted is what would be held in memory: a small gzip of 40 MB of zeros."""
    bomb = gzip.compress(b"0" * (40 * MiB))
    server = hostile(
        always(Reply(200, bomb, {"content-type": "application/json", "content-encoding": "gzip"}))
    )
    outcome, peak = await peak_memory(list_against(server.url))
    assert isinstance(outcome, errors.VendorError), outcome
    assert "network.max_body_mb" in str(outcome)
    assert peak < MEMORY_BOUND, f"peak {peak / MiB:.1f} MiB"


@pytest.mark.parametrize("vendor", ["speckle", "polytomic", "signalsmith", "paragon"])
@pytest.mark.parametrize("status", [200, 500, 400])
async def test_error_text_is_a_few_lines_never_the_body(
    hostile: Serve, vendor: str, status: int
) -> None:
    """A 200 KiB answer that is not JSON (or an error page that big) ends in a short,
    one-line message: never the body dumped to the terminal."""
    page = ("<html><body>" + "Gateway says no.\n" * 12_000 + "</body></html>").encode()
    server = hostile(always(Reply(status, page, {"content-type": "text/html"})))
    adapter = make_adapter(account_for(vendor, server.url))
    try:
        with pytest.raises(errors.SyncTuiError) as caught:
            await adapter.list_syncs()
    finally:
        await adapter.aclose()
    text = str(caught.value)
    assert len(text) < 600 and "\n" not in text, text[:2000]


async def test_a_dripping_answer_fails_at_the_request_deadline(hostile: Serve) -> None:
    server = hostile(always(Drip(interval=0.05, seconds=8)))
    limits = Limits(max_body_bytes=TINY.max_body_bytes, request_seconds=0.5, max_pages=10)
    with pytest.raises(errors.NetworkError) as caught:
        await list_against(server.url, limits=limits)
    assert "no complete answer within 500 ms (the request deadline)" in str(caught.value)


async def test_the_deadline_covers_every_retry_of_a_read(hostile: Serve) -> None:
    """Drops answered by retries, each dripping: the deadline is for the whole request."""
    server = hostile(always(Drip(interval=0.05, seconds=8)))
    limits = Limits(max_body_bytes=TINY.max_body_bytes, request_seconds=0.5, max_pages=10)
    with pytest.raises(errors.NetworkError):
        await list_against(server.url, "signalsmith", limits=limits)
    assert len(server.seen()) == 1  # the budget was spent: nothing left to retry with


async def test_a_write_whose_answer_drips_past_the_deadline_is_verified(
    hostile: Serve,
) -> None:
    """The write was applied, its answer never completed: a read settles it, no resend."""
    runs: list[str] = ["run-0"]
    sync = {
        "id": "s1",
        "workspace_id": "40575814-57ae-4980-81eb-e31d80a1891d",
        "name": "Accounts",
        "status": "active",
        "schedule": "0 3 * * *",
    }

    def handler(request: Request, exchange: Exchange) -> Any:
        if request.method == "POST" and request.path.endswith("/trigger"):
            runs.append(f"run-{len(runs)}")
            return Drip(interval=0.05, seconds=8)
        if request.path.endswith("/runs"):  # the vendor's record of runs, newest first
            return Reply.json([{"id": run, "status": "running"} for run in reversed(runs)])
        if "/runs/" in request.path:
            return Reply.json({"id": request.path.rsplit("/", 1)[1], "status": "running"})
        return Reply.json({**sync, "last_run_id": runs[-1]})

    server = hostile(handler)
    limits = Limits(max_body_bytes=TINY.max_body_bytes, request_seconds=0.5, max_pages=10)
    adapter = make_adapter(account_for("signalsmith", server.url), limits=limits)
    try:
        result = await adapter.trigger("s1")
    finally:
        await adapter.aclose()
    assert runs == ["run-0", "run-1"]
    assert result.run is not None and result.run.id == "run-1"


def test_a_command_stops_at_its_deadline(
    hostile: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """Each request may take a minute, but the whole command only one second."""
    server = hostile(always(Drip(interval=0.05, seconds=8)))
    settings = tmp_path / "config" / "synctui" / "settings.toml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text("[network]\nrequest_seconds = 60\ncommand_seconds = 1\n")
    url = server.url
    assert main(["accounts", "add", "slow", "--vendor", "polytomic", "--url", url]) == 0
    monkeypatch.setenv("SYNCTUI_TOKEN_SLOW", "slow-token-0123456789")
    capsys.readouterr()
    assert main(["syncs", "list", "--account", "slow"]) == 1
    err = capsys.readouterr().err
    assert "stopped after 1 s (network.command_seconds)" in err
    assert len(err.strip().splitlines()) == 1
