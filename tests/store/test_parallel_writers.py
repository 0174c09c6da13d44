"""Several synctui processes writing accounts.toml and tokens.toml at once lose nothing.

Each `accounts add` reads the file, adds its entry and writes the file back; without a lock,
two processes that read before either wrote keep only the last writer's entry. Real
processes, started together, as a provisioning script running them in parallel would.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

COUNT = 8
ADD_ARGV = (
    *(sys.executable, "-m", "synctui", "accounts", "add"),
    *("--vendor", "paragon", "--token-stdin", "--insecure-storage"),
)


def test_parallel_account_adds_keep_every_account_and_token(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "synctui",
                "accounts",
                "add",
                f"box-{i}",
                "--vendor",
                "paragon",
                "--url",
                f"https://box-{i}.example",
                "--token-stdin",
                "--insecure-storage",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for i in range(COUNT)
    ]
    outcomes = [
        child.communicate(f"token-{i}-0123456789\n".encode(), timeout=300)
        for i, child in enumerate(children)
    ]
    for child, (_, err) in zip(children, outcomes, strict=True):
        assert child.returncode == 0, err.decode()

    config = tmp_path / "config" / "synctui"
    accounts = tomllib.loads((config / "accounts.toml").read_text())["accounts"]
    tokens = tomllib.loads((config / "tokens.toml").read_text())["tokens"]
    assert sorted(accounts) == sorted(f"box-{i}" for i in range(COUNT))
    assert tokens == {f"box-{i}": f"token-{i}-0123456789" for i in range(COUNT)}
    for name in ("accounts.toml", "tokens.toml"):
        assert stat.S_IMODE((config / name).stat().st_mode) == 0o600
    leftovers = [p.name for p in config.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_the_lock_excludes_another_process(tmp_path: Path) -> None:
    """While one process holds the lock, another cannot take it (it would wait)."""
    target = tmp_path / "accounts.toml"
    probe = (
        "import fcntl, sys\n"
        f"fd = open({str(target.parent / '.accounts.toml.lock')!r}, 'a')\n"
        "try:\n"
        "    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "except BlockingIOError:\n"
        "    sys.exit(3)\n"
    )
    from synctui.store.paths import locked

    with locked(target):
        held = subprocess.run([sys.executable, "-c", probe], timeout=60)
    free = subprocess.run([sys.executable, "-c", probe], timeout=60)
    assert (held.returncode, free.returncode) == (3, 0)
    lock = target.parent / ".accounts.toml.lock"
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600


ROUNDS = 25
LOOP = """
import io, sys
from synctui.cli import main
worker = int(sys.argv[1])
for round in range({rounds}):
    sys.stdin = io.StringIO(f"token-{{worker}}-{{round}}-0123456789\\n")
    name = f"w{{worker}}-{{round}}"
    code = main(["accounts", "add", name, "--vendor", "paragon", "--url", "https://x.example",
                 "--token-stdin", "--insecure-storage"])
    if code:
        sys.exit(code)
"""


def test_parallel_writers_in_a_loop_lose_nothing(tmp_path: Path) -> None:
    """The same, with many adds per process, so that reads and writes interleave for sure."""
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    script = LOOP.format(rounds=ROUNDS)
    children = [
        subprocess.Popen([sys.executable, "-c", script, str(w)], env=env, stderr=subprocess.PIPE)
        for w in range(COUNT)
    ]
    for child in children:
        _, err = child.communicate(timeout=600)
        assert child.returncode == 0, err.decode()
    config = tmp_path / "config" / "synctui"
    accounts = tomllib.loads((config / "accounts.toml").read_text())["accounts"]
    tokens = tomllib.loads((config / "tokens.toml").read_text())["tokens"]
    expected = {f"w{w}-{r}" for w in range(COUNT) for r in range(ROUNDS)}
    assert set(accounts) == expected
    assert set(tokens) == expected
