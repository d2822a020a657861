"""Accepting messages: the shared core of sendsms, sendotp and sendbulk.

Each item is checked in this order, and the first failure is its row's code:
not an object (1009, sendbulk only) → sender id not assigned to the account
(1001) → mobile not in an accepted form (1003) → foreign number or a network
the account may not use (1002) → empty message or unreadable ``timeToSend``
(1009) → the scenario's outcome (``invalid_number``: 1003 or the rule's
``error_code``) → not enough credit for its segments (1004).  Accepted items
are charged one unit per segment at once (scheduled ones too).

All items of one request form one neutral batch: accepted messages leave the
queue evenly over the scenario's ``processing`` time, or at ``timeToSend`` if
that is later.  Refused items are kept as ``rejected`` neutral records with
the row's code as their error code, so nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...core.models import Batch, Message, Plan, Status
from ...core.segments import analyze
from .auth import Account, text
from .balance import get_balance, set_balance
from .config import Config
from .hashed import is_hash, resolve
from .mapping import submit_code
from .mobile import SAFARICOM, classify
from .nairobi import BadSendTime, parse_send_time
from .reports import schedule_callbacks, store_id
from .wire import MISSING, failure_row, success_row

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = ["MESSAGEID_BASE", "Item", "submit"]

#: messageids count up from here (the first is 8290842, the documented sample).
MESSAGEID_BASE = 8290841


@dataclass(slots=True)
class Item:
    """One message to send, as the client gave it."""

    mobile: Any
    message: Any
    clientsmsid: Any = MISSING
    time_to_send: Any = None
    hashed: bool = False
    malformed: bool = False


@dataclass(slots=True)
class _Recipient:
    to: str  # neutral recipient: "+254…", or the hash when unresolved
    networkid: int | None
    code: int = 200


def _recipient(emu: Emulator, account: Account, item: Item) -> _Recipient:
    if item.hashed:
        if not is_hash(item.mobile):
            return _Recipient(text(item.mobile), None, 1003)
        digest = item.mobile.strip().lower()
        msisdn = resolve(emu, account, digest)
        if msisdn is None:
            return _Recipient(digest, SAFARICOM)
        number = classify(msisdn)
    else:
        number = classify(item.mobile)
    if number.kind == "invalid":
        return _Recipient(number.msisdn, None, 1003)
    if number.kind == "foreign" or number.networkid is None:
        return _Recipient(number.e164, None, 1002)
    if account.networks is not None and number.networkid not in account.networks:
        return _Recipient(number.e164, number.networkid, 1002)
    return _Recipient(number.e164, number.networkid)


def _message_text(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return ""
    return str(value)


def submit(
    emu: Emulator,
    config: Config,
    account: Account,
    shortcode: str,
    endpoint: str,
    items: list[Item],
) -> list[dict[str, Any]]:
    """Check, charge and store ``items``; return one response row per item, in order."""
    brand = config.brand
    now = emu.time()
    batch_id = f"sendbulk-b{emu.ids.next('sendbulk.batch')}"
    balance = start_balance = get_balance(emu, config, account)
    sender_ok = bool(shortcode) and (account.shortcodes is None or shortcode in account.shortcodes)
    rows: list[dict[str, Any]] = []
    stored: list[Message] = []
    accepted: list[tuple[Message, float | None]] = []
    rejected: list[dict[str, Any]] = []

    for index, item in enumerate(items):
        message_text = _message_text(item.message)
        recipient = _Recipient(text(item.mobile), None)
        send_at: float | None = None
        code = 200
        if item.malformed:
            code = 1009
        elif not sender_ok:
            code = 1001
        else:
            recipient = _recipient(emu, account, item)
            code = recipient.code
            if code == 200 and not message_text.strip():
                code = 1009
            if code == 200:
                try:
                    send_at = parse_send_time(item.time_to_send)
                except BadSendTime:
                    code = 1009
        info = analyze(message_text)
        if code == 200:
            decision = emu.decide("sendbulk", endpoint, recipient.to, shortcode, message_text)
            code = submit_code(decision.outcome, decision.error_code)
            if code == 200 and balance < info.segments:
                code = 1004
        if code != 200:
            rows.append(failure_row(brand, endpoint, code, item.mobile, item.clientsmsid))
            rejected.append({"index": index, "code": code})
            number = emu.ids.next("sendbulk.rejected")
            stored.append(
                Message(
                    id=f"sendbulk-r{number}",
                    provider="sendbulk",
                    tenant=account.partner_id,
                    sender=shortcode,
                    to=recipient.to,
                    text=message_text,
                    segments=info.segments,
                    created_at=now,
                    dispatch_at=now,
                    plan=Plan("invalid_number", error_code=str(code), initial=Status.REJECTED),
                    batch_id=batch_id,
                    encoding=info.encoding,
                    extra={"endpoint": endpoint},
                )
            )
            continue
        balance -= info.segments
        messageid = MESSAGEID_BASE + emu.ids.next("sendbulk.messageid")
        message = Message(
            id=store_id(str(messageid)),
            provider="sendbulk",
            tenant=account.partner_id,
            sender=shortcode,
            to=recipient.to,
            text=message_text,
            segments=info.segments,
            created_at=now,
            dispatch_at=now,
            plan=emu.plan(decision.outcome, decision.error_code),
            batch_id=batch_id,
            encoding=info.encoding,
            extra={
                "messageid": str(messageid),
                "networkid": recipient.networkid,
                "endpoint": endpoint,
            },
        )
        stored.append(message)
        accepted.append((message, send_at))
        shown = item.mobile if item.hashed else recipient.to.lstrip("+")
        rows.append(
            success_row(
                brand,
                endpoint,
                shown,
                messageid,
                recipient.networkid or SAFARICOM,
                item.clientsmsid,
                hashed=item.hashed,
            )
        )

    batch = Batch(
        id=batch_id,
        provider="sendbulk",
        tenant=account.partner_id,
        sender=shortcode,
        created_at=now,
        size=len(accepted),
        processing=emu.timing.processing,
        rejected=rejected,
        extra={"endpoint": endpoint},
    )
    for position, (message, send_at) in enumerate(accepted):
        message.dispatch_at = max(batch.dispatch_time(position), send_at or now)
    emu.add_batch(batch, stored)
    if balance != start_balance:
        set_balance(emu, account, balance)
    url = config.callback_url(account)
    if url:
        schedule_callbacks(emu, url, (message for message, _ in accepted))
    return rows
