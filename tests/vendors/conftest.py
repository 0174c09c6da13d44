"""Fixtures the vendor adapter tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from synctui.sandbox.core import SandboxConfig
from synctui.sandbox.server import Sandbox
from tests.conftest import unlimit


@pytest.fixture(scope="module")
def reader() -> Iterator[Sandbox]:
    """One sandbox per module for the tests that only read (same seed and frozen clock as
    `sandbox`, and like it without Signalsmith's rate limit): a sandbox per test is slow, and
    a test that writes nothing cannot disturb the next one."""
    with Sandbox(SandboxConfig(port=0, seed=7, frozen=True, changes_per_second=0)) as sb:
        unlimit(sb)
        yield sb
