"""The scenario model (provider-neutral; providers read their own options)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.lifecycle import Timing

__all__ = ["SCHEMA_VERSION", "Fault", "Match", "RateLimit", "Rule", "Scenario"]

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Match:
    """Conditions a request or message must meet; ``None`` matches anything.

    String patterns: exact value, glob (``*``, ``?``) or ``re:<regex>``.
    """

    provider: str | None = None
    endpoint: str | None = None
    to: str | None = None
    sender: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    when: Match
    #: outcome name → weight (a single outcome has weight 1.0)
    outcomes: tuple[tuple[str, float], ...]
    error_code: str | None = None


@dataclass(frozen=True, slots=True)
class Fault:
    when: Match
    respond: dict[str, Any]
    calls: tuple[int, ...] = ()  # the Nth matching calls (1-based)
    every: int | None = None  # every Nth matching call
    first: int | None = None  # the first N matching calls


@dataclass(frozen=True, slots=True)
class RateLimit:
    requests: int
    per: float


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str = "happy-path"
    description: str = ""
    version: int = SCHEMA_VERSION
    seed: int = 0
    timing: Timing = field(default_factory=Timing)
    rules: tuple[Rule, ...] = ()
    faults: tuple[Fault, ...] = ()
    rate_limits: dict[str, RateLimit] = field(default_factory=dict)
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)
    accounts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)  # the document as loaded

    def provider_options(self, provider: str) -> dict[str, Any]:
        return self.providers.get(provider, {})

    def provider_accounts(self, provider: str) -> list[dict[str, Any]] | None:
        """Declared accounts, or None when any credentials are accepted."""
        return self.accounts.get(provider)
