"""Per-request decisions from the active scenario: outcomes and faults.

Outcome decisions are pure functions of (seed, provider, recipient, text,
occurrence): the same message sent the same number of times always gets the
same outcome, whatever order or thread it arrives in.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .schema import Fault, Match, Scenario

__all__ = ["Decision", "ScenarioEngine", "pattern_matches"]


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: str
    error_code: str | None = None  # scenario override of the provider's code


DELIVERED = Decision("delivered")


@lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    if pattern.startswith("re:"):
        return re.compile(pattern[3:])
    return re.compile(fnmatch.translate(pattern))


def pattern_matches(pattern: str | None, value: str | None) -> bool:
    """Exact value, glob or ``re:`` regex (searched, not anchored)."""
    if pattern is None:
        return True
    if value is None:
        return False
    if pattern.startswith("re:"):
        return _compile(pattern).search(value) is not None
    if not any(ch in pattern for ch in "*?["):
        return pattern == value
    return _compile(pattern).match(value) is not None


def _match(
    when: Match,
    provider: str,
    endpoint: str | None,
    to: str | None = None,
    sender: str | None = None,
    text: str | None = None,
) -> bool:
    return (
        pattern_matches(when.provider, provider)
        and (when.endpoint in (None, "*") or pattern_matches(when.endpoint, endpoint))
        and pattern_matches(when.to, to)
        and pattern_matches(when.sender, sender)
        and pattern_matches(when.text, text)
    )


def _unit_interval(*parts: object) -> float:
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


class ScenarioEngine:
    """Applies one scenario; counters restart when it is replaced or reset."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._occurrences: dict[tuple[str, str, str], int] = {}
            self._fault_calls: dict[int, int] = {}

    def decide(
        self, provider: str, endpoint: str | None, to: str, sender: str | None, text: str
    ) -> Decision:
        """The neutral outcome for one outbound message."""
        rules = self.scenario.rules
        if not rules:
            return DELIVERED
        for rule in rules:
            if _match(rule.when, provider, endpoint, to, sender, text):
                break
        else:
            return DELIVERED
        if len(rule.outcomes) == 1:
            return Decision(rule.outcomes[0][0], rule.error_code)
        key = (provider, to, text)
        with self._lock:
            occurrence = self._occurrences.get(key, 0) + 1
            self._occurrences[key] = occurrence
        point = _unit_interval(self.scenario.seed, provider, to, text, occurrence)
        total = sum(weight for _, weight in rule.outcomes)
        cumulative = 0.0
        for name, weight in rule.outcomes:
            cumulative += weight / total
            if point < cumulative:
                return Decision(name, rule.error_code)
        return Decision(rule.outcomes[-1][0], rule.error_code)

    def fault_for(self, provider: str, endpoint: str) -> dict[str, Any] | None:
        """The first fault that fires for this call, counting every matching fault."""
        fired: dict[str, Any] | None = None
        with self._lock:
            for index, fault in enumerate(self.scenario.faults):
                if not _match(fault.when, provider, endpoint):
                    continue
                count = self._fault_calls.get(index, 0) + 1
                self._fault_calls[index] = count
                if fired is None and _fires(fault, count):
                    fired = fault.respond
        return fired


def _fires(fault: Fault, count: int) -> bool:
    if fault.calls and count in fault.calls:
        return True
    if fault.every and count % fault.every == 0:
        return True
    if fault.first and count <= fault.first:
        return True
    return not (fault.calls or fault.every or fault.first)
