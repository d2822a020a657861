"""Checks the scenario's RingCentral options and accounts when it loads.

``providers: {ringcentral: {...}}`` options:

- ``cost_per_segment``: dollars per SMS segment (default 0.007).

``accounts: {ringcentral: [...]}`` entries (all keys optional):
``client_id``, ``client_secret``, ``jwt`` (one or a list; also ``jwts``),
``username``, ``password``, ``extension``, ``account_id``, ``owner_id``,
``scope`` (space-separated; without ``A2PSMS`` the a2p-sms API answers 403)
and ``numbers`` (the account's A2P numbers: inbound messages to them belong to it,
and ``.../extension/~/phone-number`` lists them).
"""

from __future__ import annotations

from ...core.phone import is_possible_e164
from ...scenario.loader import ScenarioError, is_number, unknown_key
from ...scenario.schema import Scenario
from .numbers import declared_number

__all__ = ["ACCOUNT_KEYS", "OPTION_KEYS", "check_scenario"]

OPTION_KEYS = ("cost_per_segment",)
ACCOUNT_KEYS = (
    "client_id",
    "client_secret",
    "jwt",
    "jwts",
    "username",
    "password",
    "extension",
    "account_id",
    "owner_id",
    "scope",
    "numbers",
)


def check_scenario(scenario: Scenario) -> None:
    """Raise ``ScenarioError`` naming the field if the RingCentral settings are unusable."""
    options = scenario.provider_options("ringcentral")
    if not isinstance(options, dict):
        raise ScenarioError("must be a mapping", field="providers.ringcentral")
    for key, value in options.items():
        field = f"providers.ringcentral.{key}"
        if key not in OPTION_KEYS:
            raise unknown_key(key, OPTION_KEYS, field)
        if not is_number(value, minimum=0):
            raise ScenarioError("must be a finite, non-negative number", field=field)
    accounts = scenario.provider_accounts("ringcentral")
    if accounts is None:
        return
    if not isinstance(accounts, list):
        raise ScenarioError("must be a list of accounts", field="accounts.ringcentral")
    for i, account in enumerate(accounts):
        field = f"accounts.ringcentral[{i}]"
        if not isinstance(account, dict):
            raise ScenarioError("must be a mapping", field=field)
        for key in account:
            if key not in ACCOUNT_KEYS:
                raise unknown_key(key, ACCOUNT_KEYS, f"{field}.{key}")
        _check_numbers(account.get("numbers"), f"{field}.numbers")


def _check_numbers(numbers: object, field: str) -> None:
    """The account's A2P numbers: a list of E.164 numbers (``+`` optional)."""
    if numbers is None:
        return
    if not isinstance(numbers, list | tuple):
        raise ScenarioError("must be a list of phone numbers", field=field)
    for i, number in enumerate(numbers):
        plain = isinstance(number, str | int) and not isinstance(number, bool)
        if not (plain and is_possible_e164(declared_number(number))):
            raise ScenarioError(f"{number!r} is not an E.164 phone number", field=f"{field}[{i}]")
