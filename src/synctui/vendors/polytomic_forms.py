"""What a Polytomic full-replacement PUT sends, when two settings exist in two forms.

Source: the vendor's SDK `polytomic` (25.9.x), `model_sync/raw_client.py` `update`:

- `identities` `{strategy, mappings[]}` — "When this is omitted, 'identity' is used instead;
  updating a sync with more than one mapping requires this property". `identity` is
  "Deprecated ... Reports and accepts the first identity mapping only".
- `model_filters` / `target_filters` `{conditions[], logic}` — the deprecated `filters` is
  "Ignored when either of those is present, except that a request carrying both shapes is
  rejected if they describe different filters"; `filter_logic` "Combines the model filters in
  'filters' only"; `target.filter_logic` is deprecated for `target_filters.logic`
  (`types/model_sync_v5target.py`).

So where the vendor reports the live form, the deprecated one is not part of what is edited
or sent (`without_derived`): Polytomic derives it, and a stale copy next to an edited live
form would be ignored (identity) or refused (filters). A patch may still name a deprecated
field (`syncs update --patch '{"identity": ...}'`): `live_document` carries that edit into the
live form — an `identity` edit becomes `identities`, a `filters` / `filter_logic` edit becomes
`model_filters` / `target_filters` (told apart by `field_type`) — or refuses it before anything
is sent when the live form cannot hold it (an `identity` edit on a sync with several
mappings, a filter whose kind is not said, both forms changed differently).

Response-only fields (`problems` among them: "ignored on input") are never part of it either,
and `same_document` says whether a sync read back after a lost answer holds what was sent.
"""

from __future__ import annotations

import copy
from typing import Any

from synctui.domain.merge_patch import json_equal
from synctui.domain.validation import ValidationIssue

LIVE_FILTERS = ("model_filters", "target_filters")
OLD_FILTERS = ("filters", "filter_logic")

# Response-only fields (in `ModelSyncV5Response`, not among `update`'s parameters): the vendor
# ignores them in a PUT ("`problems` ... is ignored on input"), so they are not part of what a
# user edits, and a patch touching them is refused rather than silently ignored.
READ_ONLY_FIELDS = frozenset({"id", "model_ids", "problems"})
READ_ONLY_PREFIXES = ("created_", "updated_")
# Omitted from a PUT, these fall back to a server-side value rather than to empty.
SERVER_FILLED = frozenset({"organization_id"})


def is_read_only(key: str) -> bool:
    return key in READ_ONLY_FIELDS or key.startswith(READ_ONLY_PREFIXES)


def reported(raw: dict[str, Any]) -> dict[str, Any]:
    """The vendor's JSON without its response-only fields (a deep copy)."""
    return {k: copy.deepcopy(v) for k, v in raw.items() if not is_read_only(k)}


def live_document(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], list[ValidationIssue], list[str]]:
    """`after` (the user's edit of `before`, both forms as the vendor reported them) as it
    must be PUT: edits carried into the live form, the deprecated forms left out. Also the
    issues that refuse it, and notes saying what was left out and why."""
    document = copy.deepcopy(after)
    issues: list[ValidationIssue] = []
    _identities(before, document, issues)
    _filters(before, document, issues)
    notes: list[str] = []
    return without_derived(document, before, notes), issues, notes


def without_derived(
    doc: dict[str, Any], reported: dict[str, Any] | None = None, notes: list[str] | None = None
) -> dict[str, Any]:
    """`doc` without the deprecated forms of the settings whose live form the vendor reports
    (in `reported`, by default `doc` itself); `notes` gets a line naming what was left out."""
    reported = doc if reported is None else reported
    out = dict(doc)
    gone: list[str] = []
    if "identities" in reported and "identity" in out:
        del out["identity"]
        gone.append("identity")
    if any(key in reported for key in LIVE_FILTERS):
        for key in OLD_FILTERS:
            if key in out:
                del out[key]
                gone.append(key)
        target = out.get("target")
        if isinstance(target, dict) and "filter_logic" in target:
            out["target"] = {k: v for k, v in target.items() if k != "filter_logic"}
            gone.append("target.filter_logic")
    if gone and notes is not None:
        notes.append(
            f"{', '.join(gone)} not sent: deprecated, and derived by Polytomic from "
            "identities, model_filters and target_filters"
        )
    return out


# --- identity mappings --------------------------------------------------------------------
def _mappings(identities: Any) -> list[Any]:
    mappings = identities.get("mappings") if isinstance(identities, dict) else None
    return mappings if isinstance(mappings, list) else []


def first_mapping(identities: Any) -> Any:
    """What `identity` reports for these `identities`: the first mapping, or None."""
    mappings = _mappings(identities)
    return copy.deepcopy(mappings[0]) if mappings else None


def _identities(before: dict[str, Any], doc: dict[str, Any], issues: list[ValidationIssue]) -> None:
    if "identities" not in before:
        return  # the vendor reports only one form: there is nothing to reconcile
    old_changed = not json_equal(before.get("identity"), doc.get("identity"))
    new_changed = not json_equal(before.get("identities"), doc.get("identities"))
    if new_changed:
        first = first_mapping(doc.get("identities"))
        if old_changed and not json_equal(doc.get("identity"), first):
            issues.append(
                ValidationIssue(
                    "identity",
                    "identity and identities were both changed and disagree (identity is the "
                    "first of identities.mappings); change identities only",
                )
            )
        return
    if not old_changed:
        return
    live = before.get("identities")
    count = len(_mappings(live))
    if count > 1:
        issues.append(
            ValidationIssue(
                "identity",
                f"this sync has {count} identity mappings and identity holds only the first; "
                "change identities instead",
            )
        )
        return
    identities = copy.deepcopy(live) if isinstance(live, dict) else {}
    identity = doc.get("identity")
    identities["mappings"] = [] if identity is None else [copy.deepcopy(identity)]
    if identities.get("strategy") is None:
        identities["strategy"] = "priority"  # "a single mapping is always 'priority'"
    doc["identities"] = identities


# --- filters ------------------------------------------------------------------------------
Groups = tuple[Any, Any]


def _old_form(doc: dict[str, Any]) -> tuple[Any, Any, Any]:
    target = doc.get("target")
    logic = target.get("filter_logic") if isinstance(target, dict) else None
    return doc.get("filters"), doc.get("filter_logic"), logic


def _filters(before: dict[str, Any], doc: dict[str, Any], issues: list[ValidationIssue]) -> None:
    if not any(key in before for key in LIVE_FILTERS):
        return  # the vendor reports only one form: there is nothing to reconcile
    old_changed = not json_equal(_old_form(before), _old_form(doc))
    new_changed = any(not json_equal(before.get(k), doc.get(k)) for k in LIVE_FILTERS)
    if not old_changed:
        return  # the live form is what is sent, edited or not
    converted = _from_old_form(*_old_form(doc), issues)
    if converted is None:
        return
    if new_changed:
        live = (doc.get("model_filters"), doc.get("target_filters"))
        if not _same(converted, live):
            issues.append(
                ValidationIssue(
                    "filters",
                    "filters and model_filters/target_filters were both changed and "
                    "describe different filters; change one form only",
                )
            )
        return
    for key, group in zip(LIVE_FILTERS, converted, strict=True):
        doc[key] = _merged(before.get(key), group)


def _from_old_form(
    filters: Any, model_logic: Any, target_logic: Any, issues: list[ValidationIssue]
) -> Groups | None:
    """Deprecated filters as (model_filters, target_filters); None (with issues) when one of
    them cannot be said in the live form."""
    if filters is None:
        filters = []
    if not isinstance(filters, list) or not all(isinstance(f, dict) for f in filters):
        issues.append(ValidationIssue("filters", "filters must be a list of objects"))
        return None
    model: list[dict[str, Any]] = []
    target: list[dict[str, Any]] = []
    for index, item in enumerate(filters):
        kind = item.get("field_type")
        if kind is None and item.get("field") is not None:
            kind = "Model"  # a `field` names a model field by model and source name
        if kind not in ("Model", "Target"):
            issues.append(
                ValidationIssue(
                    f"filters[{index}].field_type",
                    f"filters[{index}]: say whether it filters the model (field_type "
                    '"Model") or the destination (field_type "Target")',
                )
            )
            continue
        rest = {
            k: copy.deepcopy(v)
            for k, v in item.items()
            if k not in ("field", "field_id", "field_type", "value_field")
        }
        if kind == "Model":
            if not isinstance(item.get("field"), dict):
                issues.append(
                    ValidationIssue(
                        f"filters[{index}].field",
                        f"filters[{index}]: a model filter needs field {{model_id, field}} "
                        "to be written as model_filters",
                    )
                )
                continue
            model.append({**rest, "source": copy.deepcopy(item["field"])})
        else:
            if not isinstance(item.get("field_id"), str) or not item["field_id"]:
                issues.append(
                    ValidationIssue(
                        f"filters[{index}].field_id",
                        f"filters[{index}]: a destination filter needs its field_id",
                    )
                )
                continue
            condition = {**rest, "field": item["field_id"]}
            if item.get("value_field") is not None:
                condition["value_source"] = copy.deepcopy(item["value_field"])
            target.append(condition)
    if issues:
        return None
    return _group(model, model_logic), _group(target, target_logic)


def _group(conditions: list[dict[str, Any]], logic: Any) -> dict[str, Any] | None:
    if not conditions and not logic:
        return None
    return {"conditions": conditions, "logic": logic}


def _merged(old: Any, new: dict[str, Any] | None) -> Any:
    """The converted group in place of the old one, keeping keys synctui does not know."""
    if new is None:
        return {**old, "conditions": [], "logic": None} if isinstance(old, dict) else None
    return {**old, **new} if isinstance(old, dict) else new


def _same(old: Groups, new: Groups) -> bool:
    """Do the two forms describe the same filters (conditions in order, labels as the vendor
    assigns them, logic)?"""
    return all(_described(a) == _described(b) for a, b in zip(old, new, strict=True))


def _described(group: Any) -> tuple[Any, ...]:
    conditions = group.get("conditions") if isinstance(group, dict) else None
    conditions = conditions if isinstance(conditions, list) else []
    unlabelled = all(not isinstance(c, dict) or c.get("label") is None for c in conditions)
    keys = ("function", "source", "field", "value", "value_source")
    described = []
    for index, condition in enumerate(conditions):
        if not isinstance(condition, dict):
            described.append(repr(condition))
            continue
        label = _positional(index) if unlabelled else condition.get("label")
        described.append(repr([label, *[_canonical(condition.get(k)) for k in keys]]))
    logic = group.get("logic") if isinstance(group, dict) else None
    return (tuple(described), logic or None)


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return sorted((k, _canonical(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def _positional(index: int) -> str:
    """A, B, … Z, AA, …: how Polytomic labels an unlabelled group (`types/model_filters.py`)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


# --- reading a write back -----------------------------------------------------------------
def _derived(sent: dict[str, Any]) -> set[str]:
    """Fields the vendor derives from the other form of a setting that was sent."""
    found: set[str] = set()
    if "identities" in sent:
        found.add("identity")
    if "identity" in sent:
        found.add("identities")
    if any(key in sent for key in LIVE_FILTERS):
        found.update(OLD_FILTERS)
    if any(key in sent for key in OLD_FILTERS):
        found.update(LIVE_FILTERS)
    return found


def same_document(sent: dict[str, Any], now: dict[str, Any]) -> bool:
    """Does the sync as read now hold the document that was PUT?

    Every field sent must be held by what is read (`polytomic_forms.holds`: null and absent
    count as the same, members the vendor adds itself are allowed), and every field left out
    must read back cleared, since a full replacement resets what it omits — except the other
    form of a setting that was sent, which the vendor derives. Read-only fields are the
    server's, not the client's, to compare.
    """
    derived = _derived(sent)
    return all(
        holds(value, now.get(key)) for key, value in sent.items() if not is_read_only(key)
    ) and all(
        cleared(value)
        for key, value in now.items()
        if key not in sent
        and not is_read_only(key)
        and key not in SERVER_FILLED
        and key not in derived
    )


def cleared(value: Any) -> bool:
    """What an omitted field reads back as after a full replacement: null, false, or an
    empty list or object (or one holding only such values)."""
    if value is None or value is False:
        return True
    if isinstance(value, list):
        return not value
    if isinstance(value, dict):
        return all(cleared(v) for v in value.values())
    return False


def holds(sent: Any, now: Any) -> bool:
    """Does `now` (as read) hold what `sent` says? Every member of a sent object is held
    (a sent null by anything cleared), lists item by item; the vendor may add members of its
    own (labels it assigns, forms it derives), never change or drop one that was sent."""
    if sent is None:
        return cleared(now)
    if isinstance(sent, dict):
        if not isinstance(now, dict):
            return False
        return all(holds(v, now.get(k)) for k, v in sent.items())
    if isinstance(sent, list):
        if not isinstance(now, list) or len(sent) != len(now):
            return False
        return all(holds(a, b) for a, b in zip(sent, now, strict=True))
    return json_equal(sent, now)
