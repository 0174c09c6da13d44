"""The header strip: what the feed is doing right now, at a glance.

Line one: the account, follow/paused state, total stored, the rate (changes per second) and a
sparkline of the last minutes. Line two: one entry per feed — total, backlog (`hasMore`
still true), time since its last successful poll, or the error it is backing off from.

Everything here is computed by the screen on its timer into plain values (`FeedStatus`,
`HeaderState`); the widgets only repaint when those values actually change, so an idle
viewer sends nothing to the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Sparkline, Static

from synctui.services.vendor_rules import feed_title
from synctui.ui.feed.palette import FeedPalette, PaletteCache

BOLD = Style(bold=True)

FEED_TITLE = feed_title()  # whose changes these are ("LetsBuild")


@dataclass(frozen=True)
class FeedStatus:
    feed: str
    total: int
    backlog: bool  # the last page said hasMore: the engine is still catching up
    ago: str  # since the last successful poll ("2 s ago", "never")
    error: str | None = None  # the error being backed off from
    retries: int = 0


@dataclass(frozen=True)
class HeaderState:
    account: str
    mode: str  # "following", "paused", "browsing"
    total: int
    new_since_pause: int
    rate: float | None  # None while the initial backlog is still being stored
    engine: str  # "running", "stopped: …", "starting"


def compact(n: int) -> str:
    """12,345 up to 99,999; then 123k, 4.5M — feed totals must fit at 80 columns."""
    if n < 100_000:
        return f"{n:,}"
    if n < 1_000_000:
        return f"{n // 1000}k"
    return f"{n / 1_000_000:.1f}M"


def format_rate(rate: float) -> str:
    if rate < 10:
        return f"{rate:.1f}"
    return f"{rate:,.0f}"


def title_text(state: HeaderState, palette: FeedPalette, width: int = 120) -> Text:
    roomy = width >= 100
    text = Text(f" {FEED_TITLE} changes · " if roomy else " ", style="bold")
    text.append(f"{state.account}  ", style=palette.muted if roomy else "bold")
    if state.mode == "following":
        text.append("● FOLLOWING", style=palette.success + BOLD)
    else:
        label = "❚❚ PAUSED" if state.mode == "paused" else "❚❚ BROWSING"
        text.append(label, style=palette.warning + BOLD)
        if state.new_since_pause:
            text.append(f"  +{state.new_since_pause:,} new", style=palette.accent)
    text.append(f"   {state.total:,}" + (" stored" if roomy else ""), style="bold")
    if state.engine != "running":
        style = palette.error if state.engine.startswith("stopped") else palette.muted
        text.append(f"   {state.engine}", style=style)
    return text


def feeds_text(statuses: Sequence[FeedStatus], palette: FeedPalette, width: int) -> Text:
    """One entry per feed; narrower terminals get shorter words, never a second line.

    While any feed is backing off, the error comes first (so it is never the part cut off)
    and each failing feed is marked ▲ in the totals after it.
    """
    roomy = width >= 110
    text = Text(" ")
    failing = [s for s in statuses if s.error]
    if failing:
        noun = "feed" if len(failing) == 1 else "feeds"
        text.append(f"▲ {len(failing)} {noun} backing off: ", style=palette.error)
        text.append(_clip(failing[0].error or "", 60 if roomy else 30), style=palette.error)
        text.append("  │ ", style=palette.muted)
    for i, status in enumerate(statuses):
        if i:
            text.append("  │  " if roomy and not failing else " │ ", style=palette.muted)
        if status.error:
            dot, style = "▲", palette.error
        elif status.backlog:
            dot, style = "⟳", palette.warning
        else:
            dot, style = "●", palette.success
        text.append(f"{dot} ", style=style)
        text.append(status.feed, style="bold")
        text.append(f" {compact(status.total)}")
        if status.error:
            continue
        if status.backlog:
            text.append(" catching up" if roomy else " backlog", style=palette.warning)
        elif not failing:
            text.append(f" {status.ago if roomy else short_ago(status.ago)}", style=palette.muted)
    text.truncate(max(1, width), overflow="ellipsis")
    return text


def _clip(message: str, width: int) -> str:
    message = " ".join(message.split())
    return message if len(message) <= width else message[: width - 1] + "…"


def short_ago(ago: str) -> str:
    """'4 s ago' → '4s', 'just now' → 'now' (80-column terminals)."""
    if ago == "just now":
        return "now"
    return ago.replace(" ago", "").replace(" min", "m").replace(" ", "")


class FeedHeader(Widget):
    """Two lines: title + rate + sparkline, then per-feed totals and health."""

    DEFAULT_CSS = """
    FeedHeader { height: 2; background: $panel; color: $foreground; }
    FeedHeader > Horizontal { height: 1; }
    FeedHeader #feed-title { width: 1fr; height: 1; }
    FeedHeader #feed-rate { width: auto; height: 1; padding: 0 1; }
    FeedHeader #feed-sparkline { width: 36; height: 1; margin-right: 1; }
    FeedHeader #feed-feeds { height: 1; }
    FeedHeader.-narrow #feed-sparkline { width: 16; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._palettes = PaletteCache()
        self._state: HeaderState | None = None
        self._statuses: tuple[FeedStatus, ...] = ()
        self._series: tuple[float, ...] = ()
        self._feeds_width = 0

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static("", id="feed-title")
            yield Static("", id="feed-rate")
            yield Sparkline([0.0], id="feed-sparkline", summary_function=_mean)
        yield Static("", id="feed-feeds")

    def show(
        self, state: HeaderState, statuses: Sequence[FeedStatus], series: Sequence[float]
    ) -> None:
        """Repaint only the parts whose values changed since the last call."""
        palette = self._palettes.get(self.app)
        width = self.size.width
        if state != self._state or width != self._feeds_width:
            self._state = state
            self.query_one("#feed-title", Static).update(title_text(state, palette, width))
            rate = (
                Text("catching up", style=palette.warning)
                if state.rate is None
                else Text.assemble((format_rate(state.rate), "bold"), ("/s", palette.muted))
            )
            self.query_one("#feed-rate", Static).update(rate)
        if tuple(statuses) != self._statuses or width != self._feeds_width:
            self._statuses = tuple(statuses)
            self._feeds_width = width
            self.query_one("#feed-feeds", Static).update(feeds_text(statuses, palette, width))
        if tuple(series) != self._series:
            self._series = tuple(series)
            self.query_one("#feed-sparkline", Sparkline).data = list(series) or [0.0]
        self.set_class(width < 100, "-narrow")


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
