"""E.164 checks: a fast path for bulk batches, per-country possible lengths.

A plain ``^\\+[1-9]\\d{1,14}$`` regex accepts numbers no country can have
(``+4088070206``: Romania, one digit short). ``phonenumbers.is_possible_number``
gets it right but costs ~50 µs a number; here the same length rules are read
once from its metadata and checked with a dictionary lookup.
"""

from __future__ import annotations

import re
from functools import cache

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

__all__ = ["E164_PATTERN", "is_e164", "is_possible_e164", "normalize_plus"]

E164_PATTERN = re.compile(r"\+[1-9][0-9]{1,14}")  # [0-9]: \d would match any Unicode digit


@cache
def _possible_lengths(country_code: int) -> frozenset[int] | None:
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not regions:
        return None
    region = regions[0]
    if region == phonenumbers.UNKNOWN_REGION:
        region = "001"
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    if metadata is None or metadata.general_desc is None:
        return None
    lengths = set(metadata.general_desc.possible_length or ())
    lengths.update(metadata.general_desc.possible_length_local_only or ())
    return frozenset(lengths) or None


def is_e164(number: str) -> bool:
    """Shape only: ``+`` then 2–15 digits, no leading zero."""
    return E164_PATTERN.fullmatch(number) is not None


def is_possible_e164(number: str) -> bool:
    """An E.164 string whose national part has a possible length for its country."""
    if not isinstance(number, str) or E164_PATTERN.fullmatch(number) is None:
        return False
    for size in (1, 2, 3):
        code = int(number[1 : 1 + size])
        lengths = _possible_lengths(code)
        if lengths is not None:
            return len(number) - 1 - size in lengths
    return False


def normalize_plus(value: str) -> str:
    """Undo a raw ``+`` decoded as a space in a query string (``" 1415..."`` → ``"+1415..."``)."""
    if value.startswith(" ") and value[1:2].isdigit():
        return "+" + value[1:]
    return value
