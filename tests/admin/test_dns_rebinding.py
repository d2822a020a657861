"""A page of another site can have its own name point at 127.0.0.1 (DNS rebinding):
its requests to the emulator are then of its own origin, so CORS and the Origin check
let them through.  Over a loopback address, the admin API and the inspector answer only
a ``Host`` that names this machine (``localhost``, ``*.localhost``, an IP address);
the providers' paths take any (a client whose provider host is fixed in its code)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from emulator import Emulator
from emulator.testing.server import LiveServer


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    with LiveServer(Emulator(clock="virtual")) as server:
        yield server


@pytest.fixture
def server(live: LiveServer) -> LiveServer:
    live.reset()
    live.inbound("sendbulk", "0712345678", "40404", "your code is 5521")
    return live


def test_a_rebound_page_can_neither_read_nor_change_the_emulator(server: LiveServer) -> None:
    own = f"rebind.evil.test:{server.port}"  # what the page's name now points at
    page = {"Host": own, "Origin": f"http://{own}"}
    before = (server.time(), len(server.messages()))
    with httpx.Client(base_url=server.url) as client:
        for method, path, content in (
            ("GET", "/_emulator/messages", None),
            ("GET", "/_emulator/requests", None),
            ("GET", "/_emulator/ui", None),
            ("POST", "/_emulator/reset", b"x"),
            ("POST", "/_emulator/clock", b'{"seconds": 60}'),
            ("PUT", "/_emulator/scenario", b"carrier-failures"),
        ):
            for headers in (page, {"Host": own}, {**page, "X-Forwarded-Proto": "https"}):
                answer = client.request(
                    method, path, content=content, headers={**headers, "Content-Type": "text/plain"}
                )
                assert answer.status_code == 403, (method, path, headers, answer.text)
                assert "5521" not in answer.text
                assert "no name of this machine" in answer.json()["error"]
    assert (server.time(), len(server.messages()), server.scenario.name) == (
        *before,
        "happy-path",
    )


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "LOCALHOST.",
        "app.localhost",
        "[::1]",
        "127.0.0.2",
        "10.0.0.5",
    ],
)
def test_names_of_this_machine_reach_the_admin_api(server: LiveServer, host: str) -> None:
    with httpx.Client(base_url=server.url) as client:
        for headers in ({"Host": f"{host}:{server.port}"}, {"Host": host}):
            listed = client.get("/_emulator/messages", headers=headers)
            assert listed.status_code == 200, listed.text
            assert listed.json()["messages"][0]["text"] == "your code is 5521"
            page = client.get("/_emulator/ui", headers=headers)
            assert page.status_code == 200


def test_an_ipv6_address_without_brackets_is_an_address_not_a_name_and_port(
    server: LiveServer,
) -> None:
    """``2001:db8::1`` has colons but no port to split off: an IP address, taken."""
    with httpx.Client(base_url=server.url) as client:
        listed = client.get("/_emulator/messages", headers={"Host": "2001:db8::1"})
    assert listed.status_code == 200, listed.text


def test_an_empty_host_is_no_name_a_page_could_have_pointed_here(server: LiveServer) -> None:
    """An HTTP/1.0 client sends no Host, an odd one an empty Host: no rebound name."""
    with httpx.Client(base_url=server.url) as client:
        listed = client.get("/_emulator/messages", headers={"Host": ""})
    assert listed.status_code == 200, listed.text


def test_provider_paths_take_any_host(server: LiveServer) -> None:
    """A client whose provider host is fixed, mapped to 127.0.0.1 in /etc/hosts."""
    with httpx.Client(base_url=server.url) as client:
        sent = client.post(
            "/api/services/sendsms",
            json={
                "partnerID": "1",
                "apikey": "k",
                "shortcode": "SHOP",
                "mobile": "0712345678",
                "message": "hi",
            },
            headers={"Host": "api.advantasms.com"},
        )
    assert sent.status_code == 200 and sent.json()["responses"][0]["response-code"] == 200


def test_in_process_and_network_names_are_not_checked() -> None:
    """In-process there is no socket, and a server on every interface reached by its
    network name (another container, ``serve --host 0.0.0.0``) is not on loopback."""
    emu = Emulator(clock="virtual")
    with emu.client(base_url="http://sms-emulator:8787") as client:
        assert client.post("/_emulator/reset").status_code == 200
        assert client.get("/_emulator/ui").status_code == 200


async def _status(emu: Emulator, scope: dict[str, Any]) -> int:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await emu.app(scope, receive, send)
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


@pytest.mark.parametrize(
    ("server", "scheme", "forwarded", "status"),
    [
        (("127.0.0.1", 443), "https", None, 200),  # TLS: a rebound name fails the handshake
        (("127.0.0.1", 80), "https", b"https", 403),  # what uvicorn makes of the header
        (("127.0.0.1", 80), "http", None, 403),
        (("::1", 80), "http", None, 403),
        (("::ffff:127.0.0.1", 80), "http", None, 403),  # a dual-stack socket's
        (("192.168.1.20", 8787), "http", None, 200),  # serve --host 0.0.0.0, from the LAN
    ],
)
def test_over_tls_or_another_interface_any_host_is_taken(
    http_scope: Any,
    server: tuple[str, int],
    scheme: str,
    forwarded: bytes | None,
    status: int,
) -> None:
    """``--ssl-certfile`` with the provider's name mapped to 127.0.0.1: its admin API
    answers under that name too."""
    headers = [(b"host", b"api.fonedynamics.com")]
    if forwarded is not None:
        headers.append((b"x-forwarded-proto", forwarded))
    scope = {**http_scope("/_emulator/messages", headers), "method": "GET"}
    scope.update(server=server, scheme=scheme)
    assert asyncio.run(_status(Emulator(), scope)) == status


@pytest.mark.parametrize(
    ("allowed", "host"),
    [
        (["emulator.proxy.test"], "emulator.proxy.test"),
        (["Emulator.Proxy.Test."], "EMULATOR.proxy.test."),  # names are matched as DNS's are
        ("emulator.proxy.test", "emulator.proxy.test"),  # one name as a str
        ([" emulator.proxy.test\n"], "emulator.proxy.test"),  # as read from a file
        (["*"], "anything.test"),
    ],
)
def test_a_name_allowed_is_answered_and_no_other(allowed: Any, host: str) -> None:
    """A local reverse proxy that passes its own name on (nginx ``proxy_set_header Host
    $host``, Caddy), or an ``/etc/hosts`` alias, is taken once allowed
    (``serve --allowed-host``): the check otherwise refuses it as a rebound page."""
    with (
        LiveServer(Emulator(clock="virtual", allowed_hosts=allowed)) as server,
        httpx.Client(base_url=server.url) as client,
    ):
        server.inbound("sendbulk", "0712345678", "40404", "your code is 5521")
        answer = client.get("/_emulator/messages", headers={"Host": f"{host}:{server.port}"})
        assert answer.status_code == 200, answer.text
        assert "5521" in answer.text
        other = client.get("/_emulator/messages", headers={"Host": f"other.test:{server.port}"})
        assert other.status_code == (200 if allowed == ["*"] else 403)


def test_the_refusal_names_the_way_to_allow_a_name(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        answer = client.get("/_emulator/messages", headers={"Host": "myalias:8787"})
    assert answer.status_code == 403
    assert "serve --allowed-host NAME" in answer.json()["error"]
