"""The TUI's garbage-collector thresholds: young collections every 50,000 allocations, and
never lowered (a process that set them higher keeps its own)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from synctui.ui.collector import THRESHOLDS, tune_collector


@pytest.fixture
def thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    try:
        yield
    finally:
        gc.set_threshold(*before)


def test_the_thresholds_are_raised_and_never_lowered(thresholds: None) -> None:
    gc.set_threshold(700, 10, 10)
    tune_collector()
    assert gc.get_threshold() == THRESHOLDS
    gc.set_threshold(100_000, 5, 50)
    tune_collector()
    assert gc.get_threshold() == (100_000, 20, 50)
