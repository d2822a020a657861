"""A webhook address on the emulator's own admin API is never called.

A Fone Dynamics receipt or a RingCentral subscription addressed to
``/_emulator/reset`` used to reset the live server, wiping every message
already accepted: the real provider could never have reached that API.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from ui._providers import FD_ACCOUNT, FD_SENDER, RC_A2P, RC_SENDER, fd_send

from emulator import Emulator
from emulator.core.webhooks import ADMIN_REFUSAL
from emulator.testing.server import LiveServer


@pytest.fixture
def server() -> Iterator[LiveServer]:
    with LiveServer(Emulator(clock="virtual", seed=3)) as live:
        yield live


def _attempts(server: LiveServer, count: int) -> list[dict[str, object]]:
    deadline = time.monotonic() + 10
    while len(server.webhooks.attempts) < count and time.monotonic() < deadline:
        time.sleep(0.01)  # real-time ok: polls, with a deadline, for the worker to send
    return list(server.webhooks.attempts)


def test_a_fone_dynamics_receipt_to_the_admin_api_fails_and_nothing_is_lost(
    server: LiveServer,
) -> None:
    kept = fd_send(server, "accepted first")
    fd_send(server, "hi", DeliveryReceiptWebhookUri=f"{server.url}/_emulator/reset")
    moved = httpx.post(f"{server.url}/_emulator/clock", json={"advance": "1m"})
    assert moved.status_code == 200

    (attempt, *_) = _attempts(server, 1)
    assert (attempt["ok"], attempt["status"], attempt["error"]) == (False, None, ADMIN_REFUSAL)
    assert moved.json()["now"] == "2026-01-01T00:01:00.000000Z"  # not reset to the start
    shown = httpx.get(f"{server.url}/v2/Messages/{kept}", auth=(FD_ACCOUNT, "t"))
    assert shown.status_code == 200, shown.text
    assert shown.json()["Message"]["From"] == FD_SENDER
    assert len(server.messages()) == 2


def test_a_ringcentral_subscription_to_the_admin_api_is_sub_521_and_nothing_is_lost(
    server: LiveServer,
) -> None:
    with httpx.Client(base_url=server.url) as http:
        token = http.post(
            "/restapi/oauth/token",
            auth=("client-id", "client-secret"),
            data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "j"},
        ).json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        batch = http.post(
            f"{RC_A2P}/batches",
            headers=bearer,
            json={"from": RC_SENDER, "text": "hi", "messages": [{"to": ["+14155550100"]}]},
        ).json()
        for address in (f"{server.url}/_emulator/reset", f"{server.url}//%5Femulator/reset"):
            refused = http.post(
                "/restapi/v1.0/subscription",
                headers=bearer,
                json={
                    "eventFilters": [f"{RC_A2P}/batches"],
                    "deliveryMode": {"transportType": "WebHook", "address": address},
                },
            )
            assert refused.status_code == 400
            assert refused.json()["errorCode"] == "SUB-521"
        still = http.get(f"{RC_A2P}/batches/{batch['id']}", headers=bearer)
    assert still.status_code == 200, still.text  # the token and the batch are both still there
    assert still.json()["batchSize"] == 1
