"""Polytomic writes whose answer is lost, settled by reading the vendor's own record.

The record of a run is the executions list (polytomic/model_sync/executions/raw_client.py
`list`); the record of a sync is the sync (`get`) and, for one just created, the list of syncs,
newest `updated_at` first (`list`). A summary whose timing is not documented (`/status`) is
never what decides whether to send again; a write that cannot be settled is "unknown".
The transport gets one attempt here, so the adapter's own verification is what is tested
(the trigger's lost answers: `test_polytomic_adapter.py`).
"""

from __future__ import annotations

import pytest

from synctui.domain import errors
from synctui.sandbox.server import Sandbox
from tests.vendors.polytomic_support import (
    Loopback,
    ids,
    make_adapter,
    named,
    raw_get,
    state,
    sync_state,
    writable,
)


@pytest.mark.parametrize(("spec", "sends"), [("drop-after=1", 1), ("drop-before=1", 2)])
async def test_a_create_whose_answer_is_lost_is_settled_by_the_list(
    sandbox: Sandbox, spec: str, sends: int
) -> None:
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner, attempts=1)
    template = raw_get(sandbox, ids(sandbox)["sync_id"])
    inner.fault_on("POST", "/api/syncs", spec)
    created = await adapter.create({**template, "name": "A copy, answer lost"})
    assert state(sandbox)["created"] == [created.id]
    assert created.name == "A copy, answer lost"
    assert len([r for r in inner.requests("POST") if r[1].endswith("/api/syncs")]) == sends
    await adapter.aclose()


async def test_a_lost_put_answer_is_confirmed_by_the_sync_even_when_the_vendor_fills_in(
    sandbox: Sandbox,
) -> None:
    """The vendor labels an unlabelled filter condition ("A", "B", …) and derives the old
    filter form: the sync still holds what was sent, so the write is applied, not a conflict."""
    sid = named(sandbox, "Trial users → Intercom (onboarding)")
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner)
    sync = await adapter.get_sync(sid)
    bare = [
        {k: v for k, v in c.items() if k != "label"}
        for c in sync.raw["model_filters"]["conditions"]
    ]
    plan = await adapter.plan_update(sync, {"model_filters": {"conditions": bare, "logic": None}})
    inner.fault_on("PUT", f"/api/syncs/{sid}", "drop-after=1")
    result = await adapter.apply(plan)
    assert result.message == "updated"
    now = raw_get(sandbox, sid)
    assert [c["label"] for c in now["model_filters"]["conditions"]] == ["A", "B"]
    assert sync_state(sandbox, sid)["puts"] == 1 and len(inner.requests("PUT")) == 1
    await adapter.aclose()


async def test_a_lost_put_answer_that_cannot_be_settled_is_unknown(sandbox: Sandbox) -> None:
    """The sync cannot be read after the lost answer: nothing is resent, the outcome is
    reported unknown."""
    (sid,) = writable(sandbox, 1)
    inner = Loopback(sandbox)
    adapter = make_adapter(sandbox, inner=inner, attempts=1)
    sync = await adapter.get_sync(sid)
    plan = await adapter.plan_update(sync, {"name": "Answer lost, then unreadable"})

    def break_reads() -> None:
        inner.fault_on("GET", f"/api/syncs/{sid}", "500=1")

    inner.fault_on("PUT", f"/api/syncs/{sid}", "drop-after=1", after=break_reads)
    with pytest.raises(errors.OutcomeUnknown):
        await adapter.apply(plan)
    assert len(inner.requests("PUT")) == 1 and sync_state(sandbox, sid)["puts"] == 1
    await adapter.aclose()
