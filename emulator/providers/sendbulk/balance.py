"""Per-partner SMS credit, kept in the emulator's store (``sendbulk.balance``).

One unit pays for one segment.  Amounts are kept rounded to cents and shown
with two decimals (``"545.00"``), as ``getbalance`` does.

A stored balance remembers the starting balance it was counted from: once a
scenario gives the account another one (its ``balance``, or the provider's
``default_balance``), the account starts again from that.  Switching to
``insufficient-balance`` midway must give its 3 units, not what was left, and
so must switching back to it after another scenario: a load forgets balances
counted from another start (:func:`restart_balances`), as a read would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .auth import Account
from .config import Config, config_for

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = ["NAMESPACE", "format_units", "get_balance", "restart_balances", "set_balance"]

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


def restart_balances(emu: Emulator) -> None:
    """Forget the stored balances the newly loaded scenario starts from elsewhere.

    Read lazily, a balance counted from 3 units would come back after a switch to a
    scenario starting at 10,000 and back again, if nothing touched it in between.
    """
    config = config_for(emu.scenario)
    declared = None if config.accounts is None else {a.partner_id: a for a in config.accounts}
    for partner_id, value in emu.store.state_items(NAMESPACE):
        if not isinstance(value, dict):
            continue  # an older version's balance: upgrade_store brings it up to date
        if declared is None:
            initial = config.default_balance
        else:
            account = declared.get(partner_id)
            # not an account of this scenario: it has no balance here, and a later
            # scenario declaring it again starts it again
            initial = None if account is None else config.initial_balance(account)
        if value["from"] != initial:
            emu.store.delete_state(NAMESPACE, partner_id)


def format_units(units: float) -> str:
    return f"{units:.2f}"
