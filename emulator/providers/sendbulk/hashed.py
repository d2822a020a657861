"""Hashed recipients (``sendotp`` with ``"hashed": true``).

The client sends the hex SHA-256 of the ``254…`` MSISDN (Safaricom's scheme;
the gateway does not name the algorithm).  The real gateway hands the hash to
Safaricom, which knows the number.  The emulator cannot reverse a hash, so it
matches it against numbers it knows:

1. the account's declared ``msisdns`` (scenario ``accounts.sendbulk[].msisdns``);
2. every number sendbulk messages were sent to or received from so far.

A match is sent as that number (network checks apply; the neutral record's
``to`` is ``+254…``).  No match is still accepted, as the gateway would: the
recipient stays the hash (lower-case hex, also what scenario rules match on)
and ``networkid`` is 1 (Safaricom).  A value that is not 64 hex digits is
refused with 1003.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from ...core.store import MessageQuery
from .auth import Account
from .mobile import classify

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = ["hash_msisdn", "is_hash", "resolve"]

_HEX64 = re.compile(r"[0-9a-fA-F]{64}")


def hash_msisdn(msisdn: str) -> str:
    """The hex SHA-256 a client sends for ``msisdn`` (normalised to ``254…`` first)."""
    number = classify(msisdn)
    return hashlib.sha256(number.msisdn.encode()).hexdigest()


def is_hash(value: object) -> bool:
    return isinstance(value, str) and _HEX64.fullmatch(value.strip()) is not None


def _known_numbers(emu: Emulator, account: Account) -> list[str]:
    known = list(account.msisdns)
    for message in emu.store.query_messages(MessageQuery(provider="sendbulk")):
        known.append(message.to)
        known.append(message.sender)
    return known


def resolve(emu: Emulator, account: Account, digest: str) -> str | None:
    """The ``254…`` number whose SHA-256 is ``digest``, if the emulator knows it."""
    digest = digest.strip().lower()
    seen: set[str] = set()
    for candidate in _known_numbers(emu, account):
        number = classify(candidate)
        if number.kind != "kenyan" or number.msisdn in seen:
            continue
        seen.add(number.msisdn)
        if hashlib.sha256(number.msisdn.encode()).hexdigest() == digest:
            return number.msisdn
    return None
