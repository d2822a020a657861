"""Loading scenarios: sources, validation errors (file, line, field, suggestion), durations."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
import yaml

from emulator import Emulator
from emulator.core.models import Status
from emulator.core.webhooks import RETRY_DELAYS
from emulator.scenario.loader import (
    ScenarioError,
    load_scenario,
    load_scenario_body,
    parse_scenario,
    parse_scenario_text,
    shipped_scenarios,
)
from emulator.scenario.schema import Match

SHIPPED = (
    "happy-path",
    "mixed-delivery",
    "invalid-numbers",
    "carrier-failures",
    "no-receipts",
    "slow-processing",
    "rate-limited",
    "flaky-network",
    "insufficient-balance",
    "opt-outs",
)


def error_for(text: str, source: str | None = "s.yaml") -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        parse_scenario_text(text, source=source)
    return info.value


def test_every_promised_scenario_is_shipped_and_valid() -> None:
    shipped = shipped_scenarios()
    assert set(SHIPPED) <= set(shipped)
    for name in SHIPPED:
        scenario = load_scenario(name)
        assert scenario.name == name
        assert scenario.description
        assert shipped[name].read_text("utf-8").startswith("# "), f"{name} needs a comment header"


def test_default_is_happy_path() -> None:
    assert load_scenario(None).name == "happy-path"


def test_unknown_top_level_key_names_file_line_and_suggestion() -> None:
    exc = error_for("name: x\nseed: 1\nrule:\n  - outcome: delivered\n")
    assert (exc.source, exc.line, exc.field) == ("s.yaml", 3, "rule")
    assert "did you mean 'rules'?" in str(exc)
    assert str(exc).startswith("s.yaml:3: rule: unknown key 'rule'")


def test_nested_unknown_key_points_at_its_own_line() -> None:
    text = """\
name: x
rules:
  - when: {to: "+1*"}
    outcome: delivered
  - when:
      provider: sendbulk
      too: "+2547*"
    outcome: undeliverable
"""
    exc = error_for(text)
    assert (exc.line, exc.field) == (7, "rules[1].when.too")
    assert "did you mean 'to'?" in str(exc)


def test_a_key_in_other_capitals_is_told_its_spelling() -> None:
    exc = error_for("rules:\n  - when: {TO: '+1*'}\n    outcome: delivered\n")
    assert "rules[0].when.TO: unknown key 'TO' (did you mean 'to'?)" in str(exc)


def test_unknown_outcome_suggests_the_closest() -> None:
    exc = error_for("rules:\n  - outcome: {delivered: 0.9, undeliverabel: 0.1}\n")
    assert (exc.line, exc.field) == (2, "rules[0].outcome.undeliverabel")
    assert "did you mean 'undeliverable'?" in str(exc)


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("undelivered", "undeliverable"),  # by its letters closest to "delivered"
        ("delivery_failed", "undeliverable"),
        ("DeliveryFailed", "undeliverable"),  # RingCentral's status
        ("SendingFailed", "send_failed"),
        ("rejected", "invalid_number"),
        ("optout", "opted_out"),
        ("sent", "no_receipt"),
        ("expired", "undeliverable"),  # by its letters closest to "delivered"
        ("timeout", "undeliverable"),  # and to "opted_out"
        ("SEND_FAILED", "send_failed"),  # an outcome in capitals
        ("optedOut", "opted_out"),
        ("Delivered", "delivered"),
    ],
)
def test_an_unknown_outcome_named_for_a_fate_suggests_that_fate(written: str, meant: str) -> None:
    exc = error_for(f"rules:\n  - outcome: {written}\n")
    assert (exc.line, exc.field) == (2, "rules[0].outcome")
    assert f"unknown outcome {written!r} (did you mean {meant!r}?)" in str(exc)


def test_unknown_provider_suggests_the_closest() -> None:
    exc = error_for("rate_limits:\n  ringcentrl.light: {requests: 5}\n")
    assert (exc.line, exc.field) == (2, "rate_limits.ringcentrl.light")
    assert "did you mean 'ringcentral'?" in str(exc)
    exc = error_for("rules:\n- when: {provider: sendblk}\n  outcome: delivered\n")
    assert exc.field == "rules[0].when.provider"
    assert "did you mean 'sendbulk'?" in str(exc)


def test_bad_duration_names_field_and_line() -> None:
    exc = error_for("name: x\ntiming:\n  processing: 2s\n  sent: soon\n")
    assert (exc.line, exc.field) == (4, "timing.sent")
    assert "invalid duration 'soon'" in str(exc)


def test_unquoted_number_gets_a_hint() -> None:
    exc = error_for("rules:\n  - when: {to: +15005550001}\n    outcome: invalid_number\n")
    assert exc.field == "rules[0].when.to"
    assert "quote" in str(exc)


def test_invalid_regex_is_caught_at_load() -> None:
    exc = error_for('rules:\n  - when: {text: "re:(unclosed"}\n    outcome: opted_out\n')
    assert exc.field == "rules[0].when.text"
    assert "invalid regular expression" in str(exc)


def test_duplicate_keys_are_errors() -> None:
    exc = error_for("name: a\nseed: 1\nseed: 2\n")
    assert exc.line == 3
    assert "duplicate key 'seed' (first on line 2)" in str(exc)


def test_an_error_in_text_given_without_a_file_names_its_line() -> None:
    """YAML text passed to Emulator(...) has no file name: the message still starts
    with where the mistake is."""
    with pytest.raises(ScenarioError) as info:
        Emulator("name: x\nrules:\n  - outcome: teleported\n")
    assert str(info.value).startswith("line 3: rules[0].outcome: unknown outcome 'teleported'")


def test_syntax_error_has_a_line() -> None:
    exc = error_for("name: x\nrules: [\n  {outcome: delivered\n")
    assert exc.line is not None
    assert "not valid YAML/JSON" in str(exc)


def test_a_bracket_left_open_says_where_it_began() -> None:
    """PyYAML reports the line where the closing bracket was missed, past the cause."""
    exc = error_for("name: x\ntiming: {processing: 2s\nrules: []\n")
    assert exc.line == 3
    assert "flow mapping begun on line 2" in str(exc)


def test_a_tab_indenting_a_line_is_named() -> None:
    exc = error_for("rules:\n\t- outcome: delivered\n")
    assert exc.line == 2
    assert "a tab: YAML indents with spaces" in str(exc)


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("version: 2\n", "version", "unsupported version 2"),
        ("version: 0\n", "version", "unsupported version 0"),  # only 1 exists
        (
            "rules:\n  - {when: {to: []}, outcome: undeliverable}\n",
            "rules[0].when.to",
            "must not be an empty list",  # a rule matching nothing, not everything
        ),
        ('version: "1"\n', "version", "must be the number 1 (unquoted), not a string"),
        (
            "rules:\n  - {when: {}, outcome: undeliverable, error_code: ''}\n",
            "rules[0].error_code",
            "must not be empty",
        ),
        (
            "rules:\n  - {when: {}, outcome: undeliverable, error_code: {}}\n",
            "rules[0].error_code",
            "must name a provider",
        ),
        (
            "rules:\n  - {when: {}, outcome: undeliverable, error_code: {sendbulk: ' '}}\n",
            "rules[0].error_code.sendbulk",
            "must not be empty",
        ),
        (
            "rules:\n  - {when: {}, outcome: delivered, error_code: SMS-CAR-411}\n",
            "rules[0].error_code",
            "a delivered message has no",
        ),
        (
            "rules:\n  - {when: {}, outcome: invalid_number, error_code: 99999}\n",
            "rules[0].error_code",
            "is no gateway code",
        ),
        (
            "rules:\n  - {when: {}, outcome: invalid_number, error_code: '200'}\n",
            "rules[0].error_code",
            "is no gateway code",
        ),
        (
            "rules:\n  - {when: {}, outcome: invalid_number, error_code: {sendbulk: abc}}\n",
            "rules[0].error_code.sendbulk",
            "1003",
        ),
        (
            "rules:\n  - when: {provider: sendbulk}\n"
            "    outcome: invalid_number\n    error_code: SMS-RC-410\n",
            "rules[0].error_code",
            "1001, 1002",
        ),
        ("version: 1.0\n", "version", "must be the number 1 (unquoted), not 1.0"),
        ("version: true\n", "version", "must be the number 1 (unquoted), not a boolean"),
        ("faults:\n  - {calls: [], respond: {status: 503}}\n", "faults[0].calls", "at least one"),
        (
            "rules:\n  - outcome: undeliverable\n  - {when: {to: '+1*'}, outcome: send_failed}\n",
            "rules[1]",
            "never reached: rules[0] decides every message first",
        ),
        (
            "rules:\n  - {when: {to: '+1*'}, outcome: undeliverable}\n"
            "  - {when: {to: '+44*'}, outcome: undeliverable}\n"
            "  - {when: {to: '+1*'}, outcome: send_failed}\n",
            "rules[2]",
            "never reached: rules[0] decides the same messages first",
        ),
        ("rules:\n  - {messages: [], outcome: send_failed}\n", "rules[0].messages", "at least one"),
        ("rules:\n  - {messages: [0], outcome: send_failed}\n", "rules[0].messages[0]", "positive"),
        ("rules:\n  - {every: 1.5, outcome: send_failed}\n", "rules[0].every", "positive integer"),
        ("rules:\n  - {message: 3, outcome: send_failed}\n", "rules[0].message", "'messages'"),
        ("seed: abc\n", "seed", "must be an integer"),
        ("rules: {a: 1}\n", "rules", "must be a list"),
        ("rules:\n  - when: {to: x}\n", "rules[0]", "missing 'outcome'"),
        ("rules:\n  - outcome: {delivered: 0}\n", "rules[0].outcome", "must not all be zero"),
        ("rules:\n  - outcome: {delivered: -1}\n", "rules[0].outcome.delivered", "non-negative"),
        (
            "providers:\n  sendbulk: {default_balance: .nan}\n",
            "providers.sendbulk.default_balance",
            "finite",
        ),
        (
            "providers:\n  ringcentral: {cost_per_segment: .inf}\n",
            "providers.ringcentral.cost_per_segment",
            "finite",
        ),
        (
            "accounts:\n  sendbulk: [{partnerID: '1', apikey: k, balance: .nan}]\n",
            "accounts.sendbulk[0].balance",
            "must be a finite, non-negative number",
        ),
        (
            "accounts:\n  sendbulk: [{partnerID: '1', apikey: k, balance: -5}]\n",
            "accounts.sendbulk[0].balance",
            "must be a finite, non-negative number",
        ),
        (
            "accounts:\n  sendbulk:\n    - {partnerID: '1', apikey: k}\n"
            "    - partnerID: '2'\n      apikey: k\n      balanse: 4\n",
            "accounts.sendbulk[1].balanse",
            "unknown key 'balanse' (did you mean 'balance'?)",
        ),
        (
            "accounts:\n  sendbulk: [{partnerID: '1'}]\n",
            "accounts.sendbulk[0]",
            "needs a partnerID and an apikey",
        ),
        (
            "accounts:\n  sendbulk: [{partnerID: '1', apikey: k, shortcodes: '22555'}]\n",
            "accounts.sendbulk[0].shortcodes",
            "must be a list",
        ),
        (
            "accounts:\n  sendbulk: [{partnerID: '1', apikey: k, networks: [safaricom]}]\n",
            "accounts.sendbulk[0].networks",
            "must be a list of networkids (1, 2, 3)",
        ),
        (
            "accounts:\n  sendbulk: [{partnerID: '1', apikey: k, inbound_method: PUT}]\n",
            "accounts.sendbulk[0].inbound_method",
            "must be GET or POST",
        ),
        (
            "accounts:\n  sendbulk:\n    - {partnerID: '1', apikey: k}\n"
            "    - {partnerID: '1', apikey: j}\n",
            "accounts.sendbulk[1].partnerID",
            "partnerID 1 is declared twice (first at [0])",
        ),
        (
            "providers:\n  sendbulk:\n    brand: advanta\n    batch_limt: 5\n",
            "providers.sendbulk.batch_limt",
            "unknown option 'batch_limt' (did you mean 'batch_limit'?)",
        ),
        (
            "providers:\n  sendbulk:\n    code_key: respons-code\n",
            "providers.sendbulk.code_key",
            "must be one of",
        ),
        (
            "faults:\n  - when: {endpoint: create_batches}\n    respond: {status: 503}\n",
            "faults[0].when.endpoint",
            "unknown endpoint 'create_batches' (did you mean 'create_batch'?)",
        ),
        (
            "rules:\n  - when: {provider: sendbulk, endpoint: [sendsms, send_message]}\n"
            "    outcome: delivered\n",
            "rules[0].when.endpoint[1]",
            "unknown endpoint 'send_message'",  # a Fone Dynamics endpoint, not sendbulk's
        ),
        (
            "faults:\n  - when: {endpoint: forward_sms}\n    respond: {status: 503}\n",
            "faults[0].when.endpoint",
            "unknown endpoint 'forward_sms'",  # rules only: no request to fail
        ),
        (
            "rules:\n  - when: {endpoint: getdlr}\n    outcome: undeliverable\n",
            "rules[0].when.endpoint",
            "endpoint 'getdlr' sends no message, so no rule can match it",  # faults may
        ),
        (
            "rules:\n  - when: {provider: ringcentral, endpoint: [create_batch, token]}\n"
            "    outcome: undeliverable\n",
            "rules[0].when.endpoint[1]",
            "(rules decide the messages of create_batch;",
        ),
        (
            "rate_limits:\n  ringcentral.ligth: {requests: 5}\n",
            "rate_limits.ringcentral.ligth",
            "unknown group 'ligth' (did you mean 'light'?)",
        ),
        (
            "rate_limits:\n  sendbulk.sendsms: {requests: 5}\n",
            "rate_limits.sendbulk.sendsms",
            "sendbulk has no rate-limit groups",
        ),
        ("rules:\n  - outcome: {delivered: .nan}\n", "rules[0].outcome.delivered", "finite"),
        ("rules:\n  - outcome: {delivered: .inf}\n", "rules[0].outcome.delivered", "finite"),
        ("rules:\n  - outcome: {delivered: 1.0e+400}\n", "rules[0].outcome.delivered", "finite"),
        (
            f"rules:\n  - outcome: {{delivered: {10**400}}}\n",
            "rules[0].outcome.delivered",
            "integer too large",
        ),
        (
            "rules:\n  - outcome: {delivered: 1.5e+308, undeliverable: 1.5e+308}\n",
            "rules[0].outcome",
            "too large",
        ),
        (
            "rules:\n  - when: {to: '254712345678'}\n    outcome: undeliverable\n",
            "rules[0].when.to",
            'can never match: recipients are matched in E.164 with a leading + (write "+254',
        ),
        (
            "rules:\n  - when: {to: ['+15005550001', '15005550001']}\n    outcome: undeliverable\n",
            "rules[0].when.to[1]",
            "can never match",
        ),
        (  # the hint said "+0712345678", which loads and matches nothing either
            "rules:\n  - when: {to: '0712345678'}\n    outcome: undeliverable\n",
            "rules[0].when.to",
            'a Kenyan 0712345678 is "+254712345678"',
        ),
        ("rules:\n  - when: {to: '0712*'}\n    outcome: send_failed\n", "rules[0].when.to", "+254"),
        (
            "rules:\n  - when: {to: '254712*'}\n    outcome: send_failed\n",
            "rules[0].when.to",
            '"+254712*"',
        ),
        (
            "rules:\n  - when: {to: '2547????????'}\n    outcome: send_failed\n",
            "rules[0].when.to",
            "re:^",
        ),
        ("rules:\n  - when: {to: '+0712*'}\n    outcome: send_failed\n", "rules[0].when.to", "0"),
        (
            "rules:\n  - when: {to: '+1 415 555 0100'}\n    outcome: undeliverable\n",
            "rules[0].when.to",
            "no spaces or separators (write '+14155550100')",
        ),
        (
            "rules:\n  - when: {to: ['+1*', '+254-712-*']}\n    outcome: undeliverable\n",
            "rules[0].when.to[1]",
            "(write '+254712*')",
        ),
        (  # a placeholder for digits, as people write them
            "rules:\n  - when: {to: '+2547XXXXXXXX'}\n    outcome: undeliverable\n",
            "rules[0].when.to",
            "'X' matches none; the wildcards are * and ?",
        ),
        (  # a hash as some tools print it: recipients hold its lower-case form
            "rules:\n  - when: {to: '" + "AB" * 32 + "'}\n    outcome: invalid_number\n",
            "rules[0].when.to",
            "'A' matches none",
        ),
        (  # hex letters are a hash's, never a number's
            "rules:\n  - when: {to: '+2547aaaa'}\n    outcome: undeliverable\n",
            "rules[0].when.to",
            "'a' matches none",
        ),
        (  # quoted twice over
            "rules:\n  - when: {to: \"'+2547*'\"}\n    outcome: undeliverable\n",
            "rules[0].when.to",
            '"\'" matches none',
        ),
        ("faults:\n  - respond: {status: 200}\n", "faults[0].respond.status", "400-599"),
        ("faults:\n  - respond: {status: 399}\n", "faults[0].respond.status", "400-599"),
        ("faults:\n  - respond: {}\n", "faults[0].respond", "must say what to do: one or more"),
        ("faults:\n  - respond: {stauts: 503}\n", "faults[0].respond.stauts", "'status'"),
        ("faults:\n  - every: 0\n    respond: {drop: true}\n", "faults[0].every", "positive"),
        ("faults:\n  - calls: [0]\n    respond: {drop: true}\n", "faults[0].calls[0]", "positive"),
        ("faults:\n  - when: {to: x}\n    respond: {drop: true}\n", None, None),
        ("faults:\n  - respond: {drop: true, status: 503}\n", "faults[0].respond", "choose one"),
        ("faults:\n  - respond: {retry_after: 5s}\n", "faults[0].respond.retry_after", "status"),
        ("faults:\n  - when: {}\n", "faults[0]", "missing 'respond'"),
        ("rate_limits:\n  sendbulk: {per: 1s}\n", "rate_limits.sendbulk", "missing 'requests'"),
        ("rate_limits:\n  sendbulk: {requests: 1, per: 0}\n", "rate_limits.sendbulk.per", "0s"),
        ("rate_limits:\n  sendbulk.Bad!: {requests: 1}\n", "rate_limits.sendbulk.Bad!", "group"),
        (
            "rate_limits:\n  ringcentral.Light: {requests: 1}\n",
            "rate_limits.ringcentral.Light",
            "group 'Light' must be a lower-case name, e.g. 'ringcentral.light'",
        ),
        ("rate_limits:\n  sendbulk: {requests: 1, pre: 1s}\n", "rate_limits.sendbulk.pre", "'per'"),
        ("accounts:\n  sendbulk: [1]\n", "accounts.sendbulk[0]", "mapping"),
        ("providers:\n  fonedynamic: {}\n", "providers.fonedynamic", "'fonedynamics'"),
        ("rules:\n  - outcome: {sequence: []}\n", "rules[0].outcome.sequence", "at least one"),
        (
            "rules:\n  - outcome: {sequence: [{after: 1s, status: rejected}]}\n",
            "rules[0].outcome.sequence[0].status",
            "invalid_number",
        ),
        (
            "rules:\n  - outcome:\n      sequence: [{after: 2s, status: sent},"
            " {after: 1s, status: failed}]\n",
            "rules[0].outcome.sequence[1].after",
            "time order",
        ),
        (
            "rules:\n  - outcome:\n      sequence: [{after: 2s, status: delivered},"
            " {after: 3s, status: failed}]\n",
            "rules[0].outcome.sequence[1]",
            "final status",
        ),
        (
            "rules:\n  - outcome: {sequence: [{after: 1s}]}\n",
            "rules[0].outcome.sequence[0]",
            "status",
        ),
        (
            "rules:\n  - outcome: delivered\n    error_code: {rc: X}\n",
            "rules[0].error_code.rc",
            "provider",
        ),
        (
            "rules:\n  - outcome: undeliverable\n    error_code: {ringcentral: true}\n",
            "rules[0].error_code.ringcentral",
            "must be a code, not a boolean",
        ),
        (
            "rules:\n  - outcome: undeliverable\n    error_code: {ringcentral: [X]}\n",
            "rules[0].error_code.ringcentral",
            "must be a code, not a list",
        ),
        (
            "rules:\n  - outcome: undeliverable\n    error_code: [SMS-CAR-411, 1003]\n",
            "rules[0].error_code",
            "must be a code, or a mapping of provider",
        ),
        (
            "rules:\n  - outcome: [delivered, undeliverable]\n",
            "rules[0].outcome",
            "must be an outcome name, a mapping of outcome → weight",
        ),
        (  # YAML's yes is true, no weight
            "rules:\n  - outcome: {delivered: yes, undeliverable: 1}\n",
            "rules[0].outcome.delivered",
            "weight must be a finite, non-negative number, not True",
        ),
        (
            "rules:\n  - outcome: {delivered: most, undeliverable: 1}\n",
            "rules[0].outcome.delivered",
            "weight must be a finite, non-negative number, not 'most'",
        ),
        (  # a step is when and which status; its code is the rule's error_code
            "rules:\n  - outcome: {sequence: [{after: 1s, status: failed, error_code: X}]}\n",
            "rules[0].outcome.sequence[0].error_code",
            "unknown key 'error_code'",
        ),
        (  # a sequence is the whole outcome: no weights beside it
            "rules:\n  - outcome: {sequence: [{after: 1s, status: sent}], delivered: 1}\n",
            "rules[0].outcome.delivered",
            "unknown key 'delivered'",
        ),
        ("webhooks: {retries: 5s}\n", "webhooks.retries", "must be a list"),
        ("webhooks:\n  retries:\n", "webhooks.retries", "[] for one attempt"),
        ("webhooks: {retries: [5s, soon]}\n", "webhooks.retries[1]", "invalid duration"),
        ("webhooks: {retries: [0s]}\n", "webhooks.retries[0]", "longer than 0s"),
        (
            "webhooks: {retries: [1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s]}\n",
            "webhooks.retries",
            "at most 10",
        ),
        ("webhooks: {retry: []}\n", "webhooks.retry", "'retries'"),
        ("webhooks: [5s]\n", "webhooks", "must be a mapping"),
    ],
)
def test_validation_errors(text: str, field: str | None, words: str | None) -> None:
    if field is None:
        with pytest.raises(ScenarioError) as info:
            parse_scenario_text(text)
        assert info.value.field == "faults[0].when.to"  # faults match requests, not messages
        return
    exc = error_for(text)
    assert exc.field == field
    assert exc.line is not None
    assert words in str(exc)


def test_the_ends_of_the_ranges_a_scenario_allows_are_taken() -> None:
    """A fault's status may be any HTTP error, 400 and 599 included, and sequence steps
    at the same moment are in time order (sent, and failed by the carrier at once)."""
    scenario = parse_scenario_text(
        "faults:\n  - respond: {status: 400}\n  - respond: {status: 599}\n"
        "rules:\n  - outcome:\n      sequence: [{after: 1s, status: sent},"
        " {after: 1s, status: failed}]\n"
    )
    assert [fault.respond for fault in scenario.faults] == [{"status": 400}, {"status": 599}]
    assert scenario.rules[0].sequence == ((1.0, Status.SENT), (1.0, Status.FAILED))
    assert scenario.rules[0].outcomes == (("undeliverable", 1.0),)


@pytest.mark.parametrize(
    ("first", "then", "words"),
    [
        ("{endpoint: '*'}", "{to: '+1*'}", "decides every message"),
        ("{provider: '*', to: '*', text: '*'}", "{to: '+1*'}", "decides every message"),
        ("{provider: ['*', sendbulk]}", "{to: '+1*'}", "decides every message"),
        ("{to: '+1*', endpoint: '*'}", "{to: '+1*'}", "decides the same messages"),
        ("{to: '+1*'}", "{to: '+1*', provider: '*'}", "decides the same messages"),
    ],
)
def test_a_condition_every_message_meets_counts_as_left_out_for_reach(
    first: str, then: str, words: str
) -> None:
    """``endpoint: "*"`` is documented as no ``endpoint``, yet a rule after it loaded."""
    exc = error_for(
        f"rules:\n  - when: {first}\n    outcome: undeliverable\n"
        f"  - when: {then}\n    outcome: send_failed\n"
    )
    assert (exc.line, exc.field) == (4, "rules[1]")
    assert f"is never reached: rules[0] {words} first" in exc.reason


def test_a_rule_after_a_wildcard_sender_is_reached() -> None:
    """A message may have no sender (a Fone Dynamics lease), which ``from: "*"`` misses."""
    text = (
        "rules:\n  - {when: {from: '*'}, outcome: undeliverable}\n"
        "  - {when: {to: '+1*'}, outcome: send_failed}\n"
    )
    assert len(parse_scenario_text(text).rules) == 2


@pytest.mark.parametrize("value", ["1", "0", "1.0", "'yes'", "null", "later"])
@pytest.mark.parametrize("key", ["drop", "truncate", "malformed"])
def test_fault_switches_are_booleans(key: str, value: str) -> None:
    """``drop: 1`` was read as ``drop: true`` (and ``drop: 0`` as false) where
    ``truncate: 1`` and ``malformed: 1`` were refused."""
    exc = error_for(f"faults:\n  - respond:\n      {key}: {value}\n")
    assert (exc.line, exc.field) == (3, f"faults[0].respond.{key}")
    assert "true" in exc.reason and "false, not " in exc.reason


@pytest.mark.parametrize(
    "respond", ["{delay: 0s}", "{delay: 0s, drop: false}", "{truncate: false}"]
)
def test_a_fault_that_does_nothing_is_refused(respond: str) -> None:
    """``delay: 0s`` alone loaded as a fault that did nothing, where ``drop: false`` did not."""
    exc = error_for(f"faults:\n  - respond: {respond}\n")
    assert exc.field == "faults[0].respond" and "does nothing" in exc.reason
    kept = parse_scenario_text("faults: [{respond: {delay: 0s, status: 503}}]").faults[0]
    assert kept.respond == {"status": 503}


@pytest.mark.parametrize(
    ("respond", "loaded"),
    [
        ("{drop: yes}", {"drop": "before"}),  # YAML 1.1, as PyYAML reads it: yes is true
        ("{truncate: yes}", {"truncate": True}),
        ("{drop: before}", {"drop": "before"}),  # the same as drop: true
        ("{drop: after}", {"drop": "after"}),
        ("{drop: false, status: 503}", {"status": 503}),
    ],
)
def test_fault_switches_that_load(respond: str, loaded: dict) -> None:
    assert parse_scenario_text(f"faults: [{{respond: {respond}}}]").faults[0].respond == loaded


@pytest.mark.parametrize(
    ("section", "entry"), [("rules", "outcome: undeliverable"), ("faults", "respond: {drop: true}")]
)
def test_an_empty_when_is_refused_and_an_empty_mapping_matches_everything(
    section: str, entry: str
) -> None:
    """A ``when:`` whose conditions were all commented out matched everything."""
    exc = error_for(f"{section}:\n  - when:\n      # to: '+1*'\n    {entry}\n")
    assert (exc.line, exc.field) == (2, f"{section}[0].when")
    assert "leave 'when' out, or write 'when: {}', to match everything" in str(exc)
    loaded = parse_scenario_text(f"{section}:\n  - when: {{}}\n    {entry}\n")
    assert getattr(loaded, section)[0].when == Match()


@pytest.mark.parametrize("provider", ["ringcentral", "fonedynamics", "sendbulk"])
@pytest.mark.parametrize("empty", ["", " []", " null"])
def test_an_empty_accounts_entry_is_refused(provider: str, empty: str) -> None:
    """It loaded, then refused every credential for sendbulk and Fone Dynamics and
    accepted any for RingCentral."""
    exc = error_for(f"name: x\naccounts:\n  {provider}:{empty}\n")
    assert (exc.line, exc.field) == (3, f"accounts.{provider}")
    assert "is empty: leave it out to accept any credentials" in str(exc)
    with pytest.raises(ScenarioError, match="is empty") as info:
        parse_scenario({"accounts": {provider: []}})
    assert info.value.field == f"accounts.{provider}"


def test_an_error_below_what_the_document_wrote_points_at_the_nearest_line_it_did() -> None:
    """One account written as a mapping, not a list: its error names accounts.sendbulk[0],
    which the file has no line of, so the line is its parent's."""
    exc = error_for("name: x\naccounts:\n  sendbulk: {}\n")
    assert (exc.field, exc.line) == ("accounts.sendbulk[0]", 3)
    assert str(exc).startswith("s.yaml:3: accounts.sendbulk[0]: each account must be a mapping")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "name: x\naccounts:\n  sendbulk:\n    - partnerID: '1'\n      apikey: k\n"
            "    - partnerID: '2'\n      apikey: k\n      balanse: 4\n",
            8,
        ),
        ("name: x\nproviders:\n  sendbulk:\n    brand: advanta\n    batch_limt: 5\n", 5),
    ],
)
def test_sendbulk_setting_errors_point_at_their_line(text: str, line: int) -> None:
    """As the other providers' do: the key's own line, not its section's."""
    assert error_for(text).line == line


@pytest.mark.parametrize(
    "pattern",
    [
        "re:^39879278",
        "3" * 64,
        "0" + "3" * 63,
        hashlib.sha256(b"254712345678").hexdigest(),  # a hashed OTP recipient, as sent
        hashlib.sha256(b"254712345678").hexdigest()[:20] + "*",
        "+2547*",
        "+1500555000[0-4]",
        "+1*[!-]",
        "re:^07",
    ],
)
def test_a_pattern_that_may_match_a_recipient_loads(pattern: str) -> None:
    """sendbulk's unresolved hashed recipients stay 64 hex digits, which rules can match;
    a dash in a glob's [...] is a range, not a separator; a regex is not second-guessed."""
    rule = {"when": {"provider": "sendbulk", "to": pattern}, "outcome": "invalid_number"}
    assert parse_scenario({"rules": [rule]}).rules[0].when.to == pattern


@pytest.mark.parametrize(
    ("rule", "codes"),
    [
        ({"outcome": "invalid_number", "error_code": "SMS-RC-410"}, {"sendbulk": "SMS-RC-410"}),
        ({"outcome": "invalid_number", "error_code": {"sendbulk": 1002}}, {"sendbulk": "1002"}),
        ({"outcome": {"delivered": 1, "send_failed": 1}, "error_code": "X"}, {"ringcentral": "X"}),
        ({"outcome": "undeliverable", "error_code": "Invalid Source Address"}, {"sendbulk": None}),
        (  # sendbulk never sees it
            {"when": {"provider": "ringcentral"}, "outcome": "invalid_number", "error_code": 123},
            {"ringcentral": "123"},
        ),
        (  # the share failing later shows it as its description
            {
                "when": {"provider": "sendbulk"},
                "outcome": {"undeliverable": 1, "invalid_number": 1},
                "error_code": "AbsentSubscriber",
            },
            {"sendbulk": "AbsentSubscriber"},
        ),
    ],
)
def test_codes_a_provider_can_show_load(rule: dict, codes: dict) -> None:
    """A code for every provider may be one only another provider shows (sendbulk keeps
    1003 for RingCentral's SMS-RC-410); a failing outcome's is sendbulk's description."""
    loaded = parse_scenario({"rules": [rule]}).rules[0]
    for provider, code in codes.items():
        assert loaded.code_for(provider) == (code or str(rule["error_code"]))


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\ntiming:\n  delivred: 5s\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value).startswith(f"{path}:3: timing.delivred: unknown key")
    assert "did you mean 'delivered'?" in str(info.value)
    with pytest.raises(ScenarioError, match="cannot read scenario"):
        load_scenario(tmp_path / "missing.yaml")


def test_a_file_that_is_not_utf8_says_where(tmp_path: Path) -> None:
    """The column counts characters: the UTF-8 "é" before the bad byte is one."""
    path = tmp_path / "mixed.yaml"
    path.write_bytes(b"name: x\r\nx-note: \xc3\xa9 \xe9t\xe9\n")  # UTF-8 "é", Latin-1 "été"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert (info.value.source, info.value.line) == (str(path), 2)
    assert info.value.reason.startswith("a scenario file must be UTF-8 YAML or JSON: byte 0xe9")
    assert "at column 11 is not UTF-8" in info.value.reason
    assert "shipped scenarios" not in str(info.value)


@pytest.mark.parametrize(
    "document",
    [
        {"name": "opt-outs"},
        {"name": "mixed-delivery", "seed": 3, "version": 1},
        {"name": "opt-outs", "x-note": "copy", "rules": [], "timing": {}},
    ],
)
def test_a_document_naming_a_shipped_scenario_with_nothing_of_it_is_refused(
    document: dict,
) -> None:
    """``PUT {"name": "opt-outs"}`` activated an empty scenario shown as "opt-outs"."""
    with pytest.raises(ScenarioError, match="give its name alone") as info:
        parse_scenario(document)
    assert info.value.field == "name"
    own = parse_scenario({"name": "opt-outs", "rules": [{"outcome": "opted_out"}]})
    assert own.name == "opt-outs"  # a copy of a shipped file, changed, keeps its name
    # happy-path is the scenario of nothing at all: naming it with a seed is happy-path
    assert parse_scenario({"name": "happy-path", "seed": 7}).seed == 7


@pytest.mark.parametrize("blank", ["", "  "])
def test_an_empty_name_is_named_so(blank: str) -> None:
    with pytest.raises(ScenarioError, match="an empty scenario name") as info:
        load_scenario(blank)
    assert "directory" not in str(info.value)  # Path("") is "."


@pytest.mark.parametrize("empty", ["", ' ""', " ' '", " null"])
def test_a_scenario_with_an_empty_name_is_refused(empty: str) -> None:
    """``name: ""`` loaded (check-scenario printed "ok (, version 1, ...)"); ``name:``
    was refused."""
    exc = error_for(f"seed: 1\nname:{empty}\n")
    assert (exc.line, exc.field) == (2, "name")
    assert exc.reason == (
        "is empty: give the scenario a name, or leave 'name' out (it is then 'custom')"
    )


@pytest.mark.parametrize(
    ("text", "field", "kind"),
    [("seed: 1\nname: 5\n", "name", "a number"), ("description: [a]\n", "description", "a list")],
)
def test_a_name_or_description_that_is_no_string_is_refused_on_its_line(
    text: str, field: str, kind: str
) -> None:
    exc = error_for(text)
    assert (exc.field, exc.line) == (field, text.count("\n"))
    assert exc.reason == f"must be a string, not {kind}"


def test_a_dict_refused_with_a_source_names_that_source() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario({"name": 5}, source="body.json")
    assert (info.value.source, info.value.field, info.value.line) == ("body.json", "name", None)
    assert str(info.value) == "body.json: name: must be a string, not a number"


def test_a_scenario_given_as_neither_name_path_text_nor_dict_is_refused() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(5)  # type: ignore[arg-type]
    assert info.value.reason == (
        "a scenario is a shipped name, a path, YAML/JSON text or a dict, not a number"
    )


def test_a_name_too_long_for_a_path_is_an_unknown_scenario() -> None:
    """No file can have this name (ENAMETOOLONG): it is told as an unknown name, no OSError."""
    with pytest.raises(ScenarioError, match=r"^unknown scenario 'aaaa"):
        load_scenario("a" * 5000)


def test_a_scenario_without_a_name_is_custom() -> None:
    assert parse_scenario_text("seed: 1\nrules: []\n").name == "custom"
    assert parse_scenario({"timing": {"sent": "2s"}}).name == "custom"


def test_unknown_shipped_name_suggests_one() -> None:
    with pytest.raises(ScenarioError, match="did you mean 'flaky-network'"):
        load_scenario("flaky-netwrk")


def test_dict_errors_have_field_but_no_line() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario({"timing": {"sent": "x"}})
    assert (info.value.field, info.value.line) == ("timing.sent", None)


def test_json_text_and_json_file(tmp_path: Path) -> None:
    doc = {
        "name": "j",
        "seed": 4,
        "rules": [{"when": {"to": "+1*"}, "outcome": "no_receipt"}],
        "rate_limits": {"fonedynamics": {"requests": 2, "per": "1s"}},
    }
    assert load_scenario(json.dumps(doc)).rules[0].outcomes == (("no_receipt", 1.0),)
    path = tmp_path / "j.json"
    path.write_text(json.dumps(doc, indent=2))
    scenario = load_scenario(str(path))
    assert (scenario.name, scenario.seed) == ("j", 4)
    assert scenario.rate_limits["fonedynamics"].per == 1.0
    broken = json.dumps(doc, indent=2).replace('"seed"', '"sed"')
    path.write_text(broken)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert (info.value.line, info.value.field) == (3, "sed")


@pytest.mark.parametrize(
    ("text", "retries"),
    [
        ("name: x\n", RETRY_DELAYS),
        ("webhooks: {}\n", RETRY_DELAYS),
        ("webhooks: {retries: []}\n", ()),
        ("webhooks: {retries: [1s, 1m30s, 0.5]}\n", (1.0, 90.0, 0.5)),
    ],
)
def test_webhook_retries(text: str, retries: tuple[float, ...]) -> None:
    assert parse_scenario_text(text).webhooks.retries == retries
    with Emulator(text, clock="virtual") as emu:  # the queue retries as the scenario says
        assert emu.webhooks.retry_delays == retries


def test_full_document_parses() -> None:
    scenario = parse_scenario_text(
        """
name: full
description: everything at once
version: 1
seed: 7
timing: {processing: 1m, sent: 500ms, delivered: 1h30m, jitter: 2s}
rules:
  - when: {provider: ringcentral, endpoint: create_batch, to: ["+1*", "re:^\\\\+44"], from: "*"}
    outcome: {delivered: 3, undeliverable: 1}
    error_code: {ringcentral: SMS-CAR-411}
  - when: {text: "re:(?i)stop"}
    outcome: {sequence: [{after: 1s, status: sent}, {after: 2h, status: failed}]}
    error_code: E1
faults:
  - when: {provider: ringcentral, endpoint: create_batch}
    calls: [2]
    respond: {status: 503}
  - every: 10
    respond: {delay: 2s}
  - first: 1
    respond: {status: 429, retry_after: 30s}
  - calls: 4
    respond: {drop: after}
  - respond: {truncate: true}
    when: {endpoint: getdlr}
rate_limits:
  ringcentral.light: {requests: 50, per: 60s, penalty: 60s}
  sendbulk: {requests: 10, per: 1s}
providers:
  sendbulk: {brand: advanta}
  ringcentral: {cost_per_segment: 0.0085}
accounts:
  sendbulk: [{partnerID: "123", apikey: "k", balance: 100, shortcodes: [SHOP]}]
  fonedynamics: {AccountSid: AC1, Token: t}
x-owner: team-sms
"""
    )
    assert scenario.timing.delivered == 5400.0 and scenario.timing.jitter == 2.0
    first, second = scenario.rules
    assert first.when.to == ("+1*", "re:^\\+44")
    assert first.outcomes == (("delivered", 3.0), ("undeliverable", 1.0))
    assert first.code_for("ringcentral") == "SMS-CAR-411"
    assert first.code_for("sendbulk") is None
    assert second.sequence == ((1.0, Status.SENT), (7200.0, Status.FAILED))
    assert second.outcomes == (("undeliverable", 1.0),)
    assert [f.respond for f in scenario.faults] == [
        {"status": 503},
        {"delay": 2.0},
        {"status": 429, "retry_after": 30.0},
        {"drop": "after"},
        {"truncate": True},
    ]
    assert scenario.faults[3].calls == (4,)
    assert scenario.rate_limits["ringcentral.light"].penalty == 60.0
    assert scenario.provider_options("sendbulk") == {"brand": "advanta"}
    assert scenario.provider_accounts("fonedynamics") == [{"AccountSid": "AC1", "Token": "t"}]
    assert scenario.provider_accounts("ringcentral") is None


@pytest.mark.parametrize(
    ("body", "name"),
    [
        (b"mixed-delivery", "mixed-delivery"),
        (b"  opt-outs\n", "opt-outs"),
        (b'"no-receipts"', "no-receipts"),
        (b"name: inline\nseed: 3\n", "inline"),
        (b'{"name": "as-json", "rules": [{"outcome": "no_receipt"}]}', "as-json"),
    ],
)
def test_http_bodies(body: bytes, name: str) -> None:
    assert load_scenario_body(body).name == name


def test_one_line_yaml_text_in_python_as_over_http() -> None:
    assert load_scenario("seed: 5").seed == load_scenario_body("seed: 5").seed == 5
    assert load_scenario("{seed: 6}").seed == 6
    with pytest.raises(ScenarioError, match="did you mean 'happy-path'"):
        load_scenario("happy-pat")


def test_json_exponent_numbers_are_numbers(tmp_path: Path) -> None:
    """What ``json.dumps`` writes for 0.00001 (``1e-05``) or 1e20 (``1e+20``)."""
    text = json.dumps(
        {"rules": [{"outcome": {"delivered": 0.99999, "undeliverable": 0.00001}}], "seed": 7}
    )
    path = tmp_path / "small.json"
    path.write_text(text)
    for scenario in (load_scenario(path), parse_scenario_text(text)):
        assert scenario.rules[0].outcomes == (("delivered", 0.99999), ("undeliverable", 1e-05))
    options = parse_scenario_text('{"providers": {"ringcentral": {"cost_per_segment": 7E-3}}}')
    assert options.provider_options("ringcentral")["cost_per_segment"] == 0.007
    # YAML (not JSON) keeps YAML 1.1's reading: an unquoted 1e10 is text, as it always was
    yaml_text = "rules: [{outcome: undeliverable, error_code: 1e10}]\nname: 3e8\n"
    scenario = parse_scenario_text(yaml_text)
    assert (scenario.rules[0].error_code, scenario.name) == ("1e10", "3e8")


def test_aliases_that_expand_past_the_limit_are_refused_quickly() -> None:
    """Eight lines of nested aliases ("billion laughs") stand for 9^8 values."""
    lines = ['x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefg", "bcdefgh", strict=True):
        lines.append(f"x-{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    with pytest.raises(ScenarioError, match="too large") as info:
        parse_scenario_text("\n".join(lines), source="bomb.yaml")
    assert info.value.source == "bomb.yaml"
    # keys with dots give two nodes one field path: the nodes are what is counted
    chain = ["x-l0: {a: 1}"] + [
        f"x-l{n}: &l{n} {{a: *l{n - 1}, a.a: *l{n - 1}}}" for n in range(1, 41)
    ]
    chain[1] = "x-l1: &l1 {a: 1, a.a: 1}"
    with pytest.raises(ScenarioError, match="too large"):
        parse_scenario_text("\n".join(chain[1:]))
    # few values, but a long text repeated: the scenario is echoed in full by the admin API
    long_text = "x-t: &t " + "y" * 2000 + "\nx-many: [" + ", ".join(["*t"] * 600) + "]\n"
    with pytest.raises(ScenarioError, match="too large"):
        parse_scenario_text(long_text)
    anchored = (
        "x-when: &w {to: '+1*'}\n"
        "rules: [{when: *w, first: 2, outcome: undeliverable}, {when: *w, outcome: send_failed}]\n"
    )
    assert len(parse_scenario_text(anchored).rules) == 2  # aliases as such are fine


def test_a_generated_document_sharing_one_anchored_value_is_not_capped() -> None:
    """``yaml.safe_dump`` anchors a dict every rule shares: ~110,000 values via aliases."""
    outcome = {"delivered": 0.5, "undeliverable": 0.25, "send_failed": 0.125, "no_receipt": 0.125}
    rules = [{"when": {"to": f"+1415{i:07d}"}, "outcome": outcome} for i in range(12_000)]
    text = yaml.safe_dump({"rules": rules})
    assert text.count("*id001") == 11_999
    assert len(parse_scenario_text(text).rules) == 12_000


def test_flow_style_yaml_is_yaml_not_json() -> None:
    """Only a JSON document reads ``5e3`` as a number; ``{...}`` YAML keeps it as text."""
    scenario = parse_scenario_text("{rules: [{outcome: send_failed, error_code: 5e3}]}")
    assert scenario.rules[0].error_code == "5e3"
    assert load_scenario_body(b"{name: 1e5}").name == "1e5"


def test_long_keys_nested_deep_are_refused_before_their_paths_fill_memory() -> None:
    """Each value's field path repeats every key above it: 300 KB could take 240 MB."""
    text = "".join(f"{' ' * 2 * d}{'k' * 200}{d}:\n" for d in range(150))
    text += "".join(f"{' ' * 300}- {i}\n" for i in range(2000))
    with pytest.raises(ScenarioError, match="too long a path"):
        parse_scenario_text(text)


def test_a_large_document_without_aliases_is_not_capped() -> None:
    """One generated rule per test number: 30,000 rules, 150,000 values as written."""
    rules = [
        {"when": {"to": f"+1415555{i:04d}"}, "outcome": "undeliverable"} for i in range(30_000)
    ]
    assert len(parse_scenario_text(json.dumps({"rules": rules})).rules) == 30_000


def test_http_body_errors_carry_the_line() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario_body(b"name: x\nfaults:\n  - respond: {status: 600}\n", source="PUT")
    assert (info.value.source, info.value.line) == ("PUT", 3)


def test_every_documented_endpoint_name_and_any_pattern_is_accepted() -> None:
    names = {
        "ringcentral": "token revoke create_batch list_batches get_batch list_messages "
        "get_message statuses list_optouts bulk_assign",
        "fonedynamics": "send_message send_batch get_message list_messages",
        "sendbulk": "sendsms sendbulk sendotp getdlr getbalance credit",
    }
    faults = [
        {"when": {"provider": provider, "endpoint": name}, "respond": {"status": 503}}
        for provider, words in names.items()
        for name in words.split()
    ]
    faults.append({"when": {"endpoint": "send*"}, "respond": {"status": 503}})
    rules = [{"when": {"endpoint": "forward_sms"}, "outcome": "delivered"}]
    assert len(parse_scenario({"rules": rules}).rules) == 1
    faults.append({"when": {"endpoint": "re:^get"}, "respond": {"status": 503}})
    assert len(parse_scenario({"faults": faults}).faults) == len(faults)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("timing: {procesing: 2s}\nrules:\n  - outcome: nope\n", 1),
        ("rules:\n  - outcome: nope\ntiming: {procesing: 2s}\n", 2),
        ("accounts: {sendbluk: []}\nfaults: [{every: 0}]\n", 1),
    ],
)
def test_the_first_mistake_reported_is_the_first_in_the_file(text: str, line: int) -> None:
    """Sections were checked in a fixed order: fixing a file took a run per mistake,
    reported in an order unrelated to the file's."""
    with pytest.raises(ScenarioError) as caught:
        parse_scenario_text(text, source="s.yaml")
    assert caught.value.line == line


def test_a_file_rewritten_with_the_same_mtime_is_read_again(tmp_path: Path) -> None:
    """The parsed-file cache must not hand back an earlier version of a file whose
    replacement kept its mtime (``cp -p``, ``tar x``, a coarse-timestamp filesystem)."""
    path = tmp_path / "scenario.yaml"
    path.write_text("name: first\nrules:\n  - outcome: delivered\n", encoding="utf-8")
    stat = path.stat()
    assert load_scenario(str(path)).name == "first"
    path.write_text("name: second\nrules:\n  - outcome: undeliverable\n", encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = load_scenario(str(path))
    assert again.name == "second"
    assert again.rules[0].outcomes == (("undeliverable", 1.0),)


def test_a_yaml_set_is_refused_for_it_has_no_order() -> None:
    """A ``!!set`` was kept as written and shown back by ``GET /_emulator/scenario`` in its
    strings' hash order, another in each process (``PYTHONHASHSEED``)."""
    exc = error_for("name: x\nx-notes: !!set {alpha, beta, gamma, delta}\n")
    assert exc.field == "x-notes"
    assert exc.line == 2
    assert "a set (YAML !!set) has no order" in str(exc)
    assert "write a list or a single value" in str(exc)


@pytest.mark.parametrize(
    ("provider", "account", "key"),
    [
        ("ringcentral", {}, "username"),  # its repr, in hash order, was the extension's email
        ("ringcentral", {}, "client_id"),
        ("sendbulk", {"partnerID": "1", "apikey": "k"}, "partnerID"),  # its repr the partner
        ("sendbulk", {"partnerID": "1", "apikey": "k"}, "dlr_callback_url"),  # the error's
    ],
)
def test_a_set_in_an_account_is_refused_not_read_as_its_text(
    provider: str, account: dict[str, str], key: str
) -> None:
    entry = {**account, key: {"ops@example.com", "sms@example.com", "a2p@example.com"}}
    with pytest.raises(ScenarioError, match=r"a set \(YAML !!set\) has no order") as info:
        parse_scenario({"accounts": {provider: [entry]}})
    assert info.value.field == f"accounts.{provider}[0].{key}"


def test_the_parsed_file_cache_keeps_only_the_recent_files(tmp_path: Path) -> None:
    """A session writing a scenario file per test (``tmp_path``) kept every one of them
    parsed, with its text, for as long as the process ran."""
    from emulator.scenario import loader

    files = 300
    for n in range(files):
        path = tmp_path / f"scenario-{n}.yaml"
        path.write_text(f"name: s{n}\nrules:\n  - outcome: delivered\n", encoding="utf-8")
        assert load_scenario(str(path)).name == f"s{n}"
    assert len(loader._by_file) <= loader._FILES_KEPT < files
    newest = str((tmp_path / f"scenario-{files - 1}.yaml").resolve())
    assert any(file == newest for file, _ in loader._by_file)  # the recent ones stay
    assert load_scenario(str(tmp_path / "scenario-0.yaml")).name == "s0"  # parsed again
