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
import re
from typing import Any

from synctui.sandbox.polytomic_seed import TIME_PARTS

MODES = ("create", "update", "updateOrCreate", "replace", "append", "remove", "snapshot")
MODES_NEEDING_IDENTITY = ("update", "updateOrCreate", "remove")
FREQUENCIES = (
    "manual", "continuous", "hourly", "daily", "weekly",
    "custom", "builder", "runafter", "multi", "dbtcloud",
)  # fmt: skip
IDENTITY_FUNCTIONS = ("Equality", "ISubstring", "OneOf", "DomainMatch", "HostnameMatch")
STRATEGIES = ("priority", "and")
FIELD_TYPES = ("Model", "Target")

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

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_LABEL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOKEN = re.compile(r"\s*(\(|\)|[A-Za-z_][A-Za-z0-9_]*|\S)")


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
    model_filters, target_filters = _filters(payload, errs)
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
            elif not isinstance(cid, str) or not _UUID.fullmatch(cid):
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
                _check_source(item["source"], f"{where}.source", errs)
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


def _check_source(source: Any, where: str, errs: dict[str, str]) -> None:
    if not isinstance(source, dict):
        errs[where] = "must be an object with model_id and field"
        return
    model_id = source.get("model_id")
    if not isinstance(model_id, str) or not _UUID.fullmatch(model_id):
        errs[f"{where}.model_id"] = "must be a UUID"
    if not isinstance(source.get("field"), str) or not source["field"]:
        errs[f"{where}.field"] = "is required"


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
    _check_source(mapping.get("source"), f"{where}.source", errs)
    if not isinstance(mapping.get("target"), str) or not mapping["target"]:
        errs[f"{where}.target"] = "is required"
    if mapping.get("function") not in IDENTITY_FUNCTIONS:
        errs[f"{where}.function"] = f"must be one of {', '.join(IDENTITY_FUNCTIONS)}"


# --- filters ------------------------------------------------------------------------------
Groups = tuple[dict[str, Any] | None, dict[str, Any] | None]


def _filters(p: dict[str, Any], errs: dict[str, str]) -> Groups:
    """(model_filters, target_filters) to store, by the SDK's precedence."""
    target = p.get("target") if isinstance(p.get("target"), dict) else {}
    target_logic = target.get("filter_logic") if isinstance(target, dict) else None
    deprecated = p.get("filters")
    if p.get("model_filters") is not None or p.get("target_filters") is not None:
        before = len(errs)
        model = _group(p.get("model_filters"), "model_filters", "Model", errs)
        targets = _group(p.get("target_filters"), "target_filters", "Target", errs)
        if deprecated is not None and len(errs) == before:
            scratch: dict[str, str] = {}
            old = _from_deprecated(deprecated, p.get("filter_logic"), target_logic, scratch)
            if scratch or not _same(old, (model, targets), p.get("filter_logic"), target_logic):
                errs["filters"] = (
                    "describes different filters than model_filters and target_filters; "
                    "send one form, or both alike"
                )
        return model, targets
    if deprecated is None and p.get("filter_logic") is None and target_logic is None:
        return None, None
    return _from_deprecated(deprecated, p.get("filter_logic"), target_logic, errs)


def _from_deprecated(
    filters: Any, model_logic: Any, target_logic: Any, errs: dict[str, str]
) -> Groups:
    """Deprecated `filters` (+ `filter_logic`, `target.filter_logic`) as the two groups."""
    if filters is None:
        filters = []
    if not isinstance(filters, list) or not all(isinstance(x, dict) for x in filters):
        errs["filters"] = "must be a list of objects"
        return None, None
    model: list[dict[str, Any]] = []
    target: list[dict[str, Any]] = []
    for i, flt in enumerate(filters):
        kind = flt.get("field_type")
        if kind is None:
            kind = "Model" if flt.get("field") is not None else "Target"
        if kind not in FIELD_TYPES:
            errs[f"filters[{i}].field_type"] = f"must be one of {', '.join(FIELD_TYPES)}"
            continue
        condition: dict[str, Any] = {"function": flt.get("function")}
        if kind == "Model":
            if flt.get("field") is None:
                errs[f"filters[{i}].field"] = "is required for a model filter"
                continue
            condition["source"] = flt["field"]
        else:
            if not isinstance(flt.get("field_id"), str) or not flt["field_id"]:
                errs[f"filters[{i}].field_id"] = "is required for a target filter"
                continue
            condition["field"] = flt["field_id"]
            if flt.get("value_field") is not None:
                condition["value_source"] = flt["value_field"]
        if "value" in flt:
            condition["value"] = flt["value"]
        if flt.get("label") is not None:
            condition["label"] = flt["label"]
        (model if kind == "Model" else target).append(condition)
    return (
        _group({"conditions": model, "logic": model_logic}, "filters", "Model", errs),
        _group({"conditions": target, "logic": target_logic}, "filters", "Target", errs),
    )


def _group(group: Any, where: str, kind: str, errs: dict[str, str]) -> dict[str, Any] | None:
    """One filter group checked and labelled as it is stored (None when it has nothing)."""
    if group is None:
        return None
    if not isinstance(group, dict):
        errs[where] = "must be an object with conditions and logic"
        return None
    conditions = group.get("conditions")
    if conditions is None:
        conditions = []
    if not isinstance(conditions, list) or not all(isinstance(c, dict) for c in conditions):
        errs[f"{where}.conditions"] = "must be a list of objects"
        return None
    out = [copy.deepcopy(c) for c in conditions]
    for i, condition in enumerate(out):
        at = f"{where}.conditions[{i}]"
        if not isinstance(condition.get("function"), str) or not condition["function"]:
            errs[f"{at}.function"] = "is required"
        if kind == "Model":
            _check_source(condition.get("source"), f"{at}.source", errs)
        else:
            if not isinstance(condition.get("field"), str) or not condition["field"]:
                errs[f"{at}.field"] = "is required"
            if condition.get("value_source") is not None:
                _check_source(condition["value_source"], f"{at}.value_source", errs)
                if condition.get("value") is not None:
                    errs[at] = "value and value_source are mutually exclusive"
    labels = [c.get("label") for c in out]
    if all(label is None for label in labels):
        for index, condition in enumerate(out):
            condition["label"] = _positional(index)
    elif any(label is None for label in labels):
        errs[f"{where}.conditions"] = "label every condition or none of them"
    else:
        bad = [x for x in labels if not isinstance(x, str) or not _LABEL.fullmatch(x)]
        if bad:
            errs[f"{where}.conditions"] = f"{bad[0]!r} is not a label"
        elif len(set(labels)) != len(labels):
            errs[f"{where}.conditions"] = "labels must differ"
    logic = group.get("logic")
    if logic is not None and not isinstance(logic, str):
        errs[f"{where}.logic"] = "must be a string"
    elif logic and f"{where}.conditions" not in errs:
        problem = _logic_problem(logic, [c["label"] for c in out])
        if problem:
            errs[f"{where}.logic"] = problem
    if not out and not logic:
        return None
    return {**copy.deepcopy(group), "conditions": out, "logic": logic or None}


def _positional(index: int) -> str:
    """A, B, … Z, AA, AB, …: how an unlabelled group is labelled."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def _logic_problem(logic: str, labels: list[str]) -> str | None:
    """Why `logic` is not an expression over exactly these labels (None when it is).

    'and', 'or' (any case) and parentheses; every label named at least once, nothing else."""
    tokens = _TOKEN.findall(logic)
    named: set[str] = set()
    position = 0

    def term() -> str | None:
        nonlocal position
        if position >= len(tokens):
            return "ends too early"
        token = tokens[position]
        position += 1
        if token == "(":
            inner = expression()
            if inner:
                return inner
            if position >= len(tokens) or tokens[position] != ")":
                return "has an unclosed parenthesis"
            position += 1
            return None
        if token.lower() in ("and", "or") or not _LABEL.fullmatch(token):
            return f"has {token!r} where a label belongs"
        if token not in labels:
            return f"names {token!r}, which no condition has as its label"
        named.add(token)
        return None

    def expression() -> str | None:
        nonlocal position
        problem = term()
        while (
            problem is None
            and position < len(tokens)
            and tokens[position].lower()
            in (
                "and",
                "or",
            )
        ):
            position += 1
            problem = term()
        return problem

    problem = expression()
    if problem is None and position < len(tokens):
        problem = f"has {tokens[position]!r} where an operator belongs"
    if problem is None and set(labels) - named:
        missing = ", ".join(sorted(set(labels) - named))
        problem = f"leaves out {missing}: the expression has to name every condition"
    return problem


def _same(old: Groups, new: Groups, model_logic: Any, target_logic: Any) -> bool:
    """Do both forms describe the same filters? The logic counts only where the deprecated
    form states one."""
    for before, after, logic in ((old[0], new[0], model_logic), (old[1], new[1], target_logic)):
        if _conditions(before) != _conditions(after):
            return False
        if logic is not None and (logic or None) != (after or {}).get("logic"):
            return False
    return True


def _conditions(group: dict[str, Any] | None) -> list[dict[str, Any]]:
    keys = ("function", "source", "field", "value", "value_source", "label")
    return [{k: c.get(k) for k in keys} for c in (group or {}).get("conditions") or []]


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


def deprecated_filters(
    model: dict[str, Any] | None, target: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Both groups in the deprecated shape, told apart by `field_type`."""
    out: list[dict[str, Any]] = []
    for condition in (model or {}).get("conditions") or []:
        item = {"field": copy.deepcopy(condition["source"]), "field_type": "Model"}
        item.update(_shared_parts(condition))
        out.append(item)
    for condition in (target or {}).get("conditions") or []:
        item = {"field_id": condition["field"], "field_type": "Target"}
        item.update(_shared_parts(condition))
        if condition.get("value_source") is not None:
            item["value_field"] = copy.deepcopy(condition["value_source"])
        out.append(item)
    return out


def _shared_parts(condition: dict[str, Any]) -> dict[str, Any]:
    parts = {"function": condition["function"], "label": condition.get("label")}
    if "value" in condition:
        parts["value"] = copy.deepcopy(condition["value"])
    return parts


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
