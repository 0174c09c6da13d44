"""Paragon simulator (placeholder until written)."""

from synctui.sandbox.core import VendorSim


class ParagonSim(VendorSim):
    name = "paragon"
    title = "Paragon"

    def routes(self):
        return []

    def info(self, base_url):
        return {"base_url": base_url, "tokens": {}, "ids": {}}
