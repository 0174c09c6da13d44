"""A batch update of 1,000 Speckle syncs with 50 ms of injected latency, against the same
updates sent one by one.

The sandbox runs in its own process at scale 8 (about 1,000 editable Speckle syncs) with
`latency=50ms` on Speckle. synctui runs `BatchUpdate` as the CLI and the TUI do (their default
concurrency); the baseline loops over the same syncs with `plan_update` + `apply_plan`, one
at a time. Both go through the one write path (read-only check, journal, typed errors) and
change each sync's `context.viewName`; the syncs are listed afresh before each run (not
timed) and the two runs write different names, so every update really changes something.
Target: the batch at least 6 times faster.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from typing import Any

from benchmarks.core import Options, Result, run_child, scratch_dir
from benchmarks.sandbox_proc import sandbox_process

NAME = "batch_update"
ACCOUNT = "speckle-demo"
SYNCS = 1_000
LATENCY = "latency=50ms,only=speckle"
TARGET = 6.0


def default_concurrency() -> int:
    """The concurrency the CLI and the TUI give a batch (BatchUpdate's own default)."""
    from synctui.services.batch import BatchUpdate

    return int(inspect.signature(BatchUpdate).parameters["concurrency"].default)


def update(info: dict[str, Any], count: int, view_name: str, mode: str) -> dict[str, Any]:
    """Child: update `count` Speckle syncs' view name, as a batch or one by one."""
    from synctui.domain.models import SyncStatus
    from synctui.services.batch import BatchUpdate, Outcome
    from synctui.services.demo import demo_accounts
    from synctui.services.session import Session, SessionOptions

    accounts, tokens = demo_accounts(info["vendors"])
    options = SessionOptions(journal_path=scratch_dir() / f"journal-{mode}.sqlite3")
    session = Session(accounts, lambda a: tokens.get(a.name), options)
    patch = {"context": {"viewName": view_name}}

    async def main() -> dict[str, Any]:
        listed = await session.adapter(ACCOUNT).list_syncs()
        targets = [s for s in listed if s.status is not SyncStatus.LEGACY][:count]
        started = time.perf_counter()
        if mode == "batch":
            batch = BatchUpdate(session, targets, patch)
            results = await batch.run()
            ok = sum(1 for r in results if r.outcome is Outcome.OK)
            concurrency = batch.concurrency
        else:
            ok = 0
            for sync in targets:
                plan = await session.plan_update(ACCOUNT, sync, patch)
                result = await session.apply_plan(plan)
                ok += bool(result.ok)
            concurrency = 1
        seconds = time.perf_counter() - started
        calls = len(session.call_log.records())
        await session.aclose()
        return {
            "seconds": seconds,
            "targets": len(targets),
            "ok": ok,
            "concurrency": concurrency,
            "calls": calls,
        }

    return asyncio.run(main())


def run(options: Options) -> list[Result]:
    count = options.reps(SYNCS, 60)
    runs: dict[str, dict[str, Any]] = {}
    with sandbox_process(scale=8, faults=LATENCY) as info:
        runs["batch"] = run_child(
            __name__,
            "update",
            {"info": info, "count": count, "view_name": "Bench batch", "mode": "batch"},
        )
        runs["one_by_one"] = run_child(
            __name__,
            "update",
            {"info": info, "count": count, "view_name": "Bench one by one", "mode": "sequential"},
        )
    batch, single = runs["batch"], runs["one_by_one"]
    for name, outcome in runs.items():
        if outcome["ok"] != outcome["targets"]:
            raise RuntimeError(f"{name}: only {outcome['ok']} of {outcome['targets']} updated")
    return [
        Result(
            name=NAME,
            what=f"batch update of {batch['targets']:,} Speckle syncs, 50 ms injected latency",
            unit="s",
            synctui=batch["seconds"],
            baseline=single["seconds"],
            checked=single["seconds"] / batch["seconds"],
            target=TARGET,
            direction="min",
            target_text=f"≥ {TARGET:g}× faster than one by one",
            inputs={
                "syncs": batch["targets"],
                "faults": LATENCY,
                "batch_concurrency": batch["concurrency"],
                "http_calls_batch": batch["calls"],
                "http_calls_one_by_one": single["calls"],
                "sandbox": "own process, scale 8, frozen clock",
            },
            samples={"synctui": [batch["seconds"]], "baseline": [single["seconds"]]},
        )
    ]
