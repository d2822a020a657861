"""Loopback is reached directly even when the environment names a proxy (as company CI does)."""

from __future__ import annotations

import httpx
import pytest
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
def test_the_harness_clients_reach_a_local_server_past_the_proxy() -> None:
    with LiveServer() as server:
        with server.client() as client:
            assert client.get("/_emulator/health").status_code == 200
        remote = RemoteEmulator(server.url)
        try:
            assert remote.messages() == []
        finally:
            remote.close()
        with http.client(base_url=server.url) as plain:
            assert plain.get("/_emulator/health").status_code == 200


def test_options_that_shape_the_connection_still_apply_to_loopback() -> None:
    """The loopback route is the client's own transport, as the caller built it."""
    mock = httpx.MockTransport(lambda request: httpx.Response(299))
    with http.client(transport=mock) as client:
        assert client.get("http://127.0.0.1:1/anything").status_code == 299
    with LiveServer() as server, server.client(transport=mock) as client:
        assert client.get("/_emulator/health").status_code == 299
