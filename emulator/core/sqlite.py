"""SQLite backend (``--db PATH``): the MemoryStore's contract, kept on disk in WAL mode."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from operator import attrgetter
from pathlib import Path
from typing import Any

import msgspec

from .models import Batch, Direction, Message, Plan, Status
from .store import BatchQuery, MessageQuery

__all__ = ["SQLiteStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS plans (id INTEGER PRIMARY KEY, body TEXT UNIQUE NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, provider TEXT NOT NULL,
    tenant TEXT NOT NULL, batch_id TEXT, direction TEXT NOT NULL, sender TEXT NOT NULL,
    recipient TEXT NOT NULL, text TEXT NOT NULL, segments INTEGER NOT NULL,
    encoding TEXT NOT NULL, created_at REAL NOT NULL, dispatch_at REAL NOT NULL,
    plan_id INTEGER NOT NULL, extra TEXT
);
CREATE INDEX IF NOT EXISTS messages_tenant ON messages (provider, tenant, seq);
CREATE INDEX IF NOT EXISTS messages_batch ON messages (batch_id, seq);
CREATE TABLE IF NOT EXISTS batches (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, provider TEXT NOT NULL,
    tenant TEXT NOT NULL, sender TEXT NOT NULL, created_at REAL NOT NULL,
    size INTEGER NOT NULL, processing REAL NOT NULL, rejected TEXT NOT NULL, extra TEXT
);
CREATE TABLE IF NOT EXISTS state (
    namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (namespace, key)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_MESSAGE_COLUMNS = (
    "seq, id, provider, tenant, batch_id, direction, sender, recipient, text, segments, "
    "encoding, created_at, dispatch_at, plan_id, extra"
)

_encode = msgspec.json.encode
_decode = msgspec.json.decode
_plan_of = attrgetter("plan")
_extra_of = attrgetter("extra")
_direction_of = attrgetter("direction")
# Message attributes in _MESSAGE_COLUMNS order, around the ``direction`` column.
_COLUMNS_BEFORE_DIRECTION = tuple(map(attrgetter, ("id", "provider", "tenant", "batch_id")))
_COLUMNS_AFTER_DIRECTION = tuple(
    map(attrgetter, ("sender", "to", "text", "segments", "encoding", "created_at", "dispatch_at"))
)


def _dump(value: Any) -> str | None:
    return None if value is None else _encode(value).decode()


def _load(value: str | None) -> Any:
    return None if value is None else _decode(value)


class SQLiteStore:
    """Messages, batches and state in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._plans: dict[int, Plan] = {}
        self._plan_ids: dict[Plan, int] = {}
        self._load_plans()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def clear(self) -> None:
        with self._lock:
            self._db.executescript(
                "BEGIN; DELETE FROM messages; DELETE FROM batches; DELETE FROM state;"
                " DELETE FROM meta; DELETE FROM plans; COMMIT;"
            )
            self._plans.clear()
            self._plan_ids.clear()

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

    # messages
    def _next_seq(self, table: str) -> int:
        (value,) = self._db.execute(f"SELECT COALESCE(MAX(seq), 0) FROM {table}").fetchone()
        return value

    def _insert_messages(self, messages: Sequence[Message]) -> None:
        first = self._next_seq("messages") + 1
        # Plans and extras are usually shared by a whole batch: look each one up
        # (or encode it) once, keyed by identity, instead of once per message.
        plans = {id(plan): plan for plan in map(_plan_of, messages)}
        plan_ids = {key: self._plan_id(plan) for key, plan in plans.items()}
        extras = {id(extra): extra for extra in map(_extra_of, messages)}
        dumped = {key: _dump(extra) for key, extra in extras.items()}

        for seq, m in enumerate(messages, first):
            m.seq = seq
        # Rows zipped from C-level column iterators: no Python frame per row, and
        # no list of 650,000 row tuples.
        rows = zip(
            range(first, first + len(messages)),
            *(map(getter, messages) for getter in _COLUMNS_BEFORE_DIRECTION),
            map(str, map(_direction_of, messages)),
            *(map(getter, messages) for getter in _COLUMNS_AFTER_DIRECTION),
            map(plan_ids.__getitem__, map(id, map(_plan_of, messages))),
            map(dumped.__getitem__, map(id, map(_extra_of, messages))),
            strict=True,
        )
        self._db.executemany(
            f"INSERT INTO messages ({_MESSAGE_COLUMNS}) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def _rollback(self, exc: BaseException) -> None:
        self._db.execute("ROLLBACK")
        # Plans inserted in the failed transaction are gone: forget their ids.
        self._plans.clear()
        self._plan_ids.clear()
        self._load_plans()
        if isinstance(exc, sqlite3.IntegrityError):
            raise ValueError(f"message and batch ids must be unique ({exc})") from exc

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction under the lock; rolled back (and plans reloaded) on error."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield
            except BaseException as exc:
                self._rollback(exc)
                raise
            self._db.execute("COMMIT")

    def add_messages(self, messages: Sequence[Message]) -> None:
        if not messages:
            return
        with self._transaction():
            self._insert_messages(messages)

    def update_message(self, message: Message) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE messages SET plan_id = ?, dispatch_at = ?, extra = ? WHERE id = ?",
                (
                    self._plan_id(message.plan),
                    message.dispatch_at,
                    _dump(message.extra),
                    message.id,
                ),
            )

    def _row_to_message(self, row: tuple[Any, ...]) -> Message:
        (
            seq,
            mid,
            provider,
            tenant,
            batch_id,
            direction,
            sender,
            recipient,
            text,
            segments,
            encoding,
            created_at,
            dispatch_at,
            plan_id,
            extra,
        ) = row
        return Message(
            id=mid,
            provider=provider,
            tenant=tenant,
            sender=sender,
            to=recipient,
            text=text,
            segments=segments,
            created_at=created_at,
            dispatch_at=dispatch_at,
            plan=self._plans[plan_id],
            batch_id=batch_id,
            direction=Direction(direction),
            encoding=encoding,
            extra=_load(extra),
            seq=seq,
        )

    def get_message(self, message_id: str) -> Message | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
        return None if row is None else self._row_to_message(row)

    def count_messages(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]

    @staticmethod
    def _where(query: MessageQuery) -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        for column, value in (
            ("provider", query.provider),
            ("tenant", query.tenant),
            ("batch_id", query.batch_id),
            ("recipient", query.to),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                args.append(value)
        if query.direction is not None:
            clauses.append("direction = ?")
            args.append(str(query.direction))
        if query.numbers is not None:
            marks = ", ".join("?" * len(query.numbers))
            clauses.append(f"(recipient IN ({marks}) OR sender IN ({marks}))")
            numbers = sorted(query.numbers)
            args.extend(numbers + numbers)
        if query.created_from is not None:
            clauses.append("created_at >= ?")
            args.append(query.created_from)
        if query.created_to is not None:
            clauses.append("created_at < ?")
            args.append(query.created_to)
        return clauses, args

    def query_messages(
        self, query: MessageQuery, *, after_seq: int = 0, limit: int | None = None
    ) -> list[Message]:
        clauses, args = self._where(query)
        clauses.append("seq > ?")
        args.append(after_seq)
        sql = f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE {' AND '.join(clauses)} ORDER BY seq"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [self._row_to_message(row) for row in rows]

    def query_messages_before(
        self, query: MessageQuery, *, before_seq: int, limit: int
    ) -> list[Message]:
        clauses, args = self._where(query)
        clauses.append("seq < ?")
        args += [before_seq, limit]
        sql = (
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE {' AND '.join(clauses)}"
            " ORDER BY seq DESC LIMIT ?"
        )
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        rows.reverse()
        return [self._row_to_message(row) for row in rows]

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

    def query_batches(
        self, query: BatchQuery, *, after_seq: int = 0, limit: int | None = None
    ) -> list[Batch]:
        clauses, args = ["seq > ?"], [after_seq]
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
        sql = (
            f"SELECT {self._BATCH_COLUMNS} FROM batches WHERE {' AND '.join(clauses)} ORDER BY seq"
        )
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
