"""Seed data for the Speckle simulator: projects, cloud integration syncs and legacy ACC syncs.

Everything is a plain dict so that a benchmark can ask for ~100k syncs and still start in a
few seconds. Sync history is the bulk of the data (3-8 executions per sync), so it is not built
here: each sync carries a small plan and `seed_history` expands it the first time the history
is read, from an RNG of its own, so the result does not depend on the order of reads.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import itertools
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

RngFactory = Callable[[str], random.Random]
Weighted = tuple[tuple[str, ...], tuple[float, ...]]


def _weights(**weights: float) -> Weighted:
    """Values with cumulative weights, so a pick costs one random() and one bisect.

    `random.choices` recomputes the cumulative weights on every call, which dominated the
    seeding time of a 100k-sync sandbox.
    """
    return tuple(weights), tuple(itertools.accumulate(weights.values()))


def _pick(rng: random.Random, table: Weighted) -> str:
    values, cumulative = table
    return values[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


# Sync counts per project at scale 1: 126 syncs, so that scale 800 gives the ~100k rows a
# benchmark asks for.
PROJECTS = (
    ("Harbourside Tower", "HT", 50, _weights(acc=1)),
    ("Riverside Medical Centre", "RMC", 44, _weights(acc=60, projectwise=40)),
    ("North Depot Expansion", "NDE", 32, _weights(acc=30, projectwise=70)),
)
LEGACY_PER_PROJECT = (2, 2, 1)

INTEGRATIONS: dict[str, dict[str, Any]] = {
    "acc": {
        "slug": "acc",
        "name": "Autodesk Construction Cloud",
        "description": "Sync Revit, Navisworks and IFC files from ACC Docs into Speckle models.",
        "logo": None,
    },
    "projectwise": {
        "slug": "projectwise",
        "name": "Bentley ProjectWise",
        "description": "Sync MicroStation and IFC files from ProjectWise work areas.",
        "logo": None,
    },
}

USERS = (
    "Amelia Hart",
    "Rohan Mehta",
    "Sofia Lindqvist",
    "Daniel Okafor",
    "Hannah Byrne",
    "Marek Kowalski",
)

REFERENCE_POINTS = ("internalOrigin", "projectBasePoint", "surveyPoint")
OLDER_RUN_ENDINGS = _weights(success=82, failed=10, cancelled=4, timeout=2, invalidInput=2)
PAUSED_RUN_ENDINGS = _weights(success=70, failed=20, cancelled=6, timeout=2, invalidInput=2)
LATEST_RUN_ENDINGS = _weights(success=79, failed=14, cancelled=3, timeout=2, invalidInput=2)
ACC_EXTENSIONS = _weights(rvt=65, nwd=20, ifc=15)
PW_EXTENSIONS = _weights(dgn=75, ifc=25)
ACC_REFERENCE_POINTS = _weights(internalOrigin=45, projectBasePoint=35, surveyPoint=20)
PW_REFERENCE_POINTS = _weights(internalOrigin=30, projectBasePoint=30, surveyPoint=40)

ACC_DISCIPLINES = (
    ("ARCH", "Architecture"),
    ("STR", "Structure"),
    ("MEP", "MEP"),
    ("FAC", "Facade"),
    ("FP", "Fire Protection"),
    ("INT", "Interiors"),
)
# Model zones by project, as they appear in file names: a tower by level, a hospital by block
# and level, a depot by area.
ACC_ZONES = {
    "HT": ("B02", "B01", "L00", "POD", "CORE", "RF", *(f"L{n:02d}" for n in range(1, 41))),
    "RMC": ("B01", "BLKA", "BLKB", "BLKC", "RF", *(f"L{n:02d}" for n in range(7))),
    "NDE": ("ZA", "ZB", "ZC", "SHED", "YARD", "WKSHP", "L00", "L01"),
}
ACC_STAGES = ("01 WIP", "02 Shared", "03 Published")
PW_DISCIPLINES = (
    ("CIV", "Civil"),
    ("DRN", "Drainage"),
    ("HWY", "Highways"),
    ("RAIL", "Rail Systems"),
    ("STR", "Structures"),
    ("UTL", "Utilities"),
)
PW_ASSETS = ("SITE", "ROAD", "BRIDGE", "YARD", "SHED", "CULVERT", "PLATFORM", "SUBSTATION")
PW_FOLDERS = ("01 Work in Progress", "02 Shared", "03 Models")

REVIT_VIEWS = ("{3D}", "3D Coordination", "3D Coordination", "3D - Navisworks", "Speckle Export")
DGN_VIEWS = ("Default", "3D Model", "Design Model")
WORKSETS = (
    "Shared Levels and Grids",
    "Z-Linked Models",
    "Furniture",
    "Site Context",
    "Scope Boxes",
    "Temporary Works",
)
DGN_LEVELS = ("C-ROAD-EDGE", "C-KERB", "D-PIPE", "D-MANHOLE", "S-BEAM", "S-PIER", "U-DUCT")

# Why each kind of execution ends badly, as a user would read it in the web app.
FAILURES = {
    "rvt": (
        "Revit worksharing: central model locked",
        "Revit file was saved in a newer version (2027) than the converter supports",
        "Source file could not be downloaded from ACC (HTTP 403): check folder permissions",
    ),
    "nwd": (
        "Navisworks cache out of date: re-export the NWD",
        "Source file could not be downloaded from ACC (HTTP 403): check folder permissions",
    ),
    "ifc": (
        "IFC parse error at line 48211: unexpected token",
        "IFC schema IFC2X2 is not supported",
    ),
    "dgn": (
        "ProjectWise datasource unavailable: connection timed out",
        "Reference attachment 'NDE-CIV-SITE-001.dgn' could not be resolved",
        "Document is checked out by another user",
    ),
}
OTHER_ENDINGS = {
    "cancelled": "Cancelled by user",
    "timeout": "Ingestion exceeded the 2 h time limit",
}


def short_id(rng: random.Random, taken: set[str]) -> str:
    """A 10-hex id as Speckle prints them, unique within this sandbox."""
    while True:
        value = f"{rng.getrandbits(40):010x}"
        if value not in taken:
            taken.add(value)
            return value


def derived_id(*parts: object) -> str:
    """A 10-hex id derived from its parts: history ids need no RNG and no bookkeeping."""
    return hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=5).hexdigest()


def _urn_suffix(rng: random.Random) -> str:
    """22 URL-safe base64 characters, like the tail of an ACC lineage or folder URN."""
    return base64.urlsafe_b64encode(rng.getrandbits(132).to_bytes(17, "big")).decode()[:22]


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def new_item(
    sync: dict[str, Any],
    seq: int,
    created_at: datetime,
    outcome: str,
    error: str | None,
    queued_for: float,
    run_for: float,
    objects: int,
) -> dict[str, Any]:
    """One execution. Its status is not stored: it follows from the clock on every read.

    `message` is why it did not succeed (the text of its status member: an error reason, a
    validation or a cancellation message); the ingestion's ids come from the sync.
    """
    return {
        "id": derived_id("item", sync["id"], seq),
        "syncId": sync["id"],
        "seq": seq,
        "context": sync["context"],
        "createdAt": created_at,
        "modelIngestionId": derived_id("ingestion", sync["id"], seq),
        "modelId": sync["modelId"],
        "projectId": sync["projectId"],
        "userId": sync["authorId"],
        "versionId": derived_id("version", sync["id"], seq) if outcome == "success" else None,
        "queuedFor": queued_for,
        "runFor": run_for,
        "outcome": outcome,
        "message": error,
        "objects": objects,
    }


def model_of(sync_id: str, file_name: str) -> tuple[str, str]:
    """(model id, model name) of the Speckle model a sync writes into: named after its file."""
    return derived_id("model", sync_id), file_name.rsplit(".", 1)[0]


def failure_message(rng: random.Random, sync: dict[str, Any], outcome: str) -> str | None:
    """Why a run did not succeed, consistent with the sync's own file and settings."""
    if outcome == "success":
        return None
    view = sync["context"].get("viewName")
    if outcome == "invalidInput":
        if view:
            return f"View '{view}' not found in the source file"
        return f"Reference point '{sync['context'].get('referencePoint')}' is not defined in the source file"
    if outcome == "failed":
        choices = FAILURES.get(sync["fileExtension"], FAILURES["ifc"])
        if view and sync["fileExtension"] == "rvt":
            choices = (*choices, f"View '{view}' not found in model")
        return rng.choice(choices)
    return OTHER_ENDINGS[outcome]


def seed_history(sync: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """Expand a seeded sync's plan into its executions, oldest first."""
    plan = sync["plan"]
    last_run: datetime = plan["lastRun"]
    count: int = plan["count"]
    items: list[dict[str, Any]] = []
    at = last_run
    stamps = [at]
    for _ in range(count - 1):
        at -= timedelta(hours=rng.uniform(4, 72))
        stamps.append(at)
    stamps.reverse()
    for seq, created in enumerate(stamps):
        latest = seq == count - 1
        outcome = plan["latest"] if latest else _pick(rng, OLDER_RUN_ENDINGS)
        if latest and plan.get("inFlight"):
            # Started moments before the seed instant: still queued or processing on screen.
            queued_for, run_for = plan["inFlight"]
        else:
            queued_for, run_for = rng.uniform(5, 90), rng.uniform(30, 600)
        items.append(
            new_item(
                sync,
                seq,
                created,
                outcome,
                failure_message(rng, sync, outcome),
                queued_for,
                run_for,
                rng.randint(800, 250_000),
            )
        )
    return items


class _Folders:
    """Stable folder ids: the same path always has the same parent folder id."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids: dict[tuple[str, ...], str] = {}

    def acc(self, path: tuple[str, ...]) -> str:
        if path not in self.ids:
            self.ids[path] = f"urn:adsk.wipprod:fs.folder:co.{_urn_suffix(self.rng)}"
        return self.ids[path]

    def pw(self, path: tuple[str, ...]) -> str:
        if path not in self.ids:
            self.ids[path] = _uuid(self.rng)
        return self.ids[path]


def _acc_file(rng: random.Random, code: str, folders: _Folders) -> dict[str, Any]:
    disc, disc_folder = rng.choice(ACC_DISCIPLINES)
    zone = rng.choice(ACC_ZONES[code])
    ext = _pick(rng, ACC_EXTENSIONS)
    context: dict[str, Any] = {
        "referencePoint": _pick(rng, ACC_REFERENCE_POINTS),
    }
    if ext == "rvt":
        name = f"{code}-{disc}-{zone}-R{rng.randint(1, 36):02d}.rvt"
        context["viewName"] = rng.choice(REVIT_VIEWS) if rng.random() < 0.85 else None
        if rng.random() < 0.25:
            context["worksetFilter"] = {
                "mode": rng.choice(("exclude", "include")),
                "worksets": sorted(rng.sample(WORKSETS, rng.randint(1, 3))),
            }
        if rng.random() < 0.15:
            context["exportIfcOptions"] = {
                "ifcVersion": rng.choice(("IFC4", "IFC2x3")),
                "exportBaseQuantities": True,
                "splitWallsAndColumnsByLevel": rng.random() < 0.5,
            }
    elif ext == "nwd":
        disc, disc_folder = "FED", "Coordination"
        name = f"{code}-FED-{zone}-W{rng.randint(1, 52):02d}.nwd"
        context["viewName"] = "Navisworks Export" if rng.random() < 0.7 else None
    else:
        name = f"{code}-{disc}-{zone}-R{rng.randint(1, 20):02d}.ifc"
        context["viewName"] = None
    path = ("Project Files", rng.choice(ACC_STAGES), disc_folder)
    return {
        "fileName": name,
        "fileId": f"urn:adsk.wipprod:dm.lineage:{_urn_suffix(rng)}",
        "fileExtension": ext,
        "fileFolderPath": list(path),
        "fileParentFolderId": folders.acc(path),
        "context": context,
    }


def _pw_file(rng: random.Random, code: str, project: str, folders: _Folders) -> dict[str, Any]:
    disc, disc_folder = rng.choice(PW_DISCIPLINES)
    ext = _pick(rng, PW_EXTENSIONS)
    name = f"{code}-{disc}-{rng.choice(PW_ASSETS)}-{rng.randint(1, 120):03d}.{ext}"
    context: dict[str, Any] = {
        "referencePoint": _pick(rng, PW_REFERENCE_POINTS),
        "viewName": rng.choice(DGN_VIEWS) if ext == "dgn" and rng.random() < 0.8 else None,
    }
    if ext == "dgn" and rng.random() < 0.3:
        context["includeReferences"] = True
        context["levelFilter"] = sorted(rng.sample(DGN_LEVELS, rng.randint(2, 4)))
    path = ("Documents", f"{code} {project}", rng.choice(PW_FOLDERS), disc_folder)
    return {
        "fileName": name,
        "fileId": _uuid(rng),
        "fileExtension": ext,
        "fileFolderPath": list(path),
        "fileParentFolderId": folders.pw(path),
        "context": context,
    }


def _plan(rng: random.Random, now: datetime, active: bool) -> tuple[dict[str, Any], datetime]:
    """When the sync last ran, how it ended, and how many executions it has had."""
    count = rng.randint(3, 8)
    in_flight = None
    if not active:
        latest = _pick(rng, PAUSED_RUN_ENDINGS)
        last_run = now - timedelta(days=rng.uniform(5, 40))
    else:
        roll = rng.random()
        if roll < 0.05:
            latest = "success" if rng.random() < 0.85 else "failed"
            started = rng.uniform(1, 20)
            last_run = now - timedelta(seconds=started)
            in_flight = (rng.uniform(2, 6), started + rng.uniform(20, 90))
        else:
            latest = _pick(rng, LATEST_RUN_ENDINGS)
            last_run = now - timedelta(minutes=rng.uniform(10, 7 * 24 * 60))
    plan = {"lastRun": last_run, "count": count, "latest": latest, "inFlight": in_flight}
    return plan, last_run


def build_seed(rng_for: RngFactory, scale: int, now: datetime) -> dict[str, Any]:
    """Projects, syncs (history left as a plan) and legacy ACC items, laid out before `now`."""
    ids: set[str] = set()
    id_rng = rng_for("speckle:ids")
    users = {short_id(id_rng, ids): name for name in USERS}
    user_ids = list(users)
    projects: dict[str, dict[str, Any]] = {}
    syncs: dict[str, dict[str, Any]] = {}
    legacy: dict[str, dict[str, Any]] = {}
    for index, (name, code, per_scale, mix) in enumerate(PROJECTS):
        rng = rng_for(f"speckle:project:{code}")
        pid = short_id(id_rng, ids)
        created = now - timedelta(days=300 + 120 * index + rng.uniform(0, 90))
        projects[pid] = {
            "id": pid,
            "name": name,
            "code": code,
            "description": f"{name} ({code}): federated design models synced from ACC and ProjectWise",
            "createdAt": created,
            "updatedAt": now - timedelta(hours=rng.uniform(1, 48)),
            "allowPublicComments": False,
            "role": "stream:owner",
            "sourceApps": sorted(SOURCE_APPS[slug] for slug in mix[0]),
            "visibility": "PRIVATE",
            "workspaceId": None,
        }
        folders = _Folders(rng)
        for _ in range(per_scale * scale):
            slug = _pick(rng, mix)
            fields = (
                _acc_file(rng, code, folders)
                if slug == "acc"
                else _pw_file(rng, code, name, folders)
            )
            active = rng.random() >= 0.12
            plan, last_run = _plan(rng, now, active)
            sync_created = last_run - timedelta(hours=72 * plan["count"] + rng.uniform(1, 500))
            updated = sync_created + (last_run - sync_created) * rng.uniform(0.3, 1.0)
            sid = short_id(id_rng, ids)
            model_id, model_name = model_of(sid, fields["fileName"])
            syncs[sid] = {
                "id": sid,
                "projectId": pid,
                "integration": slug,
                "active": active,
                **fields,
                "modelId": model_id,
                "modelName": model_name,
                "createdAt": sync_created,
                "updatedAt": updated,
                "authorId": rng.choice(user_ids),
                "history": None,  # expanded from "plan" on first read
                "plan": plan,
            }
        for _ in range(LEGACY_PER_PROJECT[index] * scale):
            lid = short_id(id_rng, ids)
            n = len(legacy)  # numbered across projects so each status shows up at scale 1
            legacy[lid] = _legacy_item(rng, lid, pid, code, n, now, rng.choice(user_ids))
    return {"users": users, "projects": projects, "syncs": syncs, "legacy": legacy, "ids": ids}


LEGACY_STATUSES = ("succeeded", "failed", "paused", "succeeded", "syncing", "pending")
SOURCE_APPS = {"acc": "Autodesk Construction Cloud", "projectwise": "Bentley ProjectWise"}


def _legacy_item(
    rng: random.Random, lid: str, pid: str, code: str, n: int, now: datetime, author: str
) -> dict[str, Any]:
    """An ACC sync created before cloud integrations existed, in its old flat shape."""
    disc = rng.choice(("ARCH", "STR", "MEP"))
    ext = "rvt" if n % 3 != 2 else "nwd"
    name = (
        f"{code}-{disc}-{rng.choice(ACC_ZONES[code])}-R{rng.randint(1, 30):02d}.rvt"
        if ext == "rvt"
        else f"{code}-FED-ALL-W{rng.randint(1, 52):02d}.nwd"
    )
    created = now - timedelta(days=rng.uniform(200, 500))
    status = LEGACY_STATUSES[n % len(LEGACY_STATUSES)]
    version = rng.randint(1, 40)
    folder = disc if ext == "rvt" else "Coordination"
    folders = {"ARCH": "Architecture", "STR": "Structure", "MEP": "MEP"}
    return {
        "id": lid,
        "projectId": pid,
        "accFileName": name,
        "accFileExtension": ext,
        "accFileViewName": ("{3D}" if n % 2 else "3D Coordination")
        if ext == "rvt"
        else "Navisworks Export",
        "accFileVersionIndex": version,
        "accFileVersionUrn": f"urn:adsk.wipprod:fs.file:vf.{_urn_suffix(rng)}?version={version}",
        "accFolderPath": ["Project Files", rng.choice(ACC_STAGES), folders.get(folder, folder)],
        "accRootProjectFolderUrn": f"urn:adsk.wipprod:fs.folder:co.{_urn_suffix(rng)}",
        "accRegion": "EMEA" if rng.random() < 0.7 else "US",
        "accHubId": f"b.{_uuid(rng)}",
        "accProjectId": f"b.{_uuid(rng)}",
        "accFileLineageUrn": f"urn:adsk.wipprod:dm.lineage:{_urn_suffix(rng)}",
        # A webhook exists once the item has been set up; a pending one has none yet.
        "accWebhookId": None if status == "pending" else _uuid(rng),
        # The model it wrote into; a pending item has not synced anything yet.
        "model": None
        if status == "pending"
        else {"id": derived_id("model", lid), "name": name.rsplit(".", 1)[0]},
        "status": status,
        "authorId": author,
        "createdAt": created,
        "updatedAt": created + timedelta(days=rng.uniform(1, 150)),
    }
