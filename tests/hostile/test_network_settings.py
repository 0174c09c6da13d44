"""The `[network]` settings: read with the same care as the others, and what the README says.

The limits the hostile tests exercise come from `settings.toml`; a value that is not a number
in range is refused with the file and line named (a silently ignored limit is no limit), and
the README's example file must be the defaults it claims to be.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from synctui.services.session import network_options
from synctui.settings import Settings, SettingsError, load_settings, parse_settings
from synctui.vendors.http import Limits, RetrySettings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_network_example_is_the_defaults() -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"### Settings\n.*?```toml\n(.*?)```", text, re.S)
    assert block, "README: the settings.toml example is missing"
    data = tomllib.loads(block.group(1))
    settings = parse_settings(data, Path("README.md"))
    # The example also shows a theme and a keymap; its [network] values are the defaults.
    assert replace(settings, theme=None, extra={}) == Settings()
    assert set(data["network"]) == {
        "max_body_mb",
        "request_seconds",
        "command_seconds",
        "max_pages",
        "retry_attempts",
        "max_retry_wait_seconds",
    }


def test_defaults_match_the_policy_defaults() -> None:
    limits, retry = network_options(Settings())
    assert limits == Limits()
    assert (retry.attempts, retry.max_retry_after) == (
        RetrySettings().attempts,
        RetrySettings().max_retry_after,
    )


def test_network_values_become_limits(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(
        "[network]\nmax_body_mb = 0.25\nrequest_seconds = 2\ncommand_seconds = 0\n"
        "max_pages = 40\nretry_attempts = 1\nmax_retry_wait_seconds = 0.5\n"
    )
    limits, retry = network_options(load_settings(path))
    assert limits == Limits(max_body_bytes=256 * 1024, request_seconds=2.0, max_pages=40)
    assert (retry.attempts, retry.max_retry_after) == (1, 0.5)


@pytest.mark.parametrize(
    "line",
    [
        "max_body_mb = nan",
        "max_body_mb = 0",
        "request_seconds = inf",
        "request_seconds = -1",
        "command_seconds = -5",
        "max_pages = 1.5",
        "max_pages = 0",
        "retry_attempts = 0",
        "retry_attempts = true",
        'max_retry_wait_seconds = "30"',
    ],
)
def test_a_bad_network_value_is_refused_with_its_line(tmp_path: Path, line: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(f"version = 1\n\n[network]\n{line}\n")
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    key = line.split(" = ")[0]
    assert f"network.{key}" in str(caught.value) and "line 4" in str(caught.value)
