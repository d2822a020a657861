"""Matching, first-match rules, weighting, sequences, jitter and fault counting."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from emulator import Emulator
from emulator.core.models import Status
from emulator.scenario.engine import (
    DELIVERED,
    ScenarioEngine,
    pattern_matches,
    pick_weighted,
    unit_interval,
)
from emulator.scenario.loader import parse_scenario


def engine(doc: dict) -> ScenarioEngine:
    return ScenarioEngine(parse_scenario(doc))


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        (None, "anything", True),
        (None, None, True),
        ("+15005550001", "+15005550001", True),
        ("+15005550001", "+15005550002", False),
        ("+1500555000", "+15005550001", False),  # exactly that value, not a part of it
        ("+1500555*", "+15005550001", True),
        ("+1500555*", "+44700", False),
        ("*000", "254712345000", True),
        ("*000", "2547123450001", False),
        ("4477*", "+447700900000", False),  # anchored at the start too
        ("7700*", "+447700900000", False),
        ("+1500555000?", "+15005550007", True),
        ("+1500555000[0-4]", "+15005550005", False),
        ("re:^\\+1", "+15005550001", True),
        ("re:555", "+15005550001", True),  # searched, not anchored
        ("re:^555", "+15005550001", False),
        ("re:(?i)^stop$", "STOP", True),
        ("hello", None, False),
        ("*", None, False),  # a missing value (no sender) matches no pattern at all
        ("re:.*", None, False),
        ("+1?00555[0-4]*", "+15005553999", True),  # every kind of wildcard in one glob
        ("+1?00555[0-4]*", "+15005555999", False),
        (("+1*", "+44*"), "+447700900000", True),
        (("+1*", "+44*"), "+61400000000", False),
        ("a.b", "axb", False),  # dots are literal outside re:
    ],
)
def test_pattern_matches(pattern, value, expected) -> None:
    assert pattern_matches(pattern, value) is expected


def test_without_rules_everything_is_delivered() -> None:
    decision = engine({}).decide("ringcentral", "create_batch", "+15005550001", "+1", "hi")
    assert decision.outcome == "delivered"
    assert decision.error_code is None
    assert decision.plan is None


@pytest.mark.parametrize(
    ("doc", "fixed"),
    [
        ({}, True),
        ({"timing": {"processing": "9s", "sent": "2s"}}, True),
        ({"timing": {"jitter": "1s"}}, False),
        ({"rules": [{"when": {"to": "+9*"}, "outcome": "undeliverable"}]}, False),
    ],
)
def test_fixed_decision_only_when_the_scenario_cannot_tell_messages_apart(doc, fixed) -> None:
    eng = engine(doc)
    assert eng.fixed_decision is (DELIVERED if fixed else None)
    if fixed:  # what decide() answers, and it counts nothing
        assert eng.decide("sendbulk", "sendbulk", "+2547", "SHOP", "hi") is DELIVERED
        assert eng._occurrences == {}


def test_first_matching_rule_wins() -> None:
    eng = engine(
        {
            "rules": [
                {"when": {"to": "+15005550001"}, "outcome": "invalid_number"},
                {"when": {"to": "+1500555*"}, "outcome": "undeliverable"},
                {"when": {"provider": "sendbulk"}, "outcome": "no_receipt"},
            ]
        }
    )
    assert eng.decide("sendbulk", None, "+15005550001", None, "x").outcome == "invalid_number"
    assert eng.decide("sendbulk", None, "+15005550002", None, "x").outcome == "undeliverable"
    assert eng.decide("sendbulk", None, "254712345678", None, "x").outcome == "no_receipt"
    assert eng.decide("ringcentral", None, "254712345678", None, "x").outcome == "delivered"


def test_rules_match_on_provider_endpoint_from_and_text() -> None:
    eng = engine(
        {
            "rules": [
                {
                    "when": {
                        "provider": "fonedynamics",
                        "endpoint": "send_batch",
                        "from": "re:^ACME",
                        "text": "*STOP*",
                    },
                    "outcome": "opted_out",
                }
            ]
        }
    )
    hit = ("fonedynamics", "send_batch", "+61400000000", "ACME1", "say STOP now")
    assert eng.decide(*hit).outcome == "opted_out"
    # change one constrained field at a time: provider, endpoint, from, text
    for index, other in ((0, "ringcentral"), (1, "send_message"), (3, "XACME"), (4, "stop")):
        args = list(hit)
        args[index] = other
        assert eng.decide(*args).outcome == "delivered", other


def test_error_code_override_for_all_or_per_provider() -> None:
    eng = engine(
        {
            "rules": [
                {"when": {"to": "+1*"}, "outcome": "undeliverable", "error_code": "X-1"},
                {
                    "outcome": "send_failed",
                    "error_code": {"ringcentral": "SMS-CAR-411", "sendbulk": 1007},
                },
            ]
        }
    )
    assert eng.decide("sendbulk", None, "+1555", None, "t").error_code == "X-1"
    assert eng.decide("ringcentral", None, "+44", None, "t").error_code == "SMS-CAR-411"
    assert eng.decide("sendbulk", None, "+44", None, "t").error_code == "1007"
    assert eng.decide("fonedynamics", None, "+44", None, "t").error_code is None


def test_weighted_outcome_is_a_function_of_the_message_not_the_order() -> None:
    doc = {"seed": 9, "rules": [{"outcome": {"delivered": 1, "undeliverable": 1}}]}
    numbers = [f"+1500555{i:04d}" for i in range(200)]
    first = {n: engine(doc).decide("ringcentral", None, n, None, "hi").outcome for n in numbers}
    eng = engine(doc)
    again = {n: eng.decide("ringcentral", None, n, None, "hi").outcome for n in reversed(numbers)}
    assert first == again
    assert set(first.values()) == {"delivered", "undeliverable"}


def test_weighted_outcome_changes_with_seed_text_provider_and_occurrence() -> None:
    def fates(seed=1, provider="sendbulk", text="hi", repeat=1):
        eng = engine({"seed": seed, "rules": [{"outcome": {"delivered": 1, "send_failed": 1}}]})
        out = []
        for i in range(64):
            for _ in range(repeat):
                out.append(eng.decide(provider, None, f"2547{i:08d}", None, text).outcome)
        return out

    base = fates()
    assert fates(seed=2) != base
    assert fates(text="other") != base
    assert fates(provider="fonedynamics") != base
    twice = fates(repeat=2)
    assert twice[0::2] == base  # first occurrences decide as before
    assert twice[1::2] != base  # the second sending of a message is a new draw


def test_a_weighted_draw_is_the_documented_function_of_the_message_and_its_occurrence() -> None:
    """The docs: a message's fate is a pure function of (seed, provider, recipient, text,
    occurrence), the occurrence counting from 1 for the first sending, so a fate seen
    once is the same in every later version and run."""
    eng = engine({"seed": 11, "rules": [{"outcome": {"delivered": 1, "undeliverable": 1}}]})
    for number in (f"+1415555{i:04d}" for i in range(20)):
        for occurrence in (1, 2, 3):
            point = unit_interval(11, "ringcentral", number, "hi", occurrence)
            expected = "delivered" if point < 0.5 else "undeliverable"
            assert eng.decide("ringcentral", None, number, None, "hi").outcome == expected


def test_messages_differing_only_in_sender_share_one_count_whatever_rule_they_match() -> None:
    """The docs: the sender is not part of "the same message", so a message that a plain
    rule (chosen by sender) decided still counts, and the next one to the same recipient
    and text is its second occurrence, with or without jitter."""
    doc = {
        "seed": 3,
        "rules": [
            {"when": {"from": "+16505550199"}, "outcome": "delivered"},
            {"outcome": {"delivered": 1, "undeliverable": 1}},
        ],
    }
    numbers = [f"+1415555{i:04d}" for i in range(40)]

    def fates(first_from_the_plain_rule: bool) -> list[str]:
        eng = engine(doc)
        out = []
        for number in numbers:
            if first_from_the_plain_rule:
                eng.decide("ringcentral", None, number, "+16505550199", "hi")
            out.append(eng.decide("ringcentral", None, number, "+16505550100", "hi").outcome)
        return out

    alone, second = fates(False), fates(True)
    eng = engine(doc)
    as_second_occurrences = []
    for number in numbers:
        eng.decide("ringcentral", None, number, "+16505550100", "hi")
        as_second_occurrences.append(
            eng.decide("ringcentral", None, number, "+16505550100", "hi").outcome
        )
    assert second == as_second_occurrences
    assert second != alone


def test_zero_weight_outcome_never_happens() -> None:
    eng = engine({"rules": [{"outcome": {"delivered": 0, "no_receipt": 1}}]})
    fates = {eng.decide("sendbulk", None, f"+1{i}", None, "t").outcome for i in range(300)}
    assert fates == {"no_receipt"}


def test_a_zero_weight_outcome_is_not_drawn_even_where_the_weights_fall_short_of_one() -> None:
    """0.1 + 0.1 + 0.6, each divided by their total, add up to just under 1 in floating
    point: the highest draw lands past them, on the last outcome that can happen."""
    outcomes = (("delivered", 0.1), ("no_receipt", 0.1), ("undeliverable", 0.6), ("opted_out", 0.0))
    assert pick_weighted(outcomes, math.nextafter(1.0, 0.0)) == "undeliverable"
    assert pick_weighted(outcomes, 0.0) == "delivered"


def test_weights_need_not_sum_to_one() -> None:
    eng = engine({"seed": 3, "rules": [{"outcome": {"delivered": 30, "undeliverable": 10}}]})
    counts = Counter(eng.decide("sendbulk", None, f"+1{i}", None, "t").outcome for i in range(4000))
    assert 0.70 < counts["delivered"] / 4000 < 0.80


def test_sequence_becomes_the_messages_plan() -> None:
    emu = Emulator(
        {
            "rules": [
                {
                    "outcome": {
                        "sequence": [
                            {"after": "1s", "status": "sent"},
                            {"after": "1h", "status": "failed"},
                        ]
                    },
                    "error_code": "SMS-CAR-450",
                }
            ]
        }
    )
    decision = emu.decide("ringcentral", "create_batch", "+15005550001", None, "hi")
    assert decision.outcome == "undeliverable"  # what the sequence amounts to
    assert decision.error_code == "SMS-CAR-450"
    plan = emu.plan(decision.outcome, decision.error_code)
    assert plan.steps == ((1.0, Status.SENT), (3600.0, Status.FAILED))
    assert plan.error_code == "SMS-CAR-450"
    assert emu.plan(decision.outcome, "SMS-CAR-460").error_code == "SMS-CAR-460"
    assert emu.plan(decision) == plan


@pytest.mark.parametrize(
    ("steps", "outcome"),
    [
        ([("1s", "sent"), ("2s", "delivered")], "delivered"),
        ([("1s", "sent"), ("2h", "failed")], "undeliverable"),
        ([("30s", "failed")], "send_failed"),
        ([("1s", "sent")], "no_receipt"),
        ([("0s", "delivered")], "delivered"),
    ],
)
def test_sequence_outcome_names(steps, outcome) -> None:
    sequence = [{"after": after, "status": status} for after, status in steps]
    eng = engine({"rules": [{"outcome": {"sequence": sequence}}]})
    assert eng.decide("sendbulk", None, "+1", None, "t").outcome == outcome


def test_jitter_is_seeded_bounded_and_per_message() -> None:
    doc = {"seed": 5, "timing": {"sent": "1s", "delivered": "5s", "jitter": "2s"}}
    emu = Emulator(doc)
    plans = [emu.plan(emu.decide("sendbulk", None, f"+1{i}", None, "t").outcome) for i in range(50)]
    sent = [p.steps[0][0] for p in plans]
    done = [round(p.steps[1][0] - p.steps[0][0], 6) for p in plans]
    assert all(1.0 <= s <= 3.0 for s in sent)
    assert all(5.0 <= d <= 7.0 for d in done)
    assert len(set(sent)) > 5  # varies between messages
    # the sent and delivered delays each get a draw of their own
    assert any(round(s - 1.0, 6) != round(d - 5.0, 6) for s, d in zip(sent, done, strict=True))
    emu2 = Emulator(doc)
    assert plans == [
        emu2.plan(emu2.decide("sendbulk", None, f"+1{i}", None, "t").outcome) for i in range(50)
    ]


def test_without_jitter_plans_are_shared() -> None:
    emu = Emulator()
    a = emu.plan(emu.decide("sendbulk", None, "+1", None, "t").outcome)
    b = emu.plan(emu.decide("sendbulk", None, "+2", None, "u").outcome)
    assert a is b


def fault_engine(**fault) -> ScenarioEngine:
    return engine({"faults": [dict({"respond": {"status": 503}}, **fault)]})


def fired(eng: ScenarioEngine, n: int, provider="ringcentral", endpoint="create_batch"):
    return [i + 1 for i in range(n) if eng.fault_for(provider, endpoint) is not None]


def test_fault_on_chosen_calls() -> None:
    assert fired(fault_engine(calls=[2, 5]), 8) == [2, 5]


def test_fault_every_nth_call() -> None:
    assert fired(fault_engine(every=3), 10) == [3, 6, 9]


def test_fault_on_first_calls() -> None:
    assert fired(fault_engine(first=2), 5) == [1, 2]


def test_fault_with_no_count_fires_on_every_matching_call() -> None:
    assert fired(fault_engine(), 3) == [1, 2, 3]


def test_fault_counts_only_matching_calls() -> None:
    eng = fault_engine(when={"provider": "ringcentral", "endpoint": "create_batch"}, calls=[2])
    assert eng.fault_for("ringcentral", "get_batch") is None
    assert eng.fault_for("sendbulk", "create_batch") is None
    assert eng.fault_for("ringcentral", "create_batch") is None
    assert eng.fault_for("ringcentral", "get_batch") is None
    assert eng.fault_for("ringcentral", "create_batch") == {"status": 503}


def test_every_fault_counts_even_when_an_earlier_one_fired() -> None:
    eng = engine(
        {
            "faults": [
                {"every": 2, "respond": {"drop": True}},
                {"calls": [2, 3], "respond": {"status": 500}},
            ]
        }
    )
    got = [eng.fault_for("sendbulk", "sendsms") for _ in range(4)]
    assert got == [None, {"drop": "before"}, {"status": 500}, {"drop": "before"}]


def test_reset_restarts_fault_counts_and_occurrences() -> None:
    eng = fault_engine(calls=[1])
    assert fired(eng, 2) == [1]
    eng.reset()
    assert fired(eng, 2) == [1]


def test_endpoint_star_matches_any_endpoint() -> None:
    eng = fault_engine(when={"endpoint": "*"}, every=1)
    assert eng.fault_for("sendbulk", "getbalance") == {"status": 503}


def test_occurrences_counted_in_a_refused_tentative_block_are_taken_back() -> None:
    weighted = {"rules": [{"outcome": {"delivered": 0.5, "undeliverable": 0.5}}]}

    def fates(scenario: ScenarioEngine, count: int = 12) -> list[str]:
        return [
            scenario.decide("p", None, "+14155550100", None, "hi").outcome for _ in range(count)
        ]

    expected = fates(engine(weighted))
    tried = engine(weighted)
    with pytest.raises(ValueError), tried.tentative():
        fates(tried, 5)
        raise ValueError("refused whole")
    with tried.tentative():  # kept: an inner refusal takes back only its own
        kept = fates(tried, 2)
        with pytest.raises(ValueError), tried.tentative():
            fates(tried, 3)
            raise ValueError("inner")
    assert kept + fates(tried, 10) == expected
    with pytest.raises(ValueError), tried.tentative():
        with tried.tentative():
            fates(tried, 4)  # kept by the inner block, refused with the outer
        raise ValueError("outer")
    assert fates(engine(weighted), 16)[12:] == fates(tried, 4)


def test_take_back_undoes_one_occurrence_once() -> None:
    weighted = {"rules": [{"outcome": {"delivered": 0.5, "undeliverable": 0.5}}]}

    def fates(scenario: ScenarioEngine, count: int) -> list[str]:
        return [
            scenario.decide("p", None, "+14155550100", None, "hi").outcome for _ in range(count)
        ]

    expected = fates(engine(weighted), 12)
    tried = engine(weighted)
    kept = fates(tried, 2)
    fates(tried, 1)
    tried.take_back("p", "+14155550100", "hi")  # that one was not sent
    assert kept + fates(tried, 10) == expected
    # inside a block later refused, a taken-back occurrence is not taken back twice
    tried = engine(weighted)
    kept = fates(tried, 2)
    with pytest.raises(ValueError), tried.tentative():
        fates(tried, 1)
        tried.take_back("p", "+14155550100", "hi")
        fates(tried, 3)
        raise ValueError("refused whole")
    assert kept + fates(tried, 10) == expected
    unweighted = engine({"rules": [{"outcome": "delivered"}]})
    unweighted.take_back("p", "+14155550100", "hi")  # nothing was counted: a no-op


def outcomes_of(eng: ScenarioEngine, to: str, n: int, provider: str = "ringcentral") -> list[str]:
    return [eng.decide(provider, "create_batch", to, None, "hi").outcome for _ in range(n)]


def test_a_rule_with_messages_decides_only_the_nth_matching_messages() -> None:
    eng = engine(
        {"rules": [{"when": {"to": "+14155550100"}, "messages": 3, "outcome": "undeliverable"}]}
    )
    assert eng.decide("ringcentral", "create_batch", "+14155550199", None, "hi") == DELIVERED
    assert outcomes_of(eng, "+14155550100", 5) == [
        "delivered",
        "delivered",
        "undeliverable",  # the 3rd message to that number, not the 3rd message
        "delivered",
        "delivered",
    ]
    eng.reset()
    assert outcomes_of(eng, "+14155550100", 3)[2] == "undeliverable"


def test_every_and_first_count_messages_as_faults_count_calls() -> None:
    every = engine({"rules": [{"every": 2, "outcome": "send_failed"}]})
    assert outcomes_of(every, "+1", 5) == ["delivered", "send_failed"] * 2 + ["delivered"]
    first = engine({"rules": [{"first": 2, "messages": [4], "outcome": "no_receipt"}]})
    assert outcomes_of(first, "+1", 5) == ["no_receipt"] * 2 + ["delivered", "no_receipt"] + [
        "delivered"
    ]


def test_a_message_a_counting_rule_passes_over_goes_on_to_the_next_rule() -> None:
    eng = engine(
        {
            "rules": [
                {"when": {"to": "+1*"}, "messages": [2], "outcome": "undeliverable"},
                {"when": {"to": "+1*"}, "outcome": "no_receipt"},
            ]
        }
    )
    assert outcomes_of(eng, "+1555", 3) == ["no_receipt", "undeliverable", "no_receipt"]


def test_a_counting_rule_counts_messages_an_earlier_rule_decided() -> None:
    eng = engine(
        {
            "rules": [
                {"when": {"to": "+1*"}, "first": 2, "outcome": "undeliverable"},
                {"when": {"to": "+1*"}, "messages": [2, 3], "outcome": "send_failed"},
            ]
        }
    )
    assert outcomes_of(eng, "+1555", 4) == [
        "undeliverable",
        "undeliverable",
        "send_failed",  # the 3rd message matching the second rule's when
        "delivered",
    ]


def test_messages_counted_then_refused_are_counted_again() -> None:
    eng = engine({"rules": [{"messages": [2], "outcome": "undeliverable"}]})
    with pytest.raises(ValueError), eng.tentative():  # a batch refused as a whole
        assert outcomes_of(eng, "+1", 2) == ["delivered", "undeliverable"]
        raise ValueError
    first = eng.decide("sendbulk", None, "+1", None, "hi")
    eng.take_back("sendbulk", "+1", "hi", first)  # a row refused after its decision
    assert outcomes_of(eng, "+1", 3) == ["delivered", "undeliverable", "delivered"]


def test_a_message_taken_back_in_a_nested_block_is_not_taken_back_again() -> None:
    """Decided in an outer block, taken back inside an inner one, then the outer block
    refused: the count went 1 -> 2 -> 1 -> 0, one message forgotten too many."""
    eng = engine({"rules": [{"messages": [2], "outcome": "undeliverable"}]})
    assert outcomes_of(eng, "+1", 1) == ["delivered"]  # counted for good: 1
    with pytest.raises(ValueError), eng.tentative():
        decision = eng.decide("sendbulk", None, "+1", None, "hi")  # 2
        with eng.tentative():
            eng.take_back("sendbulk", "+1", "hi", decision)  # 1
        raise ValueError  # nothing more to undo
    assert outcomes_of(eng, "+1", 2) == ["undeliverable", "delivered"]  # the 2nd, then 3rd


@pytest.mark.parametrize("refused", [0, 1, 2])
def test_taking_back_one_message_of_a_refused_request_forgets_them_all(refused: int) -> None:
    """A row refused for credit, then its whole request refused: none of its messages was
    sent, so each is sent again as for the first time (the same jitter as a new engine)."""
    doc = {"seed": 4, "timing": {"jitter": "10s"}}
    numbers = ["+14155550100", "+14155550101", "+14155550102"]
    fresh = engine(doc)
    expected = [fresh.decide("p", None, to, None, "hi").plan for to in numbers]
    eng = engine(doc)
    with pytest.raises(ValueError), eng.tentative():
        decisions = [eng.decide("p", None, to, None, "hi") for to in numbers]
        eng.take_back("p", numbers[refused], "hi", decisions[refused])
        raise ValueError("refused whole")
    assert [eng.decide("p", None, to, None, "hi").plan for to in numbers] == expected
