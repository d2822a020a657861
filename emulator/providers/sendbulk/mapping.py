"""Neutral outcomes and statuses → the gateway's codes and delivery descriptions.

:data:`OUTCOMES` is the one table: for each scenario outcome, the code the
send row gets and the final ``delivery-description``.  The lifecycle seen
through ``getdlr`` is ``Scheduled`` (queued, or waiting for ``timeToSend``)
→ ``SentToNetwork`` → the final description, on the emulator clock.

A scenario rule's ``error_code`` overrides the table:

- with ``outcome: invalid_number`` a gateway code (``1001``, ``1002``, ``1003``,
  ``1004``…) replaces 1003 in the row;
- with a failing outcome it is the final ``delivery-description`` verbatim
  (e.g. ``"Invalid Source Address"``, ``"SenderName Blacklisted"``).

``delivery-status`` is ``32`` for every description: TextSMS answered 32 for
both a delivered and a still-scheduled message, and no other value is
documented; clients should read ``delivery-description``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...core.models import Direction, Message, Status
from .errors import DESCRIPTIONS
from .mobile import SAFARICOM

__all__ = [
    "DELIVERY_STATUS",
    "OUTCOMES",
    "Report",
    "delivery_description",
    "delivery_status",
    "error_code",
    "final_description",
    "status_name",
    "submit_code",
]


@dataclass(frozen=True, slots=True)
class Report:
    """How the gateway reports one neutral outcome."""

    #: Code in the send response's row (200: accepted).
    code: int
    #: Final ``delivery-description`` on Safaricom (None: no final report).
    final: str | None
    #: Final description on Airtel/Telkom, when it differs.
    final_other: str | None = None


OUTCOMES: dict[str, Report] = {
    "delivered": Report(200, "DeliveredToTerminal"),
    # Safaricom reports an absent/invalid subscriber; Airtel and Telkom say "Unknown".
    "undeliverable": Report(200, "AbsentSubscriber", "Unknown"),
    "send_failed": Report(200, "DeliveryImpossible"),
    "opted_out": Report(200, "SenderName Blacklisted"),
    "no_receipt": Report(200, None),  # stays SentToNetwork
    "invalid_number": Report(1003, None),  # refused in the send response
}

#: Words for the statuses before a final report.
PENDING = {Status.QUEUED: "Scheduled", Status.SENT: "SentToNetwork"}

#: ``delivery-status`` per description (see module docstring).
DELIVERY_STATUS: dict[str, int] = {}
_DEFAULT_DELIVERY_STATUS = 32


def submit_code(outcome: str, error_code: str | None) -> int:
    """Row code for a message the scenario gave ``outcome`` (200 = accepted)."""
    report = OUTCOMES.get(outcome)
    code = 200 if report is None else report.code
    if code != 200 and error_code is not None and error_code.isdigit():
        override = int(error_code)
        if override in DESCRIPTIONS:
            return override
    return code


def final_description(outcome: str, networkid: int | None, error_code: str | None) -> str | None:
    """The final ``delivery-description`` for ``outcome`` on ``networkid``."""
    report = OUTCOMES.get(outcome)
    if report is None or report.final is None:
        return None
    if error_code is not None and outcome != "delivered":
        return error_code
    if report.final_other is not None and networkid not in (None, SAFARICOM):
        return report.final_other
    return report.final


def delivery_description(message: Message, now: float) -> str:
    """What ``getdlr`` says about ``message`` at emulator time ``now``."""
    status = message.status_at(now)
    if status in PENDING:
        return PENDING[status]
    if status == Status.REJECTED:
        described = (message.extra or {}).get("description")
        if described is not None:  # the refusal row's own text
            return described
        code = message.plan.error_code
        return DESCRIPTIONS.get(int(code), "Rejected") if code and code.isdigit() else "Rejected"
    networkid = (message.extra or {}).get("networkid")
    final = final_description(message.plan.outcome, networkid, message.plan.error_code)
    if final is None:  # a plan without a final report in the table: report what happened
        return "DeliveredToTerminal" if status == Status.DELIVERED else "Unknown"
    return final


def error_code(message: Message, now: float) -> str | None:
    """The neutral record's ``error_code``: a refusal's row code, else a failure's final
    ``delivery-description`` (the gateway has no other failure code)."""
    code = message.error_code_at(now)
    if code is None and message.status_at(now) == Status.FAILED:
        return delivery_description(message, now)
    return code


def delivery_status(description: str) -> int:
    return DELIVERY_STATUS.get(description, _DEFAULT_DELIVERY_STATUS)


def status_name(message: Message, now: float) -> str:
    """The provider status shown in neutral records (the delivery description)."""
    if message.direction == Direction.INBOUND:
        return "Received"
    return delivery_description(message, now)
