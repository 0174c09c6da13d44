"""Polytomic simulator (placeholder until written)."""

from synctui.sandbox.core import VendorSim


class PolytomicSim(VendorSim):
    name = "polytomic"
    title = "Polytomic"

    def routes(self):
        return []

    def info(self, base_url):
        return {"base_url": base_url, "tokens": {}, "ids": {}}
