"""A batch running: progress, counts (ok / failed / skipped), each sync's result and reason.

The batch is `services.batch.BatchUpdate`, run in a worker bound to this screen: its progress
callback only posts messages. Esc or c cancels (writes already on the wire finish and keep
their real outcome; the rest are "skipped: cancelled"), so leaving never abandons a write
half-sent. When it is over, r retries the failed ones (`retry_failed`: re-read first); a sync
whose outcome is unknown (its write may have landed) is never sent again from here.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, ProgressBar, Static

from synctui.ui.editing.messages import BatchFinished, BatchProgress
from synctui.ui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from synctui.services.batch import BatchUpdate, SyncResult
    from synctui.ui.host import Tui

FLUSH_SECONDS = 0.1  # results are painted in batches at most this often
OUTCOME_STYLE = {
    "ok": "$status-active",
    "failed": "$status-error",
    "unknown": "$status-paused",
    "skipped": "$status-idle",
}


class BatchRunScreen(Screen[None]):
    help_title = "batch update"

    BINDINGS = [
        Binding("escape", "leave", "Cancel / close", id="batch-run.leave"),
        Binding("c", "cancel_batch", "Cancel batch", id="batch-run.cancel"),
        Binding("r", "retry", "Retry failed", id="batch-run.retry"),
    ]

    DEFAULT_CSS = """
    BatchRunScreen #run-head { height: auto; padding: 0 1; }
    BatchRunScreen ProgressBar { padding: 0 1; height: 1; }
    BatchRunScreen #run-counts { height: 1; padding: 0 1; }
    BatchRunScreen DataTable { height: 1fr; }
    """

    def __init__(self, batch: BatchUpdate) -> None:
        super().__init__()
        self.batch = batch
        self.attempt = 1
        self.running = False
        self.latest: dict[tuple[str, str], SyncResult] = {}
        self.accounts = sorted({s.account for s in batch.targets})
        self.total_targets = batch.total
        self._pending: list[BatchProgress] = []
        self._flush_timer: Timer | None = None

    @property
    def tui(self) -> Tui:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield StatusLine(locked=self.tui.session.readonly, id="status")
        yield Static(self._head(), id="run-head", markup=False)
        yield ProgressBar(total=self.batch.total, show_eta=False, id="progress")
        yield Static("", id="run-counts")
        yield DataTable(id="results", cursor_type="row", zebra_stripes=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#results", DataTable)
        table.add_column("Outcome", key="outcome")
        table.add_column("Account", key="account")
        table.add_column("Sync", key="sync")
        table.add_column("Result / reason", key="message")
        self._start()

    # --- running ---------------------------------------------------------------------------------
    def _start(self) -> None:
        self.running = True
        self.query_one("#progress", ProgressBar).update(total=self.batch.total, progress=0)
        self._show()
        self.refresh_bindings()
        self._run(self.batch)

    @work(group="batch-run", exclusive=True, exit_on_error=False)
    async def _run(self, batch: BatchUpdate) -> None:
        def progress(done: int, total: int, counts: Any, result: Any) -> None:
            self.post_message(BatchProgress(done, total, counts, result))

        try:
            await batch.run(progress=progress)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.post_message(BatchFinished(exc))
        else:
            self.post_message(BatchFinished(None))

    def on_batch_progress(self, message: BatchProgress) -> None:
        """Buffer results; paint them in batches (hundreds of rows arrive per second)."""
        message.stop()
        self._pending.append(message)
        if self._flush_timer is None:
            self._flush_timer = self.set_timer(FLUSH_SECONDS, self._flush)

    def _flush(self) -> None:
        self._flush_timer = None
        pending, self._pending = self._pending, []
        if not pending or not self.is_mounted:
            return
        table = self.query_one("#results", DataTable)
        for message in pending:
            result = message.result
            key = result.sync.key
            self.latest[key] = result
            row_key = f"{key[0]}\x00{key[1]}"
            value = result.outcome.value
            outcome = Content.styled(value, OUTCOME_STYLE.get(value, ""))
            text = result.message + (" + triggered" if result.triggered else "")
            if row_key in table.rows:
                table.update_cell(row_key, "outcome", outcome)
                table.update_cell(row_key, "message", text)
            else:
                table.add_row(outcome, key[0], result.sync.name, text, key=row_key)
        self.query_one("#progress", ProgressBar).update(progress=pending[-1].done)
        self._show()

    def on_batch_finished(self, message: BatchFinished) -> None:
        message.stop()
        if self._flush_timer is not None:
            self._flush_timer.stop()
        self._flush()
        self.running = False
        if message.error is not None:
            self.notify(str(message.error), title="Batch stopped", severity="error")
        else:
            counts = self.batch.counts
            word = "cancelled" if self.batch.cancelled else "done"
            self.notify(f"batch {word}: {counts.describe()}", title="Batch")
        for account in self.accounts:
            self.tui.load_account(account)
        self._show()
        self.refresh_bindings()

    def tally(self) -> dict[str, int]:
        """Outcomes over every attempt: each sync counted once, by its latest result."""
        out = {"ok": 0, "failed": 0, "unknown": 0, "skipped": 0}
        for result in self.latest.values():
            out[result.outcome.value] = out.get(result.outcome.value, 0) + 1
        return out

    def _head(self) -> str:
        """What runs, and how many syncs are in flight right now (it adapts as it goes)."""
        patch = json.dumps(self.batch.patch, ensure_ascii=False)
        trigger = " + trigger now" if self.batch.trigger_now else ""
        return (
            f"{self.batch.total} syncs · patch {patch}{trigger} · "
            f"{self.batch.describe_concurrency()} · batch {self.batch.batch_id}"
        )

    def _show(self) -> None:
        self.query_one("#run-head", Static).update(self._head())
        tally = self.tally()
        done, shown_total = len(self.latest), self.total_targets
        counts = Content.assemble(
            (f"ok {tally['ok']}", "$status-active bold"),
            "  ·  ",
            (f"failed {tally['failed']}", "$status-error bold"),
            "  ·  ",
            *(
                ((f"unknown {tally['unknown']}", "$status-paused bold"), "  ·  ")
                if tally["unknown"]
                else ()
            ),
            (f"skipped {tally['skipped']}", "$status-idle bold"),
            f"  ·  {done} of {shown_total} syncs",
            (f"  ·  attempt {self.attempt}", "dim") if self.attempt > 1 else "",
        )
        self.query_one("#run-counts", Static).update(counts)
        state = "running…" if self.running else ("cancelled" if self.batch.cancelled else "done")
        self.query_one("#status", StatusLine).show(
            Content.assemble(
                (" synctui", "bold $text-accent"),
                " │ batch update │ ",
                (state, "$text-accent" if self.running else "bold"),
            )
        )

    # --- keys ------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_batch":
            return (self.running and not self.batch.cancelled) or None
        if action == "retry":
            if self.tui.session.readonly:
                return False
            return (not self.running and bool(self.batch.failed)) or None
        return True

    def action_cancel_batch(self) -> None:
        if self.running:
            self.batch.cancel()
            self.notify("cancelling: writes already sent finish, the rest are skipped")
            self.refresh_bindings()

    def action_retry(self) -> None:
        if self.running or not self.batch.failed:
            return
        self.batch = self.batch.retry_failed()
        self.attempt += 1
        self._start()

    def action_leave(self) -> None:
        if self.running:
            self.action_cancel_batch()
            return
        self.dismiss(None)
