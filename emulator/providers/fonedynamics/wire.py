"""Request parsing and validation, and the message resource, in Fone Dynamics' wire format.

Keys are matched case-insensitively and unknown keys are ignored, as the
ServiceStack backend does; ``null`` means omitted.  Numbers sent for string
fields are taken as their text and numeric strings are accepted for
``Schedule``, as ServiceStack's binder does.
"""

from __future__ import annotations

import re
from email.parser import BytesParser
from email.policy import compat32
from typing import Any
from urllib.parse import parse_qsl

import msgspec

from ...core.clock import whole_seconds
from ...core.lone_surrogates import decode_allowing_lone_surrogates
from ...core.models import Direction, Message, Status
from ...core.phone import is_possible_e164, normalize_plus
from ...core.webhooks import is_webhook_url
from .errors import ItemError, SerializationException
from .leases import region_of
from .mapping import outbound_status_name

__all__ = [
    "FIELDS",
    "LEASE_FIELDS",
    "MAX_SCHEDULE_AHEAD",
    "SCHEDULE_GRACE",
    "MessageRequest",
    "canonical_keys",
    "decode_text",
    "message_resource",
    "needs_lease",
    "parse_form",
    "parse_json",
    "parse_multipart",
    "resource_status",
    "validate_message",
    "validate_messages",
]

FIELDS = (
    "From",
    "To",
    "Text",
    "Schedule",
    "DeliveryReceipt",
    "DeliveryReceiptWebhookUri",
    "DeliveryReceiptWebhookMethod",
    "ExternalId",
    "ForwardToSms",
    "ForwardFromSms",
    "ForwardToEmail",
    "ForwardFromEmail",
    "WebhookUri",
    "WebhookMethod",
)
LEASE_FIELDS = (
    "ForwardToSms",
    "ForwardFromSms",
    "ForwardToEmail",
    "ForwardFromEmail",
    "WebhookUri",
    "WebhookMethod",
)
_CANONICAL = {name.lower(): name for name in FIELDS}
#: Phone-number fields (lower case), where a space before digits was a raw ``+``.
_NUMBER_FIELDS = frozenset(("to", "from", "forwardtosms", "forwardfromsms"))
#: Keys of a message that ``_plain_message`` can check on its own.
_PLAIN_KEYS = frozenset(("From", "To", "Text"))

#: ``Schedule`` may be at most this far ahead (seconds).
MAX_SCHEDULE_AHEAD = 14 * 86400
#: A ``Schedule`` less than this far in the past is sent now; older ones fail.
SCHEDULE_GRACE = 3600

_ALPHANUMERIC = re.compile(r"[A-Za-z0-9 ]{1,11}")
_LETTER = re.compile(r"[A-Za-z]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")

# Enum members looked up once: ``Status.SENT`` costs a slow class lookup per use on Python 3.11.
_INBOUND = Direction.INBOUND
_QUEUED, _SENT, _DELIVERED = Status.QUEUED, Status.SENT, Status.DELIVERED


def decode_text(raw: bytes | bytearray) -> str:
    """The body as text: UTF-8, or Latin-1 when it is not (the Java SDK sends ISO-8859-1)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.removeprefix("\ufeff")


def parse_json(raw: bytes | bytearray) -> Any:
    """Decode a JSON body or raise ``SerializationException`` (HTTP 400)."""
    if raw[:1] == b"{":  # the usual body: straight from the bytes, when they are valid UTF-8 JSON
        try:
            return msgspec.json.decode(raw)
        except (ValueError, msgspec.DecodeError, RecursionError):
            pass  # Latin-1, or malformed: the path below decodes it or words the error
    text = decode_text(raw)
    if not text.strip():
        return None
    try:
        return decode_allowing_lone_surrogates(msgspec.json.decode, text)
    except msgspec.DecodeError as exc:
        raise SerializationException(
            f"Could not deserialize 'application/json' request: {exc}"
        ) from None
    except RecursionError:  # nested deeper than the parser goes: malformed input, not a 500
        raise SerializationException(
            "Could not deserialize 'application/json' request: nested too deeply"
        ) from None


def parse_form(raw: bytes | bytearray) -> dict[str, str]:
    """Decode a form-encoded body (single messages only)."""
    text = decode_text(raw)
    try:
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        pairs = parse_qsl(text, keep_blank_values=True, encoding="latin-1")
    return {key: _restore_plus(key, value) for key, value in pairs}


def parse_multipart(raw: bytes | bytearray, content_type: str) -> dict[str, str]:
    """The fields of a ``multipart/form-data`` body (``curl -F``), bound as a form's are.

    Parts with a file name are skipped (no field is a file); a body without its
    boundary has no fields.  Values are used as sent: no ``+`` was encoded.
    """
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=compat32).parsebytes(head + bytes(raw))
    fields: dict[str, str] = {}
    if not message.is_multipart():
        return fields
    for part in message.get_payload():
        params = dict(part.get_params(header="content-disposition") or [])
        name = params.get("name")
        # a file part, its name not decoded (a malformed filename* would raise)
        if not isinstance(name, str) or any(k.startswith("filename") for k in params):
            continue
        payload = part.get_payload(decode=True)  # bytes as sent (None: nested parts)
        if isinstance(payload, bytes):
            fields[name] = decode_text(payload)  # the last of a repeated name, as in a form
    return fields


def _restore_plus(key: str, value: str) -> str:
    """A number field's raw ``+`` that form decoding turned into a space, put back.

    Only digits may follow: ``From``/``ForwardFromSms`` may be alphanumeric
    sender ids, which can start with a space and a digit.
    """
    if key.lower() in _NUMBER_FIELDS and value[1:].isdigit():
        return normalize_plus(value)
    return value


def canonical_keys(data: dict[str, Any]) -> dict[str, Any]:
    """Known fields under their documented spelling; unknown keys dropped, nulls dropped."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = _CANONICAL.get(key.lower()) if isinstance(key, str) else None
        if name is not None and value is not None:
            out[name] = value
    return out


class MessageRequest(msgspec.Struct):
    """One validated message to send (a Struct: built in C, one per message of a batch)."""

    sender: str | None  # None: send from a leased number
    to: str
    text: str
    schedule: int | None = None
    delivery_receipt: bool = True
    receipt_uri: str | None = None
    receipt_method: str = "POST"
    external_id: str | None = None
    #: Response options for a leased sender (documented field names).
    lease_options: dict[str, str] = msgspec.field(default_factory=dict)

    @property
    def leased(self) -> bool:
        return self.sender is None


class _Invalid(Exception):
    def __init__(self, error: ItemError) -> None:
        self.error = error


def _invalid(name: str, message: str) -> _Invalid:
    return _Invalid(ItemError("INVALID_PARAMETER", message, (name,)))


def _string(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _invalid(name, f"{name} parameter must be a string")
    return value if isinstance(value, str) else str(value)


def _phone(name: str, value: str) -> str:
    if not is_possible_e164(value):
        raise _Invalid(
            ItemError(
                "INVALID_PHONENUMBER_FORMAT", f"{name} parameter is not in E.164 format", (name,)
            )
        )
    return value


def _sender_id(name: str, value: str) -> str:
    """An E.164 number or an alphanumeric sender id (1–11 of A-Z a-z 0-9 space, a letter)."""
    if value.startswith("+") or not _LETTER.search(value):
        return _phone(name, value)
    if _ALPHANUMERIC.fullmatch(value) is None:
        raise _invalid(
            name,
            f"{name} parameter is not a valid alphanumeric sender ID: 1 to 11 letters, digits"
            " or spaces, with at least one letter",
        )
    return value


def _method(data: dict[str, Any], name: str) -> str:
    value = _string(data, name)
    if value is None or not value.strip():
        return "POST"
    method = value.strip().upper()
    if method not in ("GET", "POST"):
        raise _invalid(name, f"{name} parameter must be POST or GET")
    return method


def _uri(data: dict[str, Any], name: str) -> str | None:
    value = _string(data, name)
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not is_webhook_url(value):
        raise _invalid(name, f"{name} parameter must be an absolute http or https URI")
    return value


# A 64-bit integer as .NET reads it: ASCII digits only (Python's \d takes "１７６７…").
_SCHEDULE_TEXT = re.compile(r"\s*-?[0-9]{1,19}\s*", re.ASCII)


def _schedule(data: dict[str, Any], now: float) -> int | None:
    value = data.get("Schedule")
    if value is None or value == "":
        return None
    # At most 19 digits: what a 64-bit Schedule can hold (and int() of any length is safe).
    numeric_text = isinstance(value, str) and _SCHEDULE_TEXT.fullmatch(value)
    if numeric_text or (isinstance(value, float) and value.is_integer()):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid("Schedule", "Schedule parameter must be an integer number of seconds")
    if value > now + MAX_SCHEDULE_AHEAD:
        raise _invalid("Schedule", "Schedule parameter can be at most 14 days in the future")
    if value <= now - SCHEDULE_GRACE:
        raise _invalid("Schedule", "Schedule parameter is 1 hour or more in the past")
    return value


def _boolean(data: dict[str, Any], name: str, default: bool) -> bool:
    value = data.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise _invalid(name, f"{name} parameter must be true or false")


#: Regions of +1 where alphanumeric sender ids do not work: the docs name "US and
#: Canada" (the US's territories share its numbering and carriers). Other +1
#: countries (Jamaica, Bahamas...) keep the alphanumeric sender; a +1 number no region
#: claims (an unassigned area code) counts as US/Canada.
_NO_ALPHANUMERIC = frozenset({"US", "CA", "PR", "VI", "GU", "AS", "MP", "UM", None})


def needs_lease(sender: str | None, to: str) -> bool:
    """Blank sender, or an alphanumeric one to US/Canada (not supported there)."""
    if sender is None:
        return True
    return to.startswith("+1") and not sender.startswith("+") and region_of(to) in _NO_ALPHANUMERIC


def validate_messages(raws: list[Any], now: float) -> list[MessageRequest | ItemError]:
    """:func:`validate_message` for each element of a batch's ``Messages``.

    A batch usually has one sender: each distinct plain ``From`` is checked once.
    """
    senders: set[str] = set()
    return [validate_message(raw, now, senders) for raw in raws]


def validate_message(
    raw: Any, now: float, senders: set[str] | None = None
) -> MessageRequest | ItemError:
    """Check one message object (E1 body or an element of ``Messages``).

    ``senders``: ``From`` values already found valid in this request (added to).
    """
    if type(raw) is dict and _PLAIN_KEYS.issuperset(raw):  # faster than raw.keys() <= ...
        plain = _plain_message(raw, set() if senders is None else senders)
        if plain is not None:
            return plain
    return _checked_message(raw, now)


def _plain_message(raw: dict[str, Any], senders: set[str]) -> MessageRequest | None:
    """The common message, only ``From``/``To``/``Text`` as non-empty strings, if valid.

    None for anything else, which the full check then answers, errors included:
    this only skips the case folding and the checks of absent options.
    """
    sender, to, text = raw.get("From"), raw.get("To"), raw.get("Text")
    if type(to) is not str or type(text) is not str or not to or not text:
        return None
    if sender is not None and type(sender) is not str:
        return None
    if not is_possible_e164(to):
        return None
    if not sender or not sender.strip():
        sender = None
    elif sender not in senders:
        if sender.startswith("+") or not _LETTER.search(sender):
            if not is_possible_e164(sender):
                return None
        elif _ALPHANUMERIC.fullmatch(sender) is None:
            return None
        senders.add(sender)
    return MessageRequest(sender, to, text)


def _checked_message(raw: Any, now: float) -> MessageRequest | ItemError:
    if not isinstance(raw, dict):
        return ItemError("INVALID_PARAMETER", "Each message must be a JSON object", ("Messages",))
    data = canonical_keys(raw)
    missing = tuple(
        name for name in ("To", "Text") if data.get(name) is None or data.get(name) == ""
    )
    if missing:
        names = ", ".join(missing)
        return ItemError("PARAMETER_REQUIRED", f"Required parameter missing: {names}", missing)
    try:
        # In the documented order (docs/providers/fonedynamics.md): To, Text, From.
        to = _phone("To", _string(data, "To") or "")
        text = _string(data, "Text") or ""
        sender = _string(data, "From")
        sender = _sender_id("From", sender) if sender and sender.strip() else None
        request = MessageRequest(
            sender=sender,
            to=to,
            text=text,
            schedule=_schedule(data, now),
            delivery_receipt=_boolean(data, "DeliveryReceipt", True),
            receipt_uri=_uri(data, "DeliveryReceiptWebhookUri"),
            receipt_method=_method(data, "DeliveryReceiptWebhookMethod"),
            external_id=_string(data, "ExternalId"),
        )
        if needs_lease(sender, to):
            request.lease_options = _lease_options(data)
    except _Invalid as exc:
        return exc.error
    return request


def _lease_options(data: dict[str, Any]) -> dict[str, str]:
    options: dict[str, str] = {}
    forward_to = _string(data, "ForwardToSms")
    if forward_to and forward_to.strip():
        options["ForwardToSms"] = _phone("ForwardToSms", forward_to.strip())
    forward_from = _string(data, "ForwardFromSms")
    if forward_from and forward_from.strip():
        options["ForwardFromSms"] = _sender_id("ForwardFromSms", forward_from.strip())
    for name in ("ForwardToEmail", "ForwardFromEmail"):
        email = _string(data, name)
        if email and email.strip():
            if _EMAIL.fullmatch(email.strip()) is None:
                raise _invalid(name, f"{name} parameter is not a valid email address")
            options[name] = email.strip()
    uri = _uri(data, "WebhookUri")
    method = _method(data, "WebhookMethod")  # checked as DeliveryReceiptWebhookMethod is
    if uri:
        options["WebhookUri"] = uri
        options["WebhookMethod"] = method
    return options


def _state(message: Message, now: float) -> tuple[str, float | None, float | None]:
    """``Status``, ``Submitted`` and ``Delivered`` at ``now``."""
    if message.direction == _INBOUND:
        return "Received", None, None
    if now < message.dispatch_at and message.plan.initial == _QUEUED:
        return "Processing", None, None  # as every fresh batch message
    return _progress(message, now)


def resource_status(message: Message, now: float) -> str:
    """The Message Resource's ``Status`` at ``now``."""
    return _state(message, now)[0]


def message_resource(message: Message, now: float) -> dict[str, Any]:
    """The Message Resource at ``now``; timestamps not reached yet are omitted."""
    extra = message.extra or {}
    inbound = message.direction == _INBOUND
    status, submitted, delivered = _state(message, now)
    body: dict[str, Any] = {
        "MessageSid": message.id,
        "AccountSid": extra.get("AccountSid", message.tenant),
        "PropertySid": extra.get("PropertySid", ""),
        "From": message.sender,
        "To": message.to,
        "Text": message.text,
        "DeliveryReceipt": bool(extra.get("DeliveryReceipt", not inbound)),
        "NumSegments": 0 if status == "Processing" else message.segments,
        "Status": status,
        "Direction": "Receive" if inbound else "Transmit",
    }
    if extra.get("Scheduled") is not None:
        body["Scheduled"] = int(extra["Scheduled"])
    body["Created"] = whole_seconds(message.created_at)
    if inbound:
        body["Received"] = whole_seconds(message.created_at)
    if submitted is not None:
        body["Submitted"] = whole_seconds(submitted)
    if delivered is not None:
        body["Delivered"] = whole_seconds(delivered)
    body["ErrorCode"] = (message.plan.error_code or "") if status == "Failed" else ""
    if extra.get("ExternalId") is not None:
        body["ExternalId"] = extra["ExternalId"]
    return body


def _progress(message: Message, now: float) -> tuple[str, float | None, float | None]:
    """An outbound message's ``Status`` word, ``Submitted`` and ``Delivered`` times at ``now``.

    One pass over the plan steps reached by ``now`` (``Message.status_at`` and
    ``reached_at`` would each walk them again); a message still queued, as
    every one is right after a batch, reaches none.
    """
    plan = message.plan
    initial = plan.initial
    reached = plan.steps[: message.steps_reached(now)]
    word = outbound_status_name(message, reached[-1][1] if reached else initial)
    submitted = message.created_at if initial == _SENT else None
    delivered = message.created_at if initial == _DELIVERED else None
    for offset, status in reached:
        if status == _SENT and submitted is None:
            submitted = message.dispatch_at + offset
        elif status == _DELIVERED and delivered is None:
            delivered = message.dispatch_at + offset
    if submitted is None and delivered is not None:
        submitted = delivered  # a sequence straight to delivered: handed over then
    return word, submitted, delivered if word == "Delivered" else None
