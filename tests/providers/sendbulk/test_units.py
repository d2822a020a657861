"""Unit checks of the small modules: numbers, Nairobi time, the outcome table, brands."""

from __future__ import annotations

from datetime import UTC, datetime

import phonenumbers
import pytest
from phonenumbers import carrier

from emulator.providers.sendbulk.brands import BRANDS, BrandConfigError, brand_from_options
from emulator.providers.sendbulk.hashed import hash_msisdn, is_hash
from emulator.providers.sendbulk.mapping import OUTCOMES, final_description, submit_code
from emulator.providers.sendbulk.mobile import (
    AIRTEL,
    NETWORK_PREFIXES,
    SAFARICOM,
    TELKOM,
    classify,
)
from emulator.providers.sendbulk.nairobi import (
    BadSendTime,
    format_tat,
    format_time,
    parse_send_time,
)
from emulator.providers.sendbulk.php import php_fields, php_string
from emulator.providers.sendbulk.wire import Rows, code_fields, typed


def test_operator_prefix_ranges_do_not_overlap():
    seen: set[int] = set()
    for prefixes in NETWORK_PREFIXES.values():
        assert not seen & prefixes
        seen |= prefixes


@pytest.mark.parametrize("suffix", ["000000", "499999", "999999"])
def test_every_number_of_a_prefix_has_the_operator_of_its_sample(suffix):
    """The table is built from one number per three-digit prefix: phonenumbers must agree
    for every other number of the prefix, or the table is too coarse."""
    names = {SAFARICOM: "Safaricom", AIRTEL: "Airtel", TELKOM: "Telkom"}
    owners = {p: names[n] for n, prefixes in NETWORK_PREFIXES.items() for p in prefixes}
    for prefix in (*range(100, 200), *range(700, 800)):
        number = phonenumbers.parse(f"+254{prefix}{suffix}")
        mobile = phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
        owner = carrier.name_for_valid_number(number, "en") if mobile else ""
        assert owners.get(prefix, "") == (owner if owner in names.values() else ""), prefix


@pytest.mark.parametrize(
    ("value", "kind", "msisdn"),
    [
        ("0712345678", "kenyan", "254712345678"),
        (254110123456, "kenyan", "254110123456"),
        ("+447700900123", "foreign", "+447700900123"),
        ("0812345678", "invalid", "0812345678"),
        (None, "invalid", ""),
        (True, "invalid", "True"),
    ],
)
def test_classify(value, kind, msisdn):
    number = classify(value)
    assert (number.kind, number.msisdn) == (kind, msisdn)


@pytest.mark.parametrize("value", ["0712345678", " +254712345678", 254712345678, 254712345678.0])
def test_classify_gives_one_answer_for_every_spelling_of_a_number(value):
    assert classify(value) == classify("254712345678")
    assert classify(value) is classify(value)  # shared: Numbers are immutable


def test_nairobi_is_utc_plus_three():
    moment = datetime(2026, 1, 1, 12, tzinfo=UTC).timestamp()
    assert format_time(moment) == "2026-01-01 15:00:00"
    assert parse_send_time("2026-01-01 15:00") == moment
    assert parse_send_time(moment) == moment
    assert parse_send_time(None) is None


def test_strtotimes_at_form_is_unix_seconds_however_large():
    """``strtotime("@1767279600")``; not read as milliseconds, as a bare number that big is."""
    assert parse_send_time("@1767279600") == 1767279600.0
    assert parse_send_time(" @1767279600.25 ") == 1767279600.25
    assert parse_send_time("@200000000000") == 200000000000.0
    assert parse_send_time("200000000000") == 200000000.0


@pytest.mark.parametrize(
    "value",
    [
        "soon",
        "@-5",
        "@",
        "@1e9",
        True,
        [1],
        -5,
        "nan",
        pytest.param(10**400, id="huge-int"),
        pytest.param(-(10**400), id="-huge-int"),
        "1e400",
        float("inf"),
        float("nan"),
    ],
)
def test_bad_send_times(value):
    with pytest.raises(BadSendTime):
        parse_send_time(value)


def test_format_time_past_the_calendar_in_nairobi_is_its_last_second() -> None:
    """21:00 UTC on 31 December 9999 is already year 10000 in Nairobi: getdlr answered
    a flat 1007 (OverflowError) for a report dated then."""
    late = datetime(9999, 12, 31, 21, 0, 8, tzinfo=UTC).timestamp()
    assert format_time(late) == "9999-12-31 23:59:59"
    assert format_time(datetime(9999, 12, 31, 20, 59, 59, tzinfo=UTC).timestamp()) == (
        "9999-12-31 23:59:59"
    )
    assert format_time(datetime(9999, 12, 31, 20, 0, tzinfo=UTC).timestamp()) == (
        "9999-12-31 23:00:00"
    )


def test_tat_styles():
    assert format_tat(150, "clock") == "00:02:30"
    assert format_tat(3725.4, "clock") == "01:02:05"
    assert format_tat(0.24, "seconds") == "0.24 sec"


def test_every_neutral_outcome_is_in_the_table():
    from emulator.core.models import Outcome

    assert set(OUTCOMES) == {o.value for o in Outcome}


def test_overrides():
    assert submit_code("invalid_number", None) == 1003
    assert submit_code("invalid_number", "1001") == 1001
    assert submit_code("invalid_number", "77") == 1003  # not a gateway code
    assert submit_code("delivered", "1001") == 200
    assert final_description("send_failed", 1, "Invalid Source Address") == "Invalid Source Address"
    assert final_description("delivered", 1, "ignored") == "DeliveredToTerminal"
    assert final_description("undeliverable", None, None) == "AbsentSubscriber"


def test_hash_helpers():
    digest = hash_msisdn("0712345678")
    assert is_hash(digest) and digest == hash_msisdn("+254712345678")
    assert not is_hash("254712345678")


@pytest.mark.parametrize(
    "options",
    [
        {"brand": 3},
        {"brand": "nope"},
        {"code_key": "code"},
        {"batch_limit": 0},
        {"batch_limit": True},
    ],
)
def test_bad_brand_options(options):
    with pytest.raises(BrandConfigError):
        brand_from_options(options)


@pytest.mark.parametrize("brand", sorted(BRANDS))
@pytest.mark.parametrize("endpoint", ["sendsms", "sendbulk", "sendotp"])
def test_success_rows_follow_the_brands_json_types(brand, endpoint):
    profile = BRANDS[brand]
    rows = Rows(profile, endpoint)
    row = rows.success("254712345678", "8290842", 1, "07")
    assert list(row.items()) == [
        *code_fields(profile, 200).items(),
        ("response-description", "Success"),
        ("mobile", typed("254712345678", profile.mobile_kind(endpoint))),
        ("messageid", typed(8290842, profile.messageid_kind(endpoint))),
        ("clientsmsid", typed("07", profile.clientsmsid)),
        ("networkid", typed(1, profile.networkid)),
    ]
    hashed = rows.success("AB" * 32, "8290843", 1, hashed=True)
    assert hashed["mobile"] == "AB" * 32  # as sent
    assert "clientsmsid" not in hashed


def test_only_short_number_texts_are_kept_in_the_classification_caches():
    # A cache entry keeps its text alive: a client sending huge or unique junk as
    # "mobile" must not make the process hold on to it.
    from emulator.providers.sendbulk import mobile, sending

    long_text = "7" * (mobile.CACHEABLE_LENGTH + 1)
    before = (
        mobile._classify_cached.cache_info().currsize,
        sending._cached_text_route.cache_info().currsize,
    )
    assert sending._text_route(long_text)[0] == 1003
    assert classify(long_text).kind == "invalid"
    after = (
        mobile._classify_cached.cache_info().currsize,
        sending._cached_text_route.cache_info().currsize,
    )
    assert after == before
    assert classify("0712345678") is classify("0712345678")  # short ones are shared


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "1"),
        (False, ""),
        (0, "0"),
        (-42, "-42"),
        (10**30, "1" + "0" * 30),
        ({}, "Array"),
        ([], "Array"),
        (1.0, "1"),
        (-0.0, "-0"),
        (1.5, "1.5"),
        (0.1 + 0.2, "0.3"),
        (1e13, "10000000000000"),
        (1e14, "1.0E+14"),
        (123456789012345.0, "1.2345678901234E+14"),
        (100000000000005.0, "1.0000000000000E+14"),  # a tie rounded down keeps its zeros
        (-859950265420205.0, "-8.5995026542020E+14"),
        (100000000000015.0, "1.0000000000002E+14"),  # a tie rounded up: none to keep
        (100000000000004.0, "1.0E+14"),
        (1000000000000050.0, "1.0E+15"),  # 16 digits: dropped
        (1.5e20, "1.5E+20"),
        (1e-4, "0.0001"),
        (1e-5, "1.0E-5"),
        (1.7976931348623157e308, "1.7976931348623E+308"),
        (float("inf"), "INF"),
        (float("-inf"), "-INF"),
        (float("nan"), "NAN"),
        ("as sent", "as sent"),
    ],
)
def test_php_string_casts_like_php(value, text):
    assert php_string(value) == text


def test_php_fields_registers_names_as_php_does():
    """What PHP 8's ``parse_str`` makes of these names (its arrays are dicts here, in order)."""
    pairs = [
        ("partner.ID", "1"),  # a dot or a space: _
        ("mobile[]", "a"),
        ("mobile[]", "b"),
        (" api key", "k"),  # leading spaces dropped
        ("a[b", "2"),  # an unclosed [: _
        ("x[1]", "p"),
        ("x[]", "q"),  # after the largest integer key
        ("y[a][b]", "z"),
        ("y[a][]", "w"),
        ("m", "1"),
        ("m[]", "2"),  # an array replaces a plain value
        ("n[]", "1"),
        ("n", "2"),  # and a plain value an array
        ("z[0]c", "zz"),  # past a ], only a [ goes on
        ("", "e"),  # no name: no field
        ("[a]", "f"),
        ("a.b[", "g"),
        ("[c", "h"),  # a [ first: no field either
        ("p[ ]", "1"),  # an index of spaces is []
        ("p[ x]", "2"),  # another keeps them
        ("key\0x", "nul"),  # a C string to PHP: the name ends at a NUL
        ("i[-0]", "1"),  # not canonical: a text key
        ("i[]", "2"),
        ("j[1000000000000000000]", "1"),  # 19 digits: still an integer key
        ("j[]", "2"),
        ("k[9223372036854775808]", "1"),  # past 64 bits: a text key
        ("k[]", "2"),
    ]
    assert php_fields(pairs) == {
        "partner_ID": "1",
        "mobile": {"0": "a", "1": "b"},
        "api_key": "k",
        "a_b": "2",
        "x": {"1": "p", "2": "q"},
        "y": {"a": {"b": "z", "0": "w"}},
        "m": {"0": "2"},
        "n": "2",
        "z": {"0": "zz"},
        "a_b_": "g",
        "p": {"0": "1", " x": "2"},
        "key": "nul",
        "i": {"-0": "1", "0": "2"},
        "j": {"1000000000000000000": "1", "1000000000000000001": "2"},
        "k": {"9223372036854775808": "1", "0": "2"},
    }


@pytest.mark.parametrize("value", [None, True, {"a": 1}, [1], 1.0, 2.5, 1e-5])
def test_typed_never_spells_a_value_the_python_way(value):
    assert typed(value, "str") == php_string(value)
