"""A --db file and its other users: one emulator per file, and writers wait their turn."""

from __future__ import annotations

import gc
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from emulator import Emulator
from emulator.core import file_claim
from emulator.core.file_claim import FileClaim, FileInUse
from emulator.core.sqlite import SQLiteStore

TEXT = {"apikey": "k", "partnerID": "123", "shortcode": "X", "mobile": "0712345678"}


def test_a_second_emulator_on_a_file_in_use_here_is_refused_until_the_first_closes(
    tmp_path: Path,
) -> None:
    """It used to open: both restored the same counters, and the first's next write
    failed on a duplicate id (a 500, or sendbulk's 1007)."""
    db = tmp_path / "e.db"
    first = Emulator(db=db)
    with pytest.raises(FileInUse, match="close\\(\\) it first") as refused:
        Emulator(db=str(tmp_path / "." / "e.db"))  # the same file, written another way
    assert isinstance(refused.value, ValueError)
    with first.client() as client:  # the first goes on as if nothing happened
        sent = client.post("/api/services/sendsms", json={**TEXT, "message": "one"})
    assert sent.json()["responses"][0]["response-code"] == 200
    first.close()
    second = Emulator(db=db)
    with second.client() as client:
        sent = client.post("/api/services/sendsms", json={**TEXT, "message": "two"})
    assert sent.json()["responses"][0]["response-code"] == 200
    assert len({m["id"] for m in second.messages()}) == 2
    second.close()


def test_a_file_another_process_serves_from_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from emulator import Emulator; e = Emulator(db={str(db)!r}); print('ready',"
            " flush=True); input(); e.close()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(FileInUse, match="another sms-emulator process"):
            Emulator(db=db)
    finally:
        holder.communicate("\n", timeout=30)
    Emulator(db=db).close()  # free once that process has closed it


def test_an_emulator_dropped_without_close_frees_its_file(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    Emulator(db=db)  # never closed
    gc.collect()
    Emulator(db=db).close()


def test_releasing_a_claim_twice_does_not_end_a_later_claim_of_the_file(tmp_path: Path) -> None:
    path = str(tmp_path / "f.db")
    first = FileClaim(path)
    first.release()
    second = FileClaim(path)
    first.release()  # e.g. the garbage collector finalising the first store late
    # refused before it is opened again: closing that descriptor would drop the
    # fcntl locks of the second's SQLite connection
    with pytest.raises(FileInUse, match="in this process"):
        FileClaim(path)
    second.release()
    FileClaim(path).release()


def test_an_in_memory_sqlite_store_claims_nothing() -> None:
    one, two = Emulator(db=":memory:"), Emulator(db=":memory:")
    one.close()
    two.close()


def test_a_write_waits_for_another_connection_s_write_lock(tmp_path: Path) -> None:
    """A request's transaction reads, then writes: begun deferred, it failed at once with
    "database is locked" (a 500, or sendbulk's 1007) instead of waiting its turn."""
    db = tmp_path / "e.db"
    emu = Emulator(db=db)
    other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # a tool writing to the file, for a moment
    done = threading.Timer(0.3, other.rollback)
    done.start()
    try:
        with emu.client() as client:
            sent = client.post("/api/services/sendsms", json={**TEXT, "message": "waits"})
        assert sent.json()["responses"][0]["response-code"] == 200
        assert [m["text"] for m in emu.messages()] == ["waits"]
    finally:
        done.join()
        other.close()
        emu.close()


def test_a_hard_link_to_a_file_in_use_is_the_same_file(tmp_path: Path) -> None:
    """Refused as in use here, before it is opened: closing a descriptor of the file
    would have dropped the first connection's SQLite locks (its WAL went away)."""
    db, link = tmp_path / "a.db", tmp_path / "b.db"
    first = Emulator(db=db)
    first.inbound("ringcentral", "+14155550100", "+16505550100", "one")
    os.link(db, link)
    with pytest.raises(FileInUse, match="in this process"):
        Emulator(db=link)
    reader = sqlite3.connect(db)  # another user of the file comes and goes
    reader.execute("SELECT count(*) FROM messages").fetchone()
    reader.close()
    assert Path(f"{db}-wal").exists()  # still the first connection's
    first.inbound("ringcentral", "+14155550100", "+16505550100", "two")
    first.close()


@pytest.mark.parametrize("name", ["", ":memory:", "file::memory:", "file:x.db?mode=memory"])
def test_databases_in_memory_claim_nothing(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    one, two = Emulator(db=name), Emulator(db=name)
    one.close()
    two.close()
    assert list(tmp_path.iterdir()) == []  # no file made for a claim


@pytest.mark.parametrize(
    ("first_db", "second_db", "file"),
    [
        ("real.db", "file:real.db?cache=private", "real.db"),
        ("file:my%20data.db", "my data.db", "my data.db"),  # escapes read: no "my%20data.db"
    ],
    ids=["a-file-uri-claims-the-file-it-names", "its-escapes-name-the-file-sqlite-opens"],
)
def test_a_file_uri_claims_the_file_sqlite_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first_db: str, second_db: str, file: str
) -> None:
    monkeypatch.chdir(tmp_path)
    first = Emulator(db=first_db)
    with pytest.raises(FileInUse):
        Emulator(db=second_db)
    first.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [file]


def test_an_emulator_that_fails_to_start_leaves_its_file_free(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    with pytest.raises(ValueError):
        Emulator({"nonsense_key": 1}, db=db)
    Emulator(db=db).close()  # without waiting for the garbage collector


def test_a_file_sqlite_could_not_open_is_left_free(tmp_path: Path) -> None:
    db = tmp_path / "later" / "e.db"
    with pytest.raises(sqlite3.OperationalError, match="does not exist"):
        SQLiteStore(db)
    db.parent.mkdir()  # the user makes the directory and tries again
    SQLiteStore(db).close()


def test_a_close_whose_last_save_fails_still_frees_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "e.db"
    emu = Emulator(db=db)

    def fails() -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(emu, "_persist", fails)
    with pytest.raises(sqlite3.OperationalError):
        emu.close()
    Emulator(db=db).close()


def test_a_file_put_in_the_place_of_one_in_use_is_still_in_use(tmp_path: Path) -> None:
    """A new file at the path (``rm``, ``mv backup.db``) would share the first's -wal
    file: every read and write of the second emulator failed with a disk I/O error."""
    db = tmp_path / "e.db"
    first = Emulator(db=db)
    db.unlink()
    with pytest.raises(FileInUse, match="in this process"):
        Emulator(db=db)
    first.close()


def test_without_flock_a_new_file_is_still_claimed_once_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where there is no ``fcntl`` (Windows) the file is made by SQLite after the claim:
    known by its inode only, the second emulator was let in."""
    monkeypatch.setattr(file_claim, "_lock", lambda path: None)
    db = tmp_path / "new.db"
    first = Emulator(db=db)
    with pytest.raises(FileInUse):
        Emulator(db=db)
    first.close()
    Emulator(db=db).close()


def test_a_store_finalised_in_the_middle_of_a_claim_does_not_deadlock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The garbage collector runs at any allocation: finalising a dropped store there
    released its claim on the thread already holding the claims' lock, which hung."""
    Emulator(db=tmp_path / "dropped.db")  # left to the collector (it is in a cycle)
    locked = file_claim._lock

    def collecting(path: str) -> int | None:
        gc.collect()
        return locked(path)

    monkeypatch.setattr(file_claim, "_lock", collecting)
    opened = threading.Thread(target=lambda: Emulator(db=tmp_path / "e.db").close(), daemon=True)
    opened.start()
    opened.join(10)
    assert not opened.is_alive(), "deadlocked"
    Emulator(db=tmp_path / "dropped.db").close()  # and the dropped one's file is free
