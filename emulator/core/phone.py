"""E.164 checks: a fast path for bulk batches, per-country possible lengths.

A plain ``^\\+[1-9]\\d{1,14}$`` regex accepts numbers no country can have
(``+4088070206``: Romania, one digit short). ``phonenumbers.is_possible_number``
gets it right but costs ~50 µs a number; here the same length rules are read
once from its metadata and checked with a dictionary lookup.
"""

from __future__ import annotations

import re
from functools import cache

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

__all__ = [
    "E164_PATTERN",
    "comparable_digits",
    "is_e164",
    "is_possible_e164",
    "normalize_plus",
    "same_number",
    "with_plus",
]

E164_PATTERN = re.compile(r"\+[1-9][0-9]{1,14}")  # [0-9]: \d would match any Unicode digit


@cache
def _possible_lengths(country_code: int) -> frozenset[int] | None:
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not regions:
        return None
    # A non-geographic code's region is "001" (phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY).
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, regions[0])
    if metadata is None or metadata.general_desc is None:
        return None
    lengths = set(metadata.general_desc.possible_length or ())
    lengths.update(metadata.general_desc.possible_length_local_only or ())
    return frozenset(lengths) or None


def is_e164(number: str) -> bool:
    """Shape only: ``+`` then 2–15 digits, no leading zero."""
    return E164_PATTERN.fullmatch(number) is not None


@cache
def _possible_totals(head: str) -> frozenset[int] | None:
    """Possible lengths, ``+`` included, of an E.164 number whose digits start with ``head``.

    ``head`` is the first three digits (fewer in a shorter number): enough to
    find the 1-3 digit country code, the shortest one with metadata winning.
    At most 999 + 99 + 9 entries.
    """
    for size in (1, 2, 3):
        lengths = _possible_lengths(int(head[:size]))
        if lengths is not None:
            return frozenset(1 + size + length for length in lengths)
    return None


def is_possible_e164(number: str) -> bool:
    """An E.164 string whose national part has a possible length for its country."""
    if not isinstance(number, str) or E164_PATTERN.fullmatch(number) is None:
        return False
    totals = _possible_totals(number[1:4])
    return totals is not None and len(number) in totals


def normalize_plus(value: str) -> str:
    """Undo a raw ``+`` decoded as a space in a query string (``" 1415..."`` → ``"+1415..."``)."""
    if value.startswith(" ") and value[1:2].isdigit():
        return "+" + value[1:]
    return value


def with_plus(value: str) -> str:
    """A number as a query, a body or a test may write it: spaces around it, a raw ``+``
    decoded as a space, or no ``+`` at all (``"14155550100"`` → ``"+14155550100"``)."""
    value = normalize_plus(value).strip()
    return "+" + value if value.isdigit() else value


_NON_DIGITS = re.compile(r"[^0-9]")


def comparable_digits(number: str) -> str:
    """A number's digits for comparing how a test wrote it with how it was stored.

    ``+``, spaces and punctuation are dropped; a ten-digit national form
    starting with ``0`` (``0712345678``, as Kenyan clients write numbers) is
    read as ``254…``.  Empty for a sender name with no digits.
    """
    digits = _NON_DIGITS.sub("", number)
    if len(digits) == 10 and digits.startswith("0"):
        return "254" + digits[1:]
    return digits


def same_number(a: str | None, b: str | None) -> bool:
    """True when two phone numbers have the same digits (``+`` and formatting ignored)."""
    if a is None or b is None:
        return False
    return a == b or (comparable_digits(a) != "" and comparable_digits(a) == comparable_digits(b))
