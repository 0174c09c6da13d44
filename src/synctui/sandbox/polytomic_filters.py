"""The Polytomic simulator's filters: the live `model_filters`/`target_filters` groups, the
deprecated `filters` list, and how one is derived from the other.

Source: the vendor's SDK `polytomic` (25.9.x) — `types/model_filters.py`,
`types/target_filters.py`, `types/filter.py` and `model_sync/raw_client.py` (`filters` "is
ignored when either of those is present, except that a request carrying both shapes is
rejected if they describe different filters"). The guesses are listed in `polytomic_body`.
`check_source` (a `{model_id, field}` reference) is shared with the field mappings.
"""

from __future__ import annotations

import copy
import re
from typing import Any

FIELD_TYPES = ("Model", "Target")
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_LABEL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOKEN = re.compile(r"\s*(\(|\)|[A-Za-z_][A-Za-z0-9_]*|\S)")


def check_source(source: Any, where: str, errs: dict[str, str]) -> None:
    if not isinstance(source, dict):
        errs[where] = "must be an object with model_id and field"
        return
    model_id = source.get("model_id")
    if not isinstance(model_id, str) or not UUID.fullmatch(model_id):
        errs[f"{where}.model_id"] = "must be a UUID"
    if not isinstance(source.get("field"), str) or not source["field"]:
        errs[f"{where}.field"] = "is required"


Groups = tuple[dict[str, Any] | None, dict[str, Any] | None]


def stored_filters(p: dict[str, Any], errs: dict[str, str]) -> Groups:
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
            check_source(condition.get("source"), f"{at}.source", errs)
        else:
            if not isinstance(condition.get("field"), str) or not condition["field"]:
                errs[f"{at}.field"] = "is required"
            if condition.get("value_source") is not None:
                check_source(condition["value_source"], f"{at}.value_source", errs)
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
