"""Opt-outs per (sender, recipient) pair, set by keywords or ``bulk-assign``.

An inbound STOP, UNSUBSCRIBE, QUIT, CANCEL or END opts the pair out (source
``Recipient``); START, SUBSCRIBE, RESUME, CONTINUE or UNSTOP opts it back in.
The keyword is the whole message, ASCII letters in any case, surrounding ASCII space
ignored.
``bulk-assign`` records use source ``Account``.

Every change is also kept in a history (``consents/history``): deleting a pair's record
forgets its state, not what happened to it.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Collection, Iterator, Sequence
from collections.abc import Set as AbstractSet
from itertools import chain, islice
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from ...core.store import Store
from ...core.store_index import StoreIndex

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = [
    "OPT_IN_WORDS",
    "OPT_OUT_WORDS",
    "Pager",
    "forget",
    "history_pager",
    "keyword_status",
    "opted_out",
    "pager",
    "set_status",
    "set_statuses",
    "upgrade_store",
]

OPT_OUT_WORDS = frozenset({"STOP", "UNSUBSCRIBE", "QUIT", "CANCEL", "END"})
OPT_IN_WORDS = frozenset({"START", "SUBSCRIBE", "RESUME", "CONTINUE", "UNSTOP"})
_STATE = "ringcentral.optout"
_HISTORY = "ringcentral.optout.history"
#: ``meta`` key: the format of the consent state (2: every change is in the history).
_FORMAT_KEY = "ringcentral.optout.format"
_FORMAT = 2
_NONE: frozenset[str] = frozenset()
_STATUSES = {"OptOut": "OptOut", "OptIn": "OptIn"}  # one string each, whoever spelled it


def keyword_status(text: str) -> str | None:
    """``"OptOut"``/``"OptIn"`` when ``text`` is an opt keyword, else None."""
    word = text.strip(" \t\r\n\f\v")  # ASCII spaces: "\u3000stop" is no keyword either
    if not word.isascii():  # "ſtop", "quıt", "ﬆop" upper-case to keywords; no handset's are
        return None
    word = word.upper()
    if word in OPT_OUT_WORDS:
        return "OptOut"
    if word in OPT_IN_WORDS:
        return "OptIn"
    return None


#: A record as the listings' index holds it: ``(seq, from, to, status)``.
_Entry: TypeAlias = tuple[int, str, str, str]
_V = TypeVar("_V")
_seq_of = itemgetter(0)
#: Entries per chunk of a ``_Seqs`` (a new chunk when the last is full, split at twice).
_LOAD = 512


class _Seqs:
    """Entries in ``seq`` order, in chunks: adding, removing and finding a position
    cost a bisect and a chunk's move, not the whole list's."""

    __slots__ = ("chunks", "lasts")

    def __init__(self, entries: list[_Entry] | None = None) -> None:
        """Empty, or holding ``entries`` (in seq order) as they are."""
        self.chunks: list[list[_Entry]] = [entries] if entries else []
        self.lasts: list[int] = [entries[-1][0]] if entries else []  # each chunk's last seq

    @classmethod
    def of(cls, entries: list[_Entry]) -> _Seqs:
        """``entries`` (in seq order) in chunks of ``_LOAD``."""
        seqs = cls()
        seqs.chunks = [entries[i : i + _LOAD] for i in range(0, len(entries), _LOAD)]
        seqs.lasts = [chunk[-1][0] for chunk in seqs.chunks]
        return seqs

    def add(self, entry: _Entry) -> None:
        chunks, lasts, seq = self.chunks, self.lasts, entry[0]
        if not chunks or seq > lasts[-1]:  # the usual case: the newest change
            if chunks and len(chunks[-1]) < _LOAD:
                chunks[-1].append(entry)
            else:
                chunks.append([entry])
                lasts.append(seq)
            lasts[-1] = seq
            return
        i = bisect_left(lasts, seq)
        chunk = chunks[i]
        insort(chunk, entry, key=_seq_of)
        if len(chunk) > 2 * _LOAD:
            chunks[i : i + 1] = [chunk[:_LOAD], chunk[_LOAD:]]
            lasts[i : i + 1] = [chunk[_LOAD - 1][0], chunk[-1][0]]

    def remove(self, entry: _Entry) -> None:
        chunks, lasts, seq = self.chunks, self.lasts, entry[0]
        i = bisect_left(lasts, seq)
        chunk = chunks[i]
        del chunk[bisect_left(chunk, seq, key=_seq_of)]
        if chunk:
            lasts[i] = chunk[-1][0]
        else:
            del chunks[i], lasts[i]

    def __bool__(self) -> bool:
        return bool(self.chunks)

    def older(self, before: int) -> Iterator[_Entry]:
        """Entries with a smaller seq than ``before``, newest first."""
        chunks = self.chunks
        i = bisect_left(self.lasts, before)
        if i == len(chunks):
            return chain.from_iterable(map(reversed, reversed(chunks)))
        chunk = chunks[i]
        head = reversed(chunk[: bisect_left(chunk, before, key=_seq_of)])
        return chain(head, chain.from_iterable(map(reversed, reversed(chunks[:i]))))

    def newer(self, after: int) -> Iterator[_Entry]:
        """Entries with a larger seq than ``after``, oldest first."""
        chunks = self.chunks
        i = bisect_right(self.lasts, after)
        if i == len(chunks):
            return iter(())
        chunk = chunks[i]
        head = islice(chunk, bisect_right(chunk, after, key=_seq_of), None)
        return chain(head, chain.from_iterable(islice(chunks, i + 1, None)))


class _Listing:
    """One account's opt records, for the listings: by status, by (status, sender) in
    seq order, and by recipient (a recipient has one record per sender: few)."""

    __slots__ = ("by_from", "by_status", "by_to")

    def __init__(self) -> None:
        self.by_status: dict[str, _Seqs] = {}
        self.by_from: dict[tuple[str, str], _Seqs] = {}
        self.by_to: dict[str, _Entry | list[_Entry]] = {}  # one entry, or several

    def add(self, entry: _Entry) -> None:
        _, sender, recipient, status = entry
        for index, key in ((self.by_status, status), (self.by_from, (status, sender))):
            seqs = index.get(key)
            if seqs is None:
                seqs = index[key] = _Seqs()
            seqs.add(entry)
        _add_one(self.by_to, recipient, entry)

    def remove(self, entry: _Entry) -> None:
        _, sender, recipient, status = entry
        for index, key in ((self.by_status, status), (self.by_from, (status, sender))):
            seqs = index[key]
            seqs.remove(entry)
            if not seqs:
                del index[key]
        held = self.by_to[recipient]
        if isinstance(held, list):
            held.remove(entry)
            if len(held) == 1:
                self.by_to[recipient] = held[0]
        else:
            del self.by_to[recipient]

    def of(self, recipient: str) -> list[_Entry]:
        """The recipient's entries, any sender and status."""
        return list(_all_of(self.by_to, recipient))

    def find(self, sender: str, recipient: str) -> _Entry | None:
        return next((e for e in self.of(recipient) if e[1] == sender), None)


def _add_one(held_by: dict[str, _V | list[_V]], key: str, value: _V) -> None:
    """Add ``value`` to ``key``'s values, held alone until there is a second: most keys
    (recipients) have one, and a list each would cost every one of them ~90 bytes."""
    held = held_by.get(key)
    if held is None:
        held_by[key] = value
    elif isinstance(held, list):
        held.append(value)
    else:
        held_by[key] = [held, value]


def _all_of(held_by: dict[str, _V | list[_V]], key: str) -> list[_V]:
    """``key``'s values as ``_add_one`` holds them (the list itself: read only)."""
    held = held_by.get(key)
    if held is None:
        return []
    return held if isinstance(held, list) else [held]


class _Index:
    """What the opt records are read by, kept in this process (built with one scan)."""

    __slots__ = ("listings", "opted_out")

    def __init__(self) -> None:
        #: (tenant, sender) -> recipients opted out: what every batch checks, without a scan.
        self.opted_out: dict[tuple[str, str], set[str]] = {}
        #: tenant -> its records in the order the listings page them.
        self.listings: dict[str, _Listing] = {}

    def listing(self, tenant: str) -> _Listing:
        listing = self.listings.get(tenant)
        if listing is None:
            listing = self.listings[tenant] = _Listing()
        return listing

    def set(self, tenant: str, entry: _Entry) -> None:
        """Keep ``entry`` as the pair's record (instead of the one it had)."""
        _, sender, recipient, status = entry
        recipients = self.opted_out.setdefault((tenant, sender), set())
        if status == "OptOut":
            recipients.add(recipient)
        else:
            recipients.discard(recipient)
        listing = self.listing(tenant)
        old = listing.find(sender, recipient)
        if old is not None:
            listing.remove(old)
        listing.add(entry)


def _build(store: Store) -> _Index:
    """The index of every stored record: each run made whole, in seq order, at once."""
    index = _Index()
    shared: dict[str, str] = {}  # one string per tenant, sender and status, not per record
    share = shared.setdefault
    records = []
    for _, r in store.state_items(_STATE):
        tenant, sender = share(r["tenant"], r["tenant"]), share(r["from"], r["from"])
        records.append((r["seq"], tenant, sender, r["to"], r["status"]))
    records.sort()  # by seq: no two records have one
    runs: dict[tuple[str, str, str | None], list[_Entry]] = {}
    for seq, tenant, sender, recipient, status in records:  # one per (tenant, sender, recipient)
        status = _STATUSES.get(status, status)
        entry = (seq, sender, recipient, status)
        runs.setdefault((tenant, status, None), []).append(entry)
        runs.setdefault((tenant, status, sender), []).append(entry)
        _add_one(index.listing(tenant).by_to, recipient, entry)
        if status == "OptOut":
            index.opted_out.setdefault((tenant, sender), set()).add(recipient)
    for (tenant, status, sender), run in runs.items():
        listing = index.listing(tenant)
        seqs = _Seqs.of(run)
        if sender is None:
            listing.by_status[status] = seqs
        else:
            listing.by_from[status, sender] = seqs
    return index


_INDEX = StoreIndex("ringcentral.optout.index", _build)


def set_status(
    emu: Emulator, tenant: str, sender: str, recipient: str, status: str, source: str
) -> None:
    """Record that ``recipient`` opted out of / in to messages from ``sender``."""
    set_statuses(emu, tenant, [(sender, recipient, status, source)])


def set_statuses(emu: Emulator, tenant: str, changes: Sequence[tuple[str, str, str, str]]) -> None:
    """``set_status`` for each ``(sender, recipient, status, source)``, in one transaction
    (the indexes are stamped once: see ``StoreIndex.changing``)."""
    if not changes:
        return
    store = emu.store
    # With the ids they used; a clear() in between, or a rollback, would leave the index wrong.
    with emu.transaction():
        index = _INDEX.changing(store)
        history = _HISTORY_INDEX.changing(store)  # built (if it must be) without these
        for sender, recipient, status, source in changes:
            record = {
                "tenant": tenant,
                "from": sender,
                "to": recipient,
                "status": status,
                "source": source,
                "seq": emu.ids.next("ringcentral.optout"),
                "at": emu.time(),
            }
            store.put_state(_STATE, f"{tenant}|{sender}|{recipient}", record)
            index.set(tenant, (record["seq"], sender, recipient, _STATUSES.get(status, status)))
            store.put_state(_HISTORY, str(record["seq"]), record)
            history.add(tenant, recipient, record["seq"])


def forget(emu: Emulator, tenant: str, pairs: list[tuple[str | None, str]]) -> None:
    """Delete each (sender, recipient) record; a None sender: the recipient's for every sender.

    One look at each named record (the recipient's few for a None sender).
    """
    store = emu.store
    with emu.transaction():
        index = _INDEX.changing(store)
        listing = index.listing(tenant)
        for sender, recipient in pairs:
            if sender is None:
                found = listing.of(recipient)
            else:
                entry = listing.find(sender, recipient)
                found = [entry] if entry is not None else []
            for entry in found:
                store.delete_state(_STATE, f"{tenant}|{entry[1]}|{recipient}")
                index.opted_out.get((tenant, entry[1]), set()).discard(recipient)
                listing.remove(entry)


Pager = Callable[[int, int], list[dict[str, Any]]]


def pager(
    emu: Emulator,
    tenant: str,
    statuses: Collection[str],
    senders: Collection[str] | None = None,
    recipients: Collection[str] | None = None,
) -> tuple[Pager, Pager]:
    """``older``/``newer`` (as ``paging.paginate`` takes them) over the tenant's records
    of one of ``statuses``, one of ``senders`` and one of ``recipients`` (None: any).

    A page reads its own records and bisects to where it starts, whatever the
    account holds: records of some senders merge those senders' runs; of some
    recipients, those recipients' few records.
    """
    store = emu.store

    def runs() -> list[_Seqs]:
        """The runs that hold the records asked for (under the store's hold)."""
        listing = _INDEX.get(store).listings.get(tenant)
        if listing is None:
            return []
        if recipients is not None:  # each recipient's few records
            found = [
                e
                for r in set(recipients)
                for e in listing.of(r)
                if e[3] in statuses and (senders is None or e[1] in senders)
            ]
            return [_Seqs(sorted(found, key=_seq_of))]
        if senders is not None:
            keys = [(status, sender) for status in set(statuses) for sender in set(senders)]
            return [listing.by_from[k] for k in keys if k in listing.by_from]
        return [listing.by_status[s] for s in set(statuses) if s in listing.by_status]

    def read(entries: Iterator[_Entry], limit: int) -> list[dict[str, Any]]:
        return [
            store.get_state(_STATE, f"{tenant}|{sender}|{recipient}")
            for _, sender, recipient, _ in islice(entries, max(limit, 0))
        ]

    def older(before: int, limit: int) -> list[dict[str, Any]]:
        with store.atomic():
            newest = [run.older(before) for run in runs()]
            page = read(heapq.merge(*newest, key=_seq_of, reverse=True), limit)
        page.reverse()
        return page

    def newer(after: int, limit: int) -> list[dict[str, Any]]:
        with store.atomic():
            oldest = [run.newer(after) for run in runs()]
            return read(heapq.merge(*oldest, key=_seq_of), limit)

    return older, newer


class _History:
    """The seqs of each tenant's history records, and of each of its recipients', in
    order (a change always has the newest seq: each run only grows at its end).

    Kept as long as the history (until a reset), so a recipient's run is its one seq
    until it changes again (most recipients change once: a ``bulk-assign``), in a dict
    per tenant: a key tuple and a list per recipient cost each change ~150 bytes more.
    """

    __slots__ = ("by_tenant", "by_to")

    def __init__(self) -> None:
        self.by_tenant: dict[str, list[int]] = {}
        self.by_to: dict[str, dict[str, int | list[int]]] = {}

    def add(self, tenant: str, recipient: str, seq: int) -> None:
        self.by_tenant.setdefault(tenant, []).append(seq)
        _add_one(self.by_to.setdefault(tenant, {}), recipient, seq)

    def of(self, tenant: str, recipient: str) -> list[int]:
        """The recipient's run (read only)."""
        return _all_of(self.by_to.get(tenant, {}), recipient)


def _build_history(store: Store) -> _History:
    history = _History()
    shared: dict[str, str] = {}  # one string per tenant, not per record
    share = shared.setdefault
    found = sorted(
        (r["seq"], share(r["tenant"], r["tenant"]), r["to"]) for _, r in store.state_items(_HISTORY)
    )
    for seq, tenant, recipient in found:
        history.add(tenant, recipient, seq)
    return history


_HISTORY_INDEX = StoreIndex("ringcentral.optout.history.index", _build_history)


def history_pager(
    emu: Emulator, tenant: str, recipients: Collection[str] | None = None
) -> tuple[Pager, Pager]:
    """``older``/``newer`` (as ``paging.paginate`` takes them) over the tenant's consent
    changes, of one of ``recipients`` (None: any)."""
    store = emu.store

    def runs() -> list[list[int]]:
        history = _HISTORY_INDEX.get(store)
        if recipients is None:
            return [history.by_tenant.get(tenant, [])]
        return [history.of(tenant, r) for r in set(recipients)]

    def read(seqs: list[int]) -> list[dict[str, Any]]:
        return [store.get_state(_HISTORY, str(seq)) for seq in seqs]

    def older(before: int, limit: int) -> list[dict[str, Any]]:
        limit = max(limit, 0)
        with store.atomic():
            heads = [
                run[max(0, bisect_left(run, before) - limit) : bisect_left(run, before)]
                for run in runs()
            ]
            return read(sorted(chain.from_iterable(heads))[-limit:] if limit else [])

    def newer(after: int, limit: int) -> list[dict[str, Any]]:
        limit = max(limit, 0)
        with store.atomic():
            tails = [
                run[bisect_right(run, after) : bisect_right(run, after) + limit] for run in runs()
            ]
            return read(sorted(chain.from_iterable(tails))[:limit])

    return older, newer


def upgrade_store(emu: Emulator) -> None:
    """Start the history of a store an older version wrote (it kept none): each pair's
    record is the change that set it.  Once; a new store is marked at once."""
    store = emu.store
    if store.get_meta(_FORMAT_KEY) == _FORMAT:
        return
    with store.transaction():
        if store.get_meta(_FORMAT_KEY) == _FORMAT:  # another opener was first
            return
        for _, record in store.state_items(_STATE):
            key = str(record["seq"])
            if store.get_state(_HISTORY, key) is None:
                store.put_state(_HISTORY, key, record)
        store.put_meta(_FORMAT_KEY, _FORMAT)


def opted_out(emu: Emulator, tenant: str, sender: str) -> AbstractSet[str]:
    """Recipients currently opted out of ``sender``'s messages: the index's own set, not
    a copy (a batch checks it once per recipient; copying it cost every batch as many
    steps as the pair has opt-outs), so read it only under the store's hold, as a batch
    does inside its ``transaction()``, and never change it."""
    recipients = _INDEX.get(emu.store).opted_out.get((tenant, sender))
    return recipients if recipients else _NONE
