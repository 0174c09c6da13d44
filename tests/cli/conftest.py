"""CLI tests run `synctui.cli.main` in-process against a sandbox, with a saved account whose
token comes from its SYNCTUI_TOKEN_<NAME> variable, exactly as a user would set it up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from synctui.cli import main
from synctui.sandbox.server import Sandbox


@dataclass
class Ran:
    code: int
    out: str
    err: str


Run = Callable[..., Ran]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Run one command; argparse's SystemExit becomes an exit code like any other."""

    def invoke(*argv: str) -> Ran:
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def speckle_account(sandbox: Sandbox, run: Run, monkeypatch: pytest.MonkeyPatch) -> str:
    """An account "prod" on the sandbox's Speckle, every project, token in the environment."""
    info = sandbox.info()["speckle"]
    projects = [arg for pid in info["ids"]["projects"] for arg in ("--project", pid)]
    added = run(
        "accounts", "add", "prod", "--vendor", "speckle", "--url", info["base_url"], *projects
    )
    assert added.code == 0, added.err
    monkeypatch.setenv("SYNCTUI_TOKEN_PROD", info["tokens"]["rw"])
    return "prod"


@pytest.fixture
def offline_account(run: Run, monkeypatch: pytest.MonkeyPatch) -> str:
    """An account whose URL nothing listens on: a command that fails with a usage error
    instead of a network error proves it stopped before any I/O."""
    added = run(
        "accounts",
        "add",
        "offline",
        "--vendor",
        "speckle",
        "--url",
        "http://127.0.0.1:9",
        "--project",
        "p1",
    )
    assert added.code == 0, added.err
    monkeypatch.setenv("SYNCTUI_TOKEN_OFFLINE", "offline-token-0123456789")
    return "offline"
