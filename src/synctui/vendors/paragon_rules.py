"""Paragon's rules, known without a session: the two keys an update takes, its frequencies, the
delete warning, its way back from an error and its progress summary.

Source: `vendor-docs/paragon-update-sync.txt` and `paragon-syncs-api.txt`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synctui.vendors.rules import BROWSE_EDIT, BatchField, RemedyPlan, VendorRules, changed_keys

if TYPE_CHECKING:
    from synctui.domain.models import Sync
    from synctui.domain.validation import ValidationIssue

FREQUENCIES = ("1m", "5m", "10m", "30m", "1h", "3h", "6h", "24h")
EDITABLE_KEYS = ("credentialId", "incrementalAccumulatorFrequency")
ONLY_TWO = "Paragon can only change credentialId and incrementalAccumulatorFrequency"


def validate_patch(patch: object) -> list[ValidationIssue]:
    """Check a body for ``PATCH /api/syncs/{id}``.

    Source: ``vendor-docs/paragon-update-sync.txt``: exactly two updatable keys, at least one
    of them ("the request must contain at least one field to update"), ``credentialId`` "must
    be a valid UUID", ``incrementalAccumulatorFrequency`` one of eight values.
    """
    from synctui.domain.validation import Checks

    checks = Checks()
    if not checks.obj(patch, ()):
        return checks.issues
    for key in patch:
        if key not in EDITABLE_KEYS:
            checks.add(
                (str(key),),
                ONLY_TWO,
            )
    if not any(key in patch for key in EDITABLE_KEYS):
        checks.add(
            (), "Paragon needs at least one of credentialId or incrementalAccumulatorFrequency"
        )
    if "credentialId" in patch:
        checks.uuid(patch["credentialId"], ("credentialId",))
    if "incrementalAccumulatorFrequency" in patch:
        checks.enum(
            patch["incrementalAccumulatorFrequency"],
            ("incrementalAccumulatorFrequency",),
            FREQUENCIES,
        )
    return checks.issues


def progress(raw: dict[str, Any]) -> str:
    """The sync's summary in words: '4,120 of 9,800 records synced, last synced 2026-11-19 08:12'."""
    summary = raw.get("summary")
    if not isinstance(summary, dict):
        return ""
    synced, total = summary.get("syncedRecordsCount"), summary.get("totalRecords")
    text = ""
    if isinstance(synced, int) and isinstance(total, int):
        text = f"{synced:,} of {total:,} records synced"
    last = summary.get("lastSyncedAt")
    if isinstance(last, str) and last:
        text += f"{', ' if text else ''}last synced {last[:16].replace('T', ' ')}"
    return text


class ParagonRules(VendorRules):
    vendor = "paragon"
    title = "Paragon"
    capabilities = BROWSE_EDIT
    enums = {"incrementalAccumulatorFrequency": FREQUENCIES}
    batch_fields = (
        BatchField(
            ("incrementalAccumulatorFrequency",), "Check for changes", "choice", FREQUENCIES
        ),
    )
    delete_warning = "Paragon also deletes the records this sync created."
    stopped_means = "no incremental checks run"
    paused_means_disabled = True

    def check_edit(self, before: dict[str, Any], after: Any) -> list[ValidationIssue]:
        """Only the changed keys are sent (a PATCH), so only they are checked."""
        if not isinstance(after, dict):
            return validate_patch(after)
        body = {k: after[k] for k in changed_keys(before, after)}
        return validate_patch(body) if body else []

    def irreversible(self, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
        if before.get("credentialId") != after.get("credentialId"):
            return ["a new credential starts a full re-sync of every record"]
        return []

    def own_remedy(self, sync: Sync) -> RemedyPlan | None:
        from synctui.domain.models import SyncStatus

        if sync.status is SyncStatus.PAUSED:
            return RemedyPlan(
                "Re-enable the sync", ("resume",), "Paragon resumes where it left off"
            )
        # Paragon only re-enables a DISABLED sync: an ERRORED one is disabled first.
        return RemedyPlan(
            "Disable, then re-enable the sync",
            ("pause", "resume"),
            "Paragon clears the error and resumes where it left off",
        )

    def progress(self, raw: dict[str, Any]) -> str:
        return progress(raw)

    def describe_step(self, sync: Sync, step: str, short_id: str, workspace: str | None) -> str:
        return {
            "resume": f"POST /api/syncs/{short_id}/reenable",
            "pause": f"POST /api/syncs/{short_id}/disable",
        }.get(step, "")


RULES = ParagonRules()
