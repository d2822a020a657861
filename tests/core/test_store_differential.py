"""``MemoryStore`` and ``SQLiteStore`` (reopened now and then) give the same answers.

Random inserts (single messages, batches, mixed inserts spanning tenants and batches,
some crossing the memory store's 256-record chunks, ``created_at`` now and then going
back), provider state and meta, then every query the ``Store`` protocol has, with every
filter, cursor and limit: both stores must return the same records in the same order,
field by field.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from emulator.core.models import Batch, Direction, Message, Plan, Status
from emulator.core.sqlite import SQLiteStore
from emulator.core.store import BatchQuery, MemoryStore, MessageQuery

PROVIDERS = ("p1", "p2")
TENANTS = ("t1", "t2")
NUMBERS = ("+1", "+2", "+3", "SHOP")
PLANS = (
    Plan("delivered", ((1.0, Status.SENT), (5.0, Status.DELIVERED))),
    Plan("undeliverable", ((1.0, Status.SENT), (2.0, Status.FAILED)), error_code="E1"),
    Plan("invalid_number", (), error_code="E2", initial=Status.REJECTED),
)
EXTRAS = st.one_of(
    st.none(),
    st.fixed_dictionaries({}, optional={"k": st.integers(-2, 2), "f": st.sampled_from([1.0, 0.5])}),
)
SEQ = st.integers(-1, 700)
NAMESPACES = ("ns.state", "ns.history")
SEQ_KEYS = ("1", "2", "9", "10", "11")


def fields(message: Message) -> tuple[Any, ...]:
    return (
        message.seq,
        message.id,
        message.provider,
        message.tenant,
        message.sender,
        message.to,
        message.text,
        message.segments,
        message.created_at,
        message.dispatch_at,
        message.plan,
        message.batch_id,
        message.direction,
        message.encoding,
        message.extra,
    )


def batch_fields(batch: Batch) -> tuple[Any, ...]:
    return (
        batch.seq,
        batch.id,
        batch.provider,
        batch.tenant,
        batch.sender,
        batch.created_at,
        batch.size,
        batch.processing,
        list(batch.rejected),
        batch.extra,
    )


message_queries = st.builds(
    MessageQuery,
    provider=st.sampled_from((None, *PROVIDERS)),
    tenant=st.sampled_from((None, *TENANTS)),
    batch_id=st.sampled_from((None, "b1", "b2", "b3", "nope")),
    direction=st.sampled_from((None, Direction.OUTBOUND, Direction.INBOUND)),
    to=st.sampled_from((None, *NUMBERS)),
    numbers=st.one_of(st.none(), st.frozensets(st.sampled_from(NUMBERS), max_size=2)),
    created_from=st.one_of(st.none(), st.integers(0, 20).map(float)),
    created_to=st.one_of(st.none(), st.integers(0, 20).map(float)),
)
batch_queries = st.builds(
    BatchQuery,
    provider=st.sampled_from((None, *PROVIDERS)),
    tenant=st.sampled_from((None, *TENANTS)),
    sender=st.sampled_from((None, *NUMBERS)),
    created_from=st.one_of(st.none(), st.integers(0, 20).map(float)),
    created_to=st.one_of(st.none(), st.integers(0, 20).map(float)),
)
one_message = st.fixed_dictionaries(
    {
        "provider": st.sampled_from(PROVIDERS),
        "tenant": st.sampled_from(TENANTS),
        "to": st.sampled_from(NUMBERS),
        "sender": st.sampled_from(NUMBERS),
        "direction": st.sampled_from(Direction),
        "plan": st.sampled_from(PLANS),
        "extra": EXTRAS,
        "batch_id": st.sampled_from((None, None, "b1", "b2")),
        # created this long before the store's clock: inserts out of time order
        "earlier": st.sampled_from([0, 0, 0, 1, 4]),
    }
)


def variants(query: MessageQuery) -> list[MessageQuery]:
    """``query``, and with only its indexed filters (the ways each store looks records
    up: all, a tenant's, a batch's) and its dates, so those lookups get tried often."""
    dates = {"created_from": query.created_from, "created_to": query.created_to}
    return [
        query,
        MessageQuery(**dates),
        MessageQuery(provider=query.provider, tenant=query.tenant, **dates),
        MessageQuery(batch_id=query.batch_id, **dates),
    ]


class SameStores(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.tmp.name, "s.db")
        self.memory = MemoryStore()
        self.sqlite = SQLiteStore(self.path)
        self.count = 0
        self.batches = 0
        self.time = 0.0

    def teardown(self) -> None:
        if hasattr(self, "sqlite"):
            self.sqlite.close()
            self.tmp.cleanup()

    def new(self, spec: dict[str, Any]) -> Message:
        self.count += 1
        values = {k: v for k, v in spec.items() if k != "earlier"}
        created = max(0.0, self.time - spec["earlier"])
        return Message(
            id=f"m{self.count}",
            text=f"text {self.count}",
            segments=1 + self.count % 3,
            created_at=created,
            dispatch_at=created + self.count % 2,
            encoding="UCS-2" if self.count % 5 == 0 else "GSM-7",
            **values,
        )

    def both(self, build: Any, add: str, *args: Any) -> None:
        """Add what ``build()`` makes to each store (each its own objects, as after a restart)."""
        for store in (self.memory, self.sqlite):
            getattr(store, add)(*build(), *args)

    @rule(seconds=st.sampled_from([0.5, 1, 3, 7]), back_to=st.none() | st.integers(0, 6))
    def tick(self, seconds: float, back_to: int | None) -> None:
        # The emulator's clock only goes forward, but a caller's own clock may go back.
        self.time = self.time + seconds if back_to is None else float(back_to)

    @rule(specs=st.lists(one_message, min_size=1, max_size=4))
    def add_messages(self, specs: list[dict[str, Any]]) -> None:
        first = self.count
        for store in (self.memory, self.sqlite):
            self.count = first
            store.add_messages([self.new(spec) for spec in specs])

    @rule(
        spec=one_message,
        size=st.sampled_from([0, 1, 3, 300]),
        batch=st.sampled_from(["b1", "b2", "b3"]),
    )
    def add_batch(self, spec: dict[str, Any], size: int, batch: str) -> None:
        """A batch (its id new, or reused by a later batch of another id)."""
        self.batches += 1
        bid = f"{batch}-{self.batches}" if size else f"B{self.batches}"
        first = self.count
        for store in (self.memory, self.sqlite):
            self.count = first
            shared = {**spec, "batch_id": batch, "earlier": 0}
            group = Batch(
                id=bid,
                provider=spec["provider"],
                tenant=spec["tenant"],
                sender=spec["sender"],
                created_at=max(0.0, self.time - spec["earlier"]),
                size=size,
                processing=2.0,
                rejected=[{"index": 1, "code": "x"}] if size == 3 else (),
                extra=spec["extra"],
            )
            store.add_batch(group, [self.new(shared) for _ in range(size)])

    @rule(
        key=st.sampled_from(["a", "b", "c"]),
        value=st.one_of(st.none(), st.integers(), st.text(max_size=3)),
        delete=st.booleans(),
    )
    def state(self, key: str, value: Any, delete: bool) -> None:
        for store in (self.memory, self.sqlite):
            if delete:
                store.delete_state("ns", key)
            else:
                store.put_state("ns", key, value)
                store.put_meta(key, value)

    @rule(
        changes=st.lists(
            st.tuples(st.sampled_from(NAMESPACES), st.sampled_from(SEQ_KEYS), st.booleans()),
            min_size=1,
            max_size=4,
        )
    )
    def state_changes(self, changes: list[tuple[str, str, bool]]) -> None:
        """Changes to several namespaces in one transaction, keyed by seq as the
        RingCentral consents and their history are (``"10"`` sorts before ``"9"``)."""
        for store in (self.memory, self.sqlite):
            with store.transaction():
                for namespace, key, delete in changes:
                    if delete:
                        store.delete_state(namespace, key)
                    else:
                        store.put_state(namespace, key, {"seq": int(key), "at": self.time})

    @rule()
    def reopen(self) -> None:
        self.sqlite.close()
        self.sqlite = SQLiteStore(self.path)

    @rule()
    def clear(self) -> None:
        self.memory.clear()
        self.sqlite.clear()

    @rule(query=message_queries, after=SEQ, limit=st.one_of(st.none(), st.integers(-1, 5)))
    def query_messages(self, query: MessageQuery, after: int, limit: int | None) -> None:
        for each in variants(query):
            mine = self.memory.query_messages(each, after_seq=after, limit=limit)
            theirs = self.sqlite.query_messages(each, after_seq=after, limit=limit)
            assert list(map(fields, theirs)) == list(map(fields, mine)), each

    @rule(query=message_queries, before=SEQ, limit=st.integers(-1, 5))
    def query_messages_before(self, query: MessageQuery, before: int, limit: int) -> None:
        for each in variants(query):
            mine = self.memory.query_messages_before(each, before_seq=before, limit=limit)
            theirs = self.sqlite.query_messages_before(each, before_seq=before, limit=limit)
            assert list(map(fields, theirs)) == list(map(fields, mine)), each

    @rule(query=batch_queries, after=SEQ, before=SEQ, limit=st.integers(-1, 5))
    def query_batches(self, query: BatchQuery, after: int, before: int, limit: int) -> None:
        for store in (self.sqlite,):
            assert list(map(batch_fields, store.query_batches(query, after_seq=after))) == list(
                map(batch_fields, self.memory.query_batches(query, after_seq=after))
            )
            mine = self.memory.query_batches_before(query, before_seq=before, limit=limit)
            theirs = store.query_batches_before(query, before_seq=before, limit=limit)
            assert list(map(batch_fields, theirs)) == list(map(batch_fields, mine))

    @invariant()
    def same_lookups(self) -> None:
        if not hasattr(self, "sqlite"):
            return
        assert self.sqlite.count_messages() == self.memory.count_messages()
        for n in (1, self.count // 2, self.count):
            mine, theirs = self.memory.get_message(f"m{n}"), self.sqlite.get_message(f"m{n}")
            assert (theirs and fields(theirs)) == (mine and fields(mine))
        for n in (1, self.batches):
            for bid in (f"B{n}", *(f"{b}-{n}" for b in ("b1", "b2", "b3"))):
                mine_b, theirs_b = self.memory.get_batch(bid), self.sqlite.get_batch(bid)
                assert (theirs_b and batch_fields(theirs_b)) == (mine_b and batch_fields(mine_b))
        for namespace in ("ns", *NAMESPACES):
            assert self.sqlite.state_items(namespace) == self.memory.state_items(namespace)
        for key in SEQ_KEYS:
            for namespace in NAMESPACES:
                mine_s = self.memory.get_state(namespace, key, "-")
                assert self.sqlite.get_state(namespace, key, "-") == mine_s
        for key in ("a", "b", "c"):
            assert self.sqlite.get_meta(key, "-") == self.memory.get_meta(key, "-")


SameStores.TestCase.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None, suppress_health_check=list(HealthCheck)
)
TestSameStores = SameStores.TestCase
