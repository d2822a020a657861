"""Planned timelines: from a neutral outcome and delays to a shared ``Plan``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .models import Outcome, Plan, Status

__all__ = ["INBOUND_PLAN", "Timing", "plan_for"]


@dataclass(frozen=True, slots=True)
class Timing:
    """Virtual-clock delays.

    ``processing``: time a batch takes to leave the queue (messages are
    dispatched evenly over it); ``sent``: dispatch → handed to the carrier;
    ``delivered``: sent → delivery receipt.
    """

    processing: float = 2.0
    sent: float = 1.0
    delivered: float = 5.0


INBOUND_PLAN = Plan(outcome="inbound", initial=Status.DELIVERED)


@lru_cache(maxsize=1024)
def plan_for(outcome: str, timing: Timing, error_code: str | None = None) -> Plan:
    """The shared plan for a neutral ``outcome`` under ``timing``."""
    sent, done = timing.sent, timing.sent + timing.delivered
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
