"""Clocks the emulator runs on, and duration parsing.

All emulator time is a float of seconds since the Unix epoch (UTC).  Both
clocks count whole microseconds, the precision clients are shown: a time read
from a clock prints as the same ISO-8601 text a client can send back in a
filter, and ten advances of 100 ms are exactly one second.  The virtual clock
only moves when told to, which makes tests deterministic.
"""

from __future__ import annotations

import math
import re
import threading
import time
from datetime import UTC, datetime
from typing import Protocol

__all__ = [
    "DEFAULT_VIRTUAL_START",
    "MAX_DURATION",
    "MAX_TIMESTAMP",
    "Clock",
    "RealClock",
    "VirtualClock",
    "make_clock",
    "parse_duration",
    "to_datetime",
    "to_timestamp",
    "whole_seconds",
]

#: Where a virtual clock starts unless told otherwise (fixed, for determinism).
DEFAULT_VIRTUAL_START = datetime(2026, 1, 1, tzinfo=UTC)

#: The latest moment a clock may reach (datetimes end at year 9999).
MAX_TIMESTAMP = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp()
_MIN_TIMESTAMP = datetime(1, 1, 2, tzinfo=UTC).timestamp()
#: The longest duration: the clock's whole range.  A longer one could never elapse,
#: and added to a time (a scenario's steps summed) it could overflow to infinity.
MAX_DURATION = MAX_TIMESTAMP - _MIN_TIMESTAMP
_LAST = datetime.max.replace(tzinfo=UTC)
_FIRST = datetime.min.replace(tzinfo=UTC)

_MICROS = 1_000_000

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*", re.ASCII)
_USAGE = "use e.g. '500ms', '30s', '15m', '1h30m' (or '1h 30m'), '2d'"


def parse_duration(value: str | int | float) -> float:
    """Parse ``"500ms"``, ``"30s"``, ``"1h30m"`` (or ``"1h 30m"``: units from the largest,
    each once), ``"2d"`` or a plain number of seconds.

    Raises ``ValueError`` with a readable message on anything else, including
    negative durations.
    """
    if isinstance(value, bool):
        raise ValueError(f"invalid duration {value!r}: {_USAGE}")
    if isinstance(value, int | float):
        try:
            seconds = float(value)
        except OverflowError:
            raise ValueError(f"invalid duration {value!r}: too long") from None
    elif isinstance(value, str):
        text = value.strip().lower()
        try:
            if not text.isascii() or "_" in text:  # float() reads "1_0" and "١٠" as 10
                raise ValueError(text)
            seconds = float(text)
        except ValueError:
            pos, seconds, last = 0, 0.0, float("inf")
            for match in _PART.finditer(text):
                if match.start() != pos:
                    break
                unit = _UNITS[match.group(2)]
                if unit >= last:  # "1s30m", "30s30s": a slip, not 30m1s or 60s
                    raise ValueError(
                        f"invalid duration {value!r}: write its units from the largest to"
                        " the smallest, each once (e.g. '1h30m')"
                    ) from None
                seconds += float(match.group(1)) * unit
                pos, last = match.end(), unit
            if text.startswith("-"):
                raise ValueError(
                    f"invalid duration {value!r}: must be a finite, non-negative time"
                ) from None
            if pos != len(text) or not text:
                raise ValueError(f"invalid duration {value!r}: {_USAGE}") from None
    else:
        raise ValueError(f"invalid duration {value!r}: {_USAGE}")
    if seconds < 0 or seconds != seconds or seconds == float("inf"):
        raise ValueError(f"invalid duration {value!r}: must be a finite, non-negative time")
    if seconds > MAX_DURATION:
        raise ValueError(
            f"invalid duration {value!r}: too long (at most {MAX_DURATION:.0f}s,"
            " the clock's whole range from the year 1 to 9999)"
        )
    return seconds


def _checked(target: float, *, given: bool = False) -> float:
    """``target`` if a clock can show it (a datetime exists for it), else ``ValueError``.

    ``given``: the moment was given as it is (a start, a ``set``), not reached by
    advancing, so one too far may be epoch milliseconds, and the error says so.
    """
    if not _MIN_TIMESTAMP <= target <= MAX_TIMESTAMP:
        # JavaScript's Date.now() is in milliseconds: say so rather than only "too far"
        hint = (
            f" (epoch milliseconds? in seconds that is {target / 1000:.3f})"
            if given and MAX_TIMESTAMP < target <= MAX_TIMESTAMP * 1000
            else ""
        )
        raise ValueError(f"the clock must stay between the years 1 and 9999{hint}")
    return target


def _micros(seconds: float) -> int:
    return round(seconds * _MICROS)


def whole_seconds(timestamp: float) -> int:
    """Epoch seconds as a provider shows them, whole: the second ``timestamp``
    falls in once rounded to the microsecond (sums of step times are a hair off)."""
    return math.floor(timestamp + 0.5e-6)


def to_datetime(timestamp: float) -> datetime:
    """Emulator time (epoch seconds) as an aware UTC datetime.

    A time past the year 9999 (a real clock set to its end keeps running; a
    due time far ahead of it) shows as the last instant a datetime has, not an
    error: shown in a listing, it would fail the whole answer.
    """
    try:
        return datetime.fromtimestamp(timestamp, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return _LAST if timestamp > 0 else _FIRST


#: Epoch seconds written out: ASCII digits, maybe a sign and a fraction (not "1e9", "nan",
#: "1_000", which float() also reads).
_EPOCH_TEXT = re.compile(r"\s*[+-]?\d+(?:\.\d*)?\s*", re.ASCII)


def to_timestamp(moment: datetime | str | float | int) -> float:
    """Accept a datetime, an ISO-8601 string or epoch seconds (a number, or its text as
    JSON and command lines carry it: ``"1800000000"``; ``"20270101"`` is ISO's basic
    date, as before); return epoch seconds."""
    if isinstance(moment, int | float) and not isinstance(moment, bool):
        try:
            return float(moment)
        except OverflowError:  # an int past any float: out of every clock's range
            return math.inf if moment > 0 else -math.inf
    if isinstance(moment, str):
        text = moment[:-1] + "+00:00" if moment[-1:] in ("Z", "z") else moment  # RFC 3339
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as exc:
            if _EPOCH_TEXT.fullmatch(text):
                return float(text)
            cause = "" if str(exc).startswith("Invalid isoformat") else f" ({exc})"
            raise ValueError(
                f"invalid time {moment!r}{cause}: use an ISO 8601 time"
                " (2026-01-01T09:30:00Z) or epoch seconds"
            ) from None
    if not isinstance(moment, datetime):
        raise ValueError(f"invalid time {moment!r}: use an ISO 8601 time or epoch seconds")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


class Clock(Protocol):
    """What the emulator needs from a clock."""

    kind: str

    def time(self) -> float:
        """Current emulator time in epoch seconds."""
        ...

    def advance(self, seconds: float) -> float:
        """Move forward by ``seconds``; return the new time."""
        ...

    def set(self, moment: datetime | str | float) -> float:
        """Jump to ``moment`` (never backwards); return the new time."""
        ...


class VirtualClock:
    """A clock that stands still until advanced."""

    kind = "virtual"

    def __init__(self, start: datetime | str | float | None = None) -> None:
        """``start``: a datetime, ISO time or epoch seconds; ``"now"`` is the wall clock's
        time (as ``serve --start now`` and the ``sms_clock("now")`` marker read it)."""
        start = start if start is not None else DEFAULT_VIRTUAL_START
        if isinstance(start, str) and start.strip().lower() == "now":
            start = time.time()
        self._set_micros(_micros(_checked(to_timestamp(start), given=True)))
        self._lock = threading.Lock()

    def _set_micros(self, micros: int) -> None:
        self._micros = micros
        self._now = micros / _MICROS

    def time(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the clock cannot go backwards")
        with self._lock:
            _checked(self._now + seconds)
            self._set_micros(self._micros + _micros(seconds))
            return self._now

    def set(self, moment: datetime | str | float) -> float:
        target = _micros(_checked(to_timestamp(moment), given=True))
        with self._lock:
            if target < self._micros:
                raise ValueError("the clock cannot go backwards")
            self._set_micros(target)
            return self._now


class RealClock:
    """Wall-clock time plus an offset that ``advance`` grows (to skip waiting)."""

    kind = "real"

    def __init__(self) -> None:
        self._offset = 0  # microseconds
        self._lock = threading.Lock()

    def _now_micros(self) -> int:
        return time.time_ns() // 1000 + self._offset

    def time(self) -> float:
        return self._now_micros() / _MICROS

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the clock cannot go backwards")
        with self._lock:
            _checked(self.time() + seconds)
            self._offset += _micros(seconds)
        return self.time()

    def reset(self) -> None:
        """Back to the wall clock: forget what ``advance`` and ``set`` skipped ahead."""
        with self._lock:
            self._offset = 0

    def set(self, moment: datetime | str | float) -> float:
        target = _micros(_checked(to_timestamp(moment), given=True))
        with self._lock:
            now = self._now_micros()
            if target < now:
                raise ValueError("the clock cannot go backwards")
            self._offset += target - now
        return self.time()


def make_clock(kind: str = "virtual", start: datetime | str | float | None = None) -> Clock:
    """Build a clock by name: ``"virtual"`` or ``"real"`` (which takes no ``start``)."""
    if kind == "virtual":
        return VirtualClock(start)
    if kind == "real":
        if start is not None:  # dropped, the wall clock would quietly be used instead
            raise ValueError("start needs clock='virtual': a real clock is the wall clock")
        return RealClock()
    raise ValueError(f"unknown clock {kind!r}: use 'real' or 'virtual'")
