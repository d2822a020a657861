"""Per-partner SMS credit, kept in the emulator's store (``sendbulk.balance``).

One unit pays for one segment.  Amounts are kept rounded to cents and shown
with two decimals (``"545.00"``), as ``getbalance`` does.
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
    value = emu.store.get_state(NAMESPACE, account.partner_id)
    return config.initial_balance(account) if value is None else float(value)


def set_balance(emu: Emulator, account: Account, units: float) -> None:
    emu.store.put_state(NAMESPACE, account.partner_id, round(units, 2))


def format_units(units: float) -> str:
    return f"{units:.2f}"
