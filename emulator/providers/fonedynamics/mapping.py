"""Neutral outcomes and statuses → Fone Dynamics words: the one table to edit.

Message-level ``ErrorCode`` values for delivery failures are not documented;
the codes below are this emulator's choice.  A scenario rule's ``error_code``
replaces the code of its outcome.  ``invalid_number`` rejects the message at
submission with the documented ``INVALID_PHONENUMBER_FORMAT`` item error.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...core.models import Direction, Message, Status

__all__ = [
    "OUTCOMES",
    "STATUSES",
    "OutcomeMapping",
    "error_code",
    "outbound_status_name",
    "receipt_expected",
    "status_name",
    "was_submitted",
]


@dataclass(frozen=True, slots=True)
class OutcomeMapping:
    #: ``ErrorCode`` on the message once Failed, or of the item error when rejected.
    error_code: str
    #: Rejected at submission (an item error / a 400) rather than accepted.
    rejected: bool = False
    #: Item error text when rejected.
    message: str = ""
    #: Item error field when rejected.
    field: str = "To"


OUTCOMES: dict[str, OutcomeMapping] = {
    "delivered": OutcomeMapping(""),
    "no_receipt": OutcomeMapping(""),  # stays Submitted
    "undeliverable": OutcomeMapping("DELIVERY_FAILED"),  # Submitted → Failed
    "send_failed": OutcomeMapping("SUBMISSION_FAILED"),  # Processing → Failed
    "opted_out": OutcomeMapping("RECIPIENT_OPTED_OUT"),  # Processing → Failed
    "invalid_number": OutcomeMapping(
        "INVALID_PHONENUMBER_FORMAT",
        rejected=True,
        message="To parameter is not a valid phone number",
    ),
}

STATUSES: dict[Status, str] = {
    Status.QUEUED: "Processing",
    Status.SENT: "Submitted",
    Status.DELIVERED: "Delivered",
    Status.FAILED: "Failed",
    Status.REJECTED: "Failed",
}

#: Final statuses a delivery receipt reports (looked up once: enum members are slow to reach).
_FINAL = (Status.DELIVERED, Status.FAILED)
#: Statuses a message only reaches once the SMSC has it.
_HANDED_OVER = (Status.SENT, Status.DELIVERED)


def was_submitted(message: Message) -> bool:
    """Whether the message's plan hands it to the SMSC (reaches Submitted).

    A scenario sequence may go straight to ``delivered``: a delivered message
    was handed over, at the latest when it was delivered.
    """
    plan = message.plan
    return plan.initial in _HANDED_OVER or any(status in _HANDED_OVER for _, status in plan.steps)


def receipt_expected(message: Message) -> bool:
    """A delivery receipt arrives: DR requested, submitted, and a final Delivered/Failed."""
    extra = message.extra or {}
    return (
        bool(extra.get("DeliveryReceipt", True))
        and was_submitted(message)
        and message.plan.final_status in (Status.DELIVERED, Status.FAILED)
    )


def status_name(message: Message, now: float) -> str:
    """The ``Status`` word for ``message`` at ``now``.

    Without a delivery receipt the final outcome of a submitted message is
    never learnt, so it stays ``Submitted``.
    """
    if message.direction == Direction.INBOUND:
        return "Received"
    return outbound_status_name(message, message.status_at(now))


def outbound_status_name(message: Message, status: Status) -> str:
    """The ``Status`` word for an outbound ``message`` whose neutral status is ``status``."""
    if (
        status in _FINAL
        and not (message.extra or {}).get("DeliveryReceipt", True)
        and was_submitted(message)
    ):
        return "Submitted"
    return STATUSES[status]


def error_code(message: Message, now: float) -> str:
    """``ErrorCode`` at ``now``: ``""`` unless the message shows as Failed."""
    if status_name(message, now) != "Failed":
        return ""
    return message.plan.error_code or ""
