"""Accepting a batch: validate recipients, decide outcomes, store messages.

Built for ~650,000 recipients (a 50 MB body): one pass over typed structs, the
segment analysis cached per distinct text, scenario rules consulted only when
there are any, one shared plan per fate, ids reserved as one numeric range.
"""

from __future__ import annotations

import gc
from collections.abc import Collection
from functools import cache
from typing import TYPE_CHECKING, Any

from ...core.models import Batch, Direction, Message, Plan
from ...core.phone import _possible_lengths, is_possible_e164
from ...core.segments import NOT_PLAIN_ASCII, SegmentInfo, analyze, plain_info
from .errors import InvalidParameter
from .mapping import DEFAULT_COST_PER_SEGMENT, INVALID_DESCRIPTION, OUTCOME_CODES
from .optouts import opted_out
from .wire import BatchRequest

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = [
    "MAX_TEXT",
    "MESSAGE_ID_BASE",
    "cost_per_segment",
    "create_batch",
    "gc_paused",
    "new_message_ids",
]

PROVIDER = "ringcentral"
MAX_TEXT = 1000
#: Message ids are numeric strings from this base up (spec: int64).
MESSAGE_ID_BASE = 25_000_000_000
_OUTBOUND = Direction.OUTBOUND
_MULTI_TO = "Only one recipient number per message is supported"


def cost_per_segment(emu: Emulator) -> float:
    """The scenario's ``providers.ringcentral.cost_per_segment`` (default 0.007)."""
    value = emu.scenario.provider_options(PROVIDER).get("cost_per_segment")
    return DEFAULT_COST_PER_SEGMENT if value is None else float(value)


def new_message_ids(emu: Emulator, count: int) -> int:
    """Reserve ``count`` message ids; the first one as a number."""
    return MESSAGE_ID_BASE + emu.ids.reserve("ringcentral.message", count) - 1


@cache
def _prefix_rule(prefix: str) -> int | None:
    """For ``+DDD...``: the country-code length if lengths are known, else None."""
    for size in (1, 2, 3):
        if _possible_lengths(int(prefix[1 : 1 + size])) is not None:
            return size
    return None


@cache
def _length_ok(prefix: str, length: int) -> bool:
    """Whether a ``+``-number starting with ``prefix`` (4 chars) may have ``length`` chars."""
    size = _prefix_rule(prefix)
    if size is None:
        return False
    lengths = _possible_lengths(int(prefix[1 : 1 + size]))
    return lengths is not None and length - 1 - size in lengths


def _possible(number: str) -> bool:
    """``core.phone.is_possible_e164`` with the country lookup cached per prefix and length."""
    length = len(number)
    if length < 5 or length > 16 or number[0] != "+" or number[1] == "0":
        return is_possible_e164(number)
    if not (number.isascii() and number[1:].isdigit()):
        return False
    return _length_ok(number[:4], length)


class gc_paused:
    """Pause the cyclic GC while ``large``: ~10^6 new objects would trigger full collections.

    A class rather than a ``@contextmanager`` generator: every batch request
    enters it twice, and for a small batch there is nothing to pause.
    """

    __slots__ = ("large", "resume")

    def __init__(self, large: bool = True) -> None:
        self.large = large
        self.resume = False

    def __enter__(self) -> None:
        if self.large and gc.isenabled():
            gc.disable()
            self.resume = True

    def __exit__(self, *exc: object) -> None:
        if self.resume:
            gc.enable()


#: Up to this many items, a batch is built with the GC running.
_SMALL_BATCH = 1000


def _text_info(text: str | None, where: str | int) -> SegmentInfo:
    """Segment count and encoding of a valid text (``where``: "text" or the item's index).

    No per-batch cache: ``analyze`` keeps recent texts, and a batch of
    personalised texts would only fill a dict it never reads again.
    """
    # a character is at most two UTF-16 units: only long texts need encoding
    if not text or (len(text) > MAX_TEXT // 2 and len(text.encode("utf-16-le")) // 2 > MAX_TEXT):
        where = where if isinstance(where, str) else f"messages[{where}].text"
        raise InvalidParameter(parameter=where)
    return analyze(text)


def create_batch(
    emu: Emulator,
    tenant: str,
    request: BatchRequest,
    senders: Collection[str] | None = None,
) -> tuple[Batch, list[dict[str, Any]]]:
    """Store the batch and its accepted messages; return it and ``rejected[]``.

    ``senders``: the account's own numbers (those with ``A2PSmsSender``), when its
    scenario declares them; ``from`` must then be one of them (None: any number).

    Consumes ``request.messages``: each decoded item is dropped once its
    message exists, so a huge batch never holds both in full at once.
    """
    sender = request.sender.strip()
    if sender.isdigit():
        sender = "+" + sender
    if not is_possible_e164(sender) or (senders is not None and sender not in senders):
        raise InvalidParameter(parameter="from", value=request.sender)
    items = request.messages
    if not items:
        raise InvalidParameter(parameter="messages")
    default_text = request.text
    default_info = _text_info(default_text, "text") if default_text else None

    now = emu.time()
    rate = cost_per_segment(emu)
    extra = {"rate": rate}
    batch_id = emu.ids.uuid("ringcentral.batch")
    processing = emu.timing.processing
    rules = bool(emu.scenario.rules) or bool(emu.timing.jitter)
    blocked = opted_out(emu, tenant, sender)
    delivered = emu.plan("delivered")
    plans: dict[tuple[str, str | None], Plan] = {}
    size = len(items)  # optimistic: fixed up below if anything is rejected
    first_id = new_message_ids(emu, size)
    rejected: list[dict[str, Any]] = []
    messages: list[Message] = []
    append = messages.append
    charged_segments = 0
    accepted = 0
    possible, length_ok = _possible, _length_ok
    text_info, not_plain, plain = _text_info, NOT_PLAIN_ASCII.search, plain_info
    next_id = map(str, range(first_id + 1, first_id + size + 1)).__next__

    items.reverse()  # taken from the end: each item is freed as soon as it is used
    take = items.pop
    with gc_paused(size > _SMALL_BATCH):
        for index in range(1, size + 1):
            item = take()
            to = item.to
            if len(to) != 1:
                rejected.append(
                    {"index": index, "to": to, "errorCode": "CMN-101", "description": _MULTI_TO}
                )
                continue
            number = to[0]
            if number[:1] != "+":
                number = "+" + number.strip() if number.strip().isdigit() else number
            # _possible's common case inlined (this loop runs up to ~650,000 times)
            length = len(number)
            if not (
                4 < length < 17
                and number[1] != "0"
                and number.isascii()
                and number[1:].isdigit()
                and length_ok(number[:4], length)
            ) and not possible(number):
                trimmed = number.strip()  # " +14155550100 ": spaces around, as `from` allows
                if trimmed == number or not possible(trimmed):
                    rejected.append(
                        {
                            "index": index,
                            "to": to,
                            "errorCode": "SMS-RC-410",
                            "description": INVALID_DESCRIPTION,
                        }
                    )
                    continue
                number = trimmed
            text = item.text
            if text is None:
                if default_info is None:
                    raise InvalidParameter(parameter="text")
                text = default_text
                info = default_info
            elif 0 < len(text) <= MAX_TEXT and text.isascii() and not_plain(text) is None:
                info = plain(len(text))  # plain GSM-7: analyze's first case, inlined
            else:
                info = text_info(text, index - 1)
            segments = info.segments
            plan = delivered
            if rules or blocked:
                if number in blocked:
                    outcome, code = "opted_out", None
                else:
                    decision = emu.decide(PROVIDER, "create_batch", number, sender, text)
                    outcome, code = decision.outcome, decision.error_code
                if outcome == "invalid_number":
                    rejected.append(
                        {
                            "index": index,
                            "to": to,
                            "errorCode": code or "SMS-RC-410",
                            "description": INVALID_DESCRIPTION,
                        }
                    )
                    continue
                if getattr(outcome, "plan", None) is not None:  # its own sequence or jitter
                    plan = emu.plan(outcome, code or OUTCOME_CODES[outcome])
                else:
                    key = (outcome, code)
                    plan = plans.get(key)  # type: ignore[assignment]
                    if plan is None:
                        plan = plans[key] = emu.plan(outcome, code or OUTCOME_CODES[outcome])
                if outcome not in ("send_failed", "opted_out"):
                    charged_segments += segments
            else:
                charged_segments += segments
            accepted += 1
            append(
                Message(
                    next_id(),
                    PROVIDER,
                    tenant,
                    sender,
                    number,
                    text,
                    segments,
                    now,
                    now + processing * accepted / size if processing > 0 else now,
                    plan,
                    batch_id,
                    _OUTBOUND,
                    info.encoding,
                    extra,
                )
            )
        batch = Batch(
            batch_id,
            PROVIDER,
            tenant,
            sender,
            now,
            accepted,
            processing,
            rejected or (),
            {"cost": charged_segments * rate, "rate": rate},
        )
        if accepted != size:
            for i, message in enumerate(messages):
                message.dispatch_at = batch.dispatch_time(i)
        emu.add_batch(batch, messages)
    return batch, rejected
