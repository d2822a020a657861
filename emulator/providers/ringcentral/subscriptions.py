"""Webhook subscriptions (``/restapi/v1.0/subscription``): records and ``SubscriptionInfo``.

A subscription is kept in the store (``notifications.NAMESPACE``): its event
filters, WebHook address, optional verification token, owner (user and client
application: each sees only its own, as RingCentral lists "subscriptions created
by the user for the current authorized client application") and expiry.
Creating one first sends RingCentral's validation request: a POST with a
``Validation-Token`` header the receiver must echo with a 200 within 3 s: another
status is 400 SUB-522 (naming it), an answer over 1024 bytes 400 SUB-525, no answer
or no echo 400 SUB-521.  Every change bumps its ``generation`` and notes, per
filter, the generation it was added in (``since``), which
``notifications.still_wanted`` reads.  The notifications themselves are
``notifications``'.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

import anyio
import httpx
import msgspec

from ...core import http
from ...core.webhooks import attempt_record, is_admin_url, is_webhook_url
from .errors import InvalidParameter, ResourceNotFound, RingCentralError, whole_number
from .event_filters import checked_filters
from .notifications import NAMESPACE, SUBSCRIBED, USER_AGENT, catch_up, remind, stamp

if TYPE_CHECKING:
    from ...emulator import Emulator
    from .auth import Principal

__all__ = [
    "DEFAULT_EXPIRES_IN",
    "MAX_EXPIRES_IN",
    "SUBSCRIPTIONS_LIMIT",
    "CreateSubscriptionRequest",
    "SubscriptionsLimitExceeded",
    "UpdateSubscriptionRequest",
    "WebhookAnswerInvalid",
    "WebhookUnreachable",
    "WebhookWrongStatus",
    "create",
    "delete",
    "find",
    "owned",
    "renew",
    "subscription_body",
    "update",
]

#: ``expiresIn`` when not given, and the most a WebHook subscription may ask (10 years,
#: as RingCentral's current definitions say).
DEFAULT_EXPIRES_IN = 604_800
MAX_EXPIRES_IN = 315_360_000
#: RingCentral's receiver must answer within 3,000 ms.
VALIDATION_TIMEOUT = 3.0
#: The most the validation answer may take, headers and body together (RingCentral
#: Developers, "Common Questions on RingCentral WebHooks": "should NOT respond with a
#: response larger than 1024 bytes ... the response size counts both the body and the
#: headers", else SUB-525).
MAX_ANSWER_BYTES = 1024
#: Subscriptions a user may hold through one client application at a time, expired ones
#: aside (RingCentral's API Reference, createSubscription: "limited to 30 subscriptions
#: per user/extension (for particular application)", and at most 30 listed; its
#: developer community once said 20); the scenario's
#: ``providers.ringcentral.subscriptions_limit`` sets another.
SUBSCRIPTIONS_LIMIT = 30


class SubscriptionsLimitExceeded(RingCentralError):
    """The user holds ``SUBSCRIPTIONS_LIMIT`` subscriptions through this app already
    (RingCentral's API Reference, createSubscription: "403 SUB-505 Subscriptions limit
    exceeded")."""

    status, code, template = 403, "SUB-505", "Subscriptions limit exceeded"


class WebhookUnreachable(RingCentralError):
    """The validation request failed: no answer, not 200, or no ``Validation-Token`` echo."""

    status, code, template = 400, "SUB-521", "WebHook is not reachable"

    def body(self) -> dict[str, Any]:
        entry = {"errorCode": self.code, "message": self.message}
        return {"errorCode": self.code, "message": self.message, "errors": [entry]}


class WebhookWrongStatus(WebhookUnreachable):
    """The validation request was answered, with a status other than 200 (RingCentral's
    API Reference, createSubscription: "SUB-522 WebHook responds with incorrect HTTP
    status. HTTP status is 500")."""

    code = "SUB-522"

    def __init__(self, status: int) -> None:
        super().__init__(f"WebHook responds with incorrect HTTP status. HTTP status is {status}")


class WebhookAnswerInvalid(WebhookUnreachable):
    """The validation answer is larger than ``MAX_ANSWER_BYTES`` ("SUB-525 WebHook
    server response is invalid")."""

    code, template = "SUB-525", "WebHook server response is invalid"


def _answer_bytes(response: httpx.Response) -> int:
    """The answer's headers (each ``Name: value`` and its line end) and body, in bytes,
    as they came over the wire (a compressed body as sent)."""
    headers = sum(len(name) + len(value) + 4 for name, value in response.headers.raw)
    return headers + response.num_bytes_downloaded


class DeliveryModeRequest(msgspec.Struct):
    transportType: str | None = None
    address: str | None = None
    verificationToken: str | None = None
    encryption: bool | None = None


class CreateSubscriptionRequest(msgspec.Struct):
    eventFilters: list[str] | None = None
    deliveryMode: DeliveryModeRequest | None = None
    expiresIn: int | float | str | None = None


class UpdateSubscriptionRequest(msgspec.Struct):
    """What a ``PUT`` reads: RingCentral ignores anything but these two."""

    eventFilters: list[str] | None = None
    expiresIn: int | float | str | None = None


def checked_expires_in(given: int | float | str | None) -> int:
    value = whole_number(given, "expiresIn")
    if value is None:
        return DEFAULT_EXPIRES_IN
    if value < 1:
        raise InvalidParameter(parameter="expiresIn", value=str(value))
    return min(value, MAX_EXPIRES_IN)


def _checked_token(value: str | None) -> str | None:
    """A verification token goes out in a header: printable ASCII only."""
    if value is not None and not (value.isascii() and value.isprintable()):
        raise InvalidParameter(parameter="deliveryMode.verificationToken")
    return value


async def validate_address(emu: Emulator, address: str, token: str) -> None:
    """RingCentral's validation request: the receiver must answer 200 and echo
    ``Validation-Token``, the whole exchange within ``VALIDATION_TIMEOUT``; else
    ``WebhookWrongStatus`` (another status) or ``WebhookUnreachable``.  The exchange
    is listed with the webhook attempts, with why it failed: RingCentral's answer
    does not say."""
    headers = {
        "Validation-Token": token,
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
        "Content-Type": "application/json",
    }
    at, started, generation = emu.time(), time.perf_counter(), emu.webhooks.generation
    status: int | None = None
    refusal: RingCentralError | None = None
    why = ""
    request: httpx.Request | None = None
    try:
        with anyio.fail_after(VALIDATION_TIMEOUT):
            async with http.async_client(timeout=VALIDATION_TIMEOUT) as client:
                request = client.build_request("POST", address, headers=headers)
                response = await client.send(request)
    except Exception as exc:  # refused, timed out, a host httpx cannot encode: not reachable
        refusal = WebhookUnreachable()
        why = f"{type(exc).__name__}: {exc}".rstrip(": ")
        if isinstance(exc, (TimeoutError, httpx.TimeoutException)):
            why = f"no answer within {VALIDATION_TIMEOUT:g} s"
    else:
        status, size = response.status_code, _answer_bytes(response)
        echoed = response.headers.get("Validation-Token")
        if status != 200:
            refusal, why = WebhookWrongStatus(status), f"HTTP {status}, not 200"
        elif size > MAX_ANSWER_BYTES:
            refusal = WebhookAnswerInvalid()
            why = f"an answer of {size} bytes, over {MAX_ANSWER_BYTES}"
        elif echoed != token:
            refusal = WebhookUnreachable()
            why = (
                "answered 200 without the Validation-Token header echoed"
                if echoed is None
                else f"answered 200 echoing Validation-Token {echoed!r}, not {token!r}"
            )
    record = attempt_record(
        at=at,
        provider="ringcentral",
        event="subscription validation",
        message_id=None,
        method="POST",
        url=address,
        attempt=1,
        status=status,
        error=None if refusal is None else f"{why}: {refusal.code}",
        started=started,
        sent=request,
    )
    emu.webhooks.record_attempt(record, generation)  # not if a reset came meanwhile
    if refusal is not None:
        raise refusal


async def create(
    emu: Emulator, principal: Principal, request: CreateSubscriptionRequest
) -> dict[str, Any]:
    """Check, validate the address, store: the stored record."""
    expires_in = checked_expires_in(request.expiresIn)
    filters = checked_filters(request.eventFilters, principal.account_id, expires_in)
    mode = request.deliveryMode
    if mode is None:
        raise InvalidParameter(parameter="deliveryMode")
    if (mode.transportType or "").lower() != "webhook":
        raise InvalidParameter(parameter="deliveryMode.transportType", value=mode.transportType)
    token = _checked_token(mode.verificationToken)
    address = (mode.address or "").strip()
    _check_room(emu, principal)  # before the receiver is asked: it would be for nothing
    validation = emu.ids.uuid("ringcentral.validation")
    if not is_webhook_url(address) or is_admin_url(address):
        raise WebhookUnreachable()
    await validate_address(emu, address, validation)
    with emu.transaction():  # a request that a reset overtook meanwhile draws nothing here
        _check_room(emu, principal)  # again: another may have been made meanwhile
        now = emu.time()
        record: dict[str, Any] = {
            "id": emu.ids.uuid("ringcentral.subscription"),
            "tenant": principal.account_id,
            "owner_id": principal.owner_id,
            "client_id": principal.client_id,
            "eventFilters": filters,
            "address": address,
            "verificationToken": token,
            "creationTime": now,
            "expiresIn": expires_in,
            "expires_at": now + expires_in,
            "generation": 1,
            "since": dict.fromkeys(filters, 1),
        }
        counts = SUBSCRIBED.changing(emu.store)  # before the write: it may be built now
        emu.store.put_state(NAMESPACE, record["id"], record)
        counts[record["tenant"]] = counts.get(record["tenant"], 0) + 1
        catch_up(emu, record, filters)
        remind(emu, record)
    return record


def _check_room(emu: Emulator, principal: Principal) -> None:
    """403 SUB-505 if the caller holds as many unexpired subscriptions as it may."""
    options = emu.scenario.provider_options("ringcentral")
    limit = options.get("subscriptions_limit", SUBSCRIPTIONS_LIMIT)
    now = emu.time()
    if sum(1 for r in owned(emu, principal) if now < r["expires_at"]) >= limit:
        raise SubscriptionsLimitExceeded()


def _mine(record: dict[str, Any] | None, principal: Principal) -> bool:
    return record is not None and (record["tenant"], record["owner_id"], record["client_id"]) == (
        principal.account_id,
        principal.owner_id,
        principal.client_id,
    )


def find(emu: Emulator, principal: Principal, subscription_id: str) -> dict[str, Any]:
    """The caller's subscription ``subscription_id``; 404 CMN-102 if it has none such."""
    record = emu.store.get_state(NAMESPACE, subscription_id)
    if not _mine(record, principal):
        raise ResourceNotFound(parameter="subscriptionId")
    return record


def owned(emu: Emulator, principal: Principal) -> list[dict[str, Any]]:
    """The caller's subscriptions, oldest first."""
    found = [r for _, r in emu.store.state_items(NAMESPACE) if _mine(r, principal)]
    return sorted(found, key=lambda r: (r["creationTime"], r["id"]))


def update(
    emu: Emulator, principal: Principal, subscription_id: str, request: UpdateSubscriptionRequest
) -> dict[str, Any]:
    """``PUT``: new filters (if given) and a new lifetime (``expiresIn``, else the default)."""
    expires_in = checked_expires_in(request.expiresIn)
    with emu.transaction():
        record = find(emu, principal, subscription_id)
        filters = record["eventFilters"]
        if request.eventFilters is not None:
            filters = checked_filters(request.eventFilters, principal.account_id, expires_in)
        else:
            checked_filters(filters, principal.account_id, expires_in, stored=True)
        generation = record["generation"] + 1
        kept = record["since"]
        since = {f: kept.get(f, generation) for f in filters}
        record = _stored(emu, record, filters, since, expires_in, generation)
        catch_up(emu, record, [f for f in filters if f not in kept])
        remind(emu, record)
    return record


def renew(emu: Emulator, principal: Principal, subscription_id: str) -> dict[str, Any]:
    """``POST .../renew``: the subscription's lifetime counted again from now."""
    with emu.transaction():
        record = find(emu, principal, subscription_id)
        record = _stored(
            emu,
            record,
            record["eventFilters"],
            record["since"],
            record["expiresIn"],
            record["generation"] + 1,
        )
        remind(emu, record)
    return record


def _stored(
    emu: Emulator,
    record: dict[str, Any],
    filters: list[str],
    since: dict[str, int],
    expires_in: int,
    generation: int,
) -> dict[str, Any]:
    changed = {
        **record,
        "eventFilters": filters,
        "since": since,
        "expiresIn": expires_in,
        "expires_at": emu.time() + expires_in,
        "generation": generation,
    }
    emu.store.put_state(NAMESPACE, record["id"], changed)
    return changed


def delete(emu: Emulator, principal: Principal, subscription_id: str) -> None:
    with emu.transaction():
        record = find(emu, principal, subscription_id)
        counts = SUBSCRIBED.changing(emu.store)  # before the write: it may be built now
        emu.store.delete_state(NAMESPACE, record["id"])
        counts[record["tenant"]] -= 1


#: ``~`` for the caller's account or extension in a filter path.
_OWN = re.compile(r"/(account|extension)/~(?=[/?]|$)")


def _shown_filter(text: str, record: dict[str, Any]) -> str:
    """A filter as RingCentral shows it back: ``~`` replaced by the account's and the
    extension's ids (as in the API Reference's examples)."""
    ids = {"account": record["tenant"], "extension": record["owner_id"]}
    return _OWN.sub(lambda found: f"/{found[1]}/{ids[found[1]]}", text)


def subscription_body(record: dict[str, Any], now: float, origin: str) -> dict[str, Any]:
    """``SubscriptionInfo``; ``expiresIn`` is what is left of its lifetime at ``now``."""
    # verificationToken is write-only (the API Reference's WebhookDeliveryMode has no
    # such field): it goes out in each notification's header, never back in a body
    mode = {"transportType": "WebHook", "address": record["address"], "encryption": False}
    expired = now >= record["expires_at"]
    blacklisted = record.get("blacklisted")
    status = "Blacklisted" if blacklisted is not None else "Suspended" if expired else "Active"
    body = {
        "uri": f"{origin}/restapi/v1.0/subscription/{record['id']}",
        "id": record["id"],
        "creationTime": stamp(record["creationTime"]),
        "status": status,
        "eventFilters": [_shown_filter(f, record) for f in record["eventFilters"]],
        "expirationTime": stamp(record["expires_at"]),
        "expiresIn": max(0, round(record["expires_at"] - now)),
        "deliveryMode": mode,
    }
    if blacklisted is not None:
        body["blacklistedData"] = {
            "reason": blacklisted["reason"],
            "blacklistedAt": stamp(blacklisted["at"]),
        }
    return body
