"""Keyset paging with opaque, URL-safe page tokens (``NonEnumeratedPagingModel``).

Records come newest first. A token names a position by ``seq`` (the store's
insertion order) plus the query's resolved date window, so following
``nextPageToken`` returns every record exactly once even while new records
arrive: they are newer than the first page and never shift later pages.

Tokens are base64url without padding (``[A-Za-z0-9_-]``): the Python SDK sends
query values unencoded and the JS SDK percent-encodes them; both round-trip.
"""

from __future__ import annotations

import base64
import binascii
import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import msgspec

from .errors import InvalidParameter

__all__ = [
    "Cursor",
    "Page",
    "decode_cursor",
    "encode_cursor",
    "filtered_pager",
    "list_pager",
    "paginate",
]

T = TypeVar("T")
_TOP = 2**62
_MOST = 65536

FIRST, NEXT, PREVIOUS = "f", "n", "p"


@dataclass(frozen=True, slots=True)
class Cursor:
    kind: str  # "m" messages, "b" batches, "o" opt-outs, "k" consents, "h" their history
    where: str  # FIRST, NEXT (older than seq) or PREVIOUS (newer than seq)
    seq: int
    window: tuple[float | None, float | None] = (None, None)


def encode_cursor(cursor: Cursor) -> str:
    raw = msgspec.msgpack.encode([cursor.kind, cursor.where, cursor.seq, *cursor.window])
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(token: str, kind: str) -> Cursor:
    """The cursor in ``token``; CMN-101 ``[pageToken]`` for anything we did not issue."""
    try:
        padded = token.strip() + "=" * (-len(token.strip()) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii"))
        got_kind, where, seq, low, high = msgspec.msgpack.decode(raw)
        if got_kind != kind or where not in (FIRST, NEXT, PREVIOUS) or type(seq) is not int:
            raise ValueError(token)
        if not 0 <= seq <= _TOP:  # never issued; SQLite cannot even bind a number this big
            raise ValueError(token)
        window = tuple(None if v is None else float(v) for v in (low, high))
        if not all(v is None or math.isfinite(v) for v in window):
            raise ValueError(token)  # a window no query resolves to
    except (ValueError, TypeError, binascii.Error, UnicodeEncodeError, msgspec.DecodeError):
        raise InvalidParameter(parameter="pageToken", value=token) from None
    return Cursor(kind, where, seq, window)  # type: ignore[arg-type]


@dataclass(slots=True)
class Page(Generic[T]):
    records: list[T]
    paging: dict[str, Any]


def paginate(
    cursor: Cursor,
    per_page: int,
    older: Callable[[int, int], list[T]],
    newer: Callable[[int, int], list[T]],
    seq_of: Callable[[T], int],
    current_token: str | None,
) -> Page[T]:
    """One page, newest first.

    ``older(before_seq, limit)`` gives up to ``limit`` records with a smaller seq,
    the closest ones, oldest first; ``newer(after_seq, limit)`` the closest ones
    with a larger seq, oldest first.
    """
    if cursor.where == PREVIOUS:
        found = newer(cursor.seq, per_page + 1)
        has_previous, has_next = len(found) > per_page, True
        found = found[:per_page]
    else:
        before = _TOP if cursor.where == FIRST else cursor.seq
        found = older(before, per_page + 1)
        has_next, has_previous = len(found) > per_page, cursor.where == NEXT
        found = found[-per_page:] if found else found
    found.reverse()

    def token(where: str, seq: int) -> str:
        return encode_cursor(Cursor(cursor.kind, where, seq, cursor.window))

    first = token(FIRST, 0)
    paging: dict[str, Any] = {"perPage": per_page, "pageToken": current_token or first}
    if has_next:
        tail = seq_of(found[-1]) if found else min(cursor.seq + 1, _TOP)
        paging["nextPageToken"] = token(NEXT, tail)
    if has_previous:
        head = seq_of(found[0]) if found else max(cursor.seq - 1, 0)  # seqs start at 1
        paging["previousPageToken"] = token(PREVIOUS, head)
    paging["firstPageToken"] = first
    return Page(found, paging)


def filtered_pager(
    older: Callable[[int, int], list[T]],
    newer: Callable[[int, int], list[T]],
    seq_of: Callable[[T], int],
    keep: Callable[[T], bool],
) -> tuple[Callable[[int, int], list[T]], Callable[[int, int], list[T]]]:
    """``older``/``newer`` that return only the records ``keep`` accepts.

    Each reads the store ``limit`` records first, then twice as many per read
    (up to 65,536), until ``limit`` records are kept or the store has no
    more: a page costs what it scans, not the whole listing, and a filter
    that keeps few records still takes few reads.
    """

    def kept_older(before: int, limit: int) -> list[T]:
        found: list[T] = []
        size = limit
        while len(found) < limit:
            chunk = older(before, size)
            found[:0] = [item for item in chunk if keep(item)]
            if len(chunk) < size:
                break
            before = seq_of(chunk[0])
            size = min(2 * size, _MOST)
        return found[-limit:] if limit else []

    def kept_newer(after: int, limit: int) -> list[T]:
        found: list[T] = []
        size = limit
        while len(found) < limit:
            chunk = newer(after, size)
            found += [item for item in chunk if keep(item)]
            if len(chunk) < size:
                break
            after = seq_of(chunk[-1])
            size = min(2 * size, _MOST)
        return found[:limit]

    return kept_older, kept_newer


def list_pager(
    items: Sequence[T], seq_of: Callable[[T], int]
) -> tuple[Callable[[int, int], list[T]], Callable[[int, int], list[T]]]:
    """``older``/``newer`` callables over an in-memory list sorted by seq."""
    seqs = [seq_of(item) for item in items]

    def older(before: int, limit: int) -> list[T]:
        stop = bisect_left(seqs, before)
        return list(items[max(0, stop - limit) : stop])

    def newer(after: int, limit: int) -> list[T]:
        start = bisect_right(seqs, after)
        return list(items[start : start + limit])

    return older, newer
