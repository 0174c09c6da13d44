"""What a virtual table finishes after a paint: the rest of a filter pass (and so the count)
and the column widths of rows not on screen — in steps of a few milliseconds, each after the
screen was painted and the queued keys were handled, so a keystroke never waits for them.

`VirtualTable.settled` is true once nothing is left, which is what tests and screenshots
wait for.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from synctui.ui.table_model import TableModel


class VirtualTable(Protocol):
    """What the catch-up asks of its table (`widgets.virtual_table.VirtualTable`); a
    protocol, so the table can own a catch-up without the two importing each other."""

    model: TableModel
    change_pending: bool
    changed_at: float

    @property
    def is_attached(self) -> bool: ...

    def run_worker(
        self, work: Coroutine[Any, Any, None], *, group: str, exit_on_error: bool
    ) -> object: ...

    def call_after_refresh(self, callback: Callable[..., object], *args: Any) -> bool: ...

    def ensure_view(self, *, reads: int) -> object: ...

    def widths_grew(self) -> object: ...


STEP_SECONDS = 0.004  # a step works this long, then lets keys and frames through
STEP_ROWS = 2_000  # rows read (filter) or measured (widths) between two looks at the clock
QUIET_SECONDS = 0.05  # rows still arriving: measure their widths only once they stop


class CatchUp:
    """Runs one table's remaining work as a worker of that table, one at a time."""

    def __init__(self, table: VirtualTable) -> None:
        self.table = table
        self.running = False

    def start(self) -> None:
        table = self.table
        model = table.model
        if not self.running and table.is_attached and (not model.complete or model.unmeasured):
            self.running = True
            table.run_worker(self._steps(), group="catch-up", exit_on_error=False)

    async def _steps(self) -> None:
        table = self.table
        model = table.model
        loop = asyncio.get_running_loop()
        try:
            while True:
                # Each step waits for the screen to be painted and the queued keys to be
                # handled: a keystroke's rows are on screen before the rest of its pass.
                painted = loop.create_future()
                table.call_after_refresh(painted.set_result, None)
                await painted
                if not table.is_attached or table.change_pending:
                    return  # a change waits for its frame, which starts this again
                deadline = time.perf_counter() + STEP_SECONDS
                if not model.complete:
                    while not model.complete and time.perf_counter() < deadline:
                        table.ensure_view(reads=STEP_ROWS)
                elif model.unmeasured:
                    quiet = QUIET_SECONDS - (time.monotonic() - table.changed_at)
                    if quiet > 0:  # rows are still arriving: measure them once, later
                        await asyncio.sleep(quiet)
                        continue
                    grew = False
                    while model.unmeasured and time.perf_counter() < deadline:
                        grew = model.measure(STEP_ROWS) or grew
                    if grew:
                        table.widths_grew()
                else:
                    return
        finally:
            self.running = False
