"""Lone UTF-16 surrogate escapes: read as U+FFFD on the JSON error path."""

from __future__ import annotations

import msgspec
import pytest

from emulator.core.lone_surrogates import reencode_lone_surrogates


def test_each_lone_surrogate_becomes_a_replacement_character_and_pairs_stay_whole() -> None:
    raw = b'{"t":"a\\ud83d","k\\udc00":["\\udc00\\ud83d\\ude00",1,{"x":null}]}'
    fixed = reencode_lone_surrogates(raw)
    assert fixed is not None
    assert msgspec.json.decode(fixed) == {
        "t": "a\ufffd",
        "k\ufffd": ["\ufffd\U0001f600", 1, {"x": None}],
    }


@pytest.mark.parametrize(
    "raw",
    [
        b'{"t":"no escape"}',  # nothing to fix: the caller's own error stands
        b'{"t":"\\ud83d"',  # malformed for another reason
        b'{"t":"\\ud83d","n":NaN}',  # NaN is not JSON, whatever Python's json reads
        b'{"t":"\\ud83d","n":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ],
)
def test_bodies_that_stay_errors(raw: bytes) -> None:
    assert reencode_lone_surrogates(raw) is None
