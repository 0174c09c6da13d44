"""The sandbox frame itself: start-up, admin endpoints, fault injection mechanics."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from synctui.sandbox.core import SandboxConfig
from synctui.sandbox.faults import FaultInjector, FaultSpec, FaultSpecError
from synctui.sandbox.server import Sandbox
from tests.conftest import advance_clock, set_faults


def test_starts_fast_on_ephemeral_port() -> None:
    with Sandbox(SandboxConfig(port=0)) as sb:
        assert sb.port != 0
        info = httpx.get(f"{sb.base_url}/_admin/info").json()
    assert set(info) == {"speckle", "letsbuild", "polytomic", "signalsmith", "paragon"}


def test_fault_spec_parsing() -> None:
    spec = FaultSpec.parse(
        "500=0.1,429=0.05,retry-after=2,drop-after=0.01,latency=50ms,jitter=1s,only=speckle+paragon"
    )
    assert spec.errors == {500: 0.1, 429: 0.05}
    assert spec.retry_after == 2
    assert spec.drop_after == 0.01
    assert spec.latency_ms == 50
    assert spec.jitter_ms == 1000
    assert spec.only == {"speckle", "paragon"}
    assert not FaultSpec.parse("").active
    for bad in ("418=0.1", "500=2", "banana=1", "500"):
        with pytest.raises(FaultSpecError):
            FaultSpec.parse(bad)


def test_fault_rates_are_roughly_honoured() -> None:
    injector = FaultInjector(FaultSpec.parse("500=0.2,drop-before=0.1"), seed=1)
    decisions = [injector.decide("speckle") for _ in range(5000)]
    errors = sum(d.status == 500 for d in decisions)
    drops = sum(d.drop_before for d in decisions)
    assert 850 < errors < 1150
    assert 400 < drops < 600
    scoped = FaultInjector(FaultSpec.parse("500=1,only=paragon"))
    assert scoped.decide("speckle").status is None
    assert scoped.decide("paragon").status == 500


def test_admin_switches_faults_and_clock(sandbox: Sandbox) -> None:
    set_faults(sandbox, "503=1")
    assert httpx.get(f"{sandbox.base_url}/_admin/faults").json()["spec"]["errors"] == {"503": 1.0}
    bad = httpx.post(f"{sandbox.base_url}/_admin/faults", json={"spec": "999=1"})
    assert bad.status_code == 400 and "999" in bad.json()["error"]
    before = httpx.get(f"{sandbox.base_url}/_admin/clock").json()["now"]
    advance_clock(sandbox, 3600)
    after = httpx.get(f"{sandbox.base_url}/_admin/clock").json()["now"]
    assert before.startswith("2026-11-20T09:30") and after.startswith("2026-11-20T10:30")


def test_cli_sandbox_rejects_bad_fault_spec() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "synctui", "sandbox", "--faults", "700=1", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "--faults" in proc.stderr and "Traceback" not in proc.stderr
