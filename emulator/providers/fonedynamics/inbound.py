"""Replies and other inbound SMS (the ``Provider.inbound`` hook).

A reply from ``sender`` to ``to`` is routed by the active lease from ``to``
to ``sender``: it is recorded as a ``Received``/``Receive`` message of the
lease's account and property, sent to the lease's ``WebhookUri``
(``Message.Received``), forwarded by SMS to ``ForwardToSms`` (recorded as a
new outbound message) and by email to ``ForwardToEmail`` (kept in
``emu.store`` namespace ``fonedynamics.emails``, key = the reply's sid).

Without an active lease, a reply to a number the account sent from before
(a dedicated number, or an expired lease) is recorded for that account and
property but triggers nothing.  Anything else is refused with ``ValueError``, as
is a ``from`` or ``to`` that is no E.164 number (``+`` optional).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...core.clock import whole_seconds
from ...core.lifecycle import inbound_message
from ...core.models import Direction, Message
from ...core.phone import is_e164, with_plus
from ...core.store import MessageQuery, iter_messages_newest_first
from .leases import find
from .sending import NAME, Fates, new_sid
from .webhooks import schedule_reply

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = ["EMAILS", "forwarded_emails", "receive"]

EMAILS = "fonedynamics.emails"
NO_REPLY = "no-reply@fonedynamics.com"


def _earlier_sender(emu: Emulator, sender: str, to: str) -> Message | None:
    """The latest outbound message from ``to`` to ``sender``."""
    query = MessageQuery(provider=NAME, to=sender, direction=Direction.OUTBOUND)
    for message in iter_messages_newest_first(emu.store, query):
        if message.sender == to and not (message.extra or {}).get("Rejected"):
            return message
    return None


def receive(emu: Emulator, sender: str, to: str, text: str) -> Message:
    """Record an inbound SMS from ``sender`` to ``to`` and route it."""
    sender, to = with_plus(sender), with_plus(to)  # the leases and messages hold the +
    if not is_e164(to):
        raise ValueError(f"'to' must be an E.164 number (a leased or sending number), not {to!r}")
    if not is_e164(sender):
        raise ValueError(f"'from' must be the E.164 number of the handset replying, not {sender!r}")
    lease = find(emu, sender, to)
    if lease is not None:
        account, property_sid = lease["AccountSid"], lease["PropertySid"]
    else:
        earlier = _earlier_sender(emu, sender, to)
        if earlier is None:
            raise ValueError(
                f"no Fone Dynamics lease or earlier message from {to} to {sender}:"
                " send from a lease (blank From) first"
            )
        extra = earlier.extra or {}
        account, property_sid = earlier.tenant, str(extra.get("PropertySid", ""))
    now = emu.time()
    message = inbound_message(
        id=new_sid(emu),
        provider=NAME,
        tenant=account,
        sender=sender,
        to=to,
        text=text,
        now=now,
        extra={"AccountSid": account, "PropertySid": property_sid, "DeliveryReceipt": False},
    )
    forwarded = _forward_sms(emu, lease, message) if lease is not None else None
    emu.add_messages([message] if forwarded is None else [message, forwarded])
    if lease is not None:
        options = lease["Options"]
        if options.get("WebhookUri"):
            schedule_reply(
                emu, message, options["WebhookUri"], options.get("WebhookMethod", "POST")
            )
        if options.get("ForwardToEmail"):
            emu.store.put_state(EMAILS, message.id, _email(options, message))
    return message


def forwarded_emails(emu: Emulator) -> list[dict[str, Any]]:
    """The emails replies were forwarded as (``ForwardToEmail``), oldest first (the
    ``emails`` view)."""
    return [email for _, email in emu.store.state_items(EMAILS)]


def _forward_sms(emu: Emulator, lease: dict[str, Any], reply: Message) -> Message | None:
    target = lease["Options"].get("ForwardToSms")
    if not target:
        return None
    sender = lease["Options"].get("ForwardFromSms") or reply.sender
    decision = emu.decide(NAME, "forward_sms", target, sender, reply.text)
    _, _, plan = Fates(emu).get(decision)  # the outcome's own code, as a send's
    return Message(
        id=new_sid(emu),
        provider=NAME,
        tenant=reply.tenant,
        sender=sender,
        to=target,
        text=reply.text,
        segments=reply.segments,
        created_at=reply.created_at,
        dispatch_at=reply.created_at,
        plan=plan,
        encoding=reply.encoding,
        extra={
            "AccountSid": reply.tenant,
            "PropertySid": (reply.extra or {}).get("PropertySid", ""),
            "DeliveryReceipt": False,
            "ForwardedFrom": reply.id,
        },
    )


def _email(options: dict[str, str], reply: Message) -> dict[str, Any]:
    return {
        "To": options["ForwardToEmail"],
        "From": options.get("ForwardFromEmail") or NO_REPLY,
        "Subject": f"SMS reply from {reply.sender}",
        "Text": reply.text,
        "MessageSid": reply.id,
        "Received": whole_seconds(reply.created_at),
    }
