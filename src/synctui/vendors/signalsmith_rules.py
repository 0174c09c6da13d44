"""Signalsmith's rules, known without a session: what a sync body must hold, what it sends that
the vendor does not document, the words for its runs and remedies.

Sources: `vendor-docs/signalsmith-syncs-api.txt` (Create Sync's required fields and types, the
sync modes — plus `append`, named by the product overview — the Sync Object's statuses and
fields, a field mapping's `source_column`/`destination_field`/`type_cast`, the schedule as a
cron expression).

Edits that reach beyond what the vendor documents are said out loud and refused only where
asked. The documentation says an update takes "the same fields as create", but not what it
does with a field it does not know: `{"nonsense": 1}` is not refused (refusing it would be a
rule we made up); the save preview and the CLI say that the field is not in the documented
model, and Signalsmith decides. It describes `type_cast` as "Type conversion to apply" and
shows one value, `number`; it publishes no list. A cast that is neither documented nor
already in use by the syncs synctui has loaded (the vendor's own answers, which show what it
accepts) is most likely a slip — `Email` typed one cell too far right. The editor refuses
such a cast (`type_cast_issues`); elsewhere it is a note.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from synctui.domain.capabilities import Capability
from synctui.vendors.rules import BROWSE_EDIT, RUNS, BatchField, VendorRules, changed_keys

if TYPE_CHECKING:
    from synctui.domain.diff import PathPart
    from synctui.domain.models import Sync
    from synctui.domain.validation import Checks, ValidationIssue

# The Syncs API reference lists four modes; the product overview also names `append`.
SYNC_MODES = ("upsert", "insert", "update", "mirror", "append")
STATUSES = ("draft", "active", "paused", "error")
REQUIRED_ON_CREATE = (
    "name",
    "model_id",
    "destination_id",
    "field_mapping",
    "sync_mode",
    "primary_key",
)


def validate_sync(doc: object, *, creating: bool) -> list[ValidationIssue]:
    """Check a sync body for ``POST`` (``creating=True``) or ``PUT``.

    Signalsmith's update takes only the fields to change, so on update nothing is required and
    only the fields present are checked. Source: ``vendor-docs/signalsmith-syncs-api.txt``
    (Create Sync's required fields and types, the sync modes — plus ``append``, named by the
    product overview — the Sync Object's statuses, a field mapping's required
    ``source_column``/``destination_field``, the schedule as a cron expression).
    """
    from synctui.domain.validation import Checks

    checks = Checks()
    if not checks.obj(doc, ()):
        return checks.issues
    if creating:
        for key in REQUIRED_ON_CREATE:
            checks.required(doc, key, ())
    for key in ("name", "primary_key"):
        if key in doc:
            checks.text(doc[key], (key,))
    for key in ("model_id", "destination_id"):
        if key in doc:
            checks.uuid(doc[key], (key,))
    if "sync_mode" in doc:
        checks.enum(doc["sync_mode"], ("sync_mode",), SYNC_MODES)
    if "status" in doc:
        checks.enum(doc["status"], ("status",), STATUSES)
    if "description" in doc and not isinstance(doc["description"], str | None):
        checks.add(("description",), "description must be text")
    if "config" in doc:
        checks.obj(doc["config"], ("config",), nullable=True)
    if "field_mapping" in doc:
        _field_mapping(checks, doc["field_mapping"])
    if "schedule" in doc:
        _schedule(checks, doc["schedule"])
    return checks.issues


def _field_mapping(checks: Checks, rows: Any) -> None:
    """An array of ``{source_column, destination_field, type_cast?}``. How many rows, and
    whether two write the same field, is Signalsmith's to judge."""
    from synctui.domain.validation import field_name

    path: tuple[PathPart, ...] = ("field_mapping",)
    if not isinstance(rows, list):
        checks.add(path, "field_mapping must be a list of column-to-field mappings")
        return
    for index, row in enumerate(rows):
        row_path = (*path, index)
        if not checks.obj(row, row_path):
            continue
        for key in ("source_column", "destination_field"):
            if checks.required(row, key, row_path):
                checks.text(row[key], (*row_path, key))
        if "type_cast" in row and not isinstance(row["type_cast"], str | None):
            checks.add(
                (*row_path, "type_cast"), f"{field_name((*row_path, 'type_cast'))} must be text"
            )


def _schedule(checks: Checks, schedule: Any) -> None:
    """A cron expression; null or "" means "no schedule" (manual runs only). One that is valid
    but never fires (``0 0 30 2 *``) is the editor's warning to show, not a refusal."""
    from synctui.domain.cron import CronError, parse_cron

    if schedule is None or schedule == "":
        return
    if not isinstance(schedule, str):
        checks.add(("schedule",), 'schedule must be a cron expression such as "0 */6 * * *"')
        return
    try:
        parse_cron(schedule)
    except CronError as error:
        checks.add(("schedule",), f"schedule is not a valid cron expression: {error}")


# Set by the server: accepted in a PUT body by the vendor but never applied, so an edit to
# one of them would silently do nothing. They are left out of the editable document.
SERVER_OWNED = frozenset(
    {
        "id",
        "workspace_id",
        "status_error",
        "created_by",
        "created_at",
        "updated_at",
        "last_synced_at",
        "last_run_id",
    }
)
EDITABLE_KEYS = (
    "name",
    "description",
    "model_id",
    "destination_id",
    "field_mapping",
    "sync_mode",
    "schedule",
    "config",
    "primary_key",
    "status",
)
# The Sync object and the create/update request body, as documented: every field is either
# set by the server or editable.
FIELDS = SERVER_OWNED | frozenset(EDITABLE_KEYS)
TYPE_CASTS: tuple[str, ...] = ("number",)


def casts_in(doc: object) -> set[str]:
    """Every `type_cast` in a sync's field mapping."""
    rows = doc.get("field_mapping") if isinstance(doc, dict) else None
    if not isinstance(rows, list):
        return set()
    return {
        row["type_cast"]
        for row in rows
        if isinstance(row, dict) and isinstance(row.get("type_cast"), str) and row["type_cast"]
    }


def type_cast_issues(
    before: object, after: object, accepted: Iterable[str] = ()
) -> list[ValidationIssue]:
    """A cast in `after` that is not documented, not already in `before` and not among
    `accepted` (casts the vendor's other syncs use): the mapping editor refuses it."""
    from synctui.domain.validation import ValidationIssue

    known = set(TYPE_CASTS) | casts_in(before) | set(accepted)
    rows = after.get("field_mapping") if isinstance(after, dict) else None
    issues: list[ValidationIssue] = []
    if not isinstance(rows, list):
        return issues
    for index, row in enumerate(rows):
        cast = row.get("type_cast") if isinstance(row, dict) else None
        if isinstance(cast, str) and cast and cast not in known:
            others = sorted(known - set(TYPE_CASTS))
            seen = f"; in use on these syncs: {', '.join(others)}" if others else ""
            issues.append(
                ValidationIssue(
                    f"field_mapping[{index}].type_cast",
                    f"type cast {cast!r} is not one Signalsmith documents "
                    f"({', '.join(TYPE_CASTS)}){seen}",
                )
            )
    return issues


def notes(before: object, after: object) -> list[str]:
    """Sentences for a save preview: what this edit sends that the vendor does not document."""
    if not isinstance(after, dict):
        return []
    old = before if isinstance(before, dict) else {}
    found: list[str] = []
    for key in after:
        if key not in FIELDS and (key not in old or old[key] != after[key]):
            found.append(
                f"{key!r} is not a field of Signalsmith's documented sync model: "
                "Signalsmith may ignore it or refuse it"
            )
    for cast in sorted(casts_in(after) - casts_in(old)):
        if cast not in TYPE_CASTS:
            found.append(
                f"type cast {cast!r} is not one Signalsmith documents ({', '.join(TYPE_CASTS)})"
            )
    return found


class SignalsmithRules(VendorRules):
    vendor = "signalsmith"
    title = "Signalsmith"
    capabilities = BROWSE_EDIT | RUNS | {Capability.CREATE}
    enums = {"sync_mode": SYNC_MODES, "status": STATUSES}
    batch_fields = (
        BatchField(("sync_mode",), "Sync mode", "choice", SYNC_MODES),
        BatchField(("schedule",), "Schedule (cron)", "text"),
    )
    documented_type_casts = TYPE_CASTS
    account_fields = frozenset({"workspace"})
    stopped_means = "scheduled runs are skipped"
    resume_clears_error = True
    resume_label = "Set status active, then trigger a run"

    def check_edit(self, before: dict[str, Any], after: Any) -> list[ValidationIssue]:
        """Signalsmith's update takes only the fields to change: those are checked."""
        if not isinstance(after, dict):
            return validate_sync(after, creating=False)
        return validate_sync({k: after[k] for k in changed_keys(before, after)}, creating=False)

    def cast_issues(
        self, before: dict[str, Any], after: dict[str, Any], accepted: Iterable[str]
    ) -> list[ValidationIssue]:
        if "field_mapping" not in changed_keys(before, after):
            return []
        return type_cast_issues(before, after, accepted)

    def create_issues(self, body: Any) -> list[ValidationIssue]:
        return validate_sync(body, creating=True)

    def undocumented_notes(self, before: Any, after: Any) -> list[str]:
        return notes(before, after)

    def type_casts(self, doc: Any) -> set[str]:
        return casts_in(doc)

    def state_word(self, sync: Sync) -> str | None:
        status = sync.raw.get("status")
        return f"status {status}" if isinstance(status, str) else None

    def describe_step(self, sync: Sync, step: str, short_id: str, workspace: str | None) -> str:
        base = f"/api/v1/workspaces/{workspace or '…'}/syncs/{short_id}"
        return {
            "resume": f'PUT {base} {{"status": "active"}}',
            "pause": f'PUT {base} {{"status": "paused"}}',
            "trigger": f"POST {base}/trigger",
        }.get(step, "")


RULES = SignalsmithRules()
