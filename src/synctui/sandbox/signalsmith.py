"""Signalsmith simulator (placeholder until written)."""

from synctui.sandbox.core import VendorSim


class SignalsmithSim(VendorSim):
    name = "signalsmith"
    title = "Signalsmith"

    def routes(self):
        return []

    def info(self, base_url):
        return {"base_url": base_url, "tokens": {}, "ids": {}}
