"""Hostile and odd input found in an audit: always RingCentral's error shape, never a 500."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Any

import msgspec
import pytest

from emulator import Emulator

from .conftest import A2P, RC, check_schema, login

JSON = {"Content-Type": "application/json"}
#: Nested past what the JSON parser goes to on every Python (~1,000 on 3.11, ~10,000 on 3.13).
TOO_DEEP = 100_000
DEEP = b"[" * TOO_DEEP + b"]" * TOO_DEEP


@pytest.mark.parametrize(
    ("path", "raw"),
    [
        ("/batches", b'{"from":"+16505550100","text":"\xff","messages":[{"to":["+14155550100"]}]}'),
        ("/batches", b'{"from":"+16505550100","text":"x","messages":[{"to":["+1415\xc3"]}]}'),
        ("/opt-outs/bulk-assign", b'{"from":"+16505550100","optOuts":["\xff"]}'),
        # before any field is checked: a wrong "from" does not make it CMN-101
        ("/batches", b'{"from":5,"text":"x","note":"\xff","messages":[{"to":["+14155550100"]}]}'),
        # in a field the emulator does not read: the gateway's parser still reads it
        (
            "/batches",
            b'{"from":"+16505550100","text":"x","note":"\xff\xfe","messages":[{"to":["+14155550100"]}]}',
        ),
        (
            "/batches",
            b'{"from":"+16505550100","text":"x","extra":'
            + b"[" * TOO_DEEP
            + b"]" * TOO_DEEP
            + b"}",
        ),
        (
            "/opt-outs/bulk-assign",
            b'{"optOuts":["+14155550100"],"x":' + DEEP + b"}",
        ),
    ],
)
def test_invalid_utf8_or_nesting_too_deep_is_cmn_104(rc: RC, path: str, raw: bytes) -> None:
    response = rc.post(path, content=raw, headers=JSON)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    check_schema("ASGErrorResponse", body)
    assert body["errorCode"] == "CMN-104"
    assert body["message"] == "Cannot parse request"
    assert rc.emu.messages() == []


def _forged_token(kind: str, where: str, seq: int) -> str:
    raw = msgspec.msgpack.encode([kind, where, seq, None, None])
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@pytest.mark.parametrize("store", ["memory", "sqlite"])
@pytest.mark.parametrize(
    ("path", "kind"), [("/messages", "m"), ("/batches", "b"), ("/opt-outs", "o")]
)
@pytest.mark.parametrize(("where", "seq"), [("n", 2**64 - 1), ("p", 2**63), ("n", -(2**63))])
def test_forged_page_token_out_of_range_is_cmn_101(
    tmp_path: Path, store: str, path: str, kind: str, where: str, seq: int
) -> None:
    emu = Emulator(clock="virtual", db=str(tmp_path / "rc.db") if store == "sqlite" else None)
    try:
        rc = RC(emu)
        rc.send(["+14155550100"])
        token = _forged_token(kind, where, seq)
        response = rc.get(path, params={"pageToken": token})
        assert response.status_code == 400
        body = response.json()
        check_schema("ASGErrorResponse", body)
        assert body["errorCode"] == "CMN-101"
        assert body["errors"][0]["parameterName"] == "pageToken"
    finally:
        emu.close()


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/messages", "direction="),
        ("/messages", "direction=&direction=Outbound"),
        ("/statuses", "direction="),
        ("/batches", "status="),
        ("/batches", "status=&status=Processing"),
        ("/opt-outs", "status="),
        ("/messages", "view=&perPage=&pageToken=&dateFrom=&dateTo=&batchId=&phoneNumber="),
    ],
)
def test_empty_values_mean_absent(rc: RC, path: str, query: str) -> None:
    """The JS SDK sends ``key=`` for an ``undefined`` value; every parameter treats it as unset."""
    rc.send(["+14155550100"])
    response = rc.get(f"{path}?{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    if path in ("/messages", "/batches"):
        assert len(response.json()["records"]) == 1


@pytest.mark.parametrize(
    ("sent", "expected"), [("inf", 2_592_000), ("1e400", 2_592_000), ("-inf", 604_800)]
)
def test_infinite_refresh_ttl_is_clamped(sms_emulator: Emulator, sent: str, expected: int) -> None:
    body = login(sms_emulator.client(), refresh_token_ttl=sent)
    assert body["refresh_token_expires_in"] == expected
    assert body["expires_in"] == 3600


def test_head_options_and_get_with_a_body(rc: RC) -> None:
    head = rc.http.head(A2P + "/batches", headers=rc.headers)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == "application/json"
    assert "rcrequestid" in head.headers
    options = rc.http.options(A2P + "/batches", headers=rc.headers)
    assert options.status_code == 405
    assert options.json() == {"errorCode": "AGW-405", "message": "Method not allowed", "errors": []}
    assert set(options.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    with_body = rc.http.request(
        "GET", A2P + "/messages", headers={**rc.headers, **JSON}, content=b"not json at all"
    )
    assert with_body.status_code == 200
    assert with_body.json()["records"] == []


@pytest.mark.parametrize("credentials", ["\u00e9", "aWQ6c2VjcmV0\u00e9", "\u0661\u0662"])
def test_non_ascii_basic_credentials_are_oau_123(sms_emulator: Emulator, credentials: str) -> None:
    response = sms_emulator.client().post(
        "/restapi/oauth/token",
        headers={"Authorization": f"Basic {credentials}".encode()},
        data={"grant_type": "password", "username": "u", "password": "p"},
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["error"], body["errors"][0]["errorCode"]) == ("invalid_client", "OAU-123")


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_a_lone_surrogate_escape_is_accepted_as_a_replacement_character(
    tmp_path: Path, store: str
) -> None:
    """JSON allows ``"\\ud83d"`` (an emoji cut in half by a UTF-16 client); Jackson reads it."""
    emu = Emulator(clock="virtual", db=str(tmp_path / "rc.db") if store == "sqlite" else None)
    try:
        rc = RC(emu)
        raw = (
            b'{"from":"+16505550100","text":"cut \\ud83d",'
            b'"messages":[{"to":["+14155550100"]},'
            b'{"to":["+14155550101"],"text":"\\udc00 \\ud83d\\ude00"}]}'
        )
        response = rc.post("/batches", content=raw, headers=JSON)
        assert response.status_code == 201
        assert response.json()["batchSize"] == 2
        texts = sorted(record["text"] for record in rc.messages(view="Detailed"))
        assert texts == ["cut \ufffd", "\ufffd \U0001f600"]
    finally:
        emu.close()


@pytest.mark.parametrize(
    "raw",
    [
        b'{"from":"+16505550100","text":"\\ud83d","messages":[{"to":["+14155550100"],"text":1e400}]}',
        b'\xef\xbb\xbf{"from":"+16505550100","text":"\\ud83d","messages":[{"to":["+14155550100"]}]}',
        b'{"from":"+16505550100","text":"\\ud83d \xed\xa0\x80",'
        b'"messages":[{"to":["+14155550100"]}]}',
    ],
    ids=["number-out-of-range", "byte-order-mark", "encoded-surrogate"],
)
def test_a_lone_surrogate_escape_does_not_excuse_the_rest_of_the_body(rc: RC, raw: bytes) -> None:
    response = rc.post("/batches", content=raw, headers=JSON)
    assert response.status_code == 400
    assert response.json()["errorCode"] in ("CMN-101", "CMN-104")
    assert rc.emu.messages() == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", A2P + "/batches"),
        ("GET", "/restapi/v1.0/account/~"),
        ("POST", "/restapi/oauth/token"),
        ("POST", "/restapi/v1.0/nowhere"),
    ],
)
@pytest.mark.parametrize("declared", ["62914560", "062914560 ", "9" * 5000])
def test_a_body_declared_over_50_mb_is_413_on_any_path_before_anything_else(
    sms_emulator: Emulator, method: str, path: str, declared: str
) -> None:
    """The gateway refuses on the header: before routing, authentication or the body."""
    client = sms_emulator.client()
    response = client.request(method, path, headers={"Content-Length": declared}, content=b"{}")
    assert response.status_code == 413
    assert response.json() == {
        "errorCode": "AGW-413",
        "message": "Request entity too large",
        "errors": [],
    }
    assert "connection" not in response.headers  # the client is sending it: left to finish
    assert "rcrequestid" in response.headers
    for expect in ("100-continue", "100-Continue \t", "x-foo, 100-continue "):
        waiting = client.request(
            method, path, headers={"Content-Length": declared, "Expect": expect}
        )
        assert (waiting.status_code, waiting.headers["connection"]) == (413, "close"), expect


@pytest.mark.parametrize("declared", ["0" * 5000 + "2", " 2\t"])
def test_a_padded_content_length_is_read_as_the_number_it_is(rc: RC, declared: str) -> None:
    """``int()`` refuses over 4,300 digits: a padded length made every request fail."""
    response = rc.http.request(
        "GET",
        "/restapi/v1.0/account/~",
        headers={**rc.headers, "Content-Length": declared},
        content=b"{}",
    )
    assert response.status_code == 200, response.text


def test_a_chunked_batch_past_50_mb_is_413_without_reading_it_to_its_end(
    sms_emulator: Emulator, http_scope: Any
) -> None:
    """The journal reads ahead of the handler, but not past RingCentral's limit: a body
    that never ends (or ends at 10 GB) is refused once it is over, not held in memory."""
    chunk = b" " * (20 * 1024 * 1024)
    reads = 0

    async def receive() -> dict[str, Any]:
        nonlocal reads
        reads += 1
        await asyncio.sleep(0)  # as a socket would: a read lets other work run
        return {"type": "http.request", "body": chunk, "more_body": True}  # for ever

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    token = RC(sms_emulator).headers["Authorization"].encode()
    headers = [
        (b"authorization", token),
        (b"content-type", b"application/json"),
        (b"transfer-encoding", b"chunked"),
    ]
    scope = http_scope("/restapi/v1.0/account/~/a2p-sms/batches", headers)
    asyncio.run(asyncio.wait_for(sms_emulator.app(scope, receive, send), 10))
    assert sent[0]["status"] == 413
    assert msgspec.json.decode(sent[1]["body"])["errorCode"] == "AGW-413"
    assert reads == 3  # 60 MB: just past the limit
    assert sms_emulator.requests()[-1]["status"] == 413


@pytest.mark.parametrize("path", ["/restapi/oauth/token", "/restapi/oauth/revoke"])
def test_a_chunked_token_request_past_the_form_limit_is_413_not_a_hang(
    sms_emulator: Emulator, http_scope: Any, path: str
) -> None:
    """The rate limiter reads the form for its client id, and stops at the limit; the
    handler must then know the body is too large, not wait for the rest of it."""
    chunks = [b"grant_type=password&username=" + b"a" * 700_000, b"b" * 700_000, b"&token=x"]
    messages = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)  # a client that sent all it had: only a disconnect is left
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [
        (b"content-type", b"application/x-www-form-urlencoded"),
        (b"transfer-encoding", b"chunked"),
    ]
    scope = http_scope(path, headers)
    asyncio.run(asyncio.wait_for(sms_emulator.app(scope, receive, send), 10))
    assert sent[0]["status"] == 413
    assert msgspec.json.decode(sent[1]["body"])["errorCode"] == "AGW-413"
