"""Gateway time: Africa/Nairobi (UTC+3, no daylight saving) and ``timeToSend`` parsing.

``timeToSend`` may be a unix time (JSON number or digit string; values above
10^11 are taken as milliseconds) or a date string such as ``"2019-09-01 18:00"``
(also with seconds, a ``T`` separator or an explicit offset), or another
date string PHP's ``strtotime`` reads (``php_dates``).  A date without
an offset is Nairobi time.  A time in the past sends now; one in year 9999 or
later is refused (its report could not be dated).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from .php import php_number
from .php_dates import parse_php_date

__all__ = [
    "LATEST_SEND_TIME",
    "NAIROBI",
    "BadSendTime",
    "format_tat",
    "format_time",
    "parse_send_time",
]

NAIROBI = timezone(timedelta(hours=3), "EAT")
#: ``timeToSend`` from here on is refused: its report times would not fit a date (year 9999).
LATEST_SEND_TIME = datetime(9999, 1, 1, tzinfo=NAIROBI).timestamp()


#: What follows an ISO date: Python 3.11 takes any character there, PHP a T or a space.
_ISO_SEPARATOR = re.compile(r"\d{4}-?\d{2}-?\d{2}(.)", re.ASCII)
#: PHP's "@" "-"? [0-9]+ ("." [0-9]{0,6} since PHP 8): a unix time; a negative one is refused.
_AT_TIMESTAMP = re.compile(r"@-?\d+(?:\.\d{0,6})?", re.ASCII)
#: A time Python's ISO reader and PHP read alike when it has a dot or a comma: only a
#: fraction after the seconds (Python reads ``10.30`` as 10:00:00.3, PHP as 10:30).
_ISO_FRACTION = re.compile(r"\d{2}:?\d{2}:?\d{2}\.\d", re.ASCII)
#: An hour alone (``2030-12-01 10``): a time to Python's ISO reader, not to PHP.
_HOUR_ALONE = re.compile(r"\d{2}(?![\d:])", re.ASCII)


class BadSendTime(ValueError):
    """A ``timeToSend`` that is neither a unix time nor a date."""


def parse_send_time(value: Any) -> float | None:
    """Epoch seconds of ``timeToSend``, or None when absent or empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadSendTime(value)
    if isinstance(value, int | float):
        try:
            seconds = float(value)
        except OverflowError:  # an integer past the float range (hundreds of digits)
            raise BadSendTime(value) from None
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        number = php_number(text)
        if number is None and _AT_TIMESTAMP.fullmatch(text):
            # strtotime's own unix-time form, "@1767279600": seconds, however large
            if text[1] == "-":
                raise BadSendTime(value)
            return _within_calendar(float(text[1:]), value)
        if number is not None:
            seconds = number
        else:
            try:
                separator = _ISO_SEPARATOR.match(text)
                if separator and separator.group(1) not in "Tt ":
                    raise ValueError(text)  # any other separator is PHP's to read (a zone)
                if separator and _read_otherwise(text[separator.end() :]):
                    raise ValueError(text)  # PHP's to read
                moment = datetime.fromisoformat(text)
            except ValueError:
                read = parse_php_date(text, NAIROBI)
                if read is None:
                    raise BadSendTime(value) from None
                moment = read
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=NAIROBI)
            return _within_calendar(moment.timestamp(), value)
    else:
        raise BadSendTime(value)
    if seconds != seconds or seconds < 0 or seconds == float("inf"):
        raise BadSendTime(value)
    return _within_calendar(seconds / 1000 if seconds > 1e11 else seconds, value)


def _read_otherwise(time: str) -> bool:
    """Whether Python's ISO reader would read ``time`` otherwise than PHP does."""
    if _HOUR_ALONE.match(time):
        return True
    return ("." in time or "," in time) and not _ISO_FRACTION.match(time)


def _within_calendar(seconds: float, value: Any) -> float:
    """Refuse a time whose reports could not be dated (``delivery-time`` past year 9999)."""
    if seconds >= LATEST_SEND_TIME:
        raise BadSendTime(value)
    return seconds


def format_time(timestamp: float) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in Nairobi time (``delivery-time``, callback ``timestamp``).

    A time past the calendar's end in Nairobi (the last hours of year 9999 UTC
    already are) shows as its last second, as the emulator's clock does.
    """
    try:
        moment = datetime.fromtimestamp(timestamp, UTC).astimezone(NAIROBI)
    except (ValueError, OverflowError, OSError):
        return "9999-12-31 23:59:59"
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def format_tat(seconds: float, style: str) -> str:
    """Turnaround time: ``"00:02:30"`` (documented) or ``"0.24 sec"`` (TextSMS live)."""
    if style == "seconds":
        return f"{seconds:.2f} sec"
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
