"""Opening the TUI (placeholder until the full TUI lands): starts the demo sandbox if asked."""

from __future__ import annotations

import argparse


def launch(args: argparse.Namespace) -> int:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static

    demo = None
    if args.demo:
        from synctui.services.demo import start_demo

        demo = start_demo()

    class Minimal(App[None]):
        BINDINGS = [("q", "quit", "Quit")]

        def compose(self) -> ComposeResult:
            yield Header()
            text = "synctui"
            if demo is not None:
                text += f" — demo sandbox on {demo.sandbox.base_url}"
            yield Static(text)
            yield Footer()

    try:
        Minimal().run()
    finally:
        if demo is not None:
            demo.stop()
    return 0
