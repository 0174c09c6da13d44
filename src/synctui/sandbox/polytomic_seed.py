"""Seed data for the Polytomic simulator: one believable workspace of model syncs.

Everything is derived from seeded RNGs and laid out relative to the construction instant, so
the demo shows the same workspace on every run and a frozen clock gives byte-identical output.
Sync configurations are built eagerly (the list endpoint needs them); execution history is
built lazily per sync by `seed_history`, because at scale 800 eager history would cost
seconds of start-up for data nobody opens.

Broken mappings are data, not dice: a sync fails when it maps a target field listed in
`BROKEN_TARGET_FIELDS` (a column that no longer exists in the destination). Editing that field
out of the mapping makes the next execution succeed, which is what a user would do. The fixed
content is `polytomic_catalog`, the schedule clock `polytomic_schedule`.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from synctui.sandbox.polytomic_catalog import (
    BROKEN_TARGET_FIELDS,
    CADENCE,
    CONNECTIONS,
    MODELS,
    PEOPLE,
    RETIRED_MODEL_FIELDS,
    RUNAFTER_PARENT,
    SCHEDULES,
    SOURCE_ERROR,
    TARGET_CONFIG,
    TEAMS,
    TEMPLATES,
    TRANSIENT_ERRORS,
    Template,
)
from synctui.sandbox.polytomic_schedule import runs_after


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def ms(dt: datetime) -> datetime:
    """Truncate to milliseconds, the precision the API prints."""
    return dt.replace(microsecond=dt.microsecond // 1000 * 1000)


@dataclass
class SeedSync:
    """One seeded sync: its stored body plus the server-side bookkeeping."""

    id: str
    body: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    created_by: dict[str, Any]
    updated_by: dict[str, Any]
    history: dict[str, Any]  # inputs for seed_history (built lazily)


@dataclass
class Seed:
    organization_id: str
    tokens: dict[str, str]
    actors: dict[str, dict[str, Any]]  # "rw"/"deployment" -> actor written as updated_by
    connections: dict[str, dict[str, str]]  # id -> {name, type, key}
    connection_ids: dict[str, str]  # key -> id
    model_ids: dict[str, str]  # key -> id
    model_rows: dict[str, int]  # id -> rows
    syncs: list[SeedSync]
    demo_ids: dict[str, str]
    retired: dict[str, dict[str, str]]  # model id -> {retired field: model name}


def build_seed(rng_for: Callable[[str], random.Random], now: datetime, scale: int) -> Seed:
    """The whole workspace. `rng_for(purpose)` gives an independent RNG per purpose."""
    ids = rng_for("polytomic:ids")
    org = new_uuid(ids)
    tok = rng_for("polytomic:tokens")
    tokens = {"rw": new_uuid(tok), "ro": new_uuid(tok), "deployment": new_uuid(tok)}
    people = [{"id": new_uuid(ids), "name": n, "type": "user"} for n in PEOPLE]
    actors = {
        "rw": {"id": new_uuid(ids), "name": "synctui API key", "type": "apikey"},
        "deployment": {"id": new_uuid(ids), "name": "Deployment key", "type": "deployment"},
    }
    conn_ids = {key: new_uuid(ids) for key, _, _ in CONNECTIONS}
    connections = {conn_ids[k]: {"key": k, "name": n, "type": t} for k, n, t in CONNECTIONS}
    model_ids = {key: new_uuid(ids) for key in MODELS}
    model_rows = {model_ids[k]: rows for k, (_, _, rows) in MODELS.items()}
    policy_ids = [new_uuid(ids) for _ in range(2)]

    rng = rng_for("polytomic:syncs")
    syncs: list[SeedSync] = []
    for copy in range(scale):
        group: list[str] = []
        for index, tpl in enumerate(TEMPLATES):
            sync_id = new_uuid(rng)
            group.append(sync_id)
            suffix = "" if copy == 0 else f" · {TEAMS[copy % len(TEAMS)]} {copy}"
            parent = group[RUNAFTER_PARENT] if index > RUNAFTER_PARENT else None
            body = _build_body(tpl, suffix, org, conn_ids, model_ids, policy_ids, parent, rng)
            created = ms(now - timedelta(days=rng.uniform(30, 420)))
            updated = ms(created + (now - created) * rng.uniform(0.2, 0.95))
            author = rng.choice(people)
            editor = rng.choice(people)
            if copy > 0 and rng.random() < 0.15:
                body["active"] = not body["active"]
            broken = failure_errors(body, connections)
            syncs.append(
                SeedSync(
                    id=sync_id,
                    body=body,
                    created_at=created,
                    updated_at=updated,
                    created_by=author,
                    updated_by=editor,
                    history={
                        "frequency": body["schedule"]["frequency"],
                        "schedule": body["schedule"],  # never mutated in place: PUT replaces
                        "mode": tpl.mode,
                        "target_type": connections[conn_ids[tpl.target]]["type"],
                        "rows": MODELS[tpl.model][2],
                        "active": body["active"],
                        "broken": broken,
                        "running": tpl.running and copy == 0,
                        "created_at": created,
                    },
                )
            )
    first = syncs[: len(TEMPLATES)]
    demo_ids = {
        "organization_id": org,
        "sync_id": first[0].id,
        "failing_sync_id": first[3].id,
        "inactive_sync_id": first[16].id,
        "running_sync_id": first[8].id,
        "hourly_sync_id": first[2].id,
        "connection_id": conn_ids["salesforce"],
        "model_id": model_ids["users"],
    }
    return Seed(
        organization_id=org,
        tokens=tokens,
        actors=actors,
        connections=connections,
        connection_ids=conn_ids,
        model_ids=model_ids,
        model_rows=model_rows,
        syncs=syncs,
        demo_ids=demo_ids,
        retired={
            model_ids[key]: dict.fromkeys(fields, MODELS[key][1])
            for key, fields in RETIRED_MODEL_FIELDS.items()
        },
    )


def _build_body(
    tpl: Template,
    suffix: str,
    org: str,
    conn_ids: dict[str, str],
    model_ids: dict[str, str],
    policy_ids: list[str],
    runafter_parent: str | None,
    rng: random.Random,
) -> dict[str, Any]:
    """A full sync body as a client would PUT it, including fields a client may not model."""
    model_id = model_ids[tpl.model]
    extra = tpl.extra
    schedule = _schedule(tpl.schedule, conn_ids, runafter_parent)
    target: dict[str, Any] = {"connection_id": conn_ids[tpl.target], "object": tpl.obj}
    config = TARGET_CONFIG.get(tpl.target)
    if config is not None:
        target["configuration"] = _clone(config)
    if tpl.mode in ("snapshot", "append") and tpl.target in ("s3", "gsheets"):
        target["new_name"] = tpl.obj
    fields: list[dict[str, Any]] = []
    create_only = extra.get("create_only", ())
    for src, tgt in tpl.fields:
        item: dict[str, Any] = {"source": {"model_id": model_id, "field": src}, "target": tgt}
        if tgt in create_only:
            item["sync_mode"] = "create"
        if extra.get("encrypt") == src:
            item["encryption_enabled"] = True
        if tpl.target in ("s3", "gsheets") and tpl.mode in ("snapshot", "append", "replace"):
            item["new"] = True
        fields.append(item)
    for tgt, value in extra.get("constants", ()):
        fields.append({"target": tgt, "override_value": value})
    body: dict[str, Any] = {
        "name": tpl.name + suffix,
        "active": tpl.active,
        "mode": tpl.mode,
        "schedule": schedule,
        "target": target,
        "fields": fields,
        "override_fields": [
            {"target": t, "override_value": v} for t, v in extra.get("override_fields", ())
        ],
        "overrides": [
            {
                "field": {"model_id": model_id, "field": f},
                "function": "Equality",
                "value": v,
                "override": o,
            }
            for f, v, o in extra.get("overrides", ())
        ],
        "model_filters": _group(
            [
                {"source": {"model_id": model_id, "field": f}, "function": fn, "value": v}
                for f, fn, v in extra.get("filters", ())
            ],
            "f",
        ),
        "target_filters": _group(
            [
                {"field": f, "function": fn, "value": v}
                for f, fn, v in extra.get("target_filters", ())
            ],
            "t",
        ),
        "identities": None,
        "policies": [policy_ids[0]] if rng.random() < 0.3 else [],
        "only_enrich_updates": bool(extra.get("only_enrich_updates", False)),
        "skip_initial_backfill": rng.random() < 0.2,
        "sync_all_records": tpl.mode in ("snapshot", "replace"),
        "encryption_passphrase": None,
        "organization_id": org,
    }
    if tpl.identity is not None:
        body["identities"] = {
            "strategy": tpl.strategy,
            "mappings": [
                {"source": {"model_id": model_id, "field": src}, "target": tgt, "function": fn}
                for src, tgt, fn in (tpl.identity, *tpl.more_identities)
            ],
        }
    # Fields the public schema does not list, as a real workspace accumulates them.
    body["encryption_enabled"] = tpl.target == "s3"
    if extra.get("bulk"):
        body["bulk_settings"] = {
            "batch_size": rng.choice((200, 2000, 5000)),
            "concurrency": rng.choice((1, 2, 4)),
            "use_bulk_api": True,
        }
    if rng.random() < 0.4:
        body["notifications"] = {
            "on_failure": ["revops-alerts@northwind.io"],
            "on_success": [],
            "slack_channel": "#data-syncs",
        }
    body["labels"] = rng.sample(
        ["revops", "tier-1", "marketing", "finance", "cs", "pii"], k=rng.randint(0, 2)
    )
    return body


def _group(conditions: list[dict[str, Any]], prefix: str) -> dict[str, Any] | None:
    """A filter group (`model_filters` / `target_filters`): labelled conditions, and a logic
    naming them all when there is more than one; None when there are none."""
    if not conditions:
        return None
    for i, condition in enumerate(conditions):
        condition["label"] = f"{prefix}{i + 1}"
    logic = " AND ".join(c["label"] for c in conditions) if len(conditions) > 1 else None
    return {"conditions": conditions, "logic": logic}


def _schedule(key: str, conn_ids: dict[str, str], runafter_parent: str | None) -> dict[str, Any]:
    if key == "runafter":
        return {
            "frequency": "runafter",
            "run_after": {"sync_ids": [runafter_parent] if runafter_parent else []},
            "run_after_success_only": True,
        }
    if key == "dbtcloud":
        return {"frequency": "dbtcloud", "connection_id": conn_ids["dbtcloud"], "job_id": 48213}
    return _clone(SCHEDULES[key])


def _clone(value: Any) -> Any:
    """Deep copy for plain JSON values; much faster than copy.deepcopy at scale."""
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clone(v) for v in value]
    return value


def failure_errors(body: dict[str, Any], connections: dict[str, dict[str, str]]) -> list[str]:
    """Why an execution of this configuration fails in the destination (empty: it succeeds)."""
    target = body.get("target") or {}
    conn = connections.get(str(target.get("connection_id")))
    if conn is None:
        return []
    obj = target.get("object")
    targets = [f.get("target") for f in body.get("fields") or [] if isinstance(f, dict)]
    identities = body.get("identities")
    mappings = identities.get("mappings") if isinstance(identities, dict) else None
    targets += [m.get("target") for m in mappings or [] if isinstance(m, dict)]
    errors = []
    for tgt in dict.fromkeys(targets):
        message = BROKEN_TARGET_FIELDS.get((conn["type"], obj, tgt))
        if message is not None:
            errors.append(message)
    return errors


def run_counts(mode: str, total: int, failed: bool, rng: random.Random) -> dict[str, int]:
    """Final record counts of one execution, split the way the sync mode writes records."""
    total = max(0, total)
    if failed:
        done = rng.randint(0, max(0, total // 10))
        return {"insert": 0, "update": done, "delete": 0, "error": total - done, "total": total}
    insert = update = delete = 0
    if mode in ("create", "append", "snapshot", "replace"):
        insert = total
    elif mode == "update":
        update = total
    elif mode == "remove":
        delete = total
    else:  # updateOrCreate
        insert = round(total * rng.uniform(0.05, 0.3))
        update = total - insert
    return {"insert": insert, "update": update, "delete": delete, "error": 0, "total": total}


def incremental_rows(mode: str, rows: int, rng: random.Random) -> int:
    """How many records one routine run touches: everything for full refreshes, a slice otherwise."""
    if mode in ("snapshot", "replace"):
        return rows
    return max(1, round(rows * rng.uniform(0.0005, 0.02)))


def seed_history(
    sync_id: str, spec: dict[str, Any], now: datetime, rng: random.Random
) -> list[dict[str, Any]]:
    """Past executions of one seeded sync, oldest first, as Execution keyword arguments.

    Broken syncs fail on their last few runs with the destination's complaint; inactive syncs
    stop some days before `now`; a few `running` syncs have one execution in progress.
    """
    freq = spec["frequency"]
    cadence = CADENCE.get(freq, 86_400)
    wanted = {3600: 38, 300: 40, 1800: 34}.get(cadence, 10 if cadence <= 172_800 else 6)
    if freq == "manual":
        wanted = rng.randint(1, 4)
    wanted += rng.randint(-3, 3) if wanted > 6 else 0
    running = spec["running"] and spec["active"]
    clocked = freq in ("hourly", "daily", "weekly", "custom", "builder", "multi")
    lag = 60 if clocked else rng.uniform(60, min(cadence, 3600))
    end = now - timedelta(seconds=lag + (600 if running else 0))
    # Every past run must be over by now (or before the running one began).
    finish_by = now - timedelta(seconds=45 if running else 5)
    if not spec["active"]:
        end = now - timedelta(days=rng.uniform(2, 20))
    times = _run_times(spec, end, wanted, cadence, rng)
    broken: list[str] = spec["broken"]
    failing_tail = rng.randint(1, 3) if broken else 0
    out: list[dict[str, Any]] = []
    count = len(times)
    for i, created in enumerate(times):
        back = count - 1 - i
        status, errors = "completed", []
        if back < failing_tail:
            status, errors = "failed", list(broken)
        elif back == 0:
            pass  # only broken syncs end on a failure: the demo's red rows mean something
        elif rng.random() < 0.03:
            status = "failed"
            errors = [TRANSIENT_ERRORS.get(spec["target_type"], SOURCE_ERROR)]
        elif rng.random() < 0.03:
            errors = [SOURCE_ERROR] if rng.random() < 0.5 else []
            status = "failed" if errors else "canceled"
        total = incremental_rows(spec["mode"], spec["rows"], rng)
        start_after = rng.uniform(2, 25)
        room = (finish_by - created).total_seconds() - start_after
        out.append(
            {
                "id": new_uuid(rng),
                "sync_id": sync_id,
                "type": "scheduled" if freq != "manual" else "manual",
                "created_at": created,
                "start_after": start_after,
                "run_for": min(room, rng.uniform(20, 600 if total > 50_000 else 180)),
                "outcome": status,
                "counts": run_counts(spec["mode"], total, status == "failed", rng)
                if status != "canceled"
                else {"insert": 0, "update": 0, "delete": 0, "error": 0, "total": 0},
                "errors": errors,
            }
        )
    if running:
        total = incremental_rows(spec["mode"], spec["rows"], rng)
        out.append(
            {
                "id": new_uuid(rng),
                "sync_id": sync_id,
                "type": "scheduled",
                "created_at": ms(now - timedelta(seconds=40)),
                "start_after": 6.0,
                "run_for": 300.0,
                "outcome": "completed",
                "counts": run_counts(spec["mode"], total, False, rng),
                "errors": [],
            }
        )
    return out


def _run_times(
    spec: dict[str, Any], end: datetime, wanted: int, cadence: int, rng: random.Random
) -> list[datetime]:
    """Creation times of past runs: on the schedule's own clock where it has one (plus a few
    seconds of scheduler lag), at a steady cadence otherwise; never before the sync existed."""
    schedule = spec["schedule"]
    times: list[datetime] = []
    if spec["frequency"] not in ("continuous", "manual"):
        window = (wanted + 2) * cadence * (3 if spec["frequency"] in ("custom", "builder") else 1)
        for instant in runs_after(schedule, end - timedelta(seconds=window)):
            if instant > end:
                break
            times.append(instant)
        times = [ms(t + timedelta(seconds=rng.uniform(0.5, 20))) for t in times[-wanted:]]
    if not times:
        gap = cadence * 0.6 if spec["frequency"] == "manual" else 20
        times = [
            ms(end - timedelta(seconds=back * cadence + rng.uniform(0, gap)))
            for back in range(wanted - 1, -1, -1)
        ]
    return [t for t in times if t > spec["created_at"]] or times[-1:]
