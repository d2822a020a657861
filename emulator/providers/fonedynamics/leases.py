"""Leased sender ids: a number unique per recipient, for 30 days.

A message with a blank ``From`` (or an alphanumeric one to US/Canada) is sent
from a lease.  Each lease belongs to one account, property and recipient and
carries the message's response options (``WebhookUri``, ``ForwardToSms``...),
so a reply from the recipient to that number is routed by them.

Choices where the sources are silent (see docs/providers/fonedynamics.md):

- A later message with the same account, property, recipient and response
  options reuses the active lease (same number; its 30 days are not renewed).
  Different options take a new lease with a different number.
- An account may hold 5 active leases to one recipient; a 6th is refused with
  ``LEASE_LIMIT_REACHED`` (HTTP 403 for a single message, an item error in a batch).
- Numbers are counted up per country from the country's example mobile
  number with its last two digits replaced by 50 (AU: ``+61412345650``,
  ``...651``...): the first not leased to the recipient by any account is taken,
  so numbers never run out before an account reaches its own limit.

State: ``emu.store`` namespace ``fonedynamics.leases``, key = recipient,
value = list of lease dicts (expired ones are pruned on the next write).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from itertools import count
from typing import TYPE_CHECKING, Any

import phonenumbers

from .errors import ItemError

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = [
    "LEASE_SECONDS",
    "MAX_LEASES",
    "NAMESPACE",
    "acquire",
    "active_leases",
    "find",
    "leases_to",
    "numbers",
    "region_of",
]

NAMESPACE = "fonedynamics.leases"
LEASE_SECONDS = 30 * 86400
MAX_LEASES = 5


@lru_cache(maxsize=256)
def _first_for_region(region: str | None, fallback: str) -> int:
    """The digits of the first lease number: an example mobile number ending in 50."""
    base = fallback
    if region:
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        if example is not None:
            base = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    return int(f"{base[1:-2]}50")


@lru_cache(maxsize=4096)
def region_of(number: str) -> str | None:
    """The region ``number`` belongs to (``"US"``, ``"AU"``), or None if none claims it."""
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(number))
    except phonenumbers.NumberParseException:
        return None
    return None if region in ("ZZ", "001") else region


def numbers(recipient: str) -> Iterator[str]:
    """The numbers leases to ``recipient`` are drawn from, in order of preference (endless)."""
    first = _first_for_region(region_of(recipient), recipient)
    return (f"+{first + i}" for i in count())


def leases_to(emu: Emulator, recipient: str) -> list[dict[str, Any]]:
    """Active leases to ``recipient``, oldest first."""
    now = emu.time()
    return [
        lease for lease in emu.store.get_state(NAMESPACE, recipient, []) if lease["Expires"] > now
    ]


def acquire(
    emu: Emulator,
    *,
    account: str,
    property_sid: str,
    recipient: str,
    options: dict[str, str],
    message_sid: str,
) -> dict[str, Any] | ItemError:
    """The lease to send from (reused or new), or the item error refusing it."""
    now = emu.time()
    active = leases_to(emu, recipient)
    for lease in active:
        if (
            lease["AccountSid"] == account
            and lease["PropertySid"] == property_sid
            and lease["Options"] == options
        ):
            return lease
    mine = sum(1 for lease in active if lease["AccountSid"] == account)
    if mine >= MAX_LEASES:
        return ItemError(
            "LEASE_LIMIT_REACHED",
            f"There are already {MAX_LEASES} active leased sender IDs to this recipient",
            ("From",),
            status=403,
        )
    taken = {recipient, *(lease["Number"] for lease in active)}
    lease = {
        "Number": next(n for n in numbers(recipient) if n not in taken),
        "Recipient": recipient,
        "AccountSid": account,
        "PropertySid": property_sid,
        "Created": now,
        "Expires": now + LEASE_SECONDS,
        "MessageSid": message_sid,
        "Options": dict(options),
    }
    emu.store.put_state(NAMESPACE, recipient, [*active, lease])
    return lease


def active_leases(emu: Emulator) -> list[dict[str, Any]]:
    """Every active lease, to any recipient, oldest first (the ``leases`` view); leases
    taken at the same moment by recipient, in the order each recipient's were taken."""
    now = emu.time()
    found = [
        lease
        for _, leases in emu.store.state_items(NAMESPACE)
        for lease in leases
        if lease["Expires"] > now
    ]
    found.sort(key=lambda lease: lease["Created"])  # stable: a recipient's in their order
    return found


def find(emu: Emulator, recipient: str, number: str) -> dict[str, Any] | None:
    """The active lease from ``number`` to ``recipient`` (routes a reply), if any."""
    for lease in leases_to(emu, recipient):
        if lease["Number"] == number:
            return lease
    return None
