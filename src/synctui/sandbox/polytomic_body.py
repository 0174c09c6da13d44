"""The Polytomic simulator's sync bodies: what a write may carry, what is stored, what is read.

Source: the vendor's SDK `polytomic` (25.9.x) — `model_sync/raw_client.py` (`create`/`update`
parameters and their documented semantics) and `types/model_sync_v5response.py` (a full sync),
`types/list_sync_item.py` (a list row), `types/model_sync_identities.py`, `types/model_filters.py`,
`types/target_filters.py`, `types/filter.py`, `types/model_sync_problem.py`.

Two settings exist in two forms, and the store keeps only the live one:

- identity mappings: `identities` `{strategy, mappings[]}` is stored; `identity` (deprecated)
  is read back as the first mapping. On a write "when [`identities`] is omitted, `identity` is
  used instead; updating a sync with more than one mapping requires this property".
- filters: `model_filters` and `target_filters` `{conditions[], logic}` are stored; `filters`
  (deprecated) is read back as both kinds told apart by `field_type`, `filter_logic` as
  `model_filters.logic` and `target.filter_logic` as `target_filters.logic`. `filters` is
  "ignored when either of those is present, except that a request carrying both shapes is
  rejected if they describe different filters".

Guesses, where the SDK says nothing (kept simple and named here): an empty `identities`,
`model_filters` or `target_filters` reads back as null; deprecated `filters` list the model
conditions before the target ones; a deprecated filter without `field_type` is a model filter
when it names a `field`, a target filter when it names only a `field_id`.
"""

from __future__ import annotations

import copy
from typing import Any

from synctui.sandbox.polytomic_catalog import TIME_PARTS
from synctui.sandbox.polytomic_filters import UUID, check_source, deprecated_filters, stored_filters

MODES = ("create", "update", "updateOrCreate", "replace", "append", "remove", "snapshot")
MODES_NEEDING_IDENTITY = ("update", "updateOrCreate", "remove")
FREQUENCIES = (
    "manual", "continuous", "hourly", "daily", "weekly",
    "custom", "builder", "runafter", "multi", "dbtcloud",
)  # fmt: skip
IDENTITY_FUNCTIONS = ("Equality", "ISubstring", "OneOf", "DomainMatch", "HostnameMatch")
STRATEGIES = ("priority", "and")

REQUIRED = ("name", "mode", "schedule", "target", "fields")
# What an optional field becomes when a write omits it (or sends null): lists empty, booleans
# false, everything else null. `organization_id` is special: it falls back to the caller's org.
OPTIONAL_DEFAULTS: dict[str, Any] = {
    "active": False,
    "encryption_passphrase": None,
    "only_enrich_updates": False,
    "organization_id": None,
    "override_fields": [],
    "overrides": [],
    "policies": [],
    "skip_initial_backfill": False,
    "sync_all_records": False,
}
LIVE_FORMS = ("identities", "model_filters", "target_filters")
DEPRECATED = frozenset({"identity", "filters", "filter_logic"})
BOOLEANS = ("active", "only_enrich_updates", "skip_initial_backfill", "sync_all_records")
# Response-only fields (in `ModelSyncV5Response`, not among `update`'s parameters): ignored
# when a client sends them back, so GET → edit → PUT just works.
READ_ONLY = frozenset(
    {"id", "model_ids", "created_at", "updated_at", "created_by", "updated_by", "problems"}
)


class ApiError(Exception):
    """An error answer in Polytomic's shape (`types/api_error.py`): {status, message, key,
    metadata}."""

    def __init__(
        self, status: int, key: str, message: str, metadata: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.key = key
        self.message = message
        self.metadata = metadata or {}


def error_json(status: int, key: str, message: str, metadata: dict[str, Any] | None = None) -> dict:
    return {"status": status, "message": message, "key": key, "metadata": metadata or {}}


def invalid(problems: dict[str, str]) -> ApiError:
    """A 422 naming every offending field (`metadata.errors`) and the first one (`field`)."""
    first = next(iter(problems))
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return ApiError(
        422,
        "validation_error",
        f"{first} {problems[first]}{more}",
        {"field": first, "errors": problems},
    )


# --- a write ------------------------------------------------------------------------------
def checked_body(
    payload: Any, organization_id: str, stored: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The body to store for a create (`stored` None) or a full-replacement update of
    `stored`, or an ApiError (400 not an object, 422 naming every problem)."""
    if not isinstance(payload, dict):
        raise ApiError(400, "bad_request", "request body must be a JSON object")
    errs = _validate(payload, organization_id)
    identities = _identities(payload, _mapping_count(stored), errs)
    model_filters, target_filters = stored_filters(payload, errs)
    mode = payload.get("mode")
    if mode in MODES_NEEDING_IDENTITY and identities is None:
        where = "identities" if payload.get("identities") is not None else "identity"
        errs.setdefault(where, f"is required for mode {mode}")
    if errs:
        raise invalid(errs)
    return _normalize(payload, organization_id, identities, model_filters, target_filters)


def _mapping_count(stored: dict[str, Any] | None) -> int:
    identities = (stored or {}).get("identities")
    return len(identities["mappings"]) if isinstance(identities, dict) else 0


def _normalize(
    payload: dict[str, Any],
    organization_id: str,
    identities: dict[str, Any] | None,
    model_filters: dict[str, Any] | None,
    target_filters: dict[str, Any] | None,
) -> dict[str, Any]:
    """Required fields as sent; every documented optional field as sent, or — when omitted or
    null — reset to its default; the live forms as resolved; every other field the client sent
    kept verbatim after the documented ones. A field stored earlier but not sent now is gone;
    response-only and deprecated fields are not stored (the latter are read back derived)."""
    body: dict[str, Any] = {key: copy.deepcopy(payload[key]) for key in REQUIRED}
    body["target"].pop("filter_logic", None)  # deprecated: read back from target_filters
    for key, default in OPTIONAL_DEFAULTS.items():
        value = payload.get(key)
        if value is None:
            value = list(default) if isinstance(default, list) else default
        body[key] = copy.deepcopy(value)
    body["organization_id"] = body["organization_id"] or organization_id
    body["identities"] = identities
    body["model_filters"] = model_filters
    body["target_filters"] = target_filters
    for key, value in payload.items():
        if key not in body and key not in READ_ONLY and key not in DEPRECATED:
            body[key] = copy.deepcopy(value)
    return {"name": body.pop("name"), "active": body.pop("active"), **body}


def _validate(p: dict[str, Any], organization_id: str) -> dict[str, str]:
    """Problems with the fields that exist in one form only, keyed by their path."""
    errs: dict[str, str] = {}
    for key in REQUIRED:
        if p.get(key) is None:
            errs[key] = "is required"
    name = p.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        errs["name"] = "must be a non-empty string"
    mode = p.get("mode")
    if mode is not None and mode not in MODES:
        errs["mode"] = f"must be one of {', '.join(MODES)}"
    _check_schedule(p.get("schedule"), errs)
    target = p.get("target")
    if target is not None:
        if not isinstance(target, dict):
            errs["target"] = "must be an object"
        else:
            cid = target.get("connection_id")
            if cid is None:
                errs["target.connection_id"] = "is required"
            elif not isinstance(cid, str) or not UUID.fullmatch(cid):
                errs["target.connection_id"] = "must be a UUID"
            for key in ("object", "new_name", "filter_logic"):
                if target.get(key) is not None and not isinstance(target[key], str):
                    errs[f"target.{key}"] = "must be a string"
            if target.get("configuration") is not None and not isinstance(
                target["configuration"], dict
            ):
                errs["target.configuration"] = "must be an object"
    for key in ("fields", "override_fields"):
        items = p.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            errs[key] = "must be a list"
            continue
        for i, item in enumerate(items):
            where = f"{key}[{i}]"
            if not isinstance(item, dict):
                errs[where] = "must be an object"
                continue
            if not isinstance(item.get("target"), str) or not item["target"]:
                errs[f"{where}.target"] = "is required"
            if item.get("source") is not None:
                check_source(item["source"], f"{where}.source", errs)
            if item.get("sync_mode") is not None and not isinstance(item["sync_mode"], str):
                errs[f"{where}.sync_mode"] = "must be a string"
    overrides = p.get("overrides")
    if overrides is not None and (
        not isinstance(overrides, list) or not all(isinstance(x, dict) for x in overrides)
    ):
        errs["overrides"] = "must be a list of objects"
    policies = p.get("policies")
    if policies is not None and (
        not isinstance(policies, list) or not all(isinstance(x, str) for x in policies)
    ):
        errs["policies"] = "must be a list of strings"
    for key in BOOLEANS:
        if p.get(key) is not None and not isinstance(p[key], bool):
            errs[key] = "must be a boolean"
    for key in ("filter_logic", "encryption_passphrase"):
        if p.get(key) is not None and not isinstance(p[key], str):
            errs[key] = "must be a string"
    org = p.get("organization_id")
    if org is not None and org != organization_id:
        errs["organization_id"] = "is not an organization this key can write to"
    return errs


def _check_schedule(schedule: Any, errs: dict[str, str]) -> None:
    if schedule is None:
        return
    if not isinstance(schedule, dict):
        errs["schedule"] = "must be an object"
        return
    frequency = schedule.get("frequency")
    if frequency is None:
        errs["schedule.frequency"] = "is required"
    elif frequency not in FREQUENCIES:
        errs["schedule.frequency"] = f"must be one of {', '.join(FREQUENCIES)}"
    for part in TIME_PARTS:
        if schedule.get(part) is not None and not isinstance(schedule[part], str):
            errs[f"schedule.{part}"] = 'must be a string, e.g. "6"'


# --- identity mappings --------------------------------------------------------------------
def _identities(p: dict[str, Any], stored_mappings: int, errs: dict[str, str]) -> Any:
    """The mappings to store: `identities` when sent, else the deprecated `identity`."""
    raw = p.get("identities")
    if raw is not None:
        if not isinstance(raw, dict):
            errs["identities"] = "must be an object with mappings and strategy"
            return None
        mappings = raw.get("mappings")
        if not isinstance(mappings, list):
            errs["identities.mappings"] = "is required and must be a list"
            return None
        for i, mapping in enumerate(mappings):
            _check_identity(mapping, f"identities.mappings[{i}]", errs)
        strategy = raw.get("strategy")
        if strategy is not None and strategy not in STRATEGIES:
            errs["identities.strategy"] = f"must be one of {', '.join(STRATEGIES)}"
        elif strategy is None and len(mappings) > 1:
            errs["identities.strategy"] = "is required when there is more than one mapping"
        if not mappings:
            return None  # "An empty list removes every identity mapping."
        # "a single mapping is always 'priority'"
        chosen = strategy if len(mappings) > 1 else "priority"
        return {**copy.deepcopy(raw), "strategy": chosen}
    if stored_mappings > 1:
        errs["identities"] = (
            f"is required to update a sync with {stored_mappings} identity mappings "
            "(identity holds the first one only)"
        )
        return None
    identity = p.get("identity")
    if identity is None:
        return None
    _check_identity(identity, "identity", errs)
    return {"strategy": "priority", "mappings": [copy.deepcopy(identity)]}


def _check_identity(mapping: Any, where: str, errs: dict[str, str]) -> None:
    if not isinstance(mapping, dict):
        errs[where] = "must be an object"
        return
    check_source(mapping.get("source"), f"{where}.source", errs)
    if not isinstance(mapping.get("target"), str) or not mapping["target"]:
        errs[f"{where}.target"] = "is required"
    if mapping.get("function") not in IDENTITY_FUNCTIONS:
        errs[f"{where}.function"] = f"must be one of {', '.join(IDENTITY_FUNCTIONS)}"


# --- reading ------------------------------------------------------------------------------
def full_sync(body: dict[str, Any], problems: list[dict[str, Any]]) -> dict[str, Any]:
    """The stored body as `GET /api/syncs/{id}` reports it: the deprecated forms derived from
    the live ones, next to them, and the `problems` found when reading it."""
    out: dict[str, Any] = {}
    for key, value in body.items():
        out[key] = copy.deepcopy(value)
        if key == "identities":
            mappings = value["mappings"] if isinstance(value, dict) else []
            out["identity"] = copy.deepcopy(mappings[0]) if mappings else None
        elif key == "target_filters":
            out["filters"] = deprecated_filters(body.get("model_filters"), value)
            model = body.get("model_filters")
            out["filter_logic"] = model.get("logic") if isinstance(model, dict) else None
    logic = (body.get("target_filters") or {}).get("logic")
    if logic:
        out["target"]["filter_logic"] = logic
    out["problems"] = problems
    return out


def mappings_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    identities = body.get("identities")
    return list(identities.get("mappings") or []) if isinstance(identities, dict) else []


def model_ids(body: dict[str, Any]) -> list[str]:
    """Models the sync reads, in order of first use across fields, identities, filters and
    overrides."""
    found: dict[str, None] = {}
    refs = [f.get("source") for f in body.get("fields") or [] if isinstance(f, dict)]
    refs += [m.get("source") for m in mappings_of(body)]
    for condition in (body.get("model_filters") or {}).get("conditions") or []:
        refs.append(condition.get("source"))
    for condition in (body.get("target_filters") or {}).get("conditions") or []:
        refs.append(condition.get("value_source"))
    refs += [x.get("field") for x in body.get("overrides") or [] if isinstance(x, dict)]
    for ref in refs:
        if isinstance(ref, dict) and isinstance(ref.get("model_id"), str):
            found[ref["model_id"]] = None
    return list(found)


def problems_of(body: dict[str, Any], retired: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """Parts of the configuration that name a model field that no longer exists
    (`retired`: model id → {field: model name}), as `ModelSyncProblem`s."""
    places: list[tuple[str, Any]] = []
    for i, item in enumerate(body.get("fields") or []):
        if isinstance(item, dict):
            places.append((f"fields[{i}].source.field", item.get("source")))
    for i, mapping in enumerate(mappings_of(body)):
        places.append((f"identities.mappings[{i}].source.field", mapping.get("source")))
    for i, condition in enumerate((body.get("model_filters") or {}).get("conditions") or []):
        places.append((f"model_filters.conditions[{i}].source.field", condition.get("source")))
    found: list[dict[str, Any]] = []
    for path, source in places:
        if not isinstance(source, dict):
            continue
        model = retired.get(str(source.get("model_id")), {})
        field = source.get("field")
        if field in model:
            found.append(
                {
                    "code": "model_field_not_found",
                    "message": f"model field {field!r} no longer exists in {model[field]}",
                    "path": path,
                    "severity": "error",
                }
            )
    return found


def summary(body: dict[str, Any], meta: dict[str, Any], ids: list[str]) -> dict[str, Any]:
    """A list row (`ListSyncItem`): flat target, no fields, filters, identities or extras."""
    target = body["target"]
    return {
        "id": meta["id"],
        "name": body["name"],
        "active": body["active"],
        "mode": body["mode"],
        "schedule": copy.deepcopy(body["schedule"]),
        "target_connection_id": target.get("connection_id"),
        "target_object": target.get("object"),
        "organization_id": body["organization_id"],
        "model_ids": ids,
        "only_enrich_updates": body["only_enrich_updates"],
        "skip_initial_backfill": body["skip_initial_backfill"],
        "sync_all_records": body["sync_all_records"],
        "created_at": meta["created_at"],
        "created_by": meta["created_by"],
        "updated_at": meta["updated_at"],
        "updated_by": meta["updated_by"],
    }
