"""``GET /restapi/v1.0/account/{accountId}/extension/{extensionId}/phone-number`` and the
account-wide ``GET /restapi/v1.0/account/{accountId}/phone-number``.

RingCentral's own guide code picks its High Volume SMS sender here, before sending
anything: the caller's numbers whose ``features`` include ``A2PSmsSender``
(``paymentType`` ``TollFree`` or ``Local`` for 10DLC).  The emulator lists the
account's declared ``numbers``, or ``DEFAULT_NUMBERS`` when none are declared; every
one can send.  An account that declares ``numbers`` sends only from them (another
``from`` is 400 CMN-101, as the spec allows only ``A2PSmsSender`` numbers); one that
declares none may send from any number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .auth import DEFAULT_ACCOUNT_ID, DEFAULT_OWNER_ID, Principal
from .wire import parse_number

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = [
    "ACCOUNT_LIST_FILTERS",
    "DEFAULT_NUMBERS",
    "EXTENSION_LIST_FILTERS",
    "account_numbers",
    "declared_by_account",
    "declared_number",
    "numbers_by_owner",
    "phone_number_list",
    "sender_numbers",
]

#: What an account with no declared ``numbers`` lists (the docs' example sender).
DEFAULT_NUMBERS = ("+16505550100",)

#: The spec's ``PhoneNumberUsageType``: the values a number list's ``usageType`` takes.
USAGE_TYPES = (
    "MainCompanyNumber",
    "AdditionalCompanyNumber",
    "CompanyNumber",
    "DirectNumber",
    "CompanyFaxNumber",
    "FmcBusinessMobileNumber",
    "InventoryFmcBusinessMobileNumber",
    "ForwardedNumber",
    "ForwardedCompanyNumber",
    "ContactCenterNumber",
    "ConferencingNumber",
    "MeetingsNumber",
    "NumberPool",
    "BusinessMobileNumber",
    "ELIN",
    "PartnerBusinessMobileNumber",
    "NumberPoolPartnerBusinessMobileNumber",
    "NumberStorage",
    "IntegrationNumber",
    "InventoryMobileNumber",
)

#: The spec's number ``paymentType`` values (the account-wide list's filter).
PAYMENT_TYPES = (
    "External",
    "TollFree",
    "Local",
    "BusinessMobileNumberProvider",
    "ExternalNumberProvider",
    "ExternalNumberProviderTollFree",
    "Mobile",
)
#: The spec's number ``status`` values.
NUMBER_STATUSES = ("Normal", "Pending", "PortedIn", "Temporary", "Unknown")
#: The spec's ``extensionStatus`` values (the account-wide list's filter).
EXTENSION_STATUSES = ("Enabled", "Disabled", "Frozen", "NotActivated", "Unassigned")

#: Each list's filters (query parameter → the values the spec allows), as RingCentral's
#: current spec gives ``listExtensionPhoneNumbers`` and ``listAccountPhoneNumbers`` them.
EXTENSION_LIST_FILTERS: dict[str, tuple[str, ...]] = {
    "usageType": USAGE_TYPES,
    "status": NUMBER_STATUSES,
}
ACCOUNT_LIST_FILTERS: dict[str, tuple[str, ...]] = {
    "usageType": USAGE_TYPES,
    "paymentType": PAYMENT_TYPES,
    "status": NUMBER_STATUSES,
    "extensionStatus": EXTENSION_STATUSES,
}
#: Every extension here is ``Enabled``, as its lookup (``GET .../extension/~``) says.
_EXTENSION_STATUS = "Enabled"

_TOLL_FREE_CODES = ("800", "833", "844", "855", "866", "877", "888")
#: As RingCentral's High Volume SMS guide shows a number: no ``SmsSender`` (guide code
#: that stops at the first SMS feature it knows would take it for a standard SMS number).
_FEATURES = ["CallerId", "A2PSmsSender"]
_PER_PAGE = 100


_FORMATTING = re.compile(r"[\s\-().]")


def declared_number(value: object) -> str:
    """A scenario's account number as E.164 text: ``"+1 (650) 555-0100"``, ``"1.650.555.0100"``,
    ``16505550100`` and ``"+16505550100"`` are the same number."""
    return parse_number(_FORMATTING.sub("", str(value)))


def account_numbers(emu: Emulator, principal: Principal) -> list[str]:
    """The caller's account's declared numbers, in order, once each."""
    return list(numbers_by_owner(emu, principal))


def declared_by_account(emu: Emulator) -> dict[str, frozenset[str]]:
    """Each declared account's id, in order, with the numbers its entries declare (an
    account is one whichever of its entries, apps, lists them; none: it sends from any)."""
    declared: dict[str, set[str]] = {}
    for entry in emu.scenario.provider_accounts("ringcentral") or []:
        numbers = declared.setdefault(str(entry.get("account_id", DEFAULT_ACCOUNT_ID)), set())
        numbers.update(declared_number(n) for n in entry.get("numbers") or [])
    return {account_id: frozenset(numbers) for account_id, numbers in declared.items()}


def sender_numbers(emu: Emulator, principal: Principal) -> frozenset[str] | None:
    """The numbers the caller's account may send a batch from: its declared ``numbers``
    (None when it declares none: any number may send)."""
    return declared_by_account(emu).get(principal.account_id) or None


def numbers_by_owner(emu: Emulator, principal: Principal) -> dict[str, str]:
    """The caller's account's numbers, in order, each with the ``owner_id`` (extension)
    of the scenario entry that declared it first; the default ones are the caller's."""
    declared: dict[str, str] = {}
    for account in emu.scenario.provider_accounts("ringcentral") or []:
        if str(account.get("account_id", DEFAULT_ACCOUNT_ID)) != principal.account_id:
            continue
        owner = str(account.get("owner_id", DEFAULT_OWNER_ID))
        for number in account.get("numbers") or []:
            declared.setdefault(declared_number(number), owner)
    return declared or dict.fromkeys(DEFAULT_NUMBERS, principal.owner_id)


def _record(index: int, number: str, base: str) -> dict[str, Any]:
    toll_free = number.startswith("+1") and number[2:5] in _TOLL_FREE_CODES
    number_id = 1_000_000 + index  # stable for a given list
    return {
        "uri": f"{base}/{number_id}",
        "id": number_id,
        "phoneNumber": number,
        "paymentType": "TollFree" if toll_free else "Local",
        "type": "VoiceFax",
        "usageType": "DirectNumber",
        "features": list(_FEATURES),
        "status": "Normal",
    }


def _filtered_field(record: dict[str, Any], name: str) -> str:
    return _EXTENSION_STATUS if name == "extensionStatus" else record[name]


def phone_number_list(
    numbers: list[str],
    base: str,
    owners: dict[str, str] | None = None,
    account: str = "",
    *,
    page: int = 1,
    per_page: int = _PER_PAGE,
    filters: Mapping[str, frozenset[str]] | None = None,
) -> dict[str, Any]:
    """The ``GetExtensionPhoneNumbersResponse`` body; ``base`` is the list's URL.

    ``owners`` (number → extension id; ``account``: the account's URL): the account-wide
    list's (``AccountPhoneNumbers``), whose records say whose extension each number is.
    Paged as RingCentral's page-based lists are (``page``, ``perPage``); ``filters``
    (query parameter → values) keeps the records whose field has one of the values
    (every number here is a ``Normal`` ``DirectNumber`` of an ``Enabled`` extension).
    """
    filters = {name: values for name, values in (filters or {}).items() if values}
    records = [_record(i, n, base) for i, n in enumerate(numbers)]
    for name, values in filters.items():
        records = [r for r in records if _filtered_field(r, name) in values]
    if owners is not None:
        for record in records:
            owner = owners[record["phoneNumber"]]
            record["extension"] = {"id": owner, "uri": f"{account}/extension/{owner}"}
    count = len(records)
    pages = max(1, -(-count // per_page))
    start = (page - 1) * per_page
    shown = records[start : start + per_page]

    # the filters stay in every link (sorted: the same bytes from run to run)
    kept = "".join(
        f"{name}={quote(value, safe='')}&"
        for name, values in filters.items()
        for value in sorted(values)
    )

    def link(number: int) -> dict[str, str]:
        return {"uri": f"{base}?{kept}page={number}&perPage={per_page}"}

    paging: dict[str, Any] = {
        "page": page,
        "totalPages": pages,
        "perPage": per_page,
        "totalElements": count,
    }
    if shown:
        paging.update(pageStart=start, pageEnd=start + len(shown) - 1)
    navigation = {"firstPage": link(1)}
    if page < pages:
        navigation["nextPage"] = link(page + 1)
    if 1 < page <= pages:
        navigation["previousPage"] = link(page - 1)
    navigation["lastPage"] = link(pages)
    return {
        "uri": link(page)["uri"],
        "records": shown,
        "paging": paging,
        "navigation": navigation,
    }
