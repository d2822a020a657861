"""sendbulk state an older sms-emulator stored, brought up to date when a store opens.

Format 1 (before the meta key existed) recorded a batch's refused items with
0-based indexes and balances as bare numbers.  Format 2 records 1-based
indexes and balances with the starting balance they were counted from; a bare
number is taken as counted from the start the scenario now gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ...core.store import BatchQuery
from .auth import Account
from .balance import NAMESPACE as BALANCES
from .config import config_for

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = ["FORMAT", "upgrade_store"]

FORMAT = 2
_KEY = "sendbulk.format"


def upgrade_store(emu: Emulator) -> None:
    """Bring the store's sendbulk state to ``FORMAT``, once (a new store is marked at once)."""
    store = emu.store
    if store.get_meta(_KEY) == FORMAT:
        return
    with store.transaction():
        if store.get_meta(_KEY) == FORMAT:  # another opener was first
            return
        balances = store.state_items(BALANCES)
        if any(isinstance(units, dict) for _, units in balances):
            # Written by a version between the format's changes and its mark:
            # already format 2, only unmarked.
            store.put_meta(_KEY, FORMAT)
            return
        for batch in store.query_batches(BatchQuery(provider="sendbulk")):
            if batch.rejected and not _already_one_based(batch.rejected, batch.size):
                batch.rejected = [_one_based(entry) for entry in batch.rejected]
                store.update_batch(batch)
        config = config_for(emu.scenario)
        accounts = {a.partner_id: a for a in config.accounts or ()}
        for partner_id, units in balances:
            if not isinstance(units, dict):
                account = accounts.get(partner_id, Account(partner_id=partner_id, apikey=""))
                start = config.initial_balance(account)
                store.put_state(BALANCES, partner_id, {"units": float(units), "from": start})
        store.put_meta(_KEY, FORMAT)


def _already_one_based(rejected: Sequence[Any], accepted: int) -> bool:
    """An index equal to the item count cannot be 0-based (unmarked files of a version
    between the index's change and the mark)."""
    items = accepted + len(rejected)
    return any(isinstance(e, dict) and e.get("index") == items for e in rejected)


def _one_based(entry: Any) -> Any:
    index = entry.get("index") if isinstance(entry, dict) else None
    if isinstance(index, int) and not isinstance(index, bool):
        return {**entry, "index": index + 1}
    return entry
