"""Where synctui keeps its files on disk.

Every location is a function, not a module constant: the environment (XDG_* variables, HOME)
can change after import — tests point it at temporary dirs — and a constant computed at import
time would silently keep writing to the old place.

Nothing here creates anything by itself. Writers call `ensure_dir(path.parent)` right before
they write, so merely asking "where would the journal be?" (e.g. for `--help` output or a
diagnostics screen) never litters the user's home with empty directories.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import platformdirs

APP_NAME = "synctui"

# Our own directories hold account lists, journals of config changes and possibly tokens:
# nobody but the owner has any business listing or reading them.
PRIVATE_DIR_MODE = 0o700


def config_dir() -> Path:
    """User configuration: accounts, settings, themes, the opt-in token file."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    """Durable data synctui produces itself: the write journal and feed caches."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def state_dir() -> Path:
    """Disposable run state (last selection, window layout) that may be lost without harm."""
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))


def accounts_file() -> Path:
    return config_dir() / "accounts.toml"


def settings_file() -> Path:
    return config_dir() / "settings.toml"


def tokens_file() -> Path:
    """The plain-text token file; only ever created when the user asks for insecure storage."""
    return config_dir() / "tokens.toml"


def user_themes_dir() -> Path:
    return config_dir() / "themes"


def journal_db() -> Path:
    return data_dir() / "journal.sqlite3"


def feed_db() -> Path:
    return data_dir() / "feeds.sqlite3"


def ensure_dir(path: Path) -> Path:
    """Create `path` (and missing parents) if needed and return it.

    A directory we create gets mode 0700. Parents that do not exist yet (e.g. `~/.config` on
    a fresh account) are created with the default mode, as any other program would. An
    existing directory is left as it is: its mode is the user's choice, and a tighter
    permission on a single file (the token file) is checked where it matters.
    """
    path = Path(path)
    if path.is_dir():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.mkdir(mode=PRIVATE_DIR_MODE)
    except FileExistsError:
        if not path.is_dir():
            raise
    else:
        # mkdir's mode is filtered by the umask, which only ever removes bits: set it exactly,
        # so an odd umask (say 0o277) cannot leave a directory we cannot write into.
        os.chmod(path, PRIVATE_DIR_MODE)
    return path


def lock_file(path: Path) -> Path:
    """The lock guarding `path`: a hidden sibling, `.NAME.lock`, that is never removed
    (removing it would let two processes lock two different files of the same name)."""
    path = Path(path)
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive OS lock (flock) for a read-modify-write of `path`.

    accounts.toml and tokens.toml are rewritten whole: two processes that both read before
    either wrote would keep only the last writer's change (8 parallel `accounts add` kept 2).
    The lock is on a separate file because the data file itself is replaced by a rename on
    every write. It is not re-entrant: take it once around the whole read-modify-write. The
    lock is released by the kernel if the process dies. On systems without fcntl (Windows)
    this only creates the lock file.
    """
    target = lock_file(path)
    ensure_dir(target.parent)
    fd = os.open(target, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            fcntl = None  # type: ignore[assignment]
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def atomic_write_text(path: Path, text: str, *, mode: int = 0o600) -> None:
    """Replace `path` with `text` so that readers see either the old or the new file, whole.

    The temporary file is created with `os.open(..., mode)` and O_EXCL, so its permissions
    are right from the first byte: a token file is never, even briefly, readable by others.
    A symlinked file (dotfile managers) is written through to its target instead of being
    replaced by a regular file. The directory is fsynced so the rename survives a power cut.
    """
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    ensure_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(tmp, flags, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    """Persist a rename; best effort because not every filesystem allows opening a dir."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
