"""Per-request decisions from the active scenario: outcomes and faults.

Outcome decisions are pure functions of (seed, provider, recipient, text,
occurrence): the same message sent the same number of times always gets the
same outcome, whatever order or thread it arrives in.  The same hash, with a
different label, picks each message's timing jitter.

Fault decisions count calls: every fault counts the calls matching its
``when`` (whether or not an earlier fault fired), so "the 2nd call to
create_batch" means the same call whatever other faults a scenario has.  A rule
with ``messages``/``every``/``first`` counts the messages matching its ``when``
the same way (whether or not an earlier rule decided them), in the order they
are decided.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..core.lifecycle import jitter_level, plan_for, plan_from_steps
from ..core.models import Plan
from .schema import Match, Pattern, Rule, Scenario

__all__ = [
    "DELIVERED",
    "Decision",
    "PlannedOutcome",
    "ScenarioEngine",
    "pattern_matches",
    "unit_interval",
]


class PlannedOutcome(str):
    """A neutral outcome name that carries its message's own plan.

    Used for status sequences and jittered timing.  It compares and hashes
    as the plain name, so provider mapping tables keyed by outcome still
    work; ``Emulator.plan(outcome, code)`` notices ``.plan`` and uses it.
    """

    plan: Plan

    def __new__(cls, name: str, plan: Plan) -> PlannedOutcome:
        self = super().__new__(cls, name)
        self.plan = plan
        return self


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: str
    error_code: str | None = None  # scenario override of the provider's code
    #: the counting rules that counted the message (see ``ScenarioEngine.take_back``)
    counted: tuple[int, ...] = field(default=(), compare=False)

    @property
    def plan(self) -> Plan | None:
        """This message's own plan (status sequence or jitter), if it has one."""
        return getattr(self.outcome, "plan", None)


#: The decision of every message a scenario without rules or jitter sees.
DELIVERED = Decision("delivered")


@lru_cache(maxsize=4096)
def _compile(pattern: str) -> re.Pattern[str]:
    if pattern.startswith("re:"):
        return re.compile(pattern[3:])
    return re.compile(fnmatch.translate(pattern))


def _one_matches(pattern: str, value: str) -> bool:
    if pattern.startswith("re:"):
        return _compile(pattern).search(value) is not None
    if not any(ch in pattern for ch in "*?["):
        return pattern == value
    return _compile(pattern).match(value) is not None


def pattern_matches(pattern: Pattern, value: str | None) -> bool:
    """Exact value, glob or ``re:`` regex (searched, not anchored); a tuple: any of them.

    ``None`` matches anything; a pattern never matches a missing value.
    """
    if pattern is None:
        return True
    if value is None:
        return False
    if isinstance(pattern, tuple):
        return any(_one_matches(p, value) for p in pattern)
    return _one_matches(pattern, value)


def matches(
    when: Match,
    provider: str,
    endpoint: str | None,
    to: str | None = None,
    sender: str | None = None,
    text: str | None = None,
) -> bool:
    """Whether a request or message meets ``when``."""
    return (
        pattern_matches(when.provider, provider)
        and (when.endpoint in (None, "*") or pattern_matches(when.endpoint, endpoint))
        and pattern_matches(when.to, to)
        and pattern_matches(when.sender, sender)
        and pattern_matches(when.text, text)
    )


_match = matches  # the first version's name


def unit_interval(*parts: object) -> float:
    """A seeded point in [0, 1]: a pure function of ``parts`` (1.0 only at odds of about
    2**-54, where a 64-bit draw rounds up; kept, as changing it would change every draw)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def pick_weighted(outcomes: tuple[tuple[str, float], ...], point: float) -> str:
    """The outcome whose share of the total weight contains ``point`` in [0, 1] (at 1.0,
    or past shares summing to just under 1, the last outcome that can happen)."""
    total = sum(weight for _, weight in outcomes)
    cumulative = 0.0
    for name, weight in outcomes:
        cumulative += weight / total
        if point < cumulative:
            return name
    return next(name for name, weight in reversed(outcomes) if weight > 0)


_NOTHING_COUNTED = nullcontext()


class ScenarioEngine:
    """Applies one scenario; counters restart when it is replaced or reset."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        # Occurrences matter only to seeded draws; then every message counts, whatever
        # rule it matched, so messages differing only in sender share one count.
        self._draws = bool(scenario.timing.jitter) or any(
            len(rule.outcomes) > 1 for rule in scenario.rules
        )
        self._counting = any(rule.counts for rule in scenario.rules)
        self._lock = threading.Lock()
        # .blocks: per open tentative block, innermost last, what was counted in it
        self._tentative = threading.local()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._occurrences: dict[tuple[str, str, str], int] = {}
            self._fault_calls: dict[int, int] = {}
            self._rule_messages: dict[int, int] = {}  # counting rule's index -> messages

    def _occurrence(self, provider: str, to: str, text: str) -> int:
        key = (provider, to, text)
        with self._lock:
            occurrence = self._occurrences.get(key, 0) + 1
            self._occurrences[key] = occurrence
        self._note_counted((key,))
        return occurrence

    def _note_counted(self, keys: Iterable[tuple[str, str, str] | int]) -> None:
        """Keep ``keys`` in the innermost open tentative block, if any, to take back."""
        blocks = getattr(self._tentative, "blocks", ())
        if blocks:
            blocks[-1].extend(keys)

    def take_back(
        self, provider: str, to: str, text: str, decision: Decision | None = None
    ) -> None:
        """Undo what :meth:`decide` counted for a message that was then not sent.

        For an item refused after its decision (a Fone Dynamics lease refused, a sendbulk
        row short of credit): it sent no message, so the next identical message gets the
        draw this one would have had, as if it had never been tried, and a counting rule
        counts the next message matching it in its place (``decision`` says which
        counted it).
        """
        keys: list[tuple[str, str, str] | int] = list(decision.counted) if decision else []
        if self._draws:
            keys.append((provider, to, text))
        if not keys:
            return  # decide() counted nothing
        with self._lock:
            for key in keys:
                self._uncount(key)
        # Taken back already: a refused block must not again, whichever open block
        # (the innermost first) counted it.
        blocks = getattr(self._tentative, "blocks", ())
        for key in keys:
            for counted in reversed(blocks):
                if key in counted:
                    del counted[len(counted) - 1 - counted[::-1].index(key)]
                    break

    def _uncount(self, key: tuple[str, str, str] | int) -> None:
        """Count one less of ``key`` (an occurrence, or a counting rule's index); locked."""
        counts: dict[Any, int] = self._rule_messages if isinstance(key, int) else self._occurrences
        left = counts.get(key, 0) - 1
        if left > 0:
            counts[key] = left
        else:
            counts.pop(key, None)

    def tentative(self) -> AbstractContextManager[None]:
        """Occurrences counted inside are taken back if the block raises.

        For a request refused as a whole after some of its messages were decided
        (a batch whose 41st text is too long): it sent no message, so a corrected
        retry must get the fates the same messages would have had without it.
        """
        if not (self._draws or self._counting):
            return _NOTHING_COUNTED  # decide() counts nothing: no block to keep
        return self._tentative_block()

    @contextmanager
    def _tentative_block(self) -> Iterator[None]:
        blocks = getattr(self._tentative, "blocks", ())
        counted: list[tuple[str, str, str] | int] = []
        self._tentative.blocks = (*blocks, counted)
        try:
            yield
        except BaseException:
            with self._lock:
                for key in counted:
                    self._uncount(key)
            raise
        finally:
            self._tentative.blocks = blocks
        if blocks:
            blocks[-1].extend(counted)  # the enclosing block may still be refused

    @property
    def fixed_decision(self) -> Decision | None:
        """The decision every message gets when the scenario cannot tell them apart.

        With no rules and no jitter :meth:`decide` answers :data:`DELIVERED`
        and counts nothing, so a caller deciding many messages may skip it.
        None when messages may differ.
        """
        scenario = self.scenario
        if scenario.rules or scenario.timing.jitter:
            return None
        return DELIVERED

    def rule_for(
        self,
        provider: str,
        endpoint: str | None,
        to: str,
        sender: str | None,
        text: str,
    ) -> Rule | None:
        """The first rule matching the message, if any (not counting it: see :meth:`decide`)."""
        for rule in self.scenario.rules:
            if matches(rule.when, provider, endpoint, to, sender, text):
                return rule
        return None

    def _counted_rule(
        self,
        provider: str,
        endpoint: str | None,
        to: str,
        sender: str | None,
        text: str,
    ) -> tuple[Rule | None, tuple[int, ...]]:
        """The rule deciding the message, counting it for every counting rule it matches
        (whether or not an earlier rule decides it), and those rules' indexes."""
        chosen: Rule | None = None
        counted: list[int] = []
        with self._lock:
            for index, rule in enumerate(self.scenario.rules):
                if not rule.counts:
                    if chosen is None and matches(rule.when, provider, endpoint, to, sender, text):
                        chosen = rule
                    continue
                if not matches(rule.when, provider, endpoint, to, sender, text):
                    continue
                count = self._rule_messages.get(index, 0) + 1
                self._rule_messages[index] = count
                counted.append(index)
                if chosen is None and rule.fires(count):
                    chosen = rule
        self._note_counted(counted)
        return chosen, tuple(counted)

    def decide(
        self, provider: str, endpoint: str | None, to: str, sender: str | None, text: str
    ) -> Decision:
        """The neutral outcome for one outbound message."""
        scenario = self.scenario
        jitter = scenario.timing.jitter
        if not scenario.rules and not jitter:
            return DELIVERED
        counted: tuple[int, ...] = ()
        if self._counting:
            rule, counted = self._counted_rule(provider, endpoint, to, sender, text)
        else:
            rule = self.rule_for(provider, endpoint, to, sender, text)
        weighted = rule is not None and len(rule.outcomes) > 1
        occurrence = self._occurrence(provider, to, text) if self._draws else 0
        code = rule.code_for(provider) if rule is not None else None
        if rule is not None and rule.sequence is not None:
            plan = plan_from_steps(rule.sequence, code)
            return Decision(PlannedOutcome(plan.outcome, plan), code, counted)
        if rule is None:
            outcome = "delivered"
        elif weighted:
            point = unit_interval(scenario.seed, provider, to, text, occurrence)
            outcome = pick_weighted(rule.outcomes, point)
        else:
            outcome = rule.outcomes[0][0]
        if not jitter:
            return Decision(outcome, code, counted)
        levels = (
            jitter_level(unit_interval(scenario.seed, "sent", provider, to, text, occurrence)),
            jitter_level(unit_interval(scenario.seed, "delivered", provider, to, text, occurrence)),
        )
        plan = plan_for(outcome, scenario.timing, code, levels)
        return Decision(PlannedOutcome(outcome, plan), code, counted)

    def fault_for(self, provider: str, endpoint: str) -> dict[str, Any] | None:
        """The ``respond`` of the first fault that fires for this call (``fired_fault``)."""
        fired = self.fired_fault(provider, endpoint)
        return None if fired is None else self.scenario.faults[fired].respond

    def fault_as_written(self, index: int) -> dict[str, Any]:
        """``faults[index]`` as the scenario document wrote it, with its ``index``
        (what the request journal shows of a fault that fired)."""
        written = self.scenario.source.get("faults")
        entry = written[index] if isinstance(written, list) and index < len(written) else None
        if not isinstance(entry, dict):  # a Scenario built in code, not from a document
            entry = {"respond": self.scenario.faults[index].respond}
        return {"index": index, **entry}

    def fired_fault(self, provider: str, endpoint: str) -> int | None:
        """The index in ``faults`` of the first fault that fires for this call,
        counting the call for every fault it matches."""
        fired: int | None = None
        with self._lock:
            for index, fault in enumerate(self.scenario.faults):
                if not matches(fault.when, provider, endpoint):
                    continue
                count = self._fault_calls.get(index, 0) + 1
                self._fault_calls[index] = count
                if fired is None and fault.fires(count):
                    fired = index
        return fired
