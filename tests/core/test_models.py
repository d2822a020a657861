"""The neutral model: plans, status computed from the clock, batch dispatch."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.core.lifecycle import INBOUND_PLAN, Timing, plan_for
from emulator.core.models import Batch, Message, Plan, Status

T0 = 1_767_225_600.0
TIMING = Timing(processing=2.0, sent=1.0, delivered=5.0)


def message(plan: Plan, *, created_at: float = T0, dispatch_at: float | None = None) -> Message:
    return Message(
        id="m",
        provider="p",
        tenant="t",
        sender="+15550000001",
        to="+15550000002",
        text="hi",
        segments=1,
        created_at=created_at,
        dispatch_at=created_at if dispatch_at is None else dispatch_at,
        plan=plan,
    )


@pytest.mark.parametrize(
    ("outcome", "statuses", "final"),
    [
        ("delivered", [(1.0, Status.SENT), (6.0, Status.DELIVERED)], Status.DELIVERED),
        ("undeliverable", [(1.0, Status.SENT), (6.0, Status.FAILED)], Status.FAILED),
        ("send_failed", [(1.0, Status.FAILED)], Status.FAILED),
        ("opted_out", [(1.0, Status.FAILED)], Status.FAILED),
        ("no_receipt", [(1.0, Status.SENT)], Status.SENT),
        ("invalid_number", [], Status.REJECTED),
    ],
)
def test_plans_for_each_outcome(outcome: str, statuses: list[object], final: Status) -> None:
    plan = plan_for(outcome, TIMING, "E1")
    assert list(plan.steps) == statuses
    assert plan.final_status == final
    assert plan.outcome == outcome and plan.error_code == "E1"
    expected_initial = Status.REJECTED if outcome == "invalid_number" else Status.QUEUED
    assert plan.initial == expected_initial


def test_plans_are_shared() -> None:
    assert plan_for("delivered", TIMING) is plan_for("delivered", Timing(2.0, 1.0, 5.0))


def test_unknown_outcome_is_refused() -> None:
    with pytest.raises(ValueError):
        plan_for("teleported", TIMING)


def test_status_at_boundaries() -> None:
    m = message(plan_for("delivered", TIMING), dispatch_at=T0 + 2)
    assert m.status_at(T0) == Status.QUEUED
    assert m.status_at(T0 + 2) == Status.QUEUED  # dispatched, not yet sent
    assert m.status_at(T0 + 2.999) == Status.QUEUED
    assert m.status_at(T0 + 3) == Status.SENT  # a step is reached exactly at its time
    assert m.status_at(T0 + 7.999) == Status.SENT
    assert m.status_at(T0 + 8) == Status.DELIVERED
    assert m.status_at(T0 + 10**6) == Status.DELIVERED
    assert m.status_at(T0 - 100) == Status.QUEUED  # before it existed: its initial status


def test_changed_at_and_timeline() -> None:
    m = message(plan_for("undeliverable", TIMING, "30008"), dispatch_at=T0 + 2)
    assert m.changed_at(T0 + 1) == T0
    assert m.changed_at(T0 + 3) == T0 + 3
    assert m.changed_at(T0 + 7.5) == T0 + 3
    assert m.changed_at(T0 + 8) == T0 + 8
    assert m.timeline(T0 + 2.5) == [(T0, Status.QUEUED)]
    assert m.timeline(T0 + 3) == [(T0, Status.QUEUED), (T0 + 3, Status.SENT)]
    assert m.timeline(T0 + 100) == [
        (T0, Status.QUEUED),
        (T0 + 3, Status.SENT),
        (T0 + 8, Status.FAILED),
    ]
    assert m.reached_at(Status.SENT, T0 + 100) == T0 + 3
    assert m.reached_at(Status.DELIVERED, T0 + 100) is None
    assert m.final_at == T0 + 8


def test_error_code_only_once_failed() -> None:
    m = message(plan_for("undeliverable", TIMING, "30008"))
    assert m.error_code_at(T0 + 1) is None
    assert m.error_code_at(T0 + 6) == "30008"
    rejected = message(plan_for("invalid_number", TIMING, "E1"))
    assert rejected.status_at(T0) == Status.REJECTED
    assert rejected.error_code_at(T0) == "E1"
    assert rejected.timeline(T0 + 100) == [(T0, Status.REJECTED)]
    assert rejected.final_at is None
    assert message(plan_for("delivered", TIMING, "X")).error_code_at(T0 + 100) is None


def test_inbound_plan_is_delivered_from_the_start() -> None:
    m = message(INBOUND_PLAN)
    assert m.status_at(T0) == Status.DELIVERED
    assert m.changed_at(T0 + 5) == T0
    assert m.timeline(T0 + 5) == [(T0, Status.DELIVERED)]


def test_zero_delays_reach_the_final_status_at_dispatch() -> None:
    m = message(plan_for("delivered", Timing(0, 0, 0)))
    assert m.status_at(T0) == Status.DELIVERED
    assert m.timeline(T0) == [(T0, Status.QUEUED), (T0, Status.SENT), (T0, Status.DELIVERED)]


def batch(size: int, processing: float) -> Batch:
    return Batch(
        id="b",
        provider="p",
        tenant="t",
        sender="s",
        created_at=T0,
        size=size,
        processing=processing,
    )


def test_batch_dispatch_spreads_messages_evenly() -> None:
    b = batch(4, 2.0)
    assert [b.dispatch_time(i) for i in range(4)] == [T0 + 0.5, T0 + 1.0, T0 + 1.5, T0 + 2.0]
    assert b.completed_at == T0 + 2.0
    assert [b.processed_at(T0 + t) for t in (-1, 0, 0.49, 0.5, 1.0, 1.99, 2.0, 50)] == [
        0,
        0,
        0,
        1,
        2,
        3,
        4,
        4,
    ]
    assert b.changed_at(T0 + 0.2) == T0
    assert b.changed_at(T0 + 1.2) == T0 + 1.0


def test_empty_and_instant_batches() -> None:
    assert batch(0, 2.0).processed_at(T0) == 0
    instant = batch(3, 0.0)
    assert instant.processed_at(T0) == 3
    assert instant.dispatch_time(2) == T0
    assert instant.processed_at(T0 - 1) == 0  # none before it was made
    assert batch(0, 2.0).completed_at == T0  # nothing to send: complete at once
    assert batch(3, -1.0).completed_at == T0


@given(
    size=st.integers(min_value=0, max_value=1_000_000),
    processing=st.floats(min_value=0, max_value=86_400, allow_nan=False),
    offset=st.floats(min_value=-10, max_value=100_000, allow_nan=False),
)
def test_processed_at_agrees_with_dispatch_time(
    size: int, processing: float, offset: float
) -> None:
    b = batch(size, processing)
    now = T0 + offset
    count = b.processed_at(now)
    assert 0 <= count <= size
    # Exactly the first `count` messages have left the queue by `now`.
    if count > 0:
        assert b.dispatch_time(count - 1) <= now
    if count < size:
        assert b.dispatch_time(count) > now


@given(
    size=st.integers(min_value=1, max_value=10_000),
    processing=st.floats(min_value=0.001, max_value=3600, allow_nan=False),
    index=st.integers(min_value=0, max_value=9_999),
)
def test_each_message_is_processed_from_its_dispatch_time(
    size: int, processing: float, index: int
) -> None:
    b = batch(size, processing)
    index %= size
    at = b.dispatch_time(index)
    assert b.processed_at(at) >= index + 1
    times = [b.dispatch_time(i) for i in range(max(0, index - 1), min(size, index + 2))]
    assert times == sorted(times)


@given(
    dispatch=st.integers(0, 10**9).map(lambda ms: T0 + ms / 1000),
    sent=st.integers(0, 10**7).map(lambda ms: ms / 1000),
    delivered=st.integers(0, 10**7).map(lambda ms: ms / 1000),
)
def test_each_step_is_reached_at_the_time_the_message_reports_for_it(
    dispatch: float, sent: float, delivered: float
) -> None:
    """At epoch-sized times ``(dispatch + offset) - dispatch`` can round below the
    offset: half the final webhooks of a jittered scenario said the status before
    the final one (sendbulk ``Scheduled``, Fone Dynamics ``Submitted``)."""
    plan = Plan(
        outcome="delivered",
        steps=((sent, Status.SENT), (sent + delivered, Status.DELIVERED)),
    )
    m = message(plan, dispatch_at=dispatch)
    assert m.final_at is not None
    assert m.status_at(m.final_at) is Status.DELIVERED
    assert m.changed_at(m.final_at) == m.final_at
    assert m.status_at(dispatch + sent) in (Status.SENT, Status.DELIVERED)
    for when, status in m.timeline(m.final_at)[1:]:
        assert m.status_at(when) in (status, Status.DELIVERED)
        assert m.reached_at(status, when) == when


def test_the_final_status_at_final_at_for_a_known_rounding_case() -> None:
    plan = Plan(outcome="send_failed", steps=((1.484, Status.FAILED),))
    m = message(plan, dispatch_at=1767225602.0)
    assert m.dispatch_at + 1.484 - m.dispatch_at < 1.484  # the rounding in question
    assert m.status_at(m.final_at) is Status.FAILED
