"""First paint of the All view holding 100,000 syncs, against the stock `DataTable`.

All three run headless (`App.run_test`, 120x40), each in a fresh process, with the data
already in memory and the app already up (start-up has its own benchmark); the clock runs
from handing the rows over to the first painted row while the table holds all of them.

* synctui (the target's subject): the All view's real path — `r` reloads five accounts of
  20,000 syncs each through an in-memory adapter (pages of 5,000), worker, messages,
  catalog, row building and the virtual table.
* synctui table only (for diagnosis): the `VirtualTable` given ready-made rows.
* baseline: a stock `DataTable` given the very same cell texts (formatted before its clock
  starts, which flatters the baseline) with `add_rows`.

Target: the All view paints at least 50 times faster than the `DataTable`.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from benchmarks.core import Options, Result, interleave, median, run_child
from benchmarks.tui import SIZE, PaintProbe, host_app, wait_until

NAME = "first_paint"
ROWS = 100_000
ACCOUNTS = 5
PAGE = 5_000
TARGET = 50.0


def _cells(rows: int) -> tuple[list[str], list[Any]]:
    """Column titles and rows (as synctui's All view formats them) for `rows` syncs."""
    from benchmarks.fakes import make_syncs
    from synctui.ui.columns import merged_layout

    layout = merged_layout()
    per_account = rows // ACCOUNTS
    built = [
        layout.row(sync, (a, i))
        for a in range(ACCOUNTS)
        for i, sync in enumerate(make_syncs(f"bench{a}", per_account))
    ]
    return [c.title for c in layout.columns], built


def all_view_paint(rows: int = ROWS) -> dict[str, float]:
    """Child: `r` in the All view of five empty accounts that now hold `rows` syncs."""
    from benchmarks.fakes import MemoryAdapter, install
    from synctui.ui.app import SyncTuiApp
    from synctui.ui.catalog import ALL, LoadState
    from synctui.ui.widgets.virtual_table import VirtualTable

    session = install(rows, ACCOUNTS)
    MemoryAdapter.page_size = PAGE
    full, MemoryAdapter.data = MemoryAdapter.data, {}
    probe = PaintProbe(VirtualTable, lambda t: len(t.model.view) if t.id == "syncs" else -1, rows)

    async def main() -> float:
        app = SyncTuiApp(session, refresh_seconds=0, persist_accounts=False)
        async with app.run_test(size=SIZE) as pilot:
            entries = app.catalog.entries.values()
            await wait_until(
                pilot, lambda: all(e.state == LoadState.READY for e in entries), "load"
            )
            await pilot.pause(0.1)
            MemoryAdapter.data = full
            probe.armed = True
            started = time.perf_counter()
            app.reload_view(ALL, force=True)
            await wait_until(pilot, lambda: probe.painted_at is not None, "the painted table")
            assert probe.painted_at is not None
            return probe.painted_at - started

    return {"seconds": asyncio.run(main())}


def virtual_table_paint(rows: int = ROWS) -> dict[str, float]:
    """Child: the bare `VirtualTable` given `rows` ready-made rows."""
    from synctui.ui.columns import merged_layout
    from synctui.ui.widgets.virtual_table import VirtualTable

    _titles, built = _cells(rows)
    probe = PaintProbe(VirtualTable, lambda t: len(t.model.view), rows)

    async def main() -> float:
        app = host_app(lambda: VirtualTable(merged_layout().columns))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.1)
            table = app.query_one(VirtualTable)
            probe.armed = True
            started = time.perf_counter()
            table.replace_rows(built)
            await wait_until(pilot, lambda: probe.painted_at is not None, "the painted table")
            assert probe.painted_at is not None
            return probe.painted_at - started

    return {"seconds": asyncio.run(main())}


def datatable_paint(rows: int = ROWS) -> dict[str, float]:
    """Child: a stock `DataTable` given the same cell texts with `add_rows`."""
    from textual.widgets import DataTable

    titles, built = _cells(rows)
    cells = [row.cells for row in built]
    probe = PaintProbe(DataTable, lambda t: t.row_count, rows)

    async def main() -> float:
        app = host_app(DataTable)
        async with app.run_test(size=SIZE) as pilot:
            table = app.query_one(DataTable)
            table.add_columns(*titles)
            await pilot.pause(0.1)
            probe.armed = True
            started = time.perf_counter()
            table.add_rows(cells)
            await wait_until(pilot, lambda: probe.painted_at is not None, "the painted table")
            assert probe.painted_at is not None
            return probe.painted_at - started

    return {"seconds": asyncio.run(main())}


def run(options: Options) -> list[Result]:
    reps = options.reps(3, 1)
    rows = ROWS
    samples = interleave(
        reps,
        {
            "synctui": lambda: run_child(__name__, "all_view_paint", {"rows": rows})["seconds"],
            "table_only": lambda: run_child(__name__, "virtual_table_paint", {"rows": rows})[
                "seconds"
            ],
            "baseline": lambda: run_child(__name__, "datatable_paint", {"rows": rows})["seconds"],
        },
    )
    view, table, stock = (median(samples[k]) for k in ("synctui", "table_only", "baseline"))
    inputs = {
        "rows": rows,
        "accounts": ACCOUNTS,
        "page_size": PAGE,
        "terminal": f"{SIZE[0]}x{SIZE[1]}",
        "repetitions": reps,
    }
    return [
        Result(
            name=NAME,
            what=f"All view: `r` to the first painted table of {rows:,} syncs (headless)",
            unit="s",
            synctui=view,
            baseline=stock,
            checked=stock / view,
            target=TARGET,
            direction="min",
            target_text=f"≥ {TARGET:g}× faster than stock DataTable",
            inputs=inputs,
            samples={"synctui": samples["synctui"], "baseline": samples["baseline"]},
        ),
        Result(
            name=f"{NAME}_table_only",
            what=f"VirtualTable alone given {rows:,} ready rows (diagnostic)",
            unit="s",
            synctui=table,
            baseline=stock,
            checked=stock / table,
            target=TARGET,
            direction="min",
            target_text=f"≥ {TARGET:g}× faster than stock DataTable",
            inputs=inputs,
            samples={"synctui": samples["table_only"], "baseline": samples["baseline"]},
        ),
    ]
