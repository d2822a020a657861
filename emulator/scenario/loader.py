"""Load scenarios from YAML/JSON text, files, names of shipped scenarios, or dicts.

Every problem is a ``ScenarioError`` naming the file, the line (for text
sources: taken from the YAML node marks) and the field, with the closest
valid key or value suggested.  Validation finishes before anything is used,
so a bad scenario never half-applies.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import operator
import re
import threading
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import yaml

from ..core.clock import parse_duration
from ..core.lifecycle import Timing, outcome_of_steps
from ..core.models import Outcome, Status
from ..core.suggest import did_you_mean
from .engine import pattern_matches
from .schema import (
    FAULT_KINDS,
    PROVIDER_NAMES,
    SCHEMA_VERSION,
    Fault,
    Match,
    Pattern,
    RateLimit,
    Rule,
    Scenario,
    Webhooks,
)

if TYPE_CHECKING:
    from ..providers.base import Provider

__all__ = [
    "ScenarioError",
    "check_seed",
    "is_file",
    "is_number",
    "is_scenario_text",
    "load_scenario",
    "load_scenario_body",
    "not_utf8",
    "parse_scenario",
    "parse_scenario_text",
    "rule_providers",
    "scenario_dirs",
    "shipped_scenarios",
    "unknown_key",
    "unknown_scenario",
]

_TOP_KEYS = (
    "name",
    "description",
    "version",
    "seed",
    "timing",
    "rules",
    "faults",
    "rate_limits",
    "providers",
    "accounts",
    "webhooks",
)
_MATCH_KEYS = ("provider", "endpoint", "to", "from", "text")
_TIMING_KEYS = ("processing", "sent", "delivered", "jitter")
_RULE_KEYS = ("when", "messages", "every", "first", "outcome", "error_code")
_FAULT_KEYS = ("when", "calls", "every", "first", "respond")
_LIMIT_KEYS = ("requests", "per", "penalty")
_STEP_KEYS = ("after", "status")
_WEBHOOK_KEYS = ("retries",)

#: Retries a scenario may ask for after a failed webhook attempt.
MAX_WEBHOOK_RETRIES = 10
_SEQUENCE_STATUSES = (Status.SENT.value, Status.DELIVERED.value, Status.FAILED.value)
_GROUP = re.compile(r"[a-z][a-z0-9_-]*\Z")


class ScenarioError(ValueError):
    """A scenario that cannot be used; says where (file, line, field) and why."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        self.reason, self.source, self.field, self.line = message, source, field, line
        where = ":".join(str(p) for p in (source, line) if p is not None)
        prefix = f"{where}: " if where else ""
        if not source and line is not None:
            prefix = f"line {line}: "
        at = f"{field}: " if field else ""
        super().__init__(f"{prefix}{at}{message}")


def scenario_dirs() -> list[Path]:
    """Where shipped scenarios live: in an installed package, its own ``_scenarios``
    (never the ``scenarios`` folder beside it in site-packages, another distribution's);
    in a source tree (run from it, or installed editable), its ``scenarios``."""
    here = Path(__file__).resolve().parent.parent
    for folder in (here / "_scenarios", here.parent / "scenarios"):
        if folder.is_dir():
            return [folder]
    return []


def shipped_scenarios() -> dict[str, Path]:
    """Shipped scenario name → file."""
    found: dict[str, Path] = {}
    for directory in scenario_dirs():
        for path in sorted(directory.glob("*.y*ml")):
            found.setdefault(path.stem, path)
    return found


# -- helpers -----------------------------------------------------------------


def unknown_key(key: object, known: Sequence[str], field: str) -> ScenarioError:
    """The error for a provider option or account ``key`` not among ``known``, with the
    closest known one (for ``Provider.check_scenario``)."""
    hint = did_you_mean(key, known, listing="known")
    return ScenarioError(f"unknown key {key!r}{hint}", field=field)


def _suggest(key: str, valid: Sequence[str]) -> str:
    return did_you_mean(key, valid, listing="valid", cutoff=0.5)


def _check_keys(data: dict[Any, Any], valid: tuple[str, ...], where: str) -> None:
    for key in data:
        if key not in valid:
            raise ScenarioError(
                f"unknown key {key!r}{_suggest(str(key), valid)}", field=where + str(key)
            )


def _mapping(value: Any, field: str) -> dict[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ScenarioError(f"must be a mapping, not {_kind(value)}", field=field)
    return value


def _list(value: Any, field: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ScenarioError(f"must be a list, not {_kind(value)}", field=field)
    return value


def _kind(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    names.update({list: "a list", dict: "a mapping", type(None): "empty"})
    return names.get(type(value), type(value).__name__)


def _duration(value: Any, field: str) -> float:
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise ScenarioError(str(exc), field=field) from None


def _positive_int(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ScenarioError(f"must be a positive integer, not {value!r}", field=field)
    return value


def _provider_name(name: Any, field: str) -> str:
    if name not in PROVIDER_NAMES:
        raise ScenarioError(
            f"unknown provider {name!r}{_suggest(str(name), PROVIDER_NAMES)}", field=field
        )
    return str(name)


def _pattern(value: Any, field: str) -> str:
    if not isinstance(value, str):
        hint = ' (quote numbers, e.g. "+15005550001": YAML drops a leading +)'
        raise ScenarioError(f"must be a string, not {_kind(value)}{hint}", field=field)
    if value.startswith("re:"):
        try:
            re.compile(value[3:])
        except re.error as exc:
            raise ScenarioError(f"invalid regular expression: {exc}", field=field) from None
    return value


#: A ``to`` pattern that is a phone number without its leading +: it can match no
#: recipient (they are all E.164 with the +, but for sendbulk's unresolved hashes, which
#: are 64 hex digits, matched whole or with ``re:``).
_DIGITS_ONLY = re.compile(r"[0-9]{1,15}")
#: A number without its + written with wildcards (``254712*``, ``2547????????``): it
#: can match only a hashed recipient's first hex digits, which is not what it means.
_DIGIT_GLOB = re.compile(r"(?=[0-9?*]*[?*])[0-9][0-9?*]{0,15}")
#: A national number (``0712345678``, ``0712*``): E.164 has the country code instead of
#: the 0, and no number starts with +0.  (A hash could start with 0; ``re:`` matches one.)
_NATIONAL = re.compile(r"\+?0[0-9]*[*?]?[0-9]*")
#: Written as people write numbers: E.164 has none of these.
_SEPARATORS = re.compile(r"[ ()./-]")
_GLOB_CLASS = re.compile(r"\[[^\]]*\]")
#: What no recipient holds: E.164 has + and digits, a sendbulk hash lower-case hex
#: digits (and no +).
_FOREIGN = re.compile(r"[^+0-9a-f*?]")
_FOREIGN_AFTER_PLUS = re.compile(r"[^+0-9*?]")
_NATIONAL_HINT = (
    "the country code takes the place of the leading 0: a Kenyan 0712345678 is"
    ' "+254712345678", an Australian 0412345678 "+61412345678"'
)


def _never_matching_recipient(pattern: str) -> str | None:
    """Why a ``to`` pattern (not ``re:``) can match no recipient, if it cannot."""
    if pattern.startswith("re:"):
        return None
    if _SEPARATORS.search(_GLOB_CLASS.sub("", pattern)):  # [0-4] is a range, not a dash
        bare = _SEPARATORS.sub("", pattern)
        return f"recipients are matched in E.164, with no spaces or separators (write {bare!r})"
    outside_classes = _GLOB_CLASS.sub("", pattern)
    foreign = (_FOREIGN_AFTER_PLUS if pattern.startswith("+") else _FOREIGN).search(outside_classes)
    if foreign:
        return (
            f"recipients hold only + and digits (a sendbulk hash, lower-case hex digits),"
            f" so {foreign.group()!r} matches none; the wildcards are * and ?"
        )
    if len(pattern) <= 17 and _NATIONAL.fullmatch(pattern):  # not a 64-digit hash
        return f"recipients are matched in E.164: {_NATIONAL_HINT}"
    if _DIGITS_ONLY.fullmatch(pattern) or _DIGIT_GLOB.fullmatch(pattern):
        return (
            f'recipients are matched in E.164 with a leading + (write "+{pattern}"; a'
            " sendbulk hashed recipient's first digits are matched with re:^...)"
        )
    return None


def _match(data: Any, field: str, keys: tuple[str, ...] = _MATCH_KEYS) -> Match:
    data = _mapping(data, field)
    _check_keys(data, keys, field + ".")
    values: dict[str, Pattern] = {}
    for key, value in data.items():
        where = f"{field}.{key}"
        if isinstance(value, list):
            if not value:
                raise ScenarioError("must not be an empty list", field=where)
            values[key] = tuple(_pattern(v, f"{where}[{i}]") for i, v in enumerate(value))
        else:
            values[key] = _pattern(value, where)
    to = values.get("to")
    for i, pattern in enumerate(to if isinstance(to, tuple) else (to,)):
        why = None if pattern is None else _never_matching_recipient(pattern)
        if why is not None:
            suffix = f"[{i}]" if isinstance(to, tuple) else ""
            raise ScenarioError(f"{pattern!r} can never match: {why}", field=f"{field}.to{suffix}")
    provider = values.get("provider")
    for i, name in enumerate(provider if isinstance(provider, tuple) else (provider,)):
        if name is not None and not any(ch in name for ch in "*?[") and ":" not in name:
            suffix = f"[{i}]" if isinstance(provider, tuple) else ""
            _provider_name(name, f"{field}.provider{suffix}")
    return Match(
        values.get("provider"),
        values.get("endpoint"),
        values.get("to"),
        values.get("from"),
        values.get("text"),
    )


_OUTCOMES = tuple(o.value for o in Outcome)


def _word_key(text: str) -> str:
    """``text`` lower case, with everything but letters and digits left out."""
    return "".join(c for c in text.lower() if c.isalnum())


#: Words for a fate that spelling alone would match to the wrong outcome, or to none:
#: "undelivered" and "delivery_failed" are closest to "delivered" by their letters.
#: Keys are ``_word_key``s, so the providers' own status words (DeliveryFailed,
#: SendingFailed, AbsentSubscriber, ...) and each outcome in other capitals or spelling
#: (SEND_FAILED, optedOut) are among them.
_OUTCOME_WORDS = {
    **dict.fromkeys(
        (
            *("undelivered", "deliveryfailed", "carrierfailed", "bounced", "absentsubscriber"),
            *("expired", "timeout", "timedout", "unreachable"),
        ),
        "undeliverable",
    ),
    **dict.fromkeys(
        ("sendingfailed", "sendfailure", "submissionfailed", "notsent", "deliveryimpossible"),
        "send_failed",
    ),
    **dict.fromkeys(("rejected", "invalid", "invalidphonenumberformat"), "invalid_number"),
    **dict.fromkeys(("sent", "nodlr", "submitted", "senttonetwork"), "no_receipt"),
    **dict.fromkeys(("optout", "blacklisted", "unsubscribed", "stop"), "opted_out"),
    "deliveredtoterminal": "delivered",
    **{_word_key(outcome): outcome for outcome in _OUTCOMES},
}


def _outcome_name(name: Any, field: str) -> str:
    if name not in _OUTCOMES:
        word = _OUTCOME_WORDS.get(_word_key(str(name)))
        hint = f" (did you mean {word!r}?)" if word else _suggest(str(name), _OUTCOMES)
        raise ScenarioError(f"unknown outcome {name!r}{hint}", field=field)
    return str(name)


def is_number(value: Any, *, minimum: float | None = None) -> bool:
    """A finite int or float (YAML's ``.nan`` and ``.inf`` are not, nor is a bool),
    at least ``minimum`` when given: what scenario amounts must be."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False
    return finite and (minimum is None or value >= minimum)


def _outcomes(value: Any, field: str) -> tuple[tuple[str, float], ...]:
    if isinstance(value, str):
        return ((_outcome_name(value, field), 1.0),)
    if not isinstance(value, dict) or not value:
        raise ScenarioError(
            "must be an outcome name, a mapping of outcome → weight, or {sequence: [...]}",
            field=field,
        )
    pairs = []
    for name, weight in value.items():
        where = f"{field}.{name}"
        _outcome_name(name, where)
        if not is_number(weight, minimum=0):
            raise ScenarioError(
                f"weight must be a finite, non-negative number, not {weight!r}", field=where
            )
        pairs.append((str(name), float(weight)))
    total = sum(w for _, w in pairs)
    if total <= 0:
        raise ScenarioError("weights must not all be zero", field=field)
    if not math.isfinite(total):
        raise ScenarioError("weights are too large to add up", field=field)
    return tuple(pairs)


def _sequence(value: Any, field: str) -> tuple[tuple[float, Status], ...]:
    steps = _list(value, field)
    if not steps:
        raise ScenarioError(
            "needs at least one {after: DURATION, status: STATUS} step", field=field
        )
    parsed: list[tuple[float, Status]] = []
    for i, step in enumerate(steps):
        where = f"{field}[{i}]"
        step = _mapping(step, where)
        _check_keys(step, _STEP_KEYS, where + ".")
        for key in _STEP_KEYS:
            if key not in step:
                raise ScenarioError(f"missing {key!r}", field=where)
        after = _duration(step["after"], where + ".after")
        status = step["status"]
        if status not in _SEQUENCE_STATUSES:
            raise ScenarioError(
                f"unknown status {status!r}{_suggest(str(status), _SEQUENCE_STATUSES)}"
                " (a message rejected at submit is outcome: invalid_number)",
                field=where + ".status",
            )
        if parsed and after < parsed[-1][0]:
            raise ScenarioError(
                "steps must be in time order ('after' counts from dispatch, not from the"
                " previous step)",
                field=where + ".after",
            )
        if parsed and parsed[-1][1] in (Status.DELIVERED, Status.FAILED):
            raise ScenarioError(
                f"nothing can follow the final status {parsed[-1][1].value!r}", field=where
            )
        parsed.append((after, Status(status)))
    return tuple(parsed)


def _error_codes(value: Any, field: str) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    if value is None:
        return None, ()
    if isinstance(value, str | int) and not isinstance(value, bool):
        return _code(value, field), ()
    if not isinstance(value, dict):
        raise ScenarioError("must be a code, or a mapping of provider → code", field=field)
    if not value:
        raise ScenarioError("must name a provider (or be one code for all of them)", field=field)
    pairs = []
    for provider, code in value.items():
        where = f"{field}.{provider}"
        _provider_name(provider, where)
        if isinstance(code, bool) or not isinstance(code, str | int):
            raise ScenarioError(f"must be a code, not {_kind(code)}", field=where)
        pairs.append((str(provider), _code(code, where)))
    return None, tuple(pairs)


def _code(value: str | int, field: str) -> str:
    code = str(value)
    if not code.strip():  # sendbulk showed it as an empty delivery-description
        raise ScenarioError("must not be empty (leave error_code out for the default)", field=field)
    return code


def _counts(
    data: dict[Any, Any], key: str, field: str
) -> tuple[tuple[int, ...], int | None, int | None]:
    """A rule's or fault's ``<key>`` (the Nth ones: a number or a list), ``every``, ``first``."""
    nth = data.get(key)
    if nth is None:
        nth = []
    elif isinstance(nth, int) and not isinstance(nth, bool):
        nth = [nth]
    nth = _list(nth, f"{field}.{key}")
    if key in data and not nth:  # `calls: []` read as "no count" faulted every call
        raise ScenarioError(
            f"must name at least one (leave '{key}' out for all of them)", field=f"{field}.{key}"
        )
    for i, n in enumerate(nth):
        _positive_int(n, f"{field}.{key}[{i}]")
    every = data.get("every")
    first = data.get("first")
    return (
        tuple(nth),
        None if every is None else _positive_int(every, field + ".every"),
        None if first is None else _positive_int(first, field + ".first"),
    )


def _when(data: dict[Any, Any], field: str, keys: tuple[str, ...] = _MATCH_KEYS) -> Match:
    """A rule's or fault's ``when``: left out or ``{}``, it matches everything."""
    if "when" in data and data["when"] is None:  # its conditions commented out, say
        raise ScenarioError(
            "is empty: leave 'when' out, or write 'when: {}', to match everything",
            field=field + ".when",
        )
    return _match(data.get("when"), field + ".when", keys)


#: Outcomes no provider reports a failure code for: a rule's ``error_code`` never shows.
_CODELESS = frozenset({"delivered", "no_receipt"})


def _rule(data: Any, field: str) -> Rule:
    data = _mapping(data, field)
    _check_keys(data, _RULE_KEYS, field + ".")
    if "outcome" not in data:
        raise ScenarioError("missing 'outcome'", field=field)
    when = _when(data, field)
    messages, every, first = _counts(data, "messages", field)
    error_code, error_codes = _error_codes(data.get("error_code"), field + ".error_code")
    outcome = data["outcome"]
    if isinstance(outcome, dict) and "sequence" in outcome:
        _check_keys(outcome, ("sequence",), field + ".outcome.")
        steps = _sequence(outcome["sequence"], field + ".outcome.sequence")
        outcomes: tuple[tuple[str, float], ...] = ((outcome_of_steps(steps), 1.0),)
    else:
        steps = None
        outcomes = _outcomes(outcome, field + ".outcome")
    # A failure weighted 0 counts: a weight set to 0 switches it off for a while.
    if (error_code or error_codes) and all(name in _CODELESS for name, _ in outcomes):
        raise ScenarioError(
            "does nothing: a delivered message has no failure code"
            if all(name == "delivered" for name, _ in outcomes)
            else "does nothing: no message of this rule fails (delivered and no_receipt"
            " messages have no failure code)",
            field=field + ".error_code",
        )
    return Rule(when, outcomes, error_code, steps, error_codes, messages, every, first)


def _reachable(rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
    """Refuse a rule no message can reach: one after a rule that decides every message it
    matches (it keeps no count) and matches all of them, or all of this one's (the same
    ``when``); it would silently never apply."""
    deciding: dict[Match, int] = {}  # `when` of a rule deciding all it matches -> index
    for index, rule in enumerate(rules):
        when = _narrowing(rule.when)
        earlier = deciding.get(Match(), deciding.get(when))
        if earlier is not None:
            every = "every message" if Match() in deciding else "the same messages"
            raise ScenarioError(
                f"is never reached: rules[{earlier}] decides {every} first (rules are"
                " tried in order; the first that matches decides)",
                field=f"rules[{index}]",
            )
        if not rule.counts:
            deciding.setdefault(when, index)
    return rules


def _narrowing(when: Match) -> Match:
    """``when`` without the conditions every message meets: ``"*"`` as its provider,
    endpoint, recipient or text, which every message has (``endpoint: "*"`` is also
    documented as no ``endpoint``).  A ``"*"`` sender is kept: it needs one."""
    return dataclasses.replace(
        when,
        provider=_unless_any(when.provider),
        endpoint=_unless_any(when.endpoint),
        to=_unless_any(when.to),
        text=_unless_any(when.text),
    )


def _unless_any(pattern: Pattern) -> Pattern:
    anything = pattern == "*" or (isinstance(pattern, tuple) and "*" in pattern)
    return None if anything else pattern


def _respond(data: Any, field: str) -> dict[str, Any]:
    data = _mapping(data, field)
    if not data:
        raise ScenarioError(
            f"must say what to do: one or more of {', '.join(FAULT_KINDS)}", field=field
        )
    _check_keys(data, FAULT_KINDS, field + ".")
    respond: dict[str, Any] = {}
    status = data.get("status")
    if status is not None:
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise ScenarioError(
                f"must be an HTTP error status (400-599), not {status!r}", field=field + ".status"
            )
        respond["status"] = status
    for key in ("retry_after", "delay"):
        if key in data:
            respond[key] = _duration(data[key], f"{field}.{key}")
    if "retry_after" in respond and "status" not in respond:
        raise ScenarioError("only makes sense with 'status'", field=field + ".retry_after")
    drop = _drop(data["drop"], field + ".drop") if "drop" in data else None
    if drop is not None:
        respond["drop"] = drop
    for key in ("truncate", "malformed"):
        if key in data:
            if not isinstance(data[key], bool):
                raise ScenarioError(
                    f"must be true or false, not {data[key]!r}", field=f"{field}.{key}"
                )
            if data[key]:
                respond[key] = True
    outcomes = [k for k in ("status", "drop", "truncate", "malformed") if k in respond]
    if len(outcomes) > 1:
        raise ScenarioError(
            f"choose one of status, drop, truncate, malformed (got {', '.join(outcomes)})",
            field=field,
        )
    if respond.get("delay") == 0:
        del respond["delay"]  # waits for nothing: as drop: false, no part of the fault
    if not respond:
        raise ScenarioError("does nothing (every kind is off)", field=field)
    return respond


def _drop(value: Any, field: str) -> str | None:
    """``drop``: when the connection is dropped (``before`` or ``after`` the endpoint
    runs), or None for ``false``; a boolean, as ``truncate`` is (``1`` is not ``true``)."""
    if isinstance(value, bool):
        return "before" if value else None
    if isinstance(value, str) and value in ("before", "after"):
        return value
    raise ScenarioError(
        "must be true or 'before' (drop before handling), 'after' (handle, then drop)"
        f" or false, not {value!r}",
        field=field,
    )


def _fault(data: Any, field: str) -> Fault:
    data = _mapping(data, field)
    _check_keys(data, _FAULT_KEYS, field + ".")
    if "respond" not in data:
        raise ScenarioError("missing 'respond'", field=field)
    # faults act on requests, before any message is read: no to/from/text
    when = _when(data, field, ("provider", "endpoint"))
    calls, every, first = _counts(data, "calls", field)
    return Fault(when, _respond(data["respond"], field + ".respond"), calls, every, first)


def _rate_limit_key(key: Any, field: str) -> str:
    provider, dot, group = str(key).partition(".")
    _provider_name(provider, field)
    if dot and not _GROUP.match(group):
        raise ScenarioError(
            f"group {group!r} must be a lower-case name, e.g. '{provider}.light'", field=field
        )
    return str(key)


def _rate_limit(data: Any, field: str) -> RateLimit:
    data = _mapping(data, field)
    _check_keys(data, _LIMIT_KEYS, field + ".")
    if "requests" not in data:
        raise ScenarioError("missing 'requests'", field=field)
    penalty = data.get("penalty")
    per = _duration(data.get("per", 60), field + ".per")
    if per <= 0:
        raise ScenarioError("must be longer than 0s", field=field + ".per")
    return RateLimit(
        _positive_int(data["requests"], field + ".requests"),
        per,
        None if penalty is None else _duration(penalty, field + ".penalty"),
    )


def _timing(data: Any) -> Timing:
    data = _mapping(data, "timing")
    _check_keys(data, _TIMING_KEYS, "timing.")
    defaults = Timing()
    return Timing(
        **{
            key: _duration(data[key], f"timing.{key}") if key in data else getattr(defaults, key)
            for key in _TIMING_KEYS
        }
    )


def _webhooks(data: Any) -> Webhooks:
    data = _mapping(data, "webhooks")
    _check_keys(data, _WEBHOOK_KEYS, "webhooks.")
    if "retries" not in data:
        return Webhooks()
    if data["retries"] is None:
        raise ScenarioError(
            "must be a list of durations ([] for one attempt)", field="webhooks.retries"
        )
    retries = _list(data["retries"], "webhooks.retries")
    if len(retries) > MAX_WEBHOOK_RETRIES:
        raise ScenarioError(
            f"at most {MAX_WEBHOOK_RETRIES} retries, not {len(retries)}", field="webhooks.retries"
        )
    waits = tuple(_duration(wait, f"webhooks.retries[{i}]") for i, wait in enumerate(retries))
    for i, wait in enumerate(waits):
        if wait <= 0:
            raise ScenarioError(
                "a retry's wait must be longer than 0s", field=f"webhooks.retries[{i}]"
            )
    return Webhooks(retries=waits)


def _per_provider(data: Any, field: str) -> dict[str, Any]:
    data = _mapping(data, field)
    for key in data:
        _provider_name(key, f"{field}.{key}")
    return data


def _accounts(data: Any) -> dict[str, list[dict[str, Any]]]:
    accounts: dict[str, list[dict[str, Any]]] = {}
    for provider, value in _per_provider(data, "accounts").items():
        field = f"accounts.{provider}"
        if value is None or value == []:  # sendbulk and Fone Dynamics refused everyone
            raise ScenarioError(
                "is empty: leave it out to accept any credentials, or list at least one account",
                field=field,
            )
        items = [value] if isinstance(value, dict) else _list(value, field)
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not item:
                raise ScenarioError(
                    "each account must be a mapping of credentials and settings",
                    field=f"{field}[{i}]",
                )
        accounts[provider] = [dict(item) for item in items]
    return accounts


def _providers(data: Any) -> dict[str, dict[str, Any]]:
    options = {}
    for provider, value in _per_provider(data, "providers").items():
        options[provider] = dict(_mapping(value, f"providers.{provider}"))
    return options


# -- the document ------------------------------------------------------------


def _plain(pattern: str) -> bool:
    """A name, not a glob or ``re:`` pattern (only a name can be checked)."""
    return not pattern.startswith("re:") and not any(ch in pattern for ch in "*?[")


def _each(pattern: Pattern, field: str) -> list[tuple[str, str]]:
    if pattern is None:
        return []
    if isinstance(pattern, tuple):
        return [(p, f"{field}[{i}]") for i, p in enumerate(pattern)]
    return [(pattern, field)]


def _check_endpoints(scenario: Scenario, providers: Sequence[Provider]) -> None:
    """A rule or fault naming an endpoint none of its providers has would never match
    (a fault acts on requests: not on a rule-only name; a rule on messages: not on an
    endpoint that sends none)."""
    by_name = {p.name: p for p in providers}
    matches = [(r.when, f"rules[{i}].when", True) for i, r in enumerate(scenario.rules)]
    matches += [(f.when, f"faults[{i}].when", False) for i, f in enumerate(scenario.faults)]
    for match, field, is_rule in matches:
        named = [p for p, _ in _each(match.provider, "")]
        if named and all(p in by_name for p in named):
            candidates = [by_name[p] for p in named]
        else:  # no provider, or a pattern: any provider's names
            candidates = list(providers)
        every = {e for p in candidates for e in p.endpoints}
        names = set(every)
        if is_rule:
            names = {e for p in candidates for e in p.sending_endpoints or p.endpoints}
            names.update(e for p in candidates for e in p.rule_endpoints)
        known = tuple(sorted(names))
        for endpoint, where in _each(match.endpoint, field + ".endpoint"):
            if not _plain(endpoint) or endpoint in known:
                continue
            if endpoint in every:  # a rule on an endpoint that decides no message
                raise ScenarioError(
                    f"endpoint {endpoint!r} sends no message, so no rule can match it (rules"
                    f" decide the messages of {', '.join(known)}; a fault acts on any endpoint)",
                    field=where,
                )
            raise ScenarioError(
                f"unknown endpoint {endpoint!r}{_suggest(endpoint, known)}", field=where
            )


def rule_providers(when: Match, providers: Sequence[Provider] | None = None) -> frozenset[str]:
    """The providers whose messages a rule with ``when`` can match: its ``provider``
    matches their name and its ``endpoint`` one of the names they decide messages under
    (a rule on ``endpoint: sendsms`` sees sendbulk's messages only)."""
    if providers is None:
        from ..providers import PROVIDERS  # late: providers import the scenario model

        providers = PROVIDERS
    reached = set()
    for provider in providers:
        if not pattern_matches(when.provider, provider.name):
            continue
        names = (provider.sending_endpoints or provider.endpoints) + provider.rule_endpoints
        if when.endpoint in (None, "*") or any(pattern_matches(when.endpoint, e) for e in names):
            reached.add(provider.name)
    return frozenset(reached)


def _check_codes(scenario: Scenario, providers: Sequence[Provider]) -> None:
    """A rule's ``error_code`` for a provider whose messages the rule never matches
    (``{fonedynamics: ...}`` on a rule for ``provider: ringcentral``) would do nothing."""
    for index, rule in enumerate(scenario.rules):
        if not rule.error_codes:
            continue
        reached = rule_providers(rule.when, providers)
        for name, _ in rule.error_codes:
            if name not in reached:
                raise ScenarioError(
                    f"does nothing: rules[{index}].when matches no {name} message",
                    field=f"rules[{index}].error_code.{name}",
                )


def _check_groups(scenario: Scenario, providers: Sequence[Provider]) -> None:
    """``provider.group`` rate limits name one of that provider's groups."""
    by_name = {p.name: p for p in providers}
    for key in scenario.rate_limits:
        name, dot, group = key.partition(".")
        provider = by_name.get(name)
        if not dot or provider is None or group in provider.rate_limit_groups:
            continue
        groups = provider.rate_limit_groups
        if not groups:
            message = f"{name} has no rate-limit groups: use '{name}' for all its endpoints"
        else:
            message = f"unknown group {group!r}{_suggest(group, groups)}"
        raise ScenarioError(message, field=f"rate_limits.{key}")


def _check_with_providers(scenario: Scenario) -> Scenario:
    """Let each provider refuse options or accounts it cannot use (``Provider.check_scenario``),
    and refuse endpoint and rate-limit group names no provider has."""
    from ..providers import PROVIDERS  # late: providers import the scenario model

    _check_endpoints(scenario, PROVIDERS)
    _check_codes(scenario, PROVIDERS)
    _check_groups(scenario, PROVIDERS)
    for provider in PROVIDERS:
        check = getattr(provider, "check_scenario", None)
        if check is None:
            continue
        try:
            check(scenario)
        except ScenarioError:
            raise
        except ValueError as exc:
            source = scenario.source
            in_accounts = provider.name in (source.get("accounts") or {})
            in_options = provider.name in (source.get("providers") or {})
            key = "accounts" if in_accounts and not in_options else "providers"
            raise ScenarioError(str(exc), field=f"{key}.{provider.name}") from None
    return scenario


def parse_scenario(data: Any, *, source: str | None = None) -> Scenario:
    """Validate a scenario document (already parsed from YAML/JSON, or built in Python:
    held to what a YAML or JSON document could hold, as it is shown back as JSON)."""
    try:
        values = _plain_values(data)  # no deeper than MAX_DEPTH: no RecursionError
        if values > MAX_DICT_VALUES:  # YAML text has its alias limits instead
            raise ScenarioError(
                f"holds {values:,} values written out (its lists and mappings shared many"
                f" times over): at most {MAX_DICT_VALUES:,}"
            )
        return _check_with_providers(_parse(data))
    except ScenarioError as exc:
        if source is not None and exc.source is None:
            raise ScenarioError(exc.reason, source=source, field=exc.field, line=exc.line) from None
        raise


def _parse(data: Any) -> Scenario:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(f"a scenario must be a mapping, not {_kind(data)}")
    _check_keys({k: v for k, v in data.items() if not str(k).startswith("x-")}, _TOP_KEYS, "")
    version = data.get("version", SCHEMA_VERSION)
    if type(version) is not int:  # not True, nor 1.0, nor "1"
        shown = repr(version) if isinstance(version, float) else _kind(version)
        raise ScenarioError(
            f"must be the number {SCHEMA_VERSION} (unquoted), not {shown}", field="version"
        )
    if version != SCHEMA_VERSION:
        raise ScenarioError(
            f"unsupported version {version!r} (this emulator reads version {SCHEMA_VERSION})",
            field="version",
        )
    seed = check_seed(data.get("seed", 0))
    if "name" in data and (data["name"] is None or str(data["name"]).strip() == ""):
        raise ScenarioError(
            "is empty: give the scenario a name, or leave 'name' out (it is then 'custom')",
            field="name",
        )
    for key in ("name", "description"):
        if key in data and not isinstance(data[key], str):
            raise ScenarioError(f"must be a string, not {_kind(data[key])}", field=key)

    sections: dict[str, Callable[[], Any]] = {
        "timing": lambda: _timing(data.get("timing")),
        "rules": lambda: _reachable(
            tuple(_rule(r, f"rules[{i}]") for i, r in enumerate(_list(data.get("rules"), "rules")))
        ),
        "faults": lambda: tuple(
            _fault(f, f"faults[{i}]") for i, f in enumerate(_list(data.get("faults"), "faults"))
        ),
        "rate_limits": lambda: {
            _rate_limit_key(key, f"rate_limits.{key}"): _rate_limit(value, f"rate_limits.{key}")
            for key, value in _mapping(data.get("rate_limits"), "rate_limits").items()
        },
        "providers": lambda: _providers(data.get("providers")),
        "accounts": lambda: _accounts(data.get("accounts")),
        "webhooks": lambda: _webhooks(data.get("webhooks")),
    }
    # In the document's order, so the first mistake reported is the first in the file.
    order = [key for key in data if key in sections] + [k for k in sections if k not in data]
    parsed = {key: sections[key]() for key in order}
    _check_not_an_empty_copy(data.get("name"), parsed)
    return Scenario(
        name=str(data.get("name", "custom")),
        description=" ".join(str(data.get("description", "")).split()),
        version=version,
        seed=seed,
        source=data,
        **parsed,
    )


#: The scenario of no rules, faults or settings: the default happy-path is that one.
_DEFAULT_NAME = "happy-path"


def _check_not_an_empty_copy(name: object, parsed: dict[str, Any]) -> None:
    """Refuse a document that names a shipped scenario but holds nothing at all, such as
    ``{"name": "opt-outs"}``: it would be an empty scenario shown under that name, not the
    shipped one.  (``{"name": "happy-path", "seed": 7}`` is happy-path: it holds nothing.)"""
    if name == _DEFAULT_NAME or name not in shipped_scenarios():
        return
    empty = Scenario()
    if any(parsed[key] != getattr(empty, key) for key in parsed):
        return  # a shipped file, or a copy of one changed, keeps its name
    raise ScenarioError(
        f"names the shipped scenario {name!r} but holds none of it (no rules, timing...):"
        f" to load that scenario, give its name alone (a PUT body `{name}`,"
        f" load_scenario({name!r}), sms_scenario({name!r})); to change its seed, use"
        " Emulator(seed=...) or serve --seed; a scenario of your own needs a name of its own",
        field="name",
    )


# -- text, with line numbers -------------------------------------------------


#: libyaml's parser where PyYAML was built with it (about ten times faster), else PyYAML's.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _JsonLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """The safe loader, reading JSON's exponent numbers (``1e-05``) as numbers.

    PyYAML follows YAML 1.1, whose floats need a dot; JSON's do not (``json.dumps``
    of 0.00001 is ``1e-05``), and "JSON is read as YAML".  For JSON documents only:
    in YAML an unquoted ``1e10`` (an error code, an API key) stays text.
    """


_JsonLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?[eE][-+]?[0-9]+$"),
    list("-0123456789"),
)

#: What a document's aliases may add to it, once followed: values, and characters
#: of text, beyond one value and ten characters per character of the document
#: itself.  A few lines of nested aliases would otherwise stand for billions (and
#: the scenario is echoed in full by ``GET /_emulator/scenario``); a generated
#: scenario whose rules share one anchored outcome (``yaml.dump`` writes them so)
#: stays within.
MAX_ALIASED_VALUES = 100_000
MAX_ALIASED_TEXT = 1_000_000


class _Walk:
    """``_lines``' running count of what aliases added (node ids seen, and totals)."""

    __slots__ = ("max_text", "max_values", "paths", "seen", "text", "values")

    def __init__(self, size: int) -> None:
        self.seen: set[int] = set()
        self.values = 0
        self.text = 0
        self.paths = 0  # characters of the field paths recorded (each repeats its parents')
        self.max_values = MAX_ALIASED_VALUES + size
        self.max_text = MAX_ALIASED_TEXT + 10 * size

    def record(self, path: str) -> None:
        """Count a field path: long keys nested deep repeat in every path below them."""
        self.paths += len(path)
        if self.paths > self.max_text:
            raise ScenarioError("too large: its keys nest too long a path")

    def visit(self, node: yaml.Node) -> None:
        if id(node) not in self.seen:
            self.seen.add(id(node))
            return
        self.values += 1  # reached again: through an alias
        if isinstance(node, yaml.ScalarNode):
            self.text += len(node.value)
        if self.values > self.max_values or self.text > self.max_text:
            raise ScenarioError("too large once its aliases are followed")


def _lines(node: yaml.Node, path: str, out: dict[str, int], walk: _Walk) -> None:
    """Record the line of every field (``rules[0].when.to`` → 12); reject duplicate keys,
    and aliases that add too much to the document (see ``MAX_ALIASED_VALUES``)."""
    walk.visit(node)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ScenarioError(
                    f"duplicate key {key!r} (first on line {out[child]})", field=child, line=line
                )
            seen.add(key)
            out[child] = line
            walk.record(child)
            walk.visit(key_node)  # a key can be an alias too
            _lines(value_node, child, out, walk)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            child = f"{path}[{i}]"
            out[child] = item.start_mark.line + 1
            walk.record(child)
            _lines(item, child, out, walk)


_PARENT = re.compile(r"(\.[^.\[]*|\[\d+\])$")


def _line_of(field: str | None, lines: dict[str, int]) -> int | None:
    while field:
        if field in lines:
            return lines[field]
        parent = _PARENT.sub("", field)
        if parent == field:
            break
        field = parent
    return None


# A UTF-16 surrogate pair escaped as JSON writes it (``json.dumps`` of an emoji), not
# after an escaped backslash: YAML would read each half as a character of its own.
_SURROGATE_PAIR = re.compile(
    r"(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE
)


def _join_surrogates(text: str) -> str:
    def joined(match: re.Match[str]) -> str:
        high, low = int(match.group(2), 16), int(match.group(3), 16)
        return match.group(1) + chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))

    return _SURROGATE_PAIR.sub(joined, text)


#: Integers past 64 bits (YAML reads ``0x`` and ``0b`` ones of any length) are no
#: setting's; past 4,300 digits they could not even be shown.
_LARGEST_INT = 2**63


def check_seed(seed: object) -> int:
    """A seed (a scenario's, ``Emulator(seed=)``'s, ``--seed``'s): an integer of at
    most 64 bits, which every store can keep; ``7.0`` or ``True`` is refused, not read."""
    try:
        if isinstance(seed, bool):
            raise TypeError
        value = operator.index(seed)  # an int, or one like numpy's
    except TypeError:
        raise ScenarioError(f"must be an integer, not {seed!r}", field="seed") from None
    if not -_LARGEST_INT <= value < _LARGEST_INT:
        raise ScenarioError("integer too large (more than 64 bits)", field="seed")
    return value


#: What YAML's safe loader builds besides mappings, lists and text (``!!binary``,
#: ``!!omap`` pairs, dates): all of it can be shown back as JSON and YAML.  Not a set
#: (``!!set``): its strings' order is a hash order, another in each process
#: (``PYTHONHASHSEED``), so it would be shown back, read as one text or told in an
#: error differently from run to run.
_PLAIN_SCALARS = (bool, int, float, bytes, date, type(None))
#: Mapping keys ``GET /_emulator/scenario`` can show as JSON keys.
_PLAIN_KEYS = (str, int, float, bytes, date)
#: How deep mappings and lists may nest (the format itself needs six levels): a deeper
#: document could not be shown back, as JSON or in the inspector's YAML, within
#: Python's recursion limit.
MAX_DEPTH = 100
#: How many values a scenario given as a dict may hold written out (as JSON shows it).
MAX_DICT_VALUES = 1_000_000


def _plain_values(
    data: Any, path: str = "", depth: int = 0, sizes: dict[tuple[int, int], int] | None = None
) -> int:
    """Refuse values nothing could use or show: text that is not Unicode (a lone
    ``\\ud800`` escape), integers past 64 bits, keys that are not text or a number
    (YAML reads an unquoted ``null``, ``on`` or ``no`` key so), and, in a document
    given as a dict, what YAML and JSON have no value for; nesting past ``MAX_DEPTH``.

    Returns how many values the document holds written out (as JSON shows it).  A
    container met again at the same depth (shared, as in ``a = [b, b]``) is checked
    once: a document built in Python may share one list a million times over.
    """
    if isinstance(data, set):
        raise ScenarioError(
            "a set (YAML !!set) has no order, so it would read differently from run to run:"
            " write a list or a single value",
            field=path or None,
        )
    if not isinstance(data, dict | list | tuple):
        _plain_scalar(data, path)
        return 1
    if depth >= MAX_DEPTH:
        raise ScenarioError(f"nested more than {MAX_DEPTH} deep", field=path or None)
    sizes = {} if sizes is None else sizes
    known = sizes.get((id(data), depth))
    if known is not None:
        return known
    size = 1
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, bool) or not isinstance(key, _PLAIN_KEYS):
                raise ScenarioError(
                    f"key {key!r} is not text or a number (YAML reads an unquoted null, ~,"
                    " yes, no, on, off, true or false key so): quote it",
                    field=path or None,
                )
            _plain_scalar(key, path)
            child = f"{path}.{key!s}" if path else str(key)  # b'...' for a !!binary key
            size += 1 + _plain_values(value, child, depth + 1, sizes)
    else:
        for i, item in enumerate(data):
            size += _plain_values(item, f"{path}[{i}]", depth + 1, sizes)
    sizes[(id(data), depth)] = size
    return size


def _plain_scalar(data: Any, path: str) -> None:
    if isinstance(data, str):
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            raise ScenarioError(
                f"{data!r} is not valid text (a lone UTF-16 surrogate)", field=path or None
            ) from None
    elif isinstance(data, int) and not -_LARGEST_INT <= data < _LARGEST_INT:
        raise ScenarioError("integer too large (more than 64 bits)", field=path or None)
    elif not isinstance(data, _PLAIN_SCALARS):
        raise ScenarioError(
            f"{type(data).__name__} is not a YAML or JSON value", field=path or None
        )


def _is_json(text: str) -> bool:
    """Whether ``text`` is a JSON document (not flow-style YAML such as ``{seed: 5}``)."""
    if not text.lstrip().startswith(("{", "[")):
        return False
    try:
        msgspec.json.decode(text)
    except (msgspec.DecodeError, RecursionError):
        return False
    return True


def _yaml_problem(exc: yaml.YAMLError, text: str, line: int | None) -> str:
    """PyYAML's problem, with what a user needs to find its cause: a tab that indents
    a line, or where the bracket left open began (reported where its end was missed)."""
    problem = str(getattr(exc, "problem", None) or exc)
    lines = text.splitlines()
    where = lines[line - 1] if line is not None and 0 < line <= len(lines) else ""
    if "cannot start any token" in problem and "\t" in where:
        return f"{problem} (a tab: YAML indents with spaces)"
    context, opened = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and opened is not None and opened.line + 1 != line:
        return f"{problem} ({context} begun on line {opened.line + 1})"
    return problem


def parse_scenario_text(text: str, *, source: str | None = None) -> Scenario:
    """Parse YAML (JSON is valid YAML) and validate it; errors carry the line."""
    lines: dict[str, int] = {}
    if text.lstrip().startswith("{"):
        text = _join_surrogates(text)
    try:
        loader = _JsonLoader if _is_json(text) else _SafeLoader
        node = yaml.compose(text, Loader=loader)
        if node is not None:
            _lines(node, "", lines, _Walk(len(text)))
        data = loader("").construct_document(node) if node is not None else None
        _plain_values(data)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, such as NUL
        line: int | None = text.count("\n", 0, exc.position) + 1
        character = chr(exc.character) if isinstance(exc.character, int) else exc.character
        problem = f"character {character!r} is not allowed ({exc.reason})"
        raise ScenarioError(f"not valid YAML/JSON: {problem}", source=source, line=line) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = _yaml_problem(exc, text, line)
        raise ScenarioError(f"not valid YAML/JSON: {problem}", source=source, line=line) from None
    except ScenarioError as exc:
        line = exc.line if exc.line is not None else _line_of(exc.field, lines)
        raise ScenarioError(exc.reason, source=source, field=exc.field, line=line) from None
    except RecursionError:  # nested ~1,000 deep, or an alias that contains itself
        raise ScenarioError("not valid YAML/JSON: nested too deep", source=source) from None
    except ValueError as exc:  # an integer of over 4,300 digits
        raise ScenarioError(f"not valid YAML/JSON: {exc}", source=source) from None
    try:
        return _check_with_providers(_parse(data))
    except ScenarioError as exc:
        line = exc.line if exc.line is not None else _line_of(exc.field, lines)
        raise ScenarioError(exc.reason, source=source, field=exc.field, line=line) from None
    except RecursionError:
        raise ScenarioError("not valid YAML/JSON: nested too deep", source=source) from None


# Parsed scenario files by (resolved path, text): an ``Emulator()`` per test
# must not re-parse the same YAML each time.  The file is read every time (cheap
# next to parsing): its mtime alone cannot tell two versions apart when they share
# one (``cp -p``, ``tar x``, ``rsync -t``, a filesystem with coarse timestamps).
# Shipped names map to their file here, so a known name needs one ``stat`` and no
# directory listing.  Only the most recently loaded ``_FILES_KEPT`` are kept: a test
# session writing a scenario file per test (``tmp_path``) must not keep them all.
_FILES_KEPT = 64
_by_file: dict[tuple[str, str], Scenario] = {}
_by_file_lock = threading.Lock()
_by_name: dict[str, tuple[Path, int, Scenario]] = {}


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _load_file(path: Path, source: str, shipped: dict[str, Path]) -> Scenario:
    """A scenario file, parsed once per (path, content)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise not_utf8(exc, source) from None
    except OSError as exc:
        known = ", ".join(sorted(shipped)) or "none"
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ScenarioError(
            f"cannot read scenario: {reason} (shipped scenarios: {known})", source=source
        ) from None
    try:
        key: tuple[str, str] | None = (str(path.resolve()), text)
    except (OSError, RuntimeError):
        key = None
    if key is None:
        return parse_scenario_text(text, source=source)
    with _by_file_lock:
        scenario = _by_file.pop(key, None)
    if scenario is None:
        scenario = parse_scenario_text(text, source=source)
    with _by_file_lock:
        _by_file[key] = scenario  # (again) the newest: the least recently loaded go first
        while len(_by_file) > _FILES_KEPT:
            del _by_file[next(iter(_by_file))]
    return scenario


def not_utf8(exc: UnicodeDecodeError, source: str) -> ScenarioError:
    """The error for a scenario file that is not UTF-8 (saved as Latin-1, say), naming
    the line and column of its first byte that is not."""
    before = exc.object[: exc.start]
    line = before.count(b"\n") + 1
    column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8")) + 1  # valid up to there
    byte = exc.object[exc.start]
    return ScenarioError(
        f"a scenario file must be UTF-8 YAML or JSON: byte 0x{byte:02x} at column {column}"
        " is not UTF-8 (save the file as UTF-8)",
        source=source,
        line=line,
    )


def is_scenario_text(spec: str) -> bool:
    """Whether ``load_scenario`` reads ``spec`` as YAML/JSON text (several lines, or
    a JSON object) rather than as a shipped name or a file's path."""
    return "\n" in spec or spec.lstrip().startswith("{")


def is_file(path: Path) -> bool:
    """``path.is_file()``, False for a string no file can be named by (a long
    one-line YAML or JSON document is not a path, and must not raise)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def load_scenario(spec: str | Path | dict[str, Any] | Scenario | None) -> Scenario:
    """A scenario from a shipped name, a file path, YAML/JSON text, a dict or a Scenario."""
    if spec is None:
        spec = "happy-path"
    if isinstance(spec, Scenario):
        return spec
    if isinstance(spec, dict):
        return parse_scenario(spec)
    if not isinstance(spec, str | Path):
        raise ScenarioError(
            f"a scenario is a shipped name, a path, YAML/JSON text or a dict, not {_kind(spec)}"
        )
    if isinstance(spec, str) and not spec.strip() and "\n" not in spec:  # Path("") is "."
        raise ScenarioError(
            "an empty scenario name: give a shipped name, a file, YAML/JSON text or a dict"
            " (None for happy-path)"
        )
    if isinstance(spec, str):
        cached = _by_name.get(spec)
        if cached is not None and _mtime(cached[0]) == cached[1]:
            return cached[2]  # a shipped name seen before, its file unchanged
    shipped = shipped_scenarios()
    name = spec if isinstance(spec, str) and spec in shipped else None
    if name is not None:
        spec = shipped[name]
    path = Path(spec)
    if isinstance(spec, Path) or (
        "\n" not in spec and (path.suffix in (".yaml", ".yml", ".json") or is_file(path))
    ):
        scenario = _load_file(path, str(spec), shipped)
        mtime = _mtime(path) if name is not None else None
        if name is not None and mtime is not None:
            _by_name[name] = (path, mtime, scenario)
        return scenario
    if is_scenario_text(spec) or ": " in spec:  # one line of YAML (``seed: 5``) too
        return parse_scenario_text(spec)
    if _is_dir(path):
        raise ScenarioError(
            f"{spec} is a directory, not a scenario file (name the files in it: {path / '*.yaml'})"
        )
    raise unknown_scenario(spec, shipped)


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def unknown_scenario(name: str, shipped: dict[str, Path]) -> ScenarioError:
    """The refusal of a name no shipped scenario has, with the closest one."""
    known = tuple(sorted(shipped))
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return ScenarioError(
        f"unknown scenario {name!r} ({hint}shipped scenarios: {', '.join(known) or 'none'})"
    )


def load_scenario_body(body: bytes | str, *, source: str = "scenario") -> Scenario:
    """A scenario from an HTTP body: YAML or JSON text, or a bare shipped name.

    Never a path: what the server's own files hold is not the client's to load
    (or to read back in an error message).
    """
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
    except UnicodeDecodeError as exc:
        raise not_utf8(exc, source) from None
    stripped = text.strip()
    if stripped.startswith("#") and not any(c in text for c in "\r\n"):
        # What `curl -d @file.yaml` sends: the file's newlines stripped, so the comment
        # it opens with runs to the end. Loaded, it would silently be no rules.
        raise ScenarioError(
            "the body is one comment line, no scenario: curl's -d strips a file's newlines,"
            " which makes all of it one comment; send a file with --data-binary @FILE"
            " ({} for no rules)"
        )
    shipped = shipped_scenarios()
    if stripped.strip("\"'") in shipped:
        return load_scenario(stripped.strip("\"'"))
    if _is_one_word(stripped):
        error = unknown_scenario(stripped.strip("\"'"), shipped)  # a name mistyped, or a path
        if "/" in stripped or Path(stripped).suffix.lower() in (".yaml", ".yml", ".json"):
            error = ScenarioError(f"{error.reason}; to load a file, send its content")
        raise error
    try:
        return parse_scenario_text(text, source=source)
    except ScenarioError as exc:
        flattened = not ("\n" in text or "\r" in text or stripped.startswith(("{", "[")))
        if not (flattened and exc.reason.startswith("not valid YAML/JSON")):
            raise
        # `curl -d @file.yaml` again: a file's lines run into one, which YAML cannot read
        raise ScenarioError(
            f"{exc.reason}; the body has no line breaks: curl's -d strips a file's"
            " newlines, send a file with --data-binary @FILE",
            source=exc.source,
            field=exc.field,
            line=exc.line,
        ) from None


_NO_YAML_LINE = re.compile(r"\s*(?:(?:---|\.\.\.)\s*)?(?:#.*)?")


def holds_no_yaml(text: str) -> bool:
    """Whether ``text`` is only blank lines, comments and document markers (YAML reads
    it as no document at all)."""
    return all(_NO_YAML_LINE.fullmatch(line) for line in text.splitlines())


def _is_one_word(text: str) -> bool:
    """Whether a body is one line of YAML that holds just text (a name or a path)."""
    if "\n" in text or len(text) > 4096 or text.startswith(("{", "[")):
        return False
    try:
        return isinstance(yaml.safe_load(text), str)
    except (yaml.YAMLError, ValueError, RecursionError):
        return False  # parse_scenario_text says what is wrong with it
