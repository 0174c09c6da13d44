"""What the Polytomic adapter tests share: the demo account's adapter, a loopback transport
that can fail one chosen request, and "someone else" using the plain API on the same
workspace (see `helpers` for the loopback and the adapters)."""

from __future__ import annotations

from typing import Any

import httpx

from synctui.sandbox.server import Sandbox
from synctui.vendors.polytomic import PolytomicAdapter
from tests.conftest import admin_state
from tests.sandbox.polytomic_oracle import response_only_fields
from tests.vendors import helpers
from tests.vendors.helpers import demo_adapter

VERSION = "2025-09-18"
# What the vendor reports but a write does not take, by the vendor's own SDK.
READ_ONLY = response_only_fields()


class Loopback(helpers.Loopback):
    vendor = "polytomic"


def info(sandbox: Sandbox) -> dict:
    return sandbox.info()["polytomic"]


def make_adapter(
    sandbox: Sandbox,
    *,
    token: str | None = None,
    deployment: bool = False,
    api_version: str | None = None,
    **kw: Any,
) -> PolytomicAdapter:
    """The demo account's adapter; `deployment`: on premises, with the deployment key."""
    changes: dict[str, Any] = {}
    if deployment:
        changes["auth"] = "deployment"
        token = token or info(sandbox)["tokens"]["deployment"]
    if api_version is not None:
        changes["api_version"] = api_version
    return demo_adapter(
        PolytomicAdapter, sandbox, "polytomic-demo", token=token, changes=changes, **kw
    )


def state(sandbox: Sandbox) -> dict:
    return admin_state(sandbox, "polytomic")


def sync_state(sandbox: Sandbox, sync_id: str) -> dict:
    return state(sandbox)["syncs"][sync_id]


def ids(sandbox: Sandbox) -> dict[str, str]:
    return info(sandbox)["ids"]


def raw_client(sandbox: Sandbox) -> httpx.Client:
    """Someone else, editing the same workspace with the plain API."""
    headers = {
        "Authorization": f"Bearer {info(sandbox)['tokens']['rw']}",
        "X-Polytomic-Version": VERSION,
    }
    return httpx.Client(base_url=info(sandbox)["base_url"], headers=headers, timeout=10)


def raw_get(sandbox: Sandbox, sync_id: str) -> dict:
    with raw_client(sandbox) as client:
        return client.get(f"/api/syncs/{sync_id}").raise_for_status().json()["data"]


def raw_put(sandbox: Sandbox, sync_id: str, **changes) -> dict:
    """A full-replacement PUT done right (GET, change, PUT all) by another client."""
    body = {k: v for k, v in raw_get(sandbox, sync_id).items() if k not in READ_ONLY}
    body.update(changes)
    with raw_client(sandbox) as client:
        return client.put(f"/api/syncs/{sync_id}", json=body).raise_for_status().json()["data"]


def writable(sandbox: Sandbox, count: int) -> list[str]:
    """`count` active syncs with no execution in progress, in a stable order (one per case)."""
    found: list[str] = []
    with raw_client(sandbox) as client:
        for sid, s in sorted(state(sandbox)["syncs"].items()):
            if (
                s["active"]
                and not client.get(f"/api/syncs/{sid}/status").json()["data"]["current_execution"]
            ):
                found.append(sid)
            if len(found) == count:
                return found
    raise AssertionError("the seed has too few idle active syncs")


def editable_of(raw: dict) -> dict:
    return {k: v for k, v in raw.items() if k not in READ_ONLY}


def named(sandbox: Sandbox, name: str) -> str:
    """The id of the seeded sync called `name`."""
    with raw_client(sandbox) as client:
        token = None
        while True:
            page = client.get("/api/syncs", params={"page_token": token} if token else {}).json()
            for row in page["data"]:
                if row["name"] == name:
                    return row["id"]
            token = page["pagination"]["next_page_token"]
            if not token:
                raise AssertionError(f"no sync called {name!r}")
