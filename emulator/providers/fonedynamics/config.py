"""Checks the scenario's Fone Dynamics options and accounts when it loads.

Fone Dynamics takes no ``providers: {fonedynamics: {...}}`` options.

``accounts: {fonedynamics: [...]}`` entries (read by ``auth.py``):
``account_sid`` (or ``AccountSid``) and ``token`` (or ``Token``), both
required; ``sms_enabled`` (boolean, default true); ``properties`` (omitted:
any PropertySid), a list of property sids or of mappings with
``property_sid`` (or ``sid``, ``PropertySid``) and ``sms_enabled``.
"""

from __future__ import annotations

from typing import Any

from ...scenario.loader import ScenarioError, unknown_key
from ...scenario.schema import Scenario

__all__ = ["ACCOUNT_KEYS", "OPTION_KEYS", "PROPERTY_KEYS", "check_scenario"]

OPTION_KEYS: tuple[str, ...] = ()
ACCOUNT_KEYS = ("account_sid", "AccountSid", "token", "Token", "sms_enabled", "properties")
PROPERTY_KEYS = ("property_sid", "sid", "PropertySid", "sms_enabled")
#: Each setting's spellings; ``auth.py`` reads the first one given.
_SID, _TOKEN = ("account_sid", "AccountSid"), ("token", "Token")
_PROPERTY_SID = ("property_sid", "sid", "PropertySid")


def _unknown(key: object, known: tuple[str, ...], field: str) -> ScenarioError:
    if not known:
        return ScenarioError(f"unknown key {key!r} (Fone Dynamics takes no options)", field=field)
    return unknown_key(key, known, field)


def _check_keys(data: dict[Any, Any], known: tuple[str, ...], field: str) -> None:
    for key in data:
        if key not in known:
            raise _unknown(key, known, f"{field}.{key}")


def _sid(data: dict[Any, Any], names: tuple[str, ...], field: str) -> str:
    """The one non-empty string (or integer) given under one of ``names``."""
    given = [name for name in names if name in data]
    if not given:
        raise ScenarioError(f"{names[0]} is required", field=field)
    if len(given) > 1:
        raise ScenarioError(f"give only one of {', '.join(given)}", field=f"{field}.{given[1]}")
    value = data[given[0]]
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise ScenarioError("must be a non-empty string", field=f"{field}.{given[0]}")
    return str(value)


def _flag(data: dict[Any, Any], field: str) -> None:
    if not isinstance(data.get("sms_enabled", True), bool):
        raise ScenarioError("must be true or false", field=f"{field}.sms_enabled")


def _check_properties(items: Any, field: str) -> None:
    if not isinstance(items, list):
        raise ScenarioError("must be a list of property sids", field=field)
    for i, item in enumerate(items):
        at = f"{field}[{i}]"
        if isinstance(item, dict):
            _check_keys(item, PROPERTY_KEYS, at)
            _sid(item, _PROPERTY_SID, at)
            _flag(item, at)
        elif isinstance(item, bool) or not isinstance(item, str | int) or item == "":
            raise ScenarioError("must be a property sid or a mapping", field=at)


def _check_account(account: dict[Any, Any], field: str) -> str:
    """The account's sid, once its settings are found usable."""
    _check_keys(account, ACCOUNT_KEYS, field)
    sid = _sid(account, _SID, field)
    _sid(account, _TOKEN, field)
    _flag(account, field)
    if account.get("properties") is not None:
        _check_properties(account["properties"], f"{field}.properties")
    return sid


def check_scenario(scenario: Scenario) -> None:
    """Raise ``ScenarioError`` naming the field if the Fone Dynamics settings are unusable."""
    options = scenario.provider_options("fonedynamics")
    if not isinstance(options, dict):
        raise ScenarioError("must be a mapping", field="providers.fonedynamics")
    _check_keys(options, OPTION_KEYS, "providers.fonedynamics")
    accounts = scenario.provider_accounts("fonedynamics")
    if accounts is None:
        return
    if not isinstance(accounts, list):
        raise ScenarioError("must be a list of accounts", field="accounts.fonedynamics")
    seen: dict[str, int] = {}
    for i, account in enumerate(accounts):
        field = f"accounts.fonedynamics[{i}]"
        if not isinstance(account, dict):
            raise ScenarioError("must be a mapping", field=field)
        sid = _check_account(account, field)
        if sid in seen:
            raise ScenarioError(
                f"account {sid!r} is declared twice (first at [{seen[sid]}])", field=field
            )
        seen[sid] = i
