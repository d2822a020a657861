"""``GET /restapi/v1.0/account/{accountId}`` and ``.../extension/{extensionId}``.

A2P apps call these right after logging in (RingCentral's own High Volume SMS
sample app reads ``account.id`` and the user's ``contact`` there), so a client
that does must get an answer.  The emulator knows an account by its scenario
entry: ids, the extension number, the declared numbers and, for a password
login, the username.  The rest are fixed, plausible values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .auth import DEFAULT_ACCOUNT_ID, DEFAULT_OWNER_ID, Principal
from .numbers import account_numbers

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = ["DEFAULT_EXTENSION", "account_info", "extension_info", "user_emails"]

#: The extension number of a scenario account that declares none.
DEFAULT_EXTENSION = "101"
_INT64_MAX = 2**63 - 1


def _numeric(value: str) -> int | str:
    """An id as the spec types it (int64); a scenario id that is not one (letters, a
    leading zero) stays text, as clients build URLs from it."""
    digits = value.isascii() and value.isdigit() and len(value) <= 19  # int() caps digits
    if digits and str(int(value)) == value and int(value) <= _INT64_MAX:
        return int(value)
    return value


def _user_entries(emu: Emulator, principal: Principal) -> list[dict[str, Any]]:
    """The scenario entries of the caller's user: those with its account and owner ids
    (one user may log in through several apps; the scenario check keeps them agreeing)."""
    return [
        account
        for account in emu.scenario.provider_accounts("ringcentral") or []
        if str(account.get("account_id", DEFAULT_ACCOUNT_ID)) == principal.account_id
        and str(account.get("owner_id", DEFAULT_OWNER_ID)) == principal.owner_id
    ]


def user_emails(account: dict[str, Any]) -> list[str]:
    """An entry's usernames that are email addresses (a username may be a phone number)."""
    usernames = account.get("username", [])
    names = [str(u) for u in (usernames if isinstance(usernames, list) else [usernames])]
    return [name for name in names if "@" in name]


def account_info(emu: Emulator, principal: Principal, origin: str) -> dict[str, Any]:
    """The ``GetAccountInfoResponse`` body; ``origin`` is ``scheme://host``."""
    main_number = account_numbers(emu, principal)[0]
    uri = f"{origin}/restapi/v1.0/account/{principal.account_id}"
    return {
        "uri": uri,
        "id": _numeric(principal.account_id),
        "serviceInfo": {
            "uri": f"{uri}/service-info",
            "brand": {"id": "1210", "name": "RingCentral", "homeCountry": {"id": "1"}},
        },
        "operator": {
            "uri": f"{uri}/extension/{principal.owner_id}",
            "id": _numeric(principal.owner_id),
            "extensionNumber": _extension_number(emu, principal),
        },
        "mainNumber": main_number,
        "status": "Confirmed",
        "setupWizardState": "Completed",
        "federated": False,
        "cfid": main_number.lstrip("+"),
    }


def _extension_number(emu: Emulator, principal: Principal) -> str:
    for account in _user_entries(emu, principal):
        if account.get("extension") is not None:
            return str(account["extension"])
    return DEFAULT_EXTENSION


def extension_info(emu: Emulator, principal: Principal, origin: str) -> dict[str, Any]:
    """The ``GetExtensionInfoResponse`` body of the caller's own extension."""
    account_uri = f"{origin}/restapi/v1.0/account/{principal.account_id}"
    uri = f"{account_uri}/extension/{principal.owner_id}"
    emails = [email for entry in _user_entries(emu, principal) for email in user_emails(entry)]
    email = emails[0] if emails else f"user{principal.owner_id}@example.com"
    main_number = account_numbers(emu, principal)[0]
    return {
        "uri": uri,
        "id": _numeric(principal.owner_id),
        "extensionNumber": _extension_number(emu, principal),
        "contact": {
            "firstName": "A2P",
            "lastName": "Sender",
            "email": email,
            "businessPhone": main_number,
            "emailAsLoginName": bool(emails),
        },
        "name": "A2P Sender",
        "type": "User",
        "status": "Enabled",
        "permissions": {"admin": {"enabled": True}, "internationalCalling": {"enabled": False}},
        "profileImage": {"uri": f"{uri}/profile-image"},
        "account": {"uri": account_uri, "id": principal.account_id},
        "setupWizardState": "Completed",
        "hidden": False,
    }
