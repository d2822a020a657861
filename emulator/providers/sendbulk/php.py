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
from collections.abc import Iterable
from typing import Any

__all__ = ["php_fields", "php_float", "php_list", "php_number", "php_string"]

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


#: PHP's ``max_input_nesting_level`` default: a name with more ``[...]`` is dropped.
_MAX_NESTING = 64


def php_fields(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Form or query fields as PHP fills ``$_POST`` and ``$_GET`` (``php_register_variable_ex``).

    ``mobile[]=a&mobile[]=b`` is an array (a dict here, in order), ``mobile[0]=a`` (as
    ``http_build_query`` writes one) an array with key ``0``, ``a[b][c]`` nests; a later
    plain name replaces an earlier one, and a name is cut at a NUL.  In the name before
    the first ``[``, a space or a dot is ``_`` (``partner.ID`` is ``partner_ID``), as is an
    unclosed ``[`` (and a space, dot or ``[`` after it); what follows a ``]`` other than
    ``[`` is dropped; leading spaces are dropped, and a name left empty (``[a]``) is no
    field.
    """
    fields: dict[str, Any] = {}
    next_index: dict[int, int] = {}  # id() of each array built here -> its next [] key
    for raw_name, value in pairs:
        name = raw_name.partition("\0")[0].lstrip(" ")  # a C string to PHP: cut at a NUL
        bracket = name.find("[")
        keys: list[str | None] = []
        if bracket == 0:
            continue  # no name before the [: no field, closed or not
        if bracket > 0:
            base, rest = name[:bracket], name[bracket:]
            while rest.startswith("["):
                close = rest.find("]")
                if close < 0:
                    if not keys:  # the first [ unclosed: no array, the [ is a _
                        base += "_" + "".join("_" if c in " .[" else c for c in rest[1:])
                    break
                index = rest[1:close]  # only whitespace: [] (PHP skips it, then finds ])
                keys.append(index if index.lstrip(" \t\r\n") else None)
                rest = rest[close + 1 :]
        else:
            base = name
        base = base.replace(" ", "_").replace(".", "_")
        if not base or len(keys) > _MAX_NESTING:
            continue
        if not keys:
            fields[base] = value
            continue
        container: dict[Any, Any] = fields
        key: str = base
        for index in keys:
            inner = container.get(key)
            if not isinstance(inner, dict):  # every dict here was built below
                inner = container[key] = {}
                next_index[id(inner)] = 0
            container, key = inner, _array_key(inner, index, next_index)
        container[key] = value
    return fields


def _is_integer_key(index: str) -> bool:
    """Whether PHP stores the array key ``index`` as an integer: a canonical decimal
    (no ``+``, leading zero or ``-0``) within a 64-bit signed range."""
    return (
        re.fullmatch(r"0|-?[1-9][0-9]{0,18}", index, re.ASCII) is not None
        and -(2**63) <= int(index) < 2**63
    )


def _array_key(array: dict[str, Any], index: str | None, next_index: dict[int, int]) -> str:
    """The key ``[index]`` writes to in ``array`` (``[]``: the next integer), as text."""
    if index is None:
        key = next_index[id(array)]
    elif _is_integer_key(index):
        key = int(index)
    else:
        return index
    next_index[id(array)] = max(next_index[id(array)], key + 1)
    return str(key)
