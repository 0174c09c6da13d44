"""Checks that run on an edited document before anything is sent to a vendor.

A vendor's 400/422 arrives late, after a network round trip, and often says little
("Bad Request"). These validators catch the mistakes we can know about locally and say what is
wrong in a sentence that names the field, e.g. ``referencePoint must be one of internalOrigin,
projectBasePoint, surveyPoint``.

Rules shared by every validator:

* They never raise, whatever JSON they are given, and always return a list (empty = fine).
* Keys we do not model are never an issue (except for Paragon, whose PATCH accepts exactly two
  keys): vendors add fields, and a full-replacement write must carry them back untouched.
* They refuse only what the vendor documents (a required field, a type, an enum, a format),
  each with its source named next to it; anything else is sent, and the vendor's answer shown.
  So no "must not be empty", "at least one row", "no duplicate targets" or "this cron never
  fires": a vendor may accept those, and it is the vendor's to refuse. The README's "What
  synctui refuses locally" lists every rule here.
* Whether an ID exists is for the vendor to say.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from synctui.domain.cron import CronError, parse_cron
from synctui.domain.diff import PathPart, format_path
from synctui.domain.merge_patch import json_type_name

__all__ = [
    "PARAGON_FREQUENCIES",
    "POLYTOMIC_FREQUENCIES",
    "POLYTOMIC_IDENTITY_FUNCTIONS",
    "POLYTOMIC_MODES",
    "SIGNALSMITH_STATUSES",
    "SIGNALSMITH_SYNC_MODES",
    "SPECKLE_REFERENCE_POINTS",
    "ValidationIssue",
    "is_uuid",
    "validate_paragon_patch",
    "validate_polytomic_sync",
    "validate_signalsmith_sync",
    "validate_speckle_context",
]

# Tuples, not sets: the order is the one users see in messages and pickers.
SPECKLE_REFERENCE_POINTS = ("internalOrigin", "projectBasePoint", "surveyPoint")
POLYTOMIC_MODES = (
    "create",
    "update",
    "updateOrCreate",
    "replace",
    "append",
    "remove",
    "snapshot",
)
POLYTOMIC_FREQUENCIES = (
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
POLYTOMIC_IDENTITY_FUNCTIONS = ("Equality", "ISubstring", "OneOf", "DomainMatch", "HostnameMatch")
# The Syncs API reference lists four modes; the product overview also names `append`.
SIGNALSMITH_SYNC_MODES = ("upsert", "insert", "update", "mirror", "append")
SIGNALSMITH_STATUSES = ("draft", "active", "paused", "error")
PARAGON_FREQUENCIES = ("1m", "5m", "10m", "30m", "1h", "3h", "6h", "24h")

_PARAGON_KEYS = ("credentialId", "incrementalAccumulatorFrequency")
_SIGNALSMITH_REQUIRED_ON_CREATE = (
    "name",
    "model_id",
    "destination_id",
    "field_mapping",
    "sync_mode",
    "primary_key",
)

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One problem. ``path`` is dotted (``fields[2].target``; ``""`` = the whole document) so
    the editor can highlight the field; ``message`` is a full sentence that names it too."""

    path: str
    message: str

    def __str__(self) -> str:
        return self.message


def is_uuid(value: object) -> bool:
    """True for a canonical 8-4-4-4-12 hex UUID string (any case).

    Stricter than :class:`uuid.UUID`, which also takes braces, ``urn:`` prefixes and bare hex:
    vendors want the canonical form.
    """
    return isinstance(value, str) and _UUID.match(value) is not None


# -- a small accumulator shared by the validators ------------------------------------------


@dataclass
class _Checks:
    issues: list[ValidationIssue] = field(default_factory=list)

    def add(self, path: tuple[PathPart, ...], message: str) -> None:
        self.issues.append(ValidationIssue(_path_str(path), message))

    def obj(
        self, value: object, path: tuple[PathPart, ...], *, nullable: bool = False
    ) -> TypeGuard[dict[str, Any]]:
        """Record an issue unless ``value`` is an object; True if it is one."""
        if isinstance(value, dict):
            return True
        if not (nullable and value is None):
            self.add(path, f"{_name(path)} must be a JSON object")
        return False

    def required(self, doc: Mapping[str, Any], key: str, path: tuple[PathPart, ...]) -> bool:
        """Record an issue if ``key`` is missing; True if it is present."""
        if key in doc:
            return True
        self.add((*path, key), f"{_name((*path, key))} is required")
        return False

    def text(self, value: Any, path: tuple[PathPart, ...]) -> bool:
        """A documented string: its type is checked, never whether it is empty."""
        if isinstance(value, str):
            return True
        self.add(path, f"{_name(path)} must be a string")
        return False

    def enum(self, value: Any, path: tuple[PathPart, ...], allowed: Collection[str]) -> None:
        if not (isinstance(value, str) and value in allowed):
            self.add(path, f"{_name(path)} must be one of {', '.join(allowed)}")

    def uuid(self, value: Any, path: tuple[PathPart, ...]) -> None:
        if not is_uuid(value):
            self.add(
                path, f"{_name(path)} must be a UUID such as 123e4567-e89b-12d3-a456-426614174000"
            )

    def boolean(self, value: Any, path: tuple[PathPart, ...]) -> None:
        if not isinstance(value, bool):
            self.add(path, f"{_name(path)} must be true or false")


def _path_str(path: tuple[PathPart, ...]) -> str:
    return format_path(path) if path else ""


def _name(path: tuple[PathPart, ...]) -> str:
    return format_path(path) if path else "the document"


# -- Speckle -------------------------------------------------------------------------------


def validate_speckle_context(ctx: object) -> list[ValidationIssue]:
    """Check a Speckle sync ``context`` before ``syncMutations.update``.

    Only the two documented keys are checked; every other key is integration-specific and must
    pass through untouched. Source: ``vendor-docs/speckle-update-sync.txt`` ("Context shape and
    enums": ``referencePoint`` one of three values; ``viewName`` a view name, or null to clear).
    """
    checks = _Checks()
    if not isinstance(ctx, dict):
        checks.add((), "context must be a JSON object")
        return checks.issues
    if "referencePoint" in ctx:
        checks.enum(ctx["referencePoint"], ("referencePoint",), SPECKLE_REFERENCE_POINTS)
    if "viewName" in ctx and not (ctx["viewName"] is None or isinstance(ctx["viewName"], str)):
        checks.add(("viewName",), "viewName must be a view name, or null to clear it")
    return checks.issues


# -- Polytomic -----------------------------------------------------------------------------


def validate_polytomic_sync(doc: object) -> list[ValidationIssue]:
    """Check a whole Polytomic sync before ``PUT /api/syncs/{id}`` (or a create).

    A Polytomic update is a full replacement, so the required fields must all be present every
    time, not only the ones the user touched. Sources: ``vendor-docs/polytomic-update-sync.txt``
    (required ``fields, mode, name, schedule, target``; ``active`` boolean) and the SDK's models
    as ``vendor-contracts.md`` records them (the modes, schedule frequencies and identity
    functions; ``target.connection_id`` and ``fields[].target`` required; schedule time parts
    are strings).
    """
    checks = _Checks()
    if not checks.obj(doc, ()):
        return checks.issues
    if checks.required(doc, "name", ()):
        checks.text(doc["name"], ("name",))
    if checks.required(doc, "mode", ()):
        checks.enum(doc["mode"], ("mode",), POLYTOMIC_MODES)
    if "active" in doc:
        checks.boolean(doc["active"], ("active",))
    if checks.required(doc, "schedule", ()):
        _polytomic_schedule(checks, doc["schedule"])
    if checks.required(doc, "target", ()):
        _polytomic_target(checks, doc["target"])
    if checks.required(doc, "fields", ()):
        _polytomic_fields(checks, doc["fields"])
    if "identity" in doc and checks.obj(doc["identity"], ("identity",), nullable=True):
        identity = doc["identity"]
        if "function" in identity:
            checks.enum(
                identity["function"], ("identity", "function"), POLYTOMIC_IDENTITY_FUNCTIONS
            )
        _polytomic_source(checks, identity, ("identity",))
    return checks.issues


def _polytomic_fields(checks: _Checks, fields: Any) -> None:
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
        _polytomic_source(checks, row, (*path, index))


def _polytomic_target(checks: _Checks, target: Any) -> None:
    """``target`` is an open object; only the connection it writes to is required."""
    path: tuple[PathPart, ...] = ("target",)
    if checks.obj(target, path) and checks.required(target, "connection_id", path):
        checks.text(target["connection_id"], (*path, "connection_id"))


def _polytomic_source(checks: _Checks, holder: dict[str, Any], path: tuple[PathPart, ...]) -> None:
    """``source`` (optional, may be null) is an object ``{model_id, field}``."""
    if "source" in holder:
        checks.obj(holder.get("source"), (*path, "source"), nullable=True)


_TIME_PARTS = ("hour", "minute", "day_of_week", "day_of_month", "month")


def _polytomic_schedule(checks: _Checks, schedule: Any) -> None:
    """``{frequency, hour?, minute?, day_of_week?, day_of_month?, month?}``: the frequency one
    of the documented values, the time parts strings. Which strings a frequency takes (a
    ``custom`` schedule's ``*/30``, say) is Polytomic's to judge."""
    path: tuple[PathPart, ...] = ("schedule",)
    if not checks.obj(schedule, path):
        return
    if checks.required(schedule, "frequency", path):
        checks.enum(schedule["frequency"], (*path, "frequency"), POLYTOMIC_FREQUENCIES)
    for part in _TIME_PARTS:
        value = schedule.get(part)
        if value is None or isinstance(value, str):
            continue  # absent, or sent back empty for a frequency that does not use it
        part_path = (*path, part)
        checks.add(
            part_path, f'{_name(part_path)} must be text such as "9", not {json_type_name(value)}'
        )


# -- Signalsmith ---------------------------------------------------------------------------


def validate_signalsmith_sync(doc: object, *, creating: bool) -> list[ValidationIssue]:
    """Check a Signalsmith sync body for ``POST`` (``creating=True``) or ``PUT``.

    Signalsmith's update takes only the fields to change, so on update nothing is required and
    only the fields present are checked. Source: ``vendor-docs/signalsmith-syncs-api.txt``
    (Create Sync's required fields and types, the sync modes — plus ``append``, named by the
    product overview — the Sync Object's statuses, a field mapping's required
    ``source_column``/``destination_field``, the schedule as a cron expression).
    """
    checks = _Checks()
    if not checks.obj(doc, ()):
        return checks.issues
    if creating:
        for key in _SIGNALSMITH_REQUIRED_ON_CREATE:
            checks.required(doc, key, ())
    for key in ("name", "primary_key"):
        if key in doc:
            checks.text(doc[key], (key,))
    for key in ("model_id", "destination_id"):
        if key in doc:
            checks.uuid(doc[key], (key,))
    if "sync_mode" in doc:
        checks.enum(doc["sync_mode"], ("sync_mode",), SIGNALSMITH_SYNC_MODES)
    if "status" in doc:
        checks.enum(doc["status"], ("status",), SIGNALSMITH_STATUSES)
    if "description" in doc and not isinstance(doc["description"], str | None):
        checks.add(("description",), "description must be text")
    if "config" in doc:
        checks.obj(doc["config"], ("config",), nullable=True)
    if "field_mapping" in doc:
        _signalsmith_field_mapping(checks, doc["field_mapping"])
    if "schedule" in doc:
        _signalsmith_schedule(checks, doc["schedule"])
    return checks.issues


def _signalsmith_field_mapping(checks: _Checks, rows: Any) -> None:
    """An array of ``{source_column, destination_field, type_cast?}``. How many rows, and
    whether two write the same field, is Signalsmith's to judge."""
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
            checks.add((*row_path, "type_cast"), f"{_name((*row_path, 'type_cast'))} must be text")


def _signalsmith_schedule(checks: _Checks, schedule: Any) -> None:
    """A cron expression; null or "" means "no schedule" (manual runs only). One that is valid
    but never fires (``0 0 30 2 *``) is the editor's warning to show, not a refusal."""
    if schedule is None or schedule == "":
        return
    if not isinstance(schedule, str):
        checks.add(("schedule",), 'schedule must be a cron expression such as "0 */6 * * *"')
        return
    try:
        parse_cron(schedule)
    except CronError as error:
        checks.add(("schedule",), f"schedule is not a valid cron expression: {error}")


# -- Paragon -------------------------------------------------------------------------------


def validate_paragon_patch(patch: object) -> list[ValidationIssue]:
    """Check a body for Paragon's ``PATCH /api/syncs/{id}``.

    Source: ``vendor-docs/paragon-update-sync.txt``: exactly two updatable keys, at least one
    of them ("the request must contain at least one field to update"), ``credentialId`` "must
    be a valid UUID", ``incrementalAccumulatorFrequency`` one of eight values.
    """
    checks = _Checks()
    if not checks.obj(patch, ()):
        return checks.issues
    for key in patch:
        if key not in _PARAGON_KEYS:
            checks.add(
                (str(key),),
                "Paragon can only change credentialId and incrementalAccumulatorFrequency",
            )
    if not any(key in patch for key in _PARAGON_KEYS):
        checks.add(
            (), "Paragon needs at least one of credentialId or incrementalAccumulatorFrequency"
        )
    if "credentialId" in patch:
        checks.uuid(patch["credentialId"], ("credentialId",))
    if "incrementalAccumulatorFrequency" in patch:
        checks.enum(
            patch["incrementalAccumulatorFrequency"],
            ("incrementalAccumulatorFrequency",),
            PARAGON_FREQUENCIES,
        )
    return checks.issues
