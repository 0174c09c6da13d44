"""synctui: browse, edit and watch data syncs across five SaaS vendors from the terminal.

Kept import-free on purpose: `synctui --version` and headless commands must start fast,
so nothing heavy (Textual, httpx, gql, keyring) is imported at package import time.
"""

__version__ = "0.1.0"
