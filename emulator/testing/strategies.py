"""Hypothesis strategies for SMS client tests.

Plain functions returning strategies, keyword-only options validated eagerly
(bad arguments raise ``hypothesis.errors.InvalidArgument``), plural names, and
values that shrink toward the simplest case: the first country code, the
shortest boundary, plain ASCII letters, a one-message batch.

- Numbers: ``e164_numbers`` (valid mobile numbers to phonenumbers, and so to
  ``emulator.core.phone.is_possible_e164``), ``invalid_e164_numbers``
  (subtly wrong: one digit short or long, no ``+``, leading zero, a letter),
  ``kenyan_msisdns`` (the forms the sendbulk gateways take).
- Texts around the segment boundaries: ``gsm7_texts``, ``ucs2_texts``,
  ``mixed_texts`` (GSM-7 text made UCS-2 by one character), ``sms_texts``;
  often with a line break (``\n`` or ``\r\n``).
- Request bodies for every provider endpoint, valid or invalid: invalid ones
  come as ``InvalidBody(body, problem, code)`` so a failing example says what is
  wrong with it; batches as ``BatchBody`` dicts whose ``item_codes`` say how each
  item is answered.  See ``ringcentral_batch_bodies`` and its neighbours.  Also
  RingCentral's OAuth forms (``ringcentral_token_forms``,
  ``ringcentral_revoke_forms``: sent as ``data=``) and the query parameters of
  the listing endpoints (``ringcentral_message_params`` and friends,
  ``fonedynamics_list_params``: lists of pairs for ``params=``, so a parameter
  can repeat).
- What needs state takes it as an argument rather than guessing: a refresh
  token (``refresh_tokens=``), batch ids (``batch_ids=``), sendbulk message ids
  (``message_ids=``), the emulator's clock for Fone Dynamics' ``Schedule``
  (``now=``).
- Where the emulator chose behaviour the providers leave open, the strategies
  follow it: RingCentral caps ``perPage`` above 1000 (so 1001 is in neither
  the valid nor the invalid values); unknown tokens are revoked with 200
  (RFC 7009); an unknown sendbulk hash is accepted.
- ``scenarios``: valid scenario documents (dicts) for ``Emulator(scenario=...)``.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from typing import Any, TypeVar, cast

import phonenumbers
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..core.models import Outcome
from ..core.phone import _possible_lengths, is_possible_e164
from ..core.segments import GSM7_BASIC, GSM7_EXTENSION
from ..providers.sendbulk.brands import BRANDS, DEFAULT_BRAND

__all__ = [
    "GSM7_BOUNDARY_UNITS",
    "UCS2_BOUNDARY_UNITS",
    "BatchBody",
    "InvalidBody",
    "e164_numbers",
    "fonedynamics_batch_bodies",
    "fonedynamics_list_params",
    "fonedynamics_message_bodies",
    "gsm7_texts",
    "invalid_e164_numbers",
    "kenyan_msisdns",
    "mixed_texts",
    "ringcentral_batch_bodies",
    "ringcentral_batch_params",
    "ringcentral_message_params",
    "ringcentral_optout_bodies",
    "ringcentral_optout_params",
    "ringcentral_revoke_forms",
    "ringcentral_status_params",
    "ringcentral_token_forms",
    "scenarios",
    "sendbulk_balance_bodies",
    "sendbulk_bulk_bodies",
    "sendbulk_credit_bodies",
    "sendbulk_dlr_bodies",
    "sendbulk_hashed_otp_bodies",
    "sendbulk_sms_bodies",
    "sms_texts",
    "ucs2_texts",
]

# numbers

#: Country code → (national length, leading digits) of a typical mobile number.
_MOBILE = {
    "1": (10, "23456789"),  # NANP: area code 2-9
    "44": (10, "7"),
    "61": (9, "4"),
    "254": (9, "71"),
    "49": (11, "1"),
    "33": (9, "67"),
    "91": (10, "6789"),
    "64": (9, "2"),
    "27": (9, "678"),
    "34": (9, "67"),
}
_DEFAULT_COUNTRY_CODES = tuple(_MOBILE)
_DIGITS = "0123456789"


def _in_order(values: Iterable[Any], key: Callable[[Any], Any] = str) -> tuple[Any, ...]:
    """``values`` as a tuple; a set's items sorted by ``key``.  A set iterates its
    strings in an order ``PYTHONHASHSEED`` picks, and a strategy drawing from them in
    that order would draw other examples in each process, even derandomized."""
    if isinstance(values, set | frozenset):
        return tuple(sorted(values, key=key))
    return tuple(values)


def _in_known_order(values: Iterable[Any], known: Sequence[str]) -> tuple[Any, ...]:
    """``values`` as a tuple; a set's names in the order of ``known`` (others last)."""
    order = {name: i for i, name in enumerate(known)}
    return _in_order(values, key=lambda name: (order.get(name, len(order)), str(name)))


def _numeric_order(code: object) -> tuple[int, str]:
    """Country codes in numeric order (``+1`` before ``44`` before ``254``)."""
    digits = str(code).lstrip("+")
    return len(digits), digits


def _iterable(value: object) -> bool:
    """Whether an option is a collection of values, not text (whose characters iterate)."""
    return isinstance(value, Iterable) and not isinstance(value, str | bytes)


def _names(value: Sequence[str], option: str, known: Sequence[str]) -> tuple[str, ...]:
    """A sequence-of-names option as a tuple (a set's in the order of ``known``); a bare
    string (whose letters a tuple would be, or a silent one-letter match) is refused
    with the spelling that works."""
    if isinstance(value, str):
        raise InvalidArgument(f"{option} must be a sequence of names, e.g. ({value!r},)")
    if not _iterable(value):
        raise InvalidArgument(f"{option} must be some of {tuple(known)}, not {value!r}")
    names = _in_known_order(value, known)
    if not names or set(names) - set(known):
        raise InvalidArgument(f"{option} must be some of {tuple(known)}, not {value!r}")
    return names


def _option_key(value: Any) -> Any:
    """``value`` for a cache key, types included: ``True == 1`` and ``160.0 == 160``, but
    the checks accept one and refuse the other."""
    if isinstance(value, list | tuple):
        return tuple(_option_key(item) for item in value)
    if isinstance(value, frozenset):
        return (frozenset, frozenset(_option_key(item) for item in value))
    return (type(value), value)


#: A strategy function; the decorators below keep its signature for type checkers.
_F = TypeVar("_F", bound=Callable[..., Any])


def _reused(builder: _F) -> _F:
    """Build each distinct strategy once and hand out the same object after.

    The body strategies draw numbers and texts from these on every example, and
    a strategy built anew is validated anew: most of an example's cost, which
    shrinking pays thousands of times.  Options given as lists or tuples count by
    their items' values and types.
    """
    built: dict[Any, Any] = {}

    @functools.wraps(builder)
    def build(**options: Any) -> Any:
        key = tuple(sorted((name, _option_key(value)) for name, value in options.items()))
        try:
            return built[key]
        except KeyError:
            strategy = built[key] = builder(**options)
            return strategy
        except TypeError:  # an option that cannot be a key: build it each time
            return builder(**options)

    return cast(_F, build)


@cache
def _national_shape(code: str) -> tuple[int, str]:
    if code in _MOBILE:
        return _MOBILE[code]
    lengths = _possible_lengths(int(code))
    if lengths is None:
        raise InvalidArgument(f"country code {code!r} is not assigned to any country")
    # E.164 numbers have at most 15 digits: some countries list longer local-only lengths
    fitting = [n for n in lengths if len(code) + n <= 15]
    if not fitting:  # pragma: no cover - no assigned code is without one
        raise InvalidArgument(f"country code {code!r} has no length E.164 can hold")
    return max(fitting), "123456789"


def _check_country_codes(country_codes: Sequence[str] | None) -> tuple[str, ...]:
    if country_codes is None:
        return _DEFAULT_COUNTRY_CODES
    if not _iterable(country_codes) or not country_codes:
        raise InvalidArgument("country_codes must be a non-empty sequence of strings like '44'")
    codes = tuple(str(c).lstrip("+") for c in _in_order(country_codes, key=_numeric_order))
    for code in codes:
        if not code.isdigit():
            raise InvalidArgument(f"country code {code!r} must be digits, e.g. '44'")
        _national_shape(code)
    return codes


_MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)
#: Digits of an example mobile number a drawn number keeps, when it is not valid itself.
_EXAMPLE_TAIL = 4


def _is_valid_mobile(number: str) -> bool:
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed) and (
        phonenumbers.number_type(parsed) in _MOBILE_TYPES
    )


@cache
def _mobile_examples(code: str) -> tuple[str, ...]:
    """Valid mobile numbers (national digits) of ``code``: its main country's example
    first (US for +1, not one of the Caribbean countries sharing it), then the others'."""
    main = phonenumbers.region_code_for_country_code(int(code))
    regions = [main, *phonenumbers.region_codes_for_country_code(int(code))]
    found: list[str] = []
    for region in regions:
        if region == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
            example = phonenumbers.example_number_for_non_geo_entity(int(code))
        else:
            example = phonenumbers.example_number_for_type(
                region, phonenumbers.PhoneNumberType.MOBILE
            )
        if example is None:
            continue
        national = str(example.national_number)
        if national not in found and _is_valid_mobile(f"+{code}{national}"):
            found.append(national)
    return tuple(found)


#: Variants of a drawn number tried before falling back on an example: each rotates the
#: digits after the leading ones, so it keeps the country's shape and the draw's digits.
_VARIANTS = 12


#: Checking a number takes phonenumbers up to a millisecond (+1: some 25 regions share
#: it) and a number up to 13 checks; the shrinker draws the same numbers again and again.
@functools.lru_cache(maxsize=1 << 16)
def _valid_mobile(code: str, number: str) -> str:
    """``number`` if phonenumbers takes it for a valid mobile number, else a variant of it
    that is (its digits after the leading one rotated), else the country's example
    mobile number with the drawn number's last digits.  Clients often check numbers with
    phonenumbers before they send: a possible length is not enough for them."""
    if _is_valid_mobile(number):
        return number
    start = len(code) + 2  # past "+", the country code and the leading digit
    head, rest = number[:start], number[start:]
    for shift in range(1, min(_VARIANTS, len(rest))):
        variant = head + rest[shift:] + rest[:shift]
        if _is_valid_mobile(variant):
            return variant
    example = _mobile_examples(code)[0]
    candidate = f"+{code}{example[:-_EXAMPLE_TAIL]}{number[-_EXAMPLE_TAIL:]}"
    return candidate if _is_valid_mobile(candidate) else f"+{code}{example}"


def _numbers_from(
    pairs: st.SearchStrategy[tuple[str, int | None]], *, valid_mobile: bool = False
) -> st.SearchStrategy[str]:
    """``+<code><national>`` for drawn (code, length or None for the usual length).

    The draws have the same shape whatever the country, so shrinking can move
    to the first country without losing its progress on the digits.  With
    ``valid_mobile``, a number phonenumbers would not take for a mobile one is
    mapped to one it takes (see :func:`_valid_mobile`).
    """

    def build(draw: tuple[tuple[str, int | None], int, str]) -> str:
        (code, length), lead, digits = draw
        size, leading = _national_shape(code)
        size = size if length is None else length
        number = f"+{code}{leading[lead % len(leading)]}{digits[: size - 1]}"
        return _valid_mobile(code, number) if valid_mobile else number

    digits = st.text(alphabet=_DIGITS, min_size=16, max_size=16)
    return st.tuples(pairs, st.integers(0, 9), digits).map(build)


@_reused
def e164_numbers(*, country_codes: Sequence[str] | None = None) -> st.SearchStrategy[str]:
    """Valid E.164 mobile numbers (``+`` and digits): numbers phonenumbers'
    ``is_valid_number`` takes for mobile ones (so a client checking numbers with it
    sends them), of a possible length for their country.

    Default countries: US/Canada, UK, Australia, Kenya, Germany, France, India,
    New Zealand, South Africa, Spain.  Shrinks toward ``+12015550000``.
    """
    codes = _check_country_codes(country_codes)
    for code in codes:
        if not _mobile_examples(code):  # toll-free +800, premium-rate +979...
            raise InvalidArgument(f"country code {code!r} has no mobile numbers")
    return _numbers_from(st.sampled_from([(code, None) for code in codes]), valid_mobile=True)


_INVALID_KINDS = ("short", "long", "no_plus", "leading_zero", "letter")


def _length_off_by_one(code: str, delta: int) -> int | None:
    size, _ = _national_shape(code)
    lengths = _possible_lengths(int(code)) or frozenset()
    wrong = size + delta
    return wrong if wrong >= 1 and wrong not in lengths else None


@_reused
def invalid_e164_numbers(
    *,
    kinds: Sequence[str] = _INVALID_KINDS,
    country_codes: Sequence[str] | None = None,
) -> st.SearchStrategy[str]:
    """Numbers that look right but ``is_possible_e164`` rejects.

    ``kinds``: ``"short"``/``"long"`` (one national digit short or long of the
    country's usual mobile length, where that length is impossible for it: not every
    country has one), ``"no_plus"`` (``14155550100``), ``"leading_zero"``
    (``+0…``), ``"letter"`` (one digit replaced by a letter, e.g. ``O`` for 0).
    """
    kinds = _names(kinds, "kinds", _INVALID_KINDS)
    codes = _check_country_codes(country_codes)
    options = []
    for kind in kinds:
        if kind in ("short", "long"):
            delta = -1 if kind == "short" else 1
            usable = [(c, n) for c in codes if (n := _length_off_by_one(c, delta)) is not None]
            if not usable:
                continue
            options.append(_numbers_from(st.sampled_from(usable)))
        elif kind == "no_plus":
            options.append(e164_numbers(country_codes=codes).map(lambda n: n[1:]))
        elif kind == "leading_zero":
            options.append(e164_numbers(country_codes=codes).map(lambda n: "+0" + n[1:]))
        else:
            # no st.data(): Hypothesis 6.124 (the lowest we take) refuses it inside find()
            options.append(
                st.builds(
                    _with_letter,
                    e164_numbers(country_codes=codes),
                    st.integers(0, 14),
                    st.sampled_from("OIlSBAx"),
                )
            )
    if not options:
        raise InvalidArgument(f"none of {codes} has an impossible length next to a possible one")
    return st.one_of(options).filter(lambda n: not is_possible_e164(n))


def _with_letter(number: str, place: int, letter: str) -> str:
    """``number`` with one of its digits after the first replaced by ``letter`` (``place``
    counts from there, wrapping round)."""
    position = 2 + place % (len(number) - 2)
    return number[:position] + letter + number[position + 1 :]


@cache
def _kenyan_prefixes() -> tuple[int, ...]:
    from ..providers.sendbulk.mobile import NETWORK_PREFIXES

    return tuple(sorted(p for prefixes in NETWORK_PREFIXES.values() for p in prefixes))


_KENYAN_FORMS = ("254", "+254", "0")


@_reused
def kenyan_msisdns(*, forms: Sequence[str] = _KENYAN_FORMS) -> st.SearchStrategy[str]:
    """Kenyan mobile numbers on a real operator range, as the sendbulk gateways take them.

    ``forms``: ``"254"`` (``2547XXXXXXXX`` or ``2541XXXXXXXX``: the 07 and the newer 01
    ranges), ``"+254"`` and ``"0"`` (``07XXXXXXXX`` or ``01XXXXXXXX``).
    Shrinks toward the lowest operator range, ``254100000000``.
    """
    forms = _names(forms, "forms", _KENYAN_FORMS)
    # six digits as one integer: a fraction of the cost of six drawn characters
    return st.builds(
        lambda form, prefix, rest: f"{form}{prefix}{rest:06d}",
        st.sampled_from(forms),
        st.sampled_from(_kenyan_prefixes()),
        st.integers(0, 999_999),
    )


# texts

#: Septet counts around GSM-7 limits: 153 (a part), 160 (one SMS), 306 (two parts).
GSM7_BOUNDARY_UNITS = (152, 153, 154, 159, 160, 161, 305, 306, 307)
#: UTF-16 unit counts around UCS-2 limits: 67 (a part), 70 (one SMS), 134 (two parts).
UCS2_BOUNDARY_UNITS = (66, 67, 68, 69, 70, 71, 133, 134, 135)

# Simplest first, so texts shrink toward plain lower-case letters.
# Line breaks are placed on purpose (``_line_break``), not drawn as characters.
_GSM7_CHARS = "".join(
    sorted(GSM7_BASIC - set("\r\n"), key=lambda c: (not c.islower() or not c.isascii(), c))
)
_GSM7_EXTENSION_CHARS = "".join(sorted(GSM7_EXTENSION - {"\f"}))
# Not in GSM-7: Cyrillic, lower-case Greek, CJK, Arabic, typographic quotes.  First (what
# examples shrink to) a letter no one reads as Latin: Cyrillic "а" looks just like "a",
# and a failing "аaaa…" would pass for a GSM-7 text.
_UCS2_CHARS = "жбвгдзийклмнптфцчшщыэюяаорсухαβγδεζηθλμπσω中文字日本語한국어مرحبا’“”–…•"
# Outside the BMP: two UTF-16 units each.
_ASTRAL_CHARS = "😀👍🎉🚀❤️🙂🔥"
_ASTRAL_CHARS = "".join(c for c in _ASTRAL_CHARS if ord(c) > 0xFFFF)


#: The longest text the text strategies draw: past about 4,000 characters Hypothesis's
#: ``large_base_example`` health check refuses the smallest one (about 20 GSM-7 parts).
_MOST_UNITS = 3000


def _check_units(units: Sequence[int] | None, default: tuple[int, ...]) -> tuple[int, ...]:
    if units is None:
        return default
    if not isinstance(units, Iterable) or isinstance(units, str):
        raise InvalidArgument(f"units must be a list of positive integers, not {units!r}")
    units = tuple(units)
    if not units or any(isinstance(u, bool) or not isinstance(u, int) or u < 1 for u in units):
        raise InvalidArgument(f"units must be positive integers, not {units!r}")
    if max(units) > _MOST_UNITS:
        raise InvalidArgument(
            f"texts draw at most {_MOST_UNITS} units within Hypothesis's budget for one "
            f"example, got units={units!r}: build a longer text in the test itself"
        )
    return units


def _place(base: str, wide: list[str], offsets: list[int]) -> str:
    """``base`` (one unit a character) with each ``wide`` character (two units) placed so
    that ``offset`` units come before it (or right after an earlier one placed there)."""
    out: list[str] = []
    used = taken = 0
    for char, offset in sorted(zip(wide, offsets, strict=True), key=lambda p: p[1]):
        ahead = max(0, min(offset - used, len(base) - taken))
        out.append(base[taken : taken + ahead])
        taken, used = taken + ahead, used + ahead
        out.append(char)
        used += 2
    out.append(base[taken:])
    return "".join(out)


@cache
def _ordered_text(alphabet: str, size: int) -> st.SearchStrategy[str]:
    """Texts of ``size`` characters of ``alphabet`` that shrink toward its first ones.

    A string, not a list of sampled characters: Hypothesis shrinks a string as a
    whole (a failing 300-character text in a fraction of a second, not seconds).
    It orders characters from ``"0"`` up, so the text is drawn in stand-ins from
    ``"0"`` and translated; built once per alphabet and size (a strategy built
    anew is validated anew, on every example).
    """
    stand_ins = "".join(chr(ord("0") + i) for i in range(len(alphabet)))
    table = str.maketrans(stand_ins, alphabet)
    drawn = st.text(alphabet=stand_ins, min_size=size, max_size=size)
    return drawn.map(lambda text: text.translate(table))


@cache
def _line_break(size: int) -> st.SearchStrategy[tuple[int, str] | None]:
    """Where to put a line break in a text of ``size`` one-unit characters, and which,
    or None (what it shrinks to): one draw, not a list, so batches shrink as well."""
    return st.none() | st.tuples(st.integers(0, size - 1), st.sampled_from(("\n", "\r\n")))


@st.composite
def _built_text(
    draw: st.DrawFn,
    units: tuple[int, ...],
    one_unit: str,
    two_unit: str,
    part: int,
    required: str = "",
) -> str:
    target = draw(st.sampled_from(units))
    budget = target - (1 if required else 0)
    doubles = 0
    if two_unit and budget >= 2:
        doubles = draw(st.integers(0, min(budget // 2, 4)))
    singles = budget - 2 * doubles
    base = draw(_ordered_text(one_unit, singles))
    # Often a line break ("\n" or "\r\n"): drawn as characters among the others, it
    # would be too rare to test.  Put in last, so nothing lands inside a "\r\n".
    line_break = draw(_line_break(singles)) if singles else None
    if required:  # a one-unit character: it moves no wide character off its place
        at = draw(st.integers(0, singles))
        base = base[:at] + draw(st.sampled_from(required)) + base[at:]
    extras = [draw(st.sampled_from(two_unit)) for _ in range(doubles)]
    # Often put a wide character across the end of a part (``part - 1`` units before it):
    # a multi-part message cannot split it, so it moves whole to the next part, and
    # a text of two full parts takes three (the count ``units / part`` gets wrong).
    last = target - 2
    straddles = [k * part - 1 for k in range(1, target // part + 1) if k * part - 1 <= last]
    where = (
        st.one_of(st.integers(0, last), st.sampled_from(straddles))
        if straddles
        else st.integers(0, max(last, 0))
    )
    offsets = [draw(where) for _ in extras]
    text = _place(base, extras, offsets)
    if line_break is None:
        return text
    return _with_line_break(text, *line_break, replaceable=frozenset(one_unit) - set(required))


def _with_line_break(text: str, at: int, chars: str, *, replaceable: frozenset[str]) -> str:
    """``text`` with ``chars`` over as many ``replaceable`` characters (one unit each,
    as a line break's are), at the first such place from ``at`` on, else before it; a
    lone ``"\n"`` where there is no room for ``"\r\n"``; unchanged where neither fits."""
    for line_break in dict.fromkeys((chars, "\n")):
        width = len(line_break)
        places = range(len(text) - width + 1)
        start = min(at, len(places))
        for i in itertools.chain(places[start:], places[:start]):
            if all(c in replaceable for c in text[i : i + width]):
                return text[:i] + line_break + text[i + width :]
    return text


@_reused
def gsm7_texts(
    *, units: Sequence[int] | None = None, extension: bool = True
) -> st.SearchStrategy[str]:
    """GSM-7 texts of exactly ``units`` septets (default: around 153, 160 and 306).

    With ``extension``, some characters are ``^{}\\[~]|€`` (two septets each),
    often placed right at a segment boundary.
    """
    targets = _check_units(units, GSM7_BOUNDARY_UNITS)
    _check_flag("extension", extension)
    texts = _built_text(targets, _GSM7_CHARS, _GSM7_EXTENSION_CHARS if extension else "", 153)
    return texts.map(_not_blank)


def _not_blank(text: str) -> str:
    """``text``, its first space a letter if it is all spaces: the sendbulk gateways
    refuse a blank message (1009), so a valid body must not hold one."""
    return text if text.strip() else "a" + text[1:]


@_reused
def ucs2_texts(
    *, units: Sequence[int] | None = None, astral: bool = True
) -> st.SearchStrategy[str]:
    """UCS-2 texts of exactly ``units`` UTF-16 units (default: around 67, 70 and 134).

    Each has at least one character outside GSM-7; with ``astral``, some are
    emoji (two units each, a surrogate pair), often right at a boundary.
    """
    targets = _check_units(units, UCS2_BOUNDARY_UNITS)
    _check_flag("astral", astral)
    return _built_text(
        targets,
        _UCS2_CHARS + _GSM7_CHARS,
        _ASTRAL_CHARS if astral else "",
        67,
        required=_UCS2_CHARS,  # one at least, even in a text of one unit
    )


@_reused
def mixed_texts(*, units: Sequence[int] | None = None) -> st.SearchStrategy[str]:
    """GSM-7 texts turned UCS-2 by one character (a curly quote, a Cyrillic letter...),
    with up to four emoji (two UTF-16 units each, often right at a segment boundary).

    ``units`` counts UTF-16 units (default: around the UCS-2 and GSM-7 limits),
    the classic surprise of a 150-character message costing three segments.
    Examples shrink to the one character.
    """
    targets = _check_units(units, UCS2_BOUNDARY_UNITS + GSM7_BOUNDARY_UNITS)
    return _built_text(
        targets,
        _GSM7_CHARS + _GSM7_EXTENSION_CHARS,
        _ASTRAL_CHARS,
        67,
        required=_UCS2_CHARS,
    )


@_reused
def sms_texts() -> st.SearchStrategy[str]:
    """Any of ``gsm7_texts()``, ``ucs2_texts()`` or ``mixed_texts()``."""
    return st.one_of(gsm7_texts(), ucs2_texts(), mixed_texts())


# scenarios

_OUTCOMES = tuple(o.value for o in Outcome)
_DURATIONS = ("0s", "500ms", "1s", "2s", "5s", "30s", "1m", "1h30m")


def scenarios(
    *,
    providers: Sequence[str] = ("ringcentral", "fonedynamics", "sendbulk"),
    outcomes: Sequence[str] = _OUTCOMES,
    max_rules: int = 4,
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid scenario documents (dicts): seed, timing and outcome rules.

    No faults or rate limits: those make requests fail, which a property test
    about message outcomes does not want; add them to the drawn dict if so.
    """
    providers = _names(providers, "providers", ("ringcentral", "fonedynamics", "sendbulk"))
    outcomes = _names(outcomes, "outcomes", _OUTCOMES)
    _check_integer("max_rules", max_rules)
    if max_rules < 0:
        raise InvalidArgument("max_rules must be >= 0")
    outcome = st.one_of(
        st.sampled_from(outcomes),
        st.dictionaries(
            st.sampled_from(outcomes), st.integers(1, 10), min_size=1, max_size=len(outcomes)
        ),
    )
    when = st.fixed_dictionaries(
        {},
        optional={
            "provider": st.sampled_from(providers),
            "to": st.sampled_from(["+1*", "+44*", "+61*", "+254*", "+2547*", "re:[05]$"]),
            "text": st.sampled_from(["*STOP*", "re:\\d{6}", "*"]),
        },
    )
    rule = st.fixed_dictionaries({"when": when, "outcome": outcome})
    timing = st.fixed_dictionaries(
        {},
        optional={
            "processing": st.sampled_from(_DURATIONS),
            "sent": st.sampled_from(_DURATIONS),
            "delivered": st.sampled_from(_DURATIONS),
        },
    )
    return st.fixed_dictionaries(
        {
            "name": st.just("generated"),
            "seed": st.integers(0, 2**31 - 1),
            "timing": timing,
            # the loader refuses a rule no message can reach: one after a rule with the
            # same `when`, or after one that matches everything
            "rules": st.lists(rule, max_size=max_rules, unique_by=_narrowing).map(_reachable_rules),
        }
    )


def _narrowing(rule: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """A rule's conditions but those every message meets (``text: "*"``), which the
    loader leaves out when it looks for unreachable rules."""
    return tuple(sorted((k, v) for k, v in rule["when"].items() if v != "*"))


def _reachable_rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rules`` up to the first that matches every message (no condition but ``"*"``)."""
    for index, rule in enumerate(rules):
        if not _narrowing(rule):
            return rules[: index + 1]
    return rules


# request bodies


@dataclass(frozen=True, slots=True)
class InvalidBody:
    """A request body a provider must refuse as a whole, what is wrong, and its answer.

    ``body`` is usually a dict (send it as JSON); ``bytes`` when the body is
    not JSON at all.  ``code`` is the provider's error code for it (``"CMN-101"``,
    ``"PARAMETER_REQUIRED"``, ``4091``...).  ``kind`` says how it travels:
    ``"json"`` (a JSON body), ``"form"`` (an urlencoded form, e.g. RingCentral's
    OAuth endpoints) or ``"query"`` (query parameters of a ``GET``).  ``status`` is
    the HTTP status it is refused with.
    """

    body: Any
    problem: str
    code: str | int | None = None
    kind: str = "json"
    #: The HTTP status of the refusal; by default RingCentral's and Fone Dynamics' 400
    #: (404 for RingCentral's unknown ``batchId``, CMN-102), sendbulk's 200 (its code in
    #: the body; ``sendbulk_dlr_bodies(brand="textsms")`` gives 404 for "No dlr").
    status: int = 0

    def __post_init__(self) -> None:
        if not self.status:
            default = 200 if isinstance(self.code, int) else 404 if self.code == "CMN-102" else 400
            object.__setattr__(self, "status", default)

    def request_kwargs(
        self, headers: dict[str, str] | None = None, *, library: str = "httpx"
    ) -> dict[str, Any]:
        """Keyword arguments for ``library``'s request functions (``"httpx"`` or
        ``"requests"``): ``json=``, ``data=`` or ``params=``, and for a body that is not
        JSON, httpx's ``content=`` (``data=`` for requests)."""
        if library not in ("httpx", "requests"):
            raise ValueError(f"library must be 'httpx' or 'requests', not {library!r}")
        merged = dict(headers or {})
        if self.kind == "form":
            return {"data": self.body, "headers": merged}
        if self.kind == "query":
            return {"params": self.body, "headers": merged}
        if isinstance(self.body, bytes):
            merged.setdefault("Content-Type", "application/json")
            return {"content" if library == "httpx" else "data": self.body, "headers": merged}
        return {"json": self.body, "headers": merged}


class BatchBody(dict[str, Any]):
    """A batch body: a plain dict to send as JSON, which also says how the provider
    answers each of its items.  ``item_codes[i]`` is the code the ``i``-th item (from
    0) is refused with (RingCentral's ``rejected[].errorCode``, Fone Dynamics'
    ``ErrorCode``, sendbulk's row code, an integer), or None if it is accepted."""

    item_codes: tuple[str | int | None, ...] = ()

    def __repr__(self) -> str:  # a failing example shows the dict, as it is sent
        return dict.__repr__(self)


def _batch_body(fields: dict[str, Any], codes: list[str | int | None]) -> BatchBody:
    body = BatchBody(fields)
    body.item_codes = tuple(codes)
    return body


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@_reused
def _simple_texts() -> st.SearchStrategy[str]:
    """Short, non-blank GSM-7 texts; shrinks to ``"a"``."""
    # .map, not st.builds(str.__add__, ...): a failing example shows the text itself
    return st.tuples(
        st.sampled_from(_LETTERS),
        st.text(alphabet=_LETTERS + "0123456789 .,!?", max_size=40),
    ).map("".join)


@cache
def _default_texts() -> st.SearchStrategy[str]:
    return st.one_of(_simple_texts(), sms_texts())


def _texts(texts: st.SearchStrategy[str] | None) -> st.SearchStrategy[str]:
    if texts is None:
        return _default_texts()
    if not isinstance(texts, st.SearchStrategy):
        raise InvalidArgument(f"texts must be a strategy, not {texts!r}")
    return texts


#: A batch of more messages than this draws its texts from a few drawn for the batch:
#: a text of its own per item would exhaust Hypothesis's budget for one example (ten
#: texts of 1,000 units each did: its health check refused the smallest example).
_OWN_TEXTS_UP_TO = 3


def _batch_items(
    draw: st.DrawFn,
    item: Callable[[st.SearchStrategy[str]], st.SearchStrategy[Any]],
    text: st.SearchStrategy[str],
    sizes: tuple[int, int],
) -> list[Any]:
    """A batch's items, drawn as one list so that shrinking can delete any of them (a
    middle one too: drawn one by one after their count, a failing batch shrank to nine);
    ``item(texts)`` draws one, its text from ``text`` or, in a batch that may be longer
    than :data:`_OWN_TEXTS_UP_TO`, from a few texts drawn for the batch."""
    low, high = sizes
    if high > _OWN_TEXTS_UP_TO:
        text = st.sampled_from(draw(st.lists(text, min_size=1, max_size=3)))
    return draw(st.lists(item(text), min_size=low, max_size=high))


#: The most messages (or numbers) a body strategy draws within Hypothesis's budget
#: for one example: above these its health check refuses the smallest input.
_MOST_ITEMS = {
    "ringcentral_batch_bodies": 100,
    "fonedynamics_batch_bodies": 50,
    "sendbulk_bulk_bodies": 200,
    "sendbulk_sms_bodies": 300,
    "sendbulk_hashed_otp_bodies": 300,
}


def _check_sizes(
    low: int,
    high: int,
    names: tuple[str, str] = ("min_messages", "max_messages"),
    strategy: str | None = None,
) -> None:
    for name, value in zip(names, (low, high), strict=True):
        _check_integer(name, value)
    if low < 1 or high < low:
        raise InvalidArgument(f"need 1 <= {names[0]} <= {names[1]}, got {low}, {high}")
    most = _MOST_ITEMS.get(strategy or "")
    if most is not None and high > most:
        raise InvalidArgument(
            f"{strategy} draws at most {most} items within Hypothesis's budget for one "
            f"example, got {names[1]}={high}: build a bigger body in the test itself"
        )


def _check_integer(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{name} must be an integer, not {value!r}")


def _check_flag(name: str, value: object) -> bool:
    """``value`` if it is True or False: ``valid="False"`` would otherwise draw valid bodies."""
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name} must be True or False, not {value!r}")
    return value


def _check_bad_items(valid: bool, bad_items: bool) -> None:
    _check_flag("valid", valid)
    _check_flag("bad_items", bad_items)
    if bad_items and not valid:
        raise InvalidArgument("bad_items=True needs valid=True: an invalid body has one problem")


def _check_brand(strategy: Any, options: dict[str, Any]) -> None:
    """A sendbulk ``brand`` is known, and valid bodies stay within its batch limit."""
    name = options["brand"]
    if not isinstance(name, str) or name.lower() not in BRANDS:
        raise InvalidArgument(f"brand must be one of {', '.join(BRANDS)}, not {name!r}")
    limit = BRANDS[name.lower()].batch_limit
    most = options.get(
        "max_messages", inspect.signature(strategy).parameters["max_messages"].default
    )
    if options.get("valid", True) and most > limit:
        raise InvalidArgument(
            f"the {name} brand takes at most {limit} messages per sendbulk (1012 past it),"
            f" got max_messages={most}: valid bodies need max_messages <= {limit}"
        )


def _eager(strategy: _F) -> _F:
    """Make a composite strategy check its options when called, not when drawn from."""

    @functools.wraps(strategy)
    def build(**options: Any) -> st.SearchStrategy[Any]:
        for low, high in (("min_messages", "max_messages"), ("min_numbers", "max_numbers")):
            if low in options or high in options:
                defaults = inspect.signature(strategy).parameters
                _check_sizes(
                    options.get(low, defaults[low].default),
                    options.get(high, defaults[high].default),
                    (low, high),
                    strategy.__name__,
                )
        _check_bad_items(options.get("valid", True), options.get("bad_items", False))
        if "brand" in options:
            _check_brand(strategy, options)
        if "texts" in options:
            _texts(options["texts"])
        _check_credentials(options.get("credentials"))
        for name in ("shortcodes", "senders"):
            if name in options:
                _check_senders_list(options[name], name)
        return strategy(**options)

    return cast(_F, build)


@_eager
@st.composite
def ringcentral_batch_bodies(
    draw: st.DrawFn,
    *,
    valid: bool = True,
    bad_items: bool = False,
    min_messages: int = 1,
    max_messages: int = 10,
    texts: st.SearchStrategy[str] | None = None,
    senders: Sequence[str] | None = None,
) -> Any:
    """Bodies for RingCentral ``POST .../a2p-sms/batches``.

    ``valid=True``: dicts the endpoint accepts (201).  With ``bad_items``, some
    recipients are impossible numbers or lists of two, which RingCentral
    accepts the batch with but lists in ``rejected`` by 1-based index.
    ``valid=False``: ``InvalidBody`` values the endpoint refuses with a 400
    ``ASGErrorResponse``.  ``senders``: the ``from`` numbers to draw from (a
    scenario that declares the account's ``numbers`` refuses any other), else
    any valid number.
    """
    _check_sizes(min_messages, max_messages)
    text = _texts(texts)
    default = draw(st.one_of(st.none(), text))

    def item(item_text: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
        return _ringcentral_item(item_text, bad_items=bad_items, own_text=default is None)

    drawn = _batch_items(draw, item, text, (min_messages, max_messages))
    items = [entry for entry, _ in drawn]
    sender = draw(e164_numbers() if senders is None else st.sampled_from(senders))
    body: dict[str, Any] = _batch_body(
        {"from": sender, "messages": items}, [code for _, code in drawn]
    )
    if default is not None:
        body["text"] = default
    if valid:
        return body
    body = dict(body)  # refused as a whole: no item is answered
    problem = draw(
        st.sampled_from(
            [
                "from missing",
                "from not E.164",
                "messages empty",
                "messages missing",
                "no text anywhere",
                "text too long",
                "to not a list",
                "not JSON",
                "JSON array",
            ]
        )
    )
    code = "CMN-101"
    if problem == "from missing":
        del body["from"]
    elif problem == "from not E.164":
        body["from"] = draw(invalid_e164_numbers(kinds=("short", "long", "leading_zero", "letter")))
    elif problem == "messages empty":
        body["messages"] = []
    elif problem == "messages missing":
        del body["messages"]
    elif problem == "no text anywhere":
        body.pop("text", None)
        for entry in items:
            entry.pop("text", None)
    elif problem == "text too long":
        body["messages"][0]["text"] = "a" * 1001
    elif problem == "to not a list":
        body["messages"][0]["to"] = body["messages"][0]["to"][0]
    elif problem == "not JSON":
        return InvalidBody(b'{"from": "+16505550100", "messages": [', problem, "CMN-104")
    else:
        return InvalidBody([body], problem, "CMN-104")
    return InvalidBody(body, problem, code)


@st.composite
def _ringcentral_item(
    draw: st.DrawFn, text: st.SearchStrategy[str], *, bad_items: bool, own_text: bool
) -> tuple[dict[str, Any], str | None]:
    """One ``messages[]`` item (its text, unless the body's, ``own_text``, may serve) and
    the code ``rejected[]`` gives it, if any."""
    kind = draw(st.sampled_from(["ok", "bad_number", "two_numbers"])) if bad_items else "ok"
    if kind == "bad_number":
        to = [draw(invalid_e164_numbers(kinds=("short", "long", "leading_zero", "letter")))]
    elif kind == "two_numbers":
        to = [draw(e164_numbers()), draw(e164_numbers())]
    else:
        number = draw(e164_numbers())
        # RingCentral's own example sends "15551234477": it adds the + itself
        to = [number if draw(st.sampled_from((True, False))) else number[1:]]
    item: dict[str, Any] = {"to": to}
    if own_text or draw(st.booleans()):
        item["text"] = draw(text)
    return item, {"bad_number": "SMS-RC-410", "two_numbers": "CMN-101"}.get(kind)


_ALPHANUMERIC_SENDERS = ("Shop", "ACME", "MyBank", "Alerts 24", "X")
_SENDER_KINDS = ("number", "alphanumeric", "leased")
#: Fone Dynamics' ``Schedule`` limits: at most 14 days ahead, less than 1 hour in the past.
_SCHEDULE_AHEAD = 14 * 86_400
_SCHEDULE_GRACE = 3_600


def _check_senders(senders: Sequence[str]) -> tuple[str, ...]:
    return _names(senders, "senders", _SENDER_KINDS)


def _check_now(now: float | datetime | None) -> float | None:
    """``now`` as epoch seconds: a number, or an aware datetime (the emulator's ``emu.now``)."""
    if now is None:
        return None
    if isinstance(now, datetime):
        if now.tzinfo is None:
            raise InvalidArgument("now must be an aware datetime (e.g. emu.now) or epoch seconds")
        return now.timestamp()
    if isinstance(now, bool) or not isinstance(now, int | float) or not math.isfinite(now):
        raise InvalidArgument(f"now must be epoch seconds or an aware datetime, not {now!r}")
    return float(now)


def _schedules(now: float) -> st.SearchStrategy[int | str]:
    """Accepted ``Schedule`` values: ``now`` up to 14 days ahead, or under 1 hour past."""
    base = math.floor(now)
    ahead = st.integers(0, _SCHEDULE_AHEAD).map(lambda d: base + d)
    past = st.integers(1, _SCHEDULE_GRACE - 1).map(lambda d: base - d)
    seconds = st.one_of(ahead, past)
    return st.one_of(seconds, seconds.map(str))  # ServiceStack binds numeric strings too


@st.composite
def _fonedynamics_messages(
    draw: st.DrawFn,
    text: st.SearchStrategy[str],
    bad: bool,
    senders: tuple[str, ...] = ("number", "alphanumeric"),
    now: float | None = None,
) -> tuple[dict[str, Any], str | None, str | None]:
    """One message object and, if it is bad, the ``ErrorCode`` it gets and why."""
    to = draw(e164_numbers())
    message: dict[str, Any] = {"To": to, "Text": draw(text)}
    kind = draw(st.sampled_from(senders))
    # Every kind's sender is drawn, whichever is used: the draws keep one shape, so
    # shrinking can switch kinds (or the recipient's country) and stay valid.
    number = draw(e164_numbers())
    word = draw(st.sampled_from(_ALPHANUMERIC_SENDERS))
    blank = draw(st.sampled_from([None, "", " "]))  # omitted, empty or blank: leased
    if kind == "alphanumeric" and to.startswith("+1") and "number" in senders:
        kind = "number"  # no alphanumeric senders to US/Canada: that would lease
    if kind == "number":
        message["From"] = number
    elif kind == "alphanumeric":
        message["From"] = word
    elif blank is not None:
        message["From"] = blank
    if draw(st.booleans()):
        message["DeliveryReceipt"] = draw(st.booleans())
    if draw(st.booleans()):
        message["ExternalId"] = draw(st.text(alphabet=_LETTERS + "0123456789-", max_size=12))
    if now is not None and draw(st.booleans()):
        message["Schedule"] = draw(_schedules(now))
    if not bad:
        return message, None, None
    problems = ["To missing", "Text missing", "To not E.164", "From too long", "receipt"]
    if now is not None:
        problems += ["Schedule too far ahead", "Schedule too far past", "Schedule not a number"]
    problem = draw(st.sampled_from(problems))
    if problem == "To missing":
        del message["To"]
        return message, "PARAMETER_REQUIRED", "required field missing (PARAMETER_REQUIRED)"
    if problem == "Text missing":
        message["Text"] = ""
        return message, "PARAMETER_REQUIRED", "required field missing (PARAMETER_REQUIRED)"
    if problem == "To not E.164":
        message["To"] = draw(invalid_e164_numbers())
        return message, "INVALID_PHONENUMBER_FORMAT", f"To {message['To']!r} is not E.164"
    if problem == "From too long":
        message["From"] = "SenderNameTooLong"
        return message, "INVALID_PARAMETER", "alphanumeric From longer than 11 characters"
    if problem == "receipt":
        message["DeliveryReceipt"] = "sometimes"
        return message, "INVALID_PARAMETER", "DeliveryReceipt is not a boolean"
    base = math.floor(now or 0)
    if problem == "Schedule too far ahead":
        message["Schedule"] = base + _SCHEDULE_AHEAD + draw(st.integers(1, 30 * 86_400))
        return message, "INVALID_PARAMETER", "Schedule more than 14 days after now"
    if problem == "Schedule too far past":
        message["Schedule"] = base - _SCHEDULE_GRACE - draw(st.integers(0, 30 * 86_400))
        return message, "INVALID_PARAMETER", "Schedule 1 hour or more before now"
    message["Schedule"] = draw(st.sampled_from(["tomorrow", "1.5", 1.5, True, "2026-01-02"]))
    return message, "INVALID_PARAMETER", "Schedule is not whole seconds since the epoch"


def fonedynamics_message_bodies(
    *,
    valid: bool = True,
    texts: st.SearchStrategy[str] | None = None,
    senders: Sequence[str] = ("number", "alphanumeric"),
    now: float | datetime | None = None,
) -> st.SearchStrategy[Any]:
    """Bodies for Fone Dynamics ``POST /v2/Properties/{PropertySid}/Messages``.

    ``valid=True``: dicts accepted with 200 ``{"Message": {...}}``.  ``senders``:
    ``"number"`` (an E.164 ``From``), ``"alphanumeric"`` (``"Shop"``, never to
    +1 numbers when ``"number"`` is allowed) and ``"leased"`` (``From`` omitted,
    empty or blank, so the message goes out from a leased number).  With ``now``
    (epoch seconds or ``emu.now``) some bodies carry a ``Schedule`` from ``now``
    to 14 days ahead or less than an hour back (as an integer or numeric
    string).  ``valid=False``: ``InvalidBody`` values refused with 400
    ``{"ResponseStatus": {...}}``; with ``now`` they include a ``Schedule``
    more than 14 days ahead, an hour or more in the past, or not a number.
    """
    return _fonedynamics_message_bodies(
        valid=_check_flag("valid", valid),
        text=_texts(texts),
        senders=_check_senders(senders),
        now=_check_now(now),
    )


@st.composite
def _fonedynamics_message_bodies(
    draw: st.DrawFn,
    *,
    valid: bool,
    text: st.SearchStrategy[str],
    senders: tuple[str, ...],
    now: float | None,
) -> Any:
    message, _, _ = draw(_fonedynamics_messages(text, False, senders, now))
    if valid:
        return message
    if draw(st.integers(0, 4)) == 0:
        return InvalidBody(b'{"To": "+61400000000", "Text": ', "not JSON", "SerializationException")
    bad, code, problem = draw(_fonedynamics_messages(text, True, senders, now))
    return InvalidBody(bad, problem or "", code)


def fonedynamics_batch_bodies(
    *,
    valid: bool = True,
    bad_items: bool = False,
    min_messages: int = 1,
    max_messages: int = 10,
    texts: st.SearchStrategy[str] | None = None,
    senders: Sequence[str] = ("number", "alphanumeric"),
    now: float | datetime | None = None,
) -> st.SearchStrategy[Any]:
    """Bodies for Fone Dynamics ``POST /v2/Properties/{PropertySid}/BatchMessages``.

    ``valid=True``: ``{"Messages": [...]}`` answered 200 with one element per
    message, in order; with ``bad_items`` some messages are invalid and come
    back as ``{"ErrorCode", "Message", "Errors"}`` elements.  ``senders`` and
    ``now`` as for ``fonedynamics_message_bodies``.  ``valid=False``:
    ``InvalidBody`` values refused as a whole with 400 ``ResponseStatus``.
    """
    _check_sizes(min_messages, max_messages, strategy="fonedynamics_batch_bodies")
    _check_bad_items(valid, bad_items)
    return _fonedynamics_batch_bodies(
        valid=valid,
        bad_items=bad_items,
        sizes=(min_messages, max_messages),
        text=_texts(texts),
        senders=_check_senders(senders),
        now=_check_now(now),
    )


@st.composite
def _fonedynamics_batch_bodies(
    draw: st.DrawFn,
    *,
    valid: bool,
    bad_items: bool,
    sizes: tuple[int, int],
    text: st.SearchStrategy[str],
    senders: tuple[str, ...],
    now: float | None,
) -> Any:
    def item(item_text: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
        bad = st.booleans() if bad_items else st.just(False)
        return bad.flatmap(lambda bad: _fonedynamics_messages(item_text, bad, senders, now))

    drawn = _batch_items(draw, item, text, sizes)
    messages = [message for message, _, _ in drawn]
    body: dict[str, Any] = _batch_body({"Messages": messages}, [code for _, code, _ in drawn])
    if valid:
        return body
    body = dict(body)  # refused as a whole: no item is answered
    problem = draw(
        st.sampled_from(["Messages missing", "Messages empty", "Messages not a list", "not JSON"])
    )
    if problem == "Messages missing":
        return InvalidBody({"Message": messages}, problem, "PARAMETER_REQUIRED")
    if problem == "Messages empty":
        return InvalidBody({"Messages": []}, problem, "PARAMETER_REQUIRED")
    if problem == "Messages not a list":
        return InvalidBody({"Messages": messages[0]}, problem, "SerializationException")
    return InvalidBody(b'{"Messages": [{"To": ', problem, "SerializationException")


def _credentials(given: dict[str, Any] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """A sendbulk partner's credentials: ``given`` (a copy per draw), else made up (any
    partner is an account unless the scenario declares its accounts)."""
    if given is not None:
        return st.just(given).map(dict)
    return st.fixed_dictionaries(
        {
            "partnerID": st.one_of(st.sampled_from(["123", "9876"]), st.integers(1, 99999)),
            "apikey": st.sampled_from(["k", "a1b2c3d4e5f6"]),
        },
        optional={"pass_type": st.just("plain")},
    )


def _check_credentials(credentials: object, name: str = "credentials") -> dict[str, Any] | None:
    if credentials is None:
        return None
    if not isinstance(credentials, Mapping) or not (
        credentials.get("partnerID") and credentials.get("apikey")
    ):
        raise InvalidArgument(f"{name} need a partnerID and an apikey, not {credentials!r}")
    return dict(credentials)


def _check_senders_list(values: Any, name: str) -> tuple[str, ...] | None:
    """A non-empty sequence of sender names or numbers, or None: :func:`_check_strings`,
    which also takes a set or another iterable, held to a sequence."""
    if values is not None and (isinstance(values, str | bytes) or not isinstance(values, Sequence)):
        raise InvalidArgument(f"{name} must be a non-empty sequence of strings, e.g. ('SHOP',)")
    return _check_strings(name, values)


_SHORTCODES = ("SHOP", "ADVANTA", "Bank_Alert")
#: Per-item problems and the row code they get.
_SENDBULK_ITEM_PROBLEMS = {
    "mobile not a number": 1003,
    "foreign mobile": 1002,
    "empty message": 1009,
}


@cache
def _sendbulk_mobiles(bad: str | None) -> st.SearchStrategy[Any]:
    """An item's ``mobile`` (built once per problem: a strategy built anew per item is
    validated anew)."""
    if bad == "mobile not a number":
        return st.sampled_from(["07123", "not-a-number", "0812345678", "25471234567"])
    if bad == "foreign mobile":
        return e164_numbers(country_codes=("44", "61"))
    # as_number drawn whatever the form: one shape, for shrinking
    return st.tuples(kenyan_msisdns(), st.booleans()).map(_maybe_as_number)


def _maybe_as_number(drawn: tuple[str, bool]) -> str | int:
    mobile, as_number = drawn
    return int(mobile) if as_number and mobile.startswith("254") else mobile  # as some send


@_eager
@st.composite
def sendbulk_bulk_bodies(
    draw: st.DrawFn,
    *,
    valid: bool = True,
    bad_items: bool = False,
    min_messages: int = 1,
    max_messages: int = 10,
    texts: st.SearchStrategy[str] | None = None,
    brand: str = DEFAULT_BRAND,
    credentials: dict[str, Any] | None = None,
    shortcodes: Sequence[str] | None = None,
) -> Any:
    """Bodies for sendbulk ``POST /api/services/sendbulk``: ``{"count", "smslist": [...]}``.

    ``valid=True``: every item is accepted (a ``responses`` row with code 200);
    with ``bad_items`` some get their own failure code (1002, 1003, 1009) in
    the same array.  ``valid=False``: ``InvalidBody`` values refused as a whole
    with a flat ``{"response-code": ...}`` at HTTP 200.  ``brand`` (the scenario's
    ``providers.sendbulk.brand``) sets the most items a body may have: 1000, or
    20 for ``textsms``, ``sunface``, ``kemrut``, ``teamweb`` and ``celcom``.
    ``credentials`` (``partnerID``, ``apikey``) and ``shortcodes``: a declared
    account's, for a scenario that declares its accounts; else made up.
    """
    _check_sizes(min_messages, max_messages)
    text = _texts(texts)
    fields = draw(_credentials(credentials))
    shortcode = draw(st.sampled_from(shortcodes or _SHORTCODES))

    def item(item_text: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
        return _sendbulk_item(item_text, bad_items=bad_items, fields=fields)

    drawn = _batch_items(draw, item, text, (min_messages, max_messages))
    smslist = [entry for entry, _ in drawn]
    # numbered in order, as clients number them: from 1, or from 0 as WaveSMS's client does
    for index, entry in enumerate(smslist, draw(st.sampled_from((1, 0)))):
        entry["clientsmsid"] = str(index) if entry["clientsmsid"] else index
        entry["shortcode"] = shortcode
    count = len(smslist)
    body: dict[str, Any] = _batch_body(
        {"count": count, "smslist": smslist}, [code for _, code in drawn]
    )
    if valid:
        return body
    body = dict(body)  # refused as a whole: no item is answered
    problem = draw(
        st.sampled_from(
            [
                "partnerID missing",
                "apikey missing",
                "unknown pass_type",
                "smslist empty",
                "smslist missing",
                "first item not an object",
                "too many items",
            ]
        )
    )
    first = smslist[0]
    spoilt = _spoil_credentials(body, first, problem)
    if spoilt is not None:
        return spoilt
    if problem == "smslist empty":
        return InvalidBody({"count": 0, "smslist": []}, problem, 1010)
    if problem == "smslist missing":
        return InvalidBody({"count": count, "sms": smslist}, problem, 1010)
    if problem == "first item not an object":
        return InvalidBody({"count": count, "smslist": ["0712345678", *smslist]}, problem, 1009)
    limit = BRANDS[brand.lower()].batch_limit
    too_many = {"count": limit + 1, "smslist": [first] * (limit + 1)}
    return InvalidBody(too_many, f"more than {limit} items", 1012)


@st.composite
def _sendbulk_item(
    draw: st.DrawFn, text: st.SearchStrategy[str], *, bad_items: bool, fields: dict[str, Any]
) -> tuple[dict[str, Any], int | None]:
    """One ``smslist`` item and its row code if refused; its ``clientsmsid`` says whether
    it is sent as a string (the body numbers the items once drawn) and its ``shortcode``
    is the body's."""
    bad = draw(st.sampled_from([None, *_SENDBULK_ITEM_PROBLEMS])) if bad_items else None
    item = {
        **fields,
        "clientsmsid": draw(st.booleans()),
        "mobile": draw(_sendbulk_mobiles(bad)),
        "message": "" if bad == "empty message" else draw(text),
        "shortcode": None,
    }
    return item, None if bad is None else _SENDBULK_ITEM_PROBLEMS[bad]


def _spoil_credentials(
    body: dict[str, Any], fields: dict[str, Any], problem: str
) -> InvalidBody | None:
    """``body`` refused for ``problem`` in ``fields`` (where it carries its credentials),
    if ``problem`` is one of the credential problems every sendbulk request can have."""
    if problem == "partnerID missing":
        del fields["partnerID"]
        return InvalidBody(body, problem, 4091)
    if problem == "apikey missing":
        del fields["apikey"]
        return InvalidBody(body, problem, 4092)
    if problem == "unknown pass_type":
        fields["pass_type"] = "rot13"
        return InvalidBody(body, problem, 1006)
    return None


def _refused_sms_body(draw: st.DrawFn, body: dict[str, Any], mobile: str) -> InvalidBody:
    """Spoil a valid sendsms/sendotp ``body`` the way the gateway refuses whole requests."""
    problem = draw(
        st.sampled_from(
            ["partnerID missing", "apikey missing", "unknown pass_type", "too many numbers"]
        )
    )
    spoilt = _spoil_credentials(body, body, problem)
    if spoilt is not None:
        return spoilt
    body["mobile"] = ",".join([mobile] * 1001)
    return InvalidBody(body, problem, 1104)


@_eager
@st.composite
def sendbulk_sms_bodies(
    draw: st.DrawFn,
    *,
    valid: bool = True,
    min_numbers: int = 1,
    max_numbers: int = 5,
    texts: st.SearchStrategy[str] | None = None,
    credentials: dict[str, Any] | None = None,
    shortcodes: Sequence[str] | None = None,
) -> Any:
    """Bodies for sendbulk ``POST /api/services/sendsms`` (and ``sendotp``).

    ``mobile`` is one number or a comma-separated list; each number gets a row
    with code 200.  ``valid=False``: ``InvalidBody`` values refused as a whole
    with a flat ``{"response-code": ...}``.  ``credentials`` and ``shortcodes``
    as for :func:`sendbulk_bulk_bodies`.
    """
    _check_sizes(min_numbers, max_numbers, ("min_numbers", "max_numbers"))
    numbers = draw(
        st.lists(kenyan_msisdns(forms=("254", "0")), min_size=min_numbers, max_size=max_numbers)
    )
    body = {
        **draw(_credentials(credentials)),
        "shortcode": draw(st.sampled_from(shortcodes or _SHORTCODES)),
        "mobile": ",".join(numbers),
        "message": draw(_texts(texts)),
    }
    if valid:
        return body
    return _refused_sms_body(draw, body, numbers[0])


@_eager
@st.composite
def ringcentral_optout_bodies(draw: st.DrawFn, *, valid: bool = True) -> Any:
    """Bodies for RingCentral ``POST …/a2p-sms/opt-outs/bulk-assign`` (deprecated v1).

    ``valid=True``: ``{from, optOuts?, optIns?}`` with at least one non-empty list
    (200, each number in ``successful`` or ``failed``).  ``valid=False``:
    ``InvalidBody`` values refused with 400 ``CMN-101``.
    """
    numbers = st.lists(e164_numbers(), max_size=4)
    body: dict[str, Any] = {"from": draw(e164_numbers())}
    outs, ins = draw(numbers), draw(numbers)
    if not outs and not ins:
        outs = [draw(e164_numbers())]
    if outs or draw(st.booleans()):
        body["optOuts"] = outs
    if ins or draw(st.booleans()):
        body["optIns"] = ins
    if valid:
        return body
    problem = draw(st.sampled_from(["from missing", "from not E.164", "both lists empty"]))
    if problem == "from missing":
        del body["from"]
    elif problem == "from not E.164":
        body["from"] = draw(invalid_e164_numbers(kinds=("short", "long", "leading_zero", "letter")))
    else:
        body = {"from": body["from"], "optOuts": [], "optIns": []}
    return InvalidBody(body, problem, "CMN-101")


@_eager
@st.composite
def sendbulk_balance_bodies(
    draw: st.DrawFn, *, valid: bool = True, credentials: dict[str, Any] | None = None
) -> Any:
    """Bodies for sendbulk ``getbalance`` (credentials only).

    ``valid=False``: ``InvalidBody`` values refused with a flat 4091, 4092 or 1006.
    """
    body = draw(_credentials(credentials))
    if valid:
        return body
    problem = draw(st.sampled_from(["partnerID missing", "apikey missing", "unknown pass_type"]))
    spoilt = _spoil_credentials(body, body, problem)
    assert spoilt is not None  # each of these is a credential problem
    return spoilt


@_eager
@st.composite
def sendbulk_credit_bodies(draw: st.DrawFn, *, valid: bool = True) -> Any:
    """Bodies for the resellers' sendbulk ``credit``: move units to a child account.

    ``valid=True`` assumes no declared accounts (any ``childID`` exists).
    ``valid=False``: ``InvalidBody`` values refused with a flat 1005 (no child),
    1009 (bad amount), 4091/4092 (credentials) or 1006 (an unknown ``pass_type``).
    """
    amount = st.one_of(
        st.integers(1, 10_000).map(str),
        st.integers(1, 10_000),
        st.sampled_from(["0.50", "12.25"]),
    )
    body = {
        **draw(_credentials()),
        "childID": draw(st.sampled_from(["child1", "shop-ke"])),
        "amount": draw(amount),
    }
    if valid:
        return body
    problem = draw(
        st.sampled_from(
            [
                "childID missing",
                "amount not a number",
                "amount not positive",
                "partnerID missing",
                "apikey missing",
                "unknown pass_type",
            ]
        )
    )
    spoilt = _spoil_credentials(body, body, problem)
    if spoilt is not None:
        return spoilt
    if problem == "childID missing":
        del body["childID"]
        return InvalidBody(body, problem, 1005)
    if problem == "amount not a number":
        body["amount"] = draw(st.sampled_from(["ten", "", "1,000"]))
        return InvalidBody(body, problem, 1009)
    body["amount"] = draw(st.sampled_from(["0", "-5", 0, "nan"]))
    return InvalidBody(body, problem, 1009)


# RingCentral OAuth forms

_JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_GRANTS = (_JWT_BEARER, "password", "authorization_code", "refresh_token", "partner_jwt")
_TOKEN_CHARS = _LETTERS + "0123456789-_"
#: Clamped, never refused: -1 (the JS SDK's) and 0 mean the defaults.
_TTLS = {"access_token_ttl": ("3600", "600", "-1"), "refresh_token_ttl": ("604800", "0")}


def _tokens(min_size: int = 8) -> st.SearchStrategy[str]:
    return st.text(alphabet=_TOKEN_CHARS, min_size=min_size, max_size=48)


def _check_strings(name: str, values: Sequence[str] | None) -> tuple[str, ...] | None:
    if values is None:
        return None
    if not _iterable(values) or not values:
        raise InvalidArgument(f"{name} must be a non-empty sequence of strings, not {values!r}")
    found = _in_order(values)
    if not all(isinstance(v, str) and v for v in found):
        raise InvalidArgument(f"{name} must hold non-empty strings, not {found!r}")
    return found


def ringcentral_token_forms(
    *,
    grants: Sequence[str] | None = None,
    valid: bool = True,
    refresh_tokens: Sequence[str] | None = None,
) -> st.SearchStrategy[Any]:
    """Forms for RingCentral ``POST /restapi/oauth/token`` (send as ``data=``).

    Send them with client credentials in HTTP Basic (any id and secret unless
    the scenario declares accounts).  ``grants``: ``grant_type`` values, default
    the JWT bearer grant, ``password`` and ``authorization_code``, plus
    ``refresh_token`` when ``refresh_tokens`` is given; ``partner_jwt`` may be
    asked for.  A valid ``refresh_token`` form needs a live refresh token:
    ``refresh_tokens`` lists them (each works once).  ``valid=True``: dicts
    answered 200 with a TokenInfo body.  ``valid=False``: ``InvalidBody`` values
    (``kind="form"``) refused with 400 ``{"error", "errors", "error_description"}``:
    ``grant_type`` missing, unknown or repeated, or the grant's own field
    (``assertion``, ``username``, ``password``, ``code``, ``refresh_token``)
    missing or empty (OAU-250, OAU-111), or an unknown refresh token (OAU-213).
    """
    _check_flag("valid", valid)
    tokens = _check_strings("refresh_tokens", refresh_tokens)
    if grants is None:
        chosen = _GRANTS[:3] + (("refresh_token",) if tokens else ())
    else:
        chosen = _in_known_order(grants, _GRANTS) if _iterable(grants) else ()
        if not chosen or set(chosen) - set(_GRANTS):
            raise InvalidArgument(f"grants must be some of {_GRANTS}, not {grants!r}")
    if valid and "refresh_token" in chosen and not tokens:
        raise InvalidArgument("a valid refresh_token form needs refresh_tokens=[...]")
    return _ringcentral_token_forms(grants=chosen, valid=valid, refresh_tokens=tokens or ())


#: The field each grant needs, besides ``grant_type``.
_GRANT_FIELDS = {
    _JWT_BEARER: ("assertion",),
    "partner_jwt": ("assertion",),
    "password": ("username", "password"),
    "authorization_code": ("code",),
    "refresh_token": ("refresh_token",),
}


@st.composite
def _ringcentral_token_forms(
    draw: st.DrawFn, *, grants: tuple[str, ...], valid: bool, refresh_tokens: tuple[str, ...]
) -> Any:
    grant = draw(st.sampled_from(grants))
    form: dict[str, Any] = {"grant_type": grant}
    if grant in (_JWT_BEARER, "partner_jwt"):
        # A JWT's shape; the emulator checks assertions only against declared accounts.
        form["assertion"] = f"eyJhbGciOiJSUzI1NiJ9.eyJ{draw(_tokens())}.c2lnbmF0dXJl"
    elif grant == "password":
        form["username"] = draw(
            st.one_of(e164_numbers().map(lambda n: n.lstrip("+")), st.just("user@example.com"))
        )
        form["password"] = draw(_tokens(min_size=1))
        if draw(st.booleans()):
            form["extension"] = draw(st.sampled_from(["101", "1"]))
    elif grant == "authorization_code":
        form["code"] = draw(_tokens())
        if draw(st.booleans()):
            form["redirect_uri"] = "http://localhost:8080/callback"
    elif refresh_tokens:
        form["refresh_token"] = draw(st.sampled_from(refresh_tokens))
    else:
        form["refresh_token"] = draw(_tokens())
    for name, values in _TTLS.items():
        if draw(st.booleans()):
            form[name] = draw(st.sampled_from(values))
    if valid:
        return form
    problems = ["grant_type missing", "unknown grant_type", "grant_type repeated"]
    problems += [f"{name} {how}" for name in _GRANT_FIELDS[grant] for how in ("missing", "empty")]
    if grant == "refresh_token":
        problems.append("unknown refresh_token")
    problem = draw(st.sampled_from(problems))
    code = "OAU-250"
    if problem == "grant_type missing":
        del form["grant_type"]
    elif problem == "unknown grant_type":
        form["grant_type"] = draw(st.sampled_from(["client_credentials", "jwt", "implicit"]))
    elif problem == "grant_type repeated":
        form["grant_type"] = [grant, grant]
        code = "OAU-111"
    elif problem == "unknown refresh_token":
        form["refresh_token"] = "not-a-refresh-token-" + draw(_tokens())
        code = "OAU-213"
    else:
        name, how = problem.split(" ")
        if how == "missing":
            del form[name]
        else:
            form[name] = ""
    return InvalidBody(form, problem, code, kind="form")


def ringcentral_revoke_forms(
    *, valid: bool = True, tokens: Sequence[str] | None = None
) -> st.SearchStrategy[Any]:
    """Forms for RingCentral ``POST /restapi/oauth/revoke`` (send as ``data=``, with the
    app's client authentication, ``auth=(client_id, client_secret)``, as RingCentral
    requires: without it a valid form is 400 ``invalid_client`` OAU-123).

    ``valid=True``: ``{"token": ...}`` answered 200 with an empty body; the token
    is one of ``tokens`` (access or refresh tokens, ending their session) or, by
    default, a made-up one (unknown tokens are accepted too, as RFC 7009 says).
    ``valid=False``: ``InvalidBody`` values (``kind="form"``) refused with 400
    OAuth errors: ``token`` missing or empty (OAU-250) or repeated (OAU-111).
    """
    _check_flag("valid", valid)
    known = _check_strings("tokens", tokens)
    token = st.sampled_from(known) if known else _tokens()
    return _ringcentral_revoke_forms(valid=valid, token=token)


@st.composite
def _ringcentral_revoke_forms(
    draw: st.DrawFn, *, valid: bool, token: st.SearchStrategy[str]
) -> Any:
    value = draw(token)
    form: dict[str, Any] = {"token": value}
    if draw(st.booleans()):
        form["token_type_hint"] = draw(st.sampled_from(["access_token", "refresh_token"]))
    if valid:
        return form
    problem = draw(st.sampled_from(["token missing", "token empty", "token repeated"]))
    if problem == "token missing":
        del form["token"]
        return InvalidBody(form, problem, "OAU-250", kind="form")
    if problem == "token empty":
        form["token"] = ""
        return InvalidBody(form, problem, "OAU-250", kind="form")
    form["token"] = [value, value]
    return InvalidBody(form, problem, "OAU-111", kind="form")


# RingCentral list query parameters

_MAX_PHONE_FILTERS = 15
_BAD_DATES = (
    "yesterday",
    "2026-13-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "01/02/2026",
    "2026-01-01T25:00:00Z",
    "1767225600",
)
_BAD_PAGE_TOKENS = ("garbage", "Rji2MjMwNw==", "!!")
_OFFSETS = (UTC, timezone(timedelta(hours=3)), timezone(timedelta(hours=-5, minutes=-30)))


def _rc_date(moment: datetime, style: int) -> str:
    if style == 0:  # what the SDKs send
        utc = moment.astimezone(UTC)
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    if style == 1:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.isoformat()


@cache
def _rc_dates() -> st.SearchStrategy[str]:
    """ISO-8601 instants with a zone (``Z`` or an offset); shrinks to 2025-01-01T00:00:00.000Z."""
    moments = st.datetimes(
        min_value=datetime(2025, 1, 1),
        max_value=datetime(2027, 12, 31),
        timezones=st.sampled_from(_OFFSETS),
    )
    return st.builds(_rc_date, moments, st.integers(0, 2))


@cache
def _rc_numbers() -> st.SearchStrategy[str]:
    """Numbers as query values: with ``+`` (the guide) or without (the spec's examples)."""
    return st.one_of(e164_numbers(), e164_numbers().map(lambda n: n[1:]))


#: Which optional parameters each listing takes (besides perPage/pageToken where paged).
_RC_LISTINGS = {
    "messages": ("batchId", "direction", "dateFrom", "dateTo", "view", "phoneNumber", "perPage"),
    "batches": ("dateFrom", "dateTo", "from", "status", "perPage"),
    "statuses": ("batchId", "direction", "dateFrom", "dateTo", "phoneNumber"),
    "opt-outs": ("from", "to", "status", "perPage"),
}
_BATCH_STATUSES = ("Queued", "Processing", "Sent", "Completed")


@st.composite
def _rc_params(
    draw: st.DrawFn, *, listing: str, valid: bool, batch_ids: tuple[str, ...] | None
) -> Any:
    names = _RC_LISTINGS[listing]
    pairs: list[tuple[str, str]] = []
    for name in names:
        if name == "batchId" and not batch_ids:
            continue
        if not draw(st.booleans()):
            continue
        if name == "batchId":
            pairs.append((name, draw(st.sampled_from(batch_ids or ()))))
        elif name == "direction":
            pairs.append((name, draw(st.sampled_from(["Outbound", "Inbound", "outbound"]))))
        elif name in ("dateFrom", "dateTo"):
            pairs.append((name, draw(_rc_dates())))
        elif name == "view":
            pairs.append((name, draw(st.sampled_from(["Simple", "Detailed", "detailed"]))))
        elif name == "phoneNumber":
            numbers = draw(st.lists(_rc_numbers(), min_size=1, max_size=_MAX_PHONE_FILTERS))
            pairs += [(name, n) for n in numbers]
        elif name == "perPage":
            pairs.append((name, str(draw(st.integers(1, 1000)))))
        elif name == "status" and listing == "batches":
            statuses = draw(st.lists(st.sampled_from(_BATCH_STATUSES), min_size=1, unique=True))
            pairs += [(name, s) for s in statuses]
        elif name == "status":
            pairs.append((name, draw(st.sampled_from(["optout", "optin", "all", "OptOut"]))))
        elif name == "from" and listing == "opt-outs":
            pairs.append((name, draw(st.one_of(st.just("*"), _rc_numbers()))))
        else:
            pairs.append((name, draw(_rc_numbers())))
    if valid:
        return pairs
    problems = []
    if "perPage" in names:
        problems += ["perPage 0", "perPage negative", "perPage not a number", "pageToken unknown"]
    if "dateFrom" in names:
        problems += ["dateFrom not a date", "dateTo not a date"]
    if "view" in names:
        problems.append("unknown view")
    if "direction" in names:
        problems.append("unknown direction")
    if "phoneNumber" in names:
        problems.append("more than 15 phoneNumber")
    if "batchId" in names:
        problems.append("unknown batchId")
    if "status" in names:
        problems.append("unknown status")
    problem = draw(st.sampled_from(problems))
    name, value, code = _rc_param_problem(draw, problem)
    pairs = [(k, v) for k, v in pairs if k != name]
    if name == "phoneNumber":
        # a few numbers, repeated: sixteen or more drawn each, an example took Hypothesis
        # long to shrink and explain (the count is refused, whichever numbers they are)
        few = draw(st.lists(_rc_numbers(), min_size=1, max_size=3))
        numbers = draw(st.lists(st.sampled_from(few), min_size=16, max_size=20))
        pairs += [(name, n) for n in numbers]
    else:
        pairs.append((name, value))
    return InvalidBody(pairs, problem, code, kind="query")


def _rc_param_problem(draw: st.DrawFn, problem: str) -> tuple[str, str, str]:
    """(parameter, bad value, errorCode) for one listing problem."""
    if problem.startswith("perPage"):
        value = {"perPage 0": "0", "perPage negative": "-1"}.get(problem, "ten")
        return "perPage", value, "CMN-101"
    if problem == "pageToken unknown":
        return "pageToken", draw(st.sampled_from(_BAD_PAGE_TOKENS)), "CMN-101"
    if problem.startswith("date"):
        return problem.split(" ")[0], draw(st.sampled_from(_BAD_DATES)), "CMN-101"
    if problem == "unknown view":
        return "view", draw(st.sampled_from(["Full", "Summary", "Simplest"])), "CMN-101"
    if problem == "unknown direction":
        return "direction", draw(st.sampled_from(["Outgoing", "Both", "out"])), "CMN-101"
    if problem == "unknown batchId":
        return "batchId", "00000000-0000-0000-0000-000000000000", "CMN-102"
    if problem == "unknown status":
        return "status", draw(st.sampled_from(["Delivered", "Failed", "blocked"])), "CMN-101"
    return "phoneNumber", "", "CMN-101"


def _check_batch_ids(batch_ids: Sequence[str] | None) -> tuple[str, ...] | None:
    return _check_strings("batch_ids", batch_ids)


def ringcentral_message_params(
    *, valid: bool = True, batch_ids: Sequence[str] | None = None
) -> st.SearchStrategy[Any]:
    """Query parameters for RingCentral ``GET …/a2p-sms/messages``, as a list of pairs.

    Pass them as httpx ``params=``.  ``valid=True``: any of ``direction``,
    ``dateFrom``/``dateTo`` (ISO-8601 with ``Z`` or an offset), ``view``
    (``Simple``/``Detailed``), ``phoneNumber`` repeated 1–15 times (with or
    without ``+``), ``perPage`` 1–1000, and ``batchId`` from ``batch_ids`` when
    given; answered 200 ``{records, paging}``.  Shrinks to no parameters.
    ``valid=False``: ``InvalidBody`` values (``kind="query"``) refused with 400
    CMN-101 (``perPage`` 0, negative or not a number, an unknown ``pageToken``,
    ``view`` or ``direction``, a date that is not ISO-8601, 16+ ``phoneNumber``)
    or 404 CMN-102 (an unknown ``batchId``).  ``perPage`` above 1000 is capped
    to 1000, not refused, so it is in neither.
    """
    return _rc_params(
        listing="messages", valid=_check_flag("valid", valid), batch_ids=_check_batch_ids(batch_ids)
    )


def ringcentral_batch_params(*, valid: bool = True) -> st.SearchStrategy[Any]:
    """Query parameters for RingCentral ``GET …/a2p-sms/batches``, as a list of pairs.

    ``valid=True``: any of ``dateFrom``/``dateTo``, ``from``, ``status``
    (repeated, of ``Queued``/``Processing``/``Sent``/``Completed``) and
    ``perPage`` 1–1000.  ``valid=False``: ``InvalidBody`` values (``kind="query"``)
    refused with 400 CMN-101 (bad ``perPage``, ``pageToken``, date or ``status``).
    """
    return _rc_params(listing="batches", valid=_check_flag("valid", valid), batch_ids=None)


def ringcentral_status_params(
    *, valid: bool = True, batch_ids: Sequence[str] | None = None
) -> st.SearchStrategy[Any]:
    """Query parameters for RingCentral ``GET …/a2p-sms/statuses``, as a list of pairs.

    ``valid=True``: any of ``direction``, ``dateFrom``/``dateTo``, ``phoneNumber``
    (1–15) and ``batchId`` from ``batch_ids``.  ``valid=False``: ``InvalidBody``
    values refused with 400 CMN-101 or, for an unknown ``batchId``, 404 CMN-102.
    """
    return _rc_params(
        listing="statuses", valid=_check_flag("valid", valid), batch_ids=_check_batch_ids(batch_ids)
    )


def ringcentral_optout_params(*, valid: bool = True) -> st.SearchStrategy[Any]:
    """Query parameters for RingCentral ``GET …/a2p-sms/opt-outs``, as a list of pairs.

    ``valid=True``: any of ``from`` (a number or ``*``), ``to``, ``status``
    (``optout``/``optin``/``all``, any case) and ``perPage`` 1–1000.
    ``valid=False``: ``InvalidBody`` values refused with 400 CMN-101 (bad
    ``perPage``, ``pageToken`` or ``status``).
    """
    return _rc_params(listing="opt-outs", valid=_check_flag("valid", valid), batch_ids=None)


# Fone Dynamics listing query parameters


def fonedynamics_list_params(*, valid: bool = True) -> st.SearchStrategy[Any]:
    """Query parameters for Fone Dynamics ``GET /v2/Properties/{PropertySid}/Messages``.

    A list of pairs for httpx ``params=``.  ``valid=True``: any of ``Date_From``
    and ``Date_To`` (unix seconds, from ≤ to), ``Results_Count`` 1–1000,
    ``Results_Skip`` ≥ 0, ``Status`` (``Processing``, ``Submitted``, ``Delivered``,
    ``Failed``, ``Received``) and ``Direction`` (``Transmit``, ``Receive``), names
    in the documented spelling or lower case; answered 200 ``{"Messages",
    "TotalCount"}``.  ``valid=False``: ``InvalidBody`` values (``kind="query"``)
    refused with 400 ``ResponseStatus``: ``INVALID_PARAMETER`` (a count below 1, a
    negative skip or date, a value that is not an integer, a status or direction
    not among those, an unknown page token) or ``CONFLICTING_PARAMETERS``
    (``Date_From`` after ``Date_To``).
    """
    return _fonedynamics_list_params(valid=_check_flag("valid", valid))


_FD_DAY_ZERO = 1_767_225_600  # 2026-01-01T00:00:00Z, the emulator's default start
_FD_LIST_STATUSES = ("Processing", "Submitted", "Delivered", "Failed", "Received")


@st.composite
def _fonedynamics_list_params(draw: st.DrawFn, *, valid: bool) -> Any:
    lower = draw(st.booleans())

    def name(documented: str) -> str:
        return documented.lower() if lower else documented

    values: dict[str, int] = {}
    low = _FD_DAY_ZERO + draw(st.integers(-30 * 86_400, 30 * 86_400))
    if draw(st.booleans()):
        values["Date_From"] = low
    if draw(st.booleans()):
        values["Date_To"] = low + draw(st.integers(0, 30 * 86_400))
    if draw(st.booleans()):
        values["Results_Count"] = draw(st.integers(1, 1000))
    if draw(st.booleans()):
        values["Results_Skip"] = draw(st.integers(0, 100))
    pairs = [(name(k), str(v)) for k, v in values.items()]
    if draw(st.booleans()):
        pairs.append((name("Status"), draw(st.sampled_from(_FD_LIST_STATUSES))))
    if draw(st.booleans()):
        pairs.append((name("Direction"), draw(st.sampled_from(("Transmit", "Receive")))))
    if valid:
        return pairs
    problem = draw(
        st.sampled_from(
            [
                "Results_Count 0",
                "Results_Count not a number",
                "Results_Skip negative",
                "Date_From negative",
                "Date_From not a number",
                "Date_From after Date_To",
                "Page_Token unknown",
                "Status unknown",
                "Direction unknown",
            ]
        )
    )
    bad = {
        "Results_Count 0": ("Results_Count", "0"),
        "Results_Count not a number": ("Results_Count", "fifty"),
        "Results_Skip negative": ("Results_Skip", "-1"),
        "Date_From negative": ("Date_From", "-5"),
        "Date_From not a number": ("Date_From", "2026-01-01"),
        "Page_Token unknown": ("Page_Token", "bm9wZQ"),
        "Status unknown": ("Status", "Sent"),  # the word other providers use
        "Direction unknown": ("Direction", "Outbound"),
    }
    code = "INVALID_PARAMETER"
    if problem == "Date_From after Date_To":
        drop = {name("Date_From"), name("Date_To")}
        pairs = [p for p in pairs if p[0] not in drop]
        pairs += [(name("Date_From"), str(low + 60)), (name("Date_To"), str(low))]
        code = "CONFLICTING_PARAMETERS"
    else:
        key, value = bad[problem]
        pairs = [p for p in pairs if p[0] != name(key)] + [(name(key), value)]
    return InvalidBody(pairs, problem, code, kind="query")


# sendbulk: delivery reports and hashed OTPs

_DEFAULT_CREDENTIALS = {"partnerID": "123", "apikey": "k"}


def sendbulk_dlr_bodies(
    *,
    message_ids: Sequence[str | int] | None = None,
    valid: bool = True,
    credentials: dict[str, Any] | None = None,
    other_credentials: dict[str, Any] | None = None,
    brand: str = DEFAULT_BRAND,
) -> st.SearchStrategy[Any]:
    """Bodies for sendbulk ``POST /api/services/getdlr``: credentials and a ``messageID``.

    ``message_ids``: the ``messageid`` values the gateway answered a send with
    (required for ``valid=True``).  ``credentials``: the ``partnerID``/``apikey``
    (and ``pass_type``) those messages were sent with, default
    ``{"partnerID": "123", "apikey": "k"}``: a report is only given to the
    partner who sent the message.  ``valid=True``: answered with a flat report,
    ``response-code`` 200.  ``valid=False``: ``InvalidBody`` values refused with
    a flat 1009 "No dlr" (id missing, not a number, unknown, or another
    partner's message), 4091, 4092 or 1006.  "Another partner" is made up
    (``partnerID`` + ``"0"``) with the default credentials, where any partner
    is an account; with ``credentials`` given (a scenario that declares its
    accounts, where a made-up partner is refused 1006) only with
    ``other_credentials``, a second declared account's.  ``brand``: the scenario's
    sendbulk brand, for ``InvalidBody.status`` (``textsms`` answers "No dlr" with 404).
    """
    _check_flag("valid", valid)
    ids = None
    if message_ids is not None:
        if not _iterable(message_ids) or not message_ids:
            raise InvalidArgument(f"message_ids must be a non-empty sequence, not {message_ids!r}")
        ids = tuple(str(i) for i in _in_order(message_ids))
        if not all(i.isdigit() for i in ids):
            raise InvalidArgument(f"message_ids must be the gateway's numeric ids, not {ids!r}")
    elif valid:
        raise InvalidArgument("valid getdlr bodies need message_ids=[...] from earlier sends")
    creds = _check_credentials(credentials) or dict(_DEFAULT_CREDENTIALS)
    other = _check_credentials(other_credentials, "other_credentials")
    if other is not None:
        if str(other["partnerID"]) == str(creds["partnerID"]):
            raise InvalidArgument("other_credentials must be another partner's (partnerID)")
    elif credentials is None:
        other = {**creds, "partnerID": str(creds["partnerID"]) + "0"}
    if not isinstance(brand, str) or brand.lower() not in BRANDS:
        raise InvalidArgument(f"brand must be one of {', '.join(BRANDS)}, not {brand!r}")
    return _sendbulk_dlr_bodies(
        message_ids=ids or ("8290842",),
        valid=valid,
        credentials=creds,
        other=other,
        no_dlr_status=BRANDS[brand.lower()].no_dlr_status,
    )


@st.composite
def _sendbulk_dlr_bodies(
    draw: st.DrawFn,
    *,
    message_ids: tuple[str, ...],
    valid: bool,
    credentials: dict[str, Any],
    other: dict[str, Any] | None,
    no_dlr_status: int,
) -> Any:
    message_id = draw(st.sampled_from(message_ids))
    body = {**credentials, "messageID": draw(st.sampled_from([message_id, int(message_id)]))}
    if valid:
        return body
    problem = draw(
        st.sampled_from(
            [
                "messageID missing",
                "messageID spelt otherwise",
                "messageID not a number",
                "unknown messageID",
                *(["another partner's message"] if other is not None else []),
                "partnerID missing",
                "apikey missing",
                "unknown pass_type",
            ]
        )
    )
    code = 1009
    if problem == "messageID missing":
        del body["messageID"]
    elif problem == "messageID spelt otherwise":  # the gateway reads messageID only
        body[draw(st.sampled_from(("messageid", "messageId", "message-id")))] = body.pop(
            "messageID"
        )
    elif problem == "messageID not a number":
        body["messageID"] = draw(st.sampled_from(["abc", "", "12-34"]))
    elif problem == "unknown messageID":
        body["messageID"] = "1"  # ids count up from 8290842
    elif problem == "another partner's message":
        body.update(other or {})
    elif problem == "partnerID missing":
        del body["partnerID"]
        code = 4091
    elif problem == "apikey missing":
        del body["apikey"]
        code = 4092
    else:
        body["pass_type"] = "rot13"
        code = 1006
    return InvalidBody(body, problem, code, status=no_dlr_status if code == 1009 else 200)


_NOT_HASHES = ("254712345678", "abc123", "0" * 63, "g" * 64)


def sendbulk_hashed_otp_bodies(
    *,
    valid: bool = True,
    bad_items: bool = False,
    min_numbers: int = 1,
    max_numbers: int = 5,
    texts: st.SearchStrategy[str] | None = None,
    credentials: dict[str, Any] | None = None,
    shortcodes: Sequence[str] | None = None,
) -> st.SearchStrategy[Any]:
    """Bodies for sendbulk ``POST /api/services/sendotp`` with ``"hashed": true``.

    ``mobile`` is the hex SHA-256 of each ``254…`` number (lower or upper case),
    comma-separated.  ``valid=True``: each gets a row with code 200 (an unknown
    hash is accepted as the gateway would, on Safaricom); with ``bad_items`` some
    values are not 64 hex digits and get a 1003 row.  ``valid=False``:
    ``InvalidBody`` values refused as a whole with a flat 4091, 4092, 1006 or
    1104 (too many numbers).  ``credentials`` and ``shortcodes`` as for
    :func:`sendbulk_bulk_bodies`.
    """
    _check_sizes(
        min_numbers, max_numbers, ("min_numbers", "max_numbers"), "sendbulk_hashed_otp_bodies"
    )
    _check_bad_items(valid, bad_items)
    return _sendbulk_hashed_otp_bodies(
        valid=valid,
        bad_items=bad_items,
        sizes=(min_numbers, max_numbers),
        text=_texts(texts),
        credentials=_check_credentials(credentials),
        shortcodes=_check_senders_list(shortcodes, "shortcodes"),
    )


def _sha256(msisdn: str, upper: bool) -> str:
    digest = hashlib.sha256(msisdn.encode()).hexdigest()
    return digest.upper() if upper else digest


@st.composite
def _sendbulk_hashed_otp_bodies(
    draw: st.DrawFn,
    *,
    valid: bool,
    bad_items: bool,
    sizes: tuple[int, int],
    text: st.SearchStrategy[str],
    credentials: dict[str, Any] | None,
    shortcodes: tuple[str, ...] | None,
) -> Any:
    hashes = st.builds(_sha256, kenyan_msisdns(forms=("254",)), st.booleans())
    if bad_items:
        hashes = st.one_of(hashes, st.sampled_from(_NOT_HASHES))
    digests = draw(st.lists(hashes, min_size=sizes[0], max_size=sizes[1]))
    body = {
        **draw(_credentials(credentials)),
        "shortcode": draw(st.sampled_from(shortcodes or _SHORTCODES)),
        "mobile": ",".join(digests),
        "message": draw(text),
        "hashed": draw(st.sampled_from([True, "true"])),
    }
    if valid:  # a row per value, in order: 1003 for one that is not a hash
        return _batch_body(body, [1003 if d in _NOT_HASHES else None for d in digests])
    return _refused_sms_body(draw, body, digests[0])
