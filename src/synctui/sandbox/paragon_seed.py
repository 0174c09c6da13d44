"""Seed data for the Paragon Managed Sync simulator: syncs, credentials, tokens, records.

Records are not stored: record `i` of a sync is generated from `(seed, sync id, i)` whenever
it is asked for, so a sync can hold a hundred thousand records without costing memory or
start-up time, and a re-sync can hand out the very same records again.
"""

from __future__ import annotations

import base64
import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from synctui.sandbox.core import SimContext, iso

FREQUENCIES = {"1m": 60, "5m": 300, "10m": 600, "30m": 1800, "1h": 3600, "3h": 10800,
               "6h": 21600, "24h": 86400}  # fmt: skip


def new_uuid(rng: random.Random) -> str:
    """A v4-shaped UUID drawn from a seeded RNG (uuid4() would differ on every run)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(rng: random.Random, payload: dict[str, Any]) -> str:
    """Looks like a Paragon user token (RS256 JWT); the sandbox only ever compares strings."""
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64url(json.dumps(payload, separators=(",", ":")).encode())
    return f"{header}.{body}.{b64url(rng.randbytes(64))}"


class Template(NamedTuple):
    integration: str
    pipeline: str
    configuration: str
    status: str  # ACTIVE | INITIALIZING | IDLE | DISABLED | ERRORED
    records: int
    error: str = ""


# fmt: off
TEMPLATES: tuple[Template, ...] = (
    Template("salesforce", "contacts", "Acme Corp – Sales Cloud", "ACTIVE", 4210),
    Template("salesforce", "deals", "Acme Corp – Opportunities", "ACTIVE", 860),
    Template("hubspot", "contacts", "Globex – Marketing contacts", "INITIALIZING", 12400),
    Template("hubspot", "deals", "Globex – Pipeline", "ERRORED", 530,
             "HubSpot returned 403 Forbidden: missing scope crm.objects.deals.read"),
    Template("googledrive", "files", "Initech – Shared drive", "ACTIVE", 2875),
    Template("sharepoint", "files", "Umbrella – Policies site", "IDLE", 640),
    Template("notion", "files", "Hooli – Engineering wiki", "ACTIVE", 1190),
    Template("jira", "tickets", "Stark Industries – SUP project", "ACTIVE", 3320),
    Template("zendesk", "tickets", "Wayne Enterprises – Support", "DISABLED", 9800),
    Template("zendesk", "contacts", "Wayne Enterprises – End users", "ACTIVE", 5100),
    Template("googledrive", "files", "Soylent – Finance folder", "ERRORED", 410,
             "Google Drive API: userRateLimitExceeded (quota exhausted for 6 hours)"),
    Template("salesforce", "contacts", "Vandelay Industries – Sales", "INITIALIZING", 7700),
    Template("jira", "tickets", "Pied Piper – PLAT project", "IDLE", 220),
    Template("notion", "files", "Dunder Mifflin – Sales playbook", "DISABLED", 315),
    Template("hubspot", "contacts", "Massive Dynamic – Newsletter", "ACTIVE", 18900),
    Template("sharepoint", "files", "Cyberdyne – Contracts library", "ERRORED", 1460,
             "SharePoint credential expired: AADSTS700082 refresh token has expired"),
)
# fmt: on

COPY_STATUSES = (
    ("ACTIVE", 60),
    ("INITIALIZING", 8),
    ("IDLE", 14),
    ("DISABLED", 10),
    ("ERRORED", 8),
)
COPY_ERRORS = (
    "Credential revoked by the user in the integration's settings",
    "Upstream API returned 500 Internal Server Error for 3 consecutive checks",
    "Salesforce credential expired: INVALID_SESSION_ID",
)


def build(ctx: SimContext, now: datetime) -> tuple[str, dict[str, list[str]], list[dict[str, Any]]]:
    """The project id, credential ids per integration, and syncs (oldest first)."""
    rng = ctx.rng("paragon:seed")
    project = new_uuid(rng)
    credentials: dict[str, list[str]] = {}
    syncs = []
    for copy in range(ctx.scale):
        for tpl in TEMPLATES:
            creds = credentials.setdefault(tpl.integration, [])
            if len(creds) < 4:
                creds.append(new_uuid(rng))
            syncs.append(_sync(rng, tpl, copy, rng.choice(creds), now))
    syncs.sort(key=lambda s: (s["date_created"], s["id"]))
    return project, credentials, syncs


def _sync(
    rng: random.Random, tpl: Template, copy: int, credential: str, now: datetime
) -> dict[str, Any]:
    status, error, total, name = tpl.status, tpl.error, tpl.records, tpl.configuration
    if copy:
        status = rng.choices(*zip(*COPY_STATUSES, strict=True))[0]
        error = rng.choice(COPY_ERRORS) if status == "ERRORED" else ""
        total = max(20, int(total * rng.uniform(0.3, 2.0)))
        name = f"{name} ({copy + 1})"
    created = now - timedelta(days=rng.uniform(3, 300), seconds=rng.randrange(86400))
    frequency = rng.choice(("1m", "1m", "5m", "10m", "30m", "1h"))
    # A full sync takes 1.5–10 minutes of sandbox time, whatever the size.
    rate = total / rng.uniform(90, 600)
    sync: dict[str, Any] = {
        "id": new_uuid(rng),
        "integration": tpl.integration,
        "pipeline": tpl.pipeline,
        "configurationName": name,
        "credentialId": credential,
        "frequency": frequency,
        "state": "ACTIVE" if status == "INITIALIZING" else status,
        "error": error,
        "total": total,
        "rate": rate,
        "synced_base": total,
        "progress_since": None,
        "full_done_at": created + timedelta(seconds=total / rate),
        "anchor": None,
        "last_synced": None,
        "date_created": created,
        "date_updated": created + (now - created) * rng.uniform(0.2, 0.9),
        "pending": [],
    }
    if status == "INITIALIZING":  # a first full sync under way, visibly growing
        sync["synced_base"] = 0
        sync["full_done_at"] = None
        sync["progress_since"] = now - timedelta(seconds=total / rate * rng.uniform(0.15, 0.6))
        sync["date_created"] = sync["date_updated"] = sync["progress_since"]
    elif status in ("IDLE", "DISABLED", "ERRORED"):
        sync["last_synced"] = now - timedelta(hours=rng.uniform(2, 24 * 9))
        if status == "ERRORED" and rng.random() < 0.5:
            sync["synced_base"] = int(total * rng.uniform(0.3, 0.9))
            sync["full_done_at"] = None
    return sync


# --- records --------------------------------------------------------------------------------
FIRST = ("Ava", "Liam", "Noah", "Mia", "Zoe", "Omar", "Priya", "Kenji", "Lucia", "Mateo", "Ines",
         "Tomasz", "Amara", "Chen", "Freya", "Diego", "Hana", "Yusuf", "Elena", "Sam")  # fmt: skip
LAST = ("Nguyen", "Okafor", "Schmidt", "Rossi", "Tanaka", "Kowalski", "Haddad", "Silva",
        "Larsen", "Patel", "Moreau", "Garcia", "Kim", "Byrne", "Novak", "Fischer")  # fmt: skip
COMPANIES = ("Acme Corp", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries",
             "Wayne Enterprises", "Soylent", "Vandelay", "Massive Dynamic")  # fmt: skip
TITLES = ("VP Sales", "Account Executive", "Head of Operations", "CFO", "Data Engineer",
          "Marketing Manager", "Procurement Lead", "CTO")  # fmt: skip
FILES = (("Q3 board deck", "pptx"), ("Pricing 2027", "xlsx"), ("Security policy", "pdf"),
         ("Onboarding checklist", "docx"), ("Roadmap H1", "pdf"), ("Vendor contract", "pdf"),
         ("Team offsite notes", "docx"), ("Forecast model", "xlsx"), ("Brand guidelines", "pdf"))  # fmt: skip
MIME = {"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf"}  # fmt: skip
FOLDERS = ("Finance", "Legal", "Sales", "Engineering", "People", "Marketing")
TICKETS = ("Cannot export report to CSV", "SSO login loops back to the sign-in page",
           "Invoice shows the wrong VAT number", "Webhook deliveries delayed by an hour",
           "Request: bulk-edit permissions", "Mobile app crashes on upload",
           "Password reset email never arrives", "API returns 502 on large payloads")  # fmt: skip
DEAL_KINDS = ("Enterprise renewal", "Expansion – 50 seats", "New logo", "Pilot", "Upsell: SSO")
STAGES = ("Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost")


def record(seed: int, sync: dict[str, Any], index: int, now: datetime) -> dict[str, Any]:
    """Record `index` of a sync, the same every time it is generated."""
    rng = random.Random(f"{seed}:paragon:record:{sync['id']}:{index}")
    created = sync["date_created"] - timedelta(days=rng.uniform(0, 900))
    updated = min(now, created + timedelta(days=rng.uniform(0, 200)))
    person = (rng.choice(FIRST), rng.choice(LAST))
    company = rng.choice(COMPANIES)
    data = _PIPELINES[sync["pipeline"]](rng, index, person, company)
    return {
        "id": new_uuid(rng),
        "externalId": _external_id(rng, sync["integration"], index),
        **data,
        "createdAt": iso(created.astimezone(UTC)),
        "updatedAt": iso(updated.astimezone(UTC)),
    }


def _contact(rng: random.Random, i: int, person: tuple[str, str], company: str) -> dict[str, Any]:
    domain = company.lower().replace(" ", "") + ".com"
    return {
        "firstName": person[0],
        "lastName": person[1],
        "email": f"{person[0].lower()}.{person[1].lower()}{i % 97}@{domain}",
        "company": company,
        "jobTitle": rng.choice(TITLES),
        "phone": f"+1 {rng.randint(201, 989)}-555-{rng.randint(1000, 9999)}",
    }


def _file(rng: random.Random, i: int, person: tuple[str, str], company: str) -> dict[str, Any]:
    title, ext = rng.choice(FILES)
    folder = rng.choice(FOLDERS)
    return {
        "name": f"{title} v{i % 7 + 1}.{ext}",
        "mimeType": MIME[ext],
        "size": rng.randint(12_000, 48_000_000),
        "path": f"/{folder}/{title} v{i % 7 + 1}.{ext}",
        "owner": f"{person[0]} {person[1]}",
    }


def _ticket(rng: random.Random, i: int, person: tuple[str, str], company: str) -> dict[str, Any]:
    return {
        "subject": rng.choice(TICKETS),
        "status": rng.choice(("open", "pending", "solved", "closed", "open")),
        "priority": rng.choice(("low", "normal", "normal", "high", "urgent")),
        "requester": f"{person[0]} {person[1]} ({company})",
        "assignee": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
    }


def _deal(rng: random.Random, i: int, person: tuple[str, str], company: str) -> dict[str, Any]:
    return {
        "name": f"{company} – {rng.choice(DEAL_KINDS)}",
        "amount": round(rng.uniform(4_000, 480_000), -2),
        "currency": "USD",
        "stage": rng.choice(STAGES),
        "owner": f"{person[0]} {person[1]}",
    }


_PIPELINES = {"contacts": _contact, "files": _file, "tickets": _ticket, "deals": _deal}


def _external_id(rng: random.Random, integration: str, index: int) -> str:
    """Ids in each integration's own style, so records look like they came from there."""
    alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    if integration == "salesforce":
        return "003" + "".join(rng.choices(alnum, k=15))
    if integration in ("hubspot", "zendesk"):
        return str(10_000_000 + index * 13 + rng.randrange(13))
    if integration == "jira":
        return f"SUP-{index + 1}"
    if integration == "notion":
        return new_uuid(rng)
    return "".join(rng.choices(alnum + "-_", k=33))  # googledrive, sharepoint
