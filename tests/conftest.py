"""Shared fixtures: a real sandbox on an ephemeral loopback port, and isolated user dirs."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import httpx
import pytest

from synctui.sandbox.core import SandboxConfig
from synctui.sandbox.server import Sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A fresh sandbox per test (fixed seed, frozen clock) so tests never see each other's writes."""
    with Sandbox(SandboxConfig(port=0, seed=7, frozen=True, changes_per_second=0)) as sb:
        unlimit(sb)
        yield sb


@pytest.fixture
def live_sandbox() -> Iterator[Sandbox]:
    """A sandbox with a running clock and the live LetsBuild generator on."""
    with Sandbox(SandboxConfig(port=0, seed=7, frozen=False, changes_per_second=50)) as sb:
        yield sb


def unlimit(sb: Sandbox) -> None:
    """Switch off Signalsmith's per-workspace rate limit, whose windows never pass on a
    frozen clock; tests of the limit itself set it again on their own sandbox."""
    sim = sb.sim("signalsmith")
    sim.requests_per_minute = None  # type: ignore[attr-defined]
    sim.burst_per_second = None  # type: ignore[attr-defined]


def set_faults(sb: Sandbox, spec: str) -> None:
    """Switch faults at run time through the admin endpoint, as an outside test would."""
    httpx.post(f"{sb.base_url}/_admin/faults", json={"spec": spec}).raise_for_status()


def advance_clock(sb: Sandbox, seconds: float) -> None:
    httpx.post(f"{sb.base_url}/_admin/clock", json={"advance": seconds}).raise_for_status()


def admin_state(sb: Sandbox, vendor: str) -> dict:
    return httpx.get(f"{sb.base_url}/_admin/state/{vendor}").json()


@pytest.fixture
def no_collector() -> Iterator[None]:
    """The collector off: it would close leaked connections (and checkpoint their WAL) at a
    moment of its choosing, hiding a leak a test looks for."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, monkeypatch) -> None:
    """Every test gets its own config/data/cache dirs: nothing touches the real home."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for key in list(__import__("os").environ):
        if key.startswith("SYNCTUI_TOKEN_"):
            monkeypatch.delenv(key)
