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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...core.store import MessageQuery, iter_messages
from ...core.store_index import StoreIndex
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


@dataclass(eq=False)
class _Digests:
    """SHA-256 digests of the Kenyan numbers in the store's messages up to ``seq``."""

    seq: int = 0
    numbers: dict[bytes, str] = field(default_factory=dict)

    def learn(self, candidate: object) -> None:
        number = classify(candidate)
        if number.kind == "kenyan":
            self.numbers[hashlib.sha256(number.msisdn.encode()).digest()] = number.msisdn


_DIGESTS = StoreIndex("sendbulk.hashed", lambda store: _Digests())


def _message_digests(emu: Emulator) -> dict[bytes, str]:
    """Digests of every number sendbulk messages were sent to or received from.

    Brought up to date from the last message read, so a hashed OTP costs
    O(new messages) instead of hashing every stored number again.
    """
    with emu.store.atomic():  # a clear() mid-way would mix two stores' numbers
        index = _DIGESTS.get(emu.store)
        query = MessageQuery(provider="sendbulk")
        for message in iter_messages(emu.store, query, after_seq=index.seq):
            index.learn(message.to)
            index.learn(message.sender)
            index.seq = message.seq
        return index.numbers


def resolve(emu: Emulator, account: Account, digest: str) -> str | None:
    """The ``254…`` number whose SHA-256 is ``digest`` (64 hex digits), if the emulator knows it."""
    wanted = bytes.fromhex(digest.strip())
    for candidate in account.msisdns:
        number = classify(candidate)
        if number.kind == "kenyan" and hashlib.sha256(number.msisdn.encode()).digest() == wanted:
            return number.msisdn
    return _message_digests(emu).get(wanted)
