"""The feed screen's detail pane: which change it shows, read on a thread worker.

A mixin of `FeedScreen`, apart because it holds one thing: keeping the pane on the change
under the cursor without reading the store on the UI thread. A reply for a change the
cursor has already left is dropped (`_detail_for`).
"""

from __future__ import annotations

from textual import work

from synctui.ui.feed.detail_model import load_detail
from synctui.ui.feed.detail_pane import DetailPane
from synctui.ui.feed.messages import DetailLoaded, WorkerProblem
from synctui.ui.feed.screen_part import FeedScreenPart


class DetailFlow(FeedScreenPart):
    """The detail half of the feed screen (the screen's parts: `FeedScreenPart`)."""

    _detail_for: int | None

    def action_toggle_detail(self) -> None:
        show = not self.has_class("-detail")
        self.set_class(show, "-detail")
        if show:
            self._detail_for = None
            self._request_detail(self.change_list.cursor_id)
            self.call_after_refresh(self.change_list.grew)  # keep the cursor row in view

    def _request_detail(self, change_id: int | None) -> None:
        if change_id == self._detail_for:
            return
        self._detail_for = change_id
        if change_id is None:
            self.query_one(DetailPane).show(None)
            return
        self._read_detail(change_id, dict(self.project_names))

    @work(thread=True, group="detail", exclusive=True, exit_on_error=False, name="detail")
    def _read_detail(self, change_id: int, names: dict[str, str]) -> None:
        try:
            detail = load_detail(self.store, self.account, change_id, names)
        except Exception as exc:
            self.post_message(WorkerProblem("Reading the change failed", str(exc)))
            return
        self.post_message(DetailLoaded(change_id, detail))

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        if message.change_id == self._detail_for:
            self.query_one(DetailPane).show(message.detail)
