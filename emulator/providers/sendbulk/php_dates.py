"""The date strings PHP's ``strtotime`` reads, for ``timeToSend``.

Advanta documents ``timeToSend`` as "a valid date string that resolves to a Unix
timestamp": the gateway passes it to ``strtotime``.  Besides ISO dates (read by
``datetime.fromisoformat`` before this module is asked), PHP reads:

- ``2030/12/01``, ``2030-12-1`` (year first, ``/`` or ``-``, unpadded parts);
- ``12/01/2030``, ``12/01/30`` (slashes, year last: month first, as in the US);
- ``01-12-2030``, ``01.12.2030`` (dashes or dots, year last: day first);
- ``1 December 2030``, ``01-Dec-2030``, ``December 1, 2030``, ``Dec 1st 2030``;

each optionally followed (after a space or ``T``) by a time: ``10:00``, ``9:05:30``,
``10:00 AM``, ``10am``, and a zone: ``Z``, ``UTC``, ``GMT``, ``+03:00``, ``+0300``.
Two-digit years are 1970-2069, as in PHP.  Relative phrases (``tomorrow``,
``+1 day``, ``next monday``) are not read: they would depend on the wall clock.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo

__all__ = ["parse_php_date"]

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month_name>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"

_DATES = [
    re.compile(p, re.IGNORECASE | re.ASCII)
    for p in (
        r"(?P<year>\d{4})[-/](?P<month>\d{1,2})[-/](?P<day>\d{1,2})",
        r"(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4}|\d{2})",
        r"(?P<day>\d{1,2})[-.](?P<month>\d{1,2})[-.](?P<year>\d{4})",
        _DAY + r"[ \-]*" + _MONTH + r"[ \-,]*(?P<year>\d{4})",
        _MONTH + r"[ \-]*" + _DAY + r",?[ \-]*(?P<year>\d{4})",
    )
]
_TIME = re.compile(
    r"(?:[ T]+(?P<hour>\d{1,2})"
    r"(?::(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?)?"
    r" *(?P<meridiem>[ap]\.?m\.?)?)?"
    r" *(?P<zone>z|utc|gmt|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE | re.ASCII,
)


def parse_php_date(text: str, default_zone: tzinfo) -> datetime | None:
    """The moment ``text`` names, or None if PHP's formats above do not read it."""
    for pattern in _DATES:
        date = pattern.match(text)
        if date is None:
            continue
        time = _TIME.fullmatch(text, date.end())
        if time is not None:
            return _moment(date.groupdict(), time.groupdict(), default_zone)
    return None


def _moment(
    date: dict[str, str | None], time: dict[str, str | None], default_zone: tzinfo
) -> datetime | None:
    year = int(date["year"] or 0)
    if len(date["year"] or "") == 2:
        year += 2000 if year < 70 else 1900
    month_name = date.get("month_name")
    month = _MONTHS[month_name.lower()] if month_name else int(date["month"] or 0)
    hour, minute, second = (int(time[key] or 0) for key in ("hour", "minute", "second"))
    meridiem = (time["meridiem"] or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
    elif time["hour"] is not None and time["minute"] is None:
        return None  # a bare number after a date is not a time without am/pm
    try:
        return datetime(
            year,
            month,
            int(date["day"] or 0),
            hour,
            minute,
            second,
            tzinfo=_zone(time["zone"], default_zone),
        )
    except ValueError:  # 31 February, hour 25, year 0
        return None


def _zone(text: str | None, default_zone: tzinfo) -> tzinfo:
    if not text:
        return default_zone
    if text.lower() in ("z", "utc", "gmt"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return timezone(sign * offset)
