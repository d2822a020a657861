"""The request journal: every request received and the response given.

Recording is on every request's path, so an exchange is kept as it arrived
(raw header lists, body bytes, the clock reading) and turned into the
journal's dict shape only when it is read; the dict is then kept, so reads
of the same entry return the same object.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from .clock import to_datetime

__all__ = ["BODY_LIMIT", "Journal"]

#: Bodies are kept up to this many bytes (a 50 MB batch is not copied whole).
BODY_LIMIT = 64 * 1024

RawHeaders = list[tuple[bytes, bytes]]


def _iso(timestamp: float) -> str:
    return to_datetime(timestamp).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _headers(raw: RawHeaders) -> dict[str, str]:
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in raw}


class _Exchange:
    """One journaled exchange as received; ``entry()`` is its journal dict."""

    __slots__ = (
        "_duration",
        "_endpoint",
        "_entry",
        "_error",
        "_method",
        "_path",
        "_query",
        "_request_body",
        "_request_headers",
        "_request_size",
        "_response_body",
        "_response_headers",
        "_status",
        "_time",
        "id",
        "provider",
    )

    def entry(self) -> dict[str, Any]:
        entry = self._entry
        if entry is None:
            entry = self._entry = {
                "id": self.id,
                "time": _iso(self._time),
                "provider": self.provider,
                "endpoint": self._endpoint,
                "method": self._method,
                "path": self._path,
                "query": self._query.decode("latin-1"),
                "request_headers": _headers(self._request_headers),
                "request_body": bytes(self._request_body).decode("utf-8", "replace"),
                "request_size": self._request_size,
                "status": self._status,
                "response_headers": _headers(self._response_headers),
                "response_body": bytes(self._response_body).decode("utf-8", "replace"),
                "duration_ms": round(self._duration * 1000, 3),
                "error": self._error,
            }
        return entry


class _Recorded:
    """An entry recorded as a ready-made dict (``Journal.record``)."""

    __slots__ = ("_entry", "id", "provider")

    def __init__(self, entry: dict[str, Any]) -> None:
        self.id = entry["id"]
        self.provider = entry.get("provider")
        self._entry = entry

    def entry(self) -> dict[str, Any]:
        return self._entry


class Journal:
    """A bounded, thread-safe list of request/response records, oldest first."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._entries: deque[_Exchange | _Recorded] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._next_id = 0

    def record(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Add a ready-made entry (an ``id`` is given to it)."""
        with self._lock:
            self._next_id += 1
            entry = {"id": self._next_id, **entry}
            self._entries.append(_Recorded(entry))
            return entry

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
    ) -> None:
        """Add an exchange as received; bodies are already cut to ``BODY_LIMIT``.

        ``time`` is emulator epoch seconds, ``duration`` seconds; both are
        formatted when the entry is first read.
        """
        exchange = _Exchange()
        exchange.provider = provider
        exchange._time = time
        exchange._endpoint = endpoint
        exchange._method = method
        exchange._path = path
        exchange._query = query
        exchange._request_headers = request_headers
        exchange._request_body = request_body
        exchange._request_size = request_size
        exchange._status = status
        exchange._response_headers = response_headers
        exchange._response_body = response_body
        exchange._duration = duration
        exchange._error = error
        exchange._entry = None
        with self._lock:
            self._next_id += 1
            exchange.id = self._next_id
            self._entries.append(exchange)

    def entries(self, *, provider: str | None = None, after_id: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            kept = [
                e
                for e in self._entries
                if e.id > after_id and (provider is None or e.provider == provider)
            ]
        return [e.entry() for e in kept]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._next_id = 0
