"""The first frame of `synctui --demo` is painted without the HTTP client, the models or an
adapter: the session, the catalog and the table need none of them to show the accounts and
a "… loading" row each, and importing them (pydantic, httpx, the vendors' adapters) was most
of what synctui's first paint cost beyond Textual's.

A fresh interpreter opens the session the way `synctui --demo` does, runs the app headless
with the sandbox's start held back, and once the start is asked for (after the first frame)
reports what is imported and whether the placeholder rows are painted. No sleeps: it waits
for the start to be asked for (an event).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

# Modules the first frame must not import: the HTTP client, the models' validation library,
# the models themselves and every vendor's adapter (their light rules modules are allowed).
HEAVY = ("httpx", "pydantic", "pydantic_core", "synctui.domain.models", "synctui.vendors.base")
ADAPTERS = (
    "synctui.vendors.speckle",
    "synctui.vendors.letsbuild",
    "synctui.vendors.polytomic",
    "synctui.vendors.signalsmith",
    "synctui.vendors.paragon",
)

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys, threading

    from synctui.settings import load_settings
    from synctui.services.demo import begin_demo
    from synctui.services.opening import open_session
    from synctui.ui.app import SyncTuiApp
    from synctui.ui.skeleton import LOADING_CELL

    asked, release = threading.Event(), threading.Event()

    def held_start():
        asked.set()
        release.wait(60)
        raise RuntimeError("the sandbox is not started: only the first frame is looked at")

    async def main():
        opened = open_session(demo=begin_demo(held_start), network=load_settings())
        session, demo = opened.session, opened.demo
        names = frozenset(a.name for a in session.accounts)
        app = SyncTuiApp(session, demo=demo, demo_names=names, refresh_seconds=0)
        try:
            async with app.run_test(size=(160, 40)) as pilot:
                assert await asyncio.to_thread(asked.wait, 60), "the demo never asked to start"
                await pilot.pause()
                table = app.main.table
                lines = [table.render_line(y).text for y in range(table.size.height)]
                report = {
                    "loading_rows": sum(LOADING_CELL in line for line in lines),
                    # None marks a module kept from loading (see synctui.vendors)
                    "modules": sorted(m for m, module in sys.modules.items() if module),
                }
        finally:  # let the held start fail only once the app is gone
            release.set()
            opened.close()
        print(json.dumps(report))

    asyncio.run(main())
    """
)


def _first_frame() -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_the_demo_first_frame_paints_without_httpx_pydantic_or_an_adapter() -> None:
    report = _first_frame()
    assert isinstance(report["loading_rows"], int) and report["loading_rows"] >= 1
    modules = report["modules"]
    assert isinstance(modules, list)
    heavy = [m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY]
    adapters = [m for m in modules if m.startswith(ADAPTERS) and not m.endswith("_rules")]
    assert heavy == [] and adapters == []
