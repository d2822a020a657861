"""Neutral outcomes and statuses → RingCentral's words and codes (the one table).

| neutral outcome | at submit            | final messageStatus | default errorCode |
|-----------------|----------------------|---------------------|-------------------|
| delivered       | accepted             | Delivered           | -                 |
| undeliverable   | accepted             | DeliveryFailed      | SMS-CAR-104       |
| send_failed     | accepted             | SendingFailed       | SMS-UP-500        |
| opted_out       | accepted             | SendingFailed       | SMS-RC-413        |
| no_receipt      | accepted             | Sent (forever)      | -                 |
| invalid_number  | ``rejected[]`` entry | (not stored)        | SMS-RC-410        |

A scenario rule's ``error_code`` replaces the default code.
"""

from __future__ import annotations

from ...core.models import Direction, Message, Status

__all__ = [
    "DEFAULT_COST_PER_SEGMENT",
    "INVALID_DESCRIPTION",
    "OUTCOME_CODES",
    "OUTCOME_MESSAGE_STATUS",
    "STATUS_KEYS",
    "status_name",
]

#: Dollars per segment unless ``providers.ringcentral.cost_per_segment`` says otherwise.
DEFAULT_COST_PER_SEGMENT = 0.007

#: outcome → (final messageStatus, default errorCode)
OUTCOME_MESSAGE_STATUS: dict[str, str] = {
    "delivered": "Delivered",
    "undeliverable": "DeliveryFailed",
    "send_failed": "SendingFailed",
    "opted_out": "SendingFailed",
    "no_receipt": "Sent",
    "invalid_number": "Rejected",
}
OUTCOME_CODES: dict[str, str | None] = {
    "delivered": None,
    "undeliverable": "SMS-CAR-104",
    "send_failed": "SMS-UP-500",
    "opted_out": "SMS-RC-413",
    "no_receipt": None,
    "invalid_number": "SMS-RC-410",
}
INVALID_DESCRIPTION = "The recipient number is invalid"
OPTED_OUT_DESCRIPTION = "The recipient has opted out"

_NEUTRAL_TO_RC = {
    Status.QUEUED: "Queued",
    Status.SENT: "Sent",
    Status.DELIVERED: "Delivered",
}

#: messageStatus → key in the statuses object
STATUS_KEYS = {
    "Queued": "queued",
    "Sent": "sent",
    "Delivered": "delivered",
    "DeliveryFailed": "deliveryFailed",
    "SendingFailed": "sendingFailed",
}


def status_name(message: Message, now: float) -> str:
    """RingCentral's ``messageStatus`` for ``message`` at emulator time ``now``."""
    status = message.status_at(now)
    word = _NEUTRAL_TO_RC.get(status)
    if word is not None:
        return word
    if message.direction is Direction.INBOUND:
        return "Delivered"
    return OUTCOME_MESSAGE_STATUS.get(message.plan.outcome, "SendingFailed")
