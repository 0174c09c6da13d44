"""LetsBuild's rules, known without a session: it has change feeds and no syncs to edit."""

from __future__ import annotations

from synctui.domain.capabilities import Capability
from synctui.vendors.rules import VendorRules


class LetsBuildRules(VendorRules):
    vendor = "letsbuild"
    title = "LetsBuild"
    capabilities = frozenset({Capability.CHANGE_FEED})
    feeds = ("project", "form", "point", "contact")


RULES = LetsBuildRules()
