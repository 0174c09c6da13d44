"""`synctui serve --demo`: the server's demo, attached to by every tab's app process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest

from synctui.services.demo import SHARED_DEMO_ENV, SharedDemoError, attach_demo, start_demo
from synctui.ui.served import SERVED_ENV


def test_an_attached_demo_shares_the_sandbox_and_the_scratch_dir() -> None:
    owner = start_demo(frozen=True, changes_per_second=0)
    try:
        attached = attach_demo(owner.shared())
        assert [a.name for a in attached.accounts] == [a.name for a in owner.accounts]
        assert [a.base_url for a in attached.accounts] == [a.base_url for a in owner.accounts]
        assert attached.tokens == owner.tokens
        assert attached.feed_db == owner.feed_db and attached.journal_db == owner.journal_db
        attached.stop()  # a tab's app quitting stops nothing of the server's
        assert owner.scratch.is_dir()
        assert httpx.get(f"{owner.sandbox.base_url}/_admin/info", timeout=10).status_code == 200
    finally:
        owner.stop()
    assert not owner.scratch.exists()


@pytest.mark.parametrize(
    "shared", ["", "not json", "[]", '{"info": {}}', json.dumps({"info": {}, "scratch": "/"})]
)
def test_a_broken_description_is_refused(shared: str) -> None:
    with pytest.raises(SharedDemoError):
        attach_demo(shared)


def test_a_vanished_scratch_dir_is_refused() -> None:
    owner = start_demo(frozen=True, changes_per_second=0)
    try:
        shared = json.loads(owner.shared())
    finally:
        owner.stop()
    with pytest.raises(SharedDemoError, match="gone"):
        attach_demo(json.dumps(shared))


def test_the_app_says_so_in_one_line_when_the_description_is_broken() -> None:
    # As `synctui serve --demo` starts each tab's app: served (no terminal) and handed a
    # description of the shared sandbox.
    env = {**os.environ, SHARED_DEMO_ENV: "not json", SERVED_ENV: "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "synctui", "--demo"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 1
    assert (
        proc.stderr.strip() == f"synctui: error: {SHARED_DEMO_ENV} is not a shared demo description"
    )
