"""The neutral message model every provider translates to and from."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import msgspec

__all__ = ["Batch", "Direction", "Message", "Outcome", "Plan", "Status"]


class Status(StrEnum):
    """Neutral message status; each provider maps it to its own words."""

    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    REJECTED = "rejected"


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class Outcome(StrEnum):
    """Neutral delivery outcomes a scenario can choose."""

    DELIVERED = "delivered"
    UNDELIVERABLE = "undeliverable"
    SEND_FAILED = "send_failed"
    NO_RECEIPT = "no_receipt"
    INVALID_NUMBER = "invalid_number"
    OPTED_OUT = "opted_out"


@dataclass(frozen=True, slots=True)
class Plan:
    """What happens to a message once dispatched.

    ``steps`` are ``(seconds after dispatch, status)`` pairs in time order;
    before dispatch (and before the first step) the status is ``initial``.
    Plans are immutable and shared between messages with the same fate, so a
    huge batch costs one plan, not one per message.
    """

    outcome: str
    steps: tuple[tuple[float, Status], ...] = ()
    error_code: str | None = None
    initial: Status = Status.QUEUED
    offsets: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "offsets", tuple(step[0] for step in self.steps))

    @property
    def final_status(self) -> Status:
        return self.steps[-1][1] if self.steps else self.initial


class Message(msgspec.Struct, eq=False, gc=False):
    """One SMS, outbound or inbound, as the emulator stores it.

    Its status is never stored: it is computed from the plan and the clock.
    A ``msgspec.Struct`` rather than a dataclass: a 650,000-recipient batch
    builds one per recipient, and a Struct is built in C, is smaller and is
    not tracked by the cyclic GC (it never holds a reference cycle).
    Compared by identity, like the dataclass it replaces.
    """

    id: str
    provider: str
    tenant: str
    sender: str
    to: str
    text: str
    segments: int
    created_at: float
    dispatch_at: float
    plan: Plan
    batch_id: str | None = None
    direction: Direction = Direction.OUTBOUND
    encoding: str = "GSM-7"
    extra: dict[str, Any] | None = None
    seq: int = 0

    def steps_reached(self, now: float) -> int:
        """How many of the plan's steps the message has reached by ``now``.

        A step is reached at ``dispatch_at + offset``, the time ``final_at``,
        ``changed_at`` and the webhooks give.  ``now - dispatch_at`` can round
        to just under ``offset`` at epoch-sized times, so the search's answer
        is checked against those sums.
        """
        dispatch = self.dispatch_at
        if now < dispatch:
            return 0
        offsets = self.plan.offsets
        index = bisect_right(offsets, now - dispatch)
        while index < len(offsets) and dispatch + offsets[index] <= now:
            index += 1
        while index and dispatch + offsets[index - 1] > now:
            index -= 1
        return index

    def status_at(self, now: float) -> Status:
        """Neutral status at emulator time ``now``."""
        index = self.steps_reached(now)
        return self.plan.steps[index - 1][1] if index else self.plan.initial

    def changed_at(self, now: float) -> float:
        """When the status seen at ``now`` was reached."""
        index = self.steps_reached(now)
        return self.dispatch_at + self.plan.steps[index - 1][0] if index else self.created_at

    def reached_at(self, status: Status, now: float) -> float | None:
        """When ``status`` was reached, if it has been by ``now``."""
        for when, step_status in self.timeline(now):
            if step_status == status:
                return when
        return None

    def timeline(self, now: float) -> list[tuple[float, Status]]:
        """Every status reached by ``now``, with the time it was reached."""
        reached = [(self.created_at, self.plan.initial)]
        for offset, status in self.plan.steps[: self.steps_reached(now)]:
            reached.append((self.dispatch_at + offset, status))
        return reached

    def error_code_at(self, now: float) -> str | None:
        """The failure code, once the message has failed or been rejected."""
        if self.status_at(now) in (Status.FAILED, Status.REJECTED):
            return self.plan.error_code
        return None

    @property
    def final_at(self) -> float | None:
        """When the last planned status is reached (None if nothing is planned)."""
        return self.dispatch_at + self.plan.steps[-1][0] if self.plan.steps else None


class Batch(msgspec.Struct, eq=False, gc=False):
    """A group of messages submitted together.

    Its messages are dispatched evenly over ``processing`` seconds, so how
    many are processed at any moment is a formula, not a scan.  A
    ``msgspec.Struct`` not tracked by the cyclic GC, like ``Message``: one
    outlives every batch request, and each tracked survivor brings the
    collector's full passes over all stored messages closer.
    """

    id: str
    provider: str
    tenant: str
    sender: str
    created_at: float
    size: int
    processing: float
    #: Refused items (empty: a shared tuple, not one list per batch for the GC to track).
    rejected: Sequence[dict[str, Any]] = ()
    extra: dict[str, Any] | None = None
    seq: int = 0

    def dispatch_time(self, index: int) -> float:
        """When message ``index`` (0-based, among accepted ones) leaves the queue."""
        if self.processing <= 0 or self.size <= 0:
            return self.created_at
        return self.created_at + self.processing * (index + 1) / self.size

    @property
    def completed_at(self) -> float:
        """When the last accepted message leaves the queue: at once with none."""
        if self.size <= 0:
            return self.created_at
        return self.created_at + max(self.processing, 0.0)

    def processed_at(self, now: float) -> int:
        """How many accepted messages have left the queue by ``now``."""
        if now >= self.completed_at:
            return self.size
        if now < self.created_at:
            return 0
        count = int(self.size * (now - self.created_at) / self.processing)
        count = max(0, min(self.size, count))
        # Keep the formula consistent with dispatch_time at exact boundaries.
        while count < self.size and self.dispatch_time(count) <= now:
            count += 1
        while count > 0 and self.dispatch_time(count - 1) > now:
            count -= 1
        return count

    def changed_at(self, now: float) -> float:
        """Time of the last change visible at ``now``."""
        processed = self.processed_at(now)
        if processed == 0:
            return self.created_at
        return self.dispatch_time(processed - 1)
