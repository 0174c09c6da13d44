"""Writes whose answers are lost more than once: applied once, and reported truthfully.

The sandbox's 5xx faults are decided before a request runs, so a fault storm there only ever
shows "failed and not applied" for a 500. A real vendor can also apply a write and *then*
fail to answer with a 500 or 502 — on the first try or on the retry after it. This vendor
does exactly that, on the schedule each test gives it, so the cases a storm cannot reach are
pinned down: a write that landed on a later try is reported done (and not sent again), and
a write whose fate cannot be checked is reported as unknown, never as a plain failure that
invites a retry (which, for a trigger, would start a second run).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from synctui.domain import errors
from synctui.domain.models import Sync
from synctui.store.accounts import Account
from synctui.vendors.http import RetrySettings
from synctui.vendors.signalsmith import SignalsmithAdapter, parse_sync

WORKSPACE = "40575814-57ae-4980-81eb-e31d80a1891d"
SYNC_ID = "f4612a4c-51a9-4928-8755-403d43cebec5"


@dataclass
class FlakyVendor:
    """One Signalsmith sync. `writes[i]` says what the i-th write does: "ok", "lost" (not
    applied, 502), "applied-lost" (applied, then 500); `blind` breaks every GET after the
    first write."""

    writes: list[str]
    blind: bool = False
    sync: dict[str, Any] = field(
        default_factory=lambda: {
            "id": SYNC_ID,
            "workspace_id": WORKSPACE,
            "name": "Accounts to Salesforce",
            "status": "active",
            "schedule": "0 3 * * *",
            "last_run_id": "run-0",
        }
    )
    sent: list[str] = field(default_factory=list)  # "PUT", "POST trigger"
    runs: int = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            if self.blind and self.sent:
                return httpx.Response(503, json={"error": "unavailable"})
            if request.url.path.endswith("/runs"):  # the record of runs, newest first
                ids = [f"run-{n}" for n in range(self.runs, -1, -1)]
                return httpx.Response(200, json=[{"id": i, "status": "running"} for i in ids])
            if "/runs/" in request.url.path:
                run_id = request.url.path.rsplit("/", 1)[1]
                return httpx.Response(200, json={"id": run_id, "status": "running"})
            return httpx.Response(200, json=self.sync)
        what = "POST trigger" if request.url.path.endswith("/trigger") else request.method
        self.sent.append(what)
        fate = self.writes[len(self.sent) - 1]
        if fate == "lost":
            return httpx.Response(502, json={"error": "bad gateway"})
        if what == "PUT":
            self.sync.update(json.loads(request.content))
            answer: dict[str, Any] = self.sync
        else:
            self.runs += 1
            self.sync["last_run_id"] = f"run-{self.runs}"
            answer = {"id": self.sync["last_run_id"], "status": "queued"}
        if fate == "applied-lost":
            return httpx.Response(500, json={"error": "internal error"})
        return httpx.Response(200, json=answer)


def adapter_for(vendor: FlakyVendor) -> SignalsmithAdapter:
    account = Account(
        name="acme", vendor="signalsmith", base_url="https://api.example.test", workspace=WORKSPACE
    )
    return SignalsmithAdapter(
        account,
        "token-0123456789",
        inner_transport=httpx.MockTransport(vendor),
        retry=RetrySettings(attempts=2, base_delay=0, max_delay=0),
    )


def loaded(vendor: FlakyVendor) -> Sync:
    sync = parse_sync("acme", dict(vendor.sync))
    assert sync is not None
    return sync


@pytest.mark.parametrize(
    ("writes", "puts"),
    [
        (["applied-lost"], 1),  # verified at once: applied
        (["lost", "applied-lost"], 2),  # applied on the retry, whose answer was lost too
        (["lost", "lost", "applied-lost"], 3),
    ],
)
async def test_an_edit_that_lands_on_a_later_try_is_done_once(writes: list[str], puts: int) -> None:
    vendor = FlakyVendor(writes)
    adapter = adapter_for(vendor)
    try:
        plan = await adapter.plan_update(loaded(vendor), {"name": "Renamed"})
        result = await adapter.apply(plan)
    finally:
        await adapter.aclose()
    assert result.message == "updated"
    assert vendor.sent == ["PUT"] * puts
    assert vendor.sync["name"] == "Renamed"


async def test_a_trigger_that_lands_on_the_retry_starts_one_run() -> None:
    vendor = FlakyVendor(["lost", "applied-lost"])
    adapter = adapter_for(vendor)
    try:
        result = await adapter.trigger(SYNC_ID)
    finally:
        await adapter.aclose()
    assert vendor.runs == 1 and vendor.sent == ["POST trigger"] * 2
    assert result.run is not None and result.run.id == "run-1"


async def test_a_write_never_seen_applied_is_a_plain_failure() -> None:
    vendor = FlakyVendor(["lost", "lost", "lost"])
    adapter = adapter_for(vendor)
    try:
        plan = await adapter.plan_update(loaded(vendor), {"name": "Renamed"})
        with pytest.raises(errors.VendorError) as info:
            await adapter.apply(plan)
    finally:
        await adapter.aclose()
    assert not isinstance(info.value, errors.OutcomeUnknown)
    assert vendor.sent == ["PUT"] * 3 and vendor.sync["name"] != "Renamed"


async def test_a_write_that_cannot_be_checked_is_unknown_not_failed() -> None:
    """The answer was a 500 and every read after it fails: it may have been applied."""
    vendor = FlakyVendor(["applied-lost"], blind=True)
    adapter = adapter_for(vendor)
    try:
        plan = await adapter.plan_update(loaded(vendor), {"name": "Renamed"})
        with pytest.raises(errors.SyncTuiError) as info:
            await adapter.apply(plan)
    finally:
        await adapter.aclose()
    assert isinstance(info.value, errors.OutcomeUnknown), info.value
    assert "may or may not have been applied" in str(info.value)
    assert vendor.sent == ["PUT"]
