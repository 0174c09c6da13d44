"""LetsBuild feed ingest into the local store, against plain httpx paging of the same feeds.

Both page the four feeds of a fresh sandbox (21,000 seeded changes, no latency, no live
changes, in its own process) from the start until `hasMore` is false, the four feeds in
parallel, in fresh child processes. synctui runs its `FeedEngine`: gql with the local schema,
the shared HTTP policy, parsing into `Change` objects and storing each page with its cursor in
one SQLite transaction. The baseline POSTs the same GraphQL documents with a bare
`httpx.AsyncClient` and only decodes the JSON. Target: at least 0.8 of the baseline's rate.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from benchmarks.core import Options, Result, interleave, median, run_child, scratch_dir
from benchmarks.sandbox_proc import sandbox_process

NAME = "feed_ingest"
ACCOUNT = "letsbuild-demo"
TARGET = 0.8


def engine_ingest(info: dict[str, Any], db: str) -> dict[str, Any]:
    """Child: the FeedEngine from empty to caught up; changes stored per second."""
    from synctui.services.demo import demo_accounts
    from synctui.services.feed import FEEDS, FeedEngine
    from synctui.services.session import Session, SessionOptions
    from synctui.store.feedstore import FeedStore

    Path(db).unlink(missing_ok=True)
    accounts, tokens = demo_accounts(info["vendors"])
    session = Session(accounts, lambda a: tokens.get(a.name), SessionOptions(journal_enabled=False))
    store = FeedStore(db)

    async def main() -> dict[str, Any]:
        engine = FeedEngine(ACCOUNT, session.adapter(ACCOUNT), store, feeds=FEEDS)
        started = time.perf_counter()
        await engine.run(follow=False)
        seconds = time.perf_counter() - started
        await session.aclose()
        stored = store.count(ACCOUNT)
        pages = sum(state.pages for state in engine.states.values())
        return {"seconds": seconds, "changes": stored, "pages": pages, "rate": stored / seconds}

    try:
        return asyncio.run(main())
    finally:
        store.close()


def httpx_paging(info: dict[str, Any]) -> dict[str, Any]:
    """Child: the same four feeds paged with a bare httpx client; nothing parsed or stored."""
    import httpx

    from synctui.vendors.letsbuild import QUERIES

    vendor = info["vendors"]["letsbuild"]
    url = vendor["ids"]["endpoint"]
    headers = {"Authorization": f"Bearer {vendor['tokens']['rw']}"}
    fields = {
        "project": "projectSync",
        "form": "formSync",
        "point": "pointSync",
        "contact": "contactDetailsSync",
    }

    async def one(client: httpx.AsyncClient, feed: str) -> tuple[int, int]:
        cursor, changes, pages = None, 0, 0
        while True:
            response = await client.post(
                url, json={"query": QUERIES[feed], "variables": {"cursor": cursor}}
            )
            response.raise_for_status()
            body = response.json()["data"][fields[feed]]
            changes += len(body["changes"])
            pages += 1
            cursor = body["cursor"]
            if not body["hasMore"]:
                return changes, pages

    async def main() -> dict[str, Any]:
        async with httpx.AsyncClient(headers=headers, timeout=60) as client:
            started = time.perf_counter()
            done = await asyncio.gather(*(one(client, feed) for feed in QUERIES))
            seconds = time.perf_counter() - started
        changes = sum(c for c, _ in done)
        return {
            "seconds": seconds,
            "changes": changes,
            "pages": sum(p for _, p in done),
            "rate": changes / seconds,
        }

    return asyncio.run(main())


def run(options: Options) -> list[Result]:
    reps = options.reps(5, 1)
    db = str(scratch_dir() / "ingest.sqlite3")
    runs: dict[str, list[dict[str, Any]]] = {"synctui": [], "baseline": []}
    with sandbox_process(scale=1) as info:

        def ours() -> float:
            runs["synctui"].append(run_child(__name__, "engine_ingest", {"info": info, "db": db}))
            return runs["synctui"][-1]["rate"]

        def theirs() -> float:
            runs["baseline"].append(run_child(__name__, "httpx_paging", {"info": info}))
            return runs["baseline"][-1]["rate"]

        samples = interleave(reps, {"synctui": ours, "baseline": theirs})
    rate, floor = median(samples["synctui"]), median(samples["baseline"])
    return [
        Result(
            name=NAME,
            what="LetsBuild feed ingest into the store (sandbox, no latency)",
            unit="changes/s",
            synctui=rate,
            baseline=floor,
            checked=rate / floor,
            target=TARGET,
            direction="min",
            target_text=f"≥ {TARGET}× plain httpx paging rate",
            inputs={
                "changes": runs["synctui"][-1]["changes"],
                "pages_synctui": runs["synctui"][-1]["pages"],
                "pages_baseline": runs["baseline"][-1]["pages"],
                "baseline_changes": runs["baseline"][-1]["changes"],
                "feeds": 4,
                "repetitions": reps,
                "sandbox": "own process, scale 1, frozen clock, no faults",
            },
            samples=samples,
        )
    ]
