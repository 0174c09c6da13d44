"""Speckle simulator (placeholder until written)."""

from synctui.sandbox.core import VendorSim


class SpeckleSim(VendorSim):
    name = "speckle"
    title = "Speckle"

    def routes(self):
        return []

    def info(self, base_url):
        return {"base_url": base_url, "tokens": {}, "ids": {}}
