"""The scenario model (provider-neutral; providers read their own options).

The file format these classes are loaded from is documented, with every key,
in ``docs/scenarios.md``; ``SCHEMA_VERSION`` is the ``version:`` it describes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.lifecycle import Timing
from ..core.models import Status
from ..core.webhooks import RETRY_DELAYS

__all__ = [
    "FAULT_KINDS",
    "PROVIDER_NAMES",
    "SCHEMA_VERSION",
    "Fault",
    "Match",
    "Pattern",
    "RateLimit",
    "Rule",
    "Scenario",
    "Webhooks",
    "counted_fires",
]

SCHEMA_VERSION = 1

#: Providers a scenario may name (the emulator serves exactly these).
PROVIDER_NAMES = ("ringcentral", "fonedynamics", "sendbulk")

#: Keys of a fault's ``respond`` mapping.
FAULT_KINDS = ("status", "retry_after", "delay", "drop", "truncate", "malformed")

#: A match pattern: exact value, glob, ``re:<regex>``, or any of several.
Pattern = str | tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class Match:
    """Conditions a request or message must meet; ``None`` matches anything.

    String patterns: exact value, glob (``*``, ``?``, ``[...]``) or
    ``re:<regex>`` (searched, not anchored); a tuple matches if any does.
    """

    provider: Pattern = None
    endpoint: Pattern = None
    to: Pattern = None
    sender: Pattern = None
    text: Pattern = None


def counted_fires(count: int, nth: tuple[int, ...], every: int | None, first: int | None) -> bool:
    """Whether the ``count``-th matching call or message (1-based) is one of those named:
    listed in ``nth``, a multiple of ``every`` or among the ``first``; any, if none is set."""
    if not (nth or every or first):
        return True
    return count in nth or bool(every and count % every == 0) or bool(first and count <= first)


@dataclass(frozen=True, slots=True)
class Rule:
    """One ``rules:`` entry: the first rule whose ``when`` matches (and whose count,
    if it keeps one, names the message) decides."""

    when: Match
    #: outcome name → weight (a single outcome has weight 1.0)
    outcomes: tuple[tuple[str, float], ...]
    #: scenario override of the provider's failure code, for every provider
    error_code: str | None = None
    #: explicit ``(seconds after dispatch, status)`` steps (``outcome: {sequence: ...}``)
    sequence: tuple[tuple[float, Status], ...] | None = None
    #: per-provider overrides (``error_code: {ringcentral: SMS-CAR-411, ...}``)
    error_codes: tuple[tuple[str, str], ...] = ()
    #: the Nth messages matching ``when`` (1-based) this rule decides
    messages: tuple[int, ...] = ()
    every: int | None = None  # every Nth matching message
    first: int | None = None  # the first N matching messages

    @property
    def counts(self) -> bool:
        """Whether the rule decides only some of the messages its ``when`` matches."""
        return bool(self.messages or self.every or self.first)

    def fires(self, count: int) -> bool:
        """Whether the ``count``-th message matching ``when`` (1-based) is this rule's."""
        return counted_fires(count, self.messages, self.every, self.first)

    def code_for(self, provider: str) -> str | None:
        """The failure-code override for ``provider``, if the rule sets one."""
        for name, code in self.error_codes:
            if name == provider:
                return code
        return self.error_code


@dataclass(frozen=True, slots=True)
class Fault:
    """One ``faults:`` entry; counts are of calls matching ``when``.

    With none of ``calls``/``every``/``first`` set, every matching call faults.
    """

    when: Match
    #: what to do: a subset of ``FAULT_KINDS`` (durations already in seconds)
    respond: dict[str, Any]
    calls: tuple[int, ...] = ()  # the Nth matching calls (1-based)
    every: int | None = None  # every Nth matching call
    first: int | None = None  # the first N matching calls

    def fires(self, count: int) -> bool:
        """Whether the ``count``-th matching call (1-based) gets this fault."""
        return counted_fires(count, self.calls, self.every, self.first)


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A token bucket: ``requests`` per ``per`` seconds, refilled continuously.

    With ``penalty``, running dry blocks callers for that long and each
    refused request restarts the block (RingCentral's documented rule).
    """

    requests: int
    per: float
    penalty: float | None = None


@dataclass(frozen=True, slots=True)
class Webhooks:
    """How webhooks are delivered: the waits (seconds of emulator time) before each retry."""

    retries: tuple[float, ...] = RETRY_DELAYS


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str = "happy-path"
    description: str = ""
    version: int = SCHEMA_VERSION
    seed: int = 0
    timing: Timing = field(default_factory=Timing)
    rules: tuple[Rule, ...] = ()
    faults: tuple[Fault, ...] = ()
    #: ``"provider"`` or ``"provider.group"`` → bucket
    rate_limits: dict[str, RateLimit] = field(default_factory=dict)
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)
    accounts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    webhooks: Webhooks = field(default_factory=Webhooks)
    source: dict[str, Any] = field(default_factory=dict)  # the document as loaded

    def provider_options(self, provider: str) -> dict[str, Any]:
        return self.providers.get(provider, {})

    def provider_accounts(self, provider: str) -> list[dict[str, Any]] | None:
        """Declared accounts, or None when any credentials are accepted."""
        return self.accounts.get(provider)
