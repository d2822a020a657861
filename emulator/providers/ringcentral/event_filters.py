"""RingCentral event filters: which of them carry A2P events, and what each selects.

* ``/restapi/v1.0/account/~/a2p-sms/batches[?from=]`` and ``.../batches/{batchId}``
  (also spelled ``batch``, as an earlier revision of RingCentral's event list and its
  High Volume SMS sample app write it);
* ``/restapi/v1.0/account/~/a2p-sms/messages[?direction=&batchId=&from=&to=]``;
* ``/restapi/v1.0/account/~/a2p-sms/opt-outs[?from=&to=&direction=&batchId=]`` (RingCentral's
  "Batch Message Opt-Out Event" page lists all four; an opt-out event has neither a
  direction nor a batch, and the page does not say what those two select: accepted,
  ``direction`` checked, and neither narrows what is notified);
* ``/restapi/v1.0/subscription/~?threshold=&interval=``: renewal reminders.

Any other ``/restapi/v1.0/...`` filter is of kind "other": RingCentral has many,
and their events concern what this emulator does not model.  Under ``a2p-sms/``
only the filters above are (RingCentral's High Volume SMS event list): another
path or query parameter there is a typo, refused as RingCentral refuses a filter
it does not know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from .errors import InvalidParameter, RingCentralError
from .wire import parse_number

__all__ = ["EventFilter", "OtherAccount", "ReminderOnly", "checked_filters", "parse_filter"]

_A2P_FILTER = re.compile(
    r"^/restapi/v1\.0/account/(?P<account>[^/?]+)/a2p-sms/"
    r"(?P<kind>batches|batch|messages|opt-outs)(?:/(?P<batch>[^/?]+))?(?:\?(?P<query>.*))?$"
)
#: Any filter under an account's ``a2p-sms/``: one of the above, or refused.
_UNDER_A2P = re.compile(r"^/restapi/v1\.0/account/[^/?]+/a2p-sms(?:[/?]|$)")
#: The query parameters each kind reads.
_PARAMETERS = {
    "batches": frozenset({"from"}),
    "messages": frozenset({"direction", "batchId", "from", "to"}),
    "opt-outs": frozenset({"from", "to", "direction", "batchId"}),
}
#: The account a filter names (any ``/restapi/v1.0/account/{accountId}...`` filter).
_ACCOUNT_FILTER = re.compile(r"^/restapi/v1\.0/account/(?P<account>[^/?]+)(?:[/?]|$)")
_REMINDER_FILTER = re.compile(r"^/restapi/v1\.0/subscription/~\?(?P<query>.*)$")
_DIRECTIONS = {"inbound": "Inbound", "outbound": "Outbound"}


class ReminderOnly(RingCentralError):
    """Filters that are all renewal reminders (RingCentral's API Reference,
    createSubscription: "400 SUB-515 Subscription containing only reminder filter is
    not allowed")."""

    status, code = 400, "SUB-515"
    template = "Subscription containing only reminder filter is not allowed"


class OtherAccount(RingCentralError):
    """A filter naming another account than the caller's (RingCentral's API Reference,
    createSubscription, and its developer guide's error table: "403 SUB-406 Not allowed
    subscribe for events to extensions of other account")."""

    status, code = 403, "SUB-406"
    template = "Not allowed subscribe for events to extensions of other account"


def _other_account(text: object, account_id: str) -> bool:
    found = _ACCOUNT_FILTER.match(text) if isinstance(text, str) else None
    return found is not None and found["account"] not in ("~", account_id)


@dataclass(frozen=True, slots=True)
class EventFilter:
    """One parsed event filter: ``kind`` is batches, messages, opt-outs, renewal or other."""

    text: str
    kind: str
    batch_id: str | None = None
    direction: str | None = None
    sender: str | None = None
    to: str | None = None
    #: A renewal reminder's: from this many seconds before expiry, every ``interval``.
    threshold: int = 0
    interval: int = 0

    def event(self, account_id: str) -> str:
        """The notification's ``event``: the filter with the account's id for ``~``."""
        return self.text.replace("/account/~/", f"/account/{account_id}/", 1)


def _refused(text: object) -> InvalidParameter:
    return InvalidParameter(parameter="eventFilters", value=str(text))


@lru_cache(maxsize=4096)
def parse_filter(text: str, account_id: str, *, stored: bool = False) -> EventFilter:
    """``text`` as an ``EventFilter``; CMN-101 ``[eventFilters]`` if it is not one.

    ``stored``: a subscription's filter, which an earlier version may have let in
    though this one refuses it (an ``a2p-sms/`` typo, an unknown parameter): read as
    that version read it (the typo as "other", the parameter ignored), not refused.
    """
    if not isinstance(text, str) or not text.startswith("/restapi/v1.0/"):
        raise _refused(text)
    found = _A2P_FILTER.match(text)
    if found is None:
        if _UNDER_A2P.match(text) and not stored:  # a2p-sms/message, a2p-sms/optouts...
            raise _refused(text)
        reminder = _REMINDER_FILTER.match(text)
        return _reminder(text, reminder["query"]) if reminder else EventFilter(text, "other")
    if found["account"] not in ("~", account_id):
        raise _refused(text)
    kind = "batches" if found["kind"] == "batch" else found["kind"]
    if found["batch"] is not None and kind != "batches":
        raise _refused(text)
    params = _query(found["query"])
    if not stored and not params.keys() <= _PARAMETERS[kind]:
        raise _refused(text)
    direction = params.get("direction")
    if direction is not None:
        direction = _DIRECTIONS.get(direction.lower())
        if direction is None:
            raise _refused(text)
    sender, to = params.get("from"), params.get("to")
    return EventFilter(
        text,
        kind,
        batch_id=found["batch"] or params.get("batchId"),
        direction=direction,
        sender=parse_number(sender) if sender else None,
        to=parse_number(to) if to else None,
    )


def _query(text: str | None) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in (text or "").split("&"):
        name, _, value = pair.partition("=")
        if name and value:
            params[unquote(name)] = unquote(value)  # a raw + stays a +, as RC writes it
    return params


def _seconds(value: str) -> int | None:
    """Whole seconds written in ASCII digits (a sane number of them), else None."""
    digits = value.lstrip("0") or "0"
    if not (value.isascii() and value.isdigit()) or len(digits) > 10:
        return None
    return int(digits)


def _reminder(text: str, query: str) -> EventFilter:
    """``/restapi/v1.0/subscription/~?threshold=&interval=``: whole seconds, the interval
    at most half the threshold (RingCentral's rule)."""
    params = _query(query)
    threshold = _seconds(params.get("threshold", ""))
    interval = _seconds(params.get("interval", ""))
    if threshold is None or interval is None or not 1 <= interval <= threshold // 2:
        raise _refused(text)
    return EventFilter(text, "renewal", threshold=threshold, interval=interval)


def checked_filters(
    filters: list[str] | None, account_id: str, expires_in: int, *, stored: bool = False
) -> list[str]:
    """The request's filters (once each), each one checked; CMN-101 when there are none,
    or when a reminder's threshold is over half the subscription's lifetime; SUB-406
    for one naming another account; SUB-515 when they are all reminders, unless they
    are a subscription's ``stored`` filters checked against a new lifetime (one an
    earlier version let in may still renew)."""
    if not filters:
        raise InvalidParameter(parameter="eventFilters")
    reminders_only = True
    for text in filters:
        if not stored and _other_account(text, account_id):
            raise OtherAccount()
        parsed = parse_filter(text, account_id, stored=stored)
        if parsed.kind == "renewal" and parsed.threshold > expires_in // 2:
            raise _refused(text)
        reminders_only = reminders_only and parsed.kind == "renewal"
    if reminders_only and not stored:
        raise ReminderOnly()
    return list(dict.fromkeys(filters))
