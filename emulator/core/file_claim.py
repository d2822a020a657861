"""One emulator per database file: two would restore the same id counters and hand
out the same ids (and the second's writes would fail on the first's).

A claim is an exclusive ``flock`` on the file, which another process cannot take
while this one holds it, plus a note of which files (by real path, and by device
and inode: a hard link is the same file) this process has claimed.  A
second ``flock`` in this process would be refused too, but giving up its
descriptor would drop the first connection's SQLite locks (POSIX drops a
process's ``fcntl`` locks on a file when any descriptor of it closes): a file
already claimed here is refused before it is opened again.  Where ``fcntl`` is
missing (Windows) only the note is kept.
"""

from __future__ import annotations

import os
import threading
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["FileClaim", "FileInUse", "database_file"]

#: A file by its real path, or by (device, inode): see ``_identities``.
_Key = tuple[int, int] | str
_claimed: set[_Key] = set()
#: Re-entrant: the garbage collector may finalise a dropped store (and so release its
#: claim) in the middle of a claim, on the thread that holds this.
_claimed_lock = threading.RLock()


class FileInUse(ValueError):
    """Another emulator (in this process or another) holds the file."""


def database_file(name: str) -> str | None:
    """The file SQLite opens for ``name``, None for a database in memory or a private
    temporary one (``""``).  A ``file:`` name is a URI to SQLite: its path is the file."""
    if name in ("", ":memory:"):
        return None
    if not name.startswith("file:"):
        return name
    uri = urlsplit(name)
    path = unquote(uri.path)
    if path in ("", ":memory:") or "memory" in parse_qs(uri.query).get("mode", ()):
        return None
    return path


class FileClaim:
    """This process's claim on the file at ``path``, held until ``release()``."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        self._keys: set[_Key] = set()
        with _claimed_lock:
            if not _identities(path).isdisjoint(_claimed):
                raise FileInUse(
                    f"{path}: in use by another Emulator in this process (close() it first:"
                    " two would hand out the same ids)"
                )
            # Not claimed here, so no connection of ours has it open: its descriptor
            # may be closed again if another process holds it.
            self._fd = _lock(path)
            self._keys = _identities(path, self._fd)
            _claimed.update(self._keys)

    def release(self) -> None:
        """Give the file up (after closing every connection to it: see the module's note).
        Only once: a later claim of the same file is not this one's to end."""
        with _claimed_lock:
            _claimed.difference_update(self._keys)
            self._keys = set()
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


def _identities(path: str, fd: int | None = None) -> set[_Key]:
    """The file by its real path and, once it exists, as the system knows it (device and
    inode): another name for it is the same file, and so is a new file put in its place
    (its connection would share the old one's ``-wal`` file)."""
    keys: set[_Key] = {os.path.realpath(path)}
    try:
        found = os.fstat(fd) if fd is not None else os.stat(path)
    except OSError:
        return keys
    keys.add((found.st_dev, found.st_ino))
    return keys


def _lock(path: str) -> int | None:
    """An open descriptor of ``path`` holding an exclusive ``flock``, None without ``fcntl``."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        return None
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return None  # not a file we can open: SQLite says why, in its own error
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise FileInUse(
            f"{path}: in use by another sms-emulator process (one per file: two would hand"
            " out the same ids)"
        ) from None
    except OSError:  # a file system without flock (some network mounts): unguarded
        os.close(fd)
        return None
    return fd
