"""The built-in demo: an in-process sandbox and one in-memory account per vendor.

Nothing here touches the config dir or the keyring: demo tokens live only in this process —
or, under `synctui serve --demo`, in the environment of the app processes the server starts
(one per browser tab), which attach to the server's sandbox instead of starting their own.
Accounts added during a demo run go to the demo's own scratch `accounts.toml` and an
in-memory token store, both gone when the demo stops — a demo never writes a user file.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# FROZEN_EPOCH: a frozen demo's instant, the clock of its session (services.opening).
from synctui.sandbox.core import FROZEN_EPOCH as FROZEN_EPOCH
from synctui.sandbox.core import SandboxConfig
from synctui.sandbox.server import Sandbox
from synctui.store.accounts import Account, AccountStore
from synctui.store.secrets import MemoryTokenStore

SHARED_DEMO_ENV = "SYNCTUI_SHARED_DEMO"


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


def start_demo(
    *, seed: int = 7, frozen: bool = False, changes_per_second: float = 4.0, scale: int = 1
) -> Demo:
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
    accounts, tokens = demo_accounts(sandbox.info())
    return Demo(sandbox=sandbox, accounts=accounts, tokens=tokens)


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
