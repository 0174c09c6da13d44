"""How the TUI sets Python's cyclic garbage collector: for a screen that holds 100,000 syncs.

Why: with the default thresholds (a young collection every 700 allocations, an older one
every 10 of those) a load of 100,000 syncs triggers hundreds of collections and, worse, full
ones that walk every object the app holds — more than half of the time to the first painted
table went there. Syncs, rows and their dicts are long-lived and free themselves by reference
counting when replaced; the collector only has to find cycles, and finding them a little
later costs a few megabytes at most. So young collections run every 50,000 allocations and
older ones rarely: a keystroke or a page of rows never waits for a walk of the whole heap.
"""

from __future__ import annotations

import gc

THRESHOLDS = (50_000, 20, 20)


def tune_collector() -> None:
    """Set the thresholds (idempotent; never lowers ones already set higher)."""
    current = gc.get_threshold()
    gc.set_threshold(*(max(a, b) for a, b in zip(THRESHOLDS, current, strict=False)))
