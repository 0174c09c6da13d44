"""Another synctui process that begins one journal entry and then exits or waits.

The journal must tell a pending entry whose process still runs from one whose process is
gone; only a real second process can show that.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from synctui.store.journal import Journal

    journal = Journal(Path(sys.argv[1]) if sys.argv[1] else None)  # None: the user's
    entry = journal.begin("prod", "speckle", "s-child", "trigger", None, None, {"x": 1})
    print(entry, flush=True)
    if sys.argv[2] == "wait":
        sys.stdin.readline()  # alive until the test closes our stdin
    """
)


def child(path: Path | None, mode: str) -> tuple[subprocess.Popen[str], int]:
    """A separate synctui process that begins one entry; returns it and the entry id."""
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path or ""), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # the named state: the entry is committed
    assert line.strip().isdigit(), line
    return process, int(line)
