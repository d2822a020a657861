"""Opt-outs per (sender, recipient) pair, set by keywords or ``bulk-assign``.

An inbound STOP, UNSUBSCRIBE, QUIT, CANCEL or END opts the pair out (source
``Recipient``); START, SUBSCRIBE, RESUME, CONTINUE or UNSTOP opts it back in.
The keyword is the whole message, ASCII letters in any case, surrounding ASCII space
ignored.
``bulk-assign`` records use source ``Account``.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any

from ...core.store import Store
from ...core.store_index import StoreIndex

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = [
    "OPT_IN_WORDS",
    "OPT_OUT_WORDS",
    "forget",
    "keyword_status",
    "opted_out",
    "records",
    "set_status",
]

OPT_OUT_WORDS = frozenset({"STOP", "UNSUBSCRIBE", "QUIT", "CANCEL", "END"})
OPT_IN_WORDS = frozenset({"START", "SUBSCRIBE", "RESUME", "CONTINUE", "UNSTOP"})
_STATE = "ringcentral.optout"
_NONE: frozenset[str] = frozenset()


def keyword_status(text: str) -> str | None:
    """``"OptOut"``/``"OptIn"`` when ``text`` is an opt keyword, else None."""
    word = text.strip(" \t\r\n\f\v")  # ASCII spaces: "\u3000stop" is no keyword either
    if not word.isascii():  # "ſtop", "quıt", "ﬆop" upper-case to keywords; no handset's are
        return None
    word = word.upper()
    if word in OPT_OUT_WORDS:
        return "OptOut"
    if word in OPT_IN_WORDS:
        return "OptIn"
    return None


def _opted_out_by_pair(store: Store) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for _, record in store.state_items(_STATE):
        if record["status"] == "OptOut":
            found.setdefault((record["tenant"], record["from"]), set()).add(record["to"])
    return found


#: (tenant, sender) -> recipients opted out: what every batch checks, without a scan.
_OPTED_OUT = StoreIndex("ringcentral.optout.index", _opted_out_by_pair)


def set_status(
    emu: Emulator, tenant: str, sender: str, recipient: str, status: str, source: str
) -> None:
    """Record that ``recipient`` opted out of / in to messages from ``sender``."""
    # With the id it used; a clear() in between, or a rollback, would leave the index wrong.
    with emu.transaction():
        record = {
            "tenant": tenant,
            "from": sender,
            "to": recipient,
            "status": status,
            "source": source,
            "seq": emu.ids.next("ringcentral.optout"),
            "at": emu.time(),
        }
        emu.store.put_state(_STATE, f"{tenant}|{sender}|{recipient}", record)
        recipients = _OPTED_OUT.changing(emu.store).setdefault((tenant, sender), set())
        if status == "OptOut":
            recipients.add(recipient)
        else:
            recipients.discard(recipient)


def forget(emu: Emulator, tenant: str, pairs: list[tuple[str | None, str]]) -> None:
    """Delete each (sender, recipient) record; a None sender: the recipient's for every sender.

    One look at each named record, and one pass over the store only if some pair
    names every sender.
    """
    store = emu.store
    with emu.transaction():
        by_recipient: dict[str, list[tuple[str, str]]] = {}
        if any(sender is None for sender, _ in pairs):
            for key, record in store.state_items(_STATE):
                if record["tenant"] == tenant:
                    by_recipient.setdefault(record["to"], []).append((key, record["from"]))
        index = _OPTED_OUT.changing(store)
        for sender, recipient in pairs:
            if sender is None:
                found = by_recipient.pop(recipient, [])
            else:
                key = f"{tenant}|{sender}|{recipient}"
                found = [(key, sender)] if store.get_state(_STATE, key) is not None else []
            for key, from_number in found:
                store.delete_state(_STATE, key)
                index.get((tenant, from_number), set()).discard(recipient)


def records(emu: Emulator, tenant: str) -> list[dict[str, Any]]:
    """The tenant's opt records, oldest change first."""
    found = [r for _, r in emu.store.state_items(_STATE) if r["tenant"] == tenant]
    found.sort(key=lambda r: r["seq"])
    return found


def opted_out(emu: Emulator, tenant: str, sender: str) -> AbstractSet[str]:
    """Recipients currently opted out of ``sender``'s messages: the index's own set, not
    a copy (a batch checks it once per recipient; copying it cost every batch as many
    steps as the pair has opt-outs), so read it only under the store's hold, as a batch
    does inside its ``transaction()``, and never change it."""
    recipients = _OPTED_OUT.get(emu.store).get((tenant, sender))
    return recipients if recipients else _NONE
