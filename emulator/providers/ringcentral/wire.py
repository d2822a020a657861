"""RingCentral's wire format: request structs, query values and response bodies.

Field names follow the public spec (``MessageBatchResponse``,
``MessageListMessageResponse``, ``MessageDetailsResponse``...). Where the guide
and the spec disagree, the spec wins: list records carry ``id`` as an integer,
a single message as a string; ``creationTime``/``lastModifiedTime``, never
``createdAt``.
"""

from __future__ import annotations

import codecs
import re
from datetime import UTC, datetime
from typing import Any

import msgspec

from ...core.lone_surrogates import decode_allowing_lone_surrogates
from ...core.models import Batch, Direction, Message
from ...core.phone import with_plus
from ...emulator import iso
from .errors import CannotParseRequest, InvalidParameter
from .mapping import status_name

__all__ = [
    "BatchRequest",
    "BulkAssignRequest",
    "MessageItem",
    "batch_body",
    "batch_status",
    "created_batch_body",
    "decode_json",
    "message_body",
    "money",
    "parse_number",
    "parse_time",
]


class MessageItem(msgspec.Struct, gc=False):
    """One entry of ``messages``: ``{to: [number], text?}``."""

    to: list[str]
    text: str | None = None


class BatchRequest(msgspec.Struct, rename={"sender": "from"}):
    """``MessageBatchCreateRequest``."""

    sender: str
    messages: list[MessageItem]
    text: str | None = None


class BulkAssignRequest(msgspec.Struct, rename={"sender": "from"}):
    """``OptOutBulkAssignRequest``."""

    sender: str
    optOuts: list[str] | None = None
    optIns: list[str] | None = None


_PATH = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")
_MISSING = re.compile(r"^Object missing required field `(?P<field>[^`]+)`")


def decode_json(body: bytes, decoder: msgspec.json.Decoder[Any]) -> Any:
    """Decode a request body; bad JSON → CMN-104, a wrong field → CMN-101 naming it."""
    if not _is_utf8(body):  # anywhere, a field the decoder would skip included
        raise CannotParseRequest()
    try:
        return decode_allowing_lone_surrogates(decoder.decode, body)
    except msgspec.ValidationError as exc:
        text = str(exc)
        found = _PATH.search(text)
        path = found.group("path") if found else ""
        missing = _MISSING.match(text)
        if missing:
            path = f"{path}.{missing.group('field')}" if path else missing.group("field")
        if not path:
            raise CannotParseRequest() from None
        raise InvalidParameter(parameter=path) from None
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        # msgspec raises UnicodeDecodeError for invalid UTF-8 in a string, and
        # RecursionError for arrays or objects nested ~1,000 deep
        raise CannotParseRequest() from None


_CHUNK = 1 << 20


def _is_utf8(body: bytes | bytearray) -> bool:
    """Whether all of ``body`` is UTF-8, a megabyte at a time (a 50 MB body is not copied)."""
    if body.isascii():
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(body)
    try:
        for start in range(0, len(view), _CHUNK):
            decoder.decode(view[start : start + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        view.release()
    return True


#: A phone number from a query or body: a raw ``+`` decoded as space, or no ``+``.
parse_number = with_plus


_SPACED_OFFSET = re.compile(r"^(?P<stamp>.*\d)[ ](?P<offset>\d{2}:?\d{2})$")


def parse_time(value: str, name: str) -> float:
    """ISO-8601 from a query (a raw ``+`` in the offset arrives as a space)."""
    text = value.strip()
    spaced = _SPACED_OFFSET.match(text)
    if spaced:
        text = f"{spaced.group('stamp')}+{spaced.group('offset')}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidParameter(parameter=name, value=value) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def money(value: float) -> float:
    """Costs without float noise (0.007 × 3 is 0.021, not 0.021000000000000001)."""
    return round(value, 8)


def batch_status(batch: Batch, now: float) -> tuple[str, int]:
    """(status, processedCount) at ``now``."""
    processed = batch.processed_at(now)
    return ("Completed" if processed >= batch.size else "Processing"), processed


def batch_body(batch: Batch, now: float) -> dict[str, Any]:
    """``MessageBatchResponse`` at ``now`` (``rejected`` is filled only when created)."""
    status, processed = batch_status(batch, now)
    body = _batch_fields(batch, processed, status, batch.changed_at(now), [])
    if status == "Completed":
        body["cost"] = money((batch.extra or {}).get("cost", 0.0))
    return body


def created_batch_body(batch: Batch, rejected: list[dict[str, Any]]) -> dict[str, Any]:
    """The POST's 201: the batch as created, ``Processing`` with no ``cost`` even when
    nothing was accepted or nothing takes time (it completes on the next read)."""
    return _batch_fields(batch, 0, "Processing", batch.created_at, rejected)


def _batch_fields(
    batch: Batch, processed: int, status: str, changed: float, rejected: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": batch.id,
        "from": batch.sender,
        "batchSize": batch.size,
        "processedCount": processed,
        "status": status,
        "creationTime": iso(batch.created_at),
        "lastModifiedTime": iso(changed),
        "rejected": rejected,
    }


def message_cost(message: Message) -> float:
    rate = message.extra.get("rate", 0.0) if message.extra else 0.0
    return money(message.segments * rate)


def message_body(
    message: Message, now: float, *, detailed: bool = False, single: bool = False
) -> dict[str, Any]:
    """A list record (``single=False``) or ``MessageDetailsResponse`` (``single=True``)."""
    status = status_name(message, now)
    body: dict[str, Any] = {"id": message.id if single else int(message.id)}
    if message.batch_id is not None:
        body["batchId"] = message.batch_id
    body["from"] = message.sender
    body["to"] = [message.to]
    if detailed or single:
        body["text"] = message.text
    body["creationTime"] = iso(message.created_at)
    body["lastModifiedTime"] = iso(message.changed_at(now))
    body["messageStatus"] = status
    if status != "SendingFailed":
        body["segmentCount"] = message.segments
        body["cost"] = message_cost(message)
    body["direction"] = "Inbound" if message.direction is Direction.INBOUND else "Outbound"
    code = message.error_code_at(now)
    if code is not None:
        body["errorCode"] = code
    return body
