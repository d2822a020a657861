"""Promises of the strategies' docstrings that a small change to their code would break
unnoticed by the endpoint tests: value ranges, spellings drawn, options honoured, and
the simplest examples; each drawn without an emulator, derandomized."""

from __future__ import annotations

import hashlib
import math
from typing import Any

import phonenumbers
import pytest
from hypothesis import find, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from emulator import Emulator
from emulator.core.segments import GSM7_EXTENSION
from emulator.testing.strategies import (
    e164_numbers,
    fonedynamics_list_params,
    fonedynamics_message_bodies,
    gsm7_texts,
    invalid_e164_numbers,
    ringcentral_batch_bodies,
    ringcentral_message_params,
    ringcentral_optout_params,
    ringcentral_status_params,
    ringcentral_token_forms,
    scenarios,
    sendbulk_bulk_bodies,
    sendbulk_dlr_bodies,
    sendbulk_hashed_otp_bodies,
    sendbulk_sms_bodies,
    ucs2_texts,
)

from ._drawing import drawn, found

NOW = Emulator().time()
MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)
TEXT = st.just("hi")  # the texts are not what these tests are about


def simplest(strategy: st.SearchStrategy[Any]) -> Any:
    return find(strategy, lambda _: True, settings=settings(database=None, derandomize=True))


# numbers


@pytest.mark.parametrize("code", ["683", "691"])
def test_e164_numbers_of_short_numbering_plans_shrink_to_a_valid_mobile(code: str) -> None:
    # Niue's and Micronesia's example mobile numbers ending 0000 (the simplest draw's
    # last digits) are not valid: the simplest number is the example itself
    parsed = phonenumbers.parse(simplest(e164_numbers(country_codes=[code])))
    assert phonenumbers.is_valid_number(parsed)
    assert phonenumbers.number_type(parsed) in MOBILE_TYPES


def test_invalid_uk_numbers_are_too_long_and_of_every_other_kind() -> None:
    # the UK has no impossible length one digit short of its mobiles': the other kinds stay
    numbers = invalid_e164_numbers(country_codes=["44"])
    found(numbers, lambda n: n.startswith("+44") and n[1:].isdigit() and len(n) == 14)
    found(numbers, lambda n: n.startswith("44"))
    found(numbers, lambda n: n.startswith("+0"))
    found(numbers, lambda n: not n[1:].isdigit())


# texts


def test_gsm7_texts_without_extension_hold_no_extension_character() -> None:
    for text in drawn(gsm7_texts(units=[20], extension=False), 100):
        assert not set(text) & GSM7_EXTENSION, text


def test_ucs2_texts_without_astral_hold_no_surrogate_pair() -> None:
    for text in drawn(ucs2_texts(units=[20], astral=False), 100):
        assert all(ord(c) <= 0xFFFF for c in text), text


def test_a_two_unit_ucs2_text_can_hold_a_line_break() -> None:
    text = found(ucs2_texts(units=[2]), lambda t: "\n" in t)
    assert len(text.encode("utf-16-le")) == 4


# Fone Dynamics listing parameters


def test_valid_fonedynamics_list_params_keep_count_skip_and_dates_in_range() -> None:
    for params in drawn(fonedynamics_list_params()):
        values = {name.lower(): value for name, value in params}
        if "results_count" in values:
            assert 1 <= int(values["results_count"]) <= 1000, params
        if "results_skip" in values:
            assert int(values["results_skip"]) >= 0, params
        if "date_from" in values and "date_to" in values:
            assert int(values["date_from"]) <= int(values["date_to"]), params


@pytest.mark.parametrize("spelling", [str.istitle, str.islower], ids=["documented", "lower"])
def test_fonedynamics_list_params_are_named_in_either_spelling(spelling: Any) -> None:
    found(fonedynamics_list_params(), lambda ps: bool(ps) and all(spelling(n) for n, _ in ps))


def test_invalid_fonedynamics_list_params_name_each_parameter_once() -> None:
    # the bad value replaces a drawn one: not sent next to a valid value of its own
    for invalid in drawn(fonedynamics_list_params(valid=False)):
        names = [name.lower() for name, _ in invalid.body]
        assert len(names) == len(set(names)), invalid


# Fone Dynamics messages


def test_valid_schedules_are_from_an_hour_back_to_fourteen_days_ahead() -> None:
    base = math.floor(NOW)
    schedules = [
        int(b["Schedule"])
        for b in drawn(fonedynamics_message_bodies(now=NOW, texts=TEXT), 200)
        if "Schedule" in b
    ]
    assert schedules
    assert all(base - 3600 < s <= base + 14 * 86_400 for s in schedules)


def test_schedules_come_as_integers_and_as_numeric_strings() -> None:
    bodies = fonedynamics_message_bodies(now=NOW, texts=TEXT)
    found(bodies, lambda b: isinstance(b.get("Schedule"), int))
    found(bodies, lambda b: isinstance(b.get("Schedule"), str))


def test_alphanumeric_senders_alone_give_alphanumeric_senders_even_to_plus_one() -> None:
    bodies = drawn(fonedynamics_message_bodies(senders=["alphanumeric"], texts=TEXT), 100)
    assert any(b["To"].startswith("+1") for b in bodies)
    assert all(not b["From"].startswith("+") for b in bodies)


def test_alphanumeric_senders_never_go_to_plus_one_when_numbers_are_allowed() -> None:
    for body in drawn(fonedynamics_message_bodies(texts=TEXT), 100):
        if body["To"].startswith("+1"):
            assert body["From"].startswith("+"), body


# RingCentral listing parameters


def test_valid_ringcentral_params_filter_by_at_most_15_numbers() -> None:
    for params in drawn(ringcentral_status_params(), 200):
        assert sum(name == "phoneNumber" for name, _ in params) <= 15, params


def test_invalid_ringcentral_params_of_too_many_numbers_have_at_least_16() -> None:
    too_many = [
        i for i in drawn(ringcentral_status_params(valid=False), 100) if "than 15" in i.problem
    ]
    assert too_many
    for invalid in too_many:
        assert sum(name == "phoneNumber" for name, _ in invalid.body) >= 16, invalid


def test_invalid_ringcentral_params_name_each_parameter_once_but_phone_numbers() -> None:
    # the bad value replaces a drawn one: not sent next to a valid value of its own
    for invalid in drawn(ringcentral_message_params(valid=False), 100):
        names = [name for name, _ in invalid.body if name != "phoneNumber"]
        assert len(names) == len(set(names)), invalid


@pytest.mark.parametrize("zone", ["Z", "+03:00", "-05:30"])
def test_ringcentral_dates_come_with_z_or_an_offset(zone: str) -> None:
    found(
        ringcentral_message_params(),
        lambda ps: any(v.endswith(zone) for n, v in ps if n == "dateFrom"),
    )


def test_ringcentral_optout_params_filter_from_any_sender_with_a_star() -> None:
    found(ringcentral_optout_params(), lambda ps: ("from", "*") in ps)


# sendbulk


def test_hashed_otp_bodies_shrink_to_the_hash_of_the_lowest_kenyan_number() -> None:
    account = {"partnerID": "123", "apikey": "k"}
    bodies = sendbulk_hashed_otp_bodies(
        texts=TEXT, credentials=account, shortcodes=["SHOP"], max_numbers=1
    )
    body = simplest(bodies)
    assert body["mobile"] == hashlib.sha256(b"254100000000").hexdigest()


def test_hashed_otp_bodies_write_hashes_in_lower_and_in_upper_case() -> None:
    bodies = sendbulk_hashed_otp_bodies(texts=TEXT)
    found(bodies, lambda b: any(c in "abcdef" for c in b["mobile"]))
    found(bodies, lambda b: any(c in "ABCDEF" for c in b["mobile"]))


def test_sendbulk_sms_bodies_send_to_several_numbers_comma_separated() -> None:
    body = found(sendbulk_sms_bodies(texts=TEXT), lambda b: "," in b["mobile"])
    assert all(n.isdigit() for n in body["mobile"].split(","))


# RingCentral OAuth forms


def test_token_forms_given_refresh_tokens_use_them_by_default() -> None:
    form = found(
        ringcentral_token_forms(refresh_tokens=["r-1"]),
        lambda f: f["grant_type"] == "refresh_token",
    )
    assert form["refresh_token"] == "r-1"


# scenarios


def test_scenarios_have_at_most_max_rules_rules() -> None:
    assert all(len(d["rules"]) <= 2 for d in drawn(scenarios(max_rules=2), 200))
    assert all(d["rules"] == [] for d in drawn(scenarios(max_rules=0), 20))


def test_scenarios_can_end_with_a_rule_for_every_message() -> None:
    def catch_all(rule: dict[str, Any]) -> bool:
        return all(value == "*" for value in rule["when"].values())

    document = found(scenarios(), lambda d: len(d["rules"]) > 1 and catch_all(d["rules"][-1]))
    assert not any(catch_all(rule) for rule in document["rules"][:-1])


def test_scenarios_draw_only_the_providers_and_outcomes_asked_for() -> None:
    for document in drawn(scenarios(providers=["sendbulk"], outcomes=["send_failed"]), 200):
        for rule in document["rules"]:
            assert rule["when"].get("provider", "sendbulk") == "sendbulk", rule
            outcome = rule["outcome"]
            assert set([outcome] if isinstance(outcome, str) else outcome) == {"send_failed"}, rule


# options


def test_invalid_sendbulk_bodies_may_exceed_the_brand_limit_they_are_refused_for() -> None:
    sendbulk_bulk_bodies(brand="textsms", max_messages=21, valid=False).validate()


@pytest.mark.parametrize(
    ("factory", "kwargs"),
    [
        (gsm7_texts, {"units": [3001]}),
        (fonedynamics_message_bodies, {"now": math.nan}),
        (fonedynamics_message_bodies, {"now": math.inf}),
        (invalid_e164_numbers, {"kinds": []}),
        (scenarios, {"providers": []}),
        (sendbulk_hashed_otp_bodies, {"valid": False, "bad_items": True}),
        (ringcentral_batch_bodies, {"texts": "hello"}),
        (sendbulk_bulk_bodies, {"texts": ["hello"]}),
        (sendbulk_sms_bodies, {"texts": "hello"}),
        (sendbulk_dlr_bodies, {"message_ids": ["8290842"], "brand": "twilio"}),
        (sendbulk_dlr_bodies, {"message_ids": ["8290842"], "brand": None}),
    ],
)
def test_options_past_their_limits_or_of_the_wrong_kind_are_refused_when_called(
    factory: Any, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(InvalidArgument):
        factory(**kwargs).validate()
