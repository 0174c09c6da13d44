"""The `--demo` run's part of the app: its sandbox starts after the first frame, so whatever
reads an account before it answers waits for it here first.

The demo accounts' names and vendors are known at once (the first frame shows them); their
addresses and tokens come when the sandbox answers. A view opened in that second (the
table's loads, the feed viewer, the attention view) waits for `_demo_started`, which gives
the session and the catalog the started accounts. A part of `SyncTuiApp` kept in its own
module (the app is assembled from these mixins).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from synctui.domain import errors

if TYPE_CHECKING:
    from synctui.services.demo import Demo
    from synctui.services.session import Session
    from synctui.ui.catalog import Catalog


class DemoMixin:
    """Waiting for the demo's sandbox, for `SyncTuiApp`."""

    demo: Demo | None
    demo_names: set[str]
    session: Session
    catalog: Catalog

    if TYPE_CHECKING:  # provided by Textual's App and by SyncTuiApp (never defined here)

        def notify(self, message: str, **kwargs: Any) -> None: ...
        def call_after_refresh(self, callback: Any, *args: Any, **kwargs: Any) -> bool: ...
        def run_worker(self, work: Any, **kwargs: Any) -> Any: ...

    def is_demo_account(self, name: str) -> bool:
        return name in self.demo_names

    async def _demo_started(self) -> None:
        """A `--demo` sandbox still starting: wait for it, then give the session and the
        catalog the accounts' addresses (their names and vendors were known; states stay)."""
        demo = self.demo
        if demo is None:
            return
        await demo.wait_started()
        started = {a.name: a for a in demo.accounts if a.base_url}
        for index, account in enumerate(self.session.accounts):
            if not account.base_url and account.name in started:
                self.session.forget(account.name)  # nothing may keep the address-less one
                self.session.accounts[index] = started[account.name]
                if account.name in self.catalog.entries:
                    self.catalog.entry(account.name).account = started[account.name]

    def after_demo_start(
        self, what: str, then: Callable[[], None], *, failed: Callable[[], None] | None = None
    ) -> bool:
        """True when a `--demo` sandbox is still starting: `then` is run from the app's loop
        (as a key would run it) once the accounts have their addresses, or the one line why
        `what` cannot open is said (and `failed` run). False: nothing to wait for, go on."""
        if self.demo is None or not self.demo.pending:
            return False
        self.run_worker(
            self._after_start(what, then, failed),
            group=f"demo:{what}",
            exclusive=True,
            exit_on_error=False,
        )
        return True

    async def _after_start(
        self, what: str, then: Callable[[], None], failed: Callable[[], None] | None
    ) -> None:
        try:
            await self._demo_started()
        except errors.SyncTuiError as exc:
            self.notify(f"cannot open {what}: {exc}", severity="error")
            if failed is not None:
                failed()
            return
        self.call_after_refresh(then)
