"""Turning validated message requests into stored messages (E1 and E2).

Each message gets the scenario's outcome.  A batch's unscheduled messages
leave the queue evenly over the scenario's ``processing`` time; a single
message leaves at once.  A scheduled message stays ``Processing`` (with
``Scheduled`` set) until its time, then follows its plan from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ...core.models import Batch, Message
from ...core.segments import analyze
from .errors import ItemError
from .leases import acquire
from .mapping import OUTCOMES
from .webhooks import schedule_receipt
from .wire import MessageRequest, needs_lease

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = ["NAME", "new_sid", "submit"]

NAME = "fonedynamics"


def new_sid(emu: Emulator, prefix: str = "M") -> str:
    """A 32-character upper-case sid: ``prefix`` then 31 seeded characters."""
    return prefix + emu.ids.token(f"{NAME}.sid.{prefix}", 32 - len(prefix))


def _extra(
    request: MessageRequest, account: str, property_sid: str, lease: dict[str, Any] | None
) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "AccountSid": account,
        "PropertySid": property_sid,
        "DeliveryReceipt": request.delivery_receipt,
    }
    if request.schedule is not None:
        extra["Scheduled"] = request.schedule
    if request.external_id is not None:
        extra["ExternalId"] = request.external_id
    if request.delivery_receipt and request.receipt_uri:
        extra["DeliveryReceiptWebhookUri"] = request.receipt_uri
        extra["DeliveryReceiptWebhookMethod"] = request.receipt_method
    if lease is not None:
        extra["Lease"] = lease["Number"]
    return extra


def submit(
    emu: Emulator,
    *,
    account: str,
    property_sid: str,
    endpoint: str,
    items: Sequence[MessageRequest | ItemError],
    batch: bool,
) -> list[Message | ItemError]:
    """Store every acceptable message; return a message or an item error per input, in order."""
    now = emu.time()
    results: list[Message | ItemError] = []
    stored: list[Message] = []  # accepted and scenario-rejected, in input order
    for request in items:
        if isinstance(request, ItemError):
            results.append(request)
            continue
        decision = emu.decide(NAME, endpoint, request.to, request.sender, request.text)
        mapping = OUTCOMES.get(decision.outcome, OUTCOMES["delivered"])
        code = decision.error_code or mapping.error_code
        sid = new_sid(emu)
        lease = None
        sender = request.sender or ""
        if not mapping.rejected and needs_lease(request.sender, request.to):
            got = acquire(
                emu,
                account=account,
                property_sid=property_sid,
                recipient=request.to,
                options=request.lease_options,
                message_sid=sid,
            )
            if isinstance(got, ItemError):
                results.append(got)
                continue
            lease, sender = got, got["Number"]
        info = analyze(request.text)
        dispatch = now if request.schedule is None else max(now, float(request.schedule))
        message = Message(
            id=sid,
            provider=NAME,
            tenant=account,
            sender=sender,
            to=request.to,
            text=request.text,
            segments=info.segments,
            created_at=now,
            dispatch_at=dispatch,
            plan=emu.plan(decision.outcome, code or None),
            encoding=info.encoding,
            extra=_extra(request, account, property_sid, lease),
        )
        stored.append(message)
        if mapping.rejected:
            message.extra["Rejected"] = True  # type: ignore[index]
            results.append(ItemError(code, mapping.message, (mapping.field,)))
        else:
            results.append(message)
    _store(emu, account, now, stored, results if batch else None)
    return results


def _store(
    emu: Emulator,
    account: str,
    now: float,
    stored: list[Message],
    batch_results: list[Message | ItemError] | None,
) -> None:
    accepted = [m for m in stored if not (m.extra or {}).get("Rejected")]
    if batch_results is None:
        emu.add_messages(stored)
    else:
        group = Batch(
            id=new_sid(emu, "B"),
            provider=NAME,
            tenant=account,
            sender="",
            created_at=now,
            size=len(accepted),
            processing=emu.timing.processing,
            rejected=[
                {"index": i + 1, "ErrorCode": r.code, "Message": r.message}
                for i, r in enumerate(batch_results)
                if isinstance(r, ItemError)
            ],
        )
        for index, message in enumerate(accepted):
            if (message.extra or {}).get("Scheduled") is None:
                message.dispatch_at = group.dispatch_time(index)
        for message in stored:
            message.batch_id = group.id
        emu.add_batch(group, stored)
    for message in accepted:
        schedule_receipt(emu, message)
