"""Opening a session: the one place that decides which accounts, tokens, journal and clock a
run of synctui uses, for the TUI, every CLI command and the screenshots alike.

Before this module each entry point built its own `Session` (and two development apps
existed only to pin a frozen clock). Now a run asks `open_session` for the built-in demo or
the user's accounts and gets one `Opened`: the session, the demo to stop afterwards, and the
clock every time-dependent view reads (`Session.clock`). A frozen demo brings the sandbox's
frozen instant as that clock, so ages and next runs never drift between captures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from synctui.services.session import (
    Clock,
    NetworkSettings,
    Session,
    SessionOptions,
    TokenProvider,
    network_options,
)
from synctui.store.accounts import Account, AccountStore
from synctui.store.secrets import TokenStore

if TYPE_CHECKING:  # the demo (and the sandbox behind it) is imported only when asked for:
    # a command on the user's own accounts never loads the simulators.
    from synctui.services.demo import Demo

__all__ = ["Clock", "Opened", "frozen_clock", "open_session", "stored_token"]


def frozen_clock() -> datetime:
    """The frozen sandbox's instant (seed data is laid out relative to it)."""
    from synctui.services.demo import frozen_epoch  # only a demo run reads it

    return frozen_epoch()


def stored_token(account: Account) -> str | None:
    """The token chain of a real run: environment variable, keyring, then the opt-in file."""
    resolved = TokenStore().get(account.name)
    return resolved.value if resolved else None


@dataclass
class Opened:
    """A session and what was started for it (the demo sandbox, stopped by `close`)."""

    session: Session
    demo: Demo | None = None

    @property
    def clock(self) -> Clock:
        return self.session.clock

    def close(self) -> None:
        """Stop the demo sandbox, if one was started for this session."""
        if self.demo is not None:
            self.demo.stop()


def open_session(
    *,
    demo: bool | Demo = False,
    shared_demo: str | None = None,
    frozen: bool = False,
    seed: int | None = None,
    changes_per_second: float | None = None,
    accounts: Sequence[Account] | AccountStore | None = None,
    token_for: TokenProvider | None = None,
    readonly: bool = False,
    network: NetworkSettings | None = None,
    options: SessionOptions | None = None,
    on_journal_busy: Callable[[int, str], None] | None = None,
    clock: Clock | None = None,
) -> Opened:
    """A session on the built-in demo (`demo`: True starts one, `shared_demo` attaches to
    the one `synctui serve --demo` runs, a `Demo` is reused) or on `accounts` (a list, an
    `AccountStore`, or by default accounts.toml) with their tokens from `token_for` (by
    default the stored-token chain).

    `network` applies the user's `[network]` settings; `clock` is the one clock of the run
    (by default the wall clock, or the sandbox's frozen instant for a `frozen` demo). A demo
    session journals into the demo's scratch directory, never the user's journal. Raises what
    the demo or the account store raise (`SharedDemoError`, `AccountError`, ...): each entry
    point turns them into its own one-line message.
    """
    options = options if options is not None else SessionOptions()
    options.readonly = options.readonly or readonly
    if on_journal_busy is not None:
        options.on_journal_busy = on_journal_busy
    if network is not None:
        options.limits, options.retry = network_options(network)
    started: Demo | None = None
    if not isinstance(demo, bool):
        started = demo
    elif shared_demo:
        from synctui.services.demo import attach_demo  # the simulators only for a demo

        started = attach_demo(shared_demo)
    elif demo or frozen:
        from synctui.services.demo import start_demo

        extra: dict[str, float | int] = {}
        if seed is not None:
            extra["seed"] = seed
        if changes_per_second is not None:
            extra["changes_per_second"] = changes_per_second
        started = start_demo(frozen=frozen, **extra)  # type: ignore[arg-type]
    if clock is not None:
        options.clock = clock
    elif frozen:
        options.clock = frozen_clock
    if started is not None:
        if options.journal_path is None:
            options.journal_path = started.journal_db
        listed = list(accounts) if isinstance(accounts, Sequence) else list(started.accounts)
        return Opened(Session(listed, token_for or started.token_for, options), started)
    if isinstance(accounts, Sequence):
        listed = list(accounts)
    else:
        listed = (accounts if accounts is not None else AccountStore()).load()
    return Opened(Session(listed, token_for or stored_token, options))
