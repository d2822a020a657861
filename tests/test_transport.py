"""The in-process transport behind ``Emulator.client()``: no sockets, same behaviour."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

import emulator.app
from emulator import Emulator
from emulator._transport import InProcessTransport
from emulator.providers.base import DropConnection, Provider
from emulator.testing.server import LiveServer


async def _echo(request: Request) -> Response:
    body = await request.body()
    return JSONResponse(
        {
            "method": request.method,
            "path": request.url.path,
            "raw_query": request.scope["query_string"].decode("latin-1"),
            "query": [[k, v] for k, v in request.query_params.multi_items()],
            "headers": [[k, v] for k, v in request.headers.items()],
            "body": body.decode("utf-8"),
        },
        headers={"X-Echo": "yes", "Set-Cookie": "a=1"},
    )


async def _drop(request: Request) -> Response:
    raise DropConnection()


async def _boom(request: Request) -> Response:
    raise RuntimeError("boom")


async def _stream(request: Request) -> Response:
    async def chunks() -> Iterator[bytes]:  # type: ignore[misc]
        yield b"one,"
        await asyncio.sleep(0)  # lets Starlette poll receive() for a disconnect
        yield b"two"

    return StreamingResponse(chunks(), media_type="text/plain")


async def _fake_error(request: Request, exc: Exception) -> Response:
    return JSONResponse({"fake_error": type(exc).__name__}, status_code=500)


def _fake_app(emu: Emulator) -> Starlette:
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return Starlette(
        routes=[
            Route("/echo/{rest:path}", _echo, methods=methods),
            Route("/drop", _drop, methods=["GET", "POST"]),
            Route("/boom", _boom),
            Route("/stream", _stream),
        ],
        exception_handlers={Exception: _fake_error},
    )


FAKE = Provider(name="fake", title="Fake", mount="/fake", build_app=_fake_app)


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """An emulator that also serves a fake provider at /fake."""
    monkeypatch.setattr(emulator.app, "PROVIDERS", (*emulator.app.PROVIDERS, FAKE))
    instance = Emulator()
    yield instance
    instance.close()


@pytest.fixture
def client(emu: Emulator) -> Iterator[httpx.Client]:
    with emu.client() as c:
        yield c


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_methods(client: httpx.Client, method: str) -> None:
    response = client.request(method, "/fake/echo/x")
    assert response.status_code == 200
    assert response.json()["method"] == method


def test_head_has_no_body(client: httpx.Client) -> None:
    response = client.head("/fake/echo/x")
    assert response.status_code == 200
    assert response.content == b""


def test_query_string_keeps_a_raw_plus(client: httpx.Client) -> None:
    response = client.get("/fake/echo/x?to=+14155550100&to=%2B1&text=a+b&e=")
    data = response.json()
    assert data["raw_query"] == "to=+14155550100&to=%2B1&text=a+b&e="
    # a raw '+' means a space in form encoding, as over a socket
    assert data["query"] == [["to", " 14155550100"], ["to", "+1"], ["text", "a b"], ["e", ""]]


def test_params_are_encoded_by_httpx_as_usual(client: httpx.Client) -> None:
    data = client.get("/fake/echo/x", params={"to": "+14155550100", "t": "é &"}).json()
    assert data["query"] == [["to", "+14155550100"], ["t", "é &"]]


def test_request_headers_reach_the_app(client: httpx.Client) -> None:
    response = client.get(
        "/fake/echo/x", headers={"Authorization": "Bearer abc", "X-Custom": "Ünï".encode()}
    )
    headers = dict(response.json()["headers"])
    assert headers["authorization"] == "Bearer abc"
    assert headers["host"] == "sms-emulator.test"
    assert "x-custom" in headers


def test_response_status_headers_and_body(client: httpx.Client) -> None:
    response = client.post("/fake/echo/a/b", content=b"raw body")
    assert response.status_code == 200
    assert response.headers["x-echo"] == "yes"
    assert response.headers["content-type"] == "application/json"
    assert response.json()["body"] == "raw body"
    assert response.json()["path"] == "/fake/echo/a/b"
    assert client.cookies.get("a") == "1"


@pytest.mark.parametrize(
    ("kwargs", "body"),
    [
        # as this httpx encodes it (0.28 writes compact UTF-8, 0.27 spaced \u escapes)
        ({"json": {"a": [1, "é"]}}, httpx.Request("POST", "/", json={"a": [1, "é"]}).read()),
        ({"data": {"a": "1 2", "b": "+"}}, "a=1+2&b=%2B"),
        ({"content": "x" * 200_000}, "x" * 200_000),
        ({"content": iter([b"chunk1", b"chunk2"])}, "chunk1chunk2"),
    ],
)
def test_bodies(client: httpx.Client, kwargs: dict[str, object], body: str | bytes) -> None:
    sent = client.post("/fake/echo/x", **kwargs).json()["body"]  # type: ignore[arg-type]
    assert sent == (body.decode() if isinstance(body, bytes) else body)


def test_percent_encoded_path_is_decoded(client: httpx.Client) -> None:
    assert client.get("/fake/echo/a%20b").json()["path"] == "/fake/echo/a b"


def test_streamed_response(client: httpx.Client) -> None:
    assert client.get("/fake/stream").text == "one,two"


def test_drop_connection_surfaces_as_remote_protocol_error(
    client: httpx.Client, emu: Emulator
) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/fake/drop")
    entry = emu.journal.entries()[-1]
    assert (entry["path"], entry["status"], entry["error"]) == (
        "/fake/drop",
        None,
        "connection dropped",
    )
    # the client is still usable afterwards
    assert client.get("/fake/echo/x").status_code == 200


def test_drop_connection_on_a_live_server(emu: Emulator) -> None:
    with LiveServer(emu) as server, httpx.Client(base_url=server.url) as live:
        with pytest.raises(httpx.RemoteProtocolError):
            live.post("/fake/drop", json={"a": 1})
        assert live.get("/fake/echo/x").status_code == 200
    assert emu.journal.entries()[0]["status"] is None


def test_handled_server_error_returns_the_apps_500_like_a_socket(client: httpx.Client) -> None:
    response = client.get("/fake/boom")
    assert response.status_code == 500
    assert response.json() == {"fake_error": "RuntimeError"}


def test_clients_are_independent_and_closable(emu: Emulator) -> None:
    first, second = emu.client(), emu.client(base_url="http://other.test")
    assert first.get("/fake/echo/x").status_code == 200
    first.close()
    assert dict(second.get("/fake/echo/x").json()["headers"])["host"] == "other.test"
    second.close()


def test_an_unclosed_client_does_not_keep_the_interpreter_alive() -> None:
    script = textwrap.dedent(
        """
        from emulator import Emulator
        client = Emulator().client()
        assert client.get("/_emulator/health").json()["status"] == "ok"
        print("done", flush=True)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "done"
    assert "Traceback" not in result.stderr


def test_a_delay_longer_than_the_read_timeout_times_out_as_on_a_socket() -> None:
    """A scenario ``delay`` makes a client's timeout fire in-process too; the request is
    still served (journaled), as a server carries on after its client gave up."""
    emu = Emulator(
        scenario={"faults": [{"when": {"provider": "sendbulk"}, "respond": {"delay": "300ms"}}]}
    )
    body = {"partnerID": "1", "apikey": "k", "shortcode": "S", "mobile": "0712345678"}
    with emu.client(timeout=0.05) as impatient, pytest.raises(httpx.ReadTimeout):
        impatient.post("/api/services/sendsms", json={**body, "message": "x"})
    with emu.client(timeout=5) as patient:
        answer = patient.post("/api/services/sendsms", json={**body, "message": "y"})
    assert answer.status_code == 200
    entries = emu.journal.entries()
    assert [e["status"] for e in entries] == [200, 200]  # both were answered
    assert [e["error"] for e in entries] == [  # the first to no one
        "client disconnected before the answer: request processed, answer not sent",
        None,
    ]
    emu.close()


# The async client: the same transport behind a worker thread, under asyncio and trio.


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_async_client_answers_drops_and_streams_as_the_sync_one(
    emu: Emulator, backend: str
) -> None:
    async def main() -> None:
        async with emu.async_client() as client:
            echoed = await client.post("/fake/echo/a%20b?x=1+2", content=b"hello")
            assert echoed.status_code == 200
            assert echoed.headers["x-echo"] == "yes"
            assert {k: echoed.json()[k] for k in ("method", "path", "raw_query", "body")} == {
                "method": "POST",
                "path": "/fake/echo/a b",
                "raw_query": "x=1+2",
                "body": "hello",
            }
            with pytest.raises(httpx.RemoteProtocolError):
                await client.get("/fake/drop")
            assert (await client.get("/fake/stream")).text == "one,two"
            assert (await client.get("/fake/boom")).json() == {"fake_error": "RuntimeError"}

    anyio.run(main, backend=backend)


def test_async_client_times_out_as_on_a_socket() -> None:
    emu = Emulator(
        scenario={"faults": [{"when": {"provider": "sendbulk"}, "respond": {"delay": "300ms"}}]}
    )
    body = {"partnerID": "1", "apikey": "k", "shortcode": "S", "mobile": "0712345678"}

    async def main() -> None:
        async with emu.async_client(timeout=0.05) as impatient:
            with pytest.raises(httpx.ReadTimeout):
                await impatient.post("/api/services/sendsms", json={**body, "message": "x"})

    anyio.run(main)
    emu.close()


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_cancelled_async_request_stops_waiting_and_the_emulator_answers_anyway(
    backend: str,
) -> None:
    emu = Emulator(
        scenario={"faults": [{"when": {"provider": "sendbulk"}, "respond": {"delay": "300ms"}}]}
    )
    body = {"partnerID": "1", "apikey": "k", "shortcode": "S", "mobile": "0712345678"}

    async def main() -> list[dict[str, object]]:
        async with emu.async_client() as client:
            with pytest.raises(TimeoutError):
                with anyio.fail_after(0.05):  # real-time ok: against a 300 ms answer
                    await client.post("/api/services/sendsms", json={**body, "message": "x"})
            return emu.journal.entries()

    assert anyio.run(main, backend=backend) == []  # given up on before the answer came
    deadline = time.monotonic() + 10
    while not emu.journal.entries() and time.monotonic() < deadline:
        time.sleep(0.01)  # real-time ok: polled with a deadline
    assert [(e["status"], e["error"]) for e in emu.journal.entries()] == [
        (200, "client disconnected before the answer: request processed, answer not sent")
    ]
    emu.close()


def test_async_client_leaves_the_callers_loop_free_while_the_app_works() -> None:
    """Requests run off the caller's loop: two slow answers overlap, and the loop's
    own tasks go on meanwhile (a receiver it serves would get its webhooks)."""
    emu = Emulator(
        scenario={"faults": [{"when": {"provider": "sendbulk"}, "respond": {"delay": "200ms"}}]}
    )
    body = {"partnerID": "1", "apikey": "k", "shortcode": "S", "mobile": "0712345678"}
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)  # real-time ok: against a 200 ms answer

    async def main() -> list[int]:
        ticker = asyncio.ensure_future(tick())
        async with emu.async_client() as client:
            answers = await asyncio.gather(
                *(client.post("/api/services/sendsms", json={**body, "message": m}) for m in "ab")
            )
        ticker.cancel()
        return [a.status_code for a in answers]

    assert asyncio.run(main()) == [200, 200]
    assert ticks >= 2  # the loop ran on while both requests were being answered
    assert len(emu.journal.entries()) == 2
    emu.close()


def test_a_live_server_gives_async_clients_over_its_socket(emu: Emulator) -> None:
    async def main(url: str) -> int:
        async with server.async_client() as client:
            assert str(client.base_url).rstrip("/") == url
            return (await client.get("/fake/echo/x")).status_code

    with LiveServer(emu) as server:
        assert anyio.run(main, server.url) == 200
    assert emu.journal.entries()[0]["path"] == "/fake/echo/x"


def test_a_whole_answer_survives_what_the_app_raises_after_it() -> None:
    """As uvicorn delivers a response the app sent before it was cancelled."""

    async def answers_then_is_cancelled(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        raise asyncio.CancelledError()

    async def cancelled_before_answering(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        raise asyncio.CancelledError()

    with httpx.Client(transport=InProcessTransport(answers_then_is_cancelled)) as client:
        assert client.get("http://x.test/").text == "ok"
    cut = httpx.Client(transport=InProcessTransport(cancelled_before_answering))
    with cut, pytest.raises(httpx.RemoteProtocolError):  # a connection cut, not CancelledError
        cut.get("http://x.test/")


def test_an_error_before_any_answer_reaches_the_caller() -> None:
    """No response was started: the app's own exception is the caller's (a test's
    simulated crash shows as itself, not as a cut connection)."""

    async def crashes(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        await receive()
        raise ZeroDivisionError("the app crashed")

    client = httpx.Client(transport=InProcessTransport(crashes))
    with client, pytest.raises(ZeroDivisionError, match="the app crashed"):
        client.get("http://x.test/")


def test_an_app_told_of_the_disconnect_once_its_answer_is_whole() -> None:
    """As a server does: an app listening for ``http.disconnect`` after answering (a
    streamed response's watcher) hears it, and the caller has the answer."""
    heard: list[str] = []

    async def answers_then_listens(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        try:
            heard.append((await asyncio.wait_for(receive(), 5))["type"])
        except TimeoutError:
            heard.append("nothing")

    with httpx.Client(transport=InProcessTransport(answers_then_listens)) as client:
        assert client.get("http://x.test/").text == "ok"
    assert heard == ["http.disconnect"]


def test_repeated_headers_reach_the_app_and_the_caller_each(client: httpx.Client) -> None:
    sent = client.get("/fake/echo/x", headers=[("X-Twice", "1"), ("X-Twice", "2")])
    assert [value for name, value in sent.json()["headers"] if name == "x-twice"] == ["1", "2"]

    async def two_cookies(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        await receive()
        cookies = [(b"set-cookie", b"a=1"), (b"set-cookie", b"b=2")]
        await send({"type": "http.response.start", "status": 200, "headers": cookies})
        await send({"type": "http.response.body", "body": b""})

    with httpx.Client(transport=InProcessTransport(two_cookies)) as plain:
        assert plain.get("http://x.test/").headers.get_list("set-cookie") == ["a=1", "b=2"]


def test_an_answer_given_in_time_is_the_caller_s_however_long_the_app_runs_on() -> None:
    """The read timeout is for the answer: an app still busy after sending it (a webhook
    sent before the caller gets its answer) does not turn it into a ``ReadTimeout``."""

    async def answers_then_works_on(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        await asyncio.sleep(0.2)  # real-time ok: past the caller's read timeout

    transport = InProcessTransport(answers_then_works_on)
    with httpx.Client(transport=transport, timeout=0.02) as client:
        assert client.get("http://x.test/").text == "ok"


def test_the_app_sees_the_scheme_and_port_the_client_called() -> None:
    """As a server behind that URL would: ``https`` and its default port 443."""

    async def where(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        await receive()
        text = f"{scope['scheme']} {scope['server'][0]}:{scope['server'][1]}"
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": text.encode()})

    with httpx.Client(transport=InProcessTransport(where)) as client:
        assert client.get("https://platform.example/x").text == "https platform.example:443"
        assert client.get("http://platform.example/x").text == "http platform.example:80"
        assert client.get("http://platform.example:8080/x").text == "http platform.example:8080"


def test_an_app_that_answers_nothing_gets_uvicorn_s_500() -> None:
    """What uvicorn sends for an app that returned without starting a response."""

    async def silent(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        await receive()

    with httpx.Client(transport=InProcessTransport(silent)) as client:
        response = client.get("http://x.test/")
    assert response.status_code == 500
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == "Internal Server Error"


def test_an_answer_the_app_stops_midway_is_a_remote_protocol_error() -> None:
    """A body that never ends (``more_body`` left on) is a cut connection, not a response."""

    async def half_answer(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"half", "more_body": True})

    async def crashes_midway(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        await half_answer(scope, receive, send)
        raise ZeroDivisionError("the app crashed")

    for app in (half_answer, crashes_midway):
        cut = httpx.Client(transport=InProcessTransport(app))
        with cut, pytest.raises(httpx.RemoteProtocolError, match="mid-response"):
            cut.get("http://x.test/")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")  # 3.12+: fork with threads
def test_a_forked_child_gets_answers_from_a_loop_of_its_own(emu: Emulator) -> None:
    with emu.client() as client:
        assert client.get("/fake/echo/parent").status_code == 200  # the loop thread runs
        child = os.fork()
        if child == 0:  # the child: no loop thread was copied; a new one must start
            try:
                code = 0 if client.get("/fake/echo/child", timeout=10).status_code == 200 else 1
            except BaseException:
                code = 2
            os._exit(code)
        _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_an_abandoned_async_request_does_not_keep_the_process_alive() -> None:
    """Under asyncio no worker thread waits for the answer: a script that gave up on a
    slow one ends at once, not when the emulator's 60 s ``delay`` is over."""
    script = textwrap.dedent(
        """
        import asyncio
        from emulator import Emulator

        emu = Emulator(scenario={"faults": [{"respond": {"delay": "60s"}}]})

        async def main():
            async with emu.async_client(timeout=None) as client:
                assert (await client.get("/_emulator/health")).status_code == 200
                await asyncio.wait_for(client.get("/api/services/getbalance"), 0.2)

        try:
            asyncio.run(main())
        except TimeoutError:
            print("gave up", flush=True)
        """
    )
    result = subprocess.run(  # real-time ok: 30 s against the 60 s a wait would take
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "gave up"
    assert "Traceback" not in result.stderr
