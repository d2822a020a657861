"""The notifications of RingCentral webhook subscriptions, on the core webhook queue.

Each is scheduled when what causes it happens (a batch accepted, an inbound
message, an opt-out keyword, a subscription made or renewed), for the
subscriptions there are then, at the emulator time the event takes place.  A
job carries the subscription's ``generation`` when it was scheduled (its
``tag``): when it comes due, ``still_wanted`` sends it only if the subscription
still exists, had not expired when the event happened, and still has the filter
since before the job was made (a reminder: of the same lifetime).

Bodies (RingCentral's event pages): a batch without ``rejected``; a message as
``GET .../messages/{id}`` shows it at that moment; ``{from, to, active}`` for an
opt-out; ``{expiresIn}`` for a renewal reminder.
"""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from ...core.models import Batch, Message
from ...core.store import MessageQuery, Store
from ...core.store_index import StoreIndex
from ...core.webhooks import WebhookJob
from ...emulator import iso
from .event_filters import EventFilter, parse_filter
from .wire import batch_body, message_body

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = [
    "BLACKLIST_AFTER",
    "NAMESPACE",
    "RESPONSE_TIMEOUT",
    "SUBSCRIBED",
    "USER_AGENT",
    "attempted",
    "catch_up",
    "notify_batch",
    "notify_inbound",
    "notify_opt_out",
    "remind",
    "stamp",
    "still_wanted",
]

PROVIDER = "ringcentral"
#: Where subscriptions are kept (``Store.put_state``), by id.
NAMESPACE = "ringcentral.subscriptions"
USER_AGENT = "RingCentral-Webhook/8.3"
#: Seconds a receiver has to answer a notification, as for the validation request:
#: RingCentral's webhook URL "must respond within 3000 milliseconds"; a slower answer
#: fails ("Read timed out") and is retried.
RESPONSE_TIMEOUT = 3.0
#: A subscription whose notifications fail this long, with no success between, is
#: blacklisted (RingCentral: a WebHook URL failing its requirements "during 10 minutes").
BLACKLIST_AFTER = 600.0
#: At most this many renewal reminders are queued for one lifetime.
MAX_REMINDERS = 100
_UUID_BASE = 4_000_000_000_000_000_000  # RingCentral's notification uuids are long numbers

Listening = dict[str, list[tuple[dict[str, Any], EventFilter]]]


def _count_by_tenant(store: Store) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, record in store.state_items(NAMESPACE):
        counts[record["tenant"]] = counts.get(record["tenant"], 0) + 1
    return counts


#: tenant -> how many subscriptions it has: every batch asks, without a scan.  Take it
#: with ``changing()`` before writing a subscription, in the write's transaction.
SUBSCRIBED = StoreIndex("ringcentral.subscriptions.index", _count_by_tenant)


def stamp(timestamp: float) -> str:
    """RingCentral's subscription and notification times: milliseconds and ``Z``."""
    return iso(round(timestamp, 3))[:23] + "Z"


def _listening(emu: Emulator, tenant: str) -> Listening:
    """``tenant``'s (subscription, filter) pairs by the filter's kind (usually none)."""
    found: Listening = {}
    if not SUBSCRIBED.get(emu.store).get(tenant):
        return found
    now = emu.time()
    for _, record in emu.store.state_items(NAMESPACE):
        if record["tenant"] != tenant or record["expires_at"] < now:
            continue  # an expired subscription gets nothing of what happens meanwhile
        if record.get("blacklisted") is not None:
            continue  # nor a blacklisted one, ever: nothing queued only to be dropped
        events: set[str] = set()
        for text in record["eventFilters"]:
            parsed = parse_filter(text, tenant, stored=True)
            if parsed.event(tenant) in events:
                continue  # ``~`` and the account's id: one filter, one notification
            events.add(parsed.event(tenant))
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
    if record.get("blacklisted") is not None:  # a renewal's reminders, a catch-up
        return
    event = event_filter.event(record["tenant"])
    headers = {
        "Content-Type": "application/json; charset=UTF-8",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
    if record.get("verificationToken") is not None:
        headers["Verification-Token"] = record["verificationToken"]
    notification = {
        "uuid": str(emu.ids.reserve("ringcentral.notification", 1) + _UUID_BASE),
        "event": event,
        "subscriptionId": record["id"],
        "ownerId": record["owner_id"],
        "timestamp": stamp(due),
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
        timeout=RESPONSE_TIMEOUT,
        tag=str(record["generation"]),
    )


def notify_batch(emu: Emulator, batch: Batch) -> None:
    """Batch events (accepted, completed) and its messages' status events."""
    listening = _listening(emu, batch.tenant)
    if listening:
        _batch_events(emu, listening, batch)


def _batch_events(
    emu: Emulator, listening: Listening, batch: Batch, after: float | None = None
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
        created.update(status="Processing", processedCount=0)  # as the 201 showed it
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


def catch_up(emu: Emulator, record: dict[str, Any], filters: list[str]) -> None:
    """For those of ``filters`` naming a batch: its events still to come (it was sent
    before the subscription was made, as it must be for its id to be known)."""
    now = emu.time()
    for text in filters:
        event_filter = parse_filter(text, record["tenant"], stored=True)
        if event_filter.batch_id is None or event_filter.kind not in ("batches", "messages"):
            continue
        batch = emu.store.get_batch(event_filter.batch_id)
        if batch is None or batch.tenant != record["tenant"] or batch.provider != PROVIDER:
            continue
        _batch_events(emu, {event_filter.kind: [(record, event_filter)]}, batch, after=now)


def remind(emu: Emulator, record: dict[str, Any]) -> None:
    """Queue this lifetime's renewal reminders: ``{"expiresIn": seconds left}`` every
    ``interval`` from ``threshold`` before expiry."""
    expires_at = record["expires_at"]
    for text in record["eventFilters"]:
        event_filter = parse_filter(text, record["tenant"], stored=True)
        if event_filter.kind != "renewal":
            continue
        when = max(emu.time(), expires_at - event_filter.threshold)
        for _ in range(MAX_REMINDERS):
            if when >= expires_at:
                break
            _schedule(emu, record, event_filter, when, {"expiresIn": round(expires_at - when)})
            when += event_filter.interval


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


def still_wanted(emu: Emulator, job: WebhookJob) -> bool:
    """Whether a notification is still owed now it is due (see the module's docstring)."""
    notification = job.json if isinstance(job.json, dict) else {}
    subscription_id = notification.get("subscriptionId")
    if subscription_id is None:
        return True
    record = emu.store.get_state(NAMESPACE, subscription_id)
    if record is None or record.get("blacklisted") is not None:
        return False
    # when the event happened (a retry's job.due is later)
    happened = datetime.fromisoformat(notification["timestamp"]).timestamp()
    if happened > record["expires_at"]:
        return False
    generation = int(job.tag or 0)
    for text in record["eventFilters"]:
        event_filter = parse_filter(text, record["tenant"], stored=True)
        if event_filter.event(record["tenant"]) != job.event:
            continue
        if event_filter.kind == "renewal":
            if generation == record["generation"]:
                return True
        elif generation >= record["since"].get(text, 0):
            return True
    return False


def attempted(emu: Emulator, job: WebhookJob, attempt: dict[str, Any]) -> None:
    """Blacklist a subscription whose notifications have failed for ``BLACKLIST_AFTER``
    seconds: a run of failed attempts with no success between and no gap longer than
    that (a receiver not tried for a while has not been failing meanwhile)."""
    notification = job.json if isinstance(job.json, dict) else {}
    subscription_id = notification.get("subscriptionId")
    if subscription_id is None:
        return
    record = emu.store.get_state(NAMESPACE, subscription_id)
    if record is None or (attempt["ok"] and record.get("failing_since") is None):
        return  # the usual case, a success with no run of failures: nothing to write
    with emu.store.transaction():  # no ids drawn: the store's own hold, one commit
        if not emu.webhooks.is_current(job):
            return  # a reset came between the attempt and here: a later test's record
        record = emu.store.get_state(NAMESPACE, subscription_id)
        if record is None or record.get("blacklisted") is not None:
            return
        emu.store.put_state(NAMESPACE, subscription_id, _after_attempt(record, attempt))


def _after_attempt(record: dict[str, Any], attempt: dict[str, Any]) -> dict[str, Any]:
    at = attempt["time"]
    if attempt["ok"]:
        return {**record, "failing_since": None, "failed_last": None}
    since, last = record.get("failing_since"), record.get("failed_last")
    if since is None or last is None or at - last > BLACKLIST_AFTER:
        return {**record, "failing_since": at, "failed_last": at}  # a new run
    if at - since >= BLACKLIST_AFTER:
        return {**record, "blacklisted": {"reason": _reason(attempt), "at": at}}
    return {**record, "failed_last": at}


def _reason(attempt: dict[str, Any]) -> str:
    """``blacklistedData.reason`` as RingCentral words it."""
    status = attempt.get("status")
    if status is not None:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        return f"Webhook responses with code: [{status}], reason: [{phrase}]"
    error = attempt.get("error") or ""
    if "Timeout" in error:
        detail = "Read timed out"
    elif "refused" in error.lower():
        detail = "Connection refused"
    else:
        detail = error.split(": ", 1)[-1] or "Connection failed"
    return f"I/O operation is failed. Details: [{detail}]"
