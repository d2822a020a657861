"""Lone UTF-16 surrogate escapes: rewritten as U+FFFD, and nothing else loosened."""

from __future__ import annotations

import msgspec
import pytest

from emulator.core.lone_surrogates import (
    decode_allowing_lone_surrogates,
    reencode_lone_surrogates,
    text_read_as_utf8,
)


def test_each_lone_surrogate_becomes_a_replacement_character_and_pairs_stay_whole() -> None:
    raw = b'{"t":"a\\ud83d","k\\udc00":["\\udc00\\uD83D\\uDE00\\ud83d",1,{"x":null}]}'
    fixed = reencode_lone_surrogates(raw)
    assert fixed is not None
    assert msgspec.json.decode(fixed) == {
        "t": "a\ufffd",
        "k\ufffd": ["\ufffd\U0001f600\ufffd", 1, {"x": None}],
    }


def test_an_escaped_backslash_before_u_is_text_not_an_escape() -> None:
    raw = b'{"t":"C:\\\\ud83d and \\\\\\ud83d"}'  # \\ud83d is text; \\ then \ud83d is lone
    fixed = reencode_lone_surrogates(raw)
    assert fixed is not None
    assert msgspec.json.decode(fixed) == {"t": "C:\\ud83d and \\\ufffd"}


def test_a_body_without_a_lone_surrogate_is_left_to_the_callers_error() -> None:
    assert reencode_lone_surrogates(b'{"t":"\\ud83d\\ude00 and \\u00e9"}') is None
    assert reencode_lone_surrogates(b'{"t":"no escape"') is None


@pytest.mark.parametrize(
    "raw",
    [
        b'{"t":"\\ud83d","n":NaN}',  # not JSON
        b'{"t":"\\ud83d","n":1e400}',  # past the double range
        b'\xef\xbb\xbf{"t":"\\ud83d"}',  # a byte-order mark
        b'{"t":"\\ud83d","u":"\xed\xa0\x80"}',  # a surrogate encoded in UTF-8
        b'{"t":"\\ud83d"',  # malformed for another reason
    ],
)
def test_every_other_reason_to_refuse_the_body_stands(raw: bytes) -> None:
    fixed = reencode_lone_surrogates(raw)
    assert fixed is not None
    with pytest.raises((msgspec.DecodeError, UnicodeDecodeError)):
        msgspec.json.decode(fixed)


def test_upper_case_escapes_pair_up_as_lower_case_ones_do() -> None:
    """.NET's System.Text.Json writes its escapes in upper case: a pair from the last
    plane (U+10FFFF is \\uDBFF\\uDFFF) stays whole beside a lone one."""
    fixed = reencode_lone_surrogates(b'{"t":"\\uDBFF\\uDFFF\\uDBFF \\uDABC"}')
    assert fixed is not None
    assert msgspec.json.decode(fixed) == {"t": "\U0010ffff\ufffd \ufffd"}


def test_decoding_refuses_what_is_wrong_for_any_other_reason_as_the_parser_does() -> None:
    decode = msgspec.json.Decoder(dict[str, str]).decode
    assert decode_allowing_lone_surrogates(decode, b'{"t":"a\\ud83d"}') == {"t": "a\ufffd"}
    with pytest.raises(msgspec.DecodeError, match="truncated"):
        decode_allowing_lone_surrogates(decode, b'{"t":"a"')  # no lone surrogate to blame
    with pytest.raises(msgspec.ValidationError, match="Expected `str`"):
        decode_allowing_lone_surrogates(decode, b'{"t":1,"u":"\\ud83d"}')


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("plain", "plain"),
        ("caf\u00e9", "caf\u00e9"),
        ("a\ud83d\ude00", "a\U0001f600"),  # a pair written as two code points
        ("a\ud83d b\ude00", "a\ufffd b\ufffd"),  # lone ones
    ],
)
def test_text_read_as_utf8(text: str, read: str) -> None:
    assert text_read_as_utf8(text) == read
