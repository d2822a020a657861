"""Webhook subscriptions (``/restapi/v1.0/subscription``) and the A2P events they carry.

A subscription is kept in the store (namespace ``ringcentral.subscriptions``):
its event filters, WebHook address, optional verification token, owner and
expiry.  Creating one first sends RingCentral's validation request: a POST with
a ``Validation-Token`` header the receiver must echo with a 200, else 400
SUB-521.  Events use the core webhook queue, scheduled when what causes them
happens (a batch accepted, an inbound message, an opt-out keyword) for the
subscriptions there are then; a notification whose subscription was deleted,
has expired or no longer has the filter by the time it is due is not sent.

Event filters with A2P events (RingCentral's "Message Batch", "Specific Message
Batch", "Batch Messages" and "Batch Message Opt-Out" events):

* ``/restapi/v1.0/account/~/a2p-sms/batches[?from=]`` and ``.../batches/{batchId}``:
  the batch when accepted (``Processing``) and when ``Completed`` (with ``cost``);
* ``/restapi/v1.0/account/~/a2p-sms/messages[?direction=&batchId=&from=&to=]``:
  each status an outbound message reaches after ``Queued``, and inbound messages;
* ``/restapi/v1.0/account/~/a2p-sms/opt-outs[?from=&to=]``: ``{from, to, active}``
  when a reply keyword opts a pair out (``active: true``) or back in;
* ``/restapi/v1.0/subscription/~?threshold=&interval=``: renewal reminders
  ``{"expiresIn": seconds left}``.

Any other ``/restapi/v1.0/...`` filter is accepted and kept (RingCentral has
many; their events concern what this emulator does not model, so none comes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import httpx
import msgspec

from ...core.models import Batch, Message
from ...core.store import MessageQuery, Store
from ...core.store_index import StoreIndex
from ...core.webhooks import WebhookJob, is_webhook_url
from ...emulator import iso
from .errors import InvalidParameter, ResourceNotFound, RingCentralError
from .wire import batch_body, message_body, parse_number

if TYPE_CHECKING:
    from ...emulator import Emulator
    from .auth import Principal

__all__ = [
    "DEFAULT_EXPIRES_IN",
    "MAX_EXPIRES_IN",
    "SubscriptionRequest",
    "WebhookUnreachable",
    "create_subscription",
    "notify_batch",
    "notify_inbound",
    "notify_opt_out",
    "still_wanted",
    "subscription_body",
]

PROVIDER = "ringcentral"
NAMESPACE = "ringcentral.subscriptions"
#: ``expiresIn`` when not given, and the most a WebHook subscription may ask (20 years).
DEFAULT_EXPIRES_IN = 604_800
MAX_EXPIRES_IN = 630_720_000
#: RingCentral's receiver must answer within 3,000 ms.
VALIDATION_TIMEOUT = 3.0
USER_AGENT = "RingCentral-Webhook/8.3"
_A2P_FILTER = re.compile(
    r"^/restapi/v1\.0/account/(?P<account>[^/?]+)/a2p-sms/"
    r"(?P<kind>batches|messages|opt-outs)(?:/(?P<batch>[^/?]+))?(?:\?(?P<query>.*))?$"
)


def _count_by_tenant(store: Store) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, record in store.state_items(NAMESPACE):
        counts[record["tenant"]] = counts.get(record["tenant"], 0) + 1
    return counts


#: tenant -> how many subscriptions it has: every batch asks, without a scan.
_SUBSCRIBED = StoreIndex("ringcentral.subscriptions.index", _count_by_tenant)


_REMINDER_FILTER = re.compile(r"^/restapi/v1\.0/subscription/~\?(?P<query>.*)$")
#: At most this many renewal reminders are queued for one lifetime.
MAX_REMINDERS = 100


class WebhookUnreachable(RingCentralError):
    """The validation request failed: no answer, not 200, or no ``Validation-Token`` echo."""

    status, code, template = 400, "SUB-521", "WebHook is not reachable"

    def body(self) -> dict[str, Any]:
        entry = {"errorCode": self.code, "message": self.message}
        return {"errorCode": self.code, "message": self.message, "errors": [entry]}


class DeliveryModeRequest(msgspec.Struct):
    transportType: str | None = None
    address: str | None = None
    verificationToken: str | None = None
    encryption: bool | None = None


class SubscriptionRequest(msgspec.Struct):
    """``CreateSubscriptionRequest`` / ``UpdateSubscriptionRequest``."""

    eventFilters: list[str] | None = None
    deliveryMode: DeliveryModeRequest | None = None
    expiresIn: int | None = None


@dataclass(frozen=True, slots=True)
class EventFilter:
    """One parsed event filter; ``kind`` "other" for filters with no A2P events."""

    text: str
    kind: str
    batch_id: str | None = None
    direction: str | None = None
    sender: str | None = None
    to: str | None = None
    #: A renewal reminder's: from this many seconds before expiry, every ``interval``.
    threshold: int = 0
    interval: int = 0

    def event(self, account_id: str) -> str:
        """The notification's ``event``: the filter with the account's id for ``~``."""
        return self.text.replace("/account/~/", f"/account/{account_id}/", 1)


def parse_filter(text: str, account_id: str) -> EventFilter:
    """``text`` as an ``EventFilter``; CMN-101 ``[eventFilters]`` if it is not one."""
    if not isinstance(text, str) or not text.startswith("/restapi/v1.0/"):
        raise InvalidParameter(parameter="eventFilters", value=str(text))
    found = _A2P_FILTER.match(text)
    if found is None:
        reminder = _REMINDER_FILTER.match(text)
        return _reminder(text, reminder["query"]) if reminder else EventFilter(text, "other")
    if found["account"] not in ("~", account_id):
        raise InvalidParameter(parameter="eventFilters", value=text)
    kind = found["kind"]
    if found["batch"] is not None and kind != "batches":
        raise InvalidParameter(parameter="eventFilters", value=text)
    params = _query(found["query"])
    direction = params.get("direction")
    if direction is not None:
        direction = direction.capitalize()
        if direction not in ("Inbound", "Outbound"):
            raise InvalidParameter(parameter="eventFilters", value=text)
    sender, to = params.get("from"), params.get("to")
    return EventFilter(
        text,
        kind,
        batch_id=found["batch"] or params.get("batchId"),
        direction=direction,
        sender=parse_number(sender) if sender else None,
        to=parse_number(to) if to else None,
    )


def _query(text: str | None) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in (text or "").split("&"):
        name, _, value = pair.partition("=")
        if name and value:
            params[unquote(name)] = unquote(value)  # a raw + stays a +, as RC writes it
    return params


def _reminder(text: str, query: str) -> EventFilter:
    """``/restapi/v1.0/subscription/~?threshold=&interval=``: both whole seconds, the
    interval at least a minute and at most half the threshold."""
    params = _query(query)
    threshold, interval = params.get("threshold", ""), params.get("interval", "")
    if not (threshold.isascii() and threshold.isdigit() and interval.isascii()):
        raise InvalidParameter(parameter="eventFilters", value=text)
    if not interval.isdigit() or not 60 <= int(interval) <= int(threshold) // 2:
        raise InvalidParameter(parameter="eventFilters", value=text)
    return EventFilter(text, "renewal", threshold=int(threshold), interval=int(interval))


def checked_filters(filters: list[str] | None, account_id: str) -> list[str]:
    """The request's filters, each one checked; CMN-101 when there are none."""
    if not filters:
        raise InvalidParameter(parameter="eventFilters")
    for text in filters:
        parse_filter(text, account_id)
    return list(dict.fromkeys(filters))


def checked_expires_in(value: int | None) -> int:
    if value is None:
        return DEFAULT_EXPIRES_IN
    if value < 1:
        raise InvalidParameter(parameter="expiresIn", value=str(value))
    return min(value, MAX_EXPIRES_IN)


async def validate_address(address: str, token: str) -> bool:
    """RingCentral's validation request: the receiver must echo ``Validation-Token``."""
    headers = {
        "Validation-Token": token,
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
        "Content-Type": "application/json",
    }
    try:
        async with httpx.AsyncClient(timeout=VALIDATION_TIMEOUT) as client:
            response = await client.post(address, headers=headers)
    except Exception:  # refused, timed out, a host httpx cannot encode: not reachable
        return False
    return response.status_code == 200 and response.headers.get("Validation-Token") == token


async def create_subscription(
    emu: Emulator, principal: Principal, request: SubscriptionRequest
) -> dict[str, Any]:
    """Check, validate the address, store: the stored record."""
    filters = checked_filters(request.eventFilters, principal.account_id)
    mode = request.deliveryMode
    if mode is None:
        raise InvalidParameter(parameter="deliveryMode")
    if (mode.transportType or "").lower() != "webhook":
        raise InvalidParameter(parameter="deliveryMode.transportType", value=mode.transportType)
    address = (mode.address or "").strip()
    expires_in = checked_expires_in(request.expiresIn)
    token = emu.ids.uuid("ringcentral.validation")
    if not is_webhook_url(address) or not await validate_address(address, token):
        raise WebhookUnreachable()
    now = emu.time()
    record = {
        "id": emu.ids.uuid("ringcentral.subscription"),
        "tenant": principal.account_id,
        "owner_id": principal.owner_id,
        "eventFilters": filters,
        "address": address,
        "verificationToken": mode.verificationToken,
        "creationTime": now,
        "expiresIn": expires_in,
        "expires_at": now + expires_in,
    }
    with emu.transaction():
        emu.store.put_state(NAMESPACE, record["id"], record)
        counts = _SUBSCRIBED.changing(emu.store)
        counts[record["tenant"]] = counts.get(record["tenant"], 0) + 1
        catch_up(emu, record)
        remind(emu, record)
    return record


def find(emu: Emulator, principal: Principal, subscription_id: str) -> dict[str, Any] | None:
    """The caller's subscription ``subscription_id``, if it exists."""
    record = emu.store.get_state(NAMESPACE, subscription_id)
    if record is None or record["tenant"] != principal.account_id:
        return None
    return record


def owned(emu: Emulator, principal: Principal) -> list[dict[str, Any]]:
    """The caller's subscriptions, oldest first."""
    found = [r for _, r in emu.store.state_items(NAMESPACE) if r["tenant"] == principal.account_id]
    return sorted(found, key=lambda r: (r["creationTime"], r["id"]))


def update(
    emu: Emulator, principal: Principal, record: dict[str, Any], request: SubscriptionRequest
) -> dict[str, Any]:
    """PUT: new filters (if given) and a renewal; the address cannot change."""
    before = set(record["eventFilters"])
    record = dict(record)
    if request.eventFilters is not None:
        record["eventFilters"] = checked_filters(request.eventFilters, principal.account_id)
    mode = request.deliveryMode
    if mode is not None and mode.verificationToken is not None:
        record["verificationToken"] = mode.verificationToken
    if request.expiresIn is not None:
        record["expiresIn"] = checked_expires_in(request.expiresIn)
    added = {**record, "eventFilters": [f for f in record["eventFilters"] if f not in before]}
    record = renew(emu, record)
    catch_up(emu, added)
    return record


def renew(emu: Emulator, record: dict[str, Any]) -> dict[str, Any]:
    """The subscription with its lifetime counted again from now (stored)."""
    record = {**record, "expires_at": emu.time() + record["expiresIn"]}
    with emu.transaction():
        if emu.store.get_state(NAMESPACE, record["id"]) is None:
            raise ResourceNotFound(parameter="subscriptionId")  # deleted meanwhile
        emu.store.put_state(NAMESPACE, record["id"], record)
        remind(emu, record)
    return record


def delete(emu: Emulator, record: dict[str, Any]) -> None:
    with emu.transaction():
        if emu.store.get_state(NAMESPACE, record["id"]) is None:
            return  # another request deleted it meanwhile
        emu.store.delete_state(NAMESPACE, record["id"])
        counts = _SUBSCRIBED.changing(emu.store)
        counts[record["tenant"]] -= 1


def subscription_body(record: dict[str, Any], now: float, origin: str) -> dict[str, Any]:
    """``SubscriptionInfo``; ``expiresIn`` is what is left of its lifetime at ``now``."""
    mode: dict[str, Any] = {
        "transportType": "WebHook",
        "address": record["address"],
        "encryption": False,
    }
    if record.get("verificationToken") is not None:
        mode["verificationToken"] = record["verificationToken"]
    expired = now >= record["expires_at"]
    return {
        "uri": f"{origin}/restapi/v1.0/subscription/{record['id']}",
        "id": record["id"],
        "creationTime": _stamp(record["creationTime"]),
        "status": "Suspended" if expired else "Active",
        "eventFilters": record["eventFilters"],
        "expirationTime": _stamp(record["expires_at"]),
        "expiresIn": max(0, round(record["expires_at"] - now)),
        "deliveryMode": mode,
    }


def _stamp(timestamp: float) -> str:
    """RingCentral's notification times: milliseconds and ``Z`` (``...T04:15:54.394Z``)."""
    return iso(timestamp)[:23] + "Z"


# events


def _listening(emu: Emulator, tenant: str) -> dict[str, list[tuple[dict[str, Any], EventFilter]]]:
    """``tenant``'s (subscription, filter) pairs by the filter's kind (usually none)."""
    found: dict[str, list[tuple[dict[str, Any], EventFilter]]] = {}
    if not _SUBSCRIBED.get(emu.store).get(tenant):
        return found
    for _, record in emu.store.state_items(NAMESPACE):
        if record["tenant"] != tenant:
            continue
        for text in record["eventFilters"]:
            parsed = parse_filter(text, tenant)
            found.setdefault(parsed.kind, []).append((record, parsed))
    return found


def _schedule(
    emu: Emulator,
    record: dict[str, Any],
    event_filter: EventFilter,
    due: float,
    body: dict[str, Any],
    message_id: str | None = None,
) -> None:
    event = event_filter.event(record["tenant"])
    headers = {
        "Content-Type": "application/json; charset=UTF-8",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
    if record.get("verificationToken") is not None:
        headers["Verification-Token"] = record["verificationToken"]
    notification = {
        "uuid": str(emu.ids.reserve("ringcentral.notification", 1) + 4_000_000_000_000_000_000),
        "event": event,
        "subscriptionId": record["id"],
        "ownerId": record["owner_id"],
        "timestamp": _stamp(due),
        "body": body,
    }
    emu.webhooks.schedule(
        due,
        method="POST",
        url=record["address"],
        provider=PROVIDER,
        event=event,
        message_id=message_id,
        json=notification,
        headers=headers,
    )


def notify_batch(emu: Emulator, batch: Batch) -> None:
    """Batch events (accepted, completed) and its messages' status events."""
    listening = _listening(emu, batch.tenant)
    if listening:
        _batch_events(emu, listening, batch)


def _batch_events(
    emu: Emulator,
    listening: dict[str, list[tuple[dict[str, Any], EventFilter]]],
    batch: Batch,
    after: float | None = None,
) -> None:
    """Schedule ``batch``'s events for the listening filters (only those due after
    ``after``, for a subscription made when part of it had happened)."""

    def due(when: float) -> bool:
        return after is None or when > after

    for record, event_filter in listening.get("batches", ()):
        if event_filter.batch_id not in (None, batch.id):
            continue
        if event_filter.sender not in (None, batch.sender):
            continue
        created = batch_body(batch, batch.created_at)
        created.update(status="Processing", processedCount=0)
        created.pop("cost", None)
        completed = batch_body(batch, batch.completed_at)
        for when, body in ((batch.created_at, created), (batch.completed_at, completed)):
            body.pop("rejected", None)
            if due(when):
                _schedule(emu, record, event_filter, when, body)
    listeners = [
        (record, f)
        for record, f in listening.get("messages", ())
        if f.direction in (None, "Outbound")
        and f.batch_id in (None, batch.id)
        and f.sender in (None, batch.sender)
        and f.to is None  # ``to`` selects inbound messages
    ]
    if not listeners:
        return
    for message in emu.store.query_messages(MessageQuery(batch_id=batch.id)):
        for offset, _ in message.plan.steps:
            when = message.dispatch_at + offset
            if not due(when):
                continue
            body = message_body(message, when, single=True)
            for record, event_filter in listeners:
                _schedule(emu, record, event_filter, when, body, message.id)


def catch_up(emu: Emulator, record: dict[str, Any]) -> None:
    """For filters naming a batch: its events still to come (the batch was sent
    before the subscription was made, as one must to know its id)."""
    now = emu.time()
    for text in record["eventFilters"]:
        event_filter = parse_filter(text, record["tenant"])
        if event_filter.batch_id is None or event_filter.kind not in ("batches", "messages"):
            continue
        batch = emu.store.get_batch(event_filter.batch_id)
        if batch is None or batch.tenant != record["tenant"] or batch.provider != PROVIDER:
            continue
        _batch_events(emu, {event_filter.kind: [(record, event_filter)]}, batch, after=now)


def notify_inbound(emu: Emulator, message: Message) -> None:
    """The ``Batch Messages`` event of an inbound message."""
    for record, event_filter in _listening(emu, message.tenant).get("messages", ()):
        if event_filter.direction not in (None, "Inbound") or event_filter.batch_id is not None:
            continue
        if event_filter.sender not in (None, message.sender):
            continue
        if event_filter.to not in (None, message.to):
            continue
        body = message_body(message, message.created_at, single=True)
        _schedule(emu, record, event_filter, message.created_at, body, message.id)


def notify_opt_out(emu: Emulator, tenant: str, sender: str, recipient: str, active: bool) -> None:
    """The ``Batch Message Opt-Out`` event: ``recipient`` opted out of ``sender`` or back in."""
    now = emu.time()
    for record, event_filter in _listening(emu, tenant).get("opt-outs", ()):
        if event_filter.sender not in (None, sender) or event_filter.to not in (None, recipient):
            continue
        body = {"from": sender, "to": recipient, "active": active}
        _schedule(emu, record, event_filter, now, body)


def remind(emu: Emulator, record: dict[str, Any]) -> None:
    """Queue the renewal reminders of this lifetime: ``{"expiresIn": seconds left}`` every
    ``interval`` from ``threshold`` before expiry (those of an earlier lifetime lapse)."""
    expires_at = record["expires_at"]
    for text in record["eventFilters"]:
        event_filter = parse_filter(text, record["tenant"])
        if event_filter.kind != "renewal":
            continue
        when = max(emu.time(), expires_at - event_filter.threshold)
        for _ in range(MAX_REMINDERS):
            if when >= expires_at:
                break
            _schedule(emu, record, event_filter, when, {"expiresIn": round(expires_at - when)})
            when += event_filter.interval


def still_wanted(emu: Emulator, job: WebhookJob) -> bool:
    """Whether a notification is still owed when due: its subscription exists, had not
    expired when the event happened, and still has the filter."""
    notification = job.json if isinstance(job.json, dict) else {}
    subscription_id = notification.get("subscriptionId")
    if subscription_id is None:
        return True
    record = emu.store.get_state(NAMESPACE, subscription_id)
    # when the event happened (a retry's job.due is later)
    happened = datetime.fromisoformat(notification["timestamp"]).timestamp()
    if record is None or happened > record["expires_at"]:
        return False
    body = notification.get("body")
    reminder = job.event.startswith("/restapi/v1.0/subscription/") and isinstance(body, dict)
    if reminder and body.get("expiresIn") != round(record["expires_at"] - happened):
        return False  # a reminder of a lifetime a renewal replaced
    return any(
        parse_filter(text, record["tenant"]).event(record["tenant"]) == job.event
        for text in record["eventFilters"]
    )
