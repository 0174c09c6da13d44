"""Speckle's rules, known without a session: what an edit may touch, the context's enums, the
words for its runs and remedies.

Sources: `vendor-docs/speckle-update-sync.txt` ("Context shape and enums": `referencePoint`
one of three values; `viewName` a view name, or null to clear) and the GraphQL schema's
`syncMutations` (setActive, update with triggerNow, migrateLegacy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synctui.domain.capabilities import Capability
from synctui.domain.merge_patch import json_equal
from synctui.vendors.rules import BROWSE_EDIT, RUNS, BatchField, VendorRules

if TYPE_CHECKING:
    from synctui.domain.models import Sync
    from synctui.domain.validation import ValidationIssue

# Tuples, not sets: the order is the one users see in messages and pickers.
REFERENCE_POINTS = ("internalOrigin", "projectBasePoint", "surveyPoint")
EDITABLE_KEYS = ("active", "context")
# The context keys the form knows; every other key is shown and sent back untouched.
FORM_KEYS = ("referencePoint", "viewName")


def validate_context(ctx: object) -> list[ValidationIssue]:
    """Check a sync ``context`` before ``syncMutations.update``.

    Only the two documented keys are checked; every other key is integration-specific and must
    pass through untouched.
    """
    from synctui.domain.validation import Checks

    checks = Checks()
    if not isinstance(ctx, dict):
        checks.add((), "context must be a JSON object")
        return checks.issues
    if "referencePoint" in ctx:
        checks.enum(ctx["referencePoint"], ("referencePoint",), REFERENCE_POINTS)
    if "viewName" in ctx and not (ctx["viewName"] is None or isinstance(ctx["viewName"], str)):
        checks.add(("viewName",), "viewName must be a view name, or null to clear it")
    return checks.issues


def edit_issues(before: dict[str, Any], after: Any) -> list[ValidationIssue]:
    """What is wrong with the edited `{active, context}`; values the edit did not touch never
    are (an unknown enum value the vendor already holds is kept)."""
    from synctui.domain.validation import ValidationIssue

    issues: list[ValidationIssue] = []
    if not isinstance(after, dict):
        return [ValidationIssue("", "the edited sync must be a JSON object")]
    for key in after:
        if key not in EDITABLE_KEYS:
            issues.append(
                ValidationIssue(key, f"{key} cannot be edited: only active and context can")
            )
    if not isinstance(after.get("active"), bool):
        issues.append(ValidationIssue("active", "active must be true or false"))
    if "context" not in after:
        issues.append(
            ValidationIssue("context", "context cannot be removed: set single keys to null instead")
        )
        return issues
    context, old = after["context"], before.get("context") or {}
    for issue in validate_context(context):
        key = issue.path.split(".", 1)[0].split("[", 1)[0]
        untouched = (
            key
            and isinstance(context, dict)
            and key in context
            and key in old
            and json_equal(context[key], old[key])
        )
        if not untouched:
            path = f"context.{issue.path}" if issue.path else "context"
            issues.append(ValidationIssue(path, issue.message))
    return issues


class SpeckleRules(VendorRules):
    vendor = "speckle"
    title = "Speckle"
    capabilities = BROWSE_EDIT | RUNS | {Capability.MIGRATE}
    enums = {"context.referencePoint": REFERENCE_POINTS}
    batch_fields = (
        BatchField(("context", "referencePoint"), "Reference point", "choice", REFERENCE_POINTS),
        BatchField(("context", "viewName"), "View name", "text", clearable=True),
    )
    id_hint = "Speckle ids may be PROJECT_ID/SYNC_ID"
    account_fields = frozenset({"projects"})
    run_noun = "ingestion"
    stopped_means = "file changes trigger no ingestion"
    resume_label = "Resume (setActive), then trigger a run"
    resume_note = "setActive, then update with triggerNow"
    trigger_label = "Trigger a new ingestion"

    def check_edit(self, before: dict[str, Any], after: Any) -> list[ValidationIssue]:
        return edit_issues(before, after)

    def state_word(self, sync: Sync) -> str | None:
        return "paused (active: false)"

    def describe_step(self, sync: Sync, step: str, short_id: str, workspace: str | None) -> str:
        project, _, ident = sync.id.partition("/")
        target = f"projectId {project}, id {ident}"
        return {
            "resume": f"syncMutations.setActive({target}, active: true)",
            "pause": f"syncMutations.setActive({target}, active: false)",
            "trigger": f"syncMutations.update({target}, context unchanged, triggerNow: true)",
            "migrate": f"syncMutations.migrateLegacy({target})",
        }.get(step, "")


RULES = SpeckleRules()
