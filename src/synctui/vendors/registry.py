"""Vendor name → adapter class and rules, imported lazily so a command pays only for what it uses.

Adding a vendor is one line in each table. The rules modules are pure and light (no HTTP
client), so the faces can ask a vendor's rules without loading its adapter.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from synctui.domain import errors
from synctui.domain.capabilities import Capability
from synctui.vendors.rules import NEUTRAL, VendorRules

if TYPE_CHECKING:
    from synctui.vendors.base import Adapter

ADAPTERS = {
    "speckle": "synctui.vendors.speckle:SpeckleAdapter",
    "letsbuild": "synctui.vendors.letsbuild:LetsBuildAdapter",
    "polytomic": "synctui.vendors.polytomic:PolytomicAdapter",
    "signalsmith": "synctui.vendors.signalsmith:SignalsmithAdapter",
    "paragon": "synctui.vendors.paragon:ParagonAdapter",
}
RULES = {
    "speckle": "synctui.vendors.speckle_rules:RULES",
    "letsbuild": "synctui.vendors.letsbuild_rules:RULES",
    "polytomic": "synctui.vendors.polytomic_rules:RULES",
    "signalsmith": "synctui.vendors.signalsmith_rules:RULES",
    "paragon": "synctui.vendors.paragon_rules:RULES",
}
VENDORS: tuple[str, ...] = tuple(ADAPTERS)


def _load(spec: str) -> object:
    module_name, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def adapter_class(vendor: str) -> type[Adapter]:
    if vendor not in ADAPTERS:
        known = ", ".join(ADAPTERS)
        raise errors.UsageError(f"unknown vendor {vendor!r} (known: {known})")
    found: type[Adapter] = _load(ADAPTERS[vendor])  # type: ignore[assignment]
    return found


def capabilities_of(vendor: str) -> frozenset[Capability]:
    """What the vendor's adapter can do, read from its rules when it has some: the first
    frame asks this for every account, and the rules module is light where the adapter
    module pulls the HTTP client and the models. A vendor without rules (a test's own
    adapter) is asked directly."""
    spec = RULES.get(vendor)
    if spec is None:
        return adapter_class(vendor).capabilities
    return rules_for(vendor).capabilities


def rules_for(vendor: str) -> VendorRules:
    """The vendor's rules; an unknown vendor gets the neutral ones (nothing refused)."""
    spec = RULES.get(vendor)
    if spec is None:
        return NEUTRAL
    found = _load(spec)
    assert isinstance(found, VendorRules)
    return found
