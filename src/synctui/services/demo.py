"""The built-in demo: an in-process sandbox and one in-memory account per vendor.

Nothing here touches the config dir or the keyring: demo tokens live only in this process —
or, under `synctui serve --demo`, in the environment of the app processes the server starts
(one per browser tab), which attach to the server's sandbox instead of starting their own.
Accounts added during a demo run go to the demo's own scratch `accounts.toml` and an
in-memory token store, both gone when the demo stops — a demo never writes a user file.

The TUI does not wait for the sandbox (`begin_demo`): the demo accounts' names and vendors are
fixed, so the first frame shows them at once while the sandbox starts on a thread; their
addresses and tokens are filled in when it answers (`Demo.wait_started`). The simulators
(Starlette, uvicorn) are imported only by that start.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from synctui.domain.errors import ConfigError
from synctui.store.accounts import Account, AccountStore
from synctui.store.secrets import MemoryTokenStore

if TYPE_CHECKING:
    from synctui.sandbox.server import Sandbox

SHARED_DEMO_ENV = "SYNCTUI_SHARED_DEMO"
# The demo accounts a started sandbox offers (`demo_accounts`), in order: known before it runs.
DEMO_ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("speckle-demo", "speckle"),
    ("letsbuild-demo", "letsbuild"),
    ("polytomic-demo", "polytomic"),
    ("signalsmith-acme", "signalsmith"),
    ("signalsmith-northwind", "signalsmith"),
    ("paragon-demo", "paragon"),
)
# Bound for waiting on a starting sandbox when the demo stops (it starts in about a second).
START_JOIN_SECONDS = 30.0


class SharedDemoError(ValueError):
    """The shared-demo description in the environment is unusable."""


@dataclass
class Demo:
    sandbox: Sandbox | None  # None when attached to a sandbox another process runs
    accounts: list[Account]
    tokens: dict[str, str]
    # The demo sandbox is reborn every run, so its feed positions must not outlive it.
    scratch: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="synctui-demo-")))
    # False for a process attached to another's sandbox: the owner stops it and removes scratch.
    owned: bool = True
    token_store: MemoryTokenStore = field(default_factory=MemoryTokenStore)
    # A demo from `begin_demo` until its sandbox is up (or failed): see `wait_started`.
    _starting: _Start | None = field(default=None, repr=False)

    @property
    def pending(self) -> bool:
        """Its sandbox is still starting: the accounts have names and vendors, no address."""
        return self._starting is not None and not self._starting.done.is_set()

    def start_in_background(self) -> None:
        """Start the sandbox on a thread (once); `wait_started` tells when it answers."""
        if self._starting is not None:
            self._starting.begin(self)

    async def wait_started(self) -> None:
        """Return once the sandbox answers and the accounts carry its addresses and tokens
        (at once for a demo that was started whole); raise ConfigError if it cannot start."""
        if self._starting is not None:
            await self._starting.wait()

    @property
    def account_store(self) -> AccountStore:
        """Where accounts added during the demo are kept: the scratch dir, not the config."""
        return AccountStore(self.scratch / "accounts.toml")

    @property
    def feed_db(self) -> Path:
        return self.scratch / "feeds.sqlite3"

    @property
    def journal_db(self) -> Path:
        """Demo writes are journaled like any other, but not into the user's real journal."""
        return self.scratch / "journal.sqlite3"

    def token_for(self, account: Account) -> str | None:
        return self.tokens.get(account.name)

    def stop(self) -> None:
        if not self.owned:
            return
        if self._starting is not None:
            self._starting.join()
        if self.sandbox is not None:
            self.sandbox.stop()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def shared(self) -> str:
        """What a process needs to attach to this demo (`attach_demo`): the sandbox's banner
        (URLs, ids, demo tokens) and the scratch dir, so every attached process sees one
        sandbox, one feed store and one journal. It carries tokens: pass it only through the
        environment of a child process, never on a command line or to a browser."""
        assert self.sandbox is not None
        return json.dumps({"info": self.sandbox.info(), "scratch": str(self.scratch)})


def demo_accounts(
    info: dict, *, readonly_tokens: bool = False
) -> tuple[list[Account], dict[str, str]]:
    """Accounts for a running sandbox, from its banner info (the same a user would copy)."""
    kind = "ro" if readonly_tokens else "rw"
    accounts: list[Account] = []
    tokens: dict[str, str] = {}

    def add(account: Account, token: str | None) -> None:
        if token:  # a simulator that offers no token (yet) gets no demo account
            accounts.append(account)
            tokens[account.name] = token

    sp = info["speckle"]
    add(
        Account(
            name="speckle-demo",
            vendor="speckle",
            base_url=sp["base_url"],
            projects=tuple(sp["ids"].get("projects", ())),
        ),
        sp["tokens"].get(kind),
    )
    lb = info["letsbuild"]
    add(
        Account(name="letsbuild-demo", vendor="letsbuild", base_url=lb["base_url"]),
        lb["tokens"].get(kind),
    )
    pt = info["polytomic"]
    add(
        Account(name="polytomic-demo", vendor="polytomic", base_url=pt["base_url"]),
        pt["tokens"].get(kind),
    )
    ss = info["signalsmith"]
    for label, workspace in zip(
        ("acme", "northwind"), ss["ids"].get("workspaces", ()), strict=False
    ):
        add(
            Account(
                name=f"signalsmith-{label}",
                vendor="signalsmith",
                base_url=ss["base_url"],
                workspace=workspace,
            ),
            ss["tokens"].get(kind),
        )
    pg = info["paragon"]
    add(
        Account(name="paragon-demo", vendor="paragon", base_url=pg["base_url"]),
        pg["tokens"].get(kind),
    )
    return accounts, tokens


def start_sandbox(
    *, seed: int = 7, frozen: bool = False, changes_per_second: float = 4.0, scale: int = 1
) -> Sandbox:
    from synctui.sandbox.core import SandboxConfig
    from synctui.sandbox.server import Sandbox

    sandbox = Sandbox(
        SandboxConfig(
            port=0, seed=seed, frozen=frozen, changes_per_second=changes_per_second, scale=scale
        )
    ).start()
    if frozen:
        # A frozen clock never lets a rate-limit window pass; screenshots need no limit.
        limited = sandbox.sim("signalsmith")
        limited.requests_per_minute = None  # type: ignore[attr-defined]
        limited.burst_per_second = None  # type: ignore[attr-defined]
    return sandbox


def start_demo(
    *, seed: int = 7, frozen: bool = False, changes_per_second: float = 4.0, scale: int = 1
) -> Demo:
    """A demo whose sandbox is up when this returns."""
    sandbox = start_sandbox(
        seed=seed, frozen=frozen, changes_per_second=changes_per_second, scale=scale
    )
    accounts, tokens = demo_accounts(sandbox.info())
    return Demo(sandbox=sandbox, accounts=accounts, tokens=tokens)


def begin_demo(start: Callable[[], Sandbox] = start_sandbox) -> Demo:
    """A demo whose accounts are known now and whose sandbox starts when asked
    (`Demo.start_in_background`), by `start` (tests hold it back to see the first frame)."""
    accounts = [Account(name=name, vendor=vendor, base_url="") for name, vendor in DEMO_ACCOUNTS]
    return Demo(sandbox=None, accounts=accounts, tokens={}, _starting=_Start(start))


class _Start:
    """The background start of a demo's sandbox, and everyone waiting for it.

    The thread fills the demo in (sandbox, then accounts with addresses, then tokens) and
    sets `done`; waiters on event loops are woken through their loop, never touched from
    the thread.
    """

    def __init__(self, start: Callable[[], Sandbox]) -> None:
        self._start = start
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self.done = threading.Event()
        self.error: BaseException | None = None

    def begin(self, demo: Demo) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(
                target=self._run, args=(demo,), name="synctui-demo-start", daemon=True
            )
        self._thread.start()

    def _run(self, demo: Demo) -> None:
        try:
            sandbox = self._start()
            demo.sandbox = sandbox
            accounts, tokens = demo_accounts(sandbox.info())
            demo.tokens.update(tokens)
            by_name = {a.name: a for a in accounts}
            demo.accounts[:] = [by_name.get(a.name, a) for a in demo.accounts]
        except BaseException as exc:  # reported to every waiter as one sentence
            self.error = exc
        finally:
            with self._lock:
                self.done.set()
                waiters, self._waiters = self._waiters, []
            for loop, future in waiters:
                loop.call_soon_threadsafe(_wake, future)

    async def wait(self) -> None:
        if not self.done.is_set():
            loop = asyncio.get_running_loop()
            future: asyncio.Future[None] = loop.create_future()
            with self._lock:
                if self.done.is_set():
                    future.set_result(None)
                else:
                    self._waiters.append((loop, future))
            await future
        if self.error is not None:
            raise ConfigError(f"the demo sandbox could not start: {self.error}")

    def join(self) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout=START_JOIN_SECONDS)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():  # its waiter may have been cancelled meanwhile
        future.set_result(None)


def attach_demo(shared: str) -> Demo:
    """A demo on a sandbox another process runs (see `Demo.shared`); stopping it is a no-op."""
    try:
        payload = json.loads(shared)
        info, scratch = payload["info"], Path(payload["scratch"])
        accounts, tokens = demo_accounts(info)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise SharedDemoError(f"{SHARED_DEMO_ENV} is not a shared demo description") from exc
    if not scratch.is_dir():
        raise SharedDemoError(f"the shared demo's directory {scratch} is gone")
    return Demo(sandbox=None, accounts=accounts, tokens=tokens, scratch=scratch, owned=False)


def frozen_epoch() -> datetime:
    """A frozen demo's instant, the clock of its session (`services.opening`); imported on
    demand like the rest of the sandbox."""
    from synctui.sandbox.core import FROZEN_EPOCH

    return FROZEN_EPOCH
