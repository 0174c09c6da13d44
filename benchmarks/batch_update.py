"""Batch updates of Speckle syncs, adaptive: against one by one, a fixed four, a rate limit.

The sandbox runs in its own process at scale 8 (about 1,000 editable Speckle syncs) with
`latency=50ms` on Speckle. synctui runs `BatchUpdate` as the CLI and the TUI do (adaptive
concurrency, `services.pacing`); the baselines are the same syncs updated one by one
(`plan_update` + `apply_plan` in a loop) and the same batch pinned at four in flight
(`--concurrency 4`, the old default). Every run goes through the one write path (read-only
check, journal, typed errors) and changes each sync's `context.viewName`; the syncs are
listed afresh before each run (not timed) and each run writes its own name, so every update
really changes something.

Then a second sandbox adds a rate limit (`rate=25/s` per token on Speckle, 429 with
`Retry-After`, not documented to the adapter): there the adaptive batch must finish no
slower than the fixed four, without a storm of 429s. The sandbox counts the 429s it sends.

Targets: adaptive ≥ 6× faster than one by one; under the rate limit, no slower than the
fixed four (ratio ≥ 1) with at most 2 % of its requests answered 429.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from benchmarks.core import Options, Result, run_child, scratch_dir
from benchmarks.sandbox_proc import sandbox_process

NAME = "batch_update"
ACCOUNT = "speckle-demo"
SYNCS = 1_000
LATENCY = "latency=50ms,only=speckle"
RATE = 25  # requests a second the rate-limited sandbox accepts per token
LIMITED = f"latency=50ms,rate={RATE}/s,only=speckle"
LIMITED_SYNCS = 400  # 800 requests: half a minute at the limit
FIXED = 4  # the baseline pinned concurrency (the default before batches adapted)
TARGET = 6.0
STORM = 0.02  # at most this share of the adaptive batch's requests answered 429


def update(info: dict[str, Any], count: int, view_name: str, mode: str) -> dict[str, Any]:
    """Child: update `count` Speckle syncs' view name: "adaptive", "fixed" or "sequential"."""
    from synctui.domain.models import SyncStatus
    from synctui.services.batch import BatchUpdate, Outcome
    from synctui.services.demo import demo_accounts
    from synctui.services.pacing import pacer_for
    from synctui.services.session import Session, SessionOptions

    accounts, tokens = demo_accounts(info["vendors"])
    options = SessionOptions(journal_path=scratch_dir() / f"journal-{mode}-{view_name}.sqlite3")
    session = Session(accounts, lambda a: tokens.get(a.name), options)
    patch = {"context": {"viewName": view_name}}

    async def main() -> dict[str, Any]:
        listed = await session.adapter(ACCOUNT).list_syncs()
        targets = [s for s in listed if s.status is not SyncStatus.LEGACY][:count]
        listing = len(session.call_log.records())
        limits: list[int] = []
        cpu = time.process_time()
        started = time.perf_counter()
        failures: list[str] = []
        if mode == "sequential":
            ok = 0
            for sync in targets:
                plan = await session.plan_update(ACCOUNT, sync, patch)
                result = await session.apply_plan(plan)
                ok += bool(result.ok)
        else:
            batch = BatchUpdate(
                session, targets, patch, concurrency=FIXED if mode == "fixed" else None
            )
            results = await batch.run(
                progress=lambda *_: limits.append(batch.live_concurrency or 0)
            )
            ok = sum(1 for r in results if r.outcome is Outcome.OK)
            failures = sorted({r.message for r in results if r.outcome is not Outcome.OK})
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        calls = session.call_log.records()[listing:]
        stats = pacer_for(session.adapter(ACCOUNT)).stats
        journal = session.journal
        commits = journal.commits if journal is not None else 0
        await session.aclose()
        return {
            "seconds": seconds,
            "cpu_ms_per_sync": cpu * 1000 / max(1, len(targets)),
            "targets": len(targets),
            "ok": ok,
            "calls": len(calls),
            "throttled_seen": stats.throttled,
            "concurrency_mean": sum(limits) / len(limits) if limits else 1,
            "concurrency_peak": max(limits, default=1),
            "decreases": stats.decreases,
            "latency_cuts": stats.latency_cuts,
            "journal_commits": commits,
            "failures": failures[:5],
        }

    return asyncio.run(main())


def rate_limited_count(info: dict[str, Any]) -> int:
    """The 429s the sandbox's rate limit has answered so far (its own count)."""
    answer = httpx.get(f"{info['base_url']}/_admin/faults", timeout=30)
    return int(answer.json()["counts"].get("rate", 0))


def reset_windows(info: dict[str, Any], spec: str) -> None:
    """Setting the spec again empties the sandbox's rate windows: each run starts fresh."""
    httpx.post(f"{info['base_url']}/_admin/faults", json={"spec": spec}, timeout=30)


def _run(info: dict[str, Any], count: int, name: str, mode: str) -> dict[str, Any]:
    args = {"info": info, "count": count, "view_name": name, "mode": mode}
    outcome = run_child(__name__, "update", args)
    if outcome["ok"] != outcome["targets"]:
        raise RuntimeError(
            f"{mode}: only {outcome['ok']} of {outcome['targets']} updated: {outcome['failures']}"
        )
    return outcome


def run(options: Options) -> list[Result]:
    count = options.reps(SYNCS, 60)
    with sandbox_process(scale=8, faults=LATENCY) as info:
        adaptive = _run(info, count, "Bench adaptive", "adaptive")
        fixed = _run(info, count, "Bench fixed", "fixed")
        single = _run(info, count, "Bench one by one", "sequential")
    limited_count = options.reps(LIMITED_SYNCS, 60)
    limited: dict[str, dict[str, Any]] = {}
    with sandbox_process(scale=8, faults=LIMITED) as info:
        for mode in ("adaptive", "fixed"):
            reset_windows(info, LIMITED)
            before = rate_limited_count(info)
            limited[mode] = _run(info, limited_count, f"Bench limited {mode}", mode)
            limited[mode]["throttled"] = rate_limited_count(info) - before
    common = {"faults": LATENCY, "sandbox": "own process, scale 8, frozen clock"}
    per_run = (
        "seconds",
        "cpu_ms_per_sync",
        "calls",
        "concurrency_mean",
        "concurrency_peak",
        "decreases",
        "journal_commits",
    )
    storm = limited["adaptive"]["throttled"] / max(1, limited["adaptive"]["calls"])
    return [
        Result(
            name=NAME,
            what=f"batch update of {adaptive['targets']:,} Speckle syncs, 50 ms injected "
            "latency, adaptive concurrency",
            unit="s",
            synctui=adaptive["seconds"],
            baseline=single["seconds"],
            checked=single["seconds"] / adaptive["seconds"],
            target=TARGET,
            direction="min",
            target_text=f"≥ {TARGET:g}× faster than one by one",
            inputs={
                "syncs": adaptive["targets"],
                **common,
                "adaptive": {k: adaptive[k] for k in per_run},
                "one_by_one": {
                    k: single[k] for k in ("seconds", "cpu_ms_per_sync", "calls", "journal_commits")
                },
            },
            samples={"synctui": [adaptive["seconds"]], "baseline": [single["seconds"]]},
        ),
        Result(
            name="batch_vs_fixed",
            what=f"the same batch, adaptive against a fixed {FIXED} in flight",
            unit="s",
            synctui=adaptive["seconds"],
            baseline=fixed["seconds"],
            checked=fixed["seconds"] / adaptive["seconds"],
            target=1.0,
            direction="min",
            target_text=f"no slower than {FIXED} at a time",
            inputs={
                "syncs": adaptive["targets"],
                **common,
                "adaptive": {k: adaptive[k] for k in per_run},
                "fixed": {k: fixed[k] for k in per_run},
            },
            samples={"synctui": [adaptive["seconds"]], "baseline": [fixed["seconds"]]},
        ),
        Result(
            name="batch_rate_limited",
            what=f"batch update of {limited['adaptive']['targets']:,} Speckle syncs, vendor "
            f"limited to {RATE} requests/s (429 + Retry-After), adaptive against a fixed "
            f"{FIXED}",
            unit="s",
            synctui=limited["adaptive"]["seconds"],
            baseline=limited["fixed"]["seconds"],
            checked=limited["fixed"]["seconds"] / limited["adaptive"]["seconds"],
            target=1.0,
            direction="min",
            target_text=f"no slower than {FIXED} at a time",
            inputs={
                "syncs": limited["adaptive"]["targets"],
                "faults": LIMITED,
                "sandbox": "own process, scale 8, frozen clock",
                "adaptive": {k: limited["adaptive"][k] for k in (*per_run, "throttled")},
                "fixed": {k: limited["fixed"][k] for k in (*per_run, "throttled")},
            },
            samples={
                "synctui": [limited["adaptive"]["seconds"]],
                "baseline": [limited["fixed"]["seconds"]],
            },
        ),
        Result(
            name="batch_429s",
            what=f"429s answered to the adaptive batch under the {RATE}/s limit, per request "
            f"(fixed {FIXED}: {limited['fixed']['throttled']} of "
            f"{limited['fixed']['calls']})",
            unit="%",
            synctui=storm,
            baseline=None,
            checked=storm,
            target=STORM,
            direction="max",
            target_text=f"≤ {STORM:.0%} of requests (no 429 storm)",
            inputs={
                "adaptive_429s": limited["adaptive"]["throttled"],
                "adaptive_requests": limited["adaptive"]["calls"],
                "fixed_429s": limited["fixed"]["throttled"],
                "fixed_requests": limited["fixed"]["calls"],
                "heard_by_the_pacer": limited["adaptive"]["throttled_seen"],
            },
        ),
    ]
