"""Lone UTF-16 surrogate escapes: rewritten as U+FFFD, and nothing else loosened."""

from __future__ import annotations

import msgspec
import pytest

from emulator.core.lone_surrogates import reencode_lone_surrogates


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
