"""Hostile and odd input found in an audit: always RingCentral's error shape, never a 500."""

from __future__ import annotations

import pytest

from .conftest import RC, check_schema

JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("path", "raw"),
    [
        ("/batches", b'{"from":"+16505550100","text":"\xff","messages":[{"to":["+14155550100"]}]}'),
        ("/batches", b'{"from":"+16505550100","text":"x","messages":[{"to":["+1415\xc3"]}]}'),
        ("/opt-outs/bulk-assign", b'{"from":"+16505550100","optOuts":["\xff"]}'),
    ],
)
def test_invalid_utf8_inside_a_json_string_is_cmn_104(rc: RC, path: str, raw: bytes) -> None:
    response = rc.post(path, content=raw, headers=JSON)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    check_schema("ASGErrorResponse", body)
    assert body["errorCode"] == "CMN-104"
    assert body["message"] == "Cannot parse request"
    assert rc.emu.messages() == []
