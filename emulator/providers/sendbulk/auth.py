"""Partner accounts and credential checks.

Without ``accounts: {sendbulk: [...]}`` in the scenario any non-empty
``partnerID`` + ``apikey`` pair is accepted and gets an account of its own
(default balance, any sender id).  Declared accounts make the refusal paths
testable::

    accounts:
      sendbulk:
        - partnerID: "1234"          # string or number
          apikey: "k3y"
          balance: 100               # SMS units (default: providers.sendbulk.default_balance)
          shortcodes: [SHOP]         # assigned sender ids (omit: any)
          networks: [1, 2]           # networks the account may send to (omit: all)
          dlr_callback_url: http://127.0.0.1:9000/dlr
          inbound_url: http://127.0.0.1:9000/inbound
          inbound_interactive: false # true: {shortcode, msisdn, message, partnerId}
          inbound_method: POST       # or GET (query string)
          username: shop             # childID for the reseller credit API
          msisdns: ["254712345678"]  # numbers a hashed recipient may resolve to

``pass_type`` ``"plain"`` (or absent) sends the key as is; ``"bm5"`` sends it
Base64-encoded; anything else is 1006.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ...core.suggest import did_you_mean
from ...core.webhooks import is_webhook_url
from ...scenario.loader import is_number
from .errors import InvalidCredentials, MissingApiKey, MissingPartnerId
from .php import php_float, php_string

__all__ = [
    "Account",
    "AccountConfigError",
    "authenticate",
    "find_account",
    "parse_accounts",
    "text",
]

_ACCOUNT_KEYS = (
    "partnerID",
    "apikey",
    "balance",
    "shortcodes",
    "networks",
    "dlr_callback_url",
    "inbound_url",
    "inbound_interactive",
    "inbound_method",
    "username",
    "msisdns",
)


class AccountConfigError(ValueError):
    """The scenario's ``accounts.sendbulk`` list cannot be used.

    ``at`` is where, below the list or the options (``[1].balance``, ``inbound_url``).
    """

    def __init__(self, reason: str, at: str = "") -> None:
        super().__init__(reason)
        self.at = at


@dataclass(frozen=True, slots=True)
class Account:
    """A partner account (declared in the scenario or made up for open credentials)."""

    partner_id: str
    apikey: str
    balance: float | None = None  # None: the scenario's default balance
    shortcodes: frozenset[str] | None = None  # None: any sender id
    networks: frozenset[int] | None = None  # None: every network
    dlr_callback_url: str | None = None
    inbound_url: str | None = None
    inbound_interactive: bool = False
    inbound_method: str = "POST"
    username: str | None = None
    msisdns: tuple[str, ...] = ()
    declared: bool = False


def text(value: Any) -> str:
    """A request field as text: numbers as their digits, missing as ``""``."""
    if type(value) is str:
        return value.strip()
    if value is None or isinstance(value, bool | dict | list):
        return ""
    if isinstance(value, float):
        return php_float(value)  # as PHP prints it: 1234.0 is partner 1234, 1e20 "1.0E+20"
    return str(value).strip()


def webhook_url(value: Any, field: str) -> str | None:
    """A callback URL option: absent, ``false`` or blank is none; else an http(s) URL."""
    if value is None or value is False or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or not is_webhook_url(value):
        raise AccountConfigError(f"must be an absolute http or https URL, not {value!r}", field)
    return value.strip()


def _strings(value: Any, field: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise AccountConfigError("must be a list", field)
    return tuple(text(v) for v in value)


def _parse_account(index: int, data: Any) -> Account:
    where = f"[{index}]"
    if not isinstance(data, dict):
        raise AccountConfigError("must be a mapping", where)
    for key in data:
        if key not in _ACCOUNT_KEYS:
            hint = did_you_mean(key, _ACCOUNT_KEYS)
            raise AccountConfigError(f"unknown key {key!r}{hint}", f"{where}.{key}")
    partner, key = text(data.get("partnerID")), text(data.get("apikey"))
    if not partner or not key:
        raise AccountConfigError("needs a partnerID and an apikey", where)
    balance = data.get("balance")
    if balance is not None and not is_number(balance, minimum=0):  # as default_balance
        raise AccountConfigError("must be a finite, non-negative number", f"{where}.balance")
    shortcodes = data.get("shortcodes")
    networks = data.get("networks")
    if networks is not None and not (
        isinstance(networks, list) and all(isinstance(n, int) for n in networks)
    ):
        raise AccountConfigError("must be a list of networkids (1, 2, 3)", f"{where}.networks")
    interactive = data.get("inbound_interactive")
    if interactive is None:
        interactive = False
    elif not isinstance(interactive, bool):  # "false" would read as true
        raise AccountConfigError(
            f"must be true or false, not {interactive!r}", f"{where}.inbound_interactive"
        )
    method = text(data.get("inbound_method") or "POST").upper()
    if method not in ("GET", "POST"):
        raise AccountConfigError("must be GET or POST", f"{where}.inbound_method")
    return Account(
        partner_id=partner,
        apikey=key,
        balance=None if balance is None else float(balance),
        shortcodes=None
        if shortcodes is None
        else frozenset(_strings(shortcodes, where + ".shortcodes")),
        networks=None if networks is None else frozenset(networks),
        dlr_callback_url=webhook_url(data.get("dlr_callback_url"), where + ".dlr_callback_url"),
        inbound_url=webhook_url(data.get("inbound_url"), where + ".inbound_url"),
        inbound_interactive=interactive,
        inbound_method=method,
        username=text(data.get("username")) or None,
        msisdns=_strings(data.get("msisdns") or [], where + ".msisdns"),
        declared=True,
    )


def parse_accounts(data: Any) -> tuple[Account, ...] | None:
    """Declared accounts from the scenario, or None when any credentials are accepted."""
    if data is None:
        return None
    if not isinstance(data, list):
        raise AccountConfigError("must be a list of accounts")
    accounts = tuple(_parse_account(i, item) for i, item in enumerate(data))
    seen: dict[str, int] = {}
    for index, account in enumerate(accounts):
        first = seen.get(account.partner_id)
        if first is not None:
            raise AccountConfigError(
                f"partnerID {account.partner_id} is declared twice (first at [{first}])",
                f"[{index}].partnerID",
            )
        seen[account.partner_id] = index
    return accounts


def _key_as_sent(apikey: str, pass_type: Any) -> str:
    # As PHP casts it: true is "1" and a list "Array", neither a pass type (false is "").
    kind = php_string(pass_type).strip().lower()
    if kind in ("", "plain"):
        return apikey
    if kind == "bm5":
        try:
            return base64.b64decode(apikey, validate=True).decode("utf-8").strip()
        except ValueError:  # bad Base64 (binascii.Error), non-ASCII text, not UTF-8
            raise InvalidCredentials() from None
    raise InvalidCredentials()


def authenticate(accounts: tuple[Account, ...] | None, fields: dict[str, Any]) -> Account:
    """The account ``fields`` (``partnerID``, ``apikey``, ``pass_type``) log in to.

    Raises 4091 (no partner id), 4092 (no key) or 1006 (wrong pair).
    """
    partner = text(fields.get("partnerID"))
    if not partner:
        raise MissingPartnerId()
    apikey = text(fields.get("apikey"))
    if not apikey:
        raise MissingApiKey()
    apikey = _key_as_sent(apikey, fields.get("pass_type"))
    if not apikey:
        raise InvalidCredentials()
    if accounts is None:
        return _open_account(partner, apikey)
    for account in accounts:
        if account.partner_id == partner:
            if account.apikey == apikey:
                return account
            break
    raise InvalidCredentials()


# A frozen dataclass of 12 fields costs a microsecond or two to build, and
# clients log in with the same pair on every request; Accounts are immutable.
def _open_account(partner: str, apikey: str) -> Account:
    """The account open credentials log in to (no declared accounts).

    Shared between requests (Accounts are immutable), except for long
    credentials: a cache entry keeps its strings alive.
    """
    if len(partner) + len(apikey) > 256:
        return Account(partner_id=partner, apikey=apikey)
    return _shared_open_account(partner, apikey)


@lru_cache(maxsize=1024)
def _shared_open_account(partner: str, apikey: str) -> Account:
    return Account(partner_id=partner, apikey=apikey)


def find_account(accounts: tuple[Account, ...] | None, child: str) -> Account | None:
    """A declared account by partner id or username (the credit API's ``childID``)."""
    for account in accounts or ():
        if child in (account.partner_id, account.username):
            return account
    return None
