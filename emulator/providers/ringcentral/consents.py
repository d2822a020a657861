"""``/restapi/v2/accounts/{accountId}/sms/consents``: the API that replaces a2p-sms opt-outs.

RingCentral deprecated ``GET .../a2p-sms/opt-outs`` and ``POST .../opt-outs/bulk-assign``
in favour of ``GET`` and ``PATCH`` here; both read and write the same consent state
(``optouts``).  Records are ``SmsOptRecord``: ``{to, optStatus, from, source,
lastModifiedTime}``; a ``PATCH`` (set) or ``DELETE`` (forget; ``from`` may be ``*``,
every sender) answers ``{failedRecords: [...]}``, each failed record as sent plus an
``error`` (``{}`` when none failed).  Sources are spelled as each API spells them: what the
deprecated API calls ``Account`` is ``Api`` here.
"""

from __future__ import annotations

from typing import Any

import msgspec

from ...core.phone import is_possible_e164
from ...emulator import iso
from .wire import parse_number

__all__ = [
    "CAMPAIGN_TYPES",
    "COVERAGES",
    "EXPORT_COLUMNS",
    "OPT_STATUSES",
    "ConsentSearch",
    "ConsentUpdate",
    "consent_record",
    "delete_failure",
    "export_row",
    "history_record",
    "stored_source",
    "update_failure",
]

OPT_STATUSES = ("OptOut", "OptIn")
COVERAGES = ("PhoneNumber", "Account", "CampaignType")
CAMPAIGN_TYPES = ("Conversational", "Informational", "Promotional")
#: This API's source → the deprecated API's (how the record is kept).
_STORED_SOURCE = {
    "Recipient": "Recipient",
    "Api": "Account",
    "Upstream": "Upstream",
    "Carrier": "Carrier",
}
_SHOWN_SOURCE = {stored: shown for shown, stored in _STORED_SOURCE.items()}


class ConsentUpdate(msgspec.Struct):
    """``UpdateOptRecordList``: each record is checked on its own (a bad one fails alone)."""

    records: list[Any]


class ConsentSearch(msgspec.Struct):
    """``SearchSmsConsentRecordsRequest``: the list's filters in a body (``optStatus`` one
    word, the others lists; ``null`` is absent), and its paging."""

    sender: list[str] | None = msgspec.field(default=None, name="from")
    to: list[str] | None = None
    optStatus: str | None = None
    coverage: list[str] | None = None
    campaignType: list[str] | None = None
    pageToken: str | None = None
    perPage: int | float | str | None = None

    def as_query(self) -> list[tuple[str, str]]:
        """The filters as the list's query parameters would carry them."""
        pairs = [("optStatus", self.optStatus)] if self.optStatus else []
        for name, values in (
            ("from", self.sender),
            ("to", self.to),
            ("coverage", self.coverage),
            ("campaignType", self.campaignType),
        ):
            pairs += [(name, value) for value in values or ()]
        return pairs


def stored_source(source: str) -> str:
    """How a source this API names is kept (``Api`` → ``Account``)."""
    return _STORED_SOURCE[source]


def consent_record(record: dict[str, Any]) -> dict[str, str]:
    """A kept opt record as ``SmsOptRecord``."""
    return {
        "to": record["to"],
        "optStatus": record["status"],
        "from": record["from"],
        "source": _SHOWN_SOURCE.get(record["source"], record["source"]),
        "lastModifiedTime": iso(record.get("at", 0.0)),
    }


def history_record(record: dict[str, Any]) -> dict[str, str]:
    """A kept change as ``SmsOptHistoryRecord``: when it was made is its ``createdAt``."""
    shown = consent_record(record)
    del shown["lastModifiedTime"]
    shown["createdAt"] = iso(record.get("at", 0.0))
    return shown


#: ``GET .../consents/export`` columns, as RingCentral's SDKs document them.
EXPORT_COLUMNS = (
    "External Party Number",
    "Internal Party Number",
    "Consent Status",
    "Source",
    "Coverage",
    "Campaign Type",
    "Notes",
    "Last Modified Time",
)


def export_row(record: dict[str, Any]) -> list[str]:
    """A kept record as an export row: the consumer's number is the external party
    (the one who sent STOP), the account's number the internal one."""
    shown = consent_record(record)
    status, source, modified = shown["optStatus"], shown["source"], shown["lastModifiedTime"]
    return [shown["to"], shown["from"], status, source, "PhoneNumber", "", "", modified]


def update_failure(item: Any) -> tuple[dict[str, str] | None, dict[str, Any] | None]:
    """``(record, None)`` for a usable ``UpdateSmsOptRecord`` (numbers normalised), else
    ``(None, failed record)`` naming the first field that is wrong."""
    if not isinstance(item, dict):
        return None, {"error": _invalid("records")}
    shown = {k: item[k] for k in ("to", "optStatus", "from", "source") if k in item}
    record: dict[str, str] = {}
    for field in ("to", "from"):
        number = _number(item.get(field))
        if number is None:
            return None, {**shown, "error": _invalid(field)}
        record[field] = number
    for field, allowed in (("optStatus", OPT_STATUSES), ("source", tuple(_STORED_SOURCE))):
        if item.get(field) not in allowed:
            return None, {**shown, "error": _invalid(field)}
        record[field] = item[field]
    return record, None


def delete_failure(item: Any) -> tuple[tuple[str | None, str] | None, dict[str, Any] | None]:
    """``((sender or None for every one, recipient), None)`` for a usable
    ``MinimalSmsOptRecord`` (``from`` a number or ``*``), else ``(None, failed record)``."""
    if not isinstance(item, dict):
        return None, {"error": _invalid("records")}
    shown = {k: item[k] for k in ("from", "to") if k in item}
    recipient = _number(item.get("to"))
    if recipient is None:
        return None, {**shown, "error": _invalid("to")}
    if item.get("from") == "*":
        return (None, recipient), None
    sender = _number(item.get("from"))
    if sender is None:
        return None, {**shown, "error": _invalid("from")}
    return (sender, recipient), None


def _number(value: Any) -> str | None:
    """A record's phone number, normalised, or None if it is not one."""
    number = parse_number(value) if isinstance(value, str) else ""
    return number if is_possible_e164(number) else None


def _invalid(field: str) -> dict[str, str]:
    return {
        "errorCode": "CMN-101",
        "message": f"Parameter [{field}] value is invalid.",
        "parameterName": field,
    }
