"""MemoryStore's index: records sealed in tuples behave exactly as one list would."""

from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.core.models import Batch, Message, Plan
from emulator.core.store import _CHUNK, MemoryStore, MessageQuery, _SeqIndex


def _message(mid: str, batch_id: str, plan: Plan) -> Message:
    return Message(mid, "p", "t", "+1", "+2", "hi", 1, 0.0, 0.0, plan, batch_id=batch_id)


def _record(seq: int, created_at: float) -> Batch:
    return Batch(str(seq), "p", "t", "+1", created_at, 0, 0.0, seq=seq)


def _indexed(groups: list[int]) -> tuple[_SeqIndex, list[Batch]]:
    index, records, seq = _SeqIndex(), [], 0
    for size in groups:
        group = [_record(seq + i + 1, float(seq + i)) for i in range(size)]
        seq += size
        index.extend(group)
        records += group
    return index, records


sizes = st.lists(
    st.one_of(st.integers(0, 5), st.sampled_from([_CHUNK - 1, _CHUNK, _CHUNK + 1, 3 * _CHUNK])),
    max_size=8,
)


@given(sizes, st.data())
def test_index_reads_like_the_list_of_its_records(groups: list[int], data: st.DataObject) -> None:
    index, records = _indexed(groups)
    assert len(index) == len(records)
    assert [index[i] for i in range(len(records))] == records
    if records:
        assert index[-1] is records[-1]
    position = data.draw(st.integers(-1, len(records) + 1))
    assert list(index.forward(max(position, 0))) == records[max(position, 0) :]
    last = min(position, len(records) - 1)
    assert list(index.backward(last)) == (records[: last + 1][::-1] if last >= 0 else [])
    seq = data.draw(st.integers(0, len(records) + 2))
    seqs = [r.seq for r in records]
    assert index.bisect_seq(seq, right=True) == bisect_right(seqs, seq)
    assert index.bisect_seq(seq, right=False) == bisect_left(seqs, seq)


def test_created_order_is_tracked_across_extends() -> None:
    index = _SeqIndex()
    index.extend([_record(1, 5.0), _record(2, 6.0)])
    assert index.created_sorted
    index.extend([_record(3, 4.0)])  # the clock went back
    assert not index.created_sorted


def test_stored_messages_leave_nothing_for_the_cyclic_gc_to_keep_visiting() -> None:
    # The reason for the tuples: full collections visit every element of every
    # tracked container, and a live server's stalls grew with the store.
    store = MemoryStore()
    plan = Plan("delivered")
    for batch in range(3):
        store.add_messages([_message(f"{batch}-{i}", f"b{batch}", plan) for i in range(600)])
    gc.collect()
    indexes = [store._all, *store._by_tenant.values(), *store._by_batch.values()]
    for index in indexes:
        assert not gc.is_tracked(index)
        assert not gc.is_tracked(index.tail)
        assert all(not gc.is_tracked(chunk) for chunk in index.sealed or ())
    # and queries still page through all of it
    first = store.query_messages(MessageQuery(batch_id="b1"), limit=500)
    rest = store.query_messages(MessageQuery(batch_id="b1"), after_seq=first[-1].seq)
    assert [m.id for m in first + rest] == [f"1-{i}" for i in range(600)]
    before = store.query_messages_before(MessageQuery(), before_seq=first[0].seq, limit=700)
    assert [m.id for m in before] == [f"0-{i}" for i in range(600)]


def test_positions_outside_the_index_raise_index_error() -> None:
    index, records = _indexed([3, _CHUNK])
    for position in (len(records), -len(records) - 1):
        with pytest.raises(IndexError):
            index[position]
