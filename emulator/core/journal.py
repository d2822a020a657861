"""The request journal: every request received and the response given."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

__all__ = ["Journal"]

#: Bodies are kept up to this many bytes (a 50 MB batch is not copied whole).
BODY_LIMIT = 64 * 1024


class Journal:
    """A bounded, thread-safe list of request/response records, oldest first."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._next_id = 0

    def record(self, entry: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._next_id += 1
            entry = {"id": self._next_id, **entry}
            self._entries.append(entry)
            return entry

    def entries(self, *, provider: str | None = None, after_id: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            return [
                e
                for e in self._entries
                if e["id"] > after_id and (provider is None or e.get("provider") == provider)
            ]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._next_id = 0
