"""The shared confirmation dialog, wide enough for the requests a remedy sends.

Same behaviour as `ConfirmScreen` (focused on Cancel, Esc cancels); only wider, because the
point of this dialog is to show the exact requests, and vendor URLs are long.
"""

from __future__ import annotations

from synctui.ui.dialogs.confirm import ConfirmScreen


class RemedyConfirm(ConfirmScreen):
    DEFAULT_CSS = """
    RemedyConfirm > Vertical { width: 104; max-width: 96%; }
    """
