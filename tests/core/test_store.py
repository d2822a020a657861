"""The store contract, run against both backends (MemoryStore and SQLiteStore)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.core.lifecycle import INBOUND_PLAN, Timing, plan_for
from emulator.core.models import Batch, Direction, Message, Plan, Status
from emulator.core.sqlite import SQLiteStore
from emulator.core.store import (
    BatchQuery,
    MemoryStore,
    MessageQuery,
    Store,
    iter_messages,
    iter_messages_newest_first,
)

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z
DELIVERED = plan_for("delivered", Timing())


def message(
    mid: str,
    *,
    provider: str = "p1",
    tenant: str = "t1",
    sender: str = "+15550000001",
    to: str = "+15550000002",
    created_at: float = T0,
    batch_id: str | None = None,
    direction: Direction = Direction.OUTBOUND,
    plan: Plan = DELIVERED,
    text: str = "hello",
    extra: dict[str, object] | None = None,
) -> Message:
    return Message(
        id=mid,
        provider=provider,
        tenant=tenant,
        sender=sender,
        to=to,
        text=text,
        segments=1,
        created_at=created_at,
        dispatch_at=created_at,
        plan=plan,
        batch_id=batch_id,
        direction=direction,
        extra=extra,
    )


def batch(bid: str, *, provider: str = "p1", tenant: str = "t1", size: int = 0) -> Batch:
    return Batch(
        id=bid,
        provider=provider,
        tenant=tenant,
        sender="+15550000001",
        created_at=T0,
        size=size,
        processing=2.0,
    )


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    backend: Store = MemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "e.db")
    yield backend
    backend.close()


def ids(messages: list[Message]) -> list[str]:
    return [m.id for m in messages]


# messages


def test_added_messages_come_back_field_by_field(store: Store) -> None:
    original = message(
        "m1", text="héllo €", extra={"k": [1, "x"]}, batch_id=None, direction=Direction.INBOUND
    )
    store.add_messages([original])
    got = store.get_message("m1")
    assert got is not None
    assert (got.id, got.provider, got.tenant, got.sender, got.to, got.text) == (
        "m1",
        "p1",
        "t1",
        "+15550000001",
        "+15550000002",
        "héllo €",
    )
    assert got.direction == Direction.INBOUND
    assert (got.segments, got.encoding, got.created_at, got.dispatch_at) == (1, "GSM-7", T0, T0)
    assert got.plan == DELIVERED
    assert got.extra == {"k": [1, "x"]}
    assert got.seq == original.seq > 0
    assert store.get_message("nope") is None
    assert store.count_messages() == 1


def test_seq_strictly_increases_in_insertion_order(store: Store) -> None:
    store.add_messages([message("a"), message("b")])
    store.add_batch(batch("B"), [message("c", batch_id="B")])
    store.add_messages([message("d")])
    found = store.query_messages(MessageQuery())
    assert ids(found) == ["a", "b", "c", "d"]
    seqs = [m.seq for m in found]
    assert seqs == sorted(seqs) and len(set(seqs)) == 4


def test_duplicate_message_id_is_refused_and_nothing_is_stored(store: Store) -> None:
    store.add_messages([message("a")])
    with pytest.raises(ValueError):
        store.add_messages([message("b"), message("a")])
    with pytest.raises(ValueError):
        store.add_messages([message("c"), message("c")])
    assert ids(store.query_messages(MessageQuery())) == ["a"]
    assert store.count_messages() == 1
    assert store.get_message("b") is None and store.get_message("c") is None
    got = store.get_message("a")
    assert got is not None and got.id == "a"


def test_every_message_is_found_by_id_among_many(store: Store) -> None:
    store.add_messages([message(f"id-{i}") for i in range(2000)])
    store.add_batch(batch("B"), [message(f"b-{i}", batch_id="B") for i in range(500)])
    assert store.count_messages() == 2500
    for wanted in ("id-0", "id-1999", "b-0", "b-499", *(f"id-{i}" for i in range(0, 2000, 37))):
        found = store.get_message(wanted)
        assert found is not None and found.id == wanted
    assert store.get_message("id-2000") is None


def test_duplicate_batch_id_is_refused(store: Store) -> None:
    store.add_batch(batch("B"), [message("a", batch_id="B")])
    with pytest.raises(ValueError):
        store.add_batch(batch("B"), [message("b", batch_id="B")])
    assert store.get_message("b") is None
    assert store.count_messages() == 1


def test_update_message_persists_plan_and_extra(store: Store) -> None:
    store.add_messages([message("a")])
    got = store.get_message("a")
    assert got is not None
    failed = plan_for("undeliverable", Timing(), "30008")
    got.plan, got.extra, got.dispatch_at = failed, {"note": 1}, T0 + 5
    store.update_message(got)
    again = store.get_message("a")
    assert again is not None
    assert (again.plan, again.extra, again.dispatch_at) == (failed, {"note": 1}, T0 + 5)
    assert again.status_at(T0 + 100) == Status.FAILED


def test_update_message_of_a_message_never_stored_changes_nothing(store: Store) -> None:
    store.add_messages([message("a")])
    store.update_message(message("ghost", text="never added"))
    assert store.get_message("ghost") is None
    assert ids(store.query_messages(MessageQuery())) == ["a"]


@pytest.mark.parametrize("one_object", [False, True], ids=["own extras", "a shared extra"])
def test_update_message_can_clear_extra(store: Store, one_object: bool) -> None:
    shared = {"k": 1}
    store.add_messages(
        [message("a", extra=shared), message("b", extra=shared if one_object else {"k": 1})]
    )
    got = store.get_message("a")
    assert got is not None
    got.extra = None
    store.update_message(got)
    again, other = store.get_message("a"), store.get_message("b")
    assert again is not None and other is not None
    assert (again.extra, other.extra) == (None, {"k": 1})


def test_one_insert_mixing_plans_extras_and_fields_comes_back_per_message(store: Store) -> None:
    shared = {"rate": 0.5}
    failed = plan_for("undeliverable", Timing(), "30008")
    originals = [
        message("a", extra=shared),
        message("b", extra=shared, plan=failed),
        message("c", extra={"rate": 1}, sender="+15550000009"),
        message("d", extra=None, direction=Direction.INBOUND, created_at=T0 + 1),
        message("e", extra={"rate": 1.0}, batch_id="B9", tenant="t2"),
        message("f", extra=shared, text="ünïcode", provider="p2"),
    ]
    expected = [
        (m.id, m.provider, m.tenant, m.batch_id, m.sender, m.direction, m.created_at, m.plan)
        for m in originals
    ]
    expected_extras = [(m.id, m.extra) for m in originals]
    store.add_messages(originals)
    got = store.query_messages(MessageQuery())
    assert [
        (m.id, m.provider, m.tenant, m.batch_id, m.sender, m.direction, m.created_at, m.plan)
        for m in got
    ] == expected
    # JSON keeps 1 and 1.0 apart, so equal-looking extras are stored each as given
    assert [(m.id, m.extra) for m in got] == expected_extras
    assert [type(m.extra["rate"]) for m in got if m.extra] == [float, float, int, float, float]


def test_one_insert_alike_but_for_its_extras_keeps_each_message_s_extra(store: Store) -> None:
    store.add_messages([message("a", extra={"k": 1}), message("b"), message("c", extra={"k": 2})])
    got = [(m.id, m.extra) for m in store.query_messages(MessageQuery())]
    assert got == [("a", {"k": 1}), ("b", None), ("c", {"k": 2})]


@pytest.mark.parametrize(
    "plan",
    [
        DELIVERED,
        plan_for("undeliverable", Timing(sent=0.5, delivered=2.25), "30008"),
        plan_for("invalid_number", Timing(), "E1"),
        plan_for("send_failed", Timing()),
        plan_for("no_receipt", Timing()),
        INBOUND_PLAN,
    ],
    ids=lambda p: p.outcome,
)
def test_plans_round_trip(store: Store, plan: Plan) -> None:
    store.add_messages([message("a", plan=plan)])
    got = store.get_message("a")
    assert got is not None
    assert got.plan == plan
    assert got.plan.final_status == plan.final_status
    assert [got.status_at(T0 + t) for t in (0, 1, 3, 100)] == [
        message("x", plan=plan).status_at(T0 + t) for t in (0, 1, 3, 100)
    ]


def test_plans_survive_reopening_sqlite(tmp_path: Path) -> None:
    plan = plan_for("undeliverable", Timing(sent=0.5, delivered=2.25), "30008")
    first = SQLiteStore(tmp_path / "e.db")
    first.add_messages([message("a", plan=plan), message("b", plan=DELIVERED)])
    first.close()
    second = SQLiteStore(tmp_path / "e.db")
    try:
        a, b = second.get_message("a"), second.get_message("b")
        assert a is not None and b is not None
        assert (a.plan, b.plan) == (plan, DELIVERED)
        second.add_messages([message("c", plan=plan)])
        c = second.get_message("c")
        assert c is not None and c.plan == plan
    finally:
        second.close()


def test_failed_insert_does_not_leave_a_dangling_plan(tmp_path: Path) -> None:
    path = tmp_path / "e.db"
    first = SQLiteStore(path)
    first.add_messages([message("a")])
    fresh = plan_for("send_failed", Timing(sent=7.0))
    with pytest.raises(ValueError):
        first.add_messages([message("b", plan=fresh), message("a")])
    first.add_messages([message("c", plan=fresh)])
    first.close()
    second = SQLiteStore(path)
    try:
        c = second.get_message("c")
        assert c is not None and c.plan == fresh
    finally:
        second.close()


def test_writes_in_a_transaction_are_all_there_after_it(store: Store) -> None:
    with store.transaction():
        store.add_batch(batch("B1", size=1), [message("a", batch_id="B1")])
        with store.transaction():  # nested
            store.add_messages([message("b")])
            store.put_state("ns", "k", 1)
        store.put_meta("ids", {"x": 1})
    assert ids(store.query_messages(MessageQuery())) == ["a", "b"]
    assert (store.get_state("ns", "k"), store.get_meta("ids")) == (1, {"x": 1})
    assert store.get_batch("B1") is not None


def test_a_repeated_id_inside_a_transaction_undoes_only_that_write(store: Store) -> None:
    store.add_messages([message("a")])
    with store.transaction():
        store.add_messages([message("b")])
        with pytest.raises(ValueError):
            store.add_messages([message("c"), message("a")])
        with pytest.raises(ValueError):
            store.add_batch(batch("B1"), [message("d"), message("b")])
        store.put_meta("ids", {"x": 2})
    assert ids(store.query_messages(MessageQuery())) == ["a", "b"]
    assert (store.get_message("c"), store.get_batch("B1")) == (None, None)
    assert store.get_meta("ids") == {"x": 2}
    store.add_messages([message("c")])  # its id is free again
    assert ids(store.query_messages(MessageQuery())) == ["a", "b", "c"]


def test_a_transaction_inside_another_is_part_of_it(store: Store) -> None:
    """What a nested one wrote before it raised is the outer one's to keep (as in memory)."""
    with store.transaction():
        with pytest.raises(RuntimeError), store.transaction():
            store.add_messages([message("a")])
            raise RuntimeError
        store.add_messages([message("b")])
    assert ids(store.query_messages(MessageQuery())) == ["a", "b"]


def test_sqlite_a_transaction_that_raises_saves_none_of_its_writes(tmp_path: Path) -> None:
    path = tmp_path / "e.db"
    first = SQLiteStore(path)
    fresh = plan_for("send_failed", Timing(sent=7.0))  # a plan row inserted, then undone
    with pytest.raises(RuntimeError), first.transaction():
        first.add_batch(batch("B1", size=1), [message("a", batch_id="B1", plan=fresh)])
        first.put_meta("ids", {"x": 1})
        raise RuntimeError("the process dies here")
    assert (first.get_message("a"), first.get_batch("B1"), first.get_meta("ids")) == (None,) * 3
    first.add_messages([message("b", plan=fresh)])  # the plan is inserted again, not assumed
    first.close()
    second = SQLiteStore(path)
    try:
        assert ids(second.query_messages(MessageQuery())) == ["b"]
        b = second.get_message("b")
        assert b is not None and b.plan == fresh
    finally:
        second.close()


@pytest.mark.parametrize("grouped", [False, True])
def test_sqlite_a_failed_commit_leaves_nothing_behind(
    tmp_path: Path, grouped: bool, full_disk_at_next_commit: Callable[[Any], sqlite3.Connection]
) -> None:
    """Plans and groups first written by a commit that failed are written again later,
    not assumed: the messages after it come back, in this process and after a restart."""
    path = tmp_path / "e.db"
    store = SQLiteStore(path)
    store.add_messages([message("a")])
    fresh = plan_for("send_failed", Timing(sent=7.0))
    real = full_disk_at_next_commit(store)
    with pytest.raises(sqlite3.OperationalError):
        if grouped:
            with store.transaction():
                store.add_messages([message("b", plan=fresh, created_at=T0 + 1)])
                store.put_meta("ids", {"x": 1})
        else:
            store.add_messages([message("b", plan=fresh, created_at=T0 + 1)])
    assert not real.in_transaction
    store._db = real
    assert (store.get_message("b"), store.get_meta("ids")) == (None, None)
    store.add_messages([message("c", plan=fresh, created_at=T0 + 1)])  # the same plan and group
    c = store.get_message("c")
    assert c is not None and (c.plan, c.created_at) == (fresh, T0 + 1)
    store.close()
    again = SQLiteStore(path)
    try:
        assert ids(again.query_messages(MessageQuery())) == ["a", "c"]
        c = again.get_message("c")
        assert c is not None and (c.plan, c.created_at) == (fresh, T0 + 1)
    finally:
        again.close()


def test_sqlite_a_clear_that_fails_leaves_no_transaction_open(tmp_path: Path) -> None:
    """Another connection holding the file's write lock makes clear() fail; the store's
    later writes are still committed (before, they joined a transaction never committed)."""
    path = tmp_path / "e.db"
    store = SQLiteStore(path)
    store.add_messages([message("a")])
    store._db.execute("PRAGMA busy_timeout = 0")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process, mid-write
    with pytest.raises(sqlite3.OperationalError):
        store.clear()
    other.execute("ROLLBACK")
    assert not store._db.in_transaction
    store.add_messages([message("b")])
    assert [m for (m,) in other.execute("SELECT id FROM messages ORDER BY seq")] == ["a", "b"]
    other.close()
    store.close()


def test_sqlite_a_transaction_commits_once(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "e.db")
    statements: list[str] = []
    store._db.set_trace_callback(statements.append)
    with store.transaction():
        store.add_batch(batch("B1", size=1), [message("a", batch_id="B1")])
        store.put_meta("ids", {"x": 1})
        store.put_meta("clock", T0)
    store._db.set_trace_callback(None)
    store.close()
    assert [s for s in statements if s in ("BEGIN IMMEDIATE", "COMMIT")] == [
        "BEGIN IMMEDIATE",
        "COMMIT",
    ]


# queries


@pytest.fixture
def populated(store: Store) -> Store:
    store.add_messages(
        [
            message("m1", provider="p1", tenant="t1", to="+1001", created_at=T0),
            message("m2", provider="p2", tenant="t1", to="+1002", created_at=T0 + 10),
            message(
                "m3",
                provider="p1",
                tenant="t2",
                sender="+1002",
                to="+1003",
                created_at=T0 + 20,
                direction=Direction.INBOUND,
            ),
        ]
    )
    store.add_batch(
        batch("B1", size=2),
        [
            message("m4", batch_id="B1", to="+1001", created_at=T0 + 30),
            message("m5", batch_id="B1", to="+1005", created_at=T0 + 30),
        ],
    )
    store.add_messages([message("m6", provider="p2", tenant="t2", to="+1006", created_at=T0 + 40)])
    return store


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (MessageQuery(), ["m1", "m2", "m3", "m4", "m5", "m6"]),
        (MessageQuery(provider="p1"), ["m1", "m3", "m4", "m5"]),
        (MessageQuery(provider="p2"), ["m2", "m6"]),
        (MessageQuery(provider="nobody"), []),
        (MessageQuery(tenant="t2"), ["m3", "m6"]),
        (MessageQuery(provider="p1", tenant="t1"), ["m1", "m4", "m5"]),
        (MessageQuery(provider="p1", tenant="nobody"), []),
        (MessageQuery(batch_id="B1"), ["m4", "m5"]),
        (MessageQuery(batch_id="B1", to="+1005"), ["m5"]),
        (MessageQuery(batch_id="nope"), []),
        (MessageQuery(direction=Direction.INBOUND), ["m3"]),
        (MessageQuery(direction=Direction.OUTBOUND, provider="p1"), ["m1", "m4", "m5"]),
        (MessageQuery(to="+1001"), ["m1", "m4"]),
        (MessageQuery(numbers=frozenset({"+1002"})), ["m2", "m3"]),
        (MessageQuery(numbers=frozenset({"+1003", "+1006"})), ["m3", "m6"]),
        (MessageQuery(numbers=frozenset()), []),
        (MessageQuery(created_from=T0 + 10), ["m2", "m3", "m4", "m5", "m6"]),
        (MessageQuery(created_to=T0 + 30), ["m1", "m2", "m3"]),
        (MessageQuery(created_from=T0 + 10, created_to=T0 + 30), ["m2", "m3"]),
        (MessageQuery(created_from=T0 + 41), []),
        (MessageQuery(provider="p1", tenant="t1", created_from=T0 + 30), ["m4", "m5"]),
    ],
)
def test_query_filters(populated: Store, query: MessageQuery, expected: list[str]) -> None:
    assert ids(populated.query_messages(query)) == expected


def test_created_from_works_when_created_at_is_not_in_insertion_order(store: Store) -> None:
    # Two threads on a real clock can store in the opposite order they read it.
    store.add_messages([message("late", created_at=T0 + 10)])
    store.add_messages([message("early", created_at=T0 + 5)])
    store.add_messages([message("later", created_at=T0 + 20)])
    assert ids(store.query_messages(MessageQuery(created_from=T0 + 5))) == [
        "late",
        "early",
        "later",
    ]
    assert ids(store.query_messages(MessageQuery(created_from=T0 + 6))) == ["late", "later"]


@pytest.mark.parametrize("others", [[], [message("x", tenant="t2")]])
def test_created_from_works_when_one_insert_goes_back_in_time(
    store: Store, others: list[Message]
) -> None:
    """One insert whose ``created_at`` goes back (a caller's own records), alone or
    with another tenant's: every lookup (all, a tenant's, a batch's) still finds each."""
    store.add_messages(
        [
            *others,
            message("late", created_at=T0 + 10, batch_id="B"),
            message("early", created_at=T0 + 5, batch_id="B"),
        ]
    )
    for query in (
        MessageQuery(created_from=T0 + 6),
        MessageQuery(provider="p1", tenant="t1", created_from=T0 + 6),
        MessageQuery(batch_id="B", created_from=T0 + 6),
    ):
        assert ids(store.query_messages(query)) == ["late"], query


def test_limit(populated: Store) -> None:
    assert ids(populated.query_messages(MessageQuery(), limit=2)) == ["m1", "m2"]
    assert populated.query_messages(MessageQuery(), limit=0) == []
    assert ids(populated.query_messages(MessageQuery(provider="p2"), limit=1)) == ["m2"]
    assert populated.query_messages_before(MessageQuery(), before_seq=10**9, limit=0) == []


@pytest.mark.parametrize("limit", [0, -1])
def test_a_limit_below_one_finds_nothing_in_every_store(populated: Store, limit: int) -> None:
    """SQLite reads a negative LIMIT as none at all: the memory store's answer is kept."""
    assert populated.query_messages(MessageQuery(), limit=limit) == []
    assert populated.query_messages(MessageQuery(provider="p1", tenant="t1"), limit=limit) == []
    assert populated.query_messages_before(MessageQuery(), before_seq=10**9, limit=limit) == []
    assert populated.query_batches(BatchQuery(), limit=limit) == []
    assert populated.query_batches_before(BatchQuery(), before_seq=10**9, limit=limit) == []


def _page_forward(store: Store, query: MessageQuery, size: int) -> list[str]:
    seen: list[str] = []
    after = 0
    while True:
        page = store.query_messages(query, after_seq=after, limit=size)
        if not page:
            return seen
        seen += ids(page)
        after = page[-1].seq


@pytest.mark.parametrize("size", [1, 2, 3, 100])
@pytest.mark.parametrize(
    "query", [MessageQuery(), MessageQuery(provider="p1"), MessageQuery(batch_id="B1")]
)
def test_keyset_paging_forward_returns_each_record_once(
    populated: Store, query: MessageQuery, size: int
) -> None:
    assert _page_forward(populated, query, size) == ids(populated.query_messages(query))


@pytest.mark.parametrize("size", [1, 2, 4])
def test_keyset_paging_backward_returns_each_record_once(populated: Store, size: int) -> None:
    query = MessageQuery(provider="p1")
    pages: list[list[str]] = []
    before = 10**12
    while True:
        page = populated.query_messages_before(query, before_seq=before, limit=size)
        if not page:
            break
        assert [m.seq for m in page] == sorted(m.seq for m in page)  # oldest first
        assert len(page) <= size
        pages.append(ids(page))
        before = page[0].seq
    flat = [mid for page in reversed(pages) for mid in page]
    assert flat == ["m1", "m3", "m4", "m5"]


@pytest.mark.parametrize("size", [1, 3, 1000])
def test_paging_a_tenant_and_a_batch_across_interleaved_inserts(store: Store, size: int) -> None:
    store.add_messages([message("a1"), message("x1", tenant="t2"), message("a2")])
    store.add_messages([message("a3")])
    store.add_messages([message("a4")])
    store.add_batch(batch("B1"), [message(f"b{i}", batch_id="B1") for i in range(4)])
    store.add_messages([message("x2", tenant="t2"), message("y1", provider="p2")])
    store.add_batch(batch("B2"), [message("c1", batch_id="B2"), message("c2", batch_id="B2")])
    store.add_messages([message("a5")])
    tenant = MessageQuery(provider="p1", tenant="t1")
    everything = ["a1", "a2", "a3", "a4", "b0", "b1", "b2", "b3", "c1", "c2", "a5"]
    assert _page_forward(store, tenant, size) == everything
    assert _page_backward(store, tenant, size) == everything
    batch_query = MessageQuery(batch_id="B1")
    assert _page_forward(store, batch_query, size) == ["b0", "b1", "b2", "b3"]
    assert _page_backward(store, batch_query, size) == ["b0", "b1", "b2", "b3"]
    provider = MessageQuery(provider="p1")
    assert _page_backward(store, provider, size) == ids(store.query_messages(provider))
    b2 = store.get_message("b2")
    assert b2 is not None
    assert ids(store.query_messages(tenant, after_seq=b2.seq, limit=2)) == ["b3", "c1"]
    assert ids(store.query_messages_before(tenant, before_seq=b2.seq, limit=3)) == [
        "a4",
        "b0",
        "b1",
    ]


def _page_backward(store: Store, query: MessageQuery, size: int) -> list[str]:
    pages: list[list[str]] = []
    before = 10**12
    while page := store.query_messages_before(query, before_seq=before, limit=size):
        pages.append(ids(page))
        before = page[0].seq
    return [mid for page in reversed(pages) for mid in page]


def test_query_before_gives_the_newest_matching_records_before_the_cursor(populated: Store) -> None:
    m5 = populated.get_message("m5")
    assert m5 is not None
    page = populated.query_messages_before(MessageQuery(provider="p1"), before_seq=m5.seq, limit=2)
    assert ids(page) == ["m3", "m4"]


def test_paging_is_stable_under_inserts_between_pages(store: Store) -> None:
    store.add_messages([message(f"a{i}", created_at=T0 + i) for i in range(5)])
    query = MessageQuery(provider="p1")
    first = store.query_messages(query, limit=2)
    # New records arrive between pages, some matching, some not.
    store.add_messages([message("new1", created_at=T0 + 10), message("other", provider="p9")])
    seen = ids(first)
    after = first[-1].seq
    pending = ["x1"]
    while page := store.query_messages(query, after_seq=after, limit=2):
        seen += ids(page)
        after = page[-1].seq
        if pending:
            store.add_messages([message(pending.pop(), created_at=T0 + 20)])
    assert seen == ["a0", "a1", "a2", "a3", "a4", "new1", "x1"]


def test_backward_paging_is_stable_under_inserts(store: Store) -> None:
    store.add_messages([message(f"a{i}") for i in range(5)])
    query = MessageQuery()
    newest = store.query_messages_before(query, before_seq=10**12, limit=2)
    assert ids(newest) == ["a3", "a4"]
    store.add_messages([message("late")])
    older = store.query_messages_before(query, before_seq=newest[0].seq, limit=2)
    assert ids(older) == ["a1", "a2"]
    oldest = store.query_messages_before(query, before_seq=older[0].seq, limit=2)
    assert ids(oldest) == ["a0"]


def test_paging_across_the_memory_store_s_chunk_boundaries(store: Store) -> None:
    """The memory store seals records in chunks of 256: a cursor on a chunk's first or
    last record pages like any other."""
    store.add_messages([message(f"m{i}") for i in range(1, 601)])
    for cursor in (255, 256, 257, 511, 512, 513):
        before = store.query_messages_before(MessageQuery(), before_seq=cursor, limit=2)
        assert [m.seq for m in before] == [cursor - 2, cursor - 1]
        after = store.query_messages(MessageQuery(), after_seq=cursor, limit=2)
        assert [m.seq for m in after] == [cursor + 1, cursor + 2]


def test_one_insert_spanning_batches_is_found_by_each_batch(store: Store) -> None:
    store.add_messages([message("a", batch_id="B1"), message("b", batch_id="B2"), message("c")])
    assert ids(store.query_messages(MessageQuery(batch_id="B1"))) == ["a"]
    assert ids(store.query_messages(MessageQuery(batch_id="B2"))) == ["b"]
    found = store.query_messages_before(MessageQuery(batch_id="B2"), before_seq=2**62, limit=5)
    assert ids(found) == ["b"]


# batches


def test_batches_round_trip_and_query(store: Store) -> None:
    b1 = batch("B1", size=2)
    b1.rejected = [{"index": 2, "to": "bad", "code": "X"}]
    b1.extra = {"from": "+1"}
    store.add_batch(b1, [message("a", batch_id="B1"), message("b", batch_id="B1")])
    store.add_batch(batch("B2", provider="p2"))
    store.add_batch(batch("B3", tenant="t9"))
    got = store.get_batch("B1")
    assert got is not None
    assert (got.id, got.provider, got.tenant, got.sender, got.created_at) == (
        "B1",
        "p1",
        "t1",
        "+15550000001",
        T0,
    )
    assert (got.size, got.processing, got.extra) == (2, 2.0, {"from": "+1"})
    assert got.rejected == [{"index": 2, "to": "bad", "code": "X"}]
    assert store.get_batch("nope") is None
    all_ids = [b.id for b in store.query_batches(BatchQuery())]
    assert all_ids == ["B1", "B2", "B3"]
    assert [b.id for b in store.query_batches(BatchQuery(provider="p1"))] == ["B1", "B3"]
    assert [b.id for b in store.query_batches(BatchQuery(tenant="t9"))] == ["B3"]
    assert [b.id for b in store.query_batches(BatchQuery(sender="+nobody"))] == []
    first = store.query_batches(BatchQuery(), limit=1)
    assert [b.id for b in first] == ["B1"]
    rest = store.query_batches(BatchQuery(), after_seq=first[0].seq)
    assert [b.id for b in rest] == ["B2", "B3"]
    assert store.query_batches(BatchQuery(created_from=T0 + 1)) == []
    assert len(store.query_batches(BatchQuery(created_to=T0 + 1))) == 3


def test_batch_dates_include_their_start_and_exclude_their_end(store: Store) -> None:
    """As for messages: RingCentral's batch list passes its dateFrom and dateTo on."""
    for i in range(3):
        b = batch(f"B{i}")
        b.created_at = T0 + i
        store.add_batch(b)
    window = BatchQuery(created_from=T0 + 1, created_to=T0 + 2)
    assert [b.id for b in store.query_batches(window)] == ["B1"]
    found = store.query_batches_before(window, before_seq=2**62, limit=5)
    assert [b.id for b in found] == ["B1"]


def test_update_batch(store: Store) -> None:
    store.add_batch(batch("B1", size=1))
    got = store.get_batch("B1")
    assert got is not None
    got.rejected = [{"index": 1}]
    got.extra = {"status": "done"}
    store.update_batch(got)
    again = store.get_batch("B1")
    assert again is not None
    assert (again.rejected, again.extra) == ([{"index": 1}], {"status": "done"})


# state and meta


def test_state_get_put_delete_items(store: Store) -> None:
    assert store.get_state("ns", "k") is None
    assert store.get_state("ns", "k", 5) == 5
    store.put_state("ns", "k", {"balance": 10, "tags": ["a"]})
    store.put_state("ns", "k2", 3)
    store.put_state("other", "k", "x")
    assert store.get_state("ns", "k") == {"balance": 10, "tags": ["a"]}
    assert store.state_items("ns") == [("k", {"balance": 10, "tags": ["a"]}), ("k2", 3)]
    store.put_state("ns", "k", {"balance": 9})  # an update keeps its place
    assert store.state_items("ns") == [("k", {"balance": 9}), ("k2", 3)]
    store.delete_state("ns", "k")
    store.delete_state("ns", "missing")
    assert store.get_state("ns", "k") is None
    assert store.state_items("ns") == [("k2", 3)]
    assert store.state_items("empty") == []
    assert store.get_state("other", "k") == "x"


def test_state_values_are_json_copies(store: Store) -> None:
    value = {"items": [1, 2], "pair": (1, 2)}
    store.put_state("ns", "k", value)
    value["items"].append(3)  # not written back without put_state
    got = store.get_state("ns", "k")
    assert got == {"items": [1, 2], "pair": [1, 2]}
    got["items"].append(4)
    assert store.get_state("ns", "k") == {"items": [1, 2], "pair": [1, 2]}


def test_state_can_hold_null_and_falsy_values(store: Store) -> None:
    for key, value in [("none", None), ("zero", 0), ("empty", ""), ("list", [])]:
        store.put_state("ns", key, value)
        assert store.get_state("ns", key, "default") == value
    assert [k for k, _ in store.state_items("ns")] == ["none", "zero", "empty", "list"]


def test_state_refuses_values_json_cannot_hold(store: Store) -> None:
    with pytest.raises(TypeError):
        store.put_state("ns", "k", object())
    assert store.get_state("ns", "k") is None
    store.put_state("ns", "k", {"b": (1, 2)})  # tuples come back as lists on every backend
    assert store.get_state("ns", "k") == {"b": [1, 2]}


def test_meta(store: Store) -> None:
    assert store.get_meta("ids") is None
    assert store.get_meta("ids", {}) == {}
    store.put_meta("ids", {"a": 1})
    store.put_meta("clock", 12.5)
    store.put_meta("ids", {"a": 2})
    assert (store.get_meta("ids"), store.get_meta("clock")) == ({"a": 2}, 12.5)


def test_clear_forgets_everything(populated: Store) -> None:
    populated.put_state("ns", "k", 1)
    populated.put_meta("ids", {"x": 1})
    populated.clear()
    assert populated.query_messages(MessageQuery()) == []
    assert populated.count_messages() == 0
    assert populated.get_message("m1") is None
    assert populated.get_batch("B1") is None
    assert populated.query_batches(BatchQuery()) == []
    assert populated.state_items("ns") == []
    assert populated.get_meta("ids") is None
    # and works normally afterwards, ids free again
    populated.add_messages([message("m1")])
    assert ids(populated.query_messages(MessageQuery())) == ["m1"]
    assert populated.query_messages_before(MessageQuery(), before_seq=10**12, limit=5)[0].id == "m1"


def test_sqlite_uses_wal_and_keeps_data_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "e.db"
    first = SQLiteStore(path)
    (mode,) = first._db.execute("PRAGMA journal_mode").fetchone()
    assert mode == "wal"
    first.add_batch(batch("B1", size=1), [message("a", batch_id="B1")])
    first.put_state("ns", "k", [1])
    first.put_meta("clock", T0)
    first.close()
    second = SQLiteStore(path)
    try:
        assert ids(second.query_messages(MessageQuery(batch_id="B1"))) == ["a"]
        assert second.get_batch("B1") is not None
        assert second.get_state("ns", "k") == [1]
        assert second.get_meta("clock") == T0
        old = second.get_message("a")
        second.add_messages([message("b")])
        new = second.get_message("b")
        assert old is not None and new is not None and new.seq > old.seq
    finally:
        second.close()


class _CountingStore:
    """A store that records how many messages each ``query_messages`` call returned."""

    def __init__(self, store: Store) -> None:
        self.store, self.reads = store, []

    def query_messages(self, query: MessageQuery, **kwargs: object) -> list[Message]:
        found = self.store.query_messages(query, **kwargs)  # type: ignore[arg-type]
        self.reads.append(len(found))
        return found


@pytest.mark.parametrize(("first", "most"), [(1, 1), (1, 2), (2, 3), (3, 100), (1000, 1000)])
def test_iter_messages_yields_every_match_after_the_cursor_once(
    store: Store, first: int, most: int
) -> None:
    store.add_messages([message(f"m{i}", tenant=f"t{i % 2}") for i in range(11)])
    query = MessageQuery(tenant="t0")
    expected = ids(store.query_messages(query))
    assert ids(list(iter_messages(store, query, first=first, most=most))) == expected
    third = store.query_messages(query)[2].seq
    after = iter_messages(store, query, after_seq=third, first=first, most=most)
    assert ids(list(after)) == expected[3:]


def test_iter_messages_reads_in_growing_chunks_and_little_when_stopped_early(
    store: Store,
) -> None:
    store.add_messages([message(f"m{i}") for i in range(40)])
    counting = _CountingStore(store)
    assert len(list(iter_messages(counting, MessageQuery(), first=3, most=8))) == 40  # type: ignore[arg-type]
    assert counting.reads == [3, 6, 8, 8, 8, 7]
    counting.reads.clear()
    found = iter_messages(counting, MessageQuery(), first=5)  # type: ignore[arg-type]
    assert ids([next(found) for _ in range(5)]) == [f"m{i}" for i in range(5)]
    assert counting.reads == [5]


@pytest.mark.parametrize("limit", [1, 2, 3, 10])
@pytest.mark.parametrize(
    "query",
    [BatchQuery(), BatchQuery(provider="p1"), BatchQuery(tenant="t2"), BatchQuery(sender="+none")],
)
def test_query_batches_before_gives_the_newest_matches_before_the_cursor(
    store: Store, query: BatchQuery, limit: int
) -> None:
    for i in range(9):
        store.add_batch(batch(f"B{i}", provider=f"p{i % 2}", tenant=f"t{i % 3}"))
        store.add_messages([message(f"m{i}")])  # batches and messages share seqs in memory
    every = store.query_batches(query)
    for cursor in [0, *(b.seq for b in every), 2**62]:
        expected = [b.id for b in every if b.seq < cursor][-limit:]
        found = store.query_batches_before(query, before_seq=cursor, limit=limit)
        assert [b.id for b in found] == expected


def test_paging_batches_backward_returns_each_batch_once(store: Store) -> None:
    for i in range(7):
        store.add_batch(batch(f"B{i}", provider=f"p{i % 2}"))
    seen: list[str] = []
    before = 2**62
    while page := store.query_batches_before(BatchQuery(provider="p0"), before_seq=before, limit=2):
        seen = [b.id for b in page] + seen
        before = page[0].seq
    assert seen == ["B0", "B2", "B4", "B6"]


@pytest.mark.parametrize(("first", "most"), [(1, 1), (1, 2), (2, 3), (3, 100), (1000, 1000)])
def test_iter_messages_newest_first_yields_every_match_once_newest_first(
    store: Store, first: int, most: int
) -> None:
    store.add_messages([message(f"m{i}", tenant=f"t{i % 2}") for i in range(11)])
    query = MessageQuery(tenant="t1")
    expected = ids(store.query_messages(query))[::-1]
    assert ids(list(iter_messages_newest_first(store, query, first=first, most=most))) == expected


def test_iter_messages_newest_first_reads_little_when_stopped_early(store: Store) -> None:
    store.add_messages([message(f"m{i}") for i in range(40)])
    reads: list[int] = []
    query_before = store.query_messages_before

    def counted(query: MessageQuery, **kwargs: Any) -> list[Message]:
        found = query_before(query, **kwargs)
        reads.append(len(found))
        return found

    store.query_messages_before = counted  # type: ignore[method-assign]
    newest = iter_messages_newest_first(store, MessageQuery(), first=4)
    assert next(newest).id == "m39"
    assert reads == [4]


def test_messages_and_batches_are_numbered_apart_as_in_every_store(store: Store) -> None:
    """Paging tokens carry these numbers: the memory store counted batches and
    messages together, so its tokens differed from the SQLite store's."""
    store.add_messages([message("a"), message("b")])
    store.add_batch(batch("B1", size=2), [message("c", batch_id="B1"), message("d", batch_id="B1")])
    store.add_batch(batch("B2"))
    store.add_messages([message("e")])
    seqs = {m.id: m.seq for m in store.query_messages(MessageQuery())}
    assert seqs == {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}
    assert [(b.id, b.seq) for b in store.query_batches(BatchQuery())] == [("B1", 1), ("B2", 2)]


def test_the_message_count_follows_inserts_undone_writes_and_clears(store: Store) -> None:
    """SQLite keeps the count once counted (``COUNT(*)`` reads every row): it must still
    be right after a write undone alone, a transaction undone, and a clear."""
    assert store.count_messages() == 0
    store.add_messages([message("a"), message("b")])
    assert store.count_messages() == 2
    with store.transaction():
        store.add_batch(batch("B1", size=1), [message("c", batch_id="B1")])
        with pytest.raises(ValueError):
            store.add_messages([message("d"), message("a")])
        assert store.count_messages() == 3
    assert store.count_messages() == 3
    with pytest.raises(RuntimeError), store.transaction():
        store.add_messages([message("e")])
        assert store.count_messages() == 4
        raise RuntimeError
    assert store.count_messages() == (4 if isinstance(store, MemoryStore) else 3)
    store.clear()
    assert store.count_messages() == 0
    store.add_messages([message("f")])
    assert store.count_messages() == 1


def test_batches_are_counted_by_provider(store: Store) -> None:
    assert (store.count_batches(), store.count_batches("p1")) == (0, 0)
    store.add_batch(batch("B1", provider="p1"), [message("a", batch_id="B1")])
    store.add_batch(batch("B2", provider="p2"))
    assert (store.count_batches(), store.count_batches("p1"), store.count_batches("p2")) == (
        2,
        1,
        1,
    )
    with store.transaction():
        store.add_batch(batch("B3", provider="p1"))
        with pytest.raises(ValueError):
            store.add_batch(batch("B1", provider="p1"))
    assert (store.count_batches(), store.count_batches("p1"), store.count_batches("x")) == (3, 2, 0)
    store.clear()
    assert (store.count_batches(), store.count_batches("p1")) == (0, 0)
