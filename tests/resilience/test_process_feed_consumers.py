"""`synctui feed tail` output never skips a change: real processes, real pipes.

What the store has fetched and what a tail has printed are separate: each consumer keeps
its own position, moved only once a line was delivered (on a pipe: taken by the reader).
So a tail killed with -9 behind a slow reader prints, when started again, what it had not
delivered; two tails with different consumers each print the whole stream; and `| head -1`
moves the position past the one line head printed, not past what was still to come.

Delivery is at-least-once: the one line being delivered when the tail was killed may come
again. The sandbox's own change log is the ground truth; every wait is for a state (a line
read, a process ended), never for a duration.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from synctui.sandbox.core import SandboxConfig
from synctui.sandbox.server import Sandbox
from synctui.store.accounts import token_env_var
from tests.resilience.conftest import (
    add_account,
    feed_truth,
    run_cli,
    stored_changes,
    synctui_argv,
)

ACCOUNT = "site"
FEED = "project"  # 528 changes on this seed: the whole stream, printed line by line


@pytest.fixture
def feed_sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxConfig(port=0, seed=23, frozen=True, changes_per_second=0)) as sb:
        yield sb


@pytest.fixture
def env(feed_sandbox: Sandbox, fast_dirs: Path) -> dict[str, str]:
    info = feed_sandbox.info()["letsbuild"]
    add_account(ACCOUNT, "letsbuild", info["base_url"])
    return {**os.environ, token_env_var(ACCOUNT): info["tokens"]["rw"]}


def tail(env: dict[str, str], *extra: str, **kw: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        synctui_argv("feed", "tail", ACCOUNT, "--feed", FEED, "--json", *extra),
        stdin=subprocess.DEVNULL,
        stdout=kw.pop("stdout", subprocess.PIPE),  # type: ignore[arg-type]
        stderr=subprocess.PIPE,
        env=env,
        **kw,  # type: ignore[arg-type]
    )


def ids_of(lines: list[bytes]) -> list[int]:
    """Local change ids of complete JSON lines (a kill may cut the last one short)."""
    out: list[int] = []
    for line in lines:
        try:
            out.append(json.loads(line)["id"])
        except (json.JSONDecodeError, UnicodeDecodeError):
            assert line is lines[-1] and not line.endswith(b"\n"), line
    return out


def all_stored_ids() -> list[int]:
    from synctui.store.feedstore import ChangeFilter, FeedStore
    from synctui.store.paths import feed_db

    store = FeedStore(feed_db())
    try:
        return [c.id for c in store.iter_all(ACCOUNT, ChangeFilter(feeds=(FEED,)))]
    finally:
        store.close()


def assert_complete(sb: Sandbox) -> list[int]:
    """The store holds the sandbox's log exactly; returns the stored ids in order."""
    from synctui.store.paths import feed_db

    truth = feed_truth(sb)[FEED]
    stored = stored_changes(feed_db(), ACCOUNT)[FEED]
    assert [(e, o) for e, o, _ in stored] == [(e, o) for e, o, _ in truth]
    return all_stored_ids()


def test_kill_9_behind_a_slow_reader_then_restart_prints_what_was_not_delivered(
    feed_sandbox: Sandbox, env: dict[str, str]
) -> None:
    first = tail(env)
    assert first.stdout is not None
    read = [first.stdout.readline() for _ in range(5)]  # a slow reader: five lines so far
    assert all(line.endswith(b"\n") for line in read), read
    first.kill()  # SIGKILL: no handler, nothing flushed, nothing saved
    first.wait(timeout=60)
    read += first.stdout.read().splitlines(keepends=True)  # what the pipe still held
    before = ids_of(read)

    again = run_cli("feed", "tail", ACCOUNT, "--feed", FEED, "--json", env=env, timeout=300)
    assert again.code == 0, again.err
    after = ids_of([line.encode() for line in again.out.splitlines(keepends=True)])

    stored = assert_complete(feed_sandbox)
    shown = before + after
    assert set(shown) == set(stored), "a stored change was never printed"
    twice = [i for i, n in Counter(shown).items() if n > 1]
    # At least once: only the line being delivered at the kill may come again.
    assert len(twice) <= 1 and (not twice or twice == [before[-1]]), twice
    assert shown == sorted(shown), "printed out of order"


def test_two_consumers_each_print_the_whole_stream(
    feed_sandbox: Sandbox, env: dict[str, str]
) -> None:
    one = tail(env, "--consumer", "one")
    assert one.stdout is not None
    head = one.stdout.readline()  # the first consumer has stored and printed something
    assert head.endswith(b"\n")
    two = tail(env, "--consumer", "two", "--from-start")
    out_two, err_two = two.communicate(timeout=300)
    out_one, err_one = one.communicate(timeout=300)
    assert (one.returncode, two.returncode) == (0, 0), (err_one, err_two)

    stored = assert_complete(feed_sandbox)
    assert ids_of([head, *out_one.splitlines(keepends=True)]) == stored
    assert ids_of(out_two.splitlines(keepends=True)) == stored


def test_head_1_moves_the_position_past_one_line_only(
    feed_sandbox: Sandbox, env: dict[str, str]
) -> None:
    producer = tail(env)
    consumer = subprocess.Popen(
        ["head", "-1"], stdin=producer.stdout, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert producer.stdout is not None
    producer.stdout.close()  # head holds the only read end
    shown, _ = consumer.communicate(timeout=120)
    _, err = producer.communicate(timeout=120)
    assert producer.returncode == 0, err
    assert err == b"", err  # BrokenPipe handled quietly: no traceback, no "Exception ignored"
    (printed,) = ids_of(shown.splitlines(keepends=True))

    again = run_cli("feed", "tail", ACCOUNT, "--feed", FEED, "--json", env=env, timeout=300)
    assert again.code == 0, again.err
    rest = ids_of([line.encode() for line in again.out.splitlines(keepends=True)])
    stored = assert_complete(feed_sandbox)
    assert [printed, *rest] == stored  # nothing skipped, nothing twice
