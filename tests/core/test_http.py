"""Loopback is reached directly even when the environment names a proxy (as company CI does)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from loopback import ipv6_loopback
from providers.receiver import Receiver

from emulator import Emulator
from emulator.core import http
from emulator.testing.remote import RemoteEmulator
from emulator.testing.server import LiveServer

DEAD_PROXY = "http://127.0.0.1:9"  # nothing listens: a request sent there fails


@pytest.fixture
def behind_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, DEAD_PROXY)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("behind_a_proxy")
def test_webhooks_to_a_local_receiver_skip_the_proxy(webhook_receiver: Receiver) -> None:
    emu = Emulator()
    try:
        emu.webhooks.schedule(
            emu.time(), method="POST", url=f"{webhook_receiver.url}/r", provider="p"
        )
        emu.advance("1s")
        assert [r.path for r in webhook_receiver.requests] == ["/r"]
        assert emu.webhooks.attempts[-1]["ok"] is True
    finally:
        emu.close()


@pytest.mark.usefixtures("behind_a_proxy")
@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        pytest.param(
            "::1", marks=pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback")
        ),
    ],
)
def test_the_harness_clients_reach_a_local_server_past_the_proxy(host: str) -> None:
    with LiveServer(host=host) as server:
        with server.client() as client:
            assert client.get("/_emulator/health").status_code == 200
        remote = RemoteEmulator(server.url)
        try:
            assert remote.messages() == []
        finally:
            remote.close()
        with http.client(base_url=server.url) as plain:
            assert plain.get("/_emulator/health").status_code == 200
        assert asyncio.run(_health(server.url)) == 200


async def _health(url: str) -> int:
    async with http.async_client(base_url=url) as client:
        return (await client.get("/_emulator/health")).status_code


def test_options_that_shape_the_connection_still_apply_to_loopback() -> None:
    """The loopback route is the client's own transport, as the caller built it."""
    mock = httpx.MockTransport(lambda request: httpx.Response(299))
    with http.client(transport=mock) as client:
        assert client.get("http://127.0.0.1:1/anything").status_code == 299
    with LiveServer() as server, server.client(transport=mock) as client:
        assert client.get("/_emulator/health").status_code == 299


def test_a_proxy_the_caller_names_is_used_for_loopback_too() -> None:
    with (
        LiveServer() as server,
        http.client(proxy=DEAD_PROXY) as client,
        pytest.raises(httpx.ConnectError),  # sent to the dead proxy, not the server
    ):
        client.get(f"{server.url}/_emulator/health")


def test_a_mount_the_caller_gives_for_loopback_wins() -> None:
    mock = httpx.MockTransport(lambda request: httpx.Response(299))
    with http.client(mounts={"all://127.0.0.1": mock}) as client:
        assert client.get("http://127.0.0.1:1/anything").status_code == 299
