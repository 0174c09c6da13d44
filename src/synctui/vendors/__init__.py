"""vendors layer.

httpx imports its own command-line client when it is imported (click, pygments' lexers,
rich's syntax and progress modules): about a quarter of what synctui imports before its
first frame, for a program synctui never runs. Marked absent here — before any adapter
imports httpx — httpx takes its documented fallback (`httpx.main` then only says the CLI
extras are missing). A process that imported it already keeps it.
"""

import sys

sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
