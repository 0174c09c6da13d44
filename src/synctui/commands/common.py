"""What every headless command shares: building a session, printing, and failing cleanly."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

from synctui.domain import errors


class Context:
    """The session for one command, with whatever must be stopped afterwards."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.demo = None
        self._session = None
        self._settings = None

    @property
    def settings(self):  # type: ignore[no-untyped-def]
        """The user's settings (`settings.toml`), read once."""
        if self._settings is None:
            from synctui.settings import load_settings

            self._settings = load_settings()
        return self._settings

    def deadline(self) -> float | None:
        """Seconds this command may run (`network.command_seconds`); None: no limit. A
        followed feed runs until stopped, so it has none."""
        if getattr(self.args, "follow", False):
            return None
        seconds = float(self.settings.command_seconds)
        return seconds if seconds > 0 else None

    def redact(self, text: str) -> str:
        """Text with every token this command's session used masked, on one line."""
        if self._session is None:
            return " ".join(text.split())
        return self._session.redact(text, 2000)

    @property
    def session(self):  # type: ignore[no-untyped-def]
        if self._session is None:
            self._session = self._build()
        return self._session

    def _build(self):  # type: ignore[no-untyped-def]
        from synctui.services.opening import open_session
        from synctui.store.accounts import AccountStore

        network = self.settings  # a broken settings.toml is reported before the accounts
        demo = bool(getattr(self.args, "demo", False))
        opened = open_session(
            demo=demo,
            changes_per_second=4.0 if demo else None,
            accounts=None if demo else load_accounts(AccountStore()),
            readonly=bool(getattr(self.args, "readonly", False)),
            network=network,
            on_journal_busy=_journal_busy,
        )
        self.demo = opened.demo
        return _saying_waits(opened.session)


# A retry note worth a line on stderr: a capped or unreadable Retry-After, or a wait of a
# second or more (shorter waits pass unnoticed and would only be noise).
_WORTH_SAYING = re.compile(r"server asked|unreadable Retry-After|in \d+ s$")


def _saying_waits(session):  # type: ignore[no-untyped-def]
    """Say on stderr when a command waits for a vendor noticeably, and why."""

    def say(account: str, message: str) -> None:
        if _WORTH_SAYING.search(message):
            sys.stderr.write(f"synctui: {account}: {session.redact(message)}\n")

    session.subscribe_retries(say)
    return session


def _journal_busy(attempt: int, message: str) -> None:
    sys.stderr.write(f"synctui: {message} Waiting for it (attempt {attempt + 1}).\n")


def load_accounts(store: Any) -> list[Any]:
    from synctui.store.accounts import AccountError

    try:
        return store.load()
    except AccountError as exc:
        raise errors.ConfigError(str(exc)) from exc


def refuse_if_readonly(args: argparse.Namespace, what: str) -> None:
    """`--readonly` refuses every command that changes state, local files included (the
    service layer guards vendor writes; this guards the commands that never reach it)."""
    if getattr(args, "readonly", False):
        raise errors.ReadOnlyError(f"read-only mode: {what} refused")


def fail(message: str, code: int = 1) -> int:
    sys.stderr.write(f"synctui: error: {message}\n")
    return code


def run_command(args: argparse.Namespace, body: Callable[[Context], Awaitable[int] | int]) -> int:
    """Run one command: typed errors become one line on stderr and an exit code."""
    ctx = Context(args)
    try:
        outcome = body(ctx)
        import asyncio

        if asyncio.iscoroutine(outcome):
            outcome = asyncio.run(_closing(ctx, outcome))  # type: ignore[arg-type]
        return int(outcome)  # type: ignore[arg-type]
    except errors.SyncTuiError as exc:
        return fail(ctx.redact(str(exc)), exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("synctui: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    finally:
        if ctx.demo is not None:
            ctx.demo.stop()


async def _closing(ctx: Context, coro: Coroutine[Any, Any, int]) -> int:
    """Run the command within its deadline (`Context.deadline`), then close the session."""
    import asyncio

    try:
        deadline = ctx.deadline()
    except BaseException:
        coro.close()
        raise
    limit = asyncio.timeout(deadline)
    try:
        async with limit:
            return await coro
    except TimeoutError:
        if not limit.expired():
            raise
        raise errors.SyncTuiError(
            f"stopped after {deadline:g} s (network.command_seconds)",
            hint="raise network.command_seconds in settings.toml, or 0 for no limit",
        ) from None
    finally:
        if ctx._session is not None:
            await ctx._session.aclose()


def emit_json(value: Any, out: TextIO | None = None) -> None:
    (out or sys.stdout).write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")


def emit_jsonl(value: Any, out: TextIO | None = None) -> None:
    stream = out or sys.stdout
    stream.write(json.dumps(value, ensure_ascii=False, default=str) + "\n")
    stream.flush()


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    out: TextIO | None = None,
    *,
    clip: bool | None = None,
) -> None:
    """A plain aligned table: readable over SSH and easy to grep or cut.

    On a terminal a long cell is cut to its column (48 characters at most) so rows stay on
    one screen line; piped into a file, a log or grep (`clip` None and the stream is not a
    terminal) every cell is written whole, and a long one only pushes the rest of its row.
    """
    stream = out or sys.stdout
    if clip is None:
        isatty = getattr(stream, "isatty", None)
        clip = bool(isatty and isatty())
    materialized = [[_cell(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in materialized:
        for i, value in enumerate(row):
            widths[i] = min(max(widths[i], len(value)), 48)
    stream.write(
        "  ".join(h.upper().ljust(widths[i]) for i, h in enumerate(headers)).rstrip() + "\n"
    )
    for row in materialized:
        cells = (_clip(v, widths[i]) if clip else v for i, v in enumerate(row))
        stream.write("  ".join(v.ljust(widths[i]) for i, v in enumerate(cells)).rstrip() + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return " ".join(str(value).split())


def _clip(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def parse_json_arg(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        from synctui.domain.json_errors import describe_json_error

        raise errors.UsageError(f"{what} is not valid JSON: {describe_json_error(exc)}") from None
    except RecursionError:
        raise errors.UsageError(f"{what} is nested too deeply to read") from None


def read_json_file(path: str, what: str) -> Any:
    try:
        with sys.stdin if path == "-" else open(path, encoding="utf-8") as handle:
            return parse_json_arg(handle.read(), f"{what} {path}")
    except OSError as exc:
        raise errors.UsageError(f"cannot read {path}: {exc.strerror}") from None


@contextmanager
def progress_line(enabled: bool):  # type: ignore[no-untyped-def]
    """A single self-rewriting status line on stderr (only when stderr is a terminal)."""
    tty = enabled and sys.stderr.isatty()

    def update(text: str) -> None:
        if tty:
            sys.stderr.write("\r\x1b[2K" + text)
            sys.stderr.flush()
        elif enabled:
            sys.stderr.write(text + "\n")

    try:
        yield update
    finally:
        if tty:
            sys.stderr.write("\n")
