"""Delivery reports: the ``getdlr`` body and the per-account callback.

A report exists for every message the gateway accepted (its ``messageid``);
``getdlr`` for an unknown id, or one sent by another partner, answers
``{"response-code": 1009, "response-description": "No dlr"}``.  While the
message is pending (``Scheduled``, ``SentToNetwork``) ``delivery-tat`` and
``delivery-time`` are null.  The TAT is counted from the moment the message
left the queue.

The callback is one ``POST`` with a JSON body per message, when its final
report arrives (no callback for a message that stays ``SentToNetwork``)::

    {"description": "DeliveredToTerminal", "messageid": "1889191",
     "timeTaken": "22s", "timestamp": "2025-09-12 10:16:10"}
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ...core.models import Message, Status
from .brands import Brand
from .mapping import delivery_description, delivery_status
from .nairobi import format_tat, format_time
from .wire import dlr_code_fields

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = ["MESSAGE_ID_PREFIX", "callback_payload", "dlr_body", "schedule_callbacks", "store_id"]

#: Neutral record ids are ``sendbulk-<messageid>`` so they never collide with other providers.
MESSAGE_ID_PREFIX = "sendbulk-"
_FINAL = (Status.DELIVERED, Status.FAILED)


def store_id(messageid: str) -> str:
    return MESSAGE_ID_PREFIX + messageid


def _final_at(message: Message) -> float | None:
    """When the final report arrives, if the plan has one."""
    if message.plan.final_status not in _FINAL:
        return None
    return message.final_at


def dlr_body(brand: Brand, message: Message, now: float) -> dict[str, Any]:
    extra = message.extra or {}
    description = delivery_description(message, now)
    final = message.status_at(now) in _FINAL
    reported = message.changed_at(now)
    body = dlr_code_fields(brand, 200)
    body["message-id"] = str(extra.get("messageid", ""))
    body["response-description"] = "Success"
    body["delivery-status"] = delivery_status(description)
    body["delivery-description"] = description
    body["delivery-tat"] = (
        format_tat(reported - message.dispatch_at, brand.tat_style) if final else None
    )
    body["delivery-networkid"] = int(extra.get("networkid") or 0)
    body["delivery-time"] = format_time(reported) if final else None
    return body


def callback_payload(message: Message) -> dict[str, Any] | None:
    final_at = _final_at(message)
    if final_at is None:
        return None
    return {
        "description": delivery_description(message, final_at),
        "messageid": str((message.extra or {}).get("messageid", "")),
        "timeTaken": f"{max(0, round(final_at - message.dispatch_at))}s",
        "timestamp": format_time(final_at),
    }


def schedule_callbacks(emu: Emulator, url: str, messages: Iterable[Message]) -> None:
    """Queue the delivery-report callback of each message at its report time."""
    for message in messages:
        payload = callback_payload(message)
        if payload is None:
            continue
        emu.webhooks.schedule(
            _final_at(message) or emu.time(),
            method="POST",
            url=url,
            provider="sendbulk",
            event="dlr",
            message_id=message.id,  # the record id: the admin API and inspector link by it
            json=payload,
        )
