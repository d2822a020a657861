"""The request journal: every request received and the response given.

Recording is on every request's path, so an exchange is kept as it arrived
(raw header lists, body bytes, the clock reading) and turned into the
journal's dict shape only when it is read; the dict is then kept, so reads
of the same entry return the same object.
"""

from __future__ import annotations

import base64
import codecs
import threading
from collections import deque
from collections.abc import Iterable
from typing import Any

import msgspec

from .clock import to_datetime

__all__ = [
    "BODY_LIMIT",
    "BYTES_KEPT",
    "CLIENT_LEFT",
    "FAULT",
    "HEADERS_LIMIT",
    "SERVER_REFUSED",
    "Journal",
    "headers_by_name",
]

#: Bodies are kept up to this many bytes (a 50 MB batch is not copied whole).
BODY_LIMIT = 64 * 1024

#: A request scope's key for a weak reference to what carries the request (the live
#: server's request cycle, the in-process exchange), whose ``disconnected`` is true once
#: the client left before its answer (a client timeout); the journal notes it.  Weak: a
#: scope holding its cycle, which holds the scope, would leave every request to the
#: cyclic GC.
CLIENT_LEFT = "sms_emulator.client_left"

#: The attribute of that carrier set when the live server itself refused the request
#: part-way through its body (a chunk size that does not parse, a ``Transfer-Encoding``
#: not ending in ``chunked``) and answered ``400`` without the app: (status, headers,
#: body) of that answer, which the journal shows, where it would see a client that left.
SERVER_REFUSED = "sms_emulator_server_refused"

#: A request scope's key for the scenario fault that fired on the request, as the
#: scenario wrote it with its ``index`` in ``faults``; the journal shows it.
FAULT = "sms_emulator.fault"

RawHeaders = Iterable[tuple[bytes, bytes]]

#: Header names and values are kept up to this many bytes in all (a client may send
#: megabytes of them; 10,000 entries of that would be gigabytes).
HEADERS_LIMIT = 64 * 1024

#: The journal keeps its newest entries' bodies and headers up to this many bytes in all
#: (fewer entries than its capacity when they are large): 10,000 exchanges of 64 KiB
#: bodies each way would otherwise hold over a gigabyte on a long-running server.  (An
#: entry once read also keeps its text form: up to about twice this, read them all.)
BYTES_KEPT = 128 * 1024 * 1024
_CUT_MARK = b" [cut by the journal]"


def _kept(raw: RawHeaders) -> tuple[tuple[tuple[bytes, bytes], ...], int]:
    """The headers as received, up to ``HEADERS_LIMIT`` bytes (the one crossing it cut,
    marked, the rest left out), and their size."""
    headers = tuple(raw)
    size = _size(headers)
    if size <= HEADERS_LIMIT:
        return headers, size
    kept: list[tuple[bytes, bytes]] = []
    room = HEADERS_LIMIT
    for name, value in headers:
        if len(name) + len(value) > room:
            name = name[: max(0, room - len(_CUT_MARK))]  # a name can be megabytes too
            kept.append((name, value[: max(0, room - len(name) - len(_CUT_MARK))] + _CUT_MARK))
            break
        kept.append((name, value))
        room -= len(name) + len(value)
    return tuple(kept), HEADERS_LIMIT


def _size(headers: tuple[tuple[bytes, bytes], ...]) -> int:
    return sum(len(name) + len(value) for name, value in headers)


def _text(body: bytes | bytearray) -> str:
    return bytes(body).decode("utf-8", "replace")


def _base64_unless_utf8(body: bytes | bytearray, cut: bool) -> str | None:
    """The exact bytes kept of a body that is not UTF-8 (a Latin-1 form, binary), else
    None: its ``*_body`` text shows U+FFFD where bytes could not be read.  A body ``cut``
    at ``BODY_LIMIT`` may end inside a character: that alone is still UTF-8."""
    try:
        if cut:
            codecs.getincrementaldecoder("utf-8")().decode(body, final=False)
        else:
            bytes(body).decode("utf-8")
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii")
    return None


def _iso(timestamp: float) -> str:
    return to_datetime(timestamp).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def headers_by_name(raw: RawHeaders) -> dict[str, str]:
    """Headers by name; of a repeated one the first, which is the one requests are read by."""
    headers: dict[str, str] = {}
    for name, value in raw:
        headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
    return headers


class _Exchange(msgspec.Struct, gc=False):
    """One journaled exchange as received; ``entry()`` is its journal dict.

    Never tracked by the cyclic GC (nothing in it can form a cycle): 10,000
    of these stay alive, and every tracked object that outlives a request
    brings the collector's full passes over the whole heap closer.
    """

    id: int
    provider: str | None
    time: float
    endpoint: str | None
    method: str
    path: str
    query: bytes
    request_headers: tuple[tuple[bytes, bytes], ...]
    request_body: bytes | bytearray
    request_size: int
    status: int | None
    response_headers: tuple[tuple[bytes, bytes], ...]
    response_body: bytes | bytearray
    duration: float
    error: str | None
    seqs: tuple[int, int]  # the newest message's seq when it arrived and when answered
    size: int  # bytes of bodies and headers kept, counted against ``BYTES_KEPT``
    fault: dict[str, Any] | None = None
    cached: dict[str, Any] | None = None

    def entry(self) -> dict[str, Any]:
        entry = self.cached
        if entry is None:
            entry = self.cached = {
                "id": self.id,
                "time": _iso(self.time),
                "provider": self.provider,
                "endpoint": self.endpoint,
                "method": self.method,
                "path": self.path,
                "query": self.query.decode("latin-1"),
                "request_headers": headers_by_name(self.request_headers),
                "request_body": _text(self.request_body),
                "request_body_base64": _base64_unless_utf8(
                    self.request_body, cut=self.request_size > BODY_LIMIT
                ),
                "request_size": self.request_size,
                "status": self.status,
                "response_headers": headers_by_name(self.response_headers),
                "response_body": _text(self.response_body),
                # The emulator answers in UTF-8: a full-length response was cut, if anything.
                "response_body_base64": _base64_unless_utf8(
                    self.response_body, cut=len(self.response_body) >= BODY_LIMIT
                ),
                "duration_ms": round(self.duration * 1000, 3),
                "error": self.error,
                "fault": self.fault,
            }
        return entry


class _Recorded:
    """An entry recorded as a ready-made dict (``Journal.record``)."""

    __slots__ = ("_entry", "id", "provider")

    size = 0  # small: counted by the capacity alone

    def __init__(self, entry: dict[str, Any]) -> None:
        self.id = entry["id"]
        self.provider = entry.get("provider")
        self._entry = entry

    def entry(self) -> dict[str, Any]:
        return self._entry


def _answering(entry: _Exchange | _Recorded, seq: int) -> bool:
    if not isinstance(entry, _Exchange):
        return False
    arrived, answered = entry.seqs
    return arrived < seq <= answered


class Journal:
    """A bounded, thread-safe list of request/response records, oldest first: at most
    ``capacity`` of them, and fewer when their bodies and headers pass ``bytes_kept``."""

    def __init__(self, capacity: int = 10_000, bytes_kept: int = BYTES_KEPT) -> None:
        self._entries: deque[_Exchange | _Recorded] = deque()
        self._capacity = capacity
        self._bytes_kept = bytes_kept
        self._bytes = 0
        self._lock = threading.Lock()
        self._next_id = 0
        #: Messages up to this ``seq`` were stored before the oldest exchange kept:
        #: the request that made one may be gone (dropped to make room, or from
        #: before a restart), so no kept entry is to be taken for it.
        self.forgotten_seq = 0

    def record(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Add a ready-made entry (an ``id`` is given to it)."""
        with self._lock:
            self._next_id += 1
            entry = {"id": self._next_id, **entry}
            self._add(_Recorded(entry))
            return entry

    def _add(self, entry: _Exchange | _Recorded) -> None:
        """Append ``entry``, dropping the oldest past the capacity or the bytes kept
        (the newest is kept whatever its size).  Under the lock."""
        self._entries.append(entry)
        self._bytes += entry.size
        while len(self._entries) > self._capacity or (
            self._bytes > self._bytes_kept and len(self._entries) > 1
        ):
            dropped = self._entries.popleft()
            self._bytes -= dropped.size
            if isinstance(dropped, _Exchange):
                self.forgotten_seq = max(self.forgotten_seq, dropped.seqs[1])

    def record_exchange(
        self,
        *,
        time: float,
        provider: str | None,
        endpoint: str | None,
        method: str,
        path: str,
        query: bytes,
        request_headers: RawHeaders,
        request_body: bytes | bytearray,
        request_size: int,
        status: int | None,
        response_headers: RawHeaders,
        response_body: bytes | bytearray,
        duration: float,
        error: str | None,
        seqs: tuple[int, int] = (0, 0),
        fault: dict[str, Any] | None = None,
    ) -> None:
        """Add an exchange as received; bodies are already cut to ``BODY_LIMIT``.

        ``time`` is emulator epoch seconds, ``duration`` seconds; both are
        formatted when the entry is first read.
        """
        # Header lists become tuples, which the collector stops tracking.
        request, request_headers_size = _kept(request_headers)
        response = tuple(response_headers)  # the emulator's own: never large
        size = len(request_body) + len(response_body) + request_headers_size + _size(response)
        with self._lock:
            self._next_id += 1
            self._add(
                _Exchange(
                    self._next_id,
                    provider,
                    time,
                    endpoint,
                    method,
                    path,
                    query,
                    request,
                    request_body,
                    request_size,
                    status,
                    response,
                    response_body,
                    duration,
                    error,
                    seqs,
                    size,
                    fault,
                )
            )

    def entries(
        self, *, provider: str | None = None, after_id: int = 0, stored_seq: int = 0
    ) -> list[dict[str, Any]]:
        """Entries after ``after_id``, oldest first; with ``stored_seq``, only those
        being answered when the message of that ``seq`` was stored (its maker among
        them: it arrived before and was answered after)."""
        with self._lock:
            kept = [
                e
                for e in self._entries
                if e.id > after_id
                and (provider is None or e.provider == provider)
                and (not stored_seq or _answering(e, stored_seq))
            ]
        return [e.entry() for e in kept]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._next_id = 0
            self.forgotten_seq = 0

    @property
    def last_id(self) -> int:
        """The id given to the latest entry (0 before the first)."""
        return self._next_id

    def continue_after(self, last_id: int) -> None:
        """Number the next entry ``last_id + 1`` (a restarted server's ids go on)."""
        with self._lock:
            self._next_id = max(self._next_id, last_id)
