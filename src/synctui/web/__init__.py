"""The browser face of synctui (`synctui serve`): the same Textual app, one process per tab.

Imported only by the `serve` command: aiohttp and textual-serve stay out of every other
command's start-up.
"""
