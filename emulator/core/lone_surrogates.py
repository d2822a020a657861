"""JSON bodies with a lone UTF-16 surrogate escape (``"\\ud83d"``).

JSON allows such an escape (text cut through the middle of an emoji by a
UTF-16 client gives one) and the .NET and Java parsers behind the providers
accept it, but msgspec refuses it.  On that error path only, the body is
decoded by the standard library instead and each lone surrogate becomes
U+FFFD, the character a UTF-8 encoder writes in its place.
"""

from __future__ import annotations

import json
import re
from typing import Any

import msgspec

__all__ = ["reencode_lone_surrogates"]

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE = re.compile("[\ud800-\udfff]")


def _replace(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_replace(item) for item in value]
    if isinstance(value, dict):
        return {_replace(key): _replace(item) for key, item in value.items()}
    return value


def reencode_lone_surrogates(raw: bytes | bytearray | str) -> bytes | None:
    """The body re-encoded with each lone surrogate as U+FFFD, or None.

    None when the body has no surrogate escape or is not JSON for another
    reason: the caller's own error stands.
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else bytes(raw)
    if not _SURROGATE_ESCAPE.search(data):
        return None
    try:
        return msgspec.json.encode(_replace(json.loads(data, parse_constant=_not_json)))
    except (ValueError, RecursionError):
        return None


def _not_json(name: str) -> Any:
    """``NaN`` and ``Infinity``, which the standard library reads and JSON has not."""
    raise ValueError(name)
