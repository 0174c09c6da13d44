"""LetsBuild simulator (placeholder until written)."""

from synctui.sandbox.core import VendorSim


class LetsBuildSim(VendorSim):
    name = "letsbuild"
    title = "LetsBuild"

    def routes(self):
        return []

    def info(self, base_url):
        return {"base_url": base_url, "tokens": {}, "ids": {}}
