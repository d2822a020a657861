"""Fone Dynamics webhooks: ``Message.DeliveryReceiptReceived`` and ``Message.Received``.

Parameters use the documented dotted names (``Action``, ``Event``,
``Account.Sid``, ``Property.Sid``, ``Message.Sid``, ``Message.From``,
``Message.To``, ``Message.Text``), sent as the query string for ``GET`` and
as an ``application/x-www-form-urlencoded`` body for ``POST`` (inferred).
Receipts also carry ``Message.Status``, ``Message.ErrorCode`` (when failed),
``Message.Delivered`` (when delivered) and ``Message.ExternalId`` (when set);
replies carry ``Message.Received``.  Those extras are this emulator's choice.
Delivery, retries and the attempt journal are the core webhook queue's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...core.clock import whole_seconds
from ...core.models import Message, Status
from .mapping import error_code, receipt_expected, status_name

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = ["RECEIPT", "RECEIVED", "reply_params", "schedule_receipt", "schedule_reply"]

RECEIPT = "Message.DeliveryReceiptReceived"
RECEIVED = "Message.Received"
PROVIDER = "fonedynamics"


def _common(event: str, message: Message) -> dict[str, str]:
    extra = message.extra or {}
    return {
        "Action": "Webhook",
        "Event": event,
        "Account.Sid": str(extra.get("AccountSid", message.tenant)),
        "Property.Sid": str(extra.get("PropertySid", "")),
        "Message.Sid": message.id,
        "Message.From": message.sender,
        "Message.To": message.to,
        "Message.Text": message.text,
    }


def receipt_params(message: Message) -> dict[str, str]:
    """Parameters of the delivery receipt webhook for ``message``'s final status."""
    final = message.final_at if message.final_at is not None else message.created_at
    params = _common(RECEIPT, message)
    params["Message.Status"] = status_name(message, final)
    code = error_code(message, final)
    if code:
        params["Message.ErrorCode"] = code
    if message.plan.final_status == Status.DELIVERED:
        params["Message.Delivered"] = str(whole_seconds(final))
    external_id = (message.extra or {}).get("ExternalId")
    if external_id is not None:
        params["Message.ExternalId"] = str(external_id)
    return params


def reply_params(message: Message) -> dict[str, str]:
    """Parameters of the ``Message.Received`` webhook for an inbound ``message``."""
    params = _common(RECEIVED, message)
    params["Message.Received"] = str(whole_seconds(message.created_at))
    return params


def _schedule(
    emu: Emulator, due: float, method: str, url: str, event: str, message: Message, params: Any
) -> None:
    carrier = {"params": params} if method == "GET" else {"data": params}
    emu.webhooks.schedule(
        due,
        method=method,
        url=url,
        provider=PROVIDER,
        event=event,
        message_id=message.id,
        **carrier,
    )


def schedule_receipt(emu: Emulator, message: Message) -> bool:
    """Queue the receipt webhook for when the receipt arrives; False if none is due."""
    extra = message.extra or {}
    url = extra.get("DeliveryReceiptWebhookUri")
    if not url or not receipt_expected(message) or message.final_at is None:
        return False
    method = extra.get("DeliveryReceiptWebhookMethod", "POST")
    _schedule(emu, message.final_at, method, url, RECEIPT, message, receipt_params(message))
    return True


def schedule_reply(emu: Emulator, message: Message, url: str, method: str) -> None:
    """Queue the ``Message.Received`` webhook for an inbound message, due now."""
    _schedule(emu, message.created_at, method, url, RECEIVED, message, reply_params(message))
