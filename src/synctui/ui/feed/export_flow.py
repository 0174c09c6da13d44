"""Exporting what the feed list shows: the dialog, the thread worker, the progress bar.

A mixin of `FeedScreen`, apart because it holds one thing: turning the list's current
index into a file. The worker gets a copy of the index (block bounds only) and reads the
ids back block by block on its own thread, so the export is exactly the rows the list held
when it started, however many there are, without ever holding all their ids.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from textual import work
from textual.widgets import Label, ProgressBar
from textual.worker import get_current_worker

from synctui.ui.feed.export import export_changes
from synctui.ui.feed.export_dialog import ExportDialog, ExportRequest
from synctui.ui.feed.messages import ExportFinished, ExportProgress
from synctui.ui.feed.screen_part import FeedScreenPart
from synctui.ui.served import refuse_in_browser


class ExportFlow(FeedScreenPart):
    """The export half of the feed screen (the screen's parts: `FeedScreenPart`)."""

    exporting: bool
    _index_ready: bool

    def action_export(self) -> None:
        if refuse_in_browser(self.app, "export to a file on the server"):
            return
        if self.exporting:
            self.notify("An export is already running.", severity="warning")
            return
        if not self._index_ready:
            self.notify("The filter is still being applied; try again in a moment.")
            return
        count = len(self.change_list.index)
        self.app.push_screen(ExportDialog(self.account, count), self._export_chosen)

    def _export_chosen(self, request: ExportRequest | None) -> None:
        if request is None:
            return
        # Exactly what the list holds now, read back block by block by the export's thread.
        ids = self.change_list.index.copy().ids
        self.exporting = True
        self.add_class("-exporting")
        self.query_one("#feed-export-label", Label).update(
            f"Exporting {len(ids):,} changes to {request.path.name}"
        )
        self.query_one("#feed-export-progress", ProgressBar).update(
            total=max(1, len(ids)), progress=0
        )
        self._export(request, ids, dict(self.project_names))

    @work(thread=True, group="export", exit_on_error=False, name="export")
    def _export(self, request: ExportRequest, ids: Sequence[int], names: dict[str, str]) -> None:
        worker = get_current_worker()
        last_post = [0.0]

        def progress(done: int) -> None:
            now = time.monotonic()
            if now - last_post[0] >= 0.1 or done == len(ids):
                last_post[0] = now
                self.post_message(ExportProgress(done, len(ids)))

        try:
            written = export_changes(
                self.store,
                ids,
                request.path,
                request.fmt,
                names,
                progress=progress,
                cancelled=lambda: worker.is_cancelled,
            )
        except Exception as exc:
            self.post_message(ExportFinished(request.path, 0, error=str(exc) or type(exc).__name__))
            return
        self.post_message(ExportFinished(request.path, written))

    def on_export_progress(self, message: ExportProgress) -> None:
        self.query_one("#feed-export-progress", ProgressBar).update(
            total=max(1, message.total), progress=message.done
        )

    def on_export_finished(self, message: ExportFinished) -> None:
        self.exporting = False
        self.remove_class("-exporting")
        if message.error:
            self.notify(f"Export failed: {message.error}", severity="error", timeout=10)
        else:
            noun = "change" if message.written == 1 else "changes"
            self.notify(f"Exported {message.written:,} {noun} to {message.path}", timeout=8)
