"""The strategies produce what they promise, checked against the real endpoints."""

from __future__ import annotations

import contextlib
import random
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, NoSuchExample

from emulator import Emulator
from emulator.core.phone import _possible_lengths, is_possible_e164
from emulator.core.segments import analyze
from emulator.providers.sendbulk.mobile import classify
from emulator.scenario.loader import ScenarioError, parse_scenario
from emulator.testing import strategies
from emulator.testing.invariants import (
    check_emulator_state,
    check_fonedynamics_batch,
    check_ringcentral_batch,
    check_sendbulk_responses,
)
from emulator.testing.strategies import (
    GSM7_BOUNDARY_UNITS,
    UCS2_BOUNDARY_UNITS,
    BatchBody,
    InvalidBody,
    e164_numbers,
    fonedynamics_batch_bodies,
    fonedynamics_list_params,
    fonedynamics_message_bodies,
    gsm7_texts,
    invalid_e164_numbers,
    kenyan_msisdns,
    mixed_texts,
    ringcentral_batch_bodies,
    ringcentral_batch_params,
    ringcentral_message_params,
    ringcentral_optout_bodies,
    ringcentral_optout_params,
    ringcentral_revoke_forms,
    ringcentral_status_params,
    ringcentral_token_forms,
    scenarios,
    sendbulk_balance_bodies,
    sendbulk_bulk_bodies,
    sendbulk_credit_bodies,
    sendbulk_dlr_bodies,
    sendbulk_hashed_otp_bodies,
    sendbulk_sms_bodies,
    sms_texts,
    ucs2_texts,
)

from ._clients import (
    FD_AUTH,
    FD_BATCH,
    FD_MESSAGES,
    RC_BATCHES,
    fresh,
    ringcentral_batch_messages,
    ringcentral_headers,
)
from ._drawing import drawn, found

FEW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_every_public_strategy_is_exported() -> None:
    defined = {
        name
        for name, value in vars(strategies).items()
        if not name.startswith("_")
        and callable(value)
        and getattr(value, "__module__", None) == strategies.__name__
    }
    assert defined <= set(strategies.__all__)
    assert len(set(strategies.__all__)) == len(strategies.__all__)
    assert all(hasattr(strategies, name) for name in strategies.__all__)


# numbers


@FEW
@given(e164_numbers())
def test_e164_numbers_are_possible(number: str) -> None:
    assert number.startswith("+")
    assert is_possible_e164(number)


@FEW
@given(e164_numbers(country_codes=["254", "+7", "998"]))
def test_e164_numbers_for_chosen_countries(number: str) -> None:
    assert number.startswith(("+254", "+7", "+998"))
    assert is_possible_e164(number)


@FEW
@given(invalid_e164_numbers())
def test_invalid_e164_numbers_are_not_possible(number: str) -> None:
    assert not is_possible_e164(number)


@pytest.mark.parametrize("kind", ["short", "long", "no_plus", "leading_zero", "letter"])
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_each_invalid_kind_is_what_it_says(kind: str, data: st.DataObject) -> None:
    number = data.draw(invalid_e164_numbers(kinds=[kind]))
    assert not is_possible_e164(number)
    if kind == "no_plus":
        assert number.isdigit() and is_possible_e164("+" + number)
    elif kind == "leading_zero":
        assert number.startswith("+0") and number[1:].isdigit()
    elif kind == "letter":
        assert number.startswith("+") and sum(not c.isdigit() for c in number[1:]) == 1
    else:
        assert number[1:].isdigit()
        for size in (1, 2, 3):
            lengths = _possible_lengths(int(number[1 : 1 + size]))
            if lengths is not None:
                national = len(number) - 1 - size
                step = -1 if kind == "short" else 1
                assert national not in lengths and national - step in lengths
                break


def test_simplest_number_is_the_first_country() -> None:
    from hypothesis import find

    assert find(e164_numbers(), lambda n: True) == "+12015550000"


@pytest.mark.parametrize(
    ("factory", "kwargs"),
    [
        (e164_numbers, {"country_codes": []}),
        (e164_numbers, {"country_codes": "44"}),
        (e164_numbers, {"country_codes": ["999"]}),
        (e164_numbers, {"country_codes": ["4a"]}),
        (invalid_e164_numbers, {"kinds": ["wrong"]}),
        # Kenya's neighbouring lengths are possible; the UK has no impossible shorter one
        (invalid_e164_numbers, {"kinds": ["short", "long"], "country_codes": ["254"]}),
        (invalid_e164_numbers, {"kinds": ["short"], "country_codes": ["44"]}),
        (kenyan_msisdns, {"forms": ["+1"]}),
        (gsm7_texts, {"units": [0]}),
        (ucs2_texts, {"units": []}),
        (scenarios, {"providers": ["twilio"]}),
        (scenarios, {"outcomes": ["exploded"]}),
        (ringcentral_batch_bodies, {"min_messages": 0}),
        (sendbulk_sms_bodies, {"min_numbers": 3, "max_numbers": 2}),
        (fonedynamics_message_bodies, {"texts": "hello"}),
        # wrong types: refused when called, not a TypeError or a failure at the first draw
        (gsm7_texts, {"units": 160}),
        (ucs2_texts, {"units": "70"}),
        (ringcentral_batch_bodies, {"max_messages": "5"}),
        (ringcentral_batch_bodies, {"min_messages": 2.5}),
        (sendbulk_sms_bodies, {"max_numbers": True}),
        (scenarios, {"max_rules": "3"}),
        (scenarios, {"max_rules": 2.5}),
        (invalid_e164_numbers, {"kinds": "short"}),  # a name, not a sequence of them
        (sendbulk_bulk_bodies, {"valid": "yes"}),
        (sendbulk_sms_bodies, {"valid": 0}),
        (ringcentral_batch_bodies, {"bad_items": "no"}),
    ],
)
def test_bad_arguments_are_refused_eagerly(factory, kwargs) -> None:
    with pytest.raises(InvalidArgument):
        factory(**kwargs).validate()


def test_a_negative_max_rules_is_refused_naming_it() -> None:
    with pytest.raises(InvalidArgument, match=r"^max_rules must be >= 0$"):
        scenarios(max_rules=-1)


def test_a_bad_size_names_the_options_given() -> None:
    with pytest.raises(InvalidArgument, match="need 1 <= min_numbers <= max_numbers, got 0, 5"):
        sendbulk_sms_bodies(min_numbers=0)


@pytest.mark.parametrize(
    ("factory", "kwargs", "most"),
    [
        (ringcentral_batch_bodies, {"max_messages": 101}, 100),
        (fonedynamics_batch_bodies, {"max_messages": 51}, 50),
        (sendbulk_bulk_bodies, {"min_messages": 201, "max_messages": 201}, 200),
        (sendbulk_sms_bodies, {"max_numbers": 301}, 300),
    ],
)
def test_sizes_past_hypothesis_budget_are_refused_eagerly_not_by_a_health_check(
    factory, kwargs, most
) -> None:
    with pytest.raises(InvalidArgument, match=f"at most {most} items"):
        factory(**kwargs)


@pytest.mark.parametrize(
    "strategy",
    [
        ringcentral_batch_bodies(min_messages=100, max_messages=100),
        fonedynamics_batch_bodies(min_messages=50, max_messages=50),
        sendbulk_sms_bodies(min_numbers=300, max_numbers=300),
    ],
    ids=["ringcentral", "fonedynamics", "sendbulk_sms"],
)
def test_the_largest_sizes_allowed_are_drawn(strategy) -> None:
    seen = []

    @settings(max_examples=2, deadline=None, database=None)
    @given(strategy)
    def draw(body: dict) -> None:
        seen.append(body)

    draw()  # no FailedHealthCheck
    assert seen


@pytest.mark.parametrize(
    "factory", [ringcentral_batch_bodies, fonedynamics_batch_bodies, sendbulk_bulk_bodies]
)
def test_bad_items_with_an_invalid_body_is_refused(factory) -> None:
    with pytest.raises(InvalidArgument, match="bad_items=True needs valid=True"):
        factory(valid=False, bad_items=True)


def test_the_same_options_give_the_same_strategy_object() -> None:
    """Bodies draw numbers and texts on every example: built once, not validated anew."""
    assert e164_numbers() is e164_numbers()
    assert e164_numbers(country_codes=["44", "61"]) is e164_numbers(country_codes=("44", "61"))
    assert gsm7_texts(units=[160]) is gsm7_texts(units=[160])
    assert sms_texts() is sms_texts()


def test_a_refused_option_stays_refused_after_an_equal_valid_one_was_built() -> None:
    gsm7_texts(units=[1])
    gsm7_texts(units=[160])
    gsm7_texts(units=frozenset({1}))
    for units in ([True], [160.0], frozenset({True})):  # equal to 1 and 160, not integers
        with pytest.raises(InvalidArgument):
            gsm7_texts(units=units)


@FEW
@given(kenyan_msisdns())
def test_kenyan_msisdns_are_on_an_operator_range(mobile: str) -> None:
    number = classify(mobile)
    assert number.kind == "kenyan"
    assert number.networkid in (1, 2, 3)


@pytest.mark.parametrize("prefix", ["2547", "2541", "+2547", "+2541", "07", "01"])
def test_kenyan_msisdns_draw_the_07_and_the_01_ranges_in_each_form(prefix: str) -> None:
    """The newer 01 numbers as well as the 07 ones, as the docstring says: a client
    accepting only 07 numbers fails on real ones."""
    find(kenyan_msisdns(), lambda m: m.startswith(prefix), settings=settings(database=None))


# texts


@FEW
@given(gsm7_texts())
def test_gsm7_texts_sit_on_the_boundaries(text: str) -> None:
    info = analyze(text)
    assert info.encoding == "GSM-7"
    assert info.units in GSM7_BOUNDARY_UNITS


@FEW
@given(ucs2_texts())
def test_ucs2_texts_sit_on_the_boundaries(text: str) -> None:
    info = analyze(text)
    assert info.encoding == "UCS-2"
    assert info.units in UCS2_BOUNDARY_UNITS


@FEW
@given(mixed_texts())
def test_mixed_texts_are_gsm_made_ucs2(text: str) -> None:
    info = analyze(text)
    assert info.encoding == "UCS-2"
    assert info.units in UCS2_BOUNDARY_UNITS + GSM7_BOUNDARY_UNITS
    wide = [ch for ch in text if analyze(ch).encoding == "UCS-2"]
    # one character of the Basic Multilingual Plane, and up to four emoji
    assert sum(1 for ch in wide if ord(ch) <= 0xFFFF) == 1
    assert len(wide) <= 5


@FEW
@given(gsm7_texts(units=[161], extension=True), st.data())
def test_units_can_be_chosen(text: str, data: st.DataObject) -> None:
    assert analyze(text).units == 161
    assert analyze(text).segments == 2


@pytest.mark.parametrize("factory", [gsm7_texts, ucs2_texts, mixed_texts])
def test_texts_past_hypothesis_budget_are_refused_eagerly(factory: Any) -> None:
    with pytest.raises(InvalidArgument, match="at most 3000 units"):
        factory(units=[160, 5000])

    @settings(max_examples=5, deadline=None, database=None, derandomize=True)
    @given(factory(units=[3000]))
    def longest(text: str) -> None:
        assert analyze(text).units == 3000

    longest()


def test_texts_shrink_to_plain_letters() -> None:
    from hypothesis import find

    assert find(gsm7_texts(), lambda t: True) == "a" * 152
    simplest = find(ucs2_texts(), lambda t: True)
    assert len(simplest) == 66 and set(simplest) == {"ж"}


@pytest.mark.parametrize("line_break", ["\n", "\r\n"])
def test_texts_hold_line_breaks_a_client_must_carry(line_break: str) -> None:
    """Multi-line texts are everyday SMS: a client that flattens or mis-escapes a line
    break must meet one (LF and CR are one GSM-7 septet each)."""
    for texts in (gsm7_texts(), ucs2_texts(), mixed_texts()):
        text = find(texts, lambda t: line_break in t)
        assert line_break in text
    text = find(gsm7_texts(units=[20]), lambda t: "\r\n" in t)
    assert analyze(text).units == 20


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        gsm7_texts(units=[1, 2, 3, 4]),
        ucs2_texts(units=[1, 2, 3, 4]),
        mixed_texts(units=[2, 3, 4]),
        sms_texts(),
    )
)
def test_a_carriage_return_only_comes_before_a_line_feed(text: str) -> None:
    """Nothing drawn after the line break (a required UCS-2 character, an emoji, an
    escape) lands inside its "\r\n", however short the text."""
    assert text.replace("\r\n", "").count("\r") == 0, repr(text)


def test_texts_shrink_to_a_character_that_does_not_look_latin() -> None:
    """A shrunk UCS-2 text must not read as plain GSM-7 (Cyrillic "а" looks like "a")."""
    from hypothesis import find

    for texts in (ucs2_texts(), mixed_texts(), sms_texts()):
        wide = find(texts, lambda t: analyze(t).encoding == "UCS-2")
        assert [ch for ch in wide if ch not in "aа"][:1] == ["ж"], wide


def test_every_segment_count_around_the_limits_is_produced() -> None:
    seen: set[tuple[str, int]] = set()

    # derandomize: the same 150 examples every run, so coverage is not left to luck
    @settings(max_examples=150, deadline=None, database=None, derandomize=True)
    @given(sms_texts())
    def collect(text: str) -> None:
        info = analyze(text)
        seen.add((info.encoding, info.segments))

    collect()
    assert {("GSM-7", 1), ("GSM-7", 2), ("UCS-2", 1), ("UCS-2", 2)} <= seen


@pytest.mark.parametrize("texts", [gsm7_texts(), ucs2_texts(), sms_texts()])
def test_a_wide_character_across_a_part_boundary_is_drawn_often(texts: Any) -> None:
    """An escape or surrogate pair at the end of a part moves whole to the next one:
    a client counting ``ceil(units / 153)`` (or 67) is caught at default settings."""

    def naive(text: str) -> int:
        info = analyze(text)
        single, part = (160, 153) if info.encoding == "GSM-7" else (70, 67)
        return 1 if info.units <= single else -(-info.units // part)

    @settings(max_examples=100, deadline=None, database=None, derandomize=True)
    @given(texts)
    def segments_are_units_over_part(text: str) -> None:
        assert naive(text) == analyze(text).segments

    with pytest.raises(AssertionError):
        segments_are_units_over_part()


# scenarios


@FEW
@given(scenarios())
def test_scenarios_are_valid(document: dict) -> None:
    scenario = parse_scenario(document)
    assert scenario.seed == document["seed"]
    Emulator(scenario=document).close()


def test_scenarios_draw_no_rule_the_loader_finds_unreachable() -> None:
    """A ``text: "*"`` rule matches every message, as a rule with no ``when`` does."""

    def refused(document: dict) -> bool:
        try:
            parse_scenario(document)
        except ScenarioError:
            return True
        return False

    with pytest.raises(NoSuchExample):
        find(scenarios(), refused, settings=settings(max_examples=1000, database=None))


@FEW
@given(scenarios())
def test_scenario_recipient_patterns_can_match_a_recipient(document: dict) -> None:
    """Recipients are matched in E.164 (``+254…``): a ``254*`` glob could never fire,
    and a property test predicting outcomes from the drawn rules would be wrong."""
    for rule in document.get("rules", []):
        to = rule["when"].get("to")
        assert to is None or to.startswith(("+", "re:")), to


@pytest.mark.parametrize(
    ("strategy", "size"),
    [(ringcentral_batch_bodies, 100), (fonedynamics_batch_bodies, 50), (sendbulk_bulk_bodies, 200)],
)
def test_batch_strategies_reach_their_documented_sizes(strategy: Any, size: int) -> None:
    """Within Hypothesis's budget for one example (no failed health check)."""
    sizes: list[int] = []

    @settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(strategy(min_messages=size, max_messages=size))
    def draw(body: Any) -> None:
        items = body.get("messages") or body.get("Messages") or body.get("smslist")
        sizes.append(len(items))

    draw()
    assert sizes and set(sizes) == {size}


# RingCentral bodies


@FEW
@given(ringcentral_batch_bodies(bad_items=True))
def test_ringcentral_bodies_are_accepted_and_bad_items_rejected_by_index(body: BatchBody) -> None:
    emu, client = fresh()
    headers = ringcentral_headers(client)
    response = client.post(RC_BATCHES, headers=headers, json=body)
    assert response.status_code == 201, response.text
    batch = response.json()
    check_ringcentral_batch(body, batch, ringcentral_batch_messages(client, headers, batch["id"]))
    check_emulator_state(emu)
    rejected = {r["index"]: r["errorCode"] for r in batch["rejected"]}
    assert [rejected.get(i) for i in range(1, len(body["messages"]) + 1)] == list(body.item_codes)


@FEW
@given(ringcentral_batch_bodies(valid=False))
def test_invalid_ringcentral_bodies_get_an_asg_error(invalid: InvalidBody) -> None:
    emu, client = fresh()
    response = client.post(RC_BATCHES, **invalid.request_kwargs(ringcentral_headers(client)))
    assert response.status_code == invalid.status == 400, invalid.problem
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()
    assert error["errorCode"] == invalid.code, invalid.problem
    assert isinstance(error["message"], str)
    assert error["errors"][0]["errorCode"] == invalid.code
    assert emu.messages() == []


# Fone Dynamics bodies


@FEW
@given(fonedynamics_message_bodies())
def test_fonedynamics_message_bodies_are_accepted(body: dict) -> None:
    emu, client = fresh()
    response = client.post(FD_MESSAGES, headers=FD_AUTH, json=body)
    assert response.status_code == 200, response.text
    message = response.json()["Message"]
    assert message["To"] == body["To"] and message["Text"] == body["Text"]
    assert message["MessageSid"].startswith("M")
    check_emulator_state(emu)


@FEW
@given(fonedynamics_message_bodies(valid=False))
def test_invalid_fonedynamics_message_bodies_get_a_response_status(invalid: InvalidBody) -> None:
    emu, client = fresh()
    response = client.post(FD_MESSAGES, **invalid.request_kwargs(FD_AUTH))
    assert response.status_code == invalid.status == 400, invalid.problem
    status = response.json()["ResponseStatus"]
    assert status["ErrorCode"] == invalid.code, invalid.problem
    assert isinstance(status["Message"], str)
    assert emu.messages() == []


@FEW
@given(fonedynamics_batch_bodies(bad_items=True))
def test_fonedynamics_batches_answer_each_message_in_order(body: BatchBody) -> None:
    emu, client = fresh()
    response = client.post(FD_BATCH, headers=FD_AUTH, json=body)
    assert response.status_code == 200, response.text
    check_fonedynamics_batch(body, response.json())
    check_emulator_state(emu)
    codes = [None if "MessageSid" in item else item["ErrorCode"] for item in response.json()]
    assert codes == list(body.item_codes)


@FEW
@given(fonedynamics_batch_bodies(valid=False))
def test_invalid_fonedynamics_batches_get_a_response_status(invalid: InvalidBody) -> None:
    emu, client = fresh()
    response = client.post(FD_BATCH, **invalid.request_kwargs(FD_AUTH))
    assert response.status_code == invalid.status == 400, invalid.problem
    assert response.json()["ResponseStatus"]["ErrorCode"] == invalid.code, invalid.problem
    assert emu.messages() == []


# sendbulk bodies


@FEW
@given(sendbulk_bulk_bodies(bad_items=True))
def test_sendbulk_bodies_get_one_row_per_item(body: BatchBody) -> None:
    emu, client = fresh()
    response = client.post("/api/services/sendbulk/", json=body)
    assert response.status_code == 200
    check_sendbulk_responses([i["mobile"] for i in body["smslist"]], response.json())
    check_emulator_state(emu)
    codes = [row["response-code"] for row in response.json()["responses"]]
    assert codes == [200 if code is None else code for code in body.item_codes]


@FEW
@given(sendbulk_bulk_bodies())
def test_valid_sendbulk_bodies_are_all_accepted(body: dict) -> None:
    emu, client = fresh()
    rows = client.post("/api/services/sendbulk", json=body).json()["responses"]
    assert [r["response-code"] for r in rows] == [200] * len(body["smslist"])
    assert len(emu.messages(provider="sendbulk")) == len(rows)


SMALL_BATCH_BRANDS = ["textsms", "sunface", "kemrut", "teamweb", "celcom"]


@pytest.mark.parametrize("brand", SMALL_BATCH_BRANDS)
def test_valid_sendbulk_bodies_stay_within_the_brands_limit(brand: str) -> None:
    """A brand taking 20 items per sendbulk accepts every valid body drawn for it."""
    emu = Emulator(scenario={"providers": {"sendbulk": {"brand": brand}}})
    client = emu.client()

    @FEW
    @given(sendbulk_bulk_bodies(brand=brand, min_messages=15, max_messages=20))
    def check(body: dict) -> None:
        answer = client.post("/api/services/sendbulk/", json=body).json()
        check_sendbulk_responses(body, answer)

    check()
    with pytest.raises(InvalidArgument, match="at most 20"):
        sendbulk_bulk_bodies(brand=brand, max_messages=21)
    emu.close()


def test_invalid_sendbulk_bodies_for_a_brand_get_its_refusal() -> None:
    emu = Emulator(scenario={"providers": {"sendbulk": {"brand": "textsms"}}})
    client = emu.client()

    @FEW
    @given(sendbulk_bulk_bodies(valid=False, brand="textsms"))
    def check(invalid: InvalidBody) -> None:
        answer = client.post("/api/services/sendbulk/", **invalid.request_kwargs()).json()
        assert int(answer["respose-code"]) == invalid.code, invalid.problem
        if invalid.code == 1012:
            assert len(invalid.body["smslist"]) == 21, invalid.problem
        assert emu.messages() == []

    check()
    emu.close()


def test_an_unknown_sendbulk_brand_is_refused_when_called() -> None:
    with pytest.raises(InvalidArgument, match="brand must be one of"):
        sendbulk_bulk_bodies(brand="textsmss")


@FEW
@given(st.one_of(sendbulk_bulk_bodies(valid=False), sendbulk_sms_bodies(valid=False)))
def test_invalid_sendbulk_bodies_get_a_flat_refusal(invalid: InvalidBody) -> None:
    emu, client = fresh()
    path = "sendbulk" if "smslist" in str(invalid.body) or "sms" in invalid.body else "sendsms"
    response = client.post(f"/api/services/{path}", **invalid.request_kwargs())
    assert response.status_code == invalid.status == 200  # the gateway refuses with HTTP 200
    body = response.json()
    assert "responses" not in body, invalid.problem
    assert body["response-code"] == invalid.code, invalid.problem
    assert isinstance(body["response-description"], str)
    assert emu.messages() == []


@FEW
@given(sendbulk_sms_bodies())
def test_sendbulk_sms_bodies_get_a_row_per_number(body: dict) -> None:
    emu, client = fresh()
    response = client.post("/api/services/sendsms", json=body)
    mobiles = body["mobile"].split(",")
    check_sendbulk_responses(mobiles, response.json())
    assert all(r["response-code"] == 200 for r in response.json()["responses"])
    check_emulator_state(emu)


# the remaining endpoints


@FEW
@given(ringcentral_optout_bodies())
def test_ringcentral_optout_bodies_are_accepted(body: dict) -> None:
    _emu, client = fresh()
    response = client.post(
        RC_BATCHES.replace("batches", "opt-outs/bulk-assign"),
        headers=ringcentral_headers(client),
        json=body,
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    for key in ("optOuts", "optIns"):
        if body.get(key):
            assert len(answer[key]["successful"]) == len(body[key])
            assert answer[key]["failed"] == []


@FEW
@given(ringcentral_optout_bodies(valid=False))
def test_invalid_ringcentral_optout_bodies_get_an_asg_error(invalid: InvalidBody) -> None:
    _emu, client = fresh()
    response = client.post(
        RC_BATCHES.replace("batches", "opt-outs/bulk-assign"),
        **invalid.request_kwargs(ringcentral_headers(client)),
    )
    assert response.status_code == invalid.status == 400, invalid.problem
    assert response.json()["errorCode"] == invalid.code


@FEW
@given(st.one_of(sendbulk_balance_bodies(), sendbulk_credit_bodies()))
def test_sendbulk_balance_and_credit_bodies_are_accepted(body: dict) -> None:
    _emu, client = fresh()
    path = "credit" if "childID" in body else "getbalance"
    answer = client.post(f"/api/services/{path}", json=body).json()
    assert answer["response-code"] == 200, answer
    if path == "credit":
        assert float(answer["new-balance"]) == float(answer["prev-balance"]) + float(
            answer["sms-units"]
        )
    else:
        assert float(answer["credit"]) >= 0


@FEW
@given(st.one_of(sendbulk_balance_bodies(valid=False), sendbulk_credit_bodies(valid=False)))
def test_invalid_sendbulk_balance_and_credit_bodies_are_refused(invalid: InvalidBody) -> None:
    _emu, client = fresh()
    path = "credit" if "amount" in invalid.body else "getbalance"
    answer = client.post(f"/api/services/{path}", **invalid.request_kwargs()).json()
    assert answer["response-code"] == invalid.code, invalid.problem
    assert isinstance(answer["response-description"], str)


def test_gsm7_texts_are_never_blank() -> None:
    """A text of spaces is refused by the sendbulk gateways (1009), so a ``valid`` body
    holding one was refused."""
    with pytest.raises(NoSuchExample):
        find(
            strategies.gsm7_texts(units=[1, 2, 3], extension=False),
            lambda text: not text.strip(),
            settings=settings(max_examples=500, derandomize=True, database=None),
        )


@settings(max_examples=200, deadline=None, database=None)
@given(e164_numbers())
def test_e164_numbers_are_valid_mobile_numbers_to_phonenumbers(number: str) -> None:
    """Clients often check numbers with phonenumbers before sending: 15-80 % of the
    numbers of a possible length, per country, were not valid mobile numbers to it."""
    import phonenumbers

    parsed = phonenumbers.parse(number)
    assert phonenumbers.is_valid_number(parsed), number
    assert phonenumbers.number_type(parsed) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def _count_of(body: Any) -> int:
    return len(body.get("messages") or body.get("Messages") or body.get("smslist"))


@pytest.mark.parametrize(
    ("strategy", "is_bad"),
    [
        (
            ringcentral_batch_bodies(bad_items=True),
            lambda b: any(len(m["to"]) == 2 for m in b["messages"]),
        ),
        (
            sendbulk_bulk_bodies(bad_items=True),
            lambda b: any(i["message"] == "" for i in b["smslist"]),
        ),
    ],
)
def test_a_batch_with_a_bad_item_shrinks_to_that_item_alone(strategy: Any, is_bad: Any) -> None:
    """Items were drawn one by one after their count, so the shrinker could not delete
    the good ones before the bad: a failing batch stayed at two to nine messages.  (The
    shrinker is a search: with some seeds it still stops at two or three; fixed seeds
    keep this test deterministic and short.  Any change to what a batch draws moves
    where it stops: with the texts' line breaks, 3 and 9 seeds of 12 reached one item,
    against 7 and 9 before; seed 2 reaches it for both.  So does a Hypothesis release:
    on 6.124, the lowest pyproject.toml allows, seed 2 stops at four RingCentral
    messages and seed 0 reaches one.  Drawn one by one, no seed of 12 reached one on
    6.170.)"""
    for seed in (2, 0):
        smallest = find(
            strategy, is_bad, settings=settings(database=None), random=random.Random(seed)
        )
        if _count_of(smallest) == 1:
            break
    assert _count_of(smallest) == 1


@pytest.mark.parametrize("size", [4, 10])
def test_ten_large_texts_fit_in_one_example(size: int) -> None:
    """Batches of 4-10 items each drew a text of its own: ten of 1,000 units failed
    Hypothesis's health check, though the documented limits allow them."""

    @settings(max_examples=5, deadline=None, database=None)
    @given(
        ringcentral_batch_bodies(
            min_messages=size, max_messages=size, texts=gsm7_texts(units=[1000])
        ),
        sendbulk_bulk_bodies(min_messages=size, max_messages=size, texts=mixed_texts(units=[918])),
    )
    def drawn(rc: dict[str, Any], sendbulk: dict[str, Any]) -> None:
        assert len(rc["messages"]) == len(sendbulk["smslist"]) == size

    drawn()


@pytest.mark.parametrize(
    ("factory", "option"),
    [
        (kenyan_msisdns, "forms"),
        (scenarios, "providers"),
        (scenarios, "outcomes"),
        (fonedynamics_message_bodies, "senders"),
        (invalid_e164_numbers, "kinds"),
    ],
)
def test_a_bare_string_for_a_list_of_names_is_refused_with_the_spelling_that_works(
    factory: Any, option: str
) -> None:
    """``forms="0"`` passed as its one letter and ``forms="254"`` failed with "not
    ('2', '5', '4')"."""
    with pytest.raises(InvalidArgument, match=r"must be a sequence of names, e\.g\. \('254',\)"):
        factory(**{option: "254"})


def test_plus_one_numbers_are_us_and_canadian_not_caribbean() -> None:
    """A number made valid fell back on one of +1's 25 countries' examples: over half
    of the +1 numbers were Caribbean, while the docs say US/Canada."""
    import phonenumbers

    regions: list[str] = []

    @settings(max_examples=300, deadline=None, database=None)
    @given(e164_numbers(country_codes=["1"]))
    def drawn(number: str) -> None:
        regions.append(phonenumbers.region_code_for_number(phonenumbers.parse(number)))

    drawn()
    assert sum(r in ("US", "CA") for r in regions) >= 0.9 * len(regions)


@pytest.mark.parametrize("code", ["800", "979"])
def test_a_country_code_without_mobile_numbers_is_refused(code: str) -> None:
    with pytest.raises(InvalidArgument, match="has no mobile numbers"):
        e164_numbers(country_codes=[code])


@pytest.mark.parametrize(
    ("problem", "code"),
    [
        ("from missing", "CMN-101"),
        ("from not E.164", "CMN-101"),
        ("messages empty", "CMN-101"),
        ("messages missing", "CMN-101"),
        ("no text anywhere", "CMN-101"),
        ("text too long", "CMN-101"),
        ("to not a list", "CMN-101"),
        ("not JSON", "CMN-104"),
        ("JSON array", "CMN-104"),
    ],
)
def test_invalid_ringcentral_bodies_draw_every_problem(problem: str, code: str) -> None:
    """Each way a batch body is refused as a whole is drawn (and refused with its code)."""
    invalid = found(ringcentral_batch_bodies(valid=False), lambda b: b.problem == problem, 1000)
    assert invalid.code == code
    emu, client = fresh()
    response = client.post(RC_BATCHES, **invalid.request_kwargs(ringcentral_headers(client)))
    assert (response.status_code, response.json()["errorCode"]) == (400, code), problem
    emu.close()


_PER_PAGE = {("CMN-101", f"perPage {how}") for how in ("0", "negative", "not a number")}
_RC_DATES = {("CMN-101", "dateFrom not a date"), ("CMN-101", "dateTo not a date")}
_RC_PAGE_TOKEN = ("CMN-101", "pageToken unknown")
_SENDBULK_CREDENTIALS = {
    (4091, "partnerID missing"),
    (4092, "apikey missing"),
    (1006, "unknown pass_type"),
}
_FD_SCHEDULES = {
    ("INVALID_PARAMETER", "Schedule more than 14 days after now"),
    ("INVALID_PARAMETER", "Schedule 1 hour or more before now"),
    ("INVALID_PARAMETER", "Schedule is not whole seconds since the epoch"),
}
_FD_MESSAGE_PROBLEMS = {
    ("SerializationException", "not JSON"),
    ("PARAMETER_REQUIRED", "required field missing (PARAMETER_REQUIRED)"),
    ("INVALID_PHONENUMBER_FORMAT", "To … is not E.164"),
    ("INVALID_PARAMETER", "alphanumeric From longer than 11 characters"),
    ("INVALID_PARAMETER", "DeliveryReceipt is not a boolean"),
}


@pytest.mark.parametrize(
    ("strategy", "promised"),
    [
        pytest.param(
            ringcentral_message_params(valid=False, batch_ids=["b1"]),
            _PER_PAGE
            | _RC_DATES
            | {_RC_PAGE_TOKEN, ("CMN-101", "more than 15 phoneNumber")}
            | {("CMN-101", "unknown view"), ("CMN-101", "unknown direction")}
            | {("CMN-102", "unknown batchId")},
            id="ringcentral-messages",
        ),
        pytest.param(
            ringcentral_batch_params(valid=False),
            _PER_PAGE | _RC_DATES | {_RC_PAGE_TOKEN, ("CMN-101", "unknown status")},
            id="ringcentral-batches",
        ),
        pytest.param(
            ringcentral_status_params(valid=False),
            _RC_DATES
            | {("CMN-101", "more than 15 phoneNumber"), ("CMN-101", "unknown direction")}
            | {("CMN-102", "unknown batchId")},
            id="ringcentral-statuses",
        ),
        pytest.param(
            ringcentral_optout_params(valid=False),
            _PER_PAGE | {_RC_PAGE_TOKEN, ("CMN-101", "unknown status")},
            id="ringcentral-opt-outs",
        ),
        pytest.param(
            fonedynamics_message_bodies(valid=False), _FD_MESSAGE_PROBLEMS, id="fonedynamics"
        ),
        pytest.param(
            fonedynamics_message_bodies(valid=False, now=1_767_225_600),
            _FD_MESSAGE_PROBLEMS | _FD_SCHEDULES,
            id="fonedynamics-scheduled",
        ),
        pytest.param(
            fonedynamics_batch_bodies(valid=False),
            {
                ("PARAMETER_REQUIRED", "Messages missing"),
                ("PARAMETER_REQUIRED", "Messages empty"),
                ("SerializationException", "Messages not a list"),
                ("SerializationException", "not JSON"),
            },
            id="fonedynamics-batches",
        ),
        pytest.param(
            sendbulk_balance_bodies(valid=False), _SENDBULK_CREDENTIALS, id="sendbulk-balance"
        ),
        pytest.param(
            sendbulk_credit_bodies(valid=False),
            _SENDBULK_CREDENTIALS
            | {(1005, "childID missing")}
            | {(1009, "amount not a number"), (1009, "amount not positive")},
            id="sendbulk-credit",
        ),
        pytest.param(
            sendbulk_bulk_bodies(valid=False, brand="textsms"),
            _SENDBULK_CREDENTIALS
            | {(1010, "smslist empty"), (1010, "smslist missing")}
            | {(1009, "first item not an object"), (1012, "more than 20 items")},
            id="sendbulk-bulk",
        ),
        pytest.param(
            sendbulk_sms_bodies(valid=False),
            _SENDBULK_CREDENTIALS | {(1104, "too many numbers")},
            id="sendbulk-sms",
        ),
        pytest.param(
            sendbulk_hashed_otp_bodies(valid=False),
            _SENDBULK_CREDENTIALS | {(1104, "too many numbers")},
            id="sendbulk-hashed-otp",
        ),
        pytest.param(
            sendbulk_dlr_bodies(valid=False, message_ids=["8290842"]),
            _SENDBULK_CREDENTIALS
            | {(1009, f"messageID {how}") for how in ("missing", "spelt otherwise")}
            | {(1009, "messageID not a number"), (1009, "unknown messageID")}
            | {(1009, "another partner's message")},
            id="sendbulk-dlr",
        ),
        pytest.param(
            fonedynamics_list_params(valid=False),
            {("CONFLICTING_PARAMETERS", "Date_From after Date_To")}
            | {
                ("INVALID_PARAMETER", problem)
                for problem in (
                    "Results_Count 0",
                    "Results_Count not a number",
                    "Results_Skip negative",
                    "Date_From negative",
                    "Date_From not a number",
                    "Page_Token unknown",
                    "Status unknown",
                    "Direction unknown",
                )
            },
            id="fonedynamics-list",
        ),
        pytest.param(
            ringcentral_token_forms(
                valid=False, grants=["password", "authorization_code", "refresh_token"]
            ),
            {("OAU-250", "grant_type missing"), ("OAU-250", "unknown grant_type")}
            | {("OAU-111", "grant_type repeated"), ("OAU-213", "unknown refresh_token")}
            | {
                ("OAU-250", f"{field} {how}")
                for field in ("username", "password", "code", "refresh_token")
                for how in ("missing", "empty")
            },
            id="ringcentral-token",
        ),
        pytest.param(
            ringcentral_revoke_forms(valid=False),
            {("OAU-250", "token missing"), ("OAU-250", "token empty")}
            | {("OAU-111", "token repeated")},
            id="ringcentral-revoke",
        ),
        pytest.param(
            ringcentral_optout_bodies(valid=False),
            {("CMN-101", f"from {how}") for how in ("missing", "not E.164")}
            | {("CMN-101", "both lists empty")},
            id="ringcentral-optout",
        ),
    ],
)
def test_invalid_strategies_draw_each_promised_problem_with_its_code(
    strategy: Any, promised: set[tuple[object, str]]
) -> None:
    """Every kind of bad input a strategy's docstring promises is drawn, with the code the
    strategy declares for it (the @given tests check the emulator answers it), and no other."""
    drawn: set[tuple[object, str]] = set()

    def until_each_is_drawn(invalid: Any) -> bool:
        drawn.add((invalid.code, re.sub(r"'[^']*'", "…", invalid.problem)))
        return drawn >= promised

    settings_ = settings(
        max_examples=2000, derandomize=True, database=None, phases=[Phase.generate]
    )
    with contextlib.suppress(NoSuchExample):
        find(strategy, until_each_is_drawn, settings=settings_)
    assert drawn == promised


def test_valid_ringcentral_bodies_include_recipients_without_their_plus() -> None:
    """RingCentral's own example sends "15551234477" (it adds the +): valid bodies never
    had one, so a client's handling of the answer's "+1555..." went untested."""
    body = found(
        ringcentral_batch_bodies(),
        lambda b: any(not m["to"][0].startswith("+") for m in b["messages"]),
    )
    emu, client = fresh()
    response = client.post(RC_BATCHES, headers=ringcentral_headers(client), json=body)
    assert response.status_code == 201 and response.json()["rejected"] == []
    sent = {n if n.startswith("+") else "+" + n for m in body["messages"] for n in m["to"]}
    assert {m["to"] for m in emu.messages()} == sent


def test_sendbulk_bodies_number_their_items_from_1_or_from_0() -> None:
    """WaveSMS's client numbers ``clientsmsid`` from 0; the rows echo whichever is sent."""
    body = found(
        sendbulk_bulk_bodies(min_messages=2), lambda b: int(b["smslist"][0]["clientsmsid"]) == 0
    )
    assert [int(i["clientsmsid"]) for i in body["smslist"]] == list(range(len(body["smslist"])))
    _emu, client = fresh()
    rows = client.post("/api/services/sendbulk", json=body).json()["responses"]
    assert [str(r["clientsmsid"]) for r in rows] == [str(i["clientsmsid"]) for i in body["smslist"]]


@pytest.mark.parametrize("texts", [gsm7_texts(), ucs2_texts(), mixed_texts(), sms_texts()])
def test_many_texts_hold_a_line_break(texts: Any) -> None:
    """docs/testing.md says many texts of all three hold a line break (about a third of
    the GSM-7 ones, nearer half of the others): a client's handling of one is exercised
    in most runs, not only in a rare one."""
    examples = drawn(texts, 300)
    assert sum("\n" in t for t in examples) >= len(examples) // 4
