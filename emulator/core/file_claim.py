"""One emulator per database file: two would restore the same id counters and hand
out the same ids (and the second's writes would fail on the first's).

A claim is an exclusive ``flock`` on the file, which another process cannot take
while this one holds it, plus a note of which files this process has claimed: a
second ``flock`` in the same process would also be refused, but giving up its
descriptor would drop the first connection's SQLite locks (POSIX drops a
process's ``fcntl`` locks on a file when any descriptor of it closes), so a
file already claimed here is refused before it is opened again.  Where
``fcntl`` is missing (Windows) only the note is kept.
"""

from __future__ import annotations

import os
import threading

__all__ = ["FileClaim", "FileInUse"]

_claimed: set[str] = set()
_claimed_lock = threading.Lock()


class FileInUse(ValueError):
    """Another emulator (in this process or another) holds the file."""


class FileClaim:
    """This process's claim on ``path``, held until ``release()``."""

    def __init__(self, path: str) -> None:
        self.path = os.path.realpath(path)
        self._fd: int | None = None
        self._held = False
        with _claimed_lock:
            if self.path in _claimed:
                raise FileInUse(
                    f"{path}: in use by another Emulator in this process (close() it first:"
                    " two would hand out the same ids)"
                )
            self._fd = _lock(self.path)
            _claimed.add(self.path)
            self._held = True

    def release(self) -> None:
        """Give the file up (after closing every connection to it: see the module's note).
        Only once: a later claim of the same file is not this one's to end."""
        with _claimed_lock:
            if not self._held:
                return
            self._held = False
            _claimed.discard(self.path)
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


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
    except OSError:
        os.close(fd)  # nothing else of this file is open here (see ``_claimed``)
        raise FileInUse(
            f"{path}: in use by another sms-emulator process (one per file: two would hand"
            " out the same ids)"
        ) from None
    return fd
