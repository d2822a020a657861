"""Inbound shortcode messages (admin ``POST /_emulator/inbound``) and their webhook.

The message goes to the account whose ``shortcodes`` include ``to`` (else
the scenario's ``providers.sendbulk.inbound_url``), at once, as the gateway's
non-interactive shortcode API sends it::

    POST {"shortcode": "12345", "mobile": "2547XXXXXXXX", "message": "..."}

An account with ``inbound_interactive: true`` gets the interactive shape
``{"shortcode", "msisdn", "message", "partnerId"}``; ``inbound_method: GET``
sends the same fields as a query string.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...core.lifecycle import inbound_message
from ...core.models import Message
from .auth import Account
from .config import config_for
from .errors import ConfigurationError
from .mobile import classify

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = ["INBOUND_TIMEOUT", "inbound", "payload"]

#: The gateway waits this long for the customer's URL, then counts the call as
#: failed; it does not call again.
INBOUND_TIMEOUT = 15.0


def _owner(accounts: tuple[Account, ...] | None, shortcode: str) -> Account | None:
    """The account ``shortcode`` is assigned to; else the first that lists no shortcodes
    (it may use any), as it may send from the shortcode too."""
    anyone = None
    for account in accounts or ():
        if account.shortcodes is None:
            anyone = anyone or account
        elif shortcode in account.shortcodes:
            return account
    return anyone


def payload(account: Account | None, shortcode: str, mobile: str, message: str) -> dict[str, Any]:
    """The webhook's fields for one inbound message."""
    if account is not None and account.inbound_interactive:
        return {
            "shortcode": shortcode,
            "msisdn": mobile,
            "message": message,
            "partnerId": account.partner_id,
        }
    return {"shortcode": shortcode, "mobile": mobile, "message": message}


def inbound(emu: Emulator, sender: str, to: str, text: str) -> Message:
    """Store a message from ``sender`` to shortcode ``to`` and queue its webhook."""
    try:
        config = config_for(emu.scenario)
    except ConfigurationError as exc:
        raise ValueError(exc.extra.get("note") or str(exc)) from None
    number = classify(sender)
    if number.kind == "invalid":
        raise ValueError(f"sendbulk: {sender!r} is not a mobile number the gateway accepts")
    shortcode = to.strip()
    if not shortcode:
        raise ValueError("sendbulk: 'to' must be the shortcode the message is sent to")
    account = _owner(config.accounts, shortcode)
    now = emu.time()
    message = inbound_message(
        id=f"sendbulk-in{emu.ids.next('sendbulk.inbound')}",
        provider="sendbulk",
        tenant=account.partner_id if account else "",
        sender=number.e164,
        to=shortcode,
        text=text,
        now=now,
        extra={"networkid": number.networkid},
    )
    emu.add_messages([message])
    url = config.inbound_url_for(account)
    if url:
        fields = payload(account, shortcode, number.msisdn, text)
        method = account.inbound_method if account else "POST"
        emu.webhooks.schedule(
            now,
            method=method,
            url=url,
            provider="sendbulk",
            event="inbound",
            message_id=message.id,
            params=fields if method == "GET" else None,
            json=fields if method == "POST" else None,
            timeout=INBOUND_TIMEOUT,
            retry=False,
        )
    return message
