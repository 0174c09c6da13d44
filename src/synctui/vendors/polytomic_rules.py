"""Polytomic's rules, known without a session: what a sync must hold, its enums, the words for
its executions and remedies.

Sources: `vendor-docs/polytomic-update-sync.txt` (required `fields, mode, name, schedule,
target`; `active` boolean) and the SDK's models as `vendor-contracts.md` records them (the
modes, schedule frequencies and identity functions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synctui.domain.capabilities import Capability
from synctui.domain.merge_patch import json_type_name
from synctui.vendors.rules import BROWSE_EDIT, RUNS, BatchField, VendorRules

if TYPE_CHECKING:
    from synctui.domain.diff import PathPart
    from synctui.domain.models import Sync
    from synctui.domain.validation import Checks, ValidationIssue

# Tuples, not sets: the order is the one users see in messages and pickers.
MODES = (
    "create",
    "update",
    "updateOrCreate",
    "replace",
    "append",
    "remove",
    "snapshot",
)
FREQUENCIES = (
    "manual",
    "continuous",
    "hourly",
    "daily",
    "weekly",
    "custom",
    "builder",
    "runafter",
    "multi",
    "dbtcloud",
)
IDENTITY_FUNCTIONS = ("Equality", "ISubstring", "OneOf", "DomainMatch", "HostnameMatch")


def validate_sync(doc: object) -> list[ValidationIssue]:
    """Check a whole sync before ``PUT /api/syncs/{id}`` (or a create).

    A Polytomic update is a full replacement, so the required fields must all be present every
    time, not only the ones the user touched. Sources: ``vendor-docs/polytomic-update-sync.txt``
    (required ``fields, mode, name, schedule, target``; ``active`` boolean) and the SDK's models
    as ``vendor-contracts.md`` records them (the modes, schedule frequencies and identity
    functions; ``target.connection_id`` and ``fields[].target`` required; schedule time parts
    are strings).
    """
    from synctui.domain.validation import Checks

    checks = Checks()
    if not checks.obj(doc, ()):
        return checks.issues
    if checks.required(doc, "name", ()):
        checks.text(doc["name"], ("name",))
    if checks.required(doc, "mode", ()):
        checks.enum(doc["mode"], ("mode",), MODES)
    if "active" in doc:
        checks.boolean(doc["active"], ("active",))
    if checks.required(doc, "schedule", ()):
        _schedule(checks, doc["schedule"])
    if checks.required(doc, "target", ()):
        _target(checks, doc["target"])
    if checks.required(doc, "fields", ()):
        _fields(checks, doc["fields"])
    if "identity" in doc and checks.obj(doc["identity"], ("identity",), nullable=True):
        identity = doc["identity"]
        if "function" in identity:
            checks.enum(identity["function"], ("identity", "function"), IDENTITY_FUNCTIONS)
        _source(checks, identity, ("identity",))
    return checks.issues


def _fields(checks: Checks, fields: Any) -> None:
    """A list of mappings, each naming its ``target``. How many, and whether two share a
    target, is Polytomic's to judge."""
    path: tuple[PathPart, ...] = ("fields",)
    if not isinstance(fields, list):
        checks.add(path, "fields must be a list of field mappings")
        return
    for index, row in enumerate(fields):
        if not checks.obj(row, (*path, index)):
            continue
        if checks.required(row, "target", (*path, index)):
            checks.text(row["target"], (*path, index, "target"))
        _source(checks, row, (*path, index))


def _target(checks: Checks, target: Any) -> None:
    """``target`` is an open object; only the connection it writes to is required."""
    path: tuple[PathPart, ...] = ("target",)
    if checks.obj(target, path) and checks.required(target, "connection_id", path):
        checks.text(target["connection_id"], (*path, "connection_id"))


def _source(checks: Checks, holder: dict[str, Any], path: tuple[PathPart, ...]) -> None:
    """``source`` (optional, may be null) is an object ``{model_id, field}``."""
    if "source" in holder:
        checks.obj(holder.get("source"), (*path, "source"), nullable=True)


_TIME_PARTS = ("hour", "minute", "day_of_week", "day_of_month", "month")


def _schedule(checks: Checks, schedule: Any) -> None:
    """``{frequency, hour?, minute?, day_of_week?, day_of_month?, month?}``: the frequency one
    of the documented values, the time parts strings. Which strings a frequency takes (a
    ``custom`` schedule's ``*/30``, say) is Polytomic's to judge."""
    from synctui.domain.validation import field_name

    path: tuple[PathPart, ...] = ("schedule",)
    if not checks.obj(schedule, path):
        return
    if checks.required(schedule, "frequency", path):
        checks.enum(schedule["frequency"], (*path, "frequency"), FREQUENCIES)
    for part in _TIME_PARTS:
        value = schedule.get(part)
        if value is None or isinstance(value, str):
            continue  # absent, or sent back empty for a frequency that does not use it
        part_path = (*path, part)
        checks.add(
            part_path,
            f'{field_name(part_path)} must be text such as "9", not {json_type_name(value)}',
        )


def new_issues(before: dict[str, Any], after: Any) -> list[ValidationIssue]:
    """What the validator finds in the edited sync that it did not find in the loaded one.

    The vendor accepts values our validator does not understand (a `custom` schedule's cron
    parts like "*/30", for instance); an edit that leaves them alone must not be refused.
    """
    already = {(i.path, i.message) for i in validate_sync(before)}
    return [i for i in validate_sync(after) if (i.path, i.message) not in already]


class PolytomicRules(VendorRules):
    vendor = "polytomic"
    title = "Polytomic"
    capabilities = BROWSE_EDIT | RUNS | {Capability.CREATE}
    enums = {
        "mode": MODES,
        "schedule.frequency": FREQUENCIES,
        "identity.function": IDENTITY_FUNCTIONS,
    }
    batch_fields = (
        BatchField(("mode",), "Mode", "choice", MODES),
        BatchField(("schedule", "frequency"), "Frequency", "choice", FREQUENCIES),
    )
    account_fields = frozenset({"api_version", "auth"})
    api_version_header = "X-Polytomic-Version"
    run_noun = "execution"
    stopped_means = "no executions run"
    paused_means_disabled = True
    resume_label = "Activate, then start an execution"
    trigger_label = "Start a new execution"

    def check_edit(self, before: dict[str, Any], after: Any) -> list[ValidationIssue]:
        return new_issues(before, after)

    def create_issues(self, body: Any) -> list[ValidationIssue]:
        return validate_sync(body)

    def state_word(self, sync: Sync) -> str | None:
        return "active" if sync.raw.get("active") is True else "inactive (active: false)"

    def blocked(self, sync: Sync) -> bool:
        """Polytomic's `problems` stop the sync from running until they are corrected."""
        return bool(sync.raw.get("problems"))

    def describe_step(self, sync: Sync, step: str, short_id: str, workspace: str | None) -> str:
        return {
            "resume": f'POST /api/syncs/{short_id}/activate {{"active": true}}',
            "pause": f'POST /api/syncs/{short_id}/activate {{"active": false}}',
            "trigger": f"POST /api/syncs/{short_id}/executions (start an execution)",
        }.get(step, "")


RULES = PolytomicRules()
