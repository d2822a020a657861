"""Hypothesis strategies for SMS client tests.

Plain functions returning strategies, keyword-only options validated eagerly
(bad arguments raise ``hypothesis.errors.InvalidArgument``), plural names, and
values that shrink toward the simplest case: the first country code, the
shortest boundary, plain ASCII letters, a one-message batch.

- Numbers: ``e164_numbers`` (valid per ``emulator.core.phone.is_possible_e164``,
  with realistic mobile lengths and leading digits), ``invalid_e164_numbers``
  (subtly wrong: one digit short or long, no ``+``, leading zero, a letter),
  ``kenyan_msisdns`` (the forms the sendbulk gateways take).
- Texts around the segment boundaries: ``gsm7_texts``, ``ucs2_texts``,
  ``mixed_texts`` (GSM-7 text made UCS-2 by one character), ``sms_texts``.
- Request bodies for every provider endpoint, valid or invalid: invalid ones
  come as ``InvalidBody(body, problem)`` so a failing example says what is
  wrong with it.  See ``ringcentral_batch_bodies`` and its neighbours.
- ``scenarios``: valid scenario documents (dicts) for ``Emulator(scenario=...)``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..core.models import Outcome
from ..core.phone import _possible_lengths, is_possible_e164
from ..core.segments import GSM7_BASIC, GSM7_EXTENSION

__all__ = [
    "GSM7_BOUNDARY_UNITS",
    "UCS2_BOUNDARY_UNITS",
    "InvalidBody",
    "e164_numbers",
    "fonedynamics_batch_bodies",
    "fonedynamics_message_bodies",
    "gsm7_texts",
    "invalid_e164_numbers",
    "kenyan_msisdns",
    "mixed_texts",
    "ringcentral_batch_bodies",
    "ringcentral_optout_bodies",
    "scenarios",
    "sendbulk_balance_bodies",
    "sendbulk_bulk_bodies",
    "sendbulk_credit_bodies",
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


@cache
def _national_shape(code: str) -> tuple[int, str]:
    if code in _MOBILE:
        return _MOBILE[code]
    lengths = _possible_lengths(int(code))
    if lengths is None:
        raise InvalidArgument(f"country code {code!r} is not assigned to any country")
    return max(lengths), "123456789"


def _check_country_codes(country_codes: Sequence[str] | None) -> tuple[str, ...]:
    if country_codes is None:
        return _DEFAULT_COUNTRY_CODES
    if isinstance(country_codes, str) or not country_codes:
        raise InvalidArgument("country_codes must be a non-empty sequence of strings like '44'")
    codes = tuple(str(c).lstrip("+") for c in country_codes)
    for code in codes:
        if not code.isdigit():
            raise InvalidArgument(f"country code {code!r} must be digits, e.g. '44'")
        _national_shape(code)
    return codes


def _numbers_from(
    pairs: st.SearchStrategy[tuple[str, int | None]],
) -> st.SearchStrategy[str]:
    """``+<code><national>`` for drawn (code, length or None for the usual length).

    The draws have the same shape whatever the country, so shrinking can move
    to the first country without losing its progress on the digits.
    """

    def build(draw: tuple[tuple[str, int | None], int, str]) -> str:
        (code, length), lead, digits = draw
        size, leading = _national_shape(code)
        size = size if length is None else length
        return f"+{code}{leading[lead % len(leading)]}{digits[: size - 1]}"

    digits = st.text(alphabet=_DIGITS, min_size=16, max_size=16)
    return st.tuples(pairs, st.integers(0, 9), digits).map(build)


def e164_numbers(*, country_codes: Sequence[str] | None = None) -> st.SearchStrategy[str]:
    """Valid E.164 numbers (``+`` and digits) of a possible length for their country.

    Default countries: US/Canada, UK, Australia, Kenya, Germany, France, India,
    New Zealand, South Africa, Spain; mobile lengths and leading digits.
    Shrinks toward ``+12000000000``.
    """
    codes = _check_country_codes(country_codes)
    return _numbers_from(st.sampled_from([(code, None) for code in codes]))


_INVALID_KINDS = ("short", "long", "no_plus", "leading_zero", "letter")


def _length_off_by_one(code: str, delta: int) -> int | None:
    size, _ = _national_shape(code)
    lengths = _possible_lengths(int(code)) or frozenset()
    wrong = size + delta
    return wrong if wrong >= 1 and wrong not in lengths else None


def invalid_e164_numbers(
    *,
    kinds: Sequence[str] = _INVALID_KINDS,
    country_codes: Sequence[str] | None = None,
) -> st.SearchStrategy[str]:
    """Numbers that look right but ``is_possible_e164`` rejects.

    ``kinds``: ``"short"``/``"long"`` (one national digit short or long of every
    possible length), ``"no_plus"`` (``14155550100``), ``"leading_zero"``
    (``+0…``), ``"letter"`` (one digit replaced by a letter, e.g. ``O`` for 0).
    """
    kinds = tuple(kinds)
    unknown = set(kinds) - set(_INVALID_KINDS)
    if not kinds or unknown:
        raise InvalidArgument(f"kinds must be some of {_INVALID_KINDS}, not {kinds!r}")
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
            options.append(st.builds(_with_letter, e164_numbers(country_codes=codes), st.data()))
    if not options:
        raise InvalidArgument(f"none of {codes} has an impossible length next to a possible one")
    return st.one_of(options).filter(lambda n: not is_possible_e164(n))


def _with_letter(number: str, data: st.DataObject) -> str:
    position = data.draw(st.integers(2, len(number) - 1), label="letter position")
    letter = data.draw(st.sampled_from("OIlSBAx"), label="letter")
    return number[:position] + letter + number[position + 1 :]


@cache
def _kenyan_prefixes() -> tuple[int, ...]:
    from ..providers.sendbulk.mobile import NETWORK_PREFIXES

    return tuple(sorted(p for prefixes in NETWORK_PREFIXES.values() for p in prefixes))


_KENYAN_FORMS = ("254", "+254", "0")


def kenyan_msisdns(*, forms: Sequence[str] = _KENYAN_FORMS) -> st.SearchStrategy[str]:
    """Kenyan mobile numbers on a real operator range, as the sendbulk gateways take them.

    ``forms``: ``"254"`` (``2547XXXXXXXX``), ``"+254"`` and ``"0"`` (``07XXXXXXXX``).
    Shrinks toward ``254700000000``.
    """
    forms = tuple(forms)
    if not forms or set(forms) - set(_KENYAN_FORMS):
        raise InvalidArgument(f"forms must be some of {_KENYAN_FORMS}, not {forms!r}")
    national = st.builds(
        lambda prefix, rest: f"{prefix}{rest}",
        st.sampled_from(_kenyan_prefixes()),
        st.text(alphabet=_DIGITS, min_size=6, max_size=6),
    )
    return st.tuples(st.sampled_from(forms), national).map(lambda p: p[0] + p[1])


# texts

#: Septet counts around GSM-7 limits: 153 (a part), 160 (one SMS), 306 (two parts).
GSM7_BOUNDARY_UNITS = (152, 153, 154, 159, 160, 161, 305, 306, 307)
#: UTF-16 unit counts around UCS-2 limits: 67 (a part), 70 (one SMS), 134 (two parts).
UCS2_BOUNDARY_UNITS = (66, 67, 68, 69, 70, 71, 133, 134, 135)

# Simplest first, so texts shrink toward plain lower-case letters.
_GSM7_CHARS = "".join(
    sorted(GSM7_BASIC - set("\r\n"), key=lambda c: (not c.islower() or not c.isascii(), c))
)
_GSM7_EXTENSION_CHARS = "".join(sorted(GSM7_EXTENSION - {"\f"}))
# Not in GSM-7: Cyrillic, lower-case Greek, CJK, Arabic, typographic quotes.
_UCS2_CHARS = "абвгджзийклмнопрстуфхцчшщыэюяαβγδεζηθλμπσω中文字日本語한국어مرحبا’“”–…•"
# Outside the BMP: two UTF-16 units each.
_ASTRAL_CHARS = "😀👍🎉🚀❤️🙂🔥"
_ASTRAL_CHARS = "".join(c for c in _ASTRAL_CHARS if ord(c) > 0xFFFF)


def _check_units(units: Sequence[int] | None, default: tuple[int, ...]) -> tuple[int, ...]:
    if units is None:
        return default
    units = tuple(units)
    if not units or any(isinstance(u, bool) or not isinstance(u, int) or u < 1 for u in units):
        raise InvalidArgument(f"units must be positive integers, not {units!r}")
    return units


def _place(base: list[str], extra: list[str], positions: list[int]) -> str:
    out = list(base)
    for char, position in sorted(zip(extra, positions, strict=True), key=lambda p: -p[1]):
        out.insert(min(position, len(out)), char)
    return "".join(out)


@st.composite
def _built_text(
    draw: st.DrawFn,
    units: tuple[int, ...],
    one_unit: str,
    two_unit: str,
    boundaries: tuple[int, ...],
    required: str = "",
) -> str:
    target = draw(st.sampled_from(units))
    budget = target - (1 if required else 0)
    doubles = 0
    if two_unit and budget >= 2:
        doubles = draw(st.integers(0, min(budget // 2, 4)))
    singles = budget - 2 * doubles
    base = draw(st.lists(st.sampled_from(one_unit), min_size=singles, max_size=singles))
    extras = [draw(st.sampled_from(two_unit)) for _ in range(doubles)]
    # Put wide characters right where a segment ends, where splitting matters.
    near = [b - 1 for b in boundaries if 0 < b <= singles + 1]
    where = (
        st.one_of(st.integers(0, singles), st.sampled_from(near))
        if near
        else st.integers(0, singles)
    )
    positions = [draw(where) for _ in extras]
    text = _place(base, extras, positions)
    if required:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(required)) + text[at:]
    return text


def gsm7_texts(
    *, units: Sequence[int] | None = None, extension: bool = True
) -> st.SearchStrategy[str]:
    """GSM-7 texts of exactly ``units`` septets (default: around 153, 160 and 306).

    With ``extension``, some characters are ``^{}\\[~]|€`` (two septets each),
    often placed right at a segment boundary.
    """
    targets = _check_units(units, GSM7_BOUNDARY_UNITS)
    return _built_text(
        targets, _GSM7_CHARS, _GSM7_EXTENSION_CHARS if extension else "", (153, 160, 306)
    )


def ucs2_texts(
    *, units: Sequence[int] | None = None, astral: bool = True
) -> st.SearchStrategy[str]:
    """UCS-2 texts of exactly ``units`` UTF-16 units (default: around 67, 70 and 134).

    Each has at least one character outside GSM-7; with ``astral``, some are
    emoji (two units each, a surrogate pair), often right at a boundary.
    """
    targets = _check_units(units, UCS2_BOUNDARY_UNITS)
    return _built_text(
        targets, _UCS2_CHARS + _GSM7_CHARS, _ASTRAL_CHARS if astral else "", (67, 70, 134)
    )


def mixed_texts(*, units: Sequence[int] | None = None) -> st.SearchStrategy[str]:
    """GSM-7 texts turned UCS-2 by one character (a curly quote, an emoji...).

    ``units`` counts UTF-16 units (default: around the UCS-2 and GSM-7 limits),
    the classic surprise of a 150-character message costing three segments.
    """
    targets = _check_units(units, UCS2_BOUNDARY_UNITS + GSM7_BOUNDARY_UNITS)
    return _built_text(
        targets,
        _GSM7_CHARS + _GSM7_EXTENSION_CHARS,
        _ASTRAL_CHARS,
        (67, 70, 134),
        required=_UCS2_CHARS,
    )


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
    providers, outcomes = tuple(providers), tuple(outcomes)
    if not providers or set(providers) - {"ringcentral", "fonedynamics", "sendbulk"}:
        raise InvalidArgument(f"unknown providers in {providers!r}")
    if not outcomes or set(outcomes) - set(_OUTCOMES):
        raise InvalidArgument(f"outcomes must be some of {_OUTCOMES}, not {outcomes!r}")
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
            "to": st.sampled_from(["+1*", "+44*", "+61*", "+254*", "254*", "re:[05]$"]),
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
            "rules": st.lists(rule, max_size=max_rules),
        }
    )


# request bodies


@dataclass(frozen=True, slots=True)
class InvalidBody:
    """A request body a provider must refuse as a whole, what is wrong, and its answer.

    ``body`` is usually a dict (send it as JSON); ``bytes`` when the body is
    not JSON at all.  ``code`` is the provider's error code for it (``"CMN-101"``,
    ``"PARAMETER_REQUIRED"``, ``4091``...).
    """

    body: Any
    problem: str
    code: str | int | None = None

    def request_kwargs(self, headers: dict[str, str] | None = None) -> dict[str, Any]:
        """httpx keyword arguments: ``json=``, or ``content=`` with a JSON content type."""
        merged = dict(headers or {})
        if isinstance(self.body, bytes):
            merged.setdefault("Content-Type", "application/json")
            return {"content": self.body, "headers": merged}
        return {"json": self.body, "headers": merged}


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _simple_texts() -> st.SearchStrategy[str]:
    """Short, non-blank GSM-7 texts; shrinks to ``"a"``."""
    return st.builds(
        str.__add__,
        st.sampled_from(_LETTERS),
        st.text(alphabet=_LETTERS + "0123456789 .,!?", max_size=40),
    )


def _texts(texts: st.SearchStrategy[str] | None) -> st.SearchStrategy[str]:
    if texts is None:
        return st.one_of(_simple_texts(), sms_texts())
    if not isinstance(texts, st.SearchStrategy):
        raise InvalidArgument(f"texts must be a strategy, not {texts!r}")
    return texts


def _check_sizes(min_messages: int, max_messages: int) -> None:
    if min_messages < 1 or max_messages < min_messages:
        raise InvalidArgument(
            f"need 1 <= min_messages <= max_messages, got {min_messages}, {max_messages}"
        )


def _eager(strategy: Any) -> Any:
    """Make a composite strategy check its options when called, not when drawn from."""

    @functools.wraps(strategy)
    def build(**options: Any) -> st.SearchStrategy[Any]:
        for low, high in (("min_messages", "max_messages"), ("min_numbers", "max_numbers")):
            if low in options or high in options:
                defaults = inspect.signature(strategy).parameters
                _check_sizes(
                    options.get(low, defaults[low].default),
                    options.get(high, defaults[high].default),
                )
        if "texts" in options:
            _texts(options["texts"])
        return strategy(**options)

    return build


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
) -> Any:
    """Bodies for RingCentral ``POST .../a2p-sms/batches``.

    ``valid=True``: dicts the endpoint accepts (201).  With ``bad_items``, some
    recipients are impossible numbers or lists of two, which RingCentral
    accepts the batch with but lists in ``rejected`` by 1-based index.
    ``valid=False``: ``InvalidBody`` values the endpoint refuses with a 400
    ``ASGErrorResponse``.
    """
    _check_sizes(min_messages, max_messages)
    bad_items = bad_items and valid  # an invalid body has exactly one problem
    text = _texts(texts)
    count = draw(st.integers(min_messages, max_messages))
    default = draw(st.one_of(st.none(), text))
    items = []
    for _ in range(count):
        kind = draw(st.sampled_from(["ok", "bad_number", "two_numbers"])) if bad_items else "ok"
        if kind == "bad_number":
            to = [draw(invalid_e164_numbers(kinds=("short", "long", "leading_zero", "letter")))]
        elif kind == "two_numbers":
            to = [draw(e164_numbers()), draw(e164_numbers())]
        else:
            to = [draw(e164_numbers())]
        item: dict[str, Any] = {"to": to}
        if default is None or draw(st.booleans()):
            item["text"] = draw(text)
        items.append(item)
    body: dict[str, Any] = {"from": draw(e164_numbers()), "messages": items}
    if default is not None:
        body["text"] = default
    if valid:
        return body
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
        for item in items:
            item.pop("text", None)
    elif problem == "text too long":
        body["messages"][0]["text"] = "a" * 1001
    elif problem == "to not a list":
        body["messages"][0]["to"] = body["messages"][0]["to"][0]
    elif problem == "not JSON":
        return InvalidBody(b'{"from": "+16505550100", "messages": [', problem, "CMN-104")
    else:
        return InvalidBody([body], problem, "CMN-104")
    return InvalidBody(body, problem, code)


_ALPHANUMERIC_SENDERS = ("Shop", "ACME", "MyBank", "Alerts 24", "X")


@st.composite
def _fonedynamics_messages(
    draw: st.DrawFn, text: st.SearchStrategy[str], bad: bool
) -> tuple[dict[str, Any], str | None]:
    """One message object and, if it is bad, the ``ErrorCode`` it gets."""
    to = draw(e164_numbers())
    message: dict[str, Any] = {"To": to, "Text": draw(text)}
    if to.startswith("+1"):  # no alphanumeric senders to US/Canada: that would lease
        message["From"] = draw(e164_numbers())
    else:
        message["From"] = draw(st.one_of(e164_numbers(), st.sampled_from(_ALPHANUMERIC_SENDERS)))
    if draw(st.booleans()):
        message["DeliveryReceipt"] = draw(st.booleans())
    if draw(st.booleans()):
        message["ExternalId"] = draw(st.text(alphabet=_LETTERS + "0123456789-", max_size=12))
    if not bad:
        return message, None
    problem = draw(
        st.sampled_from(["To missing", "Text missing", "To not E.164", "From too long", "receipt"])
    )
    if problem == "To missing":
        del message["To"]
        return message, "PARAMETER_REQUIRED"
    if problem == "Text missing":
        message["Text"] = ""
        return message, "PARAMETER_REQUIRED"
    if problem == "To not E.164":
        message["To"] = draw(invalid_e164_numbers())
        return message, "INVALID_PHONENUMBER_FORMAT"
    if problem == "From too long":
        message["From"] = "SenderNameTooLong"
        return message, "INVALID_PARAMETER"
    message["DeliveryReceipt"] = "sometimes"
    return message, "INVALID_PARAMETER"


@_eager
@st.composite
def fonedynamics_message_bodies(
    draw: st.DrawFn, *, valid: bool = True, texts: st.SearchStrategy[str] | None = None
) -> Any:
    """Bodies for Fone Dynamics ``POST /v2/Properties/{PropertySid}/Messages``.

    ``valid=True``: dicts accepted with 200 ``{"Message": {...}}`` (an E.164 or
    alphanumeric ``From``, so no number lease is needed).  ``valid=False``:
    ``InvalidBody`` values refused with 400 ``{"ResponseStatus": {...}}``.
    """
    message, _ = draw(_fonedynamics_messages(_texts(texts), False))
    if valid:
        return message
    if draw(st.integers(0, 4)) == 0:
        return InvalidBody(b'{"To": "+61400000000", "Text": ', "not JSON", "SerializationException")
    bad, code = draw(_fonedynamics_messages(_texts(texts), True))
    return InvalidBody(bad, _problem(bad, code), code)


def _problem(message: dict[str, Any], code: str | None) -> str:
    if "To" not in message or message.get("Text") == "":
        return f"required field missing ({code})"
    if code == "INVALID_PHONENUMBER_FORMAT":
        return f"To {message['To']!r} is not E.164"
    if message.get("From") == "SenderNameTooLong":
        return "alphanumeric From longer than 11 characters"
    return "DeliveryReceipt is not a boolean"


@_eager
@st.composite
def fonedynamics_batch_bodies(
    draw: st.DrawFn,
    *,
    valid: bool = True,
    bad_items: bool = False,
    min_messages: int = 1,
    max_messages: int = 10,
    texts: st.SearchStrategy[str] | None = None,
) -> Any:
    """Bodies for Fone Dynamics ``POST /v2/Properties/{PropertySid}/BatchMessages``.

    ``valid=True``: ``{"Messages": [...]}`` answered 200 with one element per
    message, in order; with ``bad_items`` some messages are invalid and come
    back as ``{"ErrorCode", "Message", "Errors"}`` elements.  ``valid=False``:
    ``InvalidBody`` values refused as a whole with 400 ``ResponseStatus``.
    """
    _check_sizes(min_messages, max_messages)
    bad_items = bad_items and valid  # an invalid body has exactly one problem
    text = _texts(texts)
    count = draw(st.integers(min_messages, max_messages))
    messages = []
    for _ in range(count):
        bad = bad_items and draw(st.booleans())
        messages.append(draw(_fonedynamics_messages(text, bad))[0])
    body = {"Messages": messages}
    if valid:
        return body
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


def _credentials() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "partnerID": st.one_of(st.sampled_from(["123", "9876"]), st.integers(1, 99999)),
            "apikey": st.sampled_from(["k", "a1b2c3d4e5f6"]),
        },
        optional={"pass_type": st.just("plain")},
    )


_SHORTCODES = ("SHOP", "ADVANTA", "Bank_Alert")
#: Per-item problems and the row code they get.
_SENDBULK_ITEM_PROBLEMS = {
    "mobile not a number": 1003,
    "foreign mobile": 1002,
    "empty message": 1009,
}


@st.composite
def _sendbulk_mobiles(draw: st.DrawFn, bad: str | None) -> Any:
    if bad == "mobile not a number":
        return draw(st.sampled_from(["07123", "not-a-number", "0812345678", "25471234567"]))
    if bad == "foreign mobile":
        return draw(e164_numbers(country_codes=("44", "61")))
    mobile = draw(kenyan_msisdns())
    if mobile.startswith("254") and draw(st.booleans()):
        return int(mobile)  # some clients send numbers
    return mobile


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
) -> Any:
    """Bodies for sendbulk ``POST /api/services/sendbulk``: ``{"count", "smslist": [...]}``.

    ``valid=True``: every item is accepted (a ``responses`` row with code 200);
    with ``bad_items`` some get their own failure code (1002, 1003, 1009) in
    the same array.  ``valid=False``: ``InvalidBody`` values refused as a whole
    with a flat ``{"response-code": ...}`` at HTTP 200.
    """
    _check_sizes(min_messages, max_messages)
    bad_items = bad_items and valid  # an invalid body has exactly one problem
    text = _texts(texts)
    credentials = draw(_credentials())
    shortcode = draw(st.sampled_from(_SHORTCODES))
    count = draw(st.integers(min_messages, max_messages))
    smslist = []
    for index in range(count):
        bad = draw(st.sampled_from([None, *_SENDBULK_ITEM_PROBLEMS])) if bad_items else None
        item = {
            **credentials,
            "clientsmsid": draw(st.one_of(st.just(index + 1), st.just(str(index + 1)))),
            "mobile": draw(_sendbulk_mobiles(bad)),
            "message": "" if bad == "empty message" else draw(text),
            "shortcode": shortcode,
        }
        smslist.append(item)
    body = {"count": count, "smslist": smslist}
    if valid:
        return body
    problem = draw(
        st.sampled_from(
            [
                "partnerID missing",
                "apikey missing",
                "unknown pass_type",
                "smslist empty",
                "smslist missing",
                "first item not an object",
                "more than 1000 items",
            ]
        )
    )
    first = smslist[0]
    if problem == "partnerID missing":
        del first["partnerID"]
        return InvalidBody(body, problem, 4091)
    if problem == "apikey missing":
        del first["apikey"]
        return InvalidBody(body, problem, 4092)
    if problem == "unknown pass_type":
        first["pass_type"] = "rot13"
        return InvalidBody(body, problem, 1006)
    if problem == "smslist empty":
        return InvalidBody({"count": 0, "smslist": []}, problem, 1010)
    if problem == "smslist missing":
        return InvalidBody({"count": count, "sms": smslist}, problem, 1010)
    if problem == "first item not an object":
        return InvalidBody({"count": count, "smslist": ["0712345678", *smslist]}, problem, 1009)
    return InvalidBody({"count": 1001, "smslist": [first] * 1001}, problem, 1012)


@_eager
@st.composite
def sendbulk_sms_bodies(
    draw: st.DrawFn,
    *,
    valid: bool = True,
    min_numbers: int = 1,
    max_numbers: int = 5,
    texts: st.SearchStrategy[str] | None = None,
) -> Any:
    """Bodies for sendbulk ``POST /api/services/sendsms`` (and ``sendotp``).

    ``mobile`` is one number or a comma-separated list; each number gets a row
    with code 200.  ``valid=False``: ``InvalidBody`` values refused as a whole
    with a flat ``{"response-code": ...}``.
    """
    _check_sizes(min_numbers, max_numbers)
    numbers = draw(
        st.lists(kenyan_msisdns(forms=("254", "0")), min_size=min_numbers, max_size=max_numbers)
    )
    body = {
        **draw(_credentials()),
        "shortcode": draw(st.sampled_from(_SHORTCODES)),
        "mobile": ",".join(numbers),
        "message": draw(_texts(texts)),
    }
    if valid:
        return body
    problem = draw(
        st.sampled_from(
            ["partnerID missing", "apikey missing", "unknown pass_type", "too many numbers"]
        )
    )
    if problem == "partnerID missing":
        del body["partnerID"]
        return InvalidBody(body, problem, 4091)
    if problem == "apikey missing":
        del body["apikey"]
        return InvalidBody(body, problem, 4092)
    if problem == "unknown pass_type":
        body["pass_type"] = "rot13"
        return InvalidBody(body, problem, 1006)
    body["mobile"] = ",".join([numbers[0]] * 1001)
    return InvalidBody(body, problem, 1104)


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
def sendbulk_balance_bodies(draw: st.DrawFn, *, valid: bool = True) -> Any:
    """Bodies for sendbulk ``getbalance`` (credentials only).

    ``valid=False``: ``InvalidBody`` values refused with a flat 4091, 4092 or 1006.
    """
    body = draw(_credentials())
    if valid:
        return body
    problem = draw(st.sampled_from(["partnerID missing", "apikey missing", "unknown pass_type"]))
    if problem == "partnerID missing":
        del body["partnerID"]
        return InvalidBody(body, problem, 4091)
    if problem == "apikey missing":
        del body["apikey"]
        return InvalidBody(body, problem, 4092)
    body["pass_type"] = "rot13"
    return InvalidBody(body, problem, 1006)


@_eager
@st.composite
def sendbulk_credit_bodies(draw: st.DrawFn, *, valid: bool = True) -> Any:
    """Bodies for the resellers' sendbulk ``credit``: move units to a child account.

    ``valid=True`` assumes no declared accounts (any ``childID`` exists).
    ``valid=False``: ``InvalidBody`` values refused with a flat 1005 (no child),
    1009 (bad amount) or 4091/4092 (credentials).
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
        st.sampled_from(["childID missing", "amount not a number", "amount not positive"])
    )
    if problem == "childID missing":
        del body["childID"]
        return InvalidBody(body, problem, 1005)
    if problem == "amount not a number":
        body["amount"] = draw(st.sampled_from(["ten", "", "1,000"]))
        return InvalidBody(body, problem, 1009)
    body["amount"] = draw(st.sampled_from(["0", "-5", 0, "nan"]))
    return InvalidBody(body, problem, 1009)
