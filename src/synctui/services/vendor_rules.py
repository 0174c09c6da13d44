"""The vendors' rules, for the faces: what each vendor refuses, warns about and offers, known
without a session (no adapter is built, nothing is sent).

The CLI and the TUI reach `vendors/` only through `services/`; this is that way in for the
rules objects (`vendors/rules.py`), so no face has to name a vendor to know its rules.
"""

from __future__ import annotations

from synctui.domain.capabilities import Capability
from synctui.vendors.registry import VENDORS, rules_for
from synctui.vendors.rules import BatchField, RemedyPlan, VendorRules

__all__ = [
    "VENDORS",
    "BatchField",
    "RemedyPlan",
    "VendorRules",
    "feed_title",
    "feed_vendors",
    "rules_for",
    "title_of",
    "titles",
    "using",
    "vendors_with",
]


def vendors_with(capability: Capability) -> tuple[str, ...]:
    """The vendors whose adapters can do this, in registry order."""
    return tuple(v for v in VENDORS if capability in rules_for(v).capabilities)


def title_of(vendor: str) -> str:
    """The vendor's name as messages write it ("LetsBuild"); the key itself when unknown."""
    return rules_for(vendor).title or vendor


def titles(vendors: tuple[str, ...] = VENDORS, last: str = "and") -> str:
    """The vendors' names, for a sentence: "A, B, C and D"."""
    names = [title_of(v) for v in vendors]
    return ", ".join(names[:-1]) + f" {last} {names[-1]}" if len(names) > 1 else "".join(names)


def feed_vendors() -> tuple[str, ...]:
    """The vendors with a change feed."""
    return vendors_with(Capability.CHANGE_FEED)


def feed_title() -> str:
    """Whose change feed the feed viewer and `synctui feed` show, by name ("LetsBuild")."""
    return titles(feed_vendors(), "or")


def using(account_field: str) -> tuple[str, ...]:
    """The vendors whose accounts have this setting ("projects", "workspace", …)."""
    return tuple(v for v in VENDORS if account_field in rules_for(v).account_fields)
