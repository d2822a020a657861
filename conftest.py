"""Project-wide test configuration (the sms-emulator plugin loads from its entry point)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import settings

# Hypothesis fails an example that runs past its 200 ms deadline: a timing assertion,
# which a busy machine trips (segment counting of "Carrier" once took 300 ms).
settings.register_profile("sms-emulator-suite", deadline=None)
settings.load_profile("sms-emulator-suite")


class _FullDiskAtCommit:
    """A SQLite connection whose next COMMIT fails as on a full disk: SQLite undoes it all."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db, self.failing = db, True

    def __getattr__(self, name: str) -> Any:
        return getattr(self.db, name)

    @property
    def in_transaction(self) -> bool:
        return self.db.in_transaction

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if sql == "COMMIT" and self.failing:
            self.failing = False
            self.db.execute("ROLLBACK")
            raise sqlite3.OperationalError("database or disk is full")
        return self.db.execute(sql, *args)


@pytest.fixture
def full_disk_at_next_commit() -> Callable[[Any], sqlite3.Connection]:
    """Arm a ``SQLiteStore``: its next COMMIT fails (a full disk); returns the real connection."""

    def arm(store: Any) -> sqlite3.Connection:
        real = store._db
        store._db = _FullDiskAtCommit(real)
        return real

    return arm


class ProcessDied(BaseException):
    """The process dying mid-request: nothing after it runs (``close()`` included), and,
    not being an ``Exception``, no handler turns it into an answer."""


@pytest.fixture
def process_death() -> type[BaseException]:
    """What a test raises (from a patched store method...) to simulate a crash there."""
    return ProcessDied


HttpScope = Callable[[str, list[tuple[bytes, bytes]]], dict[str, Any]]


@pytest.fixture
def http_scope() -> HttpScope:
    """A raw ASGI HTTP scope for a POST to ``path``, for tests that call the app with
    their own ``receive`` and ``send`` (a body in parts, something done in between)."""

    def build(path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
        return {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }

    return build


@pytest.fixture
def died() -> Callable[[Any], None]:
    """What a crash leaves of an emulator: its SQLite connection goes with the process
    (what it had not committed is undone); ``close()`` never runs, nothing is saved.

    Left open instead, the connection would be closed by the garbage collector whenever
    it runs (Python 3.13 warns of that), and could still hold the file's locks.
    """

    def die(emu: Any) -> None:
        emu.store._db.close()
        emu.store._release()  # the process's file lock goes with it too

    return die
