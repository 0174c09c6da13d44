"""What a vendor refuses, warns about and recommends, known without a session: the rules contract.

Each vendor module comes with a rules object (`vendors/<vendor>_rules.py`, registered in
`vendors/registry.py`): pure functions and data, no I/O, cheap to import. The adapter uses it
for its pre-send checks, the services for triage and remedies, and the faces (through
`services/vendor_rules.py`) for an editor's checks while typing, a delete warning, the
choices a batch form offers, a title — so no layer above `vendors/` has to name a vendor to
know its rules, and a new vendor is one adapter, its rules, one simulator and a registry line.

Every hook has a neutral default: a vendor without a rule for something simply has none.
The rules modules stay light to import (no pydantic, no dataclasses): the CLI's parser reads
their titles and capabilities for its choices and help; what a check needs is imported when
it runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from synctui.domain.capabilities import Capability
from synctui.domain.merge_patch import json_equal

if TYPE_CHECKING:
    from synctui.domain.models import Sync
    from synctui.domain.validation import ValidationIssue


# What most vendors' syncs allow: read, change, pause and delete (BROWSE_EDIT); and start
# and list runs (RUNS).
BROWSE_EDIT = frozenset(
    {Capability.LIST, Capability.GET, Capability.EDIT, Capability.PAUSE_RESUME, Capability.DELETE}
)
RUNS = frozenset({Capability.TRIGGER, Capability.RUNS})


class BatchField(NamedTuple):
    """A field the batch editor offers when every marked sync is of one vendor."""

    path: tuple[str, ...]
    label: str
    kind: Literal["choice", "text"]
    choices: tuple[str, ...] = ()
    clearable: bool = False  # offers "(clear: null)", sent as an explicit null

    @property
    def id(self) -> str:
        return "bf-" + "-".join(self.path)


class RemedyPlan(NamedTuple):
    """A vendor's own way back for a sync, as steps the services know how to run."""

    label: str
    steps: tuple[str, ...]  # of "pause", "resume", "trigger", "migrate", in order
    note: str = ""


class VendorRules:
    """The neutral rules: nothing refused, nothing warned, the generic words."""

    vendor: str = ""
    title: str = ""  # the vendor's name as messages write it ("LetsBuild")
    capabilities: frozenset[Capability] = frozenset()
    feeds: tuple[str, ...] = ()  # change feeds, for vendors that have them
    # Enumerations the vendor documents, by the field (dotted path) that takes them, in the
    # order pickers and messages show them.
    enums: Mapping[str, tuple[str, ...]] = {}
    batch_fields: tuple[BatchField, ...] = ()
    delete_warning: str = ""  # a sentence added to the delete confirmation
    id_hint: str = ""  # how a sync id is written, when it is more than the vendor's id
    # The vendor-specific settings of its accounts (`store/accounts.py`): of "projects",
    # "workspace", "api_version", "auth"; and the header an API version is sent in.
    account_fields: frozenset[str] = frozenset()
    api_version_header: str = ""
    # The documented type casts of a field mapping; a vendor without any has no casts.
    documented_type_casts: tuple[str, ...] = ()

    # --- triage: how the vendor says "not running", and its way back -------------------
    run_noun: str = "run"  # "ingestion", "execution"
    stopped_means: str = ""  # what a paused sync means for the vendor's data
    paused_means_disabled: bool = False  # the vendor's "paused" is a disabled sync
    resume_clears_error: bool = False  # resuming is the documented way out of its error state
    resume_label: str = "Resume, then trigger a run"
    resume_note: str = ""
    trigger_label: str = "Trigger a new run"

    # --- editing -------------------------------------------------------------------------
    def edit_issues(
        self,
        before: dict[str, Any],
        after: Any,
        *,
        accepted_casts: Iterable[str] | None = None,
    ) -> list[ValidationIssue]:
        """What the vendor's adapter refuses in this edit, before anything is sent.

        Only what the edit touches is checked, so a sync already holding a value these
        checks do not know can still be edited. `accepted_casts` (type casts the vendor's
        own syncs use) asks for the editor's stricter type-cast check too.
        """
        issues = self.check_edit(before, after)
        if accepted_casts is not None and isinstance(after, dict):
            issues += self.cast_issues(before, after, accepted_casts)
        return issues

    def check_edit(self, before: dict[str, Any], after: Any) -> list[ValidationIssue]:
        """The vendor's own checks of an edit (`edit_issues` without the type-cast check)."""
        return []

    def cast_issues(
        self, before: dict[str, Any], after: dict[str, Any], accepted: Iterable[str]
    ) -> list[ValidationIssue]:
        """The editor's type-cast check: a new cast neither documented nor in use."""
        return []

    def create_issues(self, body: Any) -> list[ValidationIssue]:
        """What the vendor documents as refused in a new sync's body."""
        return []

    def undocumented_notes(self, before: Any, after: Any) -> list[str]:
        """Sentences for a save preview: what the edit sends that the vendor does not document."""
        return []

    def irreversible(self, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
        """Why applying this edit cannot simply be undone from the journal (a full re-sync)."""
        return []

    def type_casts(self, doc: Any) -> set[str]:
        """The type casts a sync's field mapping uses (evidence of what the vendor accepts)."""
        return set()

    # --- triage --------------------------------------------------------------------------
    def state_word(self, sync: Sync) -> str | None:
        """How the vendor itself says the sync is not running (None: its status text)."""
        return None

    def blocked(self, sync: Sync) -> bool:
        """The vendor reports problems that stop the sync until a person corrects them."""
        return False

    def own_remedy(self, sync: Sync) -> RemedyPlan | None:
        """The vendor's own remedy for a stopped or failing sync, where it is not the usual
        resume-and-trigger (None: the usual one)."""
        return None

    def progress(self, raw: dict[str, Any]) -> str:
        """The vendor's progress summary in words ("4,120 of 9,800 records synced"), if any."""
        return ""

    def describe_step(self, sync: Sync, step: str, short_id: str, workspace: str | None) -> str:
        """What one remedy step sends, in the vendor's own terms ("" when it has no words)."""
        return ""


NEUTRAL = VendorRules()


def changed_keys(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Top-level keys of `after` that are new or differ from `before`."""
    return [k for k in after if k not in before or not json_equal(before[k], after[k])]
