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
from dataclasses import dataclass
from itertools import islice
from operator import attrgetter, le
from typing import Any, Protocol

import msgspec

from .models import Batch, Direction, Message

__all__ = ["BatchQuery", "MemoryStore", "MessageQuery", "Store"]

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

    def query_batches(
        self, query: BatchQuery, *, after_seq: int = 0, limit: int | None = None
    ) -> list[Batch]: ...

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

    def close(self) -> None: ...


class _SeqIndex(msgspec.Struct, gc=False):
    """Messages in seq order, bisected by ``seq`` through a key (no parallel list of seqs).

    ``created_sorted`` stays true while ``created_at`` never decreases along
    the list (the usual case: the clock never goes back), which lets a
    ``created_from`` filter start with a bisect instead of a scan.  Not
    tracked by the cyclic GC: there is one per stored batch.
    """

    items: list[Message] = msgspec.field(default_factory=list)
    created_sorted: bool = True

    def extend(self, messages: Sequence[Message], ascending: bool) -> None:
        """Append ``messages`` (``ascending``: their ``created_at`` never decreases)."""
        if not messages:
            return
        items = self.items
        if not ascending or (items and messages[0].created_at < items[-1].created_at):
            self.created_sorted = False
        items.extend(messages)


def _ascending(messages: Sequence[Message]) -> bool:
    """Whether ``created_at`` never decreases along ``messages`` (one C-level pass)."""
    return all(map(le, map(_created, messages), map(_created, islice(messages, 1, None))))


def _scan(
    items: list[Any],
    start: int,
    stop: int,
    step: int,
    match: Callable[[Any], bool],
    limit: int | None,
) -> Iterator[Any]:
    if limit is not None and limit <= 0:
        return
    found = 0
    for i in range(start, stop, step):
        item = items[i]
        if match(item):
            yield item
            found += 1
            if limit is not None and found >= limit:
                return


class MemoryStore:
    """Everything in dictionaries and lists; the default backend."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._seq = 0
            self._all = _SeqIndex()
            self._by_id: dict[str, Message] = {}
            self._by_tenant: dict[tuple[str, str], _SeqIndex] = {}
            self._by_batch: dict[str, _SeqIndex] = {}
            self._batches: dict[str, Batch] = {}
            self._batch_list: list[Batch] = []
            self._state: dict[str, dict[str, bytes]] = {}
            self._meta: dict[str, bytes] = {}

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
        for seq, m in enumerate(messages, self._seq + 1):
            m.seq = seq
        self._seq += len(messages)
        ascending = _ascending(messages)
        self._all.extend(messages, ascending)
        tenants = set(map(_tenant_of, messages))
        batch_ids = set(map(_batch_of, messages))
        if len(tenants) == 1 and len(batch_ids) == 1:  # one batch, or one message
            self._by_tenant.setdefault(tenants.pop(), _SeqIndex()).extend(messages, ascending)
            batch_id = batch_ids.pop()
            if batch_id is not None:
                self._by_batch.setdefault(batch_id, _SeqIndex()).extend(messages, ascending)
            return
        groups: dict[tuple[str, str], list[Message]] = {}
        batches: dict[str, list[Message]] = {}
        for m in messages:
            groups.setdefault((m.provider, m.tenant), []).append(m)
            if m.batch_id is not None:
                batches.setdefault(m.batch_id, []).append(m)
        for key, group in groups.items():
            self._by_tenant.setdefault(key, _SeqIndex()).extend(group, _ascending(group))
        for key, group in batches.items():
            self._by_batch.setdefault(key, _SeqIndex()).extend(group, _ascending(group))

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
            start = bisect_right(index.items, after_seq, key=_seq_of)
            if query.created_from is not None and index.created_sorted:
                start = max(start, self._first_created(index, query.created_from))
            return list(_scan(index.items, start, len(index.items), 1, query.matches, limit))

    def query_messages_before(
        self, query: MessageQuery, *, before_seq: int, limit: int
    ) -> list[Message]:
        with self._lock:
            index = self._index_for(query)
            if index is None:
                return []
            stop = bisect_left(index.items, before_seq, key=_seq_of)
            found = list(_scan(index.items, stop - 1, -1, -1, query.matches, limit))
            found.reverse()
            return found

    @staticmethod
    def _first_created(index: _SeqIndex, created_from: float) -> int:
        # Only called while created_at never decreases with seq.
        items = index.items
        lo, hi = 0, len(items)
        while lo < hi:
            mid = (lo + hi) // 2
            if items[mid].created_at < created_from:
                lo = mid + 1
            else:
                hi = mid
        return lo

    # batches
    def add_batch(self, batch: Batch, messages: Sequence[Message] = ()) -> None:
        with self._lock:
            if batch.id in self._batches:
                raise ValueError(f"batch id {batch.id!r} already exists")
            self._claim_ids(messages)
            self._seq += 1
            batch.seq = self._seq
            self._batches[batch.id] = batch
            self._batch_list.append(batch)
            self._add_messages(messages)

    def update_batch(self, batch: Batch) -> None:
        pass

    def get_batch(self, batch_id: str) -> Batch | None:
        return self._batches.get(batch_id)

    def query_batches(
        self, query: BatchQuery, *, after_seq: int = 0, limit: int | None = None
    ) -> list[Batch]:
        with self._lock:
            items = self._batch_list
            lo, hi = 0, len(items)
            while lo < hi:
                mid = (lo + hi) // 2
                if items[mid].seq <= after_seq:
                    lo = mid + 1
                else:
                    hi = mid
            return list(_scan(items, lo, len(items), 1, query.matches, limit))

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
