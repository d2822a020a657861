"""SQLiteStore's file layout: its version check, and batches stored as one group and one run."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from emulator.cli import main
from emulator.core import file_claim
from emulator.core.models import Batch, Message, Plan
from emulator.core.sqlite import SCHEMA_VERSION, SchemaVersionError, SQLiteStore
from emulator.core.store import MessageQuery

T0 = 1_767_225_600.0

# The layout sms-emulator wrote before ``PRAGMA user_version`` was set (layout 1).
LAYOUT_1 = """
CREATE TABLE plans (id INTEGER PRIMARY KEY, body TEXT UNIQUE NOT NULL);
CREATE TABLE messages (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, provider TEXT NOT NULL,
    tenant TEXT NOT NULL, batch_id TEXT, direction TEXT NOT NULL, sender TEXT NOT NULL,
    recipient TEXT NOT NULL, text TEXT NOT NULL, segments INTEGER NOT NULL,
    encoding TEXT NOT NULL, created_at REAL NOT NULL, dispatch_at REAL NOT NULL,
    plan_id INTEGER NOT NULL, extra TEXT
);
CREATE INDEX messages_tenant ON messages (provider, tenant, seq);
CREATE INDEX messages_batch ON messages (batch_id, seq);
CREATE TABLE batches (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, provider TEXT NOT NULL,
    tenant TEXT NOT NULL, sender TEXT NOT NULL, created_at REAL NOT NULL,
    size INTEGER NOT NULL, processing REAL NOT NULL, rejected TEXT NOT NULL, extra TEXT
);
CREATE TABLE state (
    namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (namespace, key)
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta (key, value) VALUES ('clock', '1767225600.0');
"""


def write_db(path: Path, script: str) -> None:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(script)
    db.close()


def user_version(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()


def message(mid: str, **fields: object) -> Message:
    values: dict[str, object] = {
        "id": mid,
        "provider": "p1",
        "tenant": "t1",
        "sender": "+15550000001",
        "to": "+15550000002",
        "text": f"hello {mid}",
        "segments": 1,
        "created_at": T0,
        "dispatch_at": T0,
        "plan": Plan("delivered"),
    }
    values.update(fields)
    return Message(**values)  # type: ignore[arg-type]


def test_a_new_file_gets_the_current_layout_and_reopens(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    SQLiteStore(path).close()
    assert user_version(path) == SCHEMA_VERSION
    SQLiteStore(path).close()


def test_a_layout_1_file_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    write_db(path, LAYOUT_1)
    with pytest.raises(SchemaVersionError, match="older sms-emulator") as caught:
        SQLiteStore(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert "start with a new file" in str(caught.value)
    db = sqlite3.connect(path)
    try:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
        assert "groups" not in tables and "runs" not in tables
        assert db.execute("SELECT value FROM meta WHERE key = 'clock'").fetchone() is not None
    finally:
        db.close()
    assert user_version(path) == 0


def test_a_newer_layout_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    SQLiteStore(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(SchemaVersionError, match=f"newer sms-emulator.*{SCHEMA_VERSION + 1}"):
        SQLiteStore(path)


@pytest.mark.parametrize(
    "script",
    [
        "CREATE TABLE notes (body TEXT);",
        # tables of the same names, but not layout 1's three (no ``meta``)
        "CREATE TABLE messages (body TEXT); CREATE TABLE batches (body TEXT);",
    ],
    ids=["notes", "messages and batches"],
)
def test_another_applications_database_is_refused(tmp_path: Path, script: str) -> None:
    path = tmp_path / "other.db"
    write_db(path, script)
    with pytest.raises(SchemaVersionError, match="not an sms-emulator database"):
        SQLiteStore(path)


def test_a_file_that_is_no_sqlite_database_is_refused_naming_it(tmp_path: Path) -> None:
    """``Emulator(db=...)`` said only ``sqlite3.DatabaseError: file is not a database``."""
    path = tmp_path / "notes.txt"
    path.write_bytes(b"not an SQLite database, not even close" * 20)
    with pytest.raises(SchemaVersionError, match=f"^{re.escape(str(path))}: not an SQLite"):
        SQLiteStore(path)
    SQLiteStore(tmp_path / "new.db").close()  # the file claim of the refused one is gone too
    path.unlink()
    SQLiteStore(path).close()


def _read_only_connect(connect: Any) -> Any:
    """``sqlite3.connect`` opening every file read-only, as SQLite opens one it may not write."""

    def read_only(database: str, **options: object) -> sqlite3.Connection:
        options["uri"] = True
        return connect(f"file:{database}?mode=ro", **options)

    return read_only


def test_a_file_sqlite_can_only_read_is_refused_when_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A read-only file (another user's volume) is one error line at start, not a
    server whose every write fails."""
    path = tmp_path / "ro.db"
    SQLiteStore(path).close()
    monkeypatch.setattr(sqlite3, "connect", _read_only_connect(sqlite3.connect))
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        SQLiteStore(path)
    assert main(["serve", "--port", "0", "--db", str(path)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (
        f"sms-emulator: error: --db {path}: cannot open SQLite database"
        " (attempt to write a readonly database)"
    )


def test_a_file_on_a_read_only_file_system_is_refused_saying_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A --db on a volume mounted read-only was refused with SQLite's word alone ("unable
    to open database file" for a file in WAL mode, whose -shm file cannot be made)."""
    path = tmp_path / "ro.db"
    SQLiteStore(path).close()
    statvfs = os.statvfs

    def mounted_read_only(where: str | Path) -> object:
        found = statvfs(where)
        flags = found.f_flag | (os.ST_RDONLY if Path(where) == tmp_path else 0)
        return SimpleNamespace(f_flag=flags)

    monkeypatch.setattr(sqlite3, "connect", _read_only_connect(sqlite3.connect))
    monkeypatch.setattr(os, "statvfs", mounted_read_only)
    with pytest.raises(sqlite3.OperationalError, match=r"is on a read-only file system$"):
        SQLiteStore(path)
    with pytest.raises(sqlite3.OperationalError, match=r"is on a read-only file system$"):
        SQLiteStore(tmp_path / "new.db")


@pytest.mark.parametrize("exists", [False, True], ids=["new-file", "existing-file"])
def test_a_file_one_may_not_create_or_write_is_refused_saying_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exists: bool
) -> None:
    """SQLite says only "unable to open database file" (to a user other than root):
    the reason follows, the folder's for a new file, the file's for one already there."""
    path = tmp_path / "p.db"
    if exists:
        SQLiteStore(path).close()
    access = os.access

    def not_permitted(where: str | Path, mode: int, **options: object) -> bool:
        if Path(where) == (path if exists else tmp_path):
            return False
        return access(where, mode, **options)  # type: ignore[arg-type]

    def unable(database: str, **options: object) -> sqlite3.Connection:
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(sqlite3, "connect", unable)
    monkeypatch.setattr(os, "access", not_permitted)
    # the file claim could not create the file either (root's would)
    monkeypatch.setattr(file_claim, "_lock", lambda file: None)
    with pytest.raises(sqlite3.OperationalError) as refused:
        SQLiteStore(path)
    reason = f"read and write {path}" if exists else f"create a file in {tmp_path}"
    assert str(refused.value) == f"unable to open database file: no permission to {reason}"


@pytest.mark.parametrize("companions", [False, True], ids=["no-wal-files", "wal-files-writable"])
def test_a_writable_file_in_a_folder_one_cannot_write_is_refused_saying_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, companions: bool
) -> None:
    """A file the user may write, in a folder they may not (another user's, mode 555),
    was refused with "attempt to write a readonly database" alone: SQLite cannot make
    its -wal and -shm files there.  (Root writes anywhere: the folder's answer to a
    user is given here, and SQLite's, which opens such a file read-only.)  Where both
    are there already and writable, the folder is not the cause and is not named."""
    path = tmp_path / "w.db"
    SQLiteStore(path).close()
    if companions:
        for end in ("-wal", "-shm"):
            (tmp_path / f"w.db{end}").touch()
    access = os.access

    def no_writing_in_the_folder(where: str | Path, mode: int, **options: object) -> bool:
        if Path(where) == tmp_path and mode & os.W_OK:
            return False
        if not companions and Path(where).name in ("w.db-wal", "w.db-shm"):
            return False  # not there: the folder let no one make them (root's SQLite did)
        return access(where, mode, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(sqlite3, "connect", _read_only_connect(sqlite3.connect))
    monkeypatch.setattr(os, "access", no_writing_in_the_folder)
    with pytest.raises(sqlite3.OperationalError) as refused:
        SQLiteStore(path)
    folder = (
        f": no permission to create a file in {tmp_path}, where SQLite keeps w.db-wal and w.db-shm"
    )
    assert str(refused.value) == "attempt to write a readonly database" + (
        "" if companions else folder
    )


def test_serve_on_a_layout_1_file_fails_with_one_error_line(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    write_db(path, LAYOUT_1)
    result = subprocess.run(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", "--db", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"sms-emulator: error: --db {path}: written by an older")
    assert "start with a new file" in lines[0]


def count(store: SQLiteStore, table: str) -> int:
    return store._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_a_batch_is_one_group_and_one_run(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "e.db")
    try:
        plan, extra = Plan("delivered"), {"rate": 0.007}
        messages = [
            message(f"m{i}", batch_id="B1", plan=plan, extra=extra, dispatch_at=T0 + i)
            for i in range(50)
        ]
        store.add_batch(Batch("B1", "p1", "t1", "+15550000001", T0, 50, 2.0), messages)
        assert (count(store, "groups"), count(store, "runs")) == (1, 1)
        own_extras = "SELECT COUNT(*) FROM messages WHERE extra IS NOT NULL"
        assert store._db.execute(own_extras).fetchone() == (0,)
        got = store.query_messages(MessageQuery(batch_id="B1"))
        assert [(m.id, m.extra, m.dispatch_at) for m in got] == [
            (f"m{i}", extra, T0 + i) for i in range(50)
        ]
    finally:
        store.close()


def test_consecutive_sends_of_one_tenant_extend_one_run(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "e.db")
    try:
        for i in range(5):
            store.add_messages([message(f"a{i}")])
        assert count(store, "runs") == 1
        store.add_messages([message("b", tenant="t2")])
        store.add_messages([message("a5")])
        assert count(store, "runs") == 3
        query = MessageQuery(provider="p1", tenant="t1")
        assert [m.id for m in store.query_messages(query)] == [f"a{i}" for i in range(6)]
    finally:
        store.close()


def test_a_batch_with_two_plans_is_two_groups_in_one_run(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "e.db")
    try:
        delivered, failed, extra = Plan("delivered"), Plan("send_failed"), {"rate": 0.007}
        plans = [delivered, failed, failed, delivered, delivered]
        messages = [
            message(f"m{i}", batch_id="B1", plan=plan, extra=extra) for i, plan in enumerate(plans)
        ]
        store.add_messages(messages)
        assert (count(store, "groups"), count(store, "runs")) == (2, 1)
        got = store.query_messages(MessageQuery(batch_id="B1"))
        assert [(m.plan, m.extra) for m in got] == [(plan, extra) for plan in plans]
    finally:
        store.close()
