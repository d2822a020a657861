"""E.164 checks: the fast path must agree with phonenumbers on numbers in E.164 form.

"In E.164 form" means phonenumbers formats the parsed number back to exactly
the same string.  Numbers that are not (a national prefix after the country
code, like ``+440...``; strings phonenumbers cannot parse) are outside the
agreement: phonenumbers would first rewrite them (strip the ``0``), while
the fast path judges the digits as sent — which is what a provider sees.

One intended difference: E.164 caps numbers at 15 digits, and the fast path
refuses longer ones, while phonenumbers' metadata allows some countries
longer national numbers (``+2348021234567000``, 16 digits, is "possible" for
Nigeria).
"""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from emulator.core.phone import (
    _possible_lengths,
    comparable_digits,
    is_e164,
    is_possible_e164,
    normalize_plus,
    same_number,
    with_plus,
)

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
CALLING_CODES = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


def _reference(number: str) -> bool | None:
    """phonenumbers' verdict, or None when ``number`` is not in E.164 form."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) != number:
        return None
    if len(number) > 16:  # more than E.164's 15 digits: see the module docstring
        return None
    return phonenumbers.is_possible_number(parsed)


@st.composite
def example_numbers(draw: st.DrawFn) -> str:
    """A region's example number (any type) in E.164 form."""
    region = draw(st.sampled_from(REGIONS))
    kinds = [
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.TOLL_FREE,
    ]
    kind = draw(st.sampled_from(kinds))
    example_number = phonenumbers.example_number_for_type(region, kind)
    if example_number is None:
        example_number = phonenumbers.example_number(region)
    if example_number is None:
        return "+16501234567"
    return phonenumbers.format_number(example_number, phonenumbers.PhoneNumberFormat.E164)


@st.composite
def random_length_numbers(draw: st.DrawFn) -> str:
    """A known calling code followed by 1 to 14 random digits."""
    code = str(draw(st.sampled_from(CALLING_CODES)))
    room = max(1, 16 - len(code))  # one past E.164's limit, to test the cut-off
    rest = draw(st.text(alphabet="0123456789", min_size=1, max_size=room))
    return f"+{code}{rest}"


@st.composite
def mutated_examples(draw: st.DrawFn) -> str:
    """An example number with digits added or removed at the end."""
    number = draw(example_numbers())
    change = draw(st.integers(min_value=-3, max_value=3))
    if change < 0:
        return number[:change] if len(number) + change > 2 else number
    return number + draw(st.text(alphabet="0123456789", min_size=change, max_size=change))


@settings(max_examples=400, deadline=None)
@given(st.one_of(example_numbers(), random_length_numbers(), mutated_examples()))
@example("+4088070206")
@example("+16501234567")
@example("+447700900123")
@example("+80012345678")  # non-geographic (International Freephone)
@example("+39061234567")  # Italian leading zero is part of the number
@example("+2348021234567000")  # 16 digits: outside E.164
def test_agrees_with_phonenumbers_on_e164_numbers(number: str) -> None:
    expected = _reference(number)
    if expected is None:
        return  # not in E.164 form: see the module docstring
    assert is_possible_e164(number) is expected, number


@settings(max_examples=200, deadline=None)
@given(example_numbers())
def test_every_region_example_number_is_possible(number: str) -> None:
    assert is_possible_e164(number)


@pytest.mark.parametrize(
    "number", ["+16501234567", "+447700900123", "+61412345678", "+254712345678"]
)
def test_accepts_real_numbers(number: str) -> None:
    assert is_possible_e164(number)
    assert is_e164(number)


@pytest.mark.parametrize(
    "number",
    [
        "+4088070206",  # Romania, one digit short: a plain regex accepts it
        "16501234567",  # no +
        "+0123456789",  # no country starts with 0
        "+1650123456",  # NANP is 10 digits
        "+165012345678",
        "+1 650 123 4567",
        "+1-650-123-4567",
        "+",
        "",
        "+1234567890123456",  # 16 digits
        "+2348021234567000",  # 16 digits, though phonenumbers calls it possible
        "+99912345678",  # unassigned calling code
        "+１６５０１２３４５６７",  # fullwidth digits
        "+1６５０１２３４５６７",  # fullwidth digits after an ASCII country code
        "+1٦٥٠١٢٣٤٥٦٧",  # Arabic-Indic digits
        "+16501234567\n",
    ],
)
def test_rejects(number: str) -> None:
    assert not is_possible_e164(number)


def test_rejects_non_strings() -> None:
    assert not is_possible_e164(None)  # type: ignore[arg-type]
    assert not is_possible_e164(16501234567)  # type: ignore[arg-type]


def test_is_e164_checks_shape_only() -> None:
    assert is_e164("+4088070206")
    assert not is_e164("+0123")
    assert not is_e164("+1")
    assert not is_e164("+1234567890123456")
    assert not is_e164("+1٦٥٠١٢٣٤٥٦٧")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 14155550100", "+14155550100"),  # a raw '+' decoded as a space
        ("+14155550100", "+14155550100"),
        ("14155550100", "14155550100"),
        (" abc", " abc"),
        ("", ""),
    ],
)
def test_normalize_plus(raw: str, expected: str) -> None:
    assert normalize_plus(raw) == expected


def _by_country_code(number: str) -> bool:
    """The rule spelled out: the shortest 1-3 digit prefix with metadata is the country code."""
    if not is_e164(number):
        return False
    for size in (1, 2, 3):
        lengths = _possible_lengths(int(number[1 : 1 + size]))
        if lengths is not None:
            return len(number) - 1 - size in lengths
    return False


def test_lengths_looked_up_by_first_three_digits_follow_the_country_code_rule() -> None:
    for head in range(1, 1000):
        for size in range(1, 16):
            number = f"+{head}{'5' * 15}"[: 1 + size]
            assert is_possible_e164(number) is _by_country_code(number), number


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("+14155550100", "+14155550100"),
        ("14155550100", "+14155550100"),  # no + at all
        (" 14155550100", "+14155550100"),  # a raw + decoded as a space
        (" +14155550100 ", "+14155550100"),
        ("SHOP", "SHOP"),  # no number: left for the caller to refuse
        ("1415 555", "1415 555"),  # nor digits with more: no + is added
        ("", ""),
    ],
)
def test_with_plus_reads_a_number_as_queries_bodies_and_tests_write_it(
    written: str, number: str
) -> None:
    assert with_plus(written) == number


def test_normalize_plus_reads_only_a_space_as_a_decoded_plus() -> None:
    assert normalize_plus("\t14155550100") == "\t14155550100"


@pytest.mark.parametrize(
    ("number", "digits"),
    [
        ("+254 712-345-678", "254712345678"),
        ("0712345678", "254712345678"),  # a Kenyan national form
        ("4155550100", "4155550100"),  # ten digits, no leading 0: not Kenyan
        ("07123456789", "07123456789"),  # eleven digits
        ("071234567", "071234567"),  # nine
        ("+٢٥٤712345678", "712345678"),  # only ASCII digits count
        ("SHOP", ""),
    ],
)
def test_comparable_digits(number: str, digits: str) -> None:
    assert comparable_digits(number) == digits


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("+254712345678", "0712345678", True),
        ("+1 (415) 555-0100", "14155550100", True),
        ("+14155550100", "+14155550101", False),
        ("SHOP", "SHOP", True),  # a sender name is itself
        ("SHOP", "SHIP", False),  # not two names without digits
        (None, "+14155550100", False),
        (None, None, False),
    ],
)
def test_same_number(a: str | None, b: str | None, same: bool) -> None:
    assert same_number(a, b) is same
