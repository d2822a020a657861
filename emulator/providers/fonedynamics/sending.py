"""Turning validated message requests into stored messages (E1 and E2).

Each message gets the scenario's outcome.  A batch's unscheduled messages
leave the queue evenly over the scenario's ``processing`` time; a single
message leaves at once.  A scheduled message stays ``Processing`` (with
``Scheduled`` set) until its time, then follows its plan from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ...core.models import Batch, Message, Plan
from ...core.segments import analyze
from .errors import ItemError
from .leases import acquire
from .mapping import OUTCOMES, OutcomeMapping
from .webhooks import schedule_receipt
from .wire import MessageRequest, needs_lease

if TYPE_CHECKING:
    from ...emulator import Emulator
    from ...scenario.engine import Decision

__all__ = ["NAME", "Fates", "new_sid", "new_sids", "submit"]

NAME = "fonedynamics"


def new_sid(emu: Emulator, prefix: str = "M") -> str:
    """A 32-character upper-case sid: ``prefix`` then 31 seeded characters."""
    return new_sids(emu, 1, prefix)[0]


def new_sids(emu: Emulator, count: int, prefix: str = "M") -> list[str]:
    """``count`` sids as from :func:`new_sid`, drawn together."""
    codes = emu.ids.codes(f"{NAME}.sid.{prefix}", count, 32 - len(prefix))
    return [prefix + code for code in codes]


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
    # A request's leases, messages and receipts are saved together (one commit on
    # SQLite), and no other thread's lease to the same recipient (or a reset) falls in
    # between; a receipt due at once goes out after.
    with emu.webhooks.held(), emu.transaction(), emu.engine.tentative():
        now = emu.time()
        results: list[Message | ItemError] = []
        stored: list[Message] = []  # accepted and scenario-rejected, in input order
        accepted: list[Message] = []
        # One sid per valid request, even one whose lease is then refused.
        sids = iter(new_sids(emu, sum(not isinstance(item, ItemError) for item in items)))
        batch_id = new_sid(emu, "B") if batch else None
        fates = Fates(emu)
        fixed = emu.engine.fixed_decision  # no rules, no jitter: every message's, nothing counted
        fixed_fate = None if fixed is None else fates.get(fixed)
        for request in items:
            if isinstance(request, ItemError):
                results.append(request)
                continue
            if fixed_fate is None:
                decision = emu.decide(NAME, endpoint, request.to, request.sender, request.text)
                mapping, code, plan = fates.get(decision)
            else:
                mapping, code, plan = fixed_fate
            sid = next(sids)
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
                    if fixed_fate is None:  # no message sent: its draw is not used up
                        emu.engine.take_back(NAME, request.to, request.text, decision)
                    results.append(got)
                    continue
                lease, sender = got, got["Number"]
            info = analyze(request.text)
            dispatch = now if request.schedule is None else max(now, float(request.schedule))
            extra = _extra(request, account, property_sid, lease)
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
                plan=plan,
                batch_id=batch_id,
                encoding=info.encoding,
                extra=extra,
            )
            stored.append(message)
            if mapping.rejected:
                extra["Rejected"] = True
                results.append(ItemError(code, mapping.message, (mapping.field,)))
            else:
                accepted.append(message)
                results.append(message)
        if batch_id is None:
            emu.add_messages(stored)
        else:
            _store_batch(emu, batch_id, account, now, stored, accepted, results)
        for message in accepted:
            if message.extra and "DeliveryReceiptWebhookUri" in message.extra:
                schedule_receipt(emu, message)
    return results


class Fates:
    """Per request: each decision's mapping, item error code and plan, worked out once
    (the scenario's ``error_code``, else the outcome's own code).

    Most messages of a batch get the same decision.  Outcomes carrying their
    own plan (a scenario sequence, jitter) are worked out every time.
    """

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.known: dict[tuple[str, str | None], tuple[OutcomeMapping, str, Plan]] = {}

    def get(self, decision: Decision) -> tuple[OutcomeMapping, str, Plan]:
        outcome = decision.outcome
        shared = type(outcome) is str
        key = (outcome, decision.error_code)
        fate = self.known.get(key) if shared else None
        if fate is None:
            mapping = OUTCOMES.get(outcome, OUTCOMES["delivered"])
            code = decision.error_code or mapping.error_code
            fate = (mapping, code, self.emu.plan(outcome, code or None))
            if shared:
                self.known[key] = fate
        return fate


def _store_batch(
    emu: Emulator,
    batch_id: str,
    account: str,
    now: float,
    stored: list[Message],
    accepted: list[Message],
    results: list[Message | ItemError],
) -> None:
    group = Batch(
        id=batch_id,
        provider=NAME,
        tenant=account,
        sender="",
        created_at=now,
        size=len(accepted),
        processing=emu.timing.processing,
        rejected=[
            {"index": i + 1, "ErrorCode": r.code, "Message": r.message}
            for i, r in enumerate(results)
            if isinstance(r, ItemError)
        ]
        or (),  # nothing refused: the shared empty tuple, not a list per batch for the GC
    )
    for index, message in enumerate(accepted):
        if (message.extra or {}).get("Scheduled") is None:
            message.dispatch_at = group.dispatch_time(index)
    emu.add_batch(group, stored)
