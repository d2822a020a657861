"""Checks the scenario's RingCentral options and accounts when it loads.

``providers: {ringcentral: {...}}`` options:

- ``cost_per_segment``: dollars per SMS segment (default 0.007).
- ``subscriptions_limit``: webhook subscriptions a user may hold through one client
  application at a time (default 30; a whole number, 0 refuses every one).

``accounts: {ringcentral: [...]}`` entries (all keys optional):
``client_id``, ``client_secret``, ``jwt`` (one or a list; also ``jwts``),
``username``, ``password``, ``extension``, ``account_id``, ``owner_id``,
``scope`` (space-separated; without ``A2PSMS`` the a2p-sms API answers 403)
and ``numbers`` (the account's A2P numbers: inbound messages to them belong to it,
and ``.../extension/~/phone-number`` lists them).  Entries with the same ids are one
user (see ``_check_users``).
"""

from __future__ import annotations

from ...core.phone import is_possible_e164
from ...scenario.loader import ScenarioError, is_number, unknown_key
from ...scenario.schema import Scenario
from .auth import DEFAULT_ACCOUNT_ID, DEFAULT_OWNER_ID
from .identity import user_emails
from .numbers import declared_number

__all__ = ["ACCOUNT_KEYS", "OPTION_KEYS", "check_scenario"]

OPTION_KEYS = ("cost_per_segment", "subscriptions_limit")
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
        if key == "subscriptions_limit":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ScenarioError("must be a whole number, 0 or more", field=field)
        elif not is_number(value, minimum=0):
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
    _check_users(accounts)


def _check_users(accounts: list[dict[str, object]]) -> None:
    """Entries with the same ``account_id`` and ``owner_id`` (both default when left out)
    are one user, logging in through several apps.  Two of them that cannot be the
    same person (two extension numbers, or email addresses with none in common) were
    surely meant as two users: refused, rather than shown as one."""
    seen: dict[tuple[str, str], tuple[int, str | None, set[str]]] = {}
    for i, account in enumerate(accounts):
        user = (
            str(account.get("account_id", DEFAULT_ACCOUNT_ID)),
            str(account.get("owner_id", DEFAULT_OWNER_ID)),
        )
        declared = account.get("extension")
        extension = None if declared is None else str(declared)
        emails = _emails(account)
        if user not in seen:
            seen[user] = (i, extension, emails)
            continue
        j, known_extension, known_emails = seen[user]
        clash = None
        if extension is not None and known_extension is not None and extension != known_extension:
            clash = "extension", known_extension
        elif emails and known_emails and emails.isdisjoint(known_emails):
            clash = "username", ", ".join(sorted(known_emails))
        if clash is not None:
            key, there = clash
            raise ScenarioError(
                f"the same user as accounts.ringcentral[{j}] (account_id {user[0]},"
                f" owner_id {user[1]}) with another {key} ({there} there):"
                " give each user its own owner_id",
                field=f"accounts.ringcentral[{i}].{key}",
            )
        seen[user] = (j, known_extension or extension, known_emails | emails)


def _emails(account: dict[str, object]) -> set[str]:
    return {email.lower() for email in user_emails(account)}


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
