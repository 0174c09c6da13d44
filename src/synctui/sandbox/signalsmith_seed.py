"""Seed data for the Signalsmith simulator: two workspaces of believable reverse-ETL syncs.

Kept apart from the HTTP layer so the data can be read (and changed) like a fixture. Every
value comes from a per-purpose seeded RNG and every timestamp is relative to the construction
instant, so a frozen clock gives byte-identical data from run to run.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from synctui.sandbox.core import SimContext


def new_uuid(rng: random.Random) -> str:
    """A v4-shaped UUID drawn from a seeded RNG (uuid4() would differ on every run)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def stamp(dt: datetime) -> str:
    """Signalsmith prints RFC 3339 timestamps to the second, like its docs' examples."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Template(NamedTuple):
    """One seeded sync; `status` applies to the first copy, later copies draw one."""

    name: str
    description: str
    model: str
    destination: str
    mapping: str  # "source:Dest[:cast], ..." — compact so the catalogue stays readable
    mode: str
    primary_key: str
    schedule: str
    config: dict[str, Any]
    status: str = "active"
    rows: int = 5000
    status_error: str = ""


REJECTED_LASTNAME = "Destination rejected 312 rows: REQUIRED_FIELD_MISSING: LastName"

# fmt: off
ACME: tuple[Template, ...] = (
    Template("Customers to Salesforce", "Sync active customers to Salesforce contacts",
             "Active customers", "Salesforce",
             "email:Email, first_name:FirstName, last_name:LastName, company_name:Company__c, "
             "lifetime_value:Lifetime_Value__c:number",
             "upsert", "customer_id", "0 */6 * * *",
             {"object": "Contact", "batch_size": 200, "external_id_field": "Customer_ID__c"},
             status="error", rows=5420, status_error=REJECTED_LASTNAME),
    Template("Churn scores → HubSpot", "Nightly churn model output onto HubSpot contacts",
             "Churn scores", "HubSpot",
             "email:email, churn_score:churn_score:number, churn_band:churn_risk_band, "
             "scored_at:churn_scored_at:datetime",
             "upsert", "user_id", "30 2 * * *",
             {"object_type": "contacts", "associate_company": True}, rows=18250),
    Template("Accounts to Salesforce", "Firmographics for every paying account",
             "Accounts", "Salesforce",
             "account_name:Name, domain:Website, annual_revenue:AnnualRevenue:number, "
             "employee_count:NumberOfEmployees:integer, industry:Industry",
             "upsert", "account_id", "0 3 * * 1-5",
             {"object": "Account", "batch_size": 200}, rows=2310),
    Template("Trial signups → Marketo", "New trial users into the nurture programme",
             "Trial signups", "Marketo",
             "email:email, first_name:firstName, last_name:lastName, signup_source:leadSource",
             "insert", "user_id", "*/15 * * * *",
             {"program_id": 1042, "partition": "Trials"}, rows=140),
    Template("Product usage → Intercom", "Weekly active days and seats on Intercom users",
             "Product usage (7d)", "Intercom",
             "user_id:user_id, active_days_7d:active_days_7d:integer, seats_used:seats:integer, "
             "last_seen_at:last_seen_at:datetime",
             "update", "user_id", "0 * * * *", {"create_missing": False}, rows=9600),
    Template("Lead scores → Salesforce Leads", "PQL score onto open leads only",
             "Lead scores", "Salesforce",
             "email:Email, pql_score:PQL_Score__c:number, pql_reason:PQL_Reason__c",
             "update", "lead_id", "15 */2 * * *", {"object": "Lead"}, status="paused", rows=3900),
    Template("Paying customers → Braze", "Keep the Braze paying-customer segment exact",
             "Paying customers", "Braze",
             "email:email, plan:plan_tier, mrr:mrr:number, country:country",
             "mirror", "customer_id", "0 4 * * *",
             {"subscription_group": "product-news", "delete_mode": "unsubscribe"}, rows=4810),
    Template("Beta audience → LaunchDarkly", "Accounts opted into beta features",
             "Beta opt-ins", "LaunchDarkly",
             "account_id:key, account_name:name, plan:custom.plan",
             "mirror", "account_id", "*/30 * * * *",
             {"project": "web-app", "environment": "production", "segment": "beta-accounts"},
             rows=320),
    Template("Support tiers → Zendesk", "Support tier and CSM on Zendesk organizations",
             "Accounts", "Zendesk",
             "account_name:name, support_tier:organization_fields.support_tier, "
             "csm_email:organization_fields.csm",
             "upsert", "account_id", "0 6 * * MON-FRI", {"object": "organization"},
             status="draft", rows=2310),
    Template("NPS detractors → Slack", "Post new detractor responses to #cs-alerts",
             "NPS responses", "Slack",
             "account_name:text, score:score:integer, comment:comment",
             "insert", "response_id", "0 9 * * MON", {"channel": "#cs-alerts", "mention": "@csm"},
             rows=35),
    Template("Expansion signals → Outreach", "Seat-limit and usage spikes for AEs",
             "Expansion signals", "Outreach",
             "email:emails, signal:custom1, seats_used:custom2:integer",
             "upsert", "account_id", "15 8,13,17 * * 1-5", {"sequence_id": 88}, rows=410),
    Template("Invoices → NetSuite", "Monthly usage invoices",
             "Usage invoices", "NetSuite",
             "invoice_number:tranId, amount_usd:total:number, due_date:dueDate:date, "
             "account_id:entity",
             "insert", "invoice_id", "0 1 1 * *", {"subsidiary": 3, "currency": "USD"},
             status="error", rows=1200,
             status_error="NetSuite login failed: INVALID_LOGIN_CREDENTIALS (token revoked)"),
    Template("PQLs → HubSpot", "Product-qualified leads into the sales pipeline",
             "Product-qualified leads", "HubSpot",
             "email:email, pql_score:pql_score:number, workspace_count:workspaces:integer",
             "upsert", "user_id", "*/20 * * * *", {"object_type": "contacts"}, rows=760),
    Template("Ad audience → Google Ads", "Customer Match list of engaged trial users",
             "Engaged trials", "Google Ads",
             "email_sha256:hashedEmail, country:countryCode",
             "mirror", "user_id", "0 5 * * *", {"customer_id": "482-115-9034", "list": "Engaged"},
             status="paused", rows=11800),
    Template("Renewals due → Salesforce Opportunities", "Flag renewals due in 90 days",
             "Renewals due", "Salesforce",
             "renewal_date:CloseDate:date, arr:Amount:number, risk:Renewal_Risk__c",
             "update", "opportunity_id", "0 7 * * 1", {"object": "Opportunity"}, rows=180),
    Template("Health scores → Gainsight", "Composite health score per account",
             "Account health", "Gainsight",
             "health_score:Health_Score:number, trend:Health_Trend, account_name:Name",
             "upsert", "account_id", "0 */4 * * *", {"object": "Company"}, rows=2310),
)

NORTHWIND: tuple[Template, ...] = (
    Template("Loyalty members → Braze", "Points balance and tier for every member",
             "Loyalty members", "Braze",
             "email:email, tier:loyalty_tier, points:points_balance:integer, "
             "home_store:home_store_id",
             "upsert", "member_id", "0 */2 * * *", {"subscription_group": "loyalty"}, rows=88400),
    Template("Abandoned carts → Klaviyo", "Carts idle for 45 minutes",
             "Abandoned carts", "Klaviyo",
             "email:email, cart_value:$value:number, items:items:json, cart_url:checkout_url",
             "insert", "cart_id", "*/10 * * * *", {"list_id": "RtW8pQ", "event": "Abandoned Cart"},
             rows=420),
    Template("Customers to Salesforce", "Wholesale buyers to Salesforce contacts",
             "Wholesale buyers", "Salesforce",
             "email:Email, first_name:FirstName, last_name:LastName, "
             "account_number:AccountNumber__c",
             "upsert", "customer_id", "0 */6 * * *", {"object": "Contact", "batch_size": 200},
             status="error", rows=3150, status_error=REJECTED_LASTNAME),
    Template("VIP segment → Facebook Custom Audiences", "Top 5% spenders, refreshed daily",
             "VIP customers", "Facebook Ads",
             "email_sha256:EMAIL_SHA256, phone_sha256:PHONE_SHA256, country:COUNTRY",
             "mirror", "customer_id", "0 3 * * *", {"audience_id": "23851190412330"}, rows=12600),
    Template("Inventory levels → Shopify", "On-hand stock per SKU and location",
             "Inventory snapshot", "Shopify",
             "sku:sku, on_hand:available:integer, location_id:location_id",
             "update", "sku", "*/5 * * * *", {"shop": "northwind-retail", "location": "all"},
             rows=14200),
    Template("Product catalog → Google Merchant Center", "Titles, prices and availability",
             "Product catalog", "Google Merchant Center",
             "title:title, price:price:number, availability:availability, gtin:gtin",
             "upsert", "sku", "0 */3 * * *", {"merchant_id": 118842093, "feed_label": "US"},
             rows=14200),
    Template("Returns → Zendesk", "Open a ticket for each damaged-item return",
             "Damaged returns", "Zendesk",
             "email:requester.email, order_number:subject, reason:comment.body",
             "insert", "return_id", "0 * * * *", {"object": "ticket", "priority": "normal"},
             status="paused", rows=60),
    Template("Store managers → Slack", "Daily sales summary per store channel",
             "Store daily sales", "Slack",
             "store_name:text, revenue:revenue:number, orders:orders:integer",
             "insert", "store_id", "30 21 * * *", {"channel_template": "#store-{store_code}"},
             rows=48),
    Template("Churn scores → HubSpot", "Lapsed-buyer risk onto HubSpot contacts",
             "Buyer churn scores", "HubSpot",
             "email:email, churn_score:churn_score:number, days_since_order:days_since_order:integer",
             "upsert", "customer_id", "0 2 * * *", {"object_type": "contacts"}, rows=51000),
    Template("Gift card balances → Iterable", "Remaining balance for reminder emails",
             "Gift card balances", "Iterable",
             "email:email, balance:giftCardBalance:number, expires_on:giftCardExpiry:date",
             "upsert", "card_id", "0 8 * * *", {"data_fields_only": True}, status="draft",
             rows=7300),
    Template("Supplier scorecards → Airtable", "On-time rate and defects per supplier",
             "Supplier scorecards", "Airtable",
             "supplier_name:Supplier, on_time_rate:On-time %:number, defects:Defects:integer",
             "mirror", "supplier_id", "0 6 1,15 * *", {"base": "appN7c3Rk2", "table": "Suppliers"},
             rows=210),
    Template("Lifetime value → Google Ads", "Offline conversion values for bidding",
             "Customer LTV", "Google Ads",
             "gclid:gclid, ltv:conversion_value:number, first_order_at:conversion_time:datetime",
             "insert", "order_id", "0 */12 * * *", {"conversion_action": "LTV upload"},
             status="error", rows=2600,
             status_error="Google Ads API: CONVERSION_PRECEDES_CLICK on 41 rows"),
    Template("Email preferences → Mailchimp", "Consent and topic preferences",
             "Email preferences", "Mailchimp",
             "email:email_address, consent:status, topics:interests:json",
             "upsert", "customer_id", "*/30 * * * *", {"audience_id": "b91f03c2e7"}, rows=93100),
    Template("Delivery ETAs → Twilio", "SMS when an order's ETA moves by a day",
             "Delayed deliveries", "Twilio",
             "phone:to, order_number:order, eta:eta:date",
             "insert", "shipment_id", "*/15 6-22 * * *", {"messaging_service": "MG5c1e"},
             rows=95),
    Template("Reviews → Salesforce Cases", "One-star reviews become service cases",
             "Negative reviews", "Salesforce",
             "email:SuppliedEmail, rating:Rating__c:integer, review_text:Description",
             "insert", "review_id", "0 */4 * * *", {"object": "Case", "origin": "Web Review"},
             rows=25),
    Template("Price changes → Shopify", "Markdowns from the pricing engine",
             "Price changes", "Shopify",
             "sku:sku, price:price:number, compare_at:compare_at_price:number",
             "update", "sku", "0 5 * * *", {"shop": "northwind-retail"}, status="paused",
             rows=1800),
)

# fmt: on

WORKSPACES: tuple[tuple[str, tuple[Template, ...]], ...] = (
    ("Acme Analytics", ACME),
    ("Northwind Retail", NORTHWIND),
)

# Names for the extra copies made at larger scales (regional/environment variants).
COPY_SUFFIXES = ("EMEA", "APAC", "LATAM", "staging", "backfill", "EU", "US West", "Canada")

COPY_ERRORS = (
    REJECTED_LASTNAME,
    "Authentication failed: refresh token expired or revoked",
    'Model query failed: relation "analytics.dim_customers" does not exist',
    "Destination field 'Annual_Revenue' not found on object Account",
    "Rate limited by destination for 5 consecutive runs",
)

HISTORY_ERRORS = (
    "Destination API timed out after 300s",
    "Warehouse connection reset during query",
    "Destination returned 503 Service Unavailable",
)


@dataclass
class SeedData:
    workspaces: dict[str, str] = field(default_factory=dict)  # id -> name
    users: list[str] = field(default_factory=list)
    syncs: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # ws -> id -> sync
    runs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # sync id -> oldest first
    rows: dict[str, int] = field(default_factory=dict)  # sync id -> typical rows per run
    scheduler: str = ""  # the account that scheduled runs are triggered by


def parse_mapping(text: str) -> list[dict[str, str]]:
    rows = []
    for item in text.split(","):
        parts = [p.strip() for p in item.strip().split(":")]
        row = {"source_column": parts[0], "destination_field": parts[1]}
        if len(parts) > 2:
            row["type_cast"] = parts[2]
        rows.append(row)
    return rows


def make_run(
    rng: random.Random,
    *,
    sync: dict[str, Any],
    created: datetime,
    rows: int,
    outcome: str,
    error: str,
    triggered_by: str,
    pending_s: float | None = None,
) -> dict[str, Any]:
    """A run whose whole future is fixed now; its status is read off the clock later."""
    synced = max(0, int(rows * rng.uniform(0.85, 1.1)))
    failed = rng.choice((0, 0, 0, 1, 3, 7)) if outcome == "completed" else 0
    if outcome == "failed":
        synced = int(synced * rng.uniform(0.0, 0.4))
        failed = _rejected_rows(error) or 0
    return {
        "id": new_uuid(rng),
        "sync_id": sync["id"],
        "workspace_id": sync["workspace_id"],
        "created_at": created,
        "pending_s": rng.uniform(1.0, 4.0) if pending_s is None else pending_s,
        # 24 s to 150 s: long enough to be seen running, short enough to watch finish.
        "duration_s": min(150.0, 30.0 + synced / 300.0) * rng.uniform(0.8, 1.0),
        "outcome": outcome,
        "rows_synced": synced,
        "rows_failed": failed,
        "error_message": error,
        "triggered_by": triggered_by,
    }


def _rejected_rows(message: str) -> int | None:
    words = message.split()
    if "rejected" in words:
        after = words[words.index("rejected") + 1]
        return int(after) if after.isdigit() else None
    return None


def build(ctx: SimContext, now: datetime) -> SeedData:
    data = SeedData()
    rng = ctx.rng("signalsmith:seed")
    data.scheduler = new_uuid(rng)
    for ws_name, templates in WORKSPACES:
        ws_id = new_uuid(rng)
        data.workspaces[ws_id] = ws_name
        users = [new_uuid(rng) for _ in range(3)]
        data.users.extend(users)
        models: dict[str, str] = {}
        destinations: dict[str, str] = {}
        seeded: list[dict[str, Any]] = []
        for copy in range(ctx.scale):
            for tpl in templates:
                model_id = models.setdefault(tpl.model, new_uuid(rng))
                dest_id = destinations.setdefault(tpl.destination, new_uuid(rng))
                sync = _sync(rng, tpl, copy, ws_id, model_id, dest_id, rng.choice(users), now)
                seeded.append(sync)
                data.rows[sync["id"]] = max(10, int(tpl.rows * rng.uniform(0.7, 1.3)))
        seeded.sort(key=lambda s: (s["created_at"], s["id"]))
        data.syncs[ws_id] = {s["id"]: s for s in seeded}
        for sync in seeded:
            data.runs[sync["id"]] = _history(rng, sync, data, users, now)
    return data


def _sync(
    rng: random.Random,
    tpl: Template,
    copy: int,
    ws_id: str,
    model_id: str,
    dest_id: str,
    creator: str,
    now: datetime,
) -> dict[str, Any]:
    name, status, status_error = tpl.name, tpl.status, tpl.status_error
    if copy:
        suffix = COPY_SUFFIXES[(copy - 1) % len(COPY_SUFFIXES)]
        lap = (copy - 1) // len(COPY_SUFFIXES)
        name = f"{tpl.name} ({suffix}{f' {lap + 1}' if lap else ''})"
        status = rng.choices(("active", "paused", "error", "draft"), (70, 12, 10, 8))[0]
        status_error = rng.choice(COPY_ERRORS) if status == "error" else ""
    created = now - timedelta(days=rng.uniform(20, 400), seconds=rng.randrange(86400))
    updated = created + (now - created) * rng.uniform(0.3, 0.98)
    return {
        "id": new_uuid(rng),
        "workspace_id": ws_id,
        "model_id": model_id,
        "destination_id": dest_id,
        "name": name,
        "description": tpl.description,
        "field_mapping": parse_mapping(tpl.mapping),
        "sync_mode": tpl.mode,
        "schedule": tpl.schedule,
        "config": dict(tpl.config),
        "primary_key": tpl.primary_key,
        "status": status,
        "status_error": status_error,
        "created_by": creator,
        "created_at": stamp(created),
        "updated_at": stamp(updated),
        "last_synced_at": None,
        "last_run_id": None,
    }


def _history(
    rng: random.Random, sync: dict[str, Any], data: SeedData, users: list[str], now: datetime
) -> list[dict[str, Any]]:
    """3–6 past runs (none for drafts); a few active syncs have one still in flight."""
    if sync["status"] == "draft":
        return []
    count = rng.randint(3, 6)
    gap = timedelta(hours=rng.choice((1, 2, 4, 6, 12, 24)))
    # Paused syncs stopped running some days ago; the rest ran recently.
    newest = now - (timedelta(days=rng.uniform(2, 12)) if sync["status"] == "paused" else gap / 3)
    in_flight = sync["status"] == "active" and rng.random() < 0.12
    rows = data.rows[sync["id"]]
    runs = []
    for i in range(count):
        created = newest - gap * (count - 1 - i) - timedelta(seconds=rng.randrange(90))
        latest = i == count - 1
        outcome, error = "completed", ""
        if latest and sync["status"] == "error":
            outcome, error = "failed", sync["status_error"]
        elif not latest and rng.random() < 0.08:
            outcome, error = "failed", rng.choice(HISTORY_ERRORS)
        elif not latest and rng.random() < 0.04:
            outcome = "cancelled"
        if latest and in_flight:
            created = now - timedelta(seconds=rng.uniform(5, 40))
        who = rng.choice(users) if rng.random() < 0.2 else data.scheduler
        runs.append(
            make_run(
                rng,
                sync=sync,
                created=created,
                rows=rows,
                outcome=outcome,
                error=error,
                triggered_by=who,
            )
        )
    if in_flight and runs[-1]["triggered_by"] == data.scheduler and runs[-1]["id"][0] in "02468ace":
        # About half the scheduled runs in flight still wait their turn: "queued", not
        # "pending" (that word is for runs started through the API). No random draw is
        # spent on it, so every other seeded value stays as it was.
        latest = runs[-1]
        latest["waiting"] = "queued"
        latest["pending_s"] = (now - latest["created_at"]).total_seconds() + 45.0
    sync["last_run_id"] = runs[-1]["id"]
    done = [r for r in runs[:-1] if r["outcome"] == "completed"]
    if done:
        sync["last_synced_at"] = stamp(run_end(done[-1]))
    return runs


def run_end(run: dict[str, Any]) -> datetime:
    return run["created_at"] + timedelta(seconds=run["pending_s"] + run["duration_s"])
