"""From a coroutine: ``advance_async()`` and ``inbound_async()`` let a receiver served by
the test's own event loop (an aiohttp or FastAPI test server) answer its webhooks."""

from __future__ import annotations

import asyncio
import threading
import warnings
from collections.abc import Awaitable, Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from emulator import Emulator

ITEM = {
    "partnerID": "1",
    "apikey": "k",
    "clientsmsid": 1,
    "mobile": "0722000001",
    "message": "m",
    "shortcode": "SHOP",
}


async def _receiver(received: list[bytes]) -> tuple[asyncio.Server, str]:
    """A webhook receiver on the running loop: it answers only while the loop runs."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        received.append(await reader.readexactly(length))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


def _emulator(url: str) -> Emulator:
    return Emulator(
        scenario={
            "webhooks": {"retries": ["5s"]},
            "providers": {"sendbulk": {"dlr_callback_url": url + "/dlr", "inbound_url": url}},
        }
    )


async def _send_one(emu: Emulator) -> None:
    transport = httpx.ASGITransport(app=emu.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sms") as client:
        response = await client.post("/api/services/sendbulk", json={"count": 1, "smslist": [ITEM]})
    assert response.json()["responses"][0]["response-code"] == 200


def _run(test: Callable[[list[bytes], Emulator], Awaitable[Any]]) -> Emulator:
    received: list[bytes] = []

    async def main() -> Emulator:
        server, url = await _receiver(received)
        emu = _emulator(url)
        try:
            await test(received, emu)
        finally:
            server.close()
            emu.close()
        return emu

    return asyncio.run(main())


def test_advance_async_sends_to_a_receiver_on_the_same_loop_once() -> None:
    async def test(received: list[bytes], emu: Emulator) -> None:
        await _send_one(emu)
        now = await emu.advance_async("1m")
        assert now == emu.now
        # answered before advance_async returned: no sleep, one attempt, one copy
        assert len(received) == 1
        assert b'"description":"DeliveredToTerminal"' in received[0]
        assert [(a["attempt"], a["ok"]) for a in emu.webhooks.attempts] == [(1, True)]

    _run(test)


def test_inbound_async_sends_its_webhook_to_a_receiver_on_the_same_loop() -> None:
    async def test(received: list[bytes], emu: Emulator) -> None:
        record = await emu.inbound_async("sendbulk", "0712345678", "40404", "STOP")
        assert record["text"] == "STOP"
        assert len(received) == 1 and b"STOP" in received[0]
        assert [a["ok"] for a in emu.webhooks.attempts] == [True]

    _run(test)


def test_advance_from_a_coroutine_warns_when_its_webhook_fails() -> None:
    """The loop cannot serve the receiver while ``advance()`` holds it: the failure says
    so, naming the call to use instead."""

    async def test(received: list[bytes], emu: Emulator) -> None:
        await _send_one(emu)
        emu.webhooks._timeout = 0.2  # a receiver that cannot answer: no need to wait 5 s
        with pytest.warns(RuntimeWarning, match=r"advance_async") as caught:
            emu.advance("1m")
        assert caught[0].filename == __file__  # pointed at the test's own line
        assert not emu.webhooks.attempts[0]["ok"]

    _run(test)


def test_the_warning_turned_error_loses_no_webhook() -> None:
    """Under ``filterwarnings = error`` the warning is raised once every attempt is
    recorded and its retry queued: nothing is left half-sent."""

    async def test(received: list[bytes], emu: Emulator) -> None:
        await _send_one(emu)
        emu.webhooks._timeout = 0.2
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(RuntimeWarning, match="advance_async"):
                emu.advance("1m")  # the first attempt, and its retry 5 s later
        assert [a["attempt"] for a in emu.webhooks.attempts] == [1, 2]
        assert emu.webhooks.pending() == []

    _run(test)


def test_plain_advance_from_a_coroutine_still_sends_to_a_threaded_receiver() -> None:
    """A receiver on its own thread answers ``advance()`` before it returns, as before."""
    received: list[bytes] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    emu = _emulator(f"http://127.0.0.1:{server.server_address[1]}")

    async def main() -> None:
        await _send_one(emu)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            emu.advance("1m")
        assert len(received) == 1

    try:
        asyncio.run(main())
    finally:
        server.shutdown()
        server.server_close()
        emu.close()


def test_a_refused_webhook_from_a_coroutine_does_not_warn() -> None:
    """Only a receiver that does not answer can be the held loop's doing."""
    emu = _emulator("http://127.0.0.1:9")  # nothing listens: refused at once

    async def main() -> None:
        await _send_one(emu)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            emu.advance("1m")
        assert emu.webhooks.attempts and not any(a["ok"] for a in emu.webhooks.attempts)

    try:
        asyncio.run(main())
    finally:
        emu.close()
