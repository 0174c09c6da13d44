"""The TUI's terminal: refuse to start without one, and leave when it goes away.

Textual reads keys from stdin and draws on stderr. Without a terminal there (`synctui --demo
</dev/null >out &`, a cron job, a pipe) it cannot work, and its input thread, reading an
endless end-of-file, busies a whole core forever. The same happens when the terminal hangs up
under a process that ignores SIGHUP (started under `nohup`, or orphaned by a shell that
ignored it): every read returns end-of-file at once. So:

- `terminal_problem()` says, before anything starts, which standard stream is not a
  terminal; the launcher turns that into a one-line error and exit code 2;
- `TerminalWatch` exits the app (code 129, as for SIGHUP) on SIGHUP, and — for the case where
  SIGHUP never arrives — when a once-a-second check finds the terminal gone (a hung-up
  terminal answers "not a terminal" to `isatty`). A SIGHUP that was ignored when synctui
  started (`nohup`) stays ignored, as for any Unix program; the check still ends the process.

Nothing here imports Textual: the launcher calls `terminal_problem` before Textual loads.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from typing import Any

EXIT_TERMINAL_GONE = 128 + signal.SIGHUP  # what a shell reports for a process ended by SIGHUP
CHECK_SECONDS = 1.0


def _is_terminal(stream: Any) -> bool:
    try:
        return stream is not None and os.isatty(stream.fileno())
    except (AttributeError, OSError, ValueError):  # closed, detached or not a real file
        return False


def terminal_problem() -> str | None:
    """None when stdin, stdout and stderr are all terminals; else what is wrong, in words."""
    streams = (("stdin", sys.__stdin__), ("stdout", sys.__stdout__), ("stderr", sys.__stderr__))
    missing = [name for name, stream in streams if not _is_terminal(stream)]
    if not missing:
        return None
    which = " and ".join(missing) if len(missing) < 3 else "stdin, stdout and stderr"
    verb = "is not one" if len(missing) == 1 else "are not terminals"
    return (
        f"the TUI needs a terminal, but {which} {verb}; run it in a terminal, "
        "or use a command such as 'synctui syncs list' (see 'synctui --help')"
    )


class TerminalWatch:
    """Ends the app when its terminal goes away. `start` from on_mount, `stop` on unmount."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._timer: Any = None
        self._hangup_handled = False

    def start(self) -> None:
        if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.gone)
                self._hangup_handled = True
        self._timer = self.app.set_interval(CHECK_SECONDS, self.check)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._hangup_handled:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
            self._hangup_handled = False

    def check(self) -> None:
        if not (_is_terminal(sys.__stdin__) and _is_terminal(sys.__stderr__)):
            self.gone()

    def gone(self) -> None:
        self.stop()
        self.app.exit(EXIT_TERMINAL_GONE)
