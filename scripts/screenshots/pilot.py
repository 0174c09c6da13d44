"""Driving an app as a person would, and capturing it once nothing on it can still move.

Each screenshot is a fresh app at `SIZE`, driven with Textual's Pilot; `capture` waits for
every worker and animation, stops blinking cursors and clears notifications, then exports
the SVG with Rich's content-hash ids normalised away (`normalize_svg`).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App
    from textual.pilot import Pilot

SIZE = (120, 40)

_UNIQUE_ID = re.compile(r"\bterminal-\d+-([\w-]+)")


def normalize_svg(svg: str) -> str:
    """Drop the content-hash id Rich puts in every class and clip-path name (the same rule
    as pytest-textual-snapshot), so that files differ only where the screen does."""
    return _UNIQUE_ID.sub(r"terminal-\1", svg)


# --- pilot helpers --------------------------------------------------------------------------


async def settle(pilot: Pilot[Any], *, held: Sequence[str] = ()) -> None:
    """Until every worker has finished and every posted message was handled; workers of the
    `held` groups are left running (a batch held on purpose never finishes)."""
    from textual.worker import WorkerCancelled

    app = pilot.app

    def busy() -> list[Any]:
        return [w for w in app.workers if w.group not in held]

    for _ in range(200):
        waiting = busy()
        if waiting:  # (an empty list would mean "every worker", held ones included)
            with contextlib.suppress(WorkerCancelled):
                await app.workers.wait_for_complete(waiting)
        await pilot.pause()
        catalog = getattr(app, "catalog", None)
        loading = catalog.loading() if catalog is not None else []
        settled = getattr(app, "settled", True)  # every account of the view in, table rebuilt
        if settled and not loading and not any(w.is_running for w in busy()):
            break
    await pilot.pause()


async def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Let the app run until `condition` holds; the limit only turns a hang into an error.

    It sleeps rather than `pilot.pause()`s between looks: a pause waits for every widget's
    queue and forces a repaint, which over the feed's 180 steps costs more than the steps.
    """
    deadline = time.monotonic() + 60
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"screenshot gave up waiting for {what}")
        await asyncio.sleep(0.002)


async def capture(pilot: Pilot[Any], title: str, *, held: Sequence[str] = ()) -> str:
    """The screen as an SVG once nothing on it can still move."""
    from textual.widgets import Input, TextArea

    app = pilot.app
    await settle(pilot, held=held)
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for area in app.screen.query(TextArea):
        area.cursor_blink = False
    app.clear_notifications()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    return normalize_svg(app.export_screenshot(title=title, simplify=True))


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type `text` key by key, as a person would."""
    keys = [{" ": "space", "/": "slash", ":": "colon", ".": "full_stop"}.get(c, c) for c in text]
    await pilot.press(*keys)


async def command(pilot: Pilot[Any], line: str, *, typed: str | None = None) -> None:
    """`:` and a command line, then Enter (k9s style). With `typed`, only that much is typed
    and Tab completes the rest from the grey suggestion, as a person in a hurry does."""
    from textual.widgets import Input

    await pilot.press("colon")
    await type_text(pilot, typed or line)
    if typed is not None:
        await settle(pilot)  # the suggestion is computed in a worker
        await pilot.press("tab")
        prompt = pilot.app.focused
        if not isinstance(prompt, Input) or prompt.value != line:
            shown = getattr(prompt, "value", prompt)
            raise RuntimeError(f"Tab completed {typed!r} to {shown!r}, not {line!r}")
    await pilot.press("enter")
    await settle(pilot)


@contextlib.asynccontextmanager
async def running(app: App[Any]) -> AsyncIterator[Pilot[Any]]:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        yield pilot


async def arrow_to(pilot: Pilot[Any], predicate: Callable[[Any], bool], what: str) -> None:
    """Arrow down the sync table to the first sync matching `predicate`, looking at each row
    the cursor lands on, as a person does."""
    main = pilot.app.main  # type: ignore[attr-defined]
    for _ in range(main.table.row_count):
        sync = main.selected_sync()
        if sync is not None and predicate(sync):
            return
        await pilot.press("down")
    raise RuntimeError(f"no listed sync is {what}")


async def choose(pilot: Pilot[Any], select_id: str, value: str) -> None:
    """Open the focused Select with Enter and arrow to `value` (counted from the options
    the person sees), then Enter again."""
    from textual.widgets import Select

    select = pilot.app.screen.query_one(f"#{select_id}", Select)
    values = [v for _label, v in select._options]  # what its dropdown lists, in order
    steps = values.index(value) - values.index(select.value)
    await pilot.press("enter")
    await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps))
    await pilot.press("enter")
    await settle(pilot)
    if select.value != value:
        raise RuntimeError(f"#{select_id} shows {select.value!r}, not {value!r}")


async def replace_text(pilot: Pilot[Any], text: str) -> None:
    """In the focused Input: to the end, delete everything left of it, type `text`."""
    await pilot.press("end", "ctrl+u")
    await type_text(pilot, text)
