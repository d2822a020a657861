"""The date strings PHP's ``strtotime`` reads, for ``timeToSend``.

Advanta documents ``timeToSend`` as "a valid date string that resolves to a Unix
timestamp": the gateway passes it to ``strtotime``.  Besides ISO dates (read by
``datetime.fromisoformat`` before this module is asked), PHP reads:

- ``2030/12/01``, ``2030-12-1`` (year first, ``/`` or ``-``, the same one twice,
  unpadded parts), ``20301201`` before a time;
- ``12/01/2030``, ``12/01/30`` (slashes, year last: month first, as in the US);
- ``01-12-2030``, ``01.12.2030`` (dashes or dots, year last: day first);
- ``1 December 2030``, ``01-Dec-30``, ``December 1, 2030``, ``Dec 1st 2030``,
  ``Dec-01-2030`` (a dash before the year only so: a three-letter month, a
  two-digit day), ``December 2030`` (its first day);

each optionally led by a day name (``Thu, 01 Jan 2026``: RFC 2822, the usual HTTP
date), and followed (after a space, a comma or ``T``) by a time: ``10:00``,
``9:05:30``, ``10.30`` (10:30, not a fraction), ``10:00 AM``, ``10am``, ``noon``,
``midnight``, and a zone (not run into ``noon``: ``noonZ`` is one zone PHP does not
know): ``Z``, ``UTC``, ``GMT``, ``+03:00``, ``+0300``, ``+3``,
``GMT+3``, a common abbreviation (``EAT``, ``CET``, ``EST``...) or a tz database name
(``Africa/Nairobi``); a second zone is ignored, as PHP does (``UTC+3`` is UTC; only a
capital ``GMT`` joins an offset).  As in PHP, a day past the month's end (up to 31),
hour 24 or second 60 rolls over (``02/30/2030`` is 2 March), two-digit years are
1970-2069, and a comma may follow a day (``December 1, 2030``) but not a month
(``December, 2030`` is refused: PHP reads its year as a time of day in the current
year).  A day name that is not the date's moves it forward to that day, as in PHP
(``Mon, 01 Jan 2026`` is 5 January).
Relative phrases (``tomorrow``, ``+1 day``, ``next monday``) are not read: they move
the date against the wall clock.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

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
#: timelib's monthabbr: the three-letter names and ``sept`` (longest first, for the regex).
_ABBREVIATIONS = "sept|" + "|".join(name for name in _MONTHS if len(name) == 3)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"

#: A year after a textual month: four digits, or two after a separator (``01-Dec-30``).
_YEAR = r"(?:[ \-.]*(?P<year>\d{4})|[ \-.]+(?P<year2>\d{2}))"

_DATES = [
    re.compile(p, re.IGNORECASE | re.ASCII)
    for p in (
        # one separator twice: PHP refuses 2030-12/01
        r"(?P<year>\d{4})(?P<separator>[-/])(?P<month>\d{1,2})(?P=separator)(?P<day>\d{1,2})",
        r"(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?:(?P<year>\d{4})|(?P<year2>\d{2}))",
        r"(?P<day>\d{1,2})[-.](?P<month>\d{1,2})[-.](?P<year>\d{4})",
        _DAY + r"[ \-.]*" + _MONTH + _YEAR,
        # December 1, 2030: between the day and the year only commas, dots, spaces and
        # tabs (timelib's datetextual), so not December 1-2030, which PHP refuses; none
        # needed after st/nd/rd/th (Dec 1st2030), but December 2030 is no 20th of 2030
        _MONTH
        + r"[ \t\-]*(?P<day>\d{1,2})(?:(?:st|nd|rd|th)[,. \t]*|[,. \t]+)"
        + r"(?:(?P<year>\d{4})|(?P<year2>\d{2}))",
        # Dec-01-2030: dashes, an abbreviated month and a two-digit day (pgtextshort)
        r"(?P<month_name>"
        + _ABBREVIATIONS
        + r")-(?P<day>\d{2})-"
        + r"(?:(?P<year>\d{4})|(?P<year2>\d{2}))",
        _MONTH + r"[ \-.]*(?P<year>\d{4})",  # December 2030: its first day
        r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})(?=[ Tt])",  # 20301201 10:00
    )
]
_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: A leading day name: PHP knows the full names and these abbreviations only (not
#: ``Tues`` or ``Thurs``), in any case, and reads ``.`` and ``,`` after it as spaces
#: (``MonJan``, run together, is not read).
_DAY_NAME = re.compile(
    r"(?P<day_name>(?:mon|tues|wednes|thurs|fri|satur|sun)day|"
    + "|".join(_DAY_NAMES)
    + r")(?![a-z])[ ,.]*",
    re.IGNORECASE | re.ASCII,
)
#: A zone: an offset (``GMT`` joins one only in capitals, as in timelib), or a word.
_ZONE = (
    r"(?-i:GMT)[+-]\d{1,2}(?::?\d{2})?|[+-]\d{1,2}(?::?\d{2})?"
    # a tz database name as timelib's rule reads it: Africa/Nairobi or Africa/NAIROBI,
    # not US/Eastern or africa/nairobi (then looked up in any case)
    r"|(?-i:[A-Z][a-z]+(?:[_/-][A-Za-z]+)+)"
    r"|[a-z]{1,6}"
)
_TIME = re.compile(
    # A T only right before the hour: apart, PHP reads it as military zone T (UTC-7).
    # PHP reads commas between the parts (and after the last) as spaces.
    # A letter right after noon makes a zone of up to six letters with it (noonZ), which
    # PHP does not know; midnight is longer than any such zone, so a zone may follow it.
    r"(?:(?:(?P<t>T)(?=\d)|[ ,]+)(?:(?P<word>noon(?![a-z])|midnight)|(?P<hour>\d{1,2})"
    # PHP takes a dot between the parts as a colon (10.30 is 10:30) and one-digit
    # minutes and seconds (10:5 is 10:05); a fraction after the seconds is dropped.
    r"(?:[:.](?P<minute>\d{1,2})(?:[:.](?P<second>\d{1,2})(?P<fraction>\.\d+)?)?)?"
    # am/pm ends at a space or the end: PHP does not read "10pm, UTC" or "10pmGMT"
    r" *(?P<meridiem>[ap]\.?m\.?(?= |$))?))?"
    rf"[ ,]*(?P<zone>{_ZONE})?"
    # A second zone is a warning to PHP, not an error: read past unlooked-at, ignored.
    rf"(?:[ ,]*(?P<second_zone>{_ZONE}))?,*",
    re.IGNORECASE | re.ASCII,
)
#: Zone abbreviations PHP knows, as hours east of UTC (those a Kenyan gateway's
#: clients are likely to write; an unknown one is not read).
_ZONES = {
    **dict.fromkeys(("z", "utc", "gmt"), 0),  # not "UT": PHP refuses it
    "eat": 3,
    "cat": 2,
    "sast": 2,
    "wat": 1,
    "cet": 1,
    "cest": 2,
    "bst": 1,
    "est": -5,
    "edt": -4,
    "cst": -6,
    "cdt": -5,
    "mst": -7,
    "mdt": -6,
    "pst": -8,
    "pdt": -7,
    "ist": 2,  # to PHP, Israel's (not India's +5:30: a client meaning that is 3.5 h off)
}


#: Words PHP's timelib matches before its zone rule (re2c takes the first rule of
#: equal length): after a zone they move the date, or make the string unreadable.
_NOT_ZONES = frozenset(
    {*_MONTHS, "today", "tomorrow", "yesterday", "now", "noon", "midnight", "next", "last"}
    | {"this", "ago", "back", "front", "of", "first", "third", "week", "weeks", "day", "days"}
    | {"month", "months", "year", "years", "hour", "hours", "minute", "min", "mins"}
    | {"second", "sec", "secs", "msec", "msecs", "usec", "usecs"}
    | {"mon", "tue", "tues", "wed", "wednes", "thu", "thur", "thurs", "fri", "sat", "sun"}
    | {"monday", "friday", "sunday", "fourth", "fifth", "sixth", "eighth", "ninth", "tenth"}
)


def parse_php_date(text: str, default_zone: tzinfo) -> datetime | None:
    """The moment ``text`` names, or None if PHP's formats above do not read it."""
    day_name = _DAY_NAME.match(text)
    start = day_name.end() if day_name else 0
    for pattern in _DATES:
        date = pattern.match(text, start)
        if date is None:
            continue
        time = _TIME.fullmatch(text, date.end())
        if time is None:
            continue
        moment = _moment(date.groupdict(), time.groupdict(), default_zone)
        if moment is None or day_name is None:
            return moment
        weekday = _DAY_NAMES.index(day_name["day_name"][:3].lower())
        try:
            return moment + timedelta(days=(weekday - moment.weekday()) % 7)
        except OverflowError:
            return None
    return None


def _moment(
    date: dict[str, str | None], time: dict[str, str | None], default_zone: tzinfo
) -> datetime | None:
    """PHP's arithmetic: a day past the month's end (up to 31) and hour 24 roll over."""
    if date.get("year2") is not None:
        year = int(date["year2"] or 0)
        year += 2000 if year < 70 else 1900
    else:
        year = int(date["year"] or 0)
    month_name = date.get("month_name")
    month = _MONTHS[month_name.lower()] if month_name else int(date["month"] or 0)
    day = int(date.get("day") or 1)
    word = (time["word"] or "").lower()
    hour = 12 if word == "noon" else int(time["hour"] or 0)
    minute, second = int(time["minute"] or 0), int(time["second"] or 0)
    meridiem = (time["meridiem"] or "").lower()
    if meridiem and time["t"]:
        return None  # PHP reads no am/pm in a time after T
    if meridiem:
        if not 1 <= hour <= 12 or not _twelve_hour_digits(time):
            return None
        hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
    elif time["hour"] is not None and time["minute"] is None:
        return None  # a bare number after a date is not a time without am/pm
    elif not _fraction_digits(time):
        return None
    zone = _zone(time["zone"], default_zone)
    if (time["second_zone"] or "").lower() in _NOT_ZONES:
        return None  # PHP reads that word by an earlier rule: a day, a month, "today"...
    if zone is None or not (1 <= month <= 12 and day <= 31 and hour <= 24):
        return None
    if minute > 59 or second > 60:  # second 60 (a leap second) rolls over, as in PHP
        return None
    try:
        first = datetime(year, month, 1, tzinfo=zone)
        return first + timedelta(days=day - 1, hours=hour, minutes=minute, seconds=second)
    except (ValueError, OverflowError):  # year 0, or past year 9999
        return None


def _twelve_hour_digits(time: dict[str, str | None]) -> bool:
    """PHP's 12-hour times: ``7:05 pm`` and ``7:5:30 pm``, not ``7:5 pm``, ``7:05:3 pm``
    or a fraction of a second."""
    if time["second"] is not None:
        return len(time["second"]) == 2 and time["fraction"] is None
    return time["minute"] is None or len(time["minute"]) == 2


def _fraction_digits(time: dict[str, str | None]) -> bool:
    """PHP reads a fraction of a second only after two-digit seconds (``10:30:03.5``)."""
    return time["fraction"] is None or len(time["second"] or "") == 2


def _zone(text: str | None, default_zone: tzinfo) -> tzinfo | None:
    if not text:
        return default_zone
    name = text.lower()
    if name in _ZONES:
        return timezone(timedelta(hours=_ZONES[name]))
    if "/" in text:  # Africa/Nairobi: every other zone form is a word or an offset
        return _named_zone(text)
    offset = text.removeprefix("GMT")  # GMT+3 is one offset; UTC+3 is two zones to PHP
    if offset[:1] not in ("+", "-"):
        return None  # a word PHP would not read as a zone here
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    if ":" in offset:
        hours, minutes = offset[1:].split(":")
    elif len(digits) <= 2:
        hours, minutes = digits, "0"
    else:
        hours, minutes = digits[:-2], digits[-2:]
    if int(hours) > 14 or int(minutes) > 59:
        return None
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


def _named_zone(name: str) -> tzinfo | None:
    """A tz database zone by its name in any case, as PHP looks it up (``Africa/NAIROBI``),
    or None if there is none (a directory such as ``America/Argentina`` included)."""
    known = _zone_names().get(name.lower())
    return None if known is None else ZoneInfo(known)


@cache
def _zone_names() -> dict[str, str]:
    """Every tz database zone name, by its lower-case form (read once: ~0.1 s)."""
    return {zone.lower(): zone for zone in available_timezones()}
