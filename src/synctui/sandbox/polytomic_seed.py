"""Seed data for the Polytomic simulator: one believable workspace of model syncs.

Everything is derived from seeded RNGs and laid out relative to the construction instant, so
the demo shows the same workspace on every run and a frozen clock gives byte-identical output.
Sync configurations are built eagerly (the list endpoint needs them); execution history is
built lazily per sync by `seed_history`, because at scale 800 eager history would cost
seconds of start-up for data nobody opens.

Broken mappings are data, not dice: a sync fails when it maps a target field listed in
`BROKEN_TARGET_FIELDS` (a column that no longer exists in the destination). Editing that field
out of the mapping makes the next execution succeed, which is what a user would do.
"""

from __future__ import annotations

import heapq
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

API_VERSION = "2025-09-18"
OLDER_VERSIONS = ("2024-02-08", "2023-04-25")
TIME_PARTS = ("hour", "minute", "day_of_week", "day_of_month", "month")

PEOPLE = ("Maya Patel", "Jonas Becker", "Aiko Tanaka", "Priya Raman", "Luis Ortega")

# key, display name, connection type
CONNECTIONS = (
    ("snowflake", "Snowflake · ANALYTICS", "snowflake"),
    ("bigquery", "BigQuery · product_events", "bigquery"),
    ("postgres", "Postgres · app replica", "postgresql"),
    ("salesforce", "Salesforce · Production", "salesforce"),
    ("hubspot", "HubSpot · Marketing", "hubspot"),
    ("marketo", "Marketo", "marketo"),
    ("zendesk", "Zendesk Support", "zendesk"),
    ("intercom", "Intercom", "intercom"),
    ("braze", "Braze", "braze"),
    ("gsheets", "Google Sheets · Finance", "gsheets"),
    ("s3", "S3 · data-lake-exports", "s3"),
    ("dbtcloud", "dbt Cloud", "dbtcloud"),
)

# key -> (source connection key, model name, row count)
MODELS = {
    "users": ("snowflake", "Users", 184_230),
    "companies": ("snowflake", "Companies", 12_904),
    "leads": ("snowflake", "Marketing leads", 56_112),
    "usage": ("bigquery", "Product usage (30d)", 9_870),
    "tickets": ("postgres", "Open support tickets", 1_432),
    "subscriptions": ("postgres", "Subscriptions", 11_208),
    "churned": ("snowflake", "Churned accounts", 842),
    "customer360": ("snowflake", "customer_360 (dbt)", 12_611),
    "revenue": ("snowflake", "Daily revenue", 365),
    "events": ("bigquery", "Raw product events", 2_400_000),
    "deleted_users": ("postgres", "GDPR erasure requests", 57),
}

# (connection type, target object, target field) -> the destination's complaint about it
BROKEN_TARGET_FIELDS = {
    ("salesforce", "Lead", "Region__c"): (
        "Salesforce API: INVALID_FIELD: No such column 'Region__c' on entity 'Lead'. "
        "If you are attempting to use a custom field, be sure to append the '__c' after the "
        "custom field name."
    ),
    ("hubspot", "contacts", "lead_score_v2"): (
        'HubSpot API: PROPERTY_DOESNT_EXIST: Property "lead_score_v2" does not exist'
    ),
    ("zendesk", "users", "user_fields.customer_tier_v2"): (
        "Zendesk API: 422 RecordInvalid: user_fields.customer_tier_v2 is not a valid user field"
    ),
}

# model key -> model fields that no longer exist: a sync naming one reads back with a
# `problems` entry (`ModelSyncProblem`), and its configuration is otherwise reported unchanged.
RETIRED_MODEL_FIELDS = {"subscriptions": ("legacy_plan_code",)}

TRANSIENT_ERRORS = {
    "salesforce": "Salesforce API: REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.",
    "hubspot": "HubSpot API: 429 Too Many Requests (TEN_SECONDLY_ROLLING limit reached)",
    "marketo": "Marketo API: 606 Max rate limit '100' exceeded with in '20' secs",
    "zendesk": "Zendesk API: 503 Service Unavailable: maintenance in progress",
    "intercom": "Intercom API: 500 server_error: An unexpected error occurred",
    "braze": "Braze API: 429 rate limit exceeded for /users/track",
    "gsheets": "Google Sheets API: 503 The service is currently unavailable.",
    "s3": "S3: RequestTimeout: Your socket connection to the server was not read from or "
    "written to within the timeout period.",
}
SOURCE_ERROR = (
    "Snowflake: 390114 (08001): Authentication token has expired. The user must authenticate again."
)

# frequency -> seconds between scheduled runs (for history); manual gets irregular gaps
CADENCE = {
    "continuous": 300,
    "hourly": 3600,
    "custom": 1800,
    "runafter": 3600,
    "daily": 86_400,
    "dbtcloud": 86_400,
    "multi": 43_200,
    "builder": 172_800,
    "weekly": 604_800,
    "manual": 259_200,
}

SCHEDULES: dict[str, dict[str, Any]] = {
    "hourly15": {"frequency": "hourly", "minute": "15"},
    "hourly45": {"frequency": "hourly", "minute": "45"},
    "daily6": {"frequency": "daily", "hour": "6", "minute": "0"},
    "daily230": {"frequency": "daily", "hour": "2", "minute": "30"},
    "weekly": {"frequency": "weekly", "day_of_week": "monday", "hour": "7", "minute": "30"},
    "continuous": {"frequency": "continuous"},
    "manual": {"frequency": "manual"},
    "custom": {
        "frequency": "custom",
        "minute": "*/30",
        "hour": "8-18",
        "day_of_month": "*",
        "month": "*",
        "day_of_week": "1-5",
    },
    "builder": {
        "frequency": "builder",
        "day_of_week": "monday,wednesday,friday",
        "hour": "9",
        "minute": "0",
    },
    "multi": {
        "frequency": "multi",
        "multi": {
            "schedules": [
                {"frequency": "daily", "hour": "6", "minute": "0"},
                {"frequency": "daily", "hour": "18", "minute": "0"},
            ]
        },
    },
}

TARGET_CONFIG: dict[str, dict[str, Any]] = {
    "salesforce": {
        "use_bulk_api": True,
        "bulk_batch_size": 5000,
        "serial_mode": False,
        "assignment_rule": {"enabled": False, "rule_id": None},
    },
    "hubspot": {"associate_companies": True, "create_missing_properties": False},
    "marketo": {"partition": "Default", "program_id": "1044"},
    "zendesk": {"skip_triggers": True},
    "intercom": {"archive_removed": False},
    "braze": {"track_attributes_only": True, "batch_size": 75},
    "gsheets": {"spreadsheet_id": "1Xq3vR8Kp2mN7tLzQ0yB5wJcH9dFgE6sA4uI1oP", "header_row": 1},
    "s3": {"format": "parquet", "path_prefix": "exports/", "compression": "snappy"},
}


@dataclass
class Template:
    """One canonical sync; replicas at higher scale reuse it with a team suffix."""

    name: str
    model: str
    target: str
    obj: str
    mode: str
    schedule: str
    fields: list[tuple[str, str]]
    identity: tuple[str, str, str] | None = None
    # Further identity mappings after the first, and how they combine (`identities.strategy`).
    more_identities: tuple[tuple[str, str, str], ...] = ()
    strategy: str = "priority"
    active: bool = True
    running: bool = False  # an execution is in progress at construction time
    extra: dict[str, Any] = field(default_factory=dict)  # options applied by _build_body


# fmt: off
TEMPLATES: list[Template] = [
    Template(
        "Snowflake users → Salesforce Contacts", "users", "salesforce", "Contact",
        "updateOrCreate", "hourly15",
        [("email", "Email"), ("first_name", "FirstName"), ("last_name", "LastName"),
         ("plan", "Plan__c"), ("lifetime_value", "LTV__c"), ("last_seen_at", "Last_Seen__c")],
        ("email", "Email", "Equality"),
        extra={"override_fields": [("LeadSource", "Product")], "bulk": True,
               "overrides": [("plan", "legacy_free", "Free")]},
    ),
    Template(
        "HubSpot companies enrichment", "companies", "hubspot", "companies", "update", "daily6",
        [("employee_count", "numberofemployees"), ("industry", "industry"),
         ("arr", "annualrevenue"), ("region", "hs_region")],
        ("domain", "domain", "DomainMatch"),
        extra={"filters": [("arr", "GreaterThan", 0)], "only_enrich_updates": True,
               "target_filters": [("lifecyclestage", "Inequality", "customer")]},
    ),
    Template(
        "Product usage → Salesforce Accounts", "usage", "salesforce", "Account", "update",
        "hourly45",
        [("active_days_30", "Active_Days_30__c"), ("events_30d", "Events_30d__c"),
         ("last_event_at", "Last_Product_Activity__c")],
        ("account_id", "Account_External_ID__c", "Equality"),
    ),
    Template(
        "Marketing leads → Salesforce Leads (EMEA)", "leads", "salesforce", "Lead",
        "updateOrCreate", "hourly15",
        [("email", "Email"), ("company", "Company"), ("lead_source", "LeadSource"),
         ("country", "Country"), ("region", "Region__c"), ("score", "Lead_Score__c")],
        ("email", "Email", "Equality"),
        extra={"filters": [("country", "StringOneOf", ["DE", "FR", "NL", "GB", "ES", "IT"])],
               "override_fields": [("Status", "Open - Not Contacted")], "bulk": True},
    ),
    Template(
        "Users → Zendesk users", "users", "zendesk", "users", "update", "daily230",
        [("plan", "user_fields.plan"), ("lifetime_value", "user_fields.ltv"),
         ("company_name", "organization_name")],
        ("email", "email", "Equality"),
    ),
    Template(
        "Subscriptions → HubSpot deals", "subscriptions", "hubspot", "deals", "create",
        "hourly45",
        [("plan", "dealname"), ("mrr", "amount"), ("renews_at", "closedate"),
         ("status", "dealstage")],
        extra={"override_fields": [("pipeline", "default")],
               "constants": [("dealtype", "newbusiness")]},
    ),
    Template(
        "Marketing leads → Marketo", "leads", "marketo", "leads", "updateOrCreate", "daily6",
        [("email", "email"), ("utm_campaign", "utmCampaign__c"), ("score", "leadScore"),
         ("country", "country")],
        ("email", "email", "Equality"),
    ),
    Template(
        "Churned accounts → Salesforce (remove from campaign)", "churned", "salesforce",
        "CampaignMember", "remove", "daily230",
        [("contact_id", "ContactId")],
        ("contact_id", "ContactId", "Equality"),
    ),
    Template(
        "Users → Intercom contacts", "users", "intercom", "contacts", "updateOrCreate",
        "continuous",
        [("email", "email"), ("first_name", "name"), ("plan", "custom_attributes.plan"),
         ("last_seen_at", "last_seen_at")],
        ("user_id", "external_id", "Equality"),
        running=True,
        extra={"constants": [("custom_attributes.source", "warehouse")]},
    ),
    Template(
        "Active users → Braze", "usage", "braze", "users", "updateOrCreate", "continuous",
        [("user_email", "email"), ("active_days_30", "active_days_30"),
         ("feature_flags", "feature_flags")],
        ("user_id", "external_id", "Equality"),
    ),
    Template(
        "Daily revenue snapshot → Google Sheets", "revenue", "gsheets", "Revenue", "snapshot",
        "daily6",
        [("day", "Date"), ("new_mrr", "New MRR"), ("churned_mrr", "Churned MRR"),
         ("net_mrr", "Net MRR")],
    ),
    Template(
        "Subscriptions → Google Sheets (finance)", "subscriptions", "gsheets", "Subscriptions",
        "replace", "weekly",
        [("subscription_id", "ID"), ("customer_email", "Customer"), ("plan", "Plan"),
         ("mrr", "MRR"), ("renews_at", "Renews")],
    ),
    Template(
        "Product events → S3 archive", "events", "s3", "product_events", "append", "hourly15",
        [("event_id", "event_id"), ("user_id", "user_id"), ("event", "event"),
         ("occurred_at", "occurred_at"), ("properties", "properties")],
        extra={"encrypt": "user_id"},
    ),
    Template(
        "Signups → HubSpot contacts", "users", "hubspot", "contacts", "create", "hourly45",
        [("email", "email"), ("first_name", "firstname"), ("last_name", "lastname"),
         ("signup_source", "hs_analytics_source")],
    ),
    Template(
        "Companies → Salesforce Accounts", "companies", "salesforce", "Account",
        "updateOrCreate", "daily6",
        [("name", "Name"), ("domain", "Website"), ("employee_count", "NumberOfEmployees"),
         ("industry", "Industry"), ("owner_email", "Owner_Email__c")],
        ("domain", "Website", "HostnameMatch"),
        more_identities=(("name", "Name", "Equality"),),
        extra={"create_only": ("Industry",), "bulk": True},
    ),
    Template(
        "Users → Zendesk users (tiers)", "users", "zendesk", "users", "update", "hourly15",
        [("tier", "user_fields.customer_tier_v2"), ("plan", "user_fields.plan")],
        ("email", "email", "Equality"),
    ),
    Template(
        "Lead scores → HubSpot contacts", "leads", "hubspot", "contacts", "update", "hourly45",
        [("score", "lead_score_v2"), ("utm_campaign", "utm_campaign")],
        ("email", "email", "ISubstring"),
        active=False,
    ),
    Template(
        "Trial users → Intercom (onboarding)", "users", "intercom", "contacts", "update",
        "custom",
        [("trial_ends_at", "custom_attributes.trial_ends_at"),
         ("onboarding_step", "custom_attributes.onboarding_step")],
        ("user_id", "external_id", "Equality"),
        extra={"filters": [("plan", "Equality", "trial"), ("trial_ends_at", "IsNotNull", None)]},
    ),
    Template(
        "Churn risk → Salesforce Opportunities", "usage", "salesforce", "Opportunity", "update",
        "runafter",
        [("churn_risk", "Churn_Risk__c"), ("active_days_30", "Active_Days_30__c")],
        ("account_id", "Account_External_ID__c", "Equality"),
    ),
    Template(
        "dbt customer_360 → Salesforce Accounts", "customer360", "salesforce", "Account",
        "updateOrCreate", "dbtcloud",
        [("health_score", "Health_Score__c"), ("arr", "AnnualRevenue"),
         ("csm_email", "CSM_Email__c")],
        ("account_id", "Account_External_ID__c", "Equality"),
        extra={"bulk": True},
    ),
    Template(
        "Snowflake users → Marketo nurture list", "users", "marketo", "list:Nurture 2026",
        "append", "builder",
        [("email", "email"), ("first_name", "firstName")],
    ),
    Template(
        "GDPR erasure → Braze", "deleted_users", "braze", "users", "remove", "daily230",
        [("user_id", "external_id")],
        ("user_id", "external_id", "Equality"),
    ),
    Template(
        "Support tickets → Salesforce Cases", "tickets", "salesforce", "Case", "updateOrCreate",
        "multi",
        [("ticket_id", "Zendesk_Ticket_ID__c"), ("priority", "Priority"), ("status", "Status"),
         ("requester_email", "SuppliedEmail")],
        ("ticket_id", "Zendesk_Ticket_ID__c", "Equality"),
    ),
    Template(
        "Plan changes → Intercom companies", "subscriptions", "intercom", "companies", "update",
        "manual",
        [("plan", "plan"), ("mrr", "monthly_spend")],
        ("company_id", "company_id", "Equality"),
        active=False,
    ),
    Template(
        "Legacy: Postgres subscriptions → HubSpot", "subscriptions", "hubspot", "companies",
        "replace", "manual",
        [("company_id", "company_id"), ("legacy_plan_code", "plan_legacy")],
        active=False,
    ),
    Template(
        "Product usage → HubSpot companies", "usage", "hubspot", "companies", "update", "daily6",
        [("active_days_30", "active_days_30"), ("events_30d", "product_events_30d")],
        ("domain", "domain", "DomainMatch"),
        running=True,
    ),
    Template(
        "Enterprise accounts → Salesforce (OneOf)", "companies", "salesforce", "Account",
        "update", "weekly",
        [("arr", "AnnualRevenue"), ("tier", "Tier__c")],
        ("domain", "Website", "OneOf"),
        extra={"filters": [("arr", "GreaterThanEqual", 100_000)]},
    ),
    Template(
        "Sandbox test: users → HubSpot", "users", "hubspot", "contacts", "create", "manual",
        [("email", "email")],
        active=False,
    ),
]
# fmt: on

RUNAFTER_PARENT = 2  # "Product usage → Salesforce Accounts" triggers the churn-risk sync
TEAMS = ("EMEA", "APAC", "NA", "LATAM", "Growth", "RevOps", "Support", "Finance")


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


# --- schedules ----------------------------------------------------------------------------
_WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_DAYS = {**{d: i for i, d in enumerate(_WEEKDAYS)}, **{d[:3]: i for i, d in enumerate(_WEEKDAYS)}}


def next_run(schedule: dict[str, Any], now: datetime) -> datetime | None:
    """When a schedule next fires after `now` (UTC), or None if it has no clock of its own."""
    return next(runs_after(schedule, now), None)


def runs_after(schedule: dict[str, Any], after: datetime) -> Iterator[datetime]:
    """The instants a schedule fires strictly after `after`, in order, for about a year.

    Time parts are cron-like strings: numbers, `*`, `a-b`, `*/n`, comma lists; days of the week
    by number (0 = Sunday) or English name. Manual, runafter and dbtcloud schedules have no
    clock of their own and yield nothing; continuous fires every minute; multi merges its
    nested schedules.
    """
    frequency = schedule.get("frequency")
    start = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if frequency == "continuous":
        yield from (start + timedelta(minutes=n) for n in range(366 * 24 * 60))
        return
    if frequency == "multi":
        nested = (schedule.get("multi") or {}).get("schedules") or []
        streams = [
            runs_after(s, after)
            for s in nested
            if isinstance(s, dict) and s.get("frequency") != "multi"
        ]
        previous = None
        for instant in heapq.merge(*streams):
            if instant != previous:
                yield instant
            previous = instant
        return
    defaults = {
        "hourly": {"hour": "*", "day_of_month": "*", "month": "*", "day_of_week": "*"},
        "daily": {"day_of_month": "*", "month": "*", "day_of_week": "*"},
        "weekly": {"day_of_month": "*", "month": "*"},
        "custom": {},
        "builder": {},
    }.get(frequency)
    if defaults is None:
        return
    parts = {p: str(schedule.get(p) or "*") for p in TIME_PARTS}
    parts.update(defaults)
    if not schedule.get("minute"):
        parts["minute"] = "0"
    try:
        minutes = sorted(_cron(parts["minute"], 0, 59))
        hours = sorted(_cron(parts["hour"], 0, 23))
        days = _cron(parts["day_of_month"], 1, 31)
        months = _cron(parts["month"], 1, 12)
        weekdays = {d % 7 for d in _cron(parts["day_of_week"], 0, 7, _DAYS)}
    except ValueError:
        return
    day = start.replace(hour=0, minute=0)
    for _ in range(400):
        if day.day in days and day.month in months and (day.weekday() + 1) % 7 in weekdays:
            for hour in hours:
                for minute in minutes:
                    candidate = day.replace(hour=hour, minute=minute)
                    if candidate >= start:
                        yield candidate
        day += timedelta(days=1)


def _cron(expr: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int]:
    values: set[int] = set()
    for piece in expr.lower().split(","):
        piece, _, step_text = piece.strip().partition("/")
        step = int(step_text) if step_text else 1
        if piece in ("*", ""):
            first, last = low, high
        elif "-" in piece:
            a, b = piece.split("-", 1)
            first, last = _cron_value(a, names), _cron_value(b, names)
        else:
            first = last = _cron_value(piece, names)
            if step_text:
                last = high
        if step < 1 or first < low or last > high or first > last:
            raise ValueError(expr)
        values.update(range(first, last + 1, step))
    return values


def _cron_value(text: str, names: dict[str, int] | None) -> int:
    text = text.strip()
    if names and text in names:
        return names[text]
    return int(text)
