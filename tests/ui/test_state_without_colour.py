"""Every state reads without colour: a ticked box and an unticked one differ in text, a radio
button is not a checkbox, and the feed's chosen filters are marked by more than a background."""

from __future__ import annotations

from rich.style import Style
from textual.app import App, ComposeResult
from textual.widgets import RadioSet

from synctui.ui.feed.filter_bar import FilterView, filter_text
from synctui.ui.feed.filters import FeedFilter
from synctui.ui.feed.palette import FeedPalette
from synctui.ui.widgets.toggles import Checkbox, RadioButton


class Toggles(App[None]):
    def compose(self) -> ComposeResult:
        yield Checkbox("off box", id="off")
        yield Checkbox("on box", value=True, id="on")
        with RadioSet():
            yield RadioButton("first", value=True, id="first")
            yield RadioButton("second", id="second")


def text_of(app: App[None], selector: str) -> str:
    widget = app.query_one(selector)
    return "".join(
        widget.render_line(y).text for y in range(widget.content_region.height or 1)
    ).strip()


async def test_toggles_show_their_state_in_text() -> None:
    app = Toggles()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        shown = {name: text_of(app, f"#{name}") for name in ("off", "on", "first", "second")}
    assert "[ ] off box" in shown["off"]
    assert "[x] on box" in shown["on"]
    assert "(•) first" in shown["first"]
    assert "( ) second" in shown["second"]


def test_chosen_feed_filters_are_bracketed() -> None:
    plain = FeedPalette(*([Style()] * 11))
    flt = FeedFilter(feeds=frozenset({"point"}), operations=frozenset({"deleted"}))
    text = filter_text(FilterView(flt, 10, 100, False), plain, 140).plain
    assert "[3 point]" in text and "[d deleted]" in text
    assert "[1 project]" not in text and "1 project" in text
    unfiltered = filter_text(FilterView(FeedFilter(), 100, 100, False), plain, 140).plain
    assert "[" not in unfiltered
