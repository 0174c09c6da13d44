"""`synctui serve --demo` in a real browser: Debian's chromium, headless, driven by Playwright.

The test reads what a person would see — the terminal's rows, from xterm.js's own buffer —
and types as a person would. Without chromium it is skipped (and says how to get it); CI
installs chromium first, so there it always runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.web.browser import (
    Screen,
    Served,
    caught_up,
    chromium,
    chromium_missing,
    demo_tokens,
    http_status,
    number,
    open_feed,
    proc_cmdline,
    proc_environ,
    serving,
    table_loaded,
    websocket_status,
)

MISSING = chromium_missing()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(MISSING is not None, reason=MISSING or "")]

FILTERED = re.compile(r"([\d,]+) of ([\d,]+) syncs │ filter: status=paused")
CALL_ROW = re.compile(r"letsbuild-demo\s+POST\s+query \w+\s+200\s")


def filtered(text: str) -> tuple[int, int] | None:
    match = FILTERED.search(text)
    return (number(match.group(1)), number(match.group(2))) if match else None


def check_404s(served: Served) -> None:
    """A wrong secret gets 404, over HTTP and for the websocket; the right one answers."""
    wrong = "W" * len(served.secret)
    assert http_status(served, f"/{served.secret}/") == 200
    for path in ("/", "/ws", f"/{wrong}/", f"/{wrong}/static/js/textual.js"):
        assert http_status(served, path) == 404, path
    assert websocket_status(served, f"/{wrong}/ws", origin=served.origin) == 404
    assert websocket_status(served, "/ws", origin=served.origin) == 404


def test_the_demo_in_a_browser(tmp_path: Path) -> None:
    with serving("--demo", home=tmp_path / "home") as served:
        check_404s(served)
        with chromium() as page:
            screen = Screen(page)
            page.goto(served.url)

            # The sync table, every account loaded, with the read-only lock.
            text = screen.wait_for(table_loaded, "the sync table with every demo account")
            assert "READ-ONLY" in text and "speckle-demo" in text

            # `/`, a filter, Enter: the table shows only the paused syncs.
            screen.focus()
            screen.press("/")
            screen.wait_for_text("filter: words")
            screen.type("status=paused")
            screen.press("Enter")
            shown, total = screen.wait_for(filtered, "the table filtered to paused syncs")
            assert 0 < shown < total
            table = [line.split("▕", 1)[1] for line in screen.text().splitlines() if "▕" in line]
            rows = [row for row in table if re.search(r"\b(speckle|polytomic|paragon)-demo", row)]
            assert rows and all("paused" in row for row in rows)

            # A write key in read-only mode: refused, and the page says so.
            screen.press("e")
            text = screen.wait_for_text("read-only mode: writes are refused")
            assert filtered(text) == (shown, total)  # still the table: no editor opened

            # `:feed`: the live LetsBuild feed; its backlog stored, then new changes arrive.
            open_feed(screen)
            before = screen.wait_for(caught_up, "the feed caught up with its backlog")
            after = screen.wait_for(
                lambda t: (n := caught_up(t)) is not None and n > before and n,
                f"live changes arriving after {before:,} stored",
            )
            assert after > before
            shot = tmp_path / "serve-feed.png"
            page.screenshot(path=str(shot))
            assert shot.read_bytes().startswith(b"\x89PNG")

            # The API call log in the page: calls listed, never a token.
            screen.press("@")
            screen.wait_for(CALL_ROW.search, "the API call log with answered calls")

            # Tokens stayed on the server: the one app process got them through its
            # environment; its command line, the page, the screens and the server's
            # output never held one.
            (pid,) = served.app_pids()
            tokens = demo_tokens(proc_environ(pid))
            assert tokens
            seen = [proc_cmdline(pid), page.content(), *screen.seen, served.printed()]
            for token in tokens:
                for where in seen:
                    assert token not in where
