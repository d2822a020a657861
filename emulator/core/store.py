"""Where messages, batches and provider state live: one interface, two backends.

``MemoryStore`` is the default.  ``SQLiteStore`` (in ``sqlite.py``) keeps the
same data in a file so it survives restarts.  Both pass the same test suite.

Messages and batches get a ``seq`` when added: a strictly increasing number
that gives a stable order and lets paging resume after any record (keyset
paging), so a page deep in a million messages costs what the first one does.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from itertools import chain, islice
from operator import attrgetter, le
from typing import Any, Protocol

import msgspec

from .models import Batch, Direction, Message

__all__ = [
    "BatchQuery",
    "MemoryStore",
    "MessageQuery",
    "Store",
    "iter_messages",
    "iter_messages_newest_first",
]

_encode = msgspec.json.encode
_decode = msgspec.json.decode
_id_of = attrgetter("id")
_seq_of = attrgetter("seq")
_created = attrgetter("created_at")
_tenant_of = attrgetter("provider", "tenant")
_batch_of = attrgetter("batch_id")


@dataclass(frozen=True, slots=True)
class MessageQuery:
    """Filters every backend understands; ``None`` means no filter."""

    provider: str | None = None
    tenant: str | None = None
    batch_id: str | None = None
    direction: Direction | None = None
    to: str | None = None
    numbers: frozenset[str] | None = None  # matches sender or recipient
    created_from: float | None = None  # inclusive
    created_to: float | None = None  # exclusive

    def matches(self, m: Message) -> bool:
        return (
            (self.provider is None or m.provider == self.provider)
            and (self.tenant is None or m.tenant == self.tenant)
            and (self.batch_id is None or m.batch_id == self.batch_id)
            and (self.direction is None or m.direction == self.direction)
            and (self.to is None or m.to == self.to)
            and (self.numbers is None or m.to in self.numbers or m.sender in self.numbers)
            and (self.created_from is None or m.created_at >= self.created_from)
            and (self.created_to is None or m.created_at < self.created_to)
        )


@dataclass(frozen=True, slots=True)
class BatchQuery:
    provider: str | None = None
    tenant: str | None = None
    sender: str | None = None
    created_from: float | None = None
    created_to: float | None = None

    def matches(self, b: Batch) -> bool:
        return (
            (self.provider is None or b.provider == self.provider)
            and (self.tenant is None or b.tenant == self.tenant)
            and (self.sender is None or b.sender == self.sender)
            and (self.created_from is None or b.created_at >= self.created_from)
            and (self.created_to is None or b.created_at < self.created_to)
        )


class Store(Protocol):
    """Storage backend interface."""

    def add_messages(self, messages: Sequence[Message]) -> None:
        """Store new messages (assigning ``seq``), atomically and in order.

        A message id already stored (or repeated) raises ``ValueError`` and
        stores nothing.
        """

    def update_message(self, message: Message) -> None:
        """Persist changes to an already stored message."""

    def get_message(self, message_id: str) -> Message | None: ...

    def query_messages(
        self, query: MessageQuery, *, after_seq: int = 0, limit: int | None = None
    ) -> list[Message]:
        """Matching messages with ``seq > after_seq``, oldest first."""

    def query_messages_before(
        self, query: MessageQuery, *, before_seq: int, limit: int
    ) -> list[Message]:
        """Up to ``limit`` matching messages with ``seq < before_seq``, oldest first."""

    def count_messages(self) -> int: ...

    def add_batch(self, batch: Batch, messages: Sequence[Message] = ()) -> None:
        """Store a batch and its messages together (assigning ``seq``); ids must be new."""

    def update_batch(self, batch: Batch) -> None: ...

    def get_batch(self, batch_id: str) -> Batch | None: ...

    def count_batches(self, provider: str | None = None) -> int:
        """How many batches are stored (of ``provider``, if given)."""

    def query_batches(
        self, query: BatchQuery, *, after_seq: int = 0, limit: int | None = None
    ) -> list[Batch]:
        """Matching batches with ``seq > after_seq``, oldest first."""

    def query_batches_before(
        self, query: BatchQuery, *, before_seq: int, limit: int
    ) -> list[Batch]:
        """Up to ``limit`` matching batches with ``seq < before_seq`` (the newest), oldest first."""

    def get_state(self, namespace: str, key: str, default: Any = None) -> Any:
        """Provider state (tokens, balances, opt-outs...): JSON-compatible values."""

    def put_state(self, namespace: str, key: str, value: Any) -> None: ...

    def delete_state(self, namespace: str, key: str) -> None: ...

    def state_items(self, namespace: str) -> list[tuple[str, Any]]: ...

    def get_meta(self, key: str, default: Any = None) -> Any:
        """Emulator bookkeeping that must survive a restart (counters, clock)."""

    def put_meta(self, key: str, value: Any) -> None: ...

    def clear(self) -> None:
        """Forget all messages, batches and state (meta included)."""

    def atomic(self) -> AbstractContextManager[Any]:
        """Hold the store over several calls: no other thread's call (``clear()``
        included) runs in between.  Re-entrant."""

    def transaction(self) -> AbstractContextManager[Any]:
        """Hold the store as ``atomic()`` does, for several writes that belong together.

        A persistent store commits them at once (one commit instead of one
        per write), or none of them if the block raises.  The memory store,
        with no crash to survive, applies each write as it is made.  Inside
        another transaction it is part of that one.  A store write that fails
        (a repeated id) is undone alone either way.
        """

    def close(self) -> None: ...


def iter_messages(
    store: Store, query: MessageQuery, *, after_seq: int = 0, first: int = 1024, most: int = 65536
) -> Iterator[Message]:
    """Every message matching ``query`` with ``seq > after_seq``, oldest first.

    Read ``first`` at a time, then twice as many per query up to ``most``: a
    caller that stops early reads little, one that reads everything holds at
    most ``most`` messages at once (the SQLite store builds each one).
    """
    size = min(max(first, 1), most)
    while True:
        chunk = store.query_messages(query, after_seq=after_seq, limit=size)
        yield from chunk
        if len(chunk) < size:
            return
        after_seq = chunk[-1].seq
        size = min(2 * size, most)


def iter_messages_newest_first(
    store: Store, query: MessageQuery, *, first: int = 64, most: int = 65536
) -> Iterator[Message]:
    """Every message matching ``query``, newest first, read in growing chunks (as above)."""
    size, before_seq = min(max(first, 1), most), 2**62
    while True:
        chunk = store.query_messages_before(query, before_seq=before_seq, limit=size)
        yield from reversed(chunk)
        if len(chunk) < size:
            return
        before_seq = chunk[0].seq
        size = min(2 * size, most)


#: Items per sealed chunk of a ``_SeqIndex``.
_CHUNK = 256


class _SeqIndex(msgspec.Struct, gc=False):
    """Records (messages or batches) in ``seq`` order, append-only, kept in tuples.

    Why tuples: the cyclic GC's full passes visit every element of every
    list, and a million stored messages in lists made each pass ~100 ms (a
    latency spike for every connection of a live server).  A tuple holding
    only untracked objects (``Message`` and ``Batch`` are untracked Structs)
    is dropped from the GC's lists after its first pass, so the records
    are sealed in tuples of ``_CHUNK``; only the short ``tail`` is rebuilt
    when records are added.  An index smaller than a chunk is a Struct and a
    tuple: nothing the GC keeps visiting.

    ``created_sorted`` stays true while ``created_at`` never decreases along
    the index (the usual case: the clock never goes back), which lets a
    ``created_from`` filter start with a bisect instead of a scan.
    """

    sealed: list[tuple[Any, ...]] | None = None
    tail: tuple[Any, ...] = ()
    created_sorted: bool = True

    def __len__(self) -> int:
        return (len(self.sealed) * _CHUNK if self.sealed else 0) + len(self.tail)

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            index += len(self)
            if index < 0:
                raise IndexError("index out of range")
        sealed = self.sealed
        if sealed:
            chunk, offset = divmod(index, _CHUNK)
            if chunk < len(sealed):
                return sealed[chunk][offset]
            index -= len(sealed) * _CHUNK
        return self.tail[index]

    def extend(self, records: Sequence[Any], ascending: bool = True) -> None:
        """Append ``records`` (``ascending``: their ``created_at`` never decreases)."""
        if not records:
            return
        tail = self.tail
        if self.created_sorted:
            last = tail[-1] if tail else self.sealed[-1][-1] if self.sealed else None
            if not ascending or (last is not None and records[0].created_at < last.created_at):
                self.created_sorted = False
        tail += tuple(records)
        if len(tail) >= _CHUNK:
            full = len(tail) - len(tail) % _CHUNK
            sealed = self.sealed if self.sealed is not None else []
            sealed.extend(tail[i : i + _CHUNK] for i in range(0, full, _CHUNK))
            self.sealed = sealed
            tail = tail[full:]
        self.tail = tail

    def forward(self, start: int) -> Iterator[Any]:
        """Records from position ``start`` on, in order."""
        sealed = self.sealed or ()
        chunk, offset = divmod(start, _CHUNK)
        if chunk >= len(sealed):
            return iter(self.tail[start - len(sealed) * _CHUNK :])
        return chain(
            islice(sealed[chunk], offset, None),
            chain.from_iterable(islice(sealed, chunk + 1, None)),
            self.tail,
        )

    def backward(self, start: int) -> Iterator[Any]:
        """Records from position ``start`` down to the first, newest first."""
        if start < 0:
            return iter(())
        sealed = self.sealed or ()
        chunk, offset = divmod(start, _CHUNK)
        if chunk >= len(sealed):
            tail_end = start - len(sealed) * _CHUNK
            newest: Iterator[Any] = reversed(self.tail[: tail_end + 1])
            older = reversed(sealed)
        else:
            newest = reversed(sealed[chunk][: offset + 1])
            older = reversed(sealed[:chunk])
        return chain(newest, chain.from_iterable(map(reversed, older)))

    def bisect_seq(self, seq: int, *, right: bool) -> int:
        """Position of ``seq`` (``bisect_right``/``bisect_left`` by the records' ``seq``)."""
        find = bisect_right if right else bisect_left
        sealed = self.sealed
        if sealed:
            # The chunk that can hold it, by each chunk's last seq; then inside it.
            chunk = find(sealed, seq, key=_last_seq)
            if chunk < len(sealed):
                return chunk * _CHUNK + find(sealed[chunk], seq, key=_seq_of)
            return len(sealed) * _CHUNK + find(self.tail, seq, key=_seq_of)
        return find(self.tail, seq, key=_seq_of)


def _last_seq(chunk: tuple[Any, ...]) -> int:
    return chunk[-1].seq


def _ascending(messages: Sequence[Message]) -> bool:
    """Whether ``created_at`` never decreases along ``messages`` (one C-level pass)."""
    return all(map(le, map(_created, messages), map(_created, islice(messages, 1, None))))


def _scan(records: Iterator[Any], match: Callable[[Any], bool], limit: int | None) -> list[Any]:
    if limit is not None and limit <= 0:
        return []
    return list(islice(filter(match, records), limit))


class MemoryStore:
    """Everything in dictionaries and lists; the default backend."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            # Messages and batches are numbered apart, as the SQLite store's tables
            # are: paging tokens carry these numbers, and must not depend on the store.
            self._seq = 0
            self._batch_seq = 0
            self._all = _SeqIndex()
            self._by_id: dict[str, Message] = {}
            self._by_tenant: dict[tuple[str, str], _SeqIndex] = {}
            self._by_batch: dict[str, _SeqIndex] = {}
            self._batches: dict[str, Batch] = {}
            self._batch_list = _SeqIndex()  # every batch, in seq order
            self._batch_counts: dict[str, int] = {}  # by provider
            self._state: dict[str, dict[str, bytes]] = {}
            self._meta: dict[str, bytes] = {}

    def atomic(self) -> AbstractContextManager[Any]:
        return self._lock

    def transaction(self) -> AbstractContextManager[Any]:
        return self._lock

    def close(self) -> None:
        pass

    # messages
    def add_messages(self, messages: Sequence[Message]) -> None:
        with self._lock:
            self._claim_ids(messages)
            self._add_messages(messages)

    def _claim_ids(self, messages: Sequence[Message]) -> None:
        """Index ``messages`` by id; if an id is taken or repeated, index none and raise.

        No temporary set of ids: for a 650,000-message batch that would be
        tens of megabytes at the moment memory use peaks.
        """
        by_id = self._by_id
        if any(map(by_id.__contains__, map(_id_of, messages))):
            raise ValueError("message ids must be unique")
        before = len(by_id)
        by_id.update(zip(map(_id_of, messages), messages, strict=True))
        if len(by_id) != before + len(messages):
            for message_id in map(_id_of, messages):
                by_id.pop(message_id, None)
            raise ValueError("message ids must be unique")

    def _add_messages(self, messages: Sequence[Message]) -> None:
        """Give claimed messages their ``seq`` and add them to the indexes."""
        if not messages:
            return
        records = tuple(messages)  # each index keeps tuples: one copy shared by all three
        for seq, m in enumerate(records, self._seq + 1):
            m.seq = seq
        self._seq += len(records)
        ascending = _ascending(records)
        self._all.extend(records, ascending)
        tenants = set(map(_tenant_of, records))
        batch_ids = set(map(_batch_of, records))
        if len(tenants) == 1 and len(batch_ids) == 1:  # one batch, or one message
            self._index(self._by_tenant, tenants.pop()).extend(records, ascending)
            batch_id = batch_ids.pop()
            if batch_id is not None:
                self._index(self._by_batch, batch_id).extend(records, ascending)
            return
        groups: dict[tuple[str, str], list[Message]] = {}
        batches: dict[str, list[Message]] = {}
        for m in records:
            groups.setdefault((m.provider, m.tenant), []).append(m)
            if m.batch_id is not None:
                batches.setdefault(m.batch_id, []).append(m)
        for key, group in groups.items():
            self._index(self._by_tenant, key).extend(group, _ascending(group))
        for batch_id, group in batches.items():
            self._index(self._by_batch, batch_id).extend(group, _ascending(group))

    @staticmethod
    def _index(indexes: dict[Any, _SeqIndex], key: Any) -> _SeqIndex:
        index = indexes.get(key)
        if index is None:
            index = indexes[key] = _SeqIndex()
        return index

    def update_message(self, message: Message) -> None:
        pass  # objects are shared; nothing to write back

    def get_message(self, message_id: str) -> Message | None:
        return self._by_id.get(message_id)

    def count_messages(self) -> int:
        return len(self._by_id)

    def _index_for(self, query: MessageQuery) -> _SeqIndex | None:
        if query.batch_id is not None:
            return self._by_batch.get(query.batch_id)
        if query.provider is not None and query.tenant is not None:
            return self._by_tenant.get((query.provider, query.tenant))
        return self._all

    def query_messages(
        self, query: MessageQuery, *, after_seq: int = 0, limit: int | None = None
    ) -> list[Message]:
        with self._lock:
            index = self._index_for(query)
            if index is None:
                return []
            start = index.bisect_seq(after_seq, right=True)
            if query.created_from is not None and index.created_sorted:
                start = max(start, self._first_created(index, query.created_from))
            return _scan(index.forward(start), query.matches, limit)

    def query_messages_before(
        self, query: MessageQuery, *, before_seq: int, limit: int
    ) -> list[Message]:
        with self._lock:
            index = self._index_for(query)
            if index is None:
                return []
            stop = index.bisect_seq(before_seq, right=False)
            found = _scan(index.backward(stop - 1), query.matches, limit)
            found.reverse()
            return found

    @staticmethod
    def _first_created(index: _SeqIndex, created_from: float) -> int:
        # Only called while created_at never decreases with seq.
        return bisect_left(index, created_from, key=_created)

    # batches
    def add_batch(self, batch: Batch, messages: Sequence[Message] = ()) -> None:
        with self._lock:
            if batch.id in self._batches:
                raise ValueError(f"batch id {batch.id!r} already exists")
            self._claim_ids(messages)
            self._batch_seq += 1
            batch.seq = self._batch_seq
            self._batches[batch.id] = batch
            self._batch_list.extend((batch,))
            counts = self._batch_counts
            counts[batch.provider] = counts.get(batch.provider, 0) + 1
            self._add_messages(messages)

    def update_batch(self, batch: Batch) -> None:
        pass

    def get_batch(self, batch_id: str) -> Batch | None:
        return self._batches.get(batch_id)

    def count_batches(self, provider: str | None = None) -> int:
        if provider is None:
            return len(self._batches)
        return self._batch_counts.get(provider, 0)

    def query_batches(
        self, query: BatchQuery, *, after_seq: int = 0, limit: int | None = None
    ) -> list[Batch]:
        with self._lock:
            batches = self._batch_list
            start = batches.bisect_seq(after_seq, right=True)
            return _scan(batches.forward(start), query.matches, limit)

    def query_batches_before(
        self, query: BatchQuery, *, before_seq: int, limit: int
    ) -> list[Batch]:
        with self._lock:
            batches = self._batch_list
            stop = batches.bisect_seq(before_seq, right=False)
            found = _scan(batches.backward(stop - 1), query.matches, limit)
            found.reverse()
            return found

    # state: kept JSON-encoded, so values behave exactly as in SQLiteStore
    # (a copy on every read, tuples come back as lists, non-JSON values fail).
    def get_state(self, namespace: str, key: str, default: Any = None) -> Any:
        raw = self._state.get(namespace, {}).get(key)
        return default if raw is None else _decode(raw)

    def put_state(self, namespace: str, key: str, value: Any) -> None:
        raw = _encode(value)
        with self._lock:
            self._state.setdefault(namespace, {})[key] = raw

    def delete_state(self, namespace: str, key: str) -> None:
        with self._lock:
            self._state.get(namespace, {}).pop(key, None)

    def state_items(self, namespace: str) -> list[tuple[str, Any]]:
        with self._lock:
            items = list(self._state.get(namespace, {}).items())
        return [(key, _decode(raw)) for key, raw in items]

    def get_meta(self, key: str, default: Any = None) -> Any:
        raw = self._meta.get(key)
        return default if raw is None else _decode(raw)

    def put_meta(self, key: str, value: Any) -> None:
        raw = _encode(value)
        with self._lock:
            self._meta[key] = raw
