"""Vendor name → adapter class, imported lazily so a command pays only for what it uses."""

from __future__ import annotations

import importlib

from synctui.domain import errors
from synctui.vendors.base import Adapter

ADAPTERS = {
    "speckle": "synctui.vendors.speckle:SpeckleAdapter",
    "letsbuild": "synctui.vendors.letsbuild:LetsBuildAdapter",
    "polytomic": "synctui.vendors.polytomic:PolytomicAdapter",
    "signalsmith": "synctui.vendors.signalsmith:SignalsmithAdapter",
    "paragon": "synctui.vendors.paragon:ParagonAdapter",
}


def adapter_class(vendor: str) -> type[Adapter]:
    try:
        module_name, _, attr = ADAPTERS[vendor].partition(":")
    except KeyError:
        known = ", ".join(ADAPTERS)
        raise errors.UsageError(f"unknown vendor {vendor!r} (known: {known})") from None
    found: type[Adapter] = getattr(importlib.import_module(module_name), attr)
    return found
