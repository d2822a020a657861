"""GSM-7 / UCS-2 detection and segment counting."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.core.segments import GSM7_BASIC, GSM7_EXTENSION, analyze, count_segments, split

GSM_ALPHABET = "".join(sorted(GSM7_BASIC | GSM7_EXTENSION))


def test_gsm7_alphabet_sizes() -> None:
    assert len(GSM7_BASIC) == 127  # 128 codes minus the escape
    assert len(GSM7_EXTENSION) == 10
    assert not GSM7_BASIC & GSM7_EXTENSION


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 1),
        ("a", "GSM-7", 1, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("é" * 160, "GSM-7", 160, 1),  # é is in the GSM-7 basic set
        ("€" * 80, "GSM-7", 160, 1),  # extension characters count double
        ("€" * 81, "GSM-7", 162, 2),
        ("a" * 159 + "{", "GSM-7", 161, 2),
        ("[]" * 40, "GSM-7", 160, 1),
        ("ç", "UCS-2", 1, 1),  # only the capital Ç is GSM-7
        ("ж" * 70, "UCS-2", 70, 1),
        ("ж" * 71, "UCS-2", 71, 2),
        ("ж" * 134, "UCS-2", 134, 2),
        ("ж" * 135, "UCS-2", 135, 3),
        ("a" * 69 + "ж", "UCS-2", 70, 1),  # one non-GSM character makes it all UCS-2
        ("😀" * 35, "UCS-2", 70, 1),  # emoji are surrogate pairs: two UTF-16 units
        ("😀" * 36, "UCS-2", 72, 2),
        ("`", "UCS-2", 1, 1),  # ASCII but not GSM-7
    ],
)
def test_analyze(text: str, encoding: str, units: int, segments: int) -> None:
    info = analyze(text)
    assert (info.encoding, info.units, info.segments) == (encoding, units, segments)
    assert count_segments(text) == segments


def test_escape_pair_is_never_split_across_segments() -> None:
    # 152 plain characters then '€': the pair would straddle 153, so it moves on.
    text = "a" * 152 + "€" + "b" * 10
    assert analyze(text).segments == 2
    parts = split(text)
    assert parts == ["a" * 152, "€" + "b" * 10]


def test_escape_pairs_can_push_into_an_extra_segment() -> None:
    # 153 * 2 = 306 septets would fit two segments if pairs could split.
    text = "€" * 153  # 76 pairs fill 152 of a segment's 153 septets
    assert analyze(text).units == 306
    assert analyze(text).segments == 3
    assert all(_septets(part) <= 153 for part in split(text))


def test_surrogate_pair_is_never_split_across_segments() -> None:
    text = "ж" * 66 + "😀" + "ж" * 10
    assert analyze(text).units == 78
    parts = split(text)
    assert parts == ["ж" * 66, "😀" + "ж" * 10]
    assert all(_ucs2_units(part) <= 67 for part in parts)


def _septets(text: str) -> int:
    return sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)


def _ucs2_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@given(st.text(alphabet=GSM_ALPHABET, max_size=700))
def test_gsm7_split_parts_fit_and_rejoin(text: str) -> None:
    info = analyze(text)
    assert info.encoding == "GSM-7"
    assert info.units == _septets(text)
    parts = split(text)
    assert "".join(parts) == text
    assert len(parts) == info.segments
    if info.segments > 1:
        assert all(0 < _septets(part) <= 153 for part in parts)
    else:
        assert info.units <= 160


@given(st.text(min_size=1, max_size=300).filter(lambda t: not set(t) <= set(GSM_ALPHABET)))
def test_ucs2_split_parts_fit_and_rejoin(text: str) -> None:
    info = analyze(text)
    assert info.encoding == "UCS-2"
    assert info.units == _ucs2_units(text)
    parts = split(text)
    assert "".join(parts) == text
    assert len(parts) == info.segments
    if info.segments > 1:
        assert all(0 < _ucs2_units(part) <= 67 for part in parts)
    else:
        assert info.units <= 70


@given(st.text(max_size=400))
def test_segment_count_is_the_fewest_that_fit(text: str) -> None:
    info = analyze(text)
    per_part = (153 if info.encoding == "GSM-7" else 67) if info.segments > 1 else None
    if per_part is not None:
        assert info.units > (160 if info.encoding == "GSM-7" else 70)
        assert info.segments >= -(-info.units // per_part)


# 3GPP TS 23.038 (GSM 03.38) default alphabet, by code 0x00-0x7F in rows of 16; 0x1B
# is the escape to the extension table, written here as None.
_GSM_0338_ROWS = [
    "@£$¥èéùìòÇ\nØø\rÅå",
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ",
    " !\"#¤%&'()*+,-./",
    "0123456789:;<=>?",
    "¡ABCDEFGHIJKLMNO",
    "PQRSTUVWXYZÄÖÑÜ§",
    "¿abcdefghijklmno",
    "pqrstuvwxyzäöñüà",
]
# The extension table's characters, by their code after the escape.
_GSM_0338_EXTENSION = {
    0x0A: "\f",
    0x14: "^",
    0x28: "{",
    0x29: "}",
    0x2F: "\\",
    0x3C: "[",
    0x3D: "~",
    0x3E: "]",
    0x40: "|",
    0x65: "€",
}


def test_gsm7_tables_are_the_standards_character_for_character() -> None:
    """The whole default alphabet and extension table: a character swapped for a
    look-alike (ò for ó, a tab for the carriage return) would keep the sizes."""
    codes = "".join(_GSM_0338_ROWS)
    assert len(codes) == 128
    assert frozenset(codes) - {"\x1b"} == GSM7_BASIC
    assert frozenset(_GSM_0338_EXTENSION.values()) == GSM7_EXTENSION


@pytest.mark.parametrize(
    ("text", "encoding", "units"),
    [
        ("Hi\r\nthere", "GSM-7", 9),  # CR and LF are both in the default alphabet
        ("Hi\tthere", "UCS-2", 8),  # a tab is not
        ("form\ffeed", "GSM-7", 10),  # form feed is an escaped character
        ("ò", "GSM-7", 1),
        ("ó", "UCS-2", 1),
        ("¤§¡¿", "GSM-7", 4),
        ("$", "GSM-7", 1),
        ("₤", "UCS-2", 1),  # the lira sign is not the pound sign
        ("\uffff", "UCS-2", 1),  # the last code point of one UTF-16 unit
        ("\U00010000", "UCS-2", 2),  # the first of a surrogate pair
    ],
)
def test_characters_at_the_alphabets_edges(text: str, encoding: str, units: int) -> None:
    info = analyze(text)
    assert (info.encoding, info.units) == (encoding, units)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("a" * 161, ["a" * 153, "a" * 8]),  # parts of a long message hold 153, not 160
        ("a" * 306, ["a" * 153, "a" * 153]),  # each part filled to the last septet
        ("a" * 307, ["a" * 153, "a" * 153, "a"]),
        ("ж" * 71, ["ж" * 67, "ж" * 4]),  # 67 UCS-2 units, not 70
        ("ж" * 134, ["ж" * 67, "ж" * 67]),
        ("€" * 81, ["€" * 76, "€" * 5]),  # 152 septets: a 77th pair would cross 153
    ],
)
def test_split_fills_each_part_to_its_size(text: str, parts: list[str]) -> None:
    assert split(text) == parts
    assert analyze(text).segments == len(parts)
