"""Decoded JSON values as text, the way the PHP gateway turns them into strings.

The gateway decodes a request with ``json_decode`` and casts what it echoes
as a string with PHP's rules: ``null`` → ``""``, ``true`` → ``"1"``,
``false`` → ``""``, integers as digits, arrays and objects → ``"Array"``, and
floats with PHP's ``precision`` of 14 significant digits (``1.0`` → ``"1"``,
``0.1 + 0.2`` → ``"0.3"``, ``1e20`` → ``"1.0E+20"``, ``1e-5`` → ``"1.0E-5"``).

Not emulated: PHP decodes an integer past 64 bits as a float (it would read
``1.2345678901235E+19``); here every integer keeps its digits, as everywhere
else in this provider.
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["php_float", "php_list", "php_number", "php_string"]

# PHP 8's numeric string: ASCII digits only, no ``_`` separators, no ``inf``/``nan``
# words (all of which Python's float() takes), whitespace allowed at either end.
_NUMERIC = re.compile(
    r"[ \t\n\r\v\f]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t\n\r\v\f]*"
)

#: PHP's ``precision`` ini default: significant digits of a float cast to string.
_PRECISION = 14


def php_string(value: Any) -> str:
    """``(string) $value`` for a value PHP's ``json_decode`` gave."""
    if isinstance(value, str):
        return value
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return php_float(value)
    if isinstance(value, dict | list | tuple):
        return "Array"
    return str(value)


def php_list(value: Any) -> Any:
    """A JSON object as the list of its values, in order; anything else unchanged.

    ``json_decode($body, true)`` makes a JSON object and a JSON array the same
    PHP array, and ``foreach`` walks both in order: ``{"0": {...}, "2": {...}}``
    (what ``json_encode`` writes for a list after ``array_filter``, ``unset`` or
    ``array_unique`` left a gap in its keys) is a two-item ``smslist``, or two
    numbers in ``mobile``, to the gateway.
    """
    return list(value.values()) if isinstance(value, dict) else value


def php_number(text: str) -> float | None:
    """The value of ``text`` if PHP's ``is_numeric`` takes it, else None (1e400 is inf)."""
    return float(text) if _NUMERIC.fullmatch(text) else None


def php_float(value: float) -> str:
    """A float as PHP prints it: ``%.14G`` with a ``.0`` kept on a one-digit mantissa.

    One quirk of PHP's ``zend_dtoa`` is kept: a whole number of 15 digits ending in
    5 whose 14th digit is even (a tie rounded down) keeps the zeros its 14 digits
    end in, ``100000000000005.0`` → ``"1.0000000000000E+14"`` (every other value
    loses them: ``100000000000004.0`` → ``"1.0E+14"``).
    """
    if math.isnan(value):
        return "NAN"
    if math.isinf(value):
        return "-INF" if value < 0 else "INF"
    shown = f"{value:.{_PRECISION}g}"
    if "e" not in shown:
        return shown
    mantissa, exponent = shown.split("e")
    if _tie_rounded_down(value):
        mantissa = f"{value:.{_PRECISION - 1}e}".split("e")[0]
    if "." not in mantissa:
        mantissa += ".0"
    power = int(exponent)
    return f"{mantissa}E{'-' if power < 0 else '+'}{abs(power)}"


def _tie_rounded_down(value: float) -> bool:
    """Whether ``value`` is a whole number of 15 digits that ends in 5 after an even digit.

    ``zend_dtoa`` prints such a number on its path for small whole numbers, which
    rounds the tie to even without dropping the zeros its digits then end in.
    """
    if not value.is_integer() or not 1e14 <= abs(value) < 1e15:
        return False
    whole = int(abs(value))
    return whole % 10 == 5 and whole // 10 % 2 == 0
