"""The scenario's sendbulk settings, parsed once per scenario.

``providers: {sendbulk: {...}}`` options:

- ``brand``: profile name (default ``advanta``; see ``brands.py``);
- ``code_key``: ``response-code``, ``respose-code`` or ``both`` (overrides the brand);
- ``code_type``: ``number`` or ``string``, the JSON type of code values (overrides it);
- ``batch_limit``: items per sendbulk and numbers per sendsms list (overrides both);
- ``default_balance``: SMS units of an account with no declared balance (default 10000);
- ``dlr_callback_url``, ``inbound_url``: used for accounts that set none
  (with open credentials, for every partner).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from ...core.suggest import did_you_mean
from ...scenario.loader import ScenarioError, is_number, rule_providers
from ...scenario.schema import Scenario
from .auth import Account, AccountConfigError, parse_accounts, webhook_url
from .brands import Brand, BrandConfigError, brand_from_options
from .errors import DESCRIPTIONS, ConfigurationError
from .wire import Rows

__all__ = ["DEFAULT_BALANCE", "Config", "check_scenario", "config_for"]

DEFAULT_BALANCE = 10000.0
_OPTION_KEYS = (
    "brand",
    "code_key",
    "code_type",
    "batch_limit",
    "default_balance",
    "dlr_callback_url",
    "inbound_url",
)


@dataclass(frozen=True, slots=True)
class Config:
    brand: Brand
    accounts: tuple[Account, ...] | None
    default_balance: float = DEFAULT_BALANCE
    dlr_callback_url: str | None = None
    inbound_url: str | None = None
    _rows: dict[str, Rows] = field(default_factory=dict, init=False, repr=False, compare=False)

    def rows(self, endpoint: str) -> Rows:
        """The row writer of ``endpoint`` under this brand (built once)."""
        rows = self._rows.get(endpoint)
        if rows is None:
            rows = self._rows[endpoint] = Rows(self.brand, endpoint)
        return rows

    def initial_balance(self, account: Account) -> float:
        return self.default_balance if account.balance is None else account.balance

    def callback_url(self, account: Account) -> str | None:
        return account.dlr_callback_url or self.dlr_callback_url

    def inbound_url_for(self, account: Account | None) -> str | None:
        return (account.inbound_url if account else None) or self.inbound_url


def _refuse(field: str, reason: str) -> ConfigurationError:
    return ConfigurationError(note=f"scenario {field}: {reason}", field=field, reason=reason)


def _parse(scenario: Scenario) -> Config:
    options = scenario.provider_options("sendbulk") or {}
    if not isinstance(options, dict):
        raise _refuse("providers.sendbulk", "must be a mapping")
    for key in options:
        if key not in _OPTION_KEYS:
            hint = did_you_mean(key, _OPTION_KEYS, listing="known")
            raise _refuse(f"providers.sendbulk.{key}", f"unknown option {key!r}{hint}")
    balance = options.get("default_balance", DEFAULT_BALANCE)
    if not is_number(balance, minimum=0):
        raise _refuse("providers.sendbulk.default_balance", "must be a finite, non-negative number")
    try:
        brand = brand_from_options(options)
    except BrandConfigError as exc:
        raise _refuse(f"providers.sendbulk.{exc.option}", str(exc)) from None
    urls = {}
    for key in ("dlr_callback_url", "inbound_url"):
        try:
            urls[key] = webhook_url(options.get(key), key)
        except AccountConfigError as exc:
            raise _refuse(f"providers.sendbulk.{key}", str(exc)) from None
    try:
        accounts = parse_accounts(scenario.provider_accounts("sendbulk"))
    except AccountConfigError as exc:
        raise _refuse(f"accounts.sendbulk{exc.at}", str(exc)) from None
    return Config(brand=brand, accounts=accounts, default_balance=float(balance), **urls)


_cache: tuple[Scenario, Config] | None = None
_lock = threading.Lock()


def config_for(scenario: Scenario) -> Config:
    """The settings of ``scenario``; raises ConfigurationError (1007 with a note) if unusable."""
    global _cache
    cached = _cache
    if cached is not None and cached[0] is scenario:
        return cached[1]
    config = _parse(scenario)
    with _lock:
        _cache = (scenario, config)
    return config


def check_scenario(scenario: Scenario) -> None:
    """Refuse (``ValueError``) a scenario whose sendbulk options or accounts are unusable,
    or whose ``invalid_number`` rule gives sendbulk a code no refused row can have."""
    try:
        _parse(scenario)
    except ConfigurationError as exc:
        raise ScenarioError(exc.extra["reason"], field=exc.extra["field"]) from None
    _check_row_codes(scenario)


def _check_row_codes(scenario: Scenario) -> None:
    """With ``invalid_number`` a rule's code replaces the row's 1003 if it is a gateway
    code; another one was ignored without a word.  A code meant for sendbulk (named for
    it, on a rule only sendbulk matches, or all digits: no other provider's codes are)
    on a rule sendbulk can match, whose only outcome is ``invalid_number``, must be one."""
    for index, rule in enumerate(scenario.rules):
        reached = rule_providers(rule.when)
        if "sendbulk" not in reached:
            continue  # a rule sendbulk never sees
        if any(name != "invalid_number" and weight > 0 for name, weight in rule.outcomes):
            continue  # the code is also the description of the share failing later
        code = rule.code_for("sendbulk")
        named = any(provider == "sendbulk" for provider, _ in rule.error_codes)
        only = reached == {"sendbulk"}  # `provider: sendbulk`, or `endpoint: sendsms`...
        if code is None or not (named or only or code.isdigit()):
            continue
        if code.isdigit() and int(code) in DESCRIPTIONS:
            continue
        known = ", ".join(str(c) for c in sorted(DESCRIPTIONS))
        raise ScenarioError(
            f"{code!r} is no gateway code: with invalid_number, the sendbulk row's code"
            f" (1003) is replaced by one of {known}",
            field=f"rules[{index}].error_code" + (".sendbulk" if named else ""),
        )
