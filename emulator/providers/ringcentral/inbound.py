"""Inbound SMS (the ``Provider.inbound`` hook): stored with direction Inbound.

A keyword reply (STOP, START, ...) also changes the opt-out state of the pair:
the replying handset stops (or resumes) receiving from the A2P number it wrote to.
Subscriptions listening for either get their notifications.
The message belongs to the declared account whose ``numbers`` include the A2P
number, else the first declared account none of whose entries declares numbers (it
sends from any), else the default account; when every declared account lists its
numbers and none has this one, nothing could have received it: a ``ValueError``. Both numbers
must be possible E.164 numbers (``+`` optional); anything else is a ``ValueError``
too, which the admin API answers with 400 ``{"error": ...}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...core.lifecycle import inbound_message
from ...core.models import Message
from ...core.phone import is_possible_e164
from .auth import DEFAULT_ACCOUNT_ID
from .batches import cost_per_segment, new_message_ids
from .notifications import notify_inbound, notify_opt_out
from .numbers import declared_by_account
from .optouts import keyword_status, set_status
from .wire import parse_number

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = ["receive_inbound", "tenant_for_number"]

PROVIDER = "ringcentral"


def tenant_for_number(emu: Emulator, number: str) -> str:
    """The account id an A2P number belongs to (``ValueError``: no account's)."""
    by_account = declared_by_account(emu)
    for account_id, declared in by_account.items():
        if number in declared:
            return account_id
    for account_id, declared in by_account.items():
        if not declared:  # sends from any number: this one's too
            return account_id
    if by_account:
        raise ValueError(
            f"ringcentral: 'to' {number} is no number of a declared account (their"
            " scenario numbers): nothing could have received it"
        )
    return DEFAULT_ACCOUNT_ID


def _phone_number(field: str, value: str, example: str) -> str:
    """``value`` as E.164, or ``ValueError`` naming ``field``."""
    number = parse_number(value)
    if not is_possible_e164(number):
        raise ValueError(
            f"ringcentral: {field!r} must be an E.164 number like {example}, not {value!r}"
        )
    return number


def receive_inbound(emu: Emulator, sender: str, to: str, text: str) -> Message:
    """Store an SMS from handset ``sender`` to A2P number ``to``; apply opt keywords."""
    sender = _phone_number("from", sender, "+14155550100")  # the handset replying
    to = _phone_number("to", to, "+16505550100")  # the A2P number it replies to
    tenant = tenant_for_number(emu, to)
    message = inbound_message(
        id=str(new_message_ids(emu, 1) + 1),
        provider=PROVIDER,
        tenant=tenant,
        sender=sender,
        to=to,
        text=text,
        now=emu.time(),
        # charged per segment as an outbound one is (RingCentral's inbound event: 0.007)
        extra={"rate": cost_per_segment(emu)},
    )
    with emu.transaction():
        emu.add_messages([message])
        notify_inbound(emu, message)
        status = keyword_status(text)
        if status is not None:
            set_status(emu, tenant, to, sender, status, "Recipient")
            notify_opt_out(emu, tenant, to, sender, active=status == "OptOut")
    return message
