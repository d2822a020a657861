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

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import msgspec

from ...core.models import Batch, Direction, Message, Plan, Status
from ...core.segments import SegmentInfo, analyze
from ...scenario.engine import Decision
from .auth import Account, text
from .balance import format_units, get_balance, set_balance
from .config import Config
from .hashed import is_hash, resolve
from .mapping import submit_code
from .mobile import CACHEABLE_LENGTH, SAFARICOM, Number, classify
from .nairobi import BadSendTime, parse_send_time
from .php import php_string
from .reports import MESSAGE_ID_PREFIX, schedule_callbacks
from .wire import MISSING

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = ["MESSAGEID_BASE", "Item", "submit"]

#: messageids count up from here (the first is 8290842, the documented sample).
MESSAGEID_BASE = 8290841
_PROVIDER = "sendbulk"
_OUTBOUND = Direction.OUTBOUND


class Item(msgspec.Struct, gc=False):
    """One message to send, as the client gave it.

    A ``msgspec.Struct`` (built in C): a request makes one per item.
    """

    mobile: Any
    message: Any
    clientsmsid: Any = MISSING
    time_to_send: Any = None
    hashed: bool = False
    malformed: bool = False
    #: The smslist entry as sent (sendbulk), which a WaveSMS 1004 row echoes.
    entry: Any = None


#: One item after every check: (item, row code, neutral recipient, networkid,
#: send time, text, segment info, the scenario's decision, and the 1004 row's own
#: text when the balance left was short of its segments).
_Checked = tuple[
    Item, int, str, int | None, float | None, str, SegmentInfo, Decision | None, str | None
]


def _route(number: Number) -> tuple[int, str, int | None]:
    """(code, neutral recipient, networkid) of a number, before the account's network check."""
    if number.kind == "invalid":
        return 1003, number.msisdn, None
    if number.kind == "foreign" or number.networkid is None:
        return 1002, number.e164, None
    return 200, number.e164, number.networkid


def _text_route(mobile: str) -> tuple[int, str, int | None]:
    # Only short texts are cached: an entry keeps its text alive.
    if len(mobile) > CACHEABLE_LENGTH:
        return _route(classify(mobile))
    return _cached_text_route(mobile)


# Numbers as text are the usual case, and clients send the same ones again and again.
@lru_cache(maxsize=16384)
def _cached_text_route(mobile: str) -> tuple[int, str, int | None]:
    return _route(classify(mobile))


def _recipient(emu: Emulator, account: Account, item: Item) -> tuple[int, str, int | None]:
    """(code, neutral recipient, networkid): the code is 200, 1002 or 1003.

    The neutral recipient is ``+254…``, or the hash when it stays unresolved.
    """
    if item.hashed:
        if not is_hash(item.mobile):
            return 1003, text(item.mobile), None
        digest = item.mobile.strip().lower()
        msisdn = resolve(emu, account, digest)
        if msisdn is None:
            # Safaricom resolves it: a Safaricom recipient for the account's network check too.
            code, to, networkid = 200, digest, SAFARICOM
        else:
            code, to, networkid = _route(classify(msisdn))
    elif type(item.mobile) is str:
        code, to, networkid = _text_route(item.mobile)
    else:
        code, to, networkid = _route(classify(item.mobile))
    if code == 200 and account.networks is not None and networkid not in account.networks:
        return 1002, to, networkid
    return code, to, networkid


def _screen(
    emu: Emulator, account: Account, sender_ok: bool, item: Item, message_text: str
) -> tuple[int, str, int | None, float | None]:
    """The code of the checks before the scenario's, with the recipient and send time."""
    if item.malformed:
        return 1009, text(item.mobile), None, None
    if not sender_ok:
        return 1001, text(item.mobile), None, None
    code, to, networkid = _recipient(emu, account, item)
    if code != 200:
        return code, to, networkid, None
    if not message_text.strip():
        return 1009, to, networkid, None
    send_at = None
    if item.time_to_send is not None:
        try:
            send_at = parse_send_time(item.time_to_send)
        except BadSendTime:
            return 1009, to, networkid, None
    return 200, to, networkid, send_at


def _message_text(value: Any) -> str:
    if type(value) is str:
        return value
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return ""
    return php_string(value)


def _low_credit(balance: float, units: int) -> str:
    """A 1004 row's description, as live gateways write it, not the code table's
    "Low bulk credits": the balance left (as getbalance shows it) and the units the
    message needs."""
    return (
        f"Low credit units to send message, Current balance {format_units(balance)}, "
        f"Required {units}"
    )


@lru_cache(maxsize=64)
def _rejected_plan(code: int) -> Plan:
    return Plan("invalid_number", error_code=str(code), initial=Status.REJECTED)


def _check(
    emu: Emulator,
    account: Account,
    shortcode: str,
    endpoint: str,
    items: list[Item],
    balance: float,
) -> tuple[list[_Checked], int, float]:
    """Every item's code and decision, in order; how many are accepted; the balance left."""
    sender_ok = bool(shortcode) and (account.shortcodes is None or shortcode in account.shortcodes)
    # Without rules or jitter every message is delivered and nothing is counted.
    fixed = emu.engine.fixed_decision
    checked: list[_Checked] = []
    accepted = 0
    networks = account.networks
    for item in items:
        message_text = item.message
        if type(message_text) is not str:
            message_text = _message_text(message_text)
        info = analyze(message_text)
        mobile = item.mobile
        if (
            type(mobile) is str
            and sender_ok
            and item.time_to_send is None
            and not item.hashed
            and not item.malformed
            and message_text.strip()
        ):
            # The usual item (_screen's checks for it, without the calls).
            code, to, networkid = _text_route(mobile)
            if code == 200 and networks is not None and networkid not in networks:
                code = 1002
            send_at = None
        else:
            code, to, networkid, send_at = _screen(emu, account, sender_ok, item, message_text)
        decision = fixed
        if code == 200:
            if decision is None:
                decision = emu.decide(_PROVIDER, endpoint, to, shortcode, message_text)
                code = submit_code(decision.outcome, decision.error_code)
            if code == 200:
                if balance < info.segments:
                    code = 1004
                    if fixed is None:  # no message sent: its draw is not used up
                        emu.engine.take_back(_PROVIDER, to, message_text, decision)
                else:
                    balance -= info.segments
                    accepted += 1
        # a 1004 a scenario's error_code forced keeps the code table's text, unless short too
        low = (
            _low_credit(balance, info.segments)
            if code == 1004 and balance < info.segments
            else None
        )
        checked.append((item, code, to, networkid, send_at, message_text, info, decision, low))
    return checked, accepted, balance


def submit(
    emu: Emulator,
    config: Config,
    account: Account,
    shortcode: str,
    endpoint: str,
    items: list[Item],
) -> list[dict[str, Any]]:
    """Check, charge and store ``items``; return one response row per item, in order."""
    writer = config.rows(endpoint)
    tenant = account.partner_id
    now = emu.time()
    # The charge, the messages it paid for, their ids and callbacks are saved together
    # (one commit on SQLite), and no other thread's charge (or a reset) falls in
    # between; a callback due at once goes out after.
    with emu.webhooks.held(), emu.transaction(), emu.engine.tentative():
        batch_id = f"sendbulk-b{emu.ids.next('sendbulk.batch')}"
        start_balance = get_balance(emu, config, account)
        checked, size, balance = _check(emu, account, shortcode, endpoint, items, start_balance)
        # Ids are drawn in one step per namespace: the same values one draw per item gives.
        ids = emu.ids
        next_messageid = MESSAGEID_BASE + ids.reserve("sendbulk.messageid", size) if size else 0
        refused = len(checked) - size
        next_rejected = ids.reserve("sendbulk.rejected", refused) if refused else 0
        processing = emu.timing.processing
        rows: list[dict[str, Any]] = []
        stored: list[Message] = []
        accepted: list[Message] = []
        rejected: list[dict[str, Any]] = []
        planned: Decision | None = None  # the plan of the last decision, reused while it repeats
        plan: Plan | None = None

        for index, (
            item,
            code,
            to,
            networkid,
            send_at,
            message_text,
            info,
            decision,
            low,
        ) in enumerate(checked):
            if code != 200:
                rows.append(writer.failure(code, item.mobile, item.clientsmsid, low, item.entry))
                extra: dict[str, Any] = {"endpoint": endpoint}
                if low is not None:  # the row's own text, kept for the admin API's record
                    extra["description"] = low
                rejected.append({"index": index + 1, "code": code})
                stored.append(
                    Message(
                        id=f"sendbulk-r{next_rejected}",
                        provider=_PROVIDER,
                        tenant=tenant,
                        sender=shortcode,
                        to=to,
                        text=message_text,
                        segments=info.segments,
                        created_at=now,
                        dispatch_at=now,
                        plan=_rejected_plan(code),
                        batch_id=batch_id,
                        encoding=info.encoding,
                        extra=extra,
                    )
                )
                next_rejected += 1
                continue
            if decision is not planned:
                assert decision is not None  # accepted items were decided
                planned, plan = decision, emu.plan(decision.outcome, decision.error_code)
            messageid = str(next_messageid)
            next_messageid += 1
            # Batch.dispatch_time(len(accepted)), spelled out (the batch is built below).
            dispatch_at = now if processing <= 0 else now + processing * (len(accepted) + 1) / size
            if send_at is not None:
                dispatch_at = max(dispatch_at, send_at or now)
            message = Message(  # positional: the field order of Message (hot loop)
                MESSAGE_ID_PREFIX + messageid,
                _PROVIDER,
                tenant,
                shortcode,
                to,
                message_text,
                info.segments,
                now,
                dispatch_at,
                plan,
                batch_id,
                _OUTBOUND,
                info.encoding,
                {"messageid": messageid, "networkid": networkid, "endpoint": endpoint},
            )
            stored.append(message)
            accepted.append(message)
            rows.append(
                writer.success(
                    item.mobile if item.hashed else to.lstrip("+"),
                    messageid,
                    networkid or SAFARICOM,
                    item.clientsmsid,
                    item.hashed,
                )
            )

        batch = Batch(
            id=batch_id,
            provider=_PROVIDER,
            tenant=tenant,
            sender=shortcode,
            created_at=now,
            size=size,
            processing=processing,
            rejected=rejected or (),
            extra={"endpoint": endpoint},
        )
        emu.add_batch(batch, stored)
        if balance != start_balance:
            set_balance(emu, config, account, balance)
        url = config.callback_url(account)
        if url:
            schedule_callbacks(emu, url, accepted)
    return rows
