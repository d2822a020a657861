"""JSON bodies with a lone UTF-16 surrogate escape (``"\\ud83d"``).

JSON allows such an escape (text cut through the middle of an emoji by a
UTF-16 client gives one) and the .NET and Java parsers behind the providers
accept it, but msgspec refuses it.  On that error path only, each lone
surrogate escape is rewritten as ``\\ufffd`` (U+FFFD, the character a UTF-8
encoder writes in its place) and the body decoded again by the same strict
parser: nothing else about it is read more leniently.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

import msgspec

__all__ = ["decode_allowing_lone_surrogates", "reencode_lone_surrogates", "text_read_as_utf8"]

_T = TypeVar("_T")

# At each backslash, leftmost first: an escaped backslash (so the "u" after it is
# text), a high surrogate escape with the low one it pairs with, or a lone one.
_ESCAPES = re.compile(
    rb"\\\\"
    rb"|\\u[dD][89abAB][0-9a-fA-F]{2}(?:\\u[dD][c-fC-F][0-9a-fA-F]{2})?"
    rb"|\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
_PAIR_LENGTH = 12  # \uD83D\uDE00


def _rewrite(found: re.Match[bytes]) -> bytes:
    escape = found.group()
    if escape == b"\\\\" or len(escape) == _PAIR_LENGTH:
        return escape
    return b"\\ufffd"


def decode_allowing_lone_surrogates(
    decode: Callable[[bytes | bytearray | str], _T], raw: bytes | bytearray | str
) -> _T:
    """``decode(raw)``; a body msgspec refuses as JSON is decoded once more with its lone
    surrogate escapes as ``\\ufffd`` (if it has any).  A wrong field's type is no
    such case (a ``ValidationError``, also a ``DecodeError``): it is raised at once."""
    try:
        return decode(raw)
    except msgspec.ValidationError:
        raise
    except msgspec.DecodeError:
        fixed = reencode_lone_surrogates(raw)
        if fixed is None:
            raise
        return decode(fixed)


def reencode_lone_surrogates(raw: bytes | bytearray | str) -> bytes | None:
    """The body with each lone surrogate escape as ``\\ufffd``, or None if it has none."""
    data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    fixed = _ESCAPES.sub(_rewrite, data)
    return None if fixed == data else fixed


def text_read_as_utf8(text: str) -> str:
    """``text`` as a UTF-8 body would carry it: a surrogate pair written as two code
    points is its character, a lone surrogate (no body can carry one) U+FFFD."""
    if text.isascii():
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
