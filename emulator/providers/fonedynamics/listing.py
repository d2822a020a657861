"""E4, ``GET /v2/Properties/{PropertySid}/Messages``: the property's messages, oldest first.

Query parameters (names matched case-insensitively), as Fone Dynamics' "Find SMS
messages" page gives them: ``Date_From`` (inclusive) and ``Date_To`` (exclusive),
unix seconds on ``Created``; ``Status`` and ``Direction`` (one of the resource's
words each); ``Results_Count`` (default 200, here at most 1000) and
``Results_Skip`` (offset).  ``Page_Token`` (the ``NextPageToken`` of the previous
page; ``PageToken``/``NextPageToken`` also work) is the emulator's.  The response,
an object with a ``Messages`` array (as the one client that reads it expects), is
``{"Messages": [...], "TotalCount": n, "NextPageToken": "..."}``;
``NextPageToken`` is omitted on the last page.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.datastructures import QueryParams

from ...core.models import Direction, Message
from ...core.store import MessageQuery, iter_messages
from ...core.store_index import StoreIndex
from .errors import FoneDynamicsError
from .sending import NAME
from .wire import message_resource, resource_status

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = ["DEFAULT_COUNT", "MAX_COUNT", "ListQuery", "list_messages", "parse_query"]

DEFAULT_COUNT = 200
MAX_COUNT = 1000
_TOKEN_NAMES = ("page_token", "pagetoken", "nextpagetoken")
#: A larger seq or time means the same as this (none gets there), and SQLite binds it.
_LARGEST = 2**62
#: Per (account, property, window): (last seq counted, listable messages up to it).
_COUNTS: StoreIndex[OrderedDict[tuple[Any, ...], tuple[int, int]]] = StoreIndex(
    "fonedynamics.listing", lambda store: OrderedDict()
)
#: Windows whose count is kept (the most recently listed).
_KEPT_COUNTS = 256


@dataclass(frozen=True, slots=True)
class ListQuery:
    date_from: int | None = None
    date_to: int | None = None
    count: int = DEFAULT_COUNT
    skip: int = 0
    after_seq: int = 0
    status: str | None = None
    direction: Direction | None = None


# .NET's long.Parse: ASCII digits, a sign, white space around; not Python's "1_0" or "１０".
_DOTNET_INTEGER = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-9]+[ \t\n\v\f\r]*")


def _invalid(name: str, message: str, code: str = "INVALID_PARAMETER") -> FoneDynamicsError:
    return FoneDynamicsError(message, fields=(name,), code=code)


def _integer(params: dict[str, str], name: str, minimum: int) -> int | None:
    value = params.get(name.lower())
    if value is None or value.strip() == "":
        return None
    try:
        if not _DOTNET_INTEGER.fullmatch(value):
            raise ValueError(value)
        number = int(value)
    except ValueError:  # also thousands of digits, past int()'s limit
        raise _invalid(name, f"{name} parameter must be an integer") from None
    if number < minimum:
        raise _invalid(name, f"{name} parameter must be at least {minimum}")
    return min(number, _LARGEST)


#: The words ``Status`` and ``Direction`` take, and what each stands for.
_STATUSES = {w: w for w in ("Processing", "Submitted", "Delivered", "Failed", "Received")}
_DIRECTIONS = {"Transmit": Direction.OUTBOUND, "Receive": Direction.INBOUND}


def _word(params: dict[str, str], name: str, words: dict[str, Any]) -> Any:
    """What ``name``'s word (any letter case) stands for; None: absent or empty."""
    value = params.get(name.lower())
    if value is None or value.strip() == "":
        return None
    wanted = value.strip().lower()
    for word, meaning in words.items():
        if word.lower() == wanted:
            return meaning
    options = ", ".join(words)
    raise _invalid(name, f"{name} parameter must be one of: {options}")


def encode_token(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode().rstrip("=")


def _decode_token(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        kind, _, value = text.partition(":")
        if kind != "seq" or not value.isascii():
            raise ValueError(text)
        return min(max(int(value), 0), _LARGEST)  # beyond either end: all, or nothing
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _invalid("Page_Token", "Page_Token parameter is not a valid page token") from None


def parse_query(query: QueryParams | Mapping[str, str]) -> ListQuery:
    """The listing's parameters from ``query`` (names in any case; the query string
    and any request body merged by the caller, see ``routes``)."""
    params = {key.lower(): value for key, value in query.items()}
    date_from = _integer(params, "Date_From", 0)
    date_to = _integer(params, "Date_To", 0)
    if date_from is not None and date_to is not None and date_from > date_to:
        raise _invalid("Date_To", "Date_From must not be after Date_To", "CONFLICTING_PARAMETERS")
    count = _integer(params, "Results_Count", 1)
    status = _word(params, "Status", _STATUSES)
    direction = _word(params, "Direction", _DIRECTIONS)
    skip = _integer(params, "Results_Skip", 0)
    token = next((params[n] for n in _TOKEN_NAMES if params.get(n)), None)
    return ListQuery(
        date_from=date_from,
        date_to=date_to,
        count=min(count or DEFAULT_COUNT, MAX_COUNT),
        skip=skip or 0,
        after_seq=_decode_token(token) if token else 0,
        status=status,
        direction=direction,
    )


def _listable(
    property_sid: str, status: str | None = None, now: float = 0.0
) -> Callable[[Message], bool]:
    """Whether a stored message of the account is listed on ``property_sid`` (with
    ``status`` at ``now``, when a ``Status`` filter asks for one)."""

    def listable(message: Message) -> bool:
        extra = message.extra or {}
        return (
            extra.get("PropertySid") == property_sid
            and not extra.get("Rejected")
            and (status is None or resource_status(message, now) == status)
        )

    return listable


def _total(
    emu: Emulator,
    account: str,
    property_sid: str,
    query: MessageQuery,
    listing: ListQuery,
    now: float,
) -> int:
    """``TotalCount``: every listable message in the window.

    Counted once per (property, window, direction), then brought up to date from
    the last seq counted (stored messages never change), so paging through a
    million messages costs O(page) per page, with or without a date window.  A
    ``Status`` filter is counted afresh each time: statuses move with the clock.
    """
    if listing.status is not None:
        listable = _listable(property_sid, listing.status, now)
        return sum(1 for message in iter_messages(emu.store, query) if listable(message))
    counts = _COUNTS.get(emu.store)
    key = (account, property_sid, query.created_from, query.created_to, query.direction)
    seq, count = counts.pop(key, (0, 0))
    listable = _listable(property_sid)
    for message in iter_messages(emu.store, query, after_seq=seq):
        seq = message.seq
        if listable(message):
            count += 1
    counts[key] = (seq, count)  # the most recently used last
    if len(counts) > _KEPT_COUNTS:
        counts.popitem(last=False)
    return count


def _page(
    emu: Emulator, property_sid: str, query: MessageQuery, listing: ListQuery, now: float
) -> tuple[list[Message], bool]:
    """The page after ``listing.after_seq`` and ``listing.skip``, and whether more follow."""
    listable = _listable(property_sid, listing.status, now)
    skip = listing.skip
    page: list[Message] = []
    for message in iter_messages(
        emu.store, query, after_seq=listing.after_seq, first=skip + listing.count + 1
    ):
        if not listable(message):
            continue
        if skip:
            skip -= 1
        elif len(page) == listing.count:
            return page, True
        else:
            page.append(message)
    return page, False


def list_messages(
    emu: Emulator, account: str, property_sid: str, query: ListQuery
) -> dict[str, Any]:
    """The listing body for ``account``'s messages on ``property_sid``."""
    store_query = MessageQuery(
        provider=NAME,
        tenant=account,
        direction=query.direction,
        created_from=query.date_from,
        created_to=query.date_to,  # exclusive, as the docs have it
    )
    # One snapshot: no message stored, and no clear(), between the page and the
    # count (nor between reading the kept count and writing it back).
    with emu.store.atomic():
        # And one time: the Status filtered on, counted and shown is the same (a
        # real clock moves while the page is built).
        now = emu.time()
        page, more = _page(emu, property_sid, store_query, query, now)
        total = _total(emu, account, property_sid, store_query, query, now)
    body: dict[str, Any] = {
        "Messages": [message_resource(m, now) for m in page],
        "TotalCount": total,
    }
    if more and page:
        body["NextPageToken"] = encode_token(page[-1].seq)
    return body
