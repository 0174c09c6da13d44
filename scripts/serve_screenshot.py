"""`make serve-screenshot`: screenshots/serve-feed.png for the README — the live feed viewer
of `synctui serve --demo`, in headless chromium, once its backlog is stored and live changes
have been arriving for a while (so the rate and its sparkline show something).

    python -m scripts.serve_screenshot [PATH]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.web.browser import (
    Screen,
    caught_up,
    chromium,
    chromium_missing,
    open_feed,
    serving,
    table_loaded,
)

LIVE_CHANGES = 40  # about ten seconds of the demo's generator


def shoot(out: Path) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="synctui-shot-") as home,
        serving("--demo", home=Path(home)) as served,
        chromium(viewport=(1280, 720)) as page,
    ):
        screen = Screen(page)
        page.goto(served.url)
        screen.wait_for(table_loaded, "the sync table")
        screen.focus()
        open_feed(screen)
        first = screen.wait_for(caught_up, "the feed caught up with its backlog")
        screen.wait_for(
            lambda t: (n := caught_up(t)) is not None and n >= first + LIVE_CHANGES,
            f"{LIVE_CHANGES} live changes",
            seconds=120,
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))


def main(argv: list[str]) -> int:
    reason = chromium_missing()
    if reason:
        sys.stderr.write(f"serve-screenshot: {reason}\n")
        return 1
    out = Path(argv[0] if argv else "screenshots/serve-feed.png")
    shoot(out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
