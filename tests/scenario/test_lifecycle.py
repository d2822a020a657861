"""Plans from outcomes, timing, jitter and explicit sequences."""

from __future__ import annotations

import pytest

from emulator.core.lifecycle import (
    INBOUND_PLAN,
    JITTER_LEVELS,
    Timing,
    inbound_message,
    jitter_level,
    outcome_of_steps,
    plan_for,
    plan_from_steps,
    with_error_code,
)
from emulator.core.models import Direction, Status

TIMING = Timing(processing=2.0, sent=1.0, delivered=5.0)


@pytest.mark.parametrize(
    ("outcome", "steps", "initial"),
    [
        ("delivered", ((1.0, Status.SENT), (6.0, Status.DELIVERED)), Status.QUEUED),
        ("undeliverable", ((1.0, Status.SENT), (6.0, Status.FAILED)), Status.QUEUED),
        ("send_failed", ((1.0, Status.FAILED),), Status.QUEUED),
        ("opted_out", ((1.0, Status.FAILED),), Status.QUEUED),
        ("no_receipt", ((1.0, Status.SENT),), Status.QUEUED),
        ("invalid_number", (), Status.REJECTED),
    ],
)
def test_plan_for_each_outcome(outcome, steps, initial) -> None:
    plan = plan_for(outcome, TIMING, "E")
    assert (plan.outcome, plan.steps, plan.initial, plan.error_code) == (
        outcome,
        steps,
        initial,
        "E",
    )


def test_jitter_lengthens_delays_within_bounds() -> None:
    timing = Timing(sent=1.0, delivered=5.0, jitter=3.1)
    assert plan_for("delivered", timing).steps[1][0] == 6.0  # no draw, no jitter
    longest = plan_for("delivered", timing, None, (1.0, 1.0))
    assert longest.steps == ((4.1, Status.SENT), (12.2, Status.DELIVERED))
    assert plan_for("delivered", TIMING, None, (1.0, 1.0)).steps[1][0] == 6.0  # jitter 0
    drawn = plan_for("delivered", Timing(jitter=1.0), None, (jitter_level(0.5), 0.0))
    assert drawn.steps[0][0] == 1.516  # 1 + 16/31 s, in whole milliseconds


def test_jitter_levels_are_quantised() -> None:
    levels = {jitter_level(i / 1000) for i in range(1000)}
    assert len(levels) == JITTER_LEVELS
    assert min(levels) == 0.0 and max(levels) == 1.0


def test_sequence_plans_and_error_code_replacement_are_shared() -> None:
    steps = ((2.0, Status.SENT), (3600.0, Status.FAILED))
    plan = plan_from_steps(steps, "X")
    assert plan is plan_from_steps(steps, "X")
    assert (plan.outcome, plan.final_status) == ("undeliverable", Status.FAILED)
    other = with_error_code(plan, "Y")
    assert (other.error_code, other.steps, other.offsets) == ("Y", steps, (2.0, 3600.0))
    assert with_error_code(plan, "X") is plan


def test_an_empty_status_sequence_is_no_receipt() -> None:
    assert outcome_of_steps(()) == "no_receipt"


def test_an_inbound_message_is_delivered_on_arrival_with_its_text_analysed() -> None:
    text = "Grüße 😀 " * 10  # UCS-2, two segments
    got = inbound_message(
        id="i1",
        provider="p",
        tenant="t",
        sender="+15550000001",
        to="+15550000002",
        text=text,
        now=100.0,
        extra={"k": 1},
    )
    assert (got.encoding, got.segments) == ("UCS-2", 2)
    assert (got.created_at, got.dispatch_at, got.direction) == (100.0, 100.0, Direction.INBOUND)
    assert (got.plan, got.extra, got.status_at(100.0)) == (INBOUND_PLAN, {"k": 1}, Status.DELIVERED)
