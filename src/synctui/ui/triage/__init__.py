"""Support triage in the TUI: the attention view, its investigation pane and fixes.

The main app opens it with `self.push_screen(AttentionScreen(self.session))`.
"""

from synctui.ui.triage.screen import AttentionScreen

__all__ = ["AttentionScreen"]
