"""Fixtures for service tests: a sandbox with hundreds of Speckle syncs and sessions on it."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from synctui.sandbox.core import SandboxConfig
from synctui.sandbox.server import Sandbox
from synctui.services.demo import demo_accounts
from synctui.services.session import Session, SessionOptions
from synctui.vendors.http import RetrySettings
from tests.waits import no_wait

SPECKLE = "speckle-demo"


@pytest.fixture
def big_sandbox() -> Iterator[Sandbox]:
    """Scale 4: about 500 Speckle syncs, enough for a batch of several hundred."""
    with Sandbox(SandboxConfig(port=0, scale=4, frozen=True, changes_per_second=0)) as sb:
        yield sb


def fast_retry() -> RetrySettings:
    """The real policy with seeded back-off whose waits pass at once: fault storms cost no time."""
    return RetrySettings(
        attempts=5, base_delay=0.002, max_delay=0.02, rng=random.Random(1), sleep=no_wait
    )


SessionFactory = Callable[..., Session]


@pytest.fixture
async def make_session() -> AsyncIterator[SessionFactory]:
    """Build sessions on a sandbox (journal in the test's isolated XDG data dir); all closed
    at the end."""
    made: list[Session] = []

    def make(sb: Sandbox, *, readonly: bool = False, retry: RetrySettings | None = None) -> Session:
        accounts, tokens = demo_accounts(sb.info())
        session = Session(
            accounts,
            lambda account: tokens.get(account.name),
            SessionOptions(readonly=readonly, retry=retry or fast_retry()),
        )
        made.append(session)
        return session

    yield make
    for session in made:
        await session.aclose()
