"""SQLite backend (``--db PATH``): the MemoryStore's contract, kept on disk in WAL mode.

Layout (``PRAGMA user_version`` 2), shaped by one case: a batch of 650,000
messages inserted in one transaction.

* ``groups``: the values a whole batch nearly always shares (provider, tenant,
  batch id, sender, direction, encoding, created_at, plan, extra), stored once
  and referenced by a small integer from each message row.
* ``messages``: one narrow row per message (seq, id, group, recipient, text,
  segments, dispatch_at, and ``extra`` only when messages of one insert do not
  share it); ``id`` is indexed.
* ``runs``: consecutive seq ranges with one provider, tenant and batch id.  They
  index the messages by tenant and by batch: paging a tenant or a batch seeks
  its runs, then reads seq ranges of ``messages``, so those lookups stay O(page)
  without an index entry per message (a batch is one run).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from itertools import groupby, repeat
from operator import attrgetter, countOf, is_
from pathlib import Path
from typing import Any

import msgspec

from .file_claim import FileClaim, database_file
from .models import Batch, Direction, Message, Plan, Status
from .store import BatchQuery, MessageQuery

__all__ = ["SCHEMA_VERSION", "SQLiteStore", "SchemaVersionError"]

SCHEMA_VERSION = 2
"""``PRAGMA user_version`` of the layout this module reads and writes."""

_SCHEMA = f"""
CREATE TABLE plans (id INTEGER PRIMARY KEY, body TEXT UNIQUE NOT NULL);
CREATE TABLE groups (
    id INTEGER PRIMARY KEY, provider TEXT NOT NULL, tenant TEXT NOT NULL, batch_id TEXT,
    sender TEXT NOT NULL, direction TEXT NOT NULL, encoding TEXT NOT NULL,
    created_at REAL NOT NULL, plan_id INTEGER NOT NULL, extra TEXT
);
CREATE TABLE messages (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL, group_id INTEGER NOT NULL,
    recipient TEXT NOT NULL, text TEXT NOT NULL, segments INTEGER NOT NULL,
    dispatch_at REAL NOT NULL, extra TEXT
);
CREATE UNIQUE INDEX messages_id ON messages (id);
CREATE TABLE runs (
    first INTEGER PRIMARY KEY, last INTEGER NOT NULL, provider TEXT NOT NULL,
    tenant TEXT NOT NULL, batch_id TEXT
);
CREATE INDEX runs_tenant ON runs (provider, tenant, first);
CREATE INDEX runs_provider ON runs (provider, first);
CREATE INDEX runs_batch ON runs (batch_id, first) WHERE batch_id IS NOT NULL;
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
PRAGMA user_version = {SCHEMA_VERSION};
"""

# Columns in the order _to_messages unpacks them.
_MESSAGE_COLUMNS = (
    "m.seq, m.id, m.group_id, m.recipient, m.text, m.segments, m.dispatch_at, m.extra"
)
_GROUP_COLUMNS = (
    "provider, tenant, batch_id, sender, direction, encoding, created_at, plan_id, extra"
)
_INSERT = "INSERT INTO messages (seq, id, group_id, recipient, text, segments, dispatch_at"
_INSERT_SHARED_EXTRA = _INSERT + ") VALUES (?, ?, ?, ?, ?, ?, ?)"
_INSERT_OWN_EXTRA = _INSERT + ", extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
# Group keys remembered between inserts (sends at one emulator time share one).
_GROUP_CACHE = 4096
# Decoded group rows kept for reading messages.
_GROUP_ROWS = 65_536

_encode = msgspec.json.encode
_decode = msgspec.json.decode
_plan_of = attrgetter("plan")
_extra_of = attrgetter("extra")
# A message's group values but plan and extra (compared by identity instead:
# a Plan's == and hash are Python code, an extra dict's == is not JSON's).
_shared_of = attrgetter(
    "provider", "tenant", "batch_id", "sender", "direction", "encoding", "created_at"
)
_run_of = attrgetter("provider", "tenant", "batch_id")
_id_of = attrgetter("id")
_to_of = attrgetter("to")
_text_of = attrgetter("text")
_segments_of = attrgetter("segments")
_dispatch_of = attrgetter("dispatch_at")


class SchemaVersionError(ValueError):
    """The file holds another layout (an older sms-emulator's, or not ours at all)."""


def _dump(value: Any) -> str | None:
    return None if value is None else _encode(value).decode()


def _load(value: str | None) -> Any:
    return None if value is None else _decode(value)


def _same_object(items: Iterator[Any], first: Any) -> bool:
    """Whether every item is ``first`` itself (one C-level pass)."""
    return all(map(is_, items, repeat(first)))


def _why_unopenable(file: str | None) -> str | None:
    """Why SQLite could not open ``file``, for the few causes a user can fix."""
    if file is None:
        return None
    path = Path(file)
    if path.is_dir():
        return f"{file} is a directory"
    parent = path.parent
    if not parent.is_dir():
        return f"directory {parent} does not exist"
    if _read_only_file_system(parent):  # before the checks below, which it fails too
        return f"{parent} is on a read-only file system"
    may_create = os.access(parent, os.W_OK | os.X_OK)
    if not path.exists():
        return None if may_create else f"no permission to create a file in {parent}"
    if not os.access(path, os.R_OK | os.W_OK):
        return f"no permission to read and write {file}"
    companions = [path.with_name(path.name + end) for end in ("-wal", "-shm")]
    if not may_create and not all(os.access(each, os.R_OK | os.W_OK) for each in companions):
        # SQLite keeps a WAL file's -wal and -shm files beside it: a file the user may
        # write is still refused ("attempt to write a readonly database")
        return (
            f"no permission to create a file in {parent}, where SQLite keeps"
            f" {path.name}-wal and {path.name}-shm"
        )
    return None


def _read_only_file_system(directory: Path) -> bool:
    try:
        return bool(os.statvfs(directory).f_flag & os.ST_RDONLY)
    except (AttributeError, OSError):  # no statvfs (Windows)
        return False


def _close_then_release(db: sqlite3.Connection, claim: FileClaim | None) -> None:
    db.close()
    if claim is not None:
        claim.release()  # after the connection: see ``FileClaim``


class SQLiteStore:
    """Messages, batches and state in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        # before SQLite opens it: a file another emulator serves from is not touched
        file = database_file(self.path)
        self._claim = FileClaim(file) if file is not None else None
        try:
            # uri: a ``file:`` name is a URI whatever SQLite's build, as ``database_file`` reads it
            self._db = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, uri=True
            )
        except BaseException as exc:
            self._release()
            reason = _why_unopenable(file) if isinstance(exc, sqlite3.OperationalError) else None
            if reason is not None:  # SQLite says only "unable to open database file"
                raise sqlite3.OperationalError(f"{exc}: {reason}") from exc
            raise
        try:
            self._open()
        except BaseException as exc:
            self._db.close()
            self._release()
            # Opened, but not writable (read-only: a file SQLite opened read-only, or in
            # WAL mode the -shm file it could not make): the same causes as above.
            reason = _why_unopenable(file) if isinstance(exc, sqlite3.OperationalError) else None
            if reason is not None:
                raise sqlite3.OperationalError(f"{exc}: {reason}") from exc
            raise
        # Dropped unclosed: closed, then the file is free again (not at exit, where
        # threads may still write).  Python 3.13 warns of a connection left to the GC.
        weakref.finalize(self, _close_then_release, self._db, self._claim).atexit = False
        self._plans: dict[int, Plan] = {}
        self._plan_ids: dict[Plan, int] = {}
        self._group_ids: dict[tuple[Any, ...], int] = {}
        self._groups: dict[int, tuple[Any, ...]] = {}
        #: ``count_messages()`` once counted (SQLite's ``COUNT(*)`` reads every row, and
        #: the inspector asks on every page and poll), kept up to date by inserts;
        #: None: count again (after a rollback).
        self._count: int | None = None
        #: ``count_batches()`` by provider (None: all), as ``_count``.
        self._batch_counts: dict[str | None, int] = {}
        self._load_plans()

    def _open(self) -> None:
        """Create the layout in a new file, or check an existing file has it."""
        db = self._db
        try:
            (version,) = db.execute("PRAGMA user_version").fetchone()
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError):  # locked, unreadable: as it says
                raise
            raise SchemaVersionError(
                f"{self.path}: not an SQLite database ({exc}): give a new file, or one an"
                " sms-emulator wrote"
            ) from None
        if version == SCHEMA_VERSION:
            self._settings()
            # A write, so a file SQLite could only open read-only is refused now, not
            # at every request that stores something.
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
        if version == 0 and not tables:
            self._settings()
            db.executescript(f"BEGIN; {_SCHEMA} COMMIT;")
            return
        if version == 0 and {"messages", "batches", "meta"} <= tables:
            found = "written by an older sms-emulator (database layout 1)"
        elif version > SCHEMA_VERSION:
            found = f"written by a newer sms-emulator (database layout {version})"
        else:
            found = "not an sms-emulator database"
        raise SchemaVersionError(
            f"{self.path}: {found}; this version reads layout {SCHEMA_VERSION} and does not"
            " convert files: start with a new file"
        )

    def _settings(self) -> None:
        db = self._db
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        # A savepoint (a write nested in a transaction) keeps the pages it changes
        # in a statement journal: in memory, not a temporary file per request.
        db.execute("PRAGMA temp_store=MEMORY")

    def atomic(self) -> AbstractContextManager[Any]:
        return self._lock

    def close(self) -> None:
        with self._lock:
            self._db.close()
            self._release()

    def _release(self) -> None:
        if self._claim is not None:
            self._claim.release()  # after the connection: see ``FileClaim``

    def clear(self) -> None:
        with self._lock:
            with self._transaction(undo_alone=False):  # a failure leaves no transaction open
                for table in ("messages", "groups", "runs", "batches", "state", "meta", "plans"):
                    self._db.execute(f"DELETE FROM {table}")
            self._forget_caches()

    # plans
    def _load_plans(self) -> None:
        for plan_id, body in self._db.execute("SELECT id, body FROM plans"):
            data = _decode(body)
            plan = Plan(
                outcome=data["outcome"],
                steps=tuple((float(t), Status(s)) for t, s in data["steps"]),
                error_code=data["error_code"],
                initial=Status(data["initial"]),
            )
            self._plans[plan_id] = plan
            self._plan_ids[plan] = plan_id

    def _plan_id(self, plan: Plan) -> int:
        plan_id = self._plan_ids.get(plan)
        if plan_id is not None:
            return plan_id
        body = _dump(
            {
                "outcome": plan.outcome,
                "steps": [[t, str(s)] for t, s in plan.steps],
                "error_code": plan.error_code,
                "initial": str(plan.initial),
            }
        )
        self._db.execute("INSERT OR IGNORE INTO plans (body) VALUES (?)", (body,))
        (plan_id,) = self._db.execute("SELECT id FROM plans WHERE body = ?", (body,)).fetchone()
        self._plans[plan_id] = plan
        self._plan_ids[plan] = plan_id
        return plan_id

    # groups and runs
    def _group_id(self, key: tuple[Any, ...]) -> int:
        """The group row holding ``key`` (in ``_GROUP_COLUMNS`` order), added if new."""
        group_id = self._group_ids.get(key)
        if group_id is None:
            if len(self._group_ids) >= _GROUP_CACHE:
                self._group_ids.clear()
            cursor = self._db.execute(
                f"INSERT INTO groups ({_GROUP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", key
            )
            group_id = self._group_ids[key] = cursor.lastrowid
        return group_id

    def _group_key(self, shared: tuple[Any, ...], plan: Plan, extra: str | None) -> tuple[Any, ...]:
        provider, tenant, batch_id, sender, direction, encoding, created_at = shared
        return (
            provider,
            tenant,
            batch_id,
            sender,
            str(direction),
            encoding,
            created_at,
            self._plan_id(plan),
            extra,
        )

    def _add_runs(self, messages: Sequence[Message], first: int, uniform: bool) -> None:
        """Record the seq ranges of ``messages`` (from ``first``) per provider, tenant, batch.

        ``uniform``: all of them have one provider, tenant and batch (known already).
        """
        if uniform:
            runs = [(_run_of(messages[0]), len(messages))]
        else:
            runs = [(key, len(list(same))) for key, same in groupby(map(_run_of, messages))]
        last = self._db.execute(
            "SELECT first, last, provider, tenant, batch_id FROM runs ORDER BY first DESC LIMIT 1"
        ).fetchone()
        if last is not None and last[1] == first - 1 and last[2:] == runs[0][0]:
            # The previous insert's run goes on (consecutive sends of one tenant).
            _, count = runs.pop(0)
            self._db.execute("UPDATE runs SET last = ? WHERE first = ?", (last[1] + count, last[0]))
            first += count
        for key, count in runs:
            self._db.execute(
                "INSERT INTO runs (first, last, provider, tenant, batch_id) VALUES (?, ?, ?, ?, ?)",
                (first, first + count - 1, *key),
            )
            first += count

    # messages
    def _next_seq(self, table: str) -> int:
        (value,) = self._db.execute(f"SELECT COALESCE(MAX(seq), 0) FROM {table}").fetchone()
        return value

    def _insert_messages(self, messages: Sequence[Message]) -> None:
        count = len(messages)
        if not count:
            return
        first = self._next_seq("messages") + 1
        head = messages[0]
        # Checked in C, one pass each: does the whole insert share its group
        # values, plan and extra (the same objects, as a batch's are)?
        shared_extra = _same_object(map(_extra_of, messages), head.extra)
        uniform = countOf(map(_shared_of, messages), _shared_of(head)) == count
        if uniform and shared_extra and _same_object(map(_plan_of, messages), head.plan):
            key = self._group_key(_shared_of(head), head.plan, _dump(head.extra))
            group_ids: Iterator[int] = repeat(self._group_id(key), count)
        else:
            group_ids = self._mixed_group_ids(messages, shared_extra)

        for seq, m in enumerate(messages, first):
            m.seq = seq
        # Rows zipped from C-level column iterators: no Python frame per row, and
        # no list of 650,000 row tuples.
        columns = [
            range(first, first + count),
            map(_id_of, messages),
            group_ids,
            map(_to_of, messages),
            map(_text_of, messages),
            map(_segments_of, messages),
            map(_dispatch_of, messages),
        ]
        sql = _INSERT_SHARED_EXTRA
        if not shared_extra:
            extras = {id(extra): extra for extra in map(_extra_of, messages)}
            dumped = {key: _dump(extra) for key, extra in extras.items()}
            columns.append(map(dumped.__getitem__, map(id, map(_extra_of, messages))))
            sql = _INSERT_OWN_EXTRA
        self._db.executemany(sql, zip(*columns, strict=True))
        self._add_runs(messages, first, uniform)
        if self._count is not None:
            self._count += count

    def _mixed_group_ids(self, messages: Sequence[Message], shared_extra: bool) -> Iterator[int]:
        """Each message's group id when an insert spans several groups."""
        plans = {id(plan): plan for plan in map(_plan_of, messages)}
        extra = _dump(messages[0].extra) if shared_extra else None

        def raw_keys() -> Iterator[tuple[tuple[Any, ...], int]]:
            return zip(map(_shared_of, messages), map(id, map(_plan_of, messages)), strict=True)

        ids: dict[tuple[tuple[Any, ...], int], int] = {}
        for shared, plan_key in dict.fromkeys(raw_keys()):
            key = self._group_key(shared, plans[plan_key], extra)
            ids[shared, plan_key] = self._group_id(key)
        return map(ids.__getitem__, raw_keys())

    def _forget_caches(self) -> None:
        """Plans and groups inserted in a rolled-back write are gone: forget their ids."""
        self._plans.clear()
        self._plan_ids.clear()
        self._group_ids.clear()
        self._groups.clear()
        self._count = None
        self._batch_counts.clear()
        self._load_plans()

    def transaction(self) -> AbstractContextManager[None]:
        return self._transaction(undo_alone=False)

    @contextmanager
    def _transaction(self, *, undo_alone: bool = True) -> Iterator[None]:
        """One write transaction under the lock; rolled back (and caches reset) on error.

        Inside another one it joins it, and with ``undo_alone`` it is a
        savepoint: a failed write (a repeated id) is undone alone, and the
        outer transaction decides what is committed.  Savepoints cost a copy
        of every page they change, so the store's own writes use them and
        ``transaction()`` (a caller's group of writes) does not.
        """
        with self._lock:
            db = self._db
            nested = db.in_transaction
            if nested and not undo_alone:
                yield
                return
            # IMMEDIATE: the write lock is taken (or waited for) first.  A transaction that
            # read first could not wait for it: another writer fails it at once.
            db.execute("SAVEPOINT write" if nested else "BEGIN IMMEDIATE")
            try:
                yield
                # A COMMIT can fail too (a full disk): SQLite has then undone it all.
                db.execute("RELEASE write" if nested else "COMMIT")
            except BaseException as exc:
                if db.in_transaction:  # not when SQLite undid it already (a full disk...)
                    db.execute("ROLLBACK TO write" if nested else "ROLLBACK")
                    if nested:
                        db.execute("RELEASE write")
                self._forget_caches()
                if isinstance(exc, sqlite3.IntegrityError):
                    raise ValueError(f"message and batch ids must be unique ({exc})") from exc
                raise

    def add_messages(self, messages: Sequence[Message]) -> None:
        if not messages:
            return
        with self._transaction():
            self._insert_messages(messages)

    def update_message(self, message: Message) -> None:
        with self._transaction():
            row = self._db.execute(
                f"SELECT {_GROUP_COLUMNS} FROM groups"
                " WHERE id = (SELECT group_id FROM messages WHERE id = ?)",
                (message.id,),
            ).fetchone()
            if row is None:
                return
            group_id = self._group_id((*row[:7], self._plan_id(message.plan), row[8]))
            # The message's own extra from now on ("null" hides the group's).
            extra = _dump(message.extra) or "null"
            self._db.execute(
                "UPDATE messages SET group_id = ?, dispatch_at = ?, extra = ? WHERE id = ?",
                (group_id, message.dispatch_at, extra, message.id),
            )

    def _groups_of(self, group_ids: set[int]) -> dict[int, tuple[Any, ...]]:
        """Decoded group rows by id, read once and kept (a group row never changes)."""
        groups = self._groups
        missing = group_ids.difference(groups)
        if missing:
            if len(groups) + len(missing) > _GROUP_ROWS:
                groups.clear()
                missing = group_ids
            wanted = sorted(missing)
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                rows = self._db.execute(
                    f"SELECT id, {_GROUP_COLUMNS} FROM groups"
                    f" WHERE id IN ({', '.join('?' * len(chunk))})",
                    chunk,
                )
                for group_id, *values, direction, encoding, created_at, plan_id, extra in rows:
                    groups[group_id] = (
                        *values,  # provider, tenant, batch_id, sender
                        Direction(direction),
                        encoding,
                        created_at,
                        self._plans[plan_id],
                        extra,
                    )
        return groups

    def _to_messages(self, rows: list[tuple[Any, ...]]) -> list[Message]:
        """Messages from ``_MESSAGE_COLUMNS`` rows and their groups (under the lock)."""
        groups = self._groups_of({row[2] for row in rows})
        messages = []
        for seq, mid, group_id, recipient, text, segments, dispatch_at, extra in rows:
            provider, tenant, batch_id, sender, direction, encoding, created_at, plan, shared = (
                groups[group_id]
            )
            messages.append(
                Message(
                    id=mid,
                    provider=provider,
                    tenant=tenant,
                    sender=sender,
                    to=recipient,
                    text=text,
                    segments=segments,
                    created_at=created_at,
                    dispatch_at=dispatch_at,
                    plan=plan,
                    batch_id=batch_id,
                    direction=direction,
                    encoding=encoding,
                    extra=_load(shared if extra is None else extra),
                    seq=seq,
                )
            )
        return messages

    def get_message(self, message_id: str) -> Message | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages AS m WHERE m.id = ?", (message_id,)
            ).fetchone()
            return None if row is None else self._to_messages([row])[0]

    def count_messages(self) -> int:
        with self._lock:
            if self._count is None:
                self._count = self._db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
            return self._count

    @staticmethod
    def _runs_for(query: MessageQuery) -> tuple[str, list[tuple[str, str]]] | None:
        """The index and conditions on ``runs`` that find the runs holding every match."""
        if query.batch_id is not None:
            return "runs_batch", [("batch_id", query.batch_id)]
        if query.provider is not None and query.tenant is not None:
            return "runs_tenant", [("provider", query.provider), ("tenant", query.tenant)]
        if query.provider is not None:
            return "runs_provider", [("provider", query.provider)]
        return None

    @staticmethod
    def _where(query: MessageQuery, answered: set[str]) -> tuple[list[str], list[Any], bool]:
        """SQL conditions and their args for the query's filters, less the ``answered``
        columns (the runs looked up hold only matches), and whether any reads ``groups``."""
        clauses: list[str] = []
        args: list[Any] = []
        for column, value in (
            ("provider", query.provider),
            ("tenant", query.tenant),
            ("batch_id", query.batch_id),
        ):
            if value is not None and column not in answered:
                clauses.append(f"g.{column} = ?")
                args.append(value)
        if query.direction is not None:
            clauses.append("g.direction = ?")
            args.append(str(query.direction))
        if query.numbers is not None:
            marks = ", ".join("?" * len(query.numbers))
            clauses.append(f"(m.recipient IN ({marks}) OR g.sender IN ({marks}))")
            numbers = sorted(query.numbers)
            args.extend(numbers + numbers)
        if query.created_from is not None:
            clauses.append("g.created_at >= ?")
            args.append(query.created_from)
        if query.created_to is not None:
            clauses.append("g.created_at < ?")
            args.append(query.created_to)
        reads_groups = bool(clauses)
        if query.to is not None:
            clauses.append("m.recipient = ?")
            args.append(query.to)
        return clauses, args, reads_groups

    def _select(
        self, query: MessageQuery, bound: int, *, forward: bool, limit: int | None
    ) -> list[Message]:
        """Matches after (``forward``) or before seq ``bound``, ``limit`` nearest to it."""
        if limit is not None and limit <= 0:
            return []  # as in the memory store (SQLite reads a negative LIMIT as none)
        runs = self._runs_for(query)
        index, conditions = runs if runs is not None else ("", [])
        clauses, args, reads_groups = self._where(query, {column for column, _ in conditions})
        order = "" if forward else " DESC"
        tables = "messages AS m"
        if reads_groups:
            tables += " CROSS JOIN groups AS g"
            clauses.insert(0, "g.id = m.group_id")
        if runs is None:
            clauses.append("m.seq > ?" if forward else "m.seq < ?")
            args.append(bound)
            ordering = f"m.seq{order}"
        else:
            # The runs in seq order from the one holding ``bound``, then each
            # run's seq range from (or up to) ``bound``: index seeks both, so a
            # deep page costs what the first one does.  (CROSS JOIN and INDEXED
            # BY keep that plan; with ``r.first`` alone as the range's start,
            # SQLite would read each run from its start.)
            tables = f"runs AS r INDEXED BY {index} CROSS JOIN {tables}"
            values = [value for _, value in conditions]
            own = " AND ".join(f"{column} = ?" for column, _ in conditions)
            run_clauses = [f"r.{column} = ?" for column, _ in conditions]
            if forward:
                start = f"(SELECT coalesce(max(first), 0) FROM runs WHERE {own} AND first <= ?)"
                run_clauses += [f"r.first >= {start}", "m.seq BETWEEN max(r.first, ?) AND r.last"]
                args = [*values, *values, bound, bound + 1, *args]
            else:
                run_clauses += ["r.first < ?", "m.seq BETWEEN r.first AND min(r.last, ?)"]
                args = [*values, bound, bound - 1, *args]
            clauses = run_clauses + clauses
            ordering = f"r.first{order}, m.seq{order}"
        sql = (
            f"SELECT {_MESSAGE_COLUMNS} FROM {tables} WHERE {' AND '.join(clauses)}"
            f" ORDER BY {ordering}"
        )
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
            if not forward:
                rows.reverse()
            return self._to_messages(rows)

    def query_messages(
        self, query: MessageQuery, *, after_seq: int = 0, limit: int | None = None
    ) -> list[Message]:
        return self._select(query, after_seq, forward=True, limit=limit)

    def query_messages_before(
        self, query: MessageQuery, *, before_seq: int, limit: int
    ) -> list[Message]:
        return self._select(query, before_seq, forward=False, limit=limit)

    # batches
    def add_batch(self, batch: Batch, messages: Sequence[Message] = ()) -> None:
        with self._transaction():
            batch.seq = self._next_seq("batches") + 1
            self._db.execute(
                "INSERT INTO batches (seq, id, provider, tenant, sender, created_at, size,"
                " processing, rejected, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    batch.seq,
                    batch.id,
                    batch.provider,
                    batch.tenant,
                    batch.sender,
                    batch.created_at,
                    batch.size,
                    batch.processing,
                    _dump(batch.rejected),
                    _dump(batch.extra),
                ),
            )
            self._insert_messages(messages)
            counts = self._batch_counts
            for key in (None, batch.provider):
                if key in counts:
                    counts[key] += 1

    def update_batch(self, batch: Batch) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE batches SET size = ?, processing = ?, rejected = ?, extra = ? WHERE id = ?",
                (batch.size, batch.processing, _dump(batch.rejected), _dump(batch.extra), batch.id),
            )

    @staticmethod
    def _row_to_batch(row: tuple[Any, ...]) -> Batch:
        seq, bid, provider, tenant, sender, created_at, size, processing, rejected, extra = row
        return Batch(
            id=bid,
            provider=provider,
            tenant=tenant,
            sender=sender,
            created_at=created_at,
            size=size,
            processing=processing,
            rejected=_load(rejected),
            extra=_load(extra),
            seq=seq,
        )

    _BATCH_COLUMNS = (
        "seq, id, provider, tenant, sender, created_at, size, processing, rejected, extra"
    )

    def get_batch(self, batch_id: str) -> Batch | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {self._BATCH_COLUMNS} FROM batches WHERE id = ?", (batch_id,)
            ).fetchone()
        return None if row is None else self._row_to_batch(row)

    def count_batches(self, provider: str | None = None) -> int:
        with self._lock:
            count = self._batch_counts.get(provider)
            if count is None:
                sql, args = "SELECT COUNT(*) FROM batches", ()
                if provider is not None:
                    sql, args = sql + " WHERE provider = ?", (provider,)
                count = self._batch_counts[provider] = self._db.execute(sql, args).fetchone()[0]
            return count

    def query_batches(
        self, query: BatchQuery, *, after_seq: int = 0, limit: int | None = None
    ) -> list[Batch]:
        return self._select_batches(query, "seq > ?", after_seq, "ORDER BY seq", limit)

    def query_batches_before(
        self, query: BatchQuery, *, before_seq: int, limit: int
    ) -> list[Batch]:
        found = self._select_batches(query, "seq < ?", before_seq, "ORDER BY seq DESC", limit)
        found.reverse()
        return found

    def _select_batches(
        self, query: BatchQuery, bound: str, seq: int, order: str, limit: int | None
    ) -> list[Batch]:
        if limit is not None and limit <= 0:
            return []  # as in ``_select``
        clauses = [bound]
        args: list[object] = [seq]
        for column, value in (
            ("provider", query.provider),
            ("tenant", query.tenant),
            ("sender", query.sender),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                args.append(value)
        if query.created_from is not None:
            clauses.append("created_at >= ?")
            args.append(query.created_from)
        if query.created_to is not None:
            clauses.append("created_at < ?")
            args.append(query.created_to)
        sql = f"SELECT {self._BATCH_COLUMNS} FROM batches WHERE {' AND '.join(clauses)} {order}"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [self._row_to_batch(row) for row in rows]

    # state and meta
    def get_state(self, namespace: str, key: str, default: Any = None) -> Any:
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM state WHERE namespace = ? AND key = ?", (namespace, key)
            ).fetchone()
        return default if row is None else _decode(row[0])

    def put_state(self, namespace: str, key: str, value: Any) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO state (namespace, key, value) VALUES (?, ?, ?)"
                " ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value",
                (namespace, key, _encode(value).decode()),
            )

    def delete_state(self, namespace: str, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM state WHERE namespace = ? AND key = ?", (namespace, key))

    def state_items(self, namespace: str) -> list[tuple[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT key, value FROM state WHERE namespace = ? ORDER BY rowid", (namespace,)
            ).fetchall()
        return [(key, _decode(value)) for key, value in rows]

    def get_meta(self, key: str, default: Any = None) -> Any:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else _decode(row[0])

    def put_meta(self, key: str, value: Any) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                (key, _encode(value).decode()),
            )
