"""The app's own files, handled safely: private modes, bounded regular reads, locks that never hang.

Portable: no POSIX-only module is imported (locks go through `filelock`, which picks the right
mechanism per system); POSIX-only flags and checks are used where the platform has them.
"""

from __future__ import annotations

import errno
import io
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import filelock

DIR_MODE = 0o700
FILE_MODE = 0o600
LOCK_TIMEOUT = 2.0
"""Seconds to wait for a lock another process holds before giving up with a one-line message."""
LOCK_POLL = 0.005
"""Seconds between tries while another process holds a lock (a lock with a timeout is polled)."""

_POSIX = os.name == "posix"


class UnsafeFileError(OSError):
    """A file the app refuses to read or use (not a regular file, too large, writable by all, a
    symlinked lock, or held by another process); the message is one line naming the file."""


class WorldWritableError(UnsafeFileError):
    """A file every user may write: refused as ssh refuses such files (it could be anyone's)."""


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) as 0700; a folder we own that others can enter is tightened."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):  # mkdir(parents=True) would give the parents the default mode
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
    if not path.is_dir():
        path.mkdir(mode=DIR_MODE)  # raises the right error (a file in the way)
    if _POSIX:
        try:
            info = os.stat(path)
            if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
                os.chmod(path, DIR_MODE)
        except OSError:
            pass  # best effort: reading and writing still work, only the mode stays as it was
    return path


def read_regular(path: Path, limit: int, *, refuse_world_writable: bool = False) -> bytes:
    """The bytes of a regular file of at most `limit` bytes.

    Never blocks on a FIFO, never reads a device (a link to /dev/zero), never holds more than
    `limit` + 1 bytes. Raises FileNotFoundError when missing, UnsafeFileError (one line) when the
    file is no fit, other OSErrors as they come.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFileError(f"{path}: not a regular file")
        if refuse_world_writable and _POSIX and info.st_mode & stat.S_IWOTH:
            raise WorldWritableError(f"{path}: writable by every user; refusing it (chmod o-w)")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(limit + 1)
    finally:
        os.close(fd)
    if len(raw) > limit:
        raise UnsafeFileError(f"{path}: larger than {_size(limit)}")
    return raw


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"


def write_atomic(path: Path, payload: bytes) -> None:
    """Write a private (0600) file so a reader (or a crash) only ever sees the old or the new content."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if sys.platform == "win32":  # folders cannot be opened (nor fsynced) there
        return
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def refuse_shared_folder(folder: Path, purpose: str) -> None:
    """Refuse a folder others can write (they could plant links or foreign files): UnsafeFileError
    "FOLDER: ...; refusing to PURPOSE there"."""
    if not _POSIX:
        return
    info = os.lstat(folder)
    if stat.S_ISLNK(info.st_mode):
        raise UnsafeFileError(f"{folder}: a symbolic link; refusing to {purpose} there")
    if stat.S_IMODE(info.st_mode) & 0o022:
        raise UnsafeFileError(f"{folder}: writable by other users; refusing to {purpose} there")


def last_byte(fd: int, size: int) -> bytes:
    """The last byte of an open file of `size` bytes (to keep a torn last line alone)."""
    os.lseek(fd, size - 1, os.SEEK_SET)  # O_APPEND: the write still goes to the end
    return os.read(fd, 1)


def open_append(path: Path) -> int:
    """An append descriptor on `path`, created 0600, never opened through a symbolic link, only
    ever on a regular file (UnsafeFileError otherwise)."""
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    if not nofollow and os.path.islink(path):
        raise UnsafeFileError(f"{path}: a symbolic link; refusing to write through it")
    flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | nofollow
    flags |= getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags, FILE_MODE)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeFileError(f"{path}: a symbolic link; refusing to write through it") from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafeFileError(f"{path}: not a regular file; refusing to write to it")
    return fd


LOCK_CLASS: type[filelock.BaseFileLock] | None = None
"""The lock in use; None is filelock.FileLock, the system's own (flock, or msvcrt on Windows). Tests
swap in SoftFileLock, the portable path `filelock` takes where neither exists. (filelock is imported
when a lock is first taken: `status` and `follow` never lock, and start faster without it.)"""


@contextmanager
def locked(lock_path: Path, *, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock on `lock_path` (0600), waiting at most `timeout` (LOCK_TIMEOUT) seconds.

    A symlink at `lock_path` is refused (another user could point it anywhere); a lock held
    elsewhere past the timeout is an UnsafeFileError naming the lock file.
    """
    try:
        if stat.S_ISLNK(os.lstat(lock_path).st_mode):
            raise UnsafeFileError(f"lock file {lock_path} is a symbolic link; not following it")
    except FileNotFoundError:
        pass
    import filelock

    timeout = LOCK_TIMEOUT if timeout is None else timeout
    lock = (LOCK_CLASS or filelock.FileLock)(str(lock_path), timeout=timeout, mode=FILE_MODE)
    try:
        lock.acquire(poll_interval=LOCK_POLL)
    except filelock.Timeout:
        raise UnsafeFileError(f"another slv-tui process holds {lock_path} (waited {timeout:g} s)") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a link made after the check above
            raise UnsafeFileError(f"lock file {lock_path} is a symbolic link; not following it") from None
        raise
    try:
        yield
    finally:
        lock.release()


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A rotating log whose files (the current one and every new one after a rollover) are 0600."""

    def _open(self) -> io.TextIOWrapper:
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(self.baseFilename, flags, FILE_MODE)
        if _POSIX:
            try:
                if stat.S_IMODE(os.fstat(fd).st_mode) & 0o077:  # a log left readable by an older version
                    os.fchmod(fd, FILE_MODE)
            except OSError:
                pass
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)
