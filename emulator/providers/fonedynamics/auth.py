"""HTTP Basic credentials (AccountSid:Token) and property access.

By default any non-empty AccountSid and Token are accepted and the AccountSid
names the account.  A scenario may declare accounts instead::

    accounts:
      fonedynamics:
        - account_sid: AG5T3HFR5ASD54FS5GB3SDAFJAKSH6DS
          token: secret
          properties: [S7DNJ9KJDS0MDS23DKS9QMZ8DKJSD9KL]   # omitted: any property
          sms_enabled: true                              # false: 403 FORBIDDEN

``properties`` items may also be ``{property_sid: ..., sms_enabled: false}``.
A header that is not valid Base-64 fails like .NET's ``Convert.FromBase64String``
(400 ``FormatException``), as the seed's example error shows.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from .errors import Forbidden, FormatException, Unauthorized

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = ["Account", "authenticate", "check_property"]

_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_BAD_CHARACTER = (
    "The input is not a valid Base-64 string as it contains a non-base 64 character, more than"
    " two padding characters, or an illegal character among the padding characters."
)


@dataclass(frozen=True, slots=True)
class Account:
    sid: str
    #: Property sid → SMS enabled; None when any property is accepted.
    properties: dict[str, bool] | None = None
    sms_enabled: bool = True


@lru_cache(maxsize=256)
def _credentials(header: str | None) -> tuple[str, str]:
    """``(AccountSid, Token)`` from an ``Authorization`` header (a client resends the same one).

    Only answers are cached: a bad header raises afresh every time.
    """
    if not header:
        raise Unauthorized("Authentication required: send HTTP Basic credentials.")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        raise Unauthorized("Authentication required: send HTTP Basic credentials.")
    value = "".join(value.split())
    if len(value) % 4:
        raise FormatException()
    if _BASE64.fullmatch(value) is None:
        raise FormatException(_BAD_CHARACTER)
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise FormatException(_BAD_CHARACTER) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    sid, colon, token = text.partition(":")
    if not colon or not sid or not token:
        raise Unauthorized()
    return sid, token


def _declared(entry: dict[str, Any]) -> tuple[str | None, str | None]:
    sid = entry.get("account_sid", entry.get("AccountSid"))
    token = entry.get("token", entry.get("Token"))
    return (None if sid is None else str(sid)), (None if token is None else str(token))


def _properties(entry: dict[str, Any]) -> dict[str, bool] | None:
    items = entry.get("properties")
    if items is None:
        return None
    found: dict[str, bool] = {}
    for item in items:
        if isinstance(item, dict):
            sid = item.get("property_sid", item.get("sid", item.get("PropertySid")))
            if sid is not None:
                found[str(sid)] = bool(item.get("sms_enabled", True))
        else:
            found[str(item)] = True
    return found


@lru_cache(maxsize=256)
def _open_account(sid: str) -> Account:
    """The account of any credentials when none are declared (immutable: shared)."""
    return Account(sid)


def authenticate(emu: Emulator, request: Request) -> Account:
    """The caller's account, or ``Unauthorized`` (401 + ``WWW-Authenticate``)."""
    sid, token = _credentials(request.headers.get("authorization"))
    declared = emu.scenario.provider_accounts("fonedynamics")
    if declared is None:
        return _open_account(sid)
    for entry in declared:
        if not isinstance(entry, dict):
            continue
        account_sid, account_token = _declared(entry)
        if account_sid != sid:
            continue
        if account_token is None or not hmac.compare_digest(account_token.encode(), token.encode()):
            break
        return Account(sid, _properties(entry), bool(entry.get("sms_enabled", True)))
    raise Unauthorized()


def check_property(account: Account, property_sid: str) -> None:
    """Raise ``Forbidden`` unless the account may send SMS from ``property_sid``."""
    if not account.sms_enabled:
        raise Forbidden("SMS is not enabled for this account.")
    if account.properties is None:
        return
    enabled = account.properties.get(property_sid)
    if enabled is None:
        raise Forbidden(
            "The property does not exist or does not belong to this account.",
            fields=("PropertySid",),
        )
    if not enabled:
        raise Forbidden("SMS is not enabled for this property.", fields=("PropertySid",))
