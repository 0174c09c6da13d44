"""The fixed content of the Polytomic simulator's workspace: API versions, people,
connections, models, schedules and the canonical syncs (`TEMPLATES`) the seed replicates.

Broken mappings are data, not dice: a sync fails when it maps a target field listed in
`BROKEN_TARGET_FIELDS` (a column that no longer exists in the destination).
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
