"""Kenyan mobile numbers: the formats the gateway accepts, and the operator behind each.

Accepted forms (JSON string or number, outer whitespace ignored):
``2547XXXXXXXX``, ``2541XXXXXXXX``, ``+2547…``, ``+2541…``, ``07XXXXXXXX``,
``01XXXXXXXX``; all normalise to ``254XXXXXXXXX``.  A possible international
number of another country is *foreign* (the gateway answers 1002 "Network not
allowed": international sending needs an enabled account).  Anything else is
invalid (1003).

``networkid`` comes from the three digits after ``254`` (the notes say
1 = Safaricom, 2 = Airtel, 3 = Telkom is probable, not documented).  Which
operator owns which range is read from phonenumbers' Kenyan numbering and
carrier data, which follows the regulator's allocations.  A Kenyan number on
no range of the three (smaller operators such as Faiba, Infura or Homeland
Media, unassigned ranges) gets 1002 too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberType, carrier

from ...core.phone import is_possible_e164, normalize_plus
from .php import php_list

__all__ = [
    "AIRTEL",
    "CACHEABLE_LENGTH",
    "NETWORK_PREFIXES",
    "SAFARICOM",
    "TELKOM",
    "Number",
    "classify",
    "network_of",
    "split_mobiles",
]

SAFARICOM, AIRTEL, TELKOM = 1, 2, 3


_OPERATORS = {"Safaricom": SAFARICOM, "Airtel": AIRTEL, "Telkom": TELKOM}


def _operator_prefixes() -> dict[int, frozenset[int]]:
    """networkid → the valid mobile ``7XX``/``1XX`` prefixes its operator owns.

    Kenyan carrier data goes no finer than these three digits, so one sample number
    per prefix speaks for all of its million.
    """
    owned: dict[int, set[int]] = {network: set() for network in _OPERATORS.values()}
    for prefix in (*range(100, 200), *range(700, 800)):
        sample = phonenumbers.parse(f"+254{prefix}123456")
        network = _OPERATORS.get(carrier.name_for_valid_number(sample, "en"))
        if network is not None and phonenumbers.number_type(sample) == PhoneNumberType.MOBILE:
            owned[network].add(prefix)
    return {network: frozenset(prefixes) for network, prefixes in owned.items()}


#: networkid → the ``7XX``/``1XX`` prefixes (digits 4–6 of ``254XXXXXXXXX``) it owns.
NETWORK_PREFIXES: dict[int, frozenset[int]] = _operator_prefixes()
_NETWORK_BY_PREFIX = {p: n for n, prefixes in NETWORK_PREFIXES.items() for p in prefixes}

# ASCII digits only: the gateway's PHP regexes do not read other scripts' digits.
_KENYAN = re.compile(r"(?:\+?254|0)([17]\d{8})", re.ASCII)
_DIGITS = re.compile(r"\+?\d{6,15}", re.ASCII)


@dataclass(frozen=True, slots=True)
class Number:
    """A recipient as the gateway sees it."""

    kind: str  # "kenyan", "foreign" or "invalid"
    #: ``254XXXXXXXXX`` for Kenyan numbers, ``+…`` for foreign, the input text otherwise.
    msisdn: str
    networkid: int | None = None

    @property
    def e164(self) -> str:
        """``+254…`` (the emulator's neutral form), or the text as given."""
        return "+" + self.msisdn if self.kind == "kenyan" else self.msisdn


def network_of(msisdn: str) -> int | None:
    """networkid of a normalised ``254…`` number, or None when no operator owns its prefix."""
    return _NETWORK_BY_PREFIX.get(int(msisdn[3:6]))


def classify(value: object) -> Number:
    """Normalise one recipient as sent (string or JSON number)."""
    if type(value) is str:
        return _classify_text(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON has one number type: 254712345678.0 is 254712345678
    if isinstance(value, bool) or not isinstance(value, int | str):
        return Number("invalid", "" if value is None else str(value))
    return _classify_text(str(value))


#: Longer texts are classified without the cache (every real number form is shorter):
#: an entry keeps its text alive, and a client may send any text as a number.
CACHEABLE_LENGTH = 32


def _classify_text(value: str) -> Number:
    if len(value) > CACHEABLE_LENGTH:
        return _classify_uncached(value)
    return _classify_cached(value)


def _classify_uncached(value: str) -> Number:
    text = value.strip()
    match = _KENYAN.fullmatch(text)
    if match is None:  # " 2547..." from a query string: a "+" decoded as a space
        text = normalize_plus(value).strip()
        match = _KENYAN.fullmatch(text)
    if match is not None:
        msisdn = "254" + match.group(1)
        return Number("kenyan", msisdn, network_of(msisdn))
    if _DIGITS.fullmatch(text):
        e164 = text if text.startswith("+") else "+" + text
        if not e164.startswith("+254") and is_possible_e164(e164):
            return Number("foreign", e164)
    return Number("invalid", text)


# Classifying costs a few microseconds (regexes, prefix lookup) and clients send
# the same numbers again and again; Numbers are immutable, so they can be shared.
_classify_cached = lru_cache(maxsize=16384)(_classify_uncached)


def split_mobiles(value: Any) -> list[Any]:
    """The numbers of a sendsms/sendotp ``mobile`` field, in order: comma-separated text
    (blank parts skipped), a number, or a list (a JSON object too: see ``php_list``)."""
    value = php_list(value)
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if value is None:
        return []
    return [value]
