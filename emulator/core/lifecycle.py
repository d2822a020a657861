"""Planned timelines: from a neutral outcome and delays to a shared ``Plan``.

Plans are shared between messages with the same fate, so they are built by
cached functions.  Seeded jitter is quantised to :data:`JITTER_LEVELS` steps
for the same reason: a huge batch with jitter still costs a few hundred plans,
not one per message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .models import Direction, Message, Outcome, Plan, Status
from .segments import analyze

__all__ = [
    "INBOUND_PLAN",
    "JITTER_LEVELS",
    "Timing",
    "inbound_message",
    "jitter_level",
    "outcome_of_steps",
    "plan_for",
    "plan_from_steps",
    "with_error_code",
]

#: How many distinct jitter amounts a delay can get (see module docstring).
JITTER_LEVELS = 32


@dataclass(frozen=True, slots=True)
class Timing:
    """Virtual-clock delays.

    ``processing``: time a batch takes to leave the queue (messages are
    dispatched evenly over it); ``sent``: dispatch → handed to the carrier;
    ``delivered``: sent → delivery receipt; ``jitter``: the most a message's
    ``sent`` and ``delivered`` delays are each lengthened by (seeded per
    message, 0 = exact delays).
    """

    processing: float = 2.0
    sent: float = 1.0
    delivered: float = 5.0
    jitter: float = 0.0


INBOUND_PLAN = Plan(outcome="inbound", initial=Status.DELIVERED)


def jitter_level(fraction: float) -> float:
    """Quantise a fraction in [0, 1) to one of ``JITTER_LEVELS`` values in [0, 1]."""
    return min(JITTER_LEVELS - 1, max(0, int(fraction * JITTER_LEVELS))) / (JITTER_LEVELS - 1)


@lru_cache(maxsize=8192)
def plan_for(
    outcome: str,
    timing: Timing,
    error_code: str | None = None,
    jitter: tuple[float, float] = (0.0, 0.0),
) -> Plan:
    """The shared plan for a neutral ``outcome`` under ``timing``.

    ``jitter`` is two fractions in [0, 1] (seeded per message by the scenario
    engine and quantised with :func:`jitter_level`) that lengthen the ``sent``
    and ``delivered`` delays by that share of ``timing.jitter`` seconds.
    """
    sent, delivered = timing.sent, timing.delivered
    if timing.jitter and jitter != (0.0, 0.0):
        # whole milliseconds, so timestamps stay readable
        sent = round(sent + timing.jitter * jitter[0], 3)
        delivered = round(delivered + timing.jitter * jitter[1], 3)
    done = sent + delivered
    match Outcome(outcome):
        case Outcome.DELIVERED:
            steps = ((sent, Status.SENT), (done, Status.DELIVERED))
        case Outcome.UNDELIVERABLE:
            steps = ((sent, Status.SENT), (done, Status.FAILED))
        case Outcome.SEND_FAILED | Outcome.OPTED_OUT:
            steps = ((sent, Status.FAILED),)
        case Outcome.NO_RECEIPT:
            steps = ((sent, Status.SENT),)
        case Outcome.INVALID_NUMBER:
            return Plan(outcome=outcome, error_code=error_code, initial=Status.REJECTED)
    return Plan(outcome=outcome, steps=steps, error_code=error_code)


def outcome_of_steps(steps: Sequence[tuple[float, Status | str]]) -> str:
    """The neutral outcome an explicit status sequence amounts to.

    Ends ``delivered`` → delivered; ends ``failed`` → undeliverable if it was
    ``sent`` first, else send_failed; ends ``sent`` (or is empty) → no_receipt.
    """
    statuses = [Status(status) for _, status in steps]
    last = statuses[-1] if statuses else Status.SENT
    if last == Status.DELIVERED:
        return Outcome.DELIVERED.value
    if last == Status.FAILED:
        sent_first = Status.SENT in statuses[:-1]
        return (Outcome.UNDELIVERABLE if sent_first else Outcome.SEND_FAILED).value
    return Outcome.NO_RECEIPT.value


@lru_cache(maxsize=1024)
def plan_from_steps(steps: tuple[tuple[float, Status], ...], error_code: str | None = None) -> Plan:
    """A plan following an explicit sequence of ``(seconds after dispatch, status)``."""
    return Plan(outcome=outcome_of_steps(steps), steps=steps, error_code=error_code)


@lru_cache(maxsize=1024)
def with_error_code(plan: Plan, error_code: str | None) -> Plan:
    """``plan`` with its failure code replaced (shared, like every plan)."""
    if plan.error_code == error_code:
        return plan
    return dataclasses.replace(plan, error_code=error_code)


def inbound_message(
    *,
    id: str,
    provider: str,
    tenant: str,
    sender: str,
    to: str,
    text: str,
    now: float,
    extra: dict[str, Any] | None = None,
) -> Message:
    """A received SMS: already delivered, segments counted, arrived at ``now``."""
    info = analyze(text)
    return Message(
        id=id,
        provider=provider,
        tenant=tenant,
        sender=sender,
        to=to,
        text=text,
        segments=info.segments,
        created_at=now,
        dispatch_at=now,
        plan=INBOUND_PLAN,
        direction=Direction.INBOUND,
        encoding=info.encoding,
        extra=extra,
    )
