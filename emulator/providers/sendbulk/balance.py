"""Per-partner SMS credit, kept in the emulator's store (``sendbulk.balance``).

One unit pays for one segment.  Amounts are kept rounded to cents and shown
with two decimals (``"545.00"``), as ``getbalance`` does.

A stored balance remembers the starting balance it was counted from: once a
scenario gives the account another one (its ``balance``, or the provider's
``default_balance``), the account starts again from that.  Switching to
``insufficient-balance`` midway must give its 3 units, not what was left.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .auth import Account
from .config import Config

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = ["NAMESPACE", "format_units", "get_balance", "set_balance"]

NAMESPACE = "sendbulk.balance"


def get_balance(emu: Emulator, config: Config, account: Account) -> float:
    """The account's units now: what is stored, counted from the scenario's starting balance."""
    initial = config.initial_balance(account)
    value = emu.store.get_state(NAMESPACE, account.partner_id)
    if value is None:
        return initial
    if isinstance(value, dict):
        return float(value["units"]) if value["from"] == initial else initial
    return float(value)  # stored before balances kept their start: still counts


def set_balance(emu: Emulator, config: Config, account: Account, units: float) -> None:
    """Store ``units`` as the account's balance, counted from the scenario's starting one."""
    stored = {"units": round(units, 2), "from": config.initial_balance(account)}
    emu.store.put_state(NAMESPACE, account.partner_id, stored)


def format_units(units: float) -> str:
    return f"{units:.2f}"
