"""``provider_app``: a matched route goes straight to its handler, everything else as Starlette."""

from __future__ import annotations

import json

import httpx
import pytest
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulator import Emulator
from emulator._transport import InProcessTransport
from emulator.providers.base import DropConnection
from emulator.providers.routing import DirectResponse, header, provider_app, read_body
from emulator.scenario.schema import Fault, Match, Scenario


class Refused(Exception):
    pass


async def item(request: Request) -> Response:
    return JSONResponse(
        {
            "id": request.path_params["item_id"],
            "method": request.method,
            "app": "app" in request.scope,
            "route": request.scope["route"].path,
            "endpoint": request.scope["endpoint"] is item,
        }
    )


async def refuse(request: Request) -> Response:
    raise Refused()


async def crash(request: Request) -> Response:
    raise RuntimeError("bug")


async def drop(request: Request) -> Response:
    raise DropConnection()


async def echo(request: Request) -> Response:
    body = await read_body(request, limit=8)
    if body is None:
        return JSONResponse({"error": "too large"}, status_code=413)
    again = await request.body()  # a second read gets the same bytes, it does not wait
    return JSONResponse({"body": bytes(body).decode(), "again": again.decode()})


def provider_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    headers = exc.headers if isinstance(exc, HTTPException) else None
    return JSONResponse({"provider_error": type(exc).__name__, "status": status}, status, headers)


async def refused(request: Request, exc: Exception) -> Response:
    return JSONResponse({"refused": True}, 403)


APP = provider_app(
    [
        Route("/items/{item_id:int}", item, methods=["GET", "POST"]),
        Route("/items/{item_id:int}/refuse", refuse, methods=["POST"]),
        Route("/crash", crash, methods=["GET"]),
        Route("/drop", drop, methods=["GET"]),
        Route("/echo", echo, methods=["POST"]),
    ],
    {HTTPException: provider_error, Refused: refused, Exception: provider_error},
)


@pytest.fixture
def client() -> httpx.Client:
    return httpx.Client(transport=InProcessTransport(APP), base_url="http://provider")


def test_a_matched_route_gets_converted_path_params(client: httpx.Client) -> None:
    assert client.get("/items/42").json() == {
        "id": 42,
        "method": "GET",
        "app": True,
        "route": "/items/{item_id:int}",
        "endpoint": True,
    }
    assert client.post("/items/7").json()["method"] == "POST"


def test_head_is_allowed_where_get_is(client: httpx.Client) -> None:
    assert client.head("/items/1").status_code == 200


def test_unknown_path_and_wrong_method_are_answered_by_the_provider_handlers(
    client: httpx.Client,
) -> None:
    missing = client.get("/nothing")
    assert (missing.status_code, missing.json()) == (
        404,
        {"provider_error": "HTTPException", "status": 404},
    )
    wrong = client.delete("/items/1")
    assert wrong.status_code == 405
    assert wrong.json()["provider_error"] == "HTTPException"
    assert (
        wrong.headers["allow"] == "GET, HEAD, POST"
    )  # sorted: a set's order follows the hash seed
    assert client.get("/items/not-a-number").status_code == 404


def test_an_exception_gets_the_closest_registered_handler(client: httpx.Client) -> None:
    response = client.post("/items/1/refuse")
    assert (response.status_code, response.json()) == (403, {"refused": True})


def test_an_unexpected_error_is_answered_then_reraised_for_the_server_log(
    client: httpx.Client,
) -> None:
    # As Starlette's ServerErrorMiddleware: the 500 in the provider's shape is sent,
    # then the error propagates (the in-process transport keeps the answer).
    response = client.get("/crash")
    assert (response.status_code, response.json()["provider_error"]) == (500, "RuntimeError")


def test_drop_connection_is_answered_and_reraised_as_starlette_does(
    client: httpx.Client,
) -> None:
    # The catch-all handler answers, then the error propagates; the in-process
    # transport keeps the answer.  The emulator's entry point is what discards it
    # and drops the connection (next test).
    response = client.get("/drop")
    assert (response.status_code, response.json()["provider_error"]) == (500, "DropConnection")


def test_a_dropped_provider_request_gets_no_answer_through_the_emulator() -> None:
    emu = Emulator({"faults": [{"first": 1, "respond": {"drop": "after"}}]})
    with emu.client() as http, pytest.raises(httpx.RemoteProtocolError):
        http.post("/api/services/sendbulk", json={"count": 0, "smslist": []})


def test_a_request_dropped_after_processing_keeps_its_unsent_answer_in_the_journal() -> None:
    """A retry or idempotency test needs to see what the dropped request did: the
    journal keeps the answer it would have had, and says it was not sent."""
    emu = Emulator({"faults": [{"first": 1, "respond": {"drop": "after"}}]})
    item = {"partnerID": "1", "apikey": "k", "shortcode": "SHOP", "message": "hi"}
    body = {"count": 1, "smslist": [{**item, "mobile": "254712345678"}]}
    with emu.client() as http, pytest.raises(httpx.RemoteProtocolError):
        http.post("/api/services/sendbulk", json=body)
    [entry] = [e for e in emu.journal.entries() if e["path"] == "/api/services/sendbulk"]
    assert entry["error"].endswith("answer not sent")
    assert entry["status"] == 200
    [row] = json.loads(entry["response_body"])["responses"]
    [message] = emu.messages(provider="sendbulk")
    assert f"sendbulk-{row['messageid']}" == message["id"]


def test_the_journal_says_which_scenario_fault_fired_as_the_scenario_wrote_it() -> None:
    """A 503 or a cut body a test asked for must not pass for the emulator's own
    doing: its entry names the fault (its place in ``faults`` and the entry as
    written); requests no fault touched say ``fault: null``."""
    faults = [
        {"when": {"endpoint": "getbalance"}, "respond": {"status": 500}},
        {"when": {"endpoint": "sendbulk"}, "calls": [2], "respond": {"status": 503}},
        {"when": {"endpoint": "sendbulk"}, "calls": [3], "respond": {"truncate": True}},
    ]
    emu = Emulator({"faults": faults})
    item = {"partnerID": "1", "apikey": "k", "shortcode": "SHOP", "message": "hi"}
    body = {"count": 1, "smslist": [{**item, "mobile": "254712345678"}]}
    with emu.client() as http:
        statuses = [http.post("/api/services/sendbulk", json=body).status_code for _ in range(3)]
        journal = http.get("/_emulator/requests").json()["requests"]
    assert statuses == [200, 503, 200]
    assert [entry["fault"] for entry in journal] == [
        None,
        {"index": 1, **faults[1]},
        {"index": 2, **faults[2]},
    ]
    assert len(emu.messages(provider="sendbulk")) == 2  # the truncated call was processed


@pytest.mark.parametrize(
    "path",
    ["/v2/Properties/SP1/Messages", "/v2/properties/SP1/messages", "/V2/PROPERTIES/SP1/MESSAGES"],
)
def test_a_fault_on_a_path_in_any_case_is_journaled_with_its_endpoint(path: str) -> None:
    """Fone Dynamics takes its paths in any case: the request spelt otherwise is the
    same call, and its entry says so."""
    emu = Emulator({"faults": [{"when": {"provider": "fonedynamics"}, "respond": {"status": 503}}]})
    with emu.client() as http:
        answer = http.post(path, json={"To": "+61488000001", "Text": "x"}, auth=("AC1", "tok"))
    assert answer.status_code == 503
    [entry] = emu.journal.entries()
    assert (entry["path"], entry["endpoint"], entry["fault"]["index"]) == (path, "send_message", 0)


def test_a_rate_limit_refusal_is_journaled_as_no_fault() -> None:
    emu = Emulator({"rate_limits": {"sendbulk": {"requests": 1, "per": "60s"}}})
    with emu.client() as http:
        statuses = [http.post("/api/services/getbalance", json={}).status_code for _ in range(2)]
    assert statuses[1] == 429
    assert [entry["fault"] for entry in emu.journal.entries()] == [None, None]


def test_a_fault_of_a_scenario_built_in_code_is_journaled_with_its_respond() -> None:
    scenario = Scenario(faults=(Fault(when=Match(), respond={"drop": True}),))
    emu = Emulator(scenario)
    with emu.client() as http, pytest.raises(httpx.RemoteProtocolError):
        http.post("/api/services/sendbulk", json={"count": 0, "smslist": []})
    [entry] = emu.journal.entries()
    assert (entry["error"], entry["fault"]) == (
        "connection dropped",
        {"index": 0, "respond": {"drop": True}},
    )


def test_read_body_reads_once_and_refuses_over_the_limit(client: httpx.Client) -> None:
    assert client.post("/echo", content=b"12345678").json() == {
        "body": "12345678",
        "again": "12345678",
    }
    assert client.post("/echo", content=b"123456789").status_code == 413

    def chunks() -> object:
        yield b"1234"
        yield b"56789"

    assert client.post("/echo", content=chunks()).status_code == 413


def test_header_reads_like_starlettes_headers_get() -> None:
    scope = {
        "type": "http",
        "headers": [(b"x-a", b"first"), (b"content-type", b"text/plain"), (b"x-a", b"second")],
    }
    request = Request(scope)
    for name in ("x-a", "content-type", "missing"):
        assert header(request, name.encode()) == request.headers.get(name)
    assert header(request, b"x-a") == "first"


def test_a_handler_by_status_code_answers_an_http_exception_first() -> None:
    async def teapot(request: Request) -> Response:
        raise HTTPException(418)

    def by_status(request: Request, exc: Exception) -> Response:
        return JSONResponse({"by": "status"}, 418)

    app = provider_app(
        [Route("/tea", teapot, methods=["GET"])],
        {418: by_status, HTTPException: provider_error, Exception: provider_error},
    )
    client = httpx.Client(transport=InProcessTransport(app), base_url="http://provider")
    assert client.get("/tea").json() == {"by": "status"}


@pytest.mark.parametrize("status", [200, 201, 204, 304, 400, 500])
@pytest.mark.parametrize(
    "media_type", ["application/json", "application/json; charset=utf-8", "text/csv", None]
)
@pytest.mark.parametrize("headers", [None, {}, {"Retry-After": "1"}])
def test_direct_response_has_starlettes_headers(
    status: int, media_type: str | None, headers: dict[str, str] | None
) -> None:
    body = b'{"ok":true}'
    expected = Response(body, status, headers, media_type)
    got = DirectResponse(body, status, headers, media_type)
    assert got.raw_headers == expected.raw_headers
    assert (got.body, got.status_code) == (expected.body, expected.status_code)
